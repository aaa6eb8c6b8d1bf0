using System;
using System.Globalization;

namespace XtalPS.Merging
{
    /// <summary>
    /// The σ of a still observation: Evans 2011 (Acta Cryst. D67:282; Aimless, and cctbx.xfel's "ev11") inflates it to
    /// sdfac·√(σ² + (sdadd·Î)²), Î the model intensity of the observation; stills add one more term, because the
    /// correction for partiality is itself uncertain and more so the further the reflection is from the Ewald sphere:
    /// a relative error δ of the rlp width changes ln P by δ·u² (u² = −2 ln P), so the model intensity carries a
    /// relative error sdpart·u². In all: σ'² = sdfac²·(σ² + (sdadd² + (sdpart·u²)²)·Î²).
    /// </summary>
    /// <remarks>
    /// The three parameters are fitted on held-out deviations: each observation's corrected intensity is compared with
    /// the weighted mean of the <i>other</i> observations of its reflection, δ = (Î_i − ⟨I⟩₋ᵢ)/√(σ'ᵢ² + σ²(⟨I⟩₋ᵢ)),
    /// which has unit variance exactly when the σ' are right — the same quantity as the deviation of a merged value
    /// from the truth, and without the n/(n−1) approximations that weighted means break. sdadd and sdpart are chosen on
    /// a grid so that the variance of δ is flattest across bins of intensity and of partiality; sdfac then makes it 1.
    /// Finally sdfac is refitted in shells of equal count in 1/d² (and interpolated linearly between shell centres),
    /// because integration σ are not equally wrong at all resolutions: on simulated lysozyme stills the held-out
    /// variance with one sdfac still ran from 0.8 at 4 Å to 1.3 at 2 Å.
    /// </remarks>
    public sealed class ErrorModel
    {
        public ErrorModel(double sdfac, double sdadd, double sdpart = 0) { SdFac = sdfac; SdAdd = sdadd; SdPartiality = sdpart; }

        private double[] _shellInvD2 = Array.Empty<double>(), _shellFac = Array.Empty<double>();

        /// <summary>Centres (1/d², Å⁻²) of the resolution shells with their own sdfac (empty: one sdfac).</summary>
        public double[] ShellInvD2 => (double[])_shellInvD2.Clone();
        /// <summary>sdfac of each resolution shell.</summary>
        public double[] ShellSdFac => (double[])_shellFac.Clone();

        /// <summary>sdfac at resolution 1/d² = <paramref name="invD2"/>: linear between shell centres, constant beyond.</summary>
        public double SdFacAt(double invD2)
        {
            int n = _shellInvD2.Length;
            if (n == 0 || double.IsNaN(invD2)) return SdFac;
            if (invD2 <= _shellInvD2[0]) return _shellFac[0];
            for (int b = 1; b < n; b++)
                if (invD2 <= _shellInvD2[b])
                {
                    double t = (invD2 - _shellInvD2[b - 1]) / (_shellInvD2[b] - _shellInvD2[b - 1]);
                    return _shellFac[b - 1] + t * (_shellFac[b] - _shellFac[b - 1]);
                }
            return _shellFac[n - 1];
        }

        /// <summary>No inflation at all (the Monte-Carlo average).</summary>
        public static ErrorModel None => new ErrorModel(1, 0, 0);
        /// <summary>Before any fit: counting σ, and a 25 % relative uncertainty of the rlp width.</summary>
        public static ErrorModel Initial => new ErrorModel(1, 0, 0.25);
        public double SdFac { get; }
        public double SdAdd { get; }
        /// <summary>Relative uncertainty of the partiality correction per unit u² = −2 ln P.</summary>
        public double SdPartiality { get; }

        /// <summary>σ' of an observation of σ <paramref name="sigma"/> whose model intensity is <paramref name="model"/>
        /// (without the partiality term).</summary>
        public double Apply(double sigma, double model) => SdFac * Math.Sqrt(sigma * sigma + SdAdd * SdAdd * model * model);

        /// <summary>σ' of an observation recorded to the fraction <paramref name="partiality"/> at 1/d² = <paramref name="invD2"/>.</summary>
        public double Apply(double sigma, double model, double partiality, double invD2)
        {
            double u2 = -2 * Math.Log(Math.Min(1, Math.Max(partiality, 1e-12)));
            double rel = SdAdd * SdAdd + SdPartiality * SdPartiality * u2 * u2;
            return SdFacAt(invD2) * Math.Sqrt(sigma * sigma + rel * model * model);
        }

