using System;
using System.Collections.Generic;
using System.Linq;

namespace XtalPS.Metrology
{
    /// <summary>
    /// How far the centroid of a still's spot lies from its stills prediction, as a function of the reflection's Δψ, beyond
    /// what the centroid's own variance explains: a variance function estimated from the residuals (Carroll &amp; Ruppert
    /// 1988, Transformation and Weighting in Regression, ch. 3: bin the residuals by the covariate, take a robust variance
    /// per bin, and make it monotone). The stills model (Sauter et al. 2014) rotates each reciprocal-lattice point onto the
    /// Ewald sphere; a reflection far from the sphere is seen only through the few mosaic blocks, wavelengths and edges of
    /// its shape transform that reach it, so its centroid wanders off the prediction by an amount that grows with |Δψ|
    /// (on simulated CSPAD stills from 0.1 px at |Δψ| &lt; 0.4 mrad to 1 px beyond 3 mrad, while the spot finder's centroids
    /// sit 0.08 px from the noise-free ones). Weighting by the centroid variance alone lets the worst-predicted
    /// reflections pull the panels as hard as the best.
    /// </summary>
    /// <remarks>
    /// Measured on 20 simulated CSPAD stills (panel centres after removing the global rotation and shift): this additive model
    /// on top of the spot finder's variances (which carry 1/12 px² of pixel quantisation, so only reflections beyond about
    /// 1 mrad get extra variance) 0.083 px; a multiplicative model that lets the small-|Δψ| reflections dominate was worse
    /// (0.106 px with a mean-square scale per bin, 0.128 px with a median-based one).
    /// </remarks>
    public sealed class PredictionErrorModel
    {
        /// <summary>Fewest reflections per bin.</summary>
        public const int MinPerBin = 40;
        /// <summary>Largest number of bins.</summary>
        public const int MaxBins = 12;

        private readonly double[] _psi;
        private readonly double[] _variance;

        private PredictionErrorModel(double[] psi, double[] variance) { _psi = psi; _variance = variance; }

        /// <summary>No extra variance anywhere (weights from the centroid variances alone).</summary>
        public static PredictionErrorModel None { get; } = new PredictionErrorModel(new[] { 0.0 }, new[] { 0.0 });

        /// <summary>|Δψ| (rad) at the centre of each bin.</summary>
        public IReadOnlyList<double> DeltaPsi => _psi;
        /// <summary>Extra variance (px², per coordinate) at the centre of each bin, non-decreasing.</summary>
        public IReadOnlyList<double> Variance => _variance;

        /// <summary>Extra variance (px²) for a reflection with this Δψ: linear between bin centres, constant beyond the ends.</summary>
        public double At(double deltaPsi)
        {
            double a = Math.Abs(deltaPsi);
            if (double.IsNaN(a)) return _variance[_variance.Length - 1];
            if (a <= _psi[0]) return _variance[0];
            for (int i = 1; i < _psi.Length; i++)
                if (a <= _psi[i])
                {
                    double t = (a - _psi[i - 1]) / (_psi[i] - _psi[i - 1]);
                    return _variance[i - 1] + t * (_variance[i] - _variance[i - 1]);
                }
            return _variance[_variance.Length - 1];
        }

        /// <summary>
        /// Estimates the model from residuals of the reflections used: per quantile bin of |Δψ|, the robust variance of the
        /// x and y residuals (1.4826·MAD)² less the mean centroid variance of the bin (never below zero), then made
        /// non-decreasing in |Δψ| by pooling adjacent violators. With fewer than two bins' worth of reflections, <see cref="None"/>.
        /// </summary>
        /// <param name="deltaPsi">Δψ of each reflection, rad.</param>
        /// <param name="rx">Residual along fast, px.</param>
        /// <param name="ry">Residual along slow, px.</param>
        /// <param name="centroidVariance">Mean of the centroid's x and y variances, px².</param>
        public static PredictionErrorModel Estimate(IReadOnlyList<double> deltaPsi, IReadOnlyList<double> rx, IReadOnlyList<double> ry, IReadOnlyList<double> centroidVariance)
        {
            int n = deltaPsi.Count;
            if (rx.Count != n || ry.Count != n || centroidVariance.Count != n) throw new ArgumentException("the arrays differ in length.");
            var order = Enumerable.Range(0, n).Where(i => !double.IsNaN(deltaPsi[i]) && !double.IsNaN(rx[i]) && !double.IsNaN(ry[i]))
                .OrderBy(i => Math.Abs(deltaPsi[i])).ThenBy(i => i).ToArray();
            int bins = Math.Min(MaxBins, order.Length / MinPerBin);
            if (bins < 2) return None;
            var psi = new double[bins];
            var variance = new double[bins];
            var weight = new double[bins];
            for (int b = 0; b < bins; b++)
            {
                int lo = (int)((long)b * order.Length / bins), hi = (int)((long)(b + 1) * order.Length / bins);
                var idx = new ArraySegment<int>(order, lo, hi - lo);
                psi[b] = Median(idx.Select(i => Math.Abs(deltaPsi[i])));
                double sx = RobustSigma(idx.Select(i => rx[i])), sy = RobustSigma(idx.Select(i => ry[i]));
                double own = idx.Average(i => centroidVariance[i]);
                variance[b] = Math.Max(0, 0.5 * (sx * sx + sy * sy) - own);
                weight[b] = hi - lo;
            }
            Monotone(variance, weight);
            // Bin centres must increase strictly for the interpolation.
            for (int b = 1; b < bins; b++) if (psi[b] <= psi[b - 1]) psi[b] = psi[b - 1] + 1e-12;
            return new PredictionErrorModel(psi, variance);
        }

        /// <summary>Pool-adjacent-violators: the weighted least-squares non-decreasing fit, in place.</summary>
        internal static void Monotone(double[] v, double[] w)
        {
            int n = v.Length;
            var value = new double[n]; var wt = new double[n]; var count = new int[n];
            int top = 0;
            for (int i = 0; i < n; i++)
            {
                value[top] = v[i]; wt[top] = w[i]; count[top] = 1;
                while (top > 0 && value[top - 1] > value[top])
                {
                    double sw = wt[top - 1] + wt[top];
                    value[top - 1] = (value[top - 1] * wt[top - 1] + value[top] * wt[top]) / sw;
                    wt[top - 1] = sw; count[top - 1] += count[top];
                    top--;
                }
                top++;
            }
            int k = 0;
            for (int b = 0; b < top; b++) for (int j = 0; j < count[b]; j++) v[k++] = value[b];
        }

        private static double Median(IEnumerable<double> values)
        {
            var s = values.OrderBy(v => v).ToArray();
            return s.Length == 0 ? double.NaN : OutlierRejection.Quantile(s, 0.5);
        }

        /// <summary>1.4826 × the median absolute deviation from the median (σ of a normal sample, unmoved by outliers).</summary>
        private static double RobustSigma(IEnumerable<double> values)
        {
            var s = values.ToArray();
            double m = Median(s);
            return 1.4826 * Median(s.Select(v => Math.Abs(v - m)));
        }

        public override string ToString() => string.Join(", ",
            _psi.Select((p, i) => string.Format(System.Globalization.CultureInfo.InvariantCulture, "|Δψ| {0:0.00} mrad: {1:0.000} px", p * 1e3, Math.Sqrt(_variance[i]))));
    }
}
