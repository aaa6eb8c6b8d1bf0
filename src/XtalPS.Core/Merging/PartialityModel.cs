using System;
using XtalPS.Geometry;

namespace XtalPS.Merging
{
    /// <summary>
    /// How much of a reflection one still records. The reciprocal-lattice point is a Gaussian of width σ_h in
    /// fractional Miller-index units (a mosaic block of about 0.4/σ_h cells per edge, the same width along a*, b*, c*
    /// in index space, so anisotropic in Å⁻¹ when the cell is), further spread by the angular spread η of the blocks,
    /// and a still samples it where the Ewald sphere passes: at the excitation error ε = |s0 + A·h| − |s0| along the
    /// sphere normal n̂. Locally the sphere is a plane, so what it records is the marginal of the point along n̂: a
    /// Gaussian in ε of width w with w² = (σ_h·|Aᵀn̂|)² + (η·|r|)² (the index-space covariance σ_h²·I becomes
    /// σ_h²·A·Aᵀ in Å⁻¹; a block turned by η moves the point by about η·|r|). The recorded fraction is
    /// exp(−ε²/(2w²)) and the density on the sphere scales with 1/w; with g = 1/|Aᵀn̂| (Å) the factor σ_h/(w·∛V) is g/∛V
    /// when η = 0 and stays near 1 (the rest goes into the scale G).
    /// </summary>
    /// <remarks>
    /// The Gaussian excitation-error profile is that of White et al. 2016 (J. Appl. Cryst. 49:680, CrystFEL
    /// partialator's "xsphere"/"gaussian" models) and Kabsch 2014 (Acta Cryst. D70:2204); Sauter et al. 2014/2015 and
    /// Uervirojnangkoorn et al. 2015 (PRIME) use a Lorentzian of ε with an rlp radius, and PRIME adds a mosaic term that
    /// grows with d*. XtalPS chose this form from a measurement against the simulator's noise-free recorded intensities
    /// with the true orientations (20 lysozyme stills, reflections above 20 photons, width and η fitted per still): the
    /// RMS of ln(I_recorded/(P·|F|²)) is 0.38 when the width scales with |A⁻¹n̂| (the earlier model), 0.36 with |Aᵀn̂|
    /// and 0.25 with |Aᵀn̂| and the η·|r| term; the part of that residual shared by all observations of a reflection
    /// (which merging cannot average away, and half-set comparisons cannot see) falls from 0.020 to 0.010 in ln².
    /// </remarks>
    public static class PartialityModel
    {
        /// <summary>Excitation error ε (Å⁻¹) and g = 1/|Aᵀ·n̂| (Å) of reflection h under setting matrix A (1/Å) and beam s0:
        /// σ_h/g is the width of the rlp along the sphere normal. <paramref name="aInverse"/> is not needed any more and is
        /// kept for the callers.</summary>
        public static void Geometry(in Mat3 a, in Mat3 aInverse, Vec3 s0, int h, int k, int l, out double excitationError, out double g)
        {
            double rx = a.M11 * h + a.M12 * k + a.M13 * l + s0.X;
            double ry = a.M21 * h + a.M22 * k + a.M23 * l + s0.Y;
            double rz = a.M31 * h + a.M32 * k + a.M33 * l + s0.Z;
            double len = Math.Sqrt(rx * rx + ry * ry + rz * rz);
            excitationError = len - s0.Length;
            double nx = rx / len, ny = ry / len, nz = rz / len;
            // Aᵀ·n̂: the projections of a*, b*, c* (the columns of A) on the normal.
            double gx = a.M11 * nx + a.M21 * ny + a.M31 * nz;
            double gy = a.M12 * nx + a.M22 * ny + a.M32 * nz;
            double gz = a.M13 * nx + a.M23 * ny + a.M33 * nz;
            g = 1 / Math.Sqrt(gx * gx + gy * gy + gz * gz);
        }

        /// <summary>The recorded fraction exp(−(ε·g)²/(2σ_h²)), between 0 and 1, of a point with no angular spread.</summary>
        public static double Fraction(double excitationError, double g, double rlpWidth)
        {
            double u = excitationError * g / rlpWidth;
            return Math.Exp(-0.5 * u * u);
        }

        /// <summary>The recorded fraction exp(−ε²/(2w²)) with w² = (σ_h/g)² + η²·(1/d²).</summary>
        public static double Fraction(double excitationError, double g, double rlpWidth, double mosaicity, double invD2)
        {
            double w = rlpWidth / g;
            double w2 = w * w + mosaicity * mosaicity * invD2;
            return Math.Exp(-0.5 * excitationError * excitationError / w2);
        }

        /// <summary>The density factor σ_h/(w·∛V) (g/∛V when η = 0).</summary>
        public static double Density(double g, double rlpWidth, double mosaicity, double invD2, double cubeRootVolume)
        {
            double w = rlpWidth / g;
            return rlpWidth / (Math.Sqrt(w * w + mosaicity * mosaicity * invD2) * cubeRootVolume);
        }

        /// <summary>The whole factor applied to the full intensity with no angular spread: fraction × g/∛V.</summary>
        public static double Factor(double excitationError, double g, double rlpWidth, double cubeRootVolume) =>
            Fraction(excitationError, g, rlpWidth) * g / cubeRootVolume;

        /// <summary>The whole factor applied to the full intensity: fraction × density.</summary>
        public static double Factor(double excitationError, double g, double rlpWidth, double mosaicity, double invD2, double cubeRootVolume) =>
            Fraction(excitationError, g, rlpWidth, mosaicity, invD2) * Density(g, rlpWidth, mosaicity, invD2, cubeRootVolume);

        /// <summary>∛V of the cell of setting matrix A (Å).</summary>
        public static double CubeRootVolume(in Mat3 a) => Math.Pow(1 / Math.Abs(a.Determinant), 1.0 / 3);

        /// <summary>A first σ_h for a lattice from its own reflections: the intensity-weighted RMS of ε·g over the
        /// reflections with I/σ above 2 (for a Gaussian point sampled evenly across the prediction window this is σ_h).</summary>
        public static double InitialWidth(ObservationStore obs, int first, int count, in Mat3 a, Vec3 s0)
        {
            var inv = a.Inverse();
            double sw = 0, s2 = 0;
            for (int i = first; i < first + count; i++)
            {
                double I = obs.Intensity[i], sigma = obs.Sigma[i];
                if (!(sigma > 0) || !(I > 2 * sigma)) continue;
                Geometry(a, inv, s0, obs.H[i], obs.K[i], obs.L[i], out double eps, out double g);
                double u = eps * g;
                sw += I; s2 += I * u * u;
            }
            double w = sw > 0 ? Math.Sqrt(s2 / sw) : double.NaN;
            return w > 0 ? Math.Min(Math.Max(w, MinWidth), MaxWidth) : DefaultWidth;
        }

        /// <summary>Limits of σ_h (index units): 0.002 is a block of ~200 cells, 0.3 one of ~1.5 cells.</summary>
        public const double MinWidth = 0.002, MaxWidth = 0.3, DefaultWidth = 0.03;

        /// <summary>Starting angular spread η (rad, ≈ 0.01°) for post-refinement; it is refined per lattice between
        /// <see cref="MinMosaicity"/> (no spread) and <see cref="MaxMosaicity"/> (≈ 0.6°).</summary>
        public const double InitialMosaicity = 2e-4, MinMosaicity = 1e-6, MaxMosaicity = 0.01;
    }
}
