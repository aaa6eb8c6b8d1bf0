using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using MathNet.Numerics.IntegralTransforms;
using XtalPS.Geometry;

namespace XtalPS.Lattices
{
    /// <summary>
    /// Basis-vector search without a known cell by one-dimensional Fourier transforms (DPS: Steller, Bolotovsky &amp;
    /// Rossmann 1997, J Appl Cryst 30:1036; Sauter, Grosse-Kunstleve &amp; Adams 2004, J Appl Cryst 37:399). For each
    /// direction d̂ on a hemisphere the spots' reciprocal vectors are projected onto d̂ and histogrammed; when d̂ lies
    /// along a real-space lattice row of length L the projections bunch on planes 1/L apart, and the histogram's
    /// Fourier transform has a peak at frequency L. The strongest directions, with the length of their peak, are
    /// candidate real-space lattice vectors.
    /// </summary>
    internal static class FourierBasisSearch
    {
        /// <summary>Direction grid spacing, rad (DPS: at most 0.029, about 7500 directions on the hemisphere).</summary>
        public const double DefaultSpacing = 0.029;

        /// <summary>Shortest vector looked for, Å.</summary>
        public const double MinCell = 3.0;

        /// <summary>
        /// Longest cell edge to expect from the spots: 1.8 / (the 5th percentile of the spots' nearest-neighbour
        /// distances in reciprocal space), as DIALS estimates max_cell from neighbour distances; 20–1000 Å.
        /// </summary>
        public static double EstimateMaxCell(SpotObservations obs)
        {
            int n = obs.Count;
            if (n < 2) return 100;
            var nn = new double[n];
            for (int i = 0; i < n; i++)
            {
                double best = double.PositiveInfinity;
                var ri = obs.R[i];
                for (int j = 0; j < n; j++)
                {
                    if (j == i) continue;
                    double d2 = (obs.R[j] - ri).LengthSquared;
                    if (d2 < best && d2 > 1e-12) best = d2;
                }
                nn[i] = Math.Sqrt(best);
            }
            Array.Sort(nn);
            double p5 = nn[Math.Min(n - 1, n / 20)];
            return p5 > 0 && !double.IsInfinity(p5) ? Math.Max(20, Math.Min(1000, 1.8 / p5)) : 100;
        }

