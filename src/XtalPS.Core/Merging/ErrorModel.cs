using System;
using System.Globalization;

namespace XtalPS.Merging
{
    /// <summary>
    /// Evans 2011 (Acta Cryst. D67:282; Aimless, and cctbx.xfel's "ev11"): the σ of an observation is inflated to
    /// σ' = sdfac·√(σ² + (sdadd·Î)²), Î the model intensity of the observation, with sdfac and sdadd chosen so that the
    /// normalised deviations δ = (I − ⟨I⟩)/σ' of observations from the mean of their reflection have unit variance
    /// at every intensity. XtalPS fits sdadd on a grid and sdfac in closed form per candidate, keeping the pair whose
    /// variance of δ is flattest across intensity bins.
    /// </summary>
    public sealed class ErrorModel
    {
        public ErrorModel(double sdfac, double sdadd) { SdFac = sdfac; SdAdd = sdadd; }

        public static ErrorModel None => new ErrorModel(1, 0);
        public double SdFac { get; }
        public double SdAdd { get; }

        /// <summary>σ' of an observation of σ <paramref name="sigma"/> whose model intensity is <paramref name="model"/>.</summary>
        public double Apply(double sigma, double model) => SdFac * Math.Sqrt(sigma * sigma + SdAdd * SdAdd * model * model);

        /// <summary>Fits the model to deviations: for observation j, <paramref name="residual"/>[j] = I − Î (scaled to the
        /// observation), <paramref name="sigma"/>[j] its σ, <paramref name="model"/>[j] = Î, <paramref name="inflation"/>[j] = n/(n−1)
        /// for a reflection of n observations (the mean includes the observation itself).</summary>
        public static ErrorModel Fit(double[] residual, double[] sigma, double[] model, double[] inflation, int count)
        {
            if (count < 50) return None;
            const int bins = 10;
            // Intensity bins by rank of the model intensity.
            var keys = new double[count]; var idx = new int[count];
            for (int j = 0; j < count; j++) { keys[j] = model[j]; idx[j] = j; }
            Array.Sort(keys, idx);
            var bin = new int[count];
            for (int r = 0; r < count; r++) bin[idx[r]] = r * bins / count;
            double bestScore = double.PositiveInfinity, bestFac = 1, bestAdd = 0;
            for (int step = 0; step <= 40; step++)
            {
                double add = step * 0.01;
                var s = new double[bins]; var n = new int[bins];
                double all = 0; int used = 0;
                for (int j = 0; j < count; j++)
                {
                    double v = sigma[j] * sigma[j] + add * add * model[j] * model[j];
                    double d2 = residual[j] * residual[j] * inflation[j] / v;
                    if (!(d2 < 100)) continue;   // gross outliers do not set the model
                    s[bin[j]] += d2; n[bin[j]]++; all += d2; used++;
                }
                if (used < 50) continue;
                double fac2 = all / used;
                double score = 0;
                for (int b = 0; b < bins; b++)
                    if (n[b] > 0) { double m = s[b] / n[b] / fac2 - 1; score += n[b] * m * m; }
                if (score < bestScore) { bestScore = score; bestFac = Math.Sqrt(fac2); bestAdd = add; }
            }
            return new ErrorModel(bestFac, bestAdd);
        }

        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "sdfac {0:0.###} sdadd {1:0.###}", SdFac, SdAdd);
    }
}
