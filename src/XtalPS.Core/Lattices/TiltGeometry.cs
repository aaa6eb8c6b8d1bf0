using System;
using System.Globalization;
using XtalPS.Geometry;

namespace XtalPS.Lattices
{
    /// <summary>
    /// How a 2D crystal was tilted when its diffraction pattern was recorded, in the 2dx/MRC terms (Henderson's
    /// conventions as 2dx documents them), with the flat-Ewald-sphere geometry of a tilted lattice:
    /// <list type="bullet">
    /// <item>TLTAXIS: angle of the tilt axis on the pattern, from +x towards +y (counter-clockwise when y points up, as
    /// in MRC images), folded into (−90°, 90°]. The axis direction u is the one with that angle.</item>
    /// <item>TLTANG: the tilt angle. One pattern gives only |θ|; the sign (with the hand of the crystal) is found when
    /// tilted images are merged, so <see cref="TiltAngle"/> is ≥ 0.</item>
    /// <item>TAXA: angle from the tilt axis to a* in the crystal's own plane (untilted frame, b* at γ* counter-clockwise from a*).</item>
    /// <item>TLTAXA: angle from the tilt axis to the a* seen on the pattern; for a right-handed pattern tan TLTAXA = tan TAXA / cos θ.</item>
    /// </list>
    /// Reflection (h,k) lies at d⊥ (1/Å) from the tilt axis along n = ẑ × u (u turned by +90°); it samples its lattice
    /// line at z* = −d⊥·sin θ (Amos, Henderson &amp; Unwin 1982, Prog. Biophys. Mol. Biol. 39, 183: the plane of a
    /// flat Ewald sphere cuts the lattice lines of a crystal tilted by θ; spacings across the axis grow by 1/cos θ).
    /// </summary>
    public sealed class TiltGeometry
    {
        private readonly TiltGeometry?[]? _perturbed;
        private readonly double[,]? _basisCovariance;
        private readonly double _step;

        internal TiltGeometry(PlanarCell cell, int[] transformation, Vec2 a, Vec2 b, double scale, double tiltAngle, Vec2 axis,
            double taxa, int hand, double nominalScale, TiltGeometry?[]? perturbed = null, double[,]? basisCovariance = null, double step = 0)
        {
            Cell = cell; Transformation = transformation; A = a; B = b; Scale = scale; TiltAngle = tiltAngle; Axis = axis;
            Taxa = taxa; Hand = hand; NominalScale = nominalScale; _perturbed = perturbed; _basisCovariance = basisCovariance; _step = step;
        }

        /// <summary>The untilted cell the pattern was compared with.</summary>
        public PlanarCell Cell { get; }
        /// <summary>
        /// Integer matrix [t11, t12, t21, t22] from the measured basis to the cell's: a* = t11·A + t12·B, b* = t21·A + t22·B,
        /// so measured indices (h, k) become (h, k)·T⁻¹.
        /// </summary>
        public int[] Transformation { get; }
        /// <summary>a* on the pattern, px (the measured basis brought to the cell's setting).</summary>
        public Vec2 A { get; }
        /// <summary>b* on the pattern, px.</summary>
        public Vec2 B { get; }
        /// <summary>Pixels per 1/Å on the pattern: the camera constant λL over the pixel size (px·Å), as fitted.</summary>
        public double Scale { get; }
        /// <summary>The camera constant expected from the detector distance, wavelength and pixel size (px·Å); NaN when unknown.</summary>
        public double NominalScale { get; }
        /// <summary>|θ|, degrees (TLTANG without its sign).</summary>
        public double TiltAngle { get; }
        /// <summary>Unit vector along the tilt axis on the pattern (x ≥ 0).</summary>
        public Vec2 Axis { get; }
        /// <summary>TLTAXIS, degrees in (−90, 90].</summary>
        public double TiltAxis => Math.Atan2(Axis.Y, Axis.X) * 180 / Math.PI;
        /// <summary>TAXA, degrees in (−180, 180].</summary>
        public double Taxa { get; }
        /// <summary>TLTAXA, degrees in (−180, 180].</summary>
        public double Tltaxa => Math.Atan2(Axis.Cross(A), Axis.Dot(A)) * 180 / Math.PI;
        /// <summary>+1 when b* lies counter-clockwise from a* on the pattern (as in the cell), −1 for a mirrored pattern.</summary>
        public int Hand { get; }
        /// <summary>Standard uncertainty of <see cref="TiltAngle"/>, degrees (NaN without a basis covariance).</summary>
        public double TiltAngleSigma => Sigma(g => g.TiltAngle);
        /// <summary>Standard uncertainty of <see cref="TiltAxis"/>, degrees.</summary>
        public double TiltAxisSigma => Sigma(g => Wrap180(g.TiltAxis - TiltAxis));
        /// <summary>Standard uncertainty of <see cref="Taxa"/>, degrees.</summary>
        public double TaxaSigma => Sigma(g => Wrap360(g.Taxa - Taxa));

