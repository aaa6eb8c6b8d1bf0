using System;
using System.Collections.Generic;
using System.Threading.Tasks;

namespace XtalPS.Merging
{
    /// <summary>
    /// ΔCC½ of every lattice (Assmann, Brehm &amp; Diederichs 2016, J. Appl. Cryst. 49:1021): how much CC½ of the merged
    /// data drops when the lattice is left out, ΔCC½ = CC½(all) − CC½(all but this lattice). A lattice that agrees with
    /// the others raises CC½ (ΔCC½ &gt; 0); one that disagrees — wrong indexing, a bad scale, a damaged crystal — lowers it.
    /// </summary>
    /// <remarks>
    /// CC½ comes from the σ-τ form of the same paper instead of from a random split, so leaving one lattice out changes
    /// it smoothly and never by the luck of a split: with, per reflection seen at least twice, the mean m of its
    /// observations and the variance of that mean v = s²/n, CC½ = (var(m) − ⟨v⟩)/(var(m) + ⟨v⟩) (the signal variance over
    /// the signal plus the error of a half-set mean, 2⟨v⟩). The corrected intensities are divided by the mean intensity of
    /// their resolution bin first, so every resolution counts and not only the strong low-resolution reflections. Leaving
    /// a lattice out only changes the sums of the reflections it observed, so all lattices together cost one pass over
    /// the observations.
    /// </remarks>
    public static class DeltaCCHalf
    {
        private const int Bins = 10;

        /// <summary>ΔCC½ per lattice (NaN for rejected lattices and those without a reflection seen by another lattice).
        /// <paramref name="good"/> says whether an observation is used; <paramref name="corrected"/> gives its corrected
        /// intensity I/x (NaN when it has none).</summary>
        public static double[] Compute(ObservationStore obs, LatticeTable lattices, ReflectionIndex index, Func<int, bool> good, Func<int, double> corrected,
            ParallelOptions parallel)
        {
            var result = new double[lattices.Count];
            for (int lat = 0; lat < result.Length; lat++) result[lat] = double.NaN;
            // Normalised value of every usable observation (NaN otherwise), by resolution bin of 1/d².
            var value = new double[obs.Count];
            double maxInvD2 = 0;
            for (int i = 0; i < obs.Count; i++)
            {
                double y = good(i) ? corrected(i) : double.NaN;
                value[i] = y;
                if (!double.IsNaN(y)) maxInvD2 = Math.Max(maxInvD2, obs.InvD2[i]);
            }
            if (!(maxInvD2 > 0)) return result;
            var binSum = new double[Bins]; var binCount = new int[Bins];
            int Bin(int i) => Math.Min(Bins - 1, (int)(obs.InvD2[i] / maxInvD2 * Bins));
            for (int i = 0; i < obs.Count; i++) if (!double.IsNaN(value[i])) { binSum[Bin(i)] += value[i]; binCount[Bin(i)]++; }
            for (int i = 0; i < obs.Count; i++)
            {
                if (double.IsNaN(value[i])) continue;
                double mean = binSum[Bin(i)] / binCount[Bin(i)];
                value[i] = mean > 0 ? value[i] / mean : double.NaN;
            }
            // Per reflection: n, Σy, Σy²; and the totals over reflections with n ≥ 2.
            var n = new int[index.Count]; var s1 = new double[index.Count]; var s2 = new double[index.Count];
            for (int i = 0; i < obs.Count; i++)
            {
                int r = obs.Reflection[i];
                if (r < 0 || double.IsNaN(value[i])) continue;
                n[r]++; s1[r] += value[i]; s2[r] += value[i] * value[i];
            }
            var total = new Totals();
            for (int r = 0; r < index.Count; r++) total.Add(n[r], s1[r], s2[r], +1);
            double all = total.CCHalf();
            if (double.IsNaN(all)) return result;
            Parallel.For(0, lattices.Count, parallel, () => new Dictionary<int, (int N, double S1, double S2)>(), (lat, _, seen) =>
            {
                if (lattices.Rejected[lat]) return seen;
                seen.Clear();
                int first = lattices.FirstObservation[lat];
                for (int i = first; i < first + lattices.ObservationCount[lat]; i++)
                {
                    int r = obs.Reflection[i];
                    if (r < 0 || double.IsNaN(value[i])) continue;
                    seen.TryGetValue(r, out var t);
                    seen[r] = (t.N + 1, t.S1 + value[i], t.S2 + value[i] * value[i]);
                }
                if (seen.Count == 0) return seen;
                var without = total;
                foreach (var kv in seen)
                {
                    int r = kv.Key;
                    without.Add(n[r], s1[r], s2[r], -1);
                    without.Add(n[r] - kv.Value.N, s1[r] - kv.Value.S1, s2[r] - kv.Value.S2, +1);
                }
                double cc = without.CCHalf();
                result[lat] = double.IsNaN(cc) ? double.NaN : all - cc;
                return seen;
            }, _ => { });
            return result;
        }

        /// <summary>Sums over reflections seen at least twice: count, Σm, Σm², Σ var(m).</summary>
        private struct Totals
        {
            private double _count, _m, _m2, _v;

            public void Add(int n, double s1, double s2, int sign)
            {
                if (n < 2) return;
                double m = s1 / n;
                double v = Math.Max(0, s2 - s1 * m) / (n - 1) / n;
                _count += sign; _m += sign * m; _m2 += sign * m * m; _v += sign * v;
            }

            public double CCHalf()
            {
                if (_count < 10) return double.NaN;
                double mean = _m / _count;
                double varM = _m2 / _count - mean * mean, err = _v / _count;
                return varM + err > 0 ? (varM - err) / (varM + err) : double.NaN;
            }
        }
    }
}
