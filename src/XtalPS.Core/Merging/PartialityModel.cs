using System;
using XtalPS.Geometry;

namespace XtalPS.Merging
{
    /// <summary>
    /// How much of a reflection one still records. The reciprocal-lattice point is a Gaussian of width σ_h in
    /// fractional Miller-index units (a mosaic block of about 0.4/σ_h cells per edge, the same width along a*, b*, c*
    /// in index space, so anisotropic in Å⁻¹ when the cell is), and a still samples it where the Ewald sphere passes:
    /// at the excitation error ε = |s0 + A·h| − |s0| along the sphere normal n̂. The recorded fraction is then
    /// exp(−(ε·g)²/(2σ_h²)) with g = |A⁻¹·n̂| (index units per Å⁻¹ along n̂), and the density on the sphere scales
    /// with g (a thin point is recorded brighter); the factor g/∛V keeps that near 1 (the rest goes into the scale G).
    /// </summary>
    /// <remarks>
    /// The Gaussian excitation-error profile is that of White et al. 2016 (J. Appl. Cryst. 49:680, CrystFEL
    /// partialator's "xsphere"/"gaussian" models) and Kabsch 2014 (Acta Cryst. D70:2204); Sauter et al. 2014/2015 and
    /// Uervirojnangkoorn et al. 2015 (PRIME) use a Lorentzian of ε with an rlp radius. XtalPS chose the anisotropic
    /// Gaussian from a measurement: on simulated lysozyme stills the SD of log(I_recorded/|F|²) after the model was
    /// 0.52–0.75 with it, against 0.95–1.17 for an isotropic width in Å⁻¹, and adding a mosaic or bandwidth term that
    /// grows with d* made it worse (0.74–1.25).
    /// </remarks>
    public static class PartialityModel
    {
        /// <summary>Excitation error ε (Å⁻¹) and g = |A⁻¹·n̂| of reflection h under setting matrix A (1/Å) and beam s0.</summary>
        public static void Geometry(in Mat3 a, in Mat3 aInverse, Vec3 s0, int h, int k, int l, out double excitationError, out double g)
        {
            double rx = a.M11 * h + a.M12 * k + a.M13 * l + s0.X;
            double ry = a.M21 * h + a.M22 * k + a.M23 * l + s0.Y;
            double rz = a.M31 * h + a.M32 * k + a.M33 * l + s0.Z;
            double len = Math.Sqrt(rx * rx + ry * ry + rz * rz);
            excitationError = len - s0.Length;
            double nx = rx / len, ny = ry / len, nz = rz / len;
            double gx = aInverse.M11 * nx + aInverse.M12 * ny + aInverse.M13 * nz;
            double gy = aInverse.M21 * nx + aInverse.M22 * ny + aInverse.M23 * nz;
            double gz = aInverse.M31 * nx + aInverse.M32 * ny + aInverse.M33 * nz;
            g = Math.Sqrt(gx * gx + gy * gy + gz * gz);
        }

        /// <summary>The recorded fraction exp(−(ε·g)²/(2σ_h²)), between 0 and 1.</summary>
        public static double Fraction(double excitationError, double g, double rlpWidth)
        {
            double u = excitationError * g / rlpWidth;
            return Math.Exp(-0.5 * u * u);
        }

        /// <summary>The whole factor applied to the full intensity: fraction × g/∛V.</summary>
        public static double Factor(double excitationError, double g, double rlpWidth, double cubeRootVolume) =>
            Fraction(excitationError, g, rlpWidth) * g / cubeRootVolume;

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
    }
}
