using System;

namespace XtalPS.Geometry
{
    /// <summary>A panel plane for ray intersection with derivatives: D = [fast slow origin], v = D⁻¹·s1, (X, Y) = (v1, v2)/v3 mm.</summary>
    internal readonly struct PanelPlane
    {
        public PanelPlane(Vec3 origin, Vec3 fast, Vec3 slow, double pixelFast, double pixelSlow)
        {
            Origin = origin; Fast = fast; Slow = slow; PixelFast = pixelFast; PixelSlow = pixelSlow;
            var d = Mat3.FromColumns(fast, slow, origin);
            double det = d.Determinant;
            Valid = Math.Abs(det) > 1e-12 && !double.IsNaN(det);
            DInverse = Valid ? d.Inverse() : Mat3.Identity;
        }

        public Vec3 Origin { get; }
        public Vec3 Fast { get; }
        public Vec3 Slow { get; }
        public double PixelFast { get; }
        public double PixelSlow { get; }
        public Mat3 DInverse { get; }
        public bool Valid { get; }

        /// <summary>Where s1 meets the plane: mm along fast and slow, and v3 (&gt; 0 in front of the sample).</summary>
        public bool Intersect(Vec3 s1, out double xMm, out double yMm, out double v3)
        {
            var v = DInverse * s1;
            v3 = v.Z;
            if (!Valid || !(v3 > 0)) { xMm = yMm = double.NaN; return false; }
            xMm = v.X / v3; yMm = v.Y / v3;
            return true;
        }

        /// <summary>Lab position of (X, Y) mm.</summary>
        public Vec3 Point(double xMm, double yMm) => Origin + Fast * xMm + Slow * yMm;

        /// <summary>Change of (X, Y) mm for a change ds1 of the ray.</summary>
        public void RayDerivative(Vec3 ds1, double xMm, double yMm, double v3, out double dx, out double dy)
        {
            var dv = DInverse * ds1;
            dx = (dv.X - xMm * dv.Z) / v3;
            dy = (dv.Y - yMm * dv.Z) / v3;
        }

        /// <summary>Change of (X, Y) mm when the panel moves so that its material point at the hit moves by <paramref name="m"/>.</summary>
        public void MotionDerivative(Vec3 m, double xMm, double yMm, out double dx, out double dy)
        {
            var w = DInverse * m;
            dx = -(w.X - xMm * w.Z);
            dy = -(w.Y - yMm * w.Z);
        }
    }
}
