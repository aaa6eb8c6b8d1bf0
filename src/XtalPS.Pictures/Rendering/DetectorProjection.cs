using System;
using System.Linq;
using XtalPS.Geometry;

namespace XtalPS.Pictures
{
    /// <summary>
    /// The picture plane: every point of the detector is projected from the sample onto the plane perpendicular to the
    /// beam at the detector distance, seen from the sample with +y up, so the direct beam is at (0, 0), resolution rings
    /// are circles of radius D·tan 2θ, and a flat detector facing the beam keeps its lab x and y in mm (the view of
    /// dials.image_viewer for a single panel: fast axis to the right, slow axis down).
    /// </summary>
    internal sealed class DetectorProjection
    {
        public DetectorProjection(DetectorModel detector, Beam beam)
        {
            Detector = detector;
            Beam = beam;
            Downstream = (-beam.Direction).Normalized();
            var x = Vec3.UnitX - Downstream * Vec3.UnitX.Dot(Downstream);
            if (x.Length < 1e-6) x = Vec3.UnitY - Downstream * Vec3.UnitY.Dot(Downstream);
            Right = x.Normalized();
            Up = Right.Cross(Downstream).Normalized();
            double sum = 0; int n = 0;
            foreach (var p in detector.Panels)
            {
                double along = p.Centre.Dot(Downstream);
                if (along > 0) { sum += along; n++; }
            }
            Distance = n > 0 ? sum / n : detector.Distance;
        }

        public DetectorModel Detector { get; }
        public Beam Beam { get; }
        /// <summary>Unit vector along the beam, away from the source.</summary>
        public Vec3 Downstream { get; }
        /// <summary>Picture +x in the lab.</summary>
        public Vec3 Right { get; }
        /// <summary>Picture +y in the lab.</summary>
        public Vec3 Up { get; }
        /// <summary>Distance of the picture plane from the sample, mm: the mean distance of the panel centres along the beam.</summary>
        public double Distance { get; }

        /// <summary>Picture coordinates (mm) of a lab point; false when the point is not downstream of the sample.</summary>
        public bool TryProject(Vec3 lab, out double u, out double v)
        {
            double along = lab.Dot(Downstream);
            if (!(along > 1e-9)) { u = v = double.NaN; return false; }
            double t = Distance / along;
            u = t * lab.Dot(Right);
            v = t * lab.Dot(Up);
            return true;
        }

        /// <summary>Picture coordinates of pixel (x, y) of a panel.</summary>
        public bool TryProject(int panel, double x, double y, out double u, out double v) =>
            TryProject(Detector.Panels[panel].PixelToLab(x, y), out u, out v);

        /// <summary>The lab point of picture coordinates (u, v) on the picture plane.</summary>
        public Vec3 Unproject(double u, double v) => Downstream * Distance + Right * u + Up * v;

        /// <summary>Radius (mm) of the ring of resolution d (Å); NaN beyond the reach of the wavelength.</summary>
        public double RingRadius(double d)
        {
            double s = Beam.Wavelength / (2 * d);
            if (!(s < 1)) return double.NaN;
            double twoTheta = 2 * Math.Asin(s);
            return twoTheta >= Math.PI / 2 ? double.NaN : Distance * Math.Tan(twoTheta);
        }

        /// <summary>Resolution (Å) at picture radius r (mm).</summary>
        public double ResolutionAt(double radius)
        {
            double twoTheta = Math.Atan2(radius, Distance);
            return twoTheta > 0 ? Beam.Wavelength / (2 * Math.Sin(twoTheta / 2)) : double.PositiveInfinity;
        }

        /// <summary>The picture-plane bounding box of every panel (or of one): x min, y min, x max, y max.</summary>
        public double[] Bounds(int? panel = null)
        {
            double u0 = double.MaxValue, v0 = double.MaxValue, u1 = double.MinValue, v1 = double.MinValue;
            var panels = panel.HasValue ? new[] { panel.Value } : Enumerable.Range(0, Detector.PanelCount);
            foreach (int p in panels)
                foreach (var c in Detector.Panels[p].Corners())
                    if (TryProject(c, out double u, out double v))
                    {
                        u0 = Math.Min(u0, u); u1 = Math.Max(u1, u); v0 = Math.Min(v0, v); v1 = Math.Max(v1, v);
                    }
            if (u0 > u1) throw new PictureException(PictureException.EmptyRegionId, "No panel of the detector faces the sample.");
            return new[] { u0, v0, u1, v1 };
        }
    }
}