        /// <summary>Indices in the cell's setting of a reflection indexed (h, k) on the measured lattice.</summary>
        public (int H, int K) ToCellIndices(int h, int k)
        {
            var t = Transformation;
            int det = t[0] * t[3] - t[1] * t[2];
            // (h', k') = (h, k)·T⁻¹ with T⁻¹ = adj(T)/det and det = ±1.
            return ((h * t[3] - k * t[2]) * det, (-h * t[1] + k * t[0]) * det);
        }

        /// <summary>Signed distance of (h, k) (cell setting) from the tilt axis on the pattern, along ẑ × u, 1/Å.</summary>
        public double PerpendicularDistance(double h, double k)
        {
            var p = h * A + k * B;
            return new Vec2(-Axis.Y, Axis.X).Dot(p) / Scale;
        }

        /// <summary>z* = −d⊥·sin|θ| of reflection (h, k) in the cell's setting, 1/Å.</summary>
        public double ZStar(double h, double k) => -PerpendicularDistance(h, k) * Math.Sin(TiltAngle * Math.PI / 180);

        /// <summary>Standard uncertainty of <see cref="ZStar"/> from the uncertainty of the measured basis, 1/Å.</summary>
        public double ZStarSigma(double h, double k) => Sigma(g => g.ZStar(h, k));

        /// <summary>Resolution of (h, k, z*) in the crystal frame, Å.</summary>
        public double Resolution(double h, double k)
        {
            double g = Cell.PlanarReciprocalLength(h, k), z = ZStar(h, k);
            return 1 / Math.Sqrt(g * g + z * z);
        }

        /// <summary>σ of f(geometry) from the four perturbed geometries (central differences) and the basis covariance.</summary>
        private double Sigma(Func<TiltGeometry, double> f)
        {
            if (_perturbed == null || _basisCovariance == null) return double.NaN;
            var j = new double[4];
            for (int p = 0; p < 4; p++)
            {
                var plus = _perturbed[2 * p]; var minus = _perturbed[2 * p + 1];
                if (plus == null || minus == null) return double.NaN;
                j[p] = (f(plus) - f(minus)) / (2 * _step);
            }
            double v = 0;
            for (int p = 0; p < 4; p++) for (int q = 0; q < 4; q++) v += j[p] * _basisCovariance[p, q] * j[q];
            return Math.Sqrt(Math.Max(0, v));
        }

        public static double Wrap180(double d) { d %= 180; if (d > 90) d -= 180; if (d <= -90) d += 180; return d; }
        public static double Wrap360(double d) { d %= 360; if (d > 180) d -= 360; if (d <= -180) d += 360; return d; }

        public override string ToString() => string.Format(CultureInfo.InvariantCulture,
            "TLTAXIS {0:0.00}° TLTANG ±{1:0.00}° TAXA {2:0.00}° TLTAXA {3:0.00}° scale {4:0.#} px·Å", TiltAxis, TiltAngle, Taxa, Tltaxa, Scale);
    }
}
