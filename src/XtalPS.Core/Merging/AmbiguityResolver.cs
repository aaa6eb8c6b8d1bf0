using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using XtalPS.Geometry;

namespace XtalPS.Merging
{
    /// <summary>
    /// Chooses one indexing per lattice (<see cref="IndexingAmbiguity"/>) so that all lattices agree, then reindexes
    /// them. Without a reference this is the iterative scheme of Brehm &amp; Diederichs 2014 (Acta Cryst. D70:101,
    /// their algorithm 1, the one cctbx.xfel and CrystFEL's ambigator also build on): each lattice takes the operator
    /// under which its intensities correlate best with the mean of all other lattices, repeated until no lattice changes.
    /// With a reference, each lattice takes the operator that correlates best with it.
    /// </summary>
    /// <remarks>
    /// Intensities are compared as normalised values: I/(P·g/∛V) over the mean of all lattices in the same resolution
    /// bin and over the lattice's own mean, so the Wilson fall-off (the same under every operator) and the lattice's
    /// scale do not dilute the correlation. The first assignment is greedy in stable-lattice-id order (each lattice
    /// joins the mean under its best operator), which breaks the symmetry that a mean over random assignments would
    /// have; the sweeps after it are parallel (every lattice decides against the same mean) and sum in a fixed
    /// order, so the result does not depend on the thread count. A lattice with fewer than
    /// <see cref="MinCommon"/> reflections in common with the others keeps its current operator. Finally the
    /// operators are relabelled so that the most frequent one is the identity (the data keep the indexing most
    /// stills were given).
    /// </remarks>
    public static class AmbiguityResolver
    {
        /// <summary>Reflections a lattice must share with the mean for its correlation to count.</summary>
        public const int MinCommon = 10;
        private const int MaxSweeps = 30, Bins = 20;

        /// <summary>Result: operator per lattice (index into the ambiguity), sweeps run, lattices that changed in the last sweep.</summary>
        public sealed class Outcome
        {
            public int[] Operator { get; set; } = Array.Empty<int>();
            public int Sweeps { get; set; }
            public int Undecided { get; set; }
        }

        /// <summary>Chooses operators for every lattice. <paramref name="usable"/> says which observations to compare
        /// (not rejected, recorded to a useful fraction); <paramref name="reference"/> (per unique reflection of
        /// <paramref name="index"/>, NaN = none) replaces the mean of the other lattices when given.</summary>
        public static Outcome Resolve(ObservationStore obs, LatticeTable lattices, ReflectionIndex index, ReciprocalAsu asu, IndexingAmbiguity ambiguity,
            Func<int, bool> usable, double[]? reference, ParallelOptions parallel)
        {
            int nOps = ambiguity.Count, n = obs.Count;
            var value = Normalised(obs, lattices, usable, parallel);
            // Unique-reflection slot of every observation under every operator (−1: not observed under it).
            var slot = new int[nOps][];
            slot[0] = obs.Reflection;
            for (int k = 1; k < nOps; k++)
            {
                var s = new int[n];
                int op = k;
                Parallel.For(0, lattices.Count, parallel, lat =>
                {
                    int first = lattices.FirstObservation[lat], end = first + lattices.ObservationCount[lat];
                    for (int i = first; i < end; i++)
                    {
                        if (float.IsNaN(value[i])) { s[i] = -1; continue; }
                        var (h, kk, l) = ambiguity.Apply(op, obs.H[i], obs.K[i], obs.L[i]);
                        var (ah, ak, al) = asu.Map(h, kk, l, out _);
                        s[i] = index.Find(ah, ak, al);
                    }
                });
                slot[k] = s;
            }
            var assigned = new int[lattices.Count];
            var outcome = new Outcome { Operator = assigned };
            if (reference != null)
            {
                var refNorm = NormalisedReference(obs, index, reference);
                Parallel.For(0, lattices.Count, parallel, lat =>
                {
                    if (lattices.Rejected[lat]) return;
                    double best = double.NegativeInfinity; int bestOp = 0;
                    for (int k = 0; k < nOps; k++)
                    {
                        double cc = Correlate(lattices, lat, value, slot[k], r => refNorm[r]);
                        if (cc > best) { best = cc; bestOp = k; }
                    }
                    assigned[lat] = bestOp;
                });
                outcome.Sweeps = 1;
                return outcome;
            }
            var sum = new double[index.Count]; var cnt = new int[index.Count];
            var byId = ByStableId(lattices);
            // Greedy start: each lattice in stable-id order joins the mean under the operator that fits it best.
            foreach (int lat in byId)
            {
                if (lattices.Rejected[lat]) continue;
                double best = double.NegativeInfinity; int bestOp = 0;
                for (int k = 0; k < nOps; k++)
                {
                    double cc = Correlate(lattices, lat, value, slot[k], r => cnt[r] > 0 ? sum[r] / cnt[r] : double.NaN);
                    if (cc > best) { best = cc; bestOp = k; }
                }
                assigned[lat] = bestOp;
                Accumulate(lattices, lat, value, slot[bestOp], sum, cnt, +1);
            }
            // Sweeps: every lattice against the mean of all the others.
            var next = new int[lattices.Count];
            for (int sweep = 1; sweep <= MaxSweeps; sweep++)
            {
                Parallel.For(0, lattices.Count, parallel, lat =>
                {
                    next[lat] = assigned[lat];
                    if (lattices.Rejected[lat]) return;
                    var own = OwnContribution(lattices, lat, value, slot[assigned[lat]]);
                    double best = double.NegativeInfinity; int bestOp = assigned[lat];
                    for (int k = 0; k < nOps; k++)
                    {
                        double cc = Correlate(lattices, lat, value, slot[k], r =>
                        {
                            own.TryGetValue(r, out var o);
                            int c = cnt[r] - o.Count;
                            return c > 0 ? (sum[r] - o.Sum) / c : double.NaN;
                        });
                        if (cc > best + 1e-12) { best = cc; bestOp = k; }
                    }
                    next[lat] = double.IsNegativeInfinity(best) ? assigned[lat] : bestOp;
                });
                int changed = 0;
                foreach (int lat in byId)
                {
                    if (next[lat] == assigned[lat]) continue;
                    Accumulate(lattices, lat, value, slot[assigned[lat]], sum, cnt, -1);
                    Accumulate(lattices, lat, value, slot[next[lat]], sum, cnt, +1);
                    assigned[lat] = next[lat];
                    changed++;
                }
                outcome.Sweeps = sweep; outcome.Undecided = changed;
                if (changed == 0) break;
            }
            // Relabel so that the most frequent operator becomes the identity.
            var freq = new int[nOps];
            for (int lat = 0; lat < lattices.Count; lat++) if (!lattices.Rejected[lat]) freq[assigned[lat]]++;
            int top = 0;
            for (int k = 1; k < nOps; k++) if (freq[k] > freq[top]) top = k;
            if (top != 0)
            {
                int inv = ambiguity.Inverse(top);
                for (int lat = 0; lat < lattices.Count; lat++) assigned[lat] = ambiguity.Compose(inv, assigned[lat]);
            }
            return outcome;
        }