        /// <summary>
        /// Candidate real-space vectors (Å), best first: the peak of each direction's spectrum, the strongest
        /// directions at least 3 grid steps apart, each sharpened by least squares on its integer projections.
        /// </summary>
        public static List<(Vec3 V, double Score)> Search(SpotObservations obs, double maxCell, double spacing, int count)
        {
            // Spots used: lowest resolution first, those whose projections stay phase-coherent for a vector of maxCell
            // over half the grid spacing (L·|r|·δ ≤ 0.35), at least 40 and at most 200 of them.
            var order = Enumerable.Range(0, obs.Count).OrderBy(i => obs.Q[i]).ToArray();
            double qCut = 0.35 / (maxCell * spacing * 0.5);
            int m = order.TakeWhile(i => obs.Q[i] <= qCut).Count();
            m = Math.Min(order.Length, Math.Max(Math.Min(40, order.Length), Math.Min(m, 200)));
            var px = new double[m]; var py = new double[m]; var pz = new double[m];
            double qMax = 0;
            for (int j = 0; j < m; j++)
            {
                var r = obs.R[order[j]];
                px[j] = r.X; py[j] = r.Y; pz[j] = r.Z;
                qMax = Math.Max(qMax, r.Length);
            }
            // Histogram bins: Δp = 1/(4·maxCell) keeps frequency maxCell at a quarter of the sampling rate; N covers
            // [−qMax, qMax] at least twice over (zero padding interpolates the spectrum).
            double dp = 1.0 / (4 * maxCell);
            int n = 64;
            while (n * dp < 4 * qMax && n < 8192) n *= 2;
            double span = n * dp;                       // a frequency index k is the length L = k / span
            // A row shorter than 1.5/qMax gives fewer than two distinct integer projections over the spots used, and the
            // low frequencies belong to the envelope of the projections, not to a lattice.
            int kMin = Math.Max(2, (int)Math.Ceiling(Math.Max(MinCell, 1.5 / qMax) * span));
            int kMax = Math.Min(n / 2 - 2, (int)Math.Floor(maxCell * span) + 1);
            var directions = RealSpaceGridSearch.Hemisphere(spacing);
            var score = new double[directions.Length];
            var length = new double[directions.Length];
            var bins = new Complex[n]; var mag = new double[n / 2 + 1];
            for (int d = 0; d < directions.Length; d++)
            {
                var u = directions[d];
                Array.Clear(bins, 0, n);
                for (int j = 0; j < m; j++)
                {
                    // Linear (cloud-in-cell) binning, origin at bin n/2.
                    double t = (u.X * px[j] + u.Y * py[j] + u.Z * pz[j]) / dp + n / 2;
                    int b = (int)Math.Floor(t);
                    if (b < 0 || b >= n - 1) continue;
                    double f = t - b;
                    bins[b] += 1 - f; bins[b + 1] += f;
                }
                // X[k] = Σ x[j]·exp(−2πi·jk/N), unscaled (MathNet.Numerics' FFT with Matlab's conventions).
                Fourier.Forward(bins, FourierOptions.Matlab);
                for (int k = 0; k <= n / 2; k++) mag[k] = Math.Sqrt(bins[k].Real * bins[k].Real + bins[k].Imaginary * bins[k].Imaginary);
                int best = kMin;
                for (int k = kMin + 1; k <= kMax; k++) if (mag[k] > mag[best]) best = k;
                // A peak at k may be a harmonic of the row's fundamental at k/2, k/3, …: take the shortest divisor
                // whose peak is nearly as strong.
                for (int div = 4; div >= 2; div--)
                {
                    int kk = (int)Math.Round(best / (double)div);
                    if (kk < kMin) continue;
                    int loc = kk;
                    for (int k = Math.Max(kMin, kk - 1); k <= Math.Min(kMax, kk + 1); k++) if (mag[k] > mag[loc]) loc = k;
                    if (mag[loc] >= 0.8 * mag[best]) { best = loc; break; }
                }
                score[d] = mag[best] / m;
                length[d] = Interpolate(mag, best) / span;
            }
            var ranked = Enumerable.Range(0, directions.Length).OrderByDescending(i => score[i]).ToArray();
            var chosen = new List<(Vec3 V, double Score)>();
            double cosSep = Math.Cos(3 * spacing);
            foreach (int i in ranked)
            {
                if (chosen.Count >= count) break;
                var v = directions[i] * length[i];
                bool near = false;
                foreach (var c in chosen)
                {
                    var cu = c.V.Normalized();
                    if (Math.Abs(cu.Dot(directions[i])) > cosSep && Math.Abs(c.V.Length / v.Length - 1) < 0.1) { near = true; break; }
                }
                if (!near) chosen.Add((v, score[i]));
            }
            var refined = new List<(Vec3 V, double Score)>();
            foreach (var (v, s) in chosen)
            {
                var rv = RealSpaceGridSearch.Refine(obs, v, out _);
                if (!(rv.Length >= MinCell && rv.Length <= 1.5 * maxCell)) rv = v;
                refined.Add((rv, s));
            }
            return refined;
        }

        /// <summary>Peak position refined by a parabola through the magnitudes at k − 1, k, k + 1.</summary>
        private static double Interpolate(double[] mag, int k)
        {
            if (k <= 0 || k >= mag.Length - 1) return k;
            double a = mag[k - 1], b = mag[k], c = mag[k + 1];
            double den = a - 2 * b + c;
            if (!(den < 0)) return k;
            double off = 0.5 * (a - c) / den;
            return k + Math.Max(-0.5, Math.Min(0.5, off));
        }
    }
}
