using System;
using System.Collections.Generic;
using System.Linq;

namespace XtalPS.Metrology
{
    /// <summary>
    /// Tukey's fences for metrology (as DIALS's <c>outlier.algorithm=tukey</c>, applied per panel for
    /// multi-panel detectors, and cctbx.xfel's image rejection between levels): a value is an outlier when it
    /// lies outside [Q1 − k·IQR, Q3 + k·IQR].
    /// </summary>
    public static class OutlierRejection
    {
        /// <summary>Fewest reflections on a panel for its own fences; sparser panels use the fences of all reflections.</summary>
        public const int MinPerPanel = 10;

        /// <summary>The lower and upper Tukey fences of a sample (linear-interpolated quartiles).</summary>
        public static (double Lower, double Upper) Fences(IReadOnlyList<double> values, double multiplier = 1.5)
        {
            if (values.Count == 0) return (double.NegativeInfinity, double.PositiveInfinity);
            var sorted = values.Where(v => !double.IsNaN(v)).OrderBy(v => v).ToArray();
            if (sorted.Length == 0) return (double.NegativeInfinity, double.PositiveInfinity);
            double q1 = Quantile(sorted, 0.25), q3 = Quantile(sorted, 0.75), iqr = q3 - q1;
            return (q1 - multiplier * iqr, q3 + multiplier * iqr);
        }

        internal static double Quantile(double[] sorted, double p)
        {
            if (sorted.Length == 1) return sorted[0];
            double h = (sorted.Length - 1) * p;
            int lo = (int)Math.Floor(h);
            int hi = Math.Min(lo + 1, sorted.Length - 1);
            return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
        }

        public static double Median(IReadOnlyList<double> values)
        {
            var sorted = values.Where(v => !double.IsNaN(v)).OrderBy(v => v).ToArray();
            return sorted.Length == 0 ? double.NaN : Quantile(sorted, 0.5);
        }

        /// <summary>
        /// Marks outliers among residuals grouped by panel. A reflection is rejected when any component lies outside
        /// its panel's fences (all reflections' fences when the panel has fewer than <see cref="MinPerPanel"/>) and
        /// also more than three of its own standard deviations from the median, so that an almost perfect fit does
        /// not throw away good reflections for being a hair off.
        /// </summary>
        /// <param name="panel">Panel of each reflection.</param>
        /// <param name="residuals">One array per residual component (x, y, Δψ…), the same length as <paramref name="panel"/>.</param>
        /// <param name="sigmas">Standard deviation of each residual (same shape), or null.</param>
        /// <param name="multiplier">IQR multiplier k (1.5).</param>
        /// <returns>True for each outlier.</returns>
        public static bool[] TukeyPerPanel(IReadOnlyList<int> panel, IReadOnlyList<double[]> residuals, IReadOnlyList<double[]>? sigmas, double multiplier = 1.5)
        {
            int n = panel.Count;
            var outlier = new bool[n];
            if (n == 0) return outlier;
            var byPanel = Enumerable.Range(0, n).GroupBy(i => panel[i]).ToArray();
            for (int comp = 0; comp < residuals.Count; comp++)
            {
                var r = residuals[comp];
                var s = sigmas?[comp];
                var global = Fences(r, multiplier);
                double globalMedian = Median(r);
                foreach (var group in byPanel)
                {
                    var idx = group.ToArray();
                    var (lo, hi) = global;
                    double median = globalMedian;
                    if (idx.Length >= MinPerPanel)
                    {
                        var values = idx.Select(i => r[i]).ToArray();
                        (lo, hi) = Fences(values, multiplier);
                        median = Median(values);
                    }
                    foreach (var i in idx)
                    {
                        double v = r[i];
                        if (double.IsNaN(v)) { outlier[i] = true; continue; }
                        if (v >= lo && v <= hi) continue;
                        if (s != null && Math.Abs(v - median) <= 3 * s[i]) continue;
                        outlier[i] = true;
                    }
                }
            }
            return outlier;
        }

        /// <summary>Images whose RMSD lies above the upper Tukey fence of all images' RMSDs (needs at least four images).</summary>
        public static bool[] OutlierImages(IReadOnlyList<double> rmsd, double multiplier = 1.5)
        {
            var outlier = new bool[rmsd.Count];
            var valid = rmsd.Where(v => !double.IsNaN(v)).ToArray();
            if (valid.Length < 4) return outlier;
            var (_, upper) = Fences(valid, multiplier);
            for (int i = 0; i < rmsd.Count; i++) outlier[i] = !double.IsNaN(rmsd[i]) && rmsd[i] > upper;
            return outlier;
        }
    }
}