        /// <summary>
        /// Fits the model to held-out deviations. Observations come grouped by reflection: group g holds the entries
        /// <paramref name="start"/>[g] to <paramref name="start"/>[g+1]−1. For entry j, <paramref name="value"/>[j] is the
        /// corrected intensity I/x, <paramref name="sigma"/>[j] the counting σ over x, <paramref name="mean"/>[j] the
        /// reflection's mean corrected intensity (the model, Î/x) and <paramref name="u2"/>[j] = −2 ln P.
        /// </summary>
        public static ErrorModel Fit(int[] start, int groups, double[] value, double[] sigma, double[] mean, double[] u2, double[]? invD2 = null)
        {
            int count = start[groups];
            if (count < 50) return Initial;
            const int bins = 10;
            var intensityBin = RankBins(mean, count, bins, abs: true);
            var partialityBin = RankBins(u2, count, bins, abs: false);
            double bestScore = double.PositiveInfinity, bestFac = 1, bestAdd = 0, bestPart = Initial.SdPartiality;
            var d2 = new double[count];
            var ok = new bool[count];
            double[] parts = { 0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0 };
            for (int step = 0; step <= 30; step++)
            {
                double add = step * 0.01;
                foreach (double part in parts)
                {
                    if (!HeldOut(start, groups, value, sigma, mean, u2, add, part, d2, ok)) continue;
                    // sdfac² from the mean δ², then again without the gross outliers (beyond 6σ').
                    double all = 0; int used = 0;
                    for (int j = 0; j < count; j++) if (ok[j] && d2[j] < 1e4) { all += d2[j]; used++; }
                    if (used < 50) continue;
                    double fac2 = all / used;
                    all = 0; used = 0;
                    for (int j = 0; j < count; j++) if (ok[j] && d2[j] < 36 * fac2) { all += d2[j]; used++; }
                    if (used < 50) continue;
                    fac2 = all / used;
                    double score = Flatness(d2, ok, intensityBin, bins, fac2, count) + Flatness(d2, ok, partialityBin, bins, fac2, count);
                    if (score < bestScore) { bestScore = score; bestFac = Math.Sqrt(fac2); bestAdd = add; bestPart = part; }
                }
            }
            var model = new ErrorModel(bestFac, bestAdd, bestPart);
            if (invD2 != null && HeldOut(start, groups, value, sigma, mean, u2, bestAdd, bestPart, d2, ok)) model.FitShells(d2, ok, invD2, count, bestFac * bestFac);
            return model;
        }

        /// <summary>sdfac per shell of equal count in 1/d² (at least 200 deviations per shell, at most 8 shells), from the
        /// mean δ² without the gross outliers.</summary>
        private void FitShells(double[] d2, bool[] ok, double[] invD2, int count, double fac2)
        {
            int used = 0;
            for (int j = 0; j < count; j++) if (ok[j] && d2[j] < 36 * fac2) used++;
            int shells = Math.Min(8, used / 200);
            if (shells < 2) return;
            var keys = new double[used]; var vals = new double[used]; int m = 0;
            for (int j = 0; j < count; j++) if (ok[j] && d2[j] < 36 * fac2) { keys[m] = invD2[j]; vals[m] = d2[j]; m++; }
            Array.Sort(keys, vals);
            _shellInvD2 = new double[shells]; _shellFac = new double[shells];
            for (int b = 0; b < shells; b++)
            {
                int lo = (int)((long)b * used / shells), hi = (int)((long)(b + 1) * used / shells);
                double sk = 0, sv = 0;
                for (int j = lo; j < hi; j++) { sk += keys[j]; sv += vals[j]; }
                _shellInvD2[b] = sk / (hi - lo); _shellFac[b] = Math.Sqrt(sv / (hi - lo));
            }
        }

        /// <summary>δ² of every entry for sdfac = 1 and the given sdadd, sdpart; false when no reflection has two entries.</summary>
        private static bool HeldOut(int[] start, int groups, double[] value, double[] sigma, double[] mean, double[] u2, double add, double part,
            double[] d2, bool[] ok)
        {
            bool any = false;
            for (int g = 0; g < groups; g++)
            {
                int a = start[g], b = start[g + 1];
                double sw = 0, swv = 0;
                for (int j = a; j < b; j++)
                {
                    double v = Variance(sigma[j], mean[j], u2[j], add, part);
                    sw += 1 / v; swv += value[j] / v;
                }
                for (int j = a; j < b; j++)
                {
                    double v = Variance(sigma[j], mean[j], u2[j], add, part);
                    double w = sw - 1 / v;
                    ok[j] = b - a >= 2 && w > 1e-300;
                    if (!ok[j]) continue;
                    double other = (swv - value[j] / v) / w;
                    double dev = value[j] - other;
                    d2[j] = dev * dev / (v + 1 / w);
                    any = true;
                }
            }
            return any;
        }

        private static double Variance(double sigma, double mean, double u2, double add, double part)
        {
            double rel = add * add + part * part * u2 * u2;
            return sigma * sigma + rel * mean * mean;
        }

        private static double Flatness(double[] d2, bool[] ok, int[] bin, int bins, double fac2, int count)
        {
            var s = new double[bins]; var n = new int[bins];
            for (int j = 0; j < count; j++)
            {
                if (!ok[j] || !(d2[j] < 36 * fac2)) continue;
                s[bin[j]] += d2[j]; n[bin[j]]++;
            }
            double score = 0;
            for (int b = 0; b < bins; b++)
                if (n[b] > 0) { double m = s[b] / n[b] / fac2 - 1; score += n[b] * m * m; }
            return score;
        }

        private static int[] RankBins(double[] key, int count, int bins, bool abs)
        {
            var keys = new double[count]; var idx = new int[count];
            for (int j = 0; j < count; j++) { keys[j] = abs ? Math.Abs(key[j]) : key[j]; idx[j] = j; }
            Array.Sort(keys, idx);
            var bin = new int[count];
            for (int r = 0; r < count; r++) bin[idx[r]] = r * bins / count;
            return bin;
        }

        public override string ToString()
        {
            string text = string.Format(CultureInfo.InvariantCulture, "sdfac {0:0.###} sdadd {1:0.###} sdpart {2:0.###}", SdFac, SdAdd, SdPartiality);
            if (_shellFac.Length == 0) return text;
            var parts = new string[_shellFac.Length];
            for (int b = 0; b < parts.Length; b++) parts[b] = string.Format(CultureInfo.InvariantCulture, "{0:0.00} Å {1:0.###}", 1 / Math.Sqrt(_shellInvD2[b]), _shellFac[b]);
            return text + " (by resolution: " + string.Join(", ", parts) + ")";
        }
    }
}