        /// <summary>Reindexes lattice <paramref name="lat"/> by operator <paramref name="op"/>: its observations' indices
        /// become M·h and its setting matrix A·M⁻¹, so every prediction stays where it was.</summary>
        public static void Reindex(ObservationStore obs, LatticeTable lattices, IndexingAmbiguity ambiguity, int lat, int op)
        {
            if (op == 0) return;
            int first = lattices.FirstObservation[lat], end = first + lattices.ObservationCount[lat];
            for (int i = first; i < end; i++)
            {
                var (h, k, l) = ambiguity.Apply(op, obs.H[i], obs.K[i], obs.L[i]);
                obs.H[i] = (short)h; obs.K[i] = (short)k; obs.L[i] = (short)l;
            }
            lattices.SettingMatrix[lat] = lattices.SettingMatrix[lat] * ambiguity.Matrix(op).Inverse();
        }

        /// <summary>I/(P·g/∛V) over the mean in its resolution bin and over its lattice's mean of that ratio; NaN for
        /// observations that are not compared.</summary>
        private static float[] Normalised(ObservationStore obs, LatticeTable lattices, Func<int, bool> usable, ParallelOptions parallel)
        {
            int n = obs.Count;
            double maxInvD2 = 0;
            for (int i = 0; i < n; i++) if (usable(i)) maxInvD2 = Math.Max(maxInvD2, obs.InvD2[i]);
            if (!(maxInvD2 > 0)) maxInvD2 = 1;
            var sumI = new double[Bins]; var sumP = new double[Bins];
            for (int i = 0; i < n; i++)
            {
                if (!usable(i)) continue;
                int b = Bin(obs.InvD2[i], maxInvD2);
                sumI[b] += obs.Intensity[i]; sumP[b] += obs.Partiality[i] * obs.Density[i];
            }
            var mean = new double[Bins];
            for (int b = 0; b < Bins; b++) mean[b] = sumP[b] > 0 && sumI[b] > 0 ? sumI[b] / sumP[b] : double.NaN;
            var value = new float[n];
            Parallel.For(0, lattices.Count, parallel, lat =>
            {
                int first = lattices.FirstObservation[lat], end = first + lattices.ObservationCount[lat];
                double num = 0, den = 0;
                for (int i = first; i < end; i++)
                {
                    value[i] = float.NaN;
                    if (!usable(i)) continue;
                    double m = mean[Bin(obs.InvD2[i], maxInvD2)];
                    double x = obs.Partiality[i] * obs.Density[i] * m;
                    if (!(x > 0)) continue;
                    num += obs.Intensity[i]; den += x;
                    value[i] = (float)(obs.Intensity[i] / x);
                }
                double scale = num > 0 && den > 0 ? num / den : 1;
                for (int i = first; i < end; i++) if (!float.IsNaN(value[i])) value[i] = (float)(value[i] / scale);
            });
            return value;
        }

