using System;
using XtalPS.Geometry;
using XtalPS.Lattices;

namespace XtalPS.Simulation
{
    /// <summary>
    /// A tilted 2D crystal for the planar simulator: the lattice on the pattern and the lattice-line heights follow
    /// the flat-Ewald-sphere geometry of <see cref="TiltGeometry"/> (same conventions: TLTAXIS from +x towards +y,
    /// TAXA from the tilt axis to a* in the crystal plane, z* = −d⊥·sin θ with θ signed here).
    /// </summary>
    public sealed class TiltedCrystalSettings
    {
        public TiltedCrystalSettings(ThinCrystalStructure structure) { Structure = structure ?? throw new ArgumentNullException(nameof(structure)); }

        public ThinCrystalStructure Structure { get; }
        public PlanarCell Cell => Structure.Cell;
        /// <summary>Signed tilt angle θ, degrees.</summary>
        public double TiltAngle { get; set; } = 30;
        /// <summary>TLTAXIS, degrees.</summary>
        public double TiltAxis { get; set; } = 20;
        /// <summary>TAXA, degrees.</summary>
        public double Taxa { get; set; } = 35;
        /// <summary>Camera constant λL/pixel, px·Å; NaN to take it from the detector and beam.</summary>
        public double CameraConstant { get; set; } = double.NaN;
        /// <summary>Draw the (0,0) reflection (the direct beam is usually blocked, so not by default).</summary>
        public bool DrawDirectBeam { get; set; }
        /// <summary>Intensities are multiplied by 1/cos²θ, as for a crystal larger than the beam (see TiltIntensityCorrection).</summary>
        public bool ApplyTiltIntensityFactor { get; set; } = true;

        /// <summary>The pattern basis a*, b* (px) for camera constant <paramref name="scale"/>.</summary>
        public (Vec2 A, Vec2 B) PatternBasis(double scale) => (Project(1, 0, scale), Project(0, 1, scale));

        /// <summary>Position (px, relative to the origin) of reflection (h, k) on the pattern.</summary>
        public Vec2 Project(double h, double k, double scale)
        {
            var (gPar, gPerp) = CrystalComponents(h, k);
            double phi = TiltAxis * Math.PI / 180, c = Math.Cos(TiltAngle * Math.PI / 180);
            var u = new Vec2(Math.Cos(phi), Math.Sin(phi)); var n = new Vec2(-u.Y, u.X);
            return scale * (gPar * u + gPerp / c * n);
        }

        /// <summary>z* sampled by reflection (h, k), 1/Å: −g⊥·tan θ = −d⊥·sin θ.</summary>
        public double ZStar(double h, double k) => -CrystalComponents(h, k).Perp * Math.Tan(TiltAngle * Math.PI / 180);

        /// <summary>Components of h·a* + k·b* along the tilt axis and across it, in the crystal plane (1/Å).</summary>
        private (double Par, double Perp) CrystalComponents(double h, double k)
        {
            var (ax, ay, bx, by) = Cell.ReciprocalBasis();
            double gx = h * ax + k * bx, gy = h * ay + k * by;
            // The axis lies at −TAXA from a* (which is along x in the crystal frame).
            double t = -Taxa * Math.PI / 180;
            double ux = Math.Cos(t), uy = Math.Sin(t);
            return (gx * ux + gy * uy, -gx * uy + gy * ux);
        }
    }
}
