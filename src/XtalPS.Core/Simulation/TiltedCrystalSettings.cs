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

        /// <summary>
        /// A B factor of this image only, Å² (the crystal's order and the specimen's motion differ from image to image): the
        /// drawn intensities are multiplied by exp(−B·s²/2), s = 1/d; the lattice-line truth is not.
        /// </summary>
        public double ImageBFactor { get; set; }
        /// <summary>Relative stretch of the pattern along <see cref="DistortionAxis"/> (the elliptical distortion of
        /// projector lenses, typically up to 1–2 %): positions p become p + δ·(d·p)·d. 0 for none.</summary>
        public double Distortion { get; set; }
        /// <summary>Direction of the stretch on the pattern, degrees from +x towards +y.</summary>
        public double DistortionAxis { get; set; }

        /// <summary>exp(−B·s²/2) of <see cref="ImageBFactor"/> for reflection (h, k).</summary>
        public double ImageFalloff(double h, double k)
        {
            if (ImageBFactor == 0) return 1;
            double g = Cell.PlanarReciprocalLength(h, k), z = ZStar(h, k);
            return Math.Exp(-ImageBFactor * (g * g + z * z) / 2);
        }

        /// <summary>The pattern basis a*, b* (px) for camera constant <paramref name="scale"/>.</summary>
        public (Vec2 A, Vec2 B) PatternBasis(double scale) => (Project(1, 0, scale), Project(0, 1, scale));

        /// <summary>Position (px, relative to the origin) of reflection (h, k) on the pattern.</summary>
        public Vec2 Project(double h, double k, double scale)
        {
            var (gPar, gPerp) = CrystalComponents(h, k);
            double phi = TiltAxis * Math.PI / 180, c = Math.Cos(TiltAngle * Math.PI / 180);
            var u = new Vec2(Math.Cos(phi), Math.Sin(phi)); var n = new Vec2(-u.Y, u.X);
            var p = scale * (gPar * u + gPerp / c * n);
            if (Distortion == 0) return p;
            double psi = DistortionAxis * Math.PI / 180;
            var d = new Vec2(Math.Cos(psi), Math.Sin(psi));
            return p + Distortion * d.Dot(p) * d;
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