        /// <summary>The reference over its mean in resolution bins (1/d² from the observations of each reflection).</summary>
        private static double[] NormalisedReference(ObservationStore obs, ReflectionIndex index, double[] reference)
        {
            var invD2 = new double[index.Count];
            double max = 0;
            for (int r = 0; r < index.Count; r++)
            {
                invD2[r] = index.Start[r + 1] > index.Start[r] ? obs.InvD2[index.Order[index.Start[r]]] : double.NaN;
                if (invD2[r] > max) max = invD2[r];
            }
            if (!(max > 0)) max = 1;
            var s = new double[Bins]; var c = new int[Bins];
            for (int r = 0; r < index.Count; r++)
            {
                if (double.IsNaN(reference[r]) || double.IsNaN(invD2[r])) continue;
                int b = Bin((float)invD2[r], max); s[b] += reference[r]; c[b]++;
            }
            var norm = new double[index.Count];
            for (int r = 0; r < index.Count; r++)
            {
                norm[r] = double.NaN;
                if (double.IsNaN(reference[r]) || double.IsNaN(invD2[r])) continue;
                int b = Bin((float)invD2[r], max);
                if (s[b] > 0) norm[r] = reference[r] / (s[b] / c[b]);
            }
            return norm;
        }

        private static int Bin(float invD2, double max) => Math.Min(Bins - 1, Math.Max(0, (int)(invD2 / max * Bins)));

        /// <summary>Pearson correlation of a lattice's normalised values with <paramref name="target"/> at their slots
        /// under one operator; −∞ when fewer than <see cref="MinCommon"/> pairs.</summary>
        private static double Correlate(LatticeTable lattices, int lat, float[] value, int[] slot, Func<int, double> target)
        {
            int first = lattices.FirstObservation[lat], end = first + lattices.ObservationCount[lat];
            double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0; int m = 0;
            for (int i = first; i < end; i++)
            {
                if (float.IsNaN(value[i])) continue;
                int r = slot[i];
                if (r < 0) continue;
                double y = target(r);
                if (double.IsNaN(y)) continue;
                double x = value[i];
                sx += x; sy += y; sxx += x * x; syy += y * y; sxy += x * y; m++;
            }
            if (m < MinCommon) return double.NegativeInfinity;
            double vx = sxx - sx * sx / m, vy = syy - sy * sy / m;
            if (!(vx > 0) || !(vy > 0)) return double.NegativeInfinity;
            return (sxy - sx * sy / m) / Math.Sqrt(vx * vy);
        }

        private static void Accumulate(LatticeTable lattices, int lat, float[] value, int[] slot, double[] sum, int[] cnt, int sign)
        {
            int first = lattices.FirstObservation[lat], end = first + lattices.ObservationCount[lat];
            for (int i = first; i < end; i++)
            {
                if (float.IsNaN(value[i]) || slot[i] < 0) continue;
                sum[slot[i]] += sign * value[i]; cnt[slot[i]] += sign;
            }
        }

        private static Dictionary<int, (double Sum, int Count)> OwnContribution(LatticeTable lattices, int lat, float[] value, int[] slot)
        {
            var own = new Dictionary<int, (double Sum, int Count)>();
            int first = lattices.FirstObservation[lat], end = first + lattices.ObservationCount[lat];
            for (int i = first; i < end; i++)
            {
                if (float.IsNaN(value[i]) || slot[i] < 0) continue;
                own.TryGetValue(slot[i], out var o);
                own[slot[i]] = (o.Sum + value[i], o.Count + 1);
            }
            return own;
        }

        private static int[] ByStableId(LatticeTable lattices)
        {
            var order = new int[lattices.Count];
            var ids = new long[lattices.Count];
            for (int i = 0; i < order.Length; i++) { order[i] = i; ids[i] = lattices.Id[i]; }
            Array.Sort(ids, order);
            return order;
        }
    }
}
