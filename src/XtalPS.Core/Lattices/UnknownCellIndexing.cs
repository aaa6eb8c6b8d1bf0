using System;
using System.Collections.Generic;
using System.Linq;
using XtalPS.Geometry;

namespace XtalPS.Lattices
{
    /// <summary>
    /// Starting settings for a still whose cell is unknown (DPS, Sauter et al. 2004): candidate real-space vectors from
    /// <see cref="FourierBasisSearch"/>, multiples of shorter collinear vectors dropped; triples of short,
    /// non-coplanar vectors that make most spots integral together become bases; each is fitted in reciprocal space,
    /// freed of supercell doubling/tripling by the parity of its indices, and Niggli-reduced, so that the same lattice
    /// found from different vectors gives the same setting.
    /// </summary>
    internal static class UnknownCellIndexing
    {
        /// <summary>Candidate vectors kept from the direction search.</summary>
        private const int SearchVectors = 40;
        /// <summary>Shortest candidate vectors combined into bases.</summary>
        private const int BasisVectors = 16;

        public static List<Mat3> Starts(SpotObservations obs, IndexingSettings s, double maxCell)
        {
            var found = FourierBasisSearch.Search(obs, maxCell, FourierBasisSearch.DefaultSpacing, SearchVectors);
            // Integral projections within 0.2 (tighter than the index tolerance: a random vector passes 40 %, not 60 %).
            var vectors = found.Select(f => (V: f.V, Mask: RealSpaceGridSearch.Mask(obs, f.V, 0.2))).Select(x => (x.V, x.Mask, Count: Count(x.Mask))).ToList();
            if (vectors.Count == 0) return new List<Mat3>();
            int most = vectors.Max(v => v.Count);
            var strong = vectors.Where(v => v.Count >= 0.6 * most).OrderBy(v => v.V.Length).ToList();
            // Drop vectors collinear with a shorter kept one (its multiples, or the same row found twice).
            var kept = new List<(Vec3 V, ulong[] Mask, int Count)>();
            foreach (var v in strong)
            {
                var u = v.V.Normalized();
                if (kept.Any(k => Math.Abs(k.V.Normalized().Dot(u)) > 0.995)) continue;
                kept.Add(v);
                if (kept.Count >= BasisVectors) break;
            }
            var bases = new List<(Vec3 A, Vec3 B, Vec3 C, int Count, double Volume)>();
            for (int i = 0; i < kept.Count; i++)
                for (int j = i + 1; j < kept.Count; j++)
                {
                    var ab = kept[i].V.Cross(kept[j].V);
                    if (ab.Length < 0.2 * kept[i].V.Length * kept[j].V.Length) continue;
                    for (int k = j + 1; k < kept.Count; k++)
                    {
                        double vol = Math.Abs(ab.Dot(kept[k].V));
                        if (vol < 0.15 * ab.Length * kept[k].V.Length) continue;
                        int count = RealSpaceGridSearch.CountAnd(kept[i].Mask, kept[j].Mask, kept[k].Mask);
                        bases.Add((kept[i].V, kept[j].V, kept[k].V, count, vol));
                    }
                }
            if (bases.Count == 0) return new List<Mat3>();
            int bestCount = bases.Max(b => b.Count);
            // Among bases that index nearly as many spots as the best, the smallest cells first (a supercell indexes
            // the same spots).
            var ordered = bases.OrderByDescending(b => b.Count >= 0.9 * bestCount).ThenBy(b => b.Volume).ThenByDescending(b => b.Count)
                .Take(s.CandidateBases * 4).ToList();
            var starts = new List<Mat3>();
            foreach (var b in ordered)
            {
                var c = b.A.Cross(b.B).Dot(b.C) > 0 ? b.C : -b.C;
                var a0 = Mat3.FromRows(b.A, b.B, c).Inverse();
                var q = CrystalRefinement.QuickFit(a0, obs, s.IndexTolerance, null);
                if (q == null) continue;
                var a = RemoveSupercell(q.Value.A, obs, s.IndexTolerance);
                if (a == null) continue;
                var reduced = Reduce(a.Value);
                if (reduced == null) continue;
                if (starts.Any(x => SameSetting(x, reduced.Value))) continue;
                starts.Add(reduced.Value);
            }
            return starts;
        }

        private static int Count(ulong[] mask)
        {
            int n = 0;
            foreach (var w in mask) { ulong x = w; while (x != 0) { x &= x - 1; n++; } }
            return n;
        }

        private static bool SameSetting(Mat3 a, Mat3 b)
        {
            var x = a.ToArray(); var y = b.ToArray();
            double diff = 0, size = 0;
            for (int i = 0; i < 9; i++) { diff = Math.Max(diff, Math.Abs(x[i] - y[i])); size = Math.Max(size, Math.Abs(x[i])); }
            return diff < 0.02 * size;
        }

        /// <summary>The Niggli-reduced setting of A (same lattice, reduced right-handed real-space basis); null if degenerate.</summary>
        public static Mat3? Reduce(Mat3 a)
        {
            try
            {
                var real = a.Inverse();
                var (ra, rb, rc) = NiggliReduction.Reduce(real.Row1, real.Row2, real.Row3);
                return Mat3.FromRows(ra, rb, rc).Inverse();
            }
            catch (ArgumentException) { return null; }
            catch (InvalidOperationException) { return null; }
        }

        /// <summary>The refined lattice in its Niggli-reduced setting: A' = reduced A, indices h' = A'⁻¹·A·h (an integer
        /// unimodular change of basis, so predictions and residuals are unchanged).</summary>
        public static RefinedLattice ToReducedSetting(RefinedLattice r)
        {
            var reduced = Reduce(r.A);
            if (reduced == null) return r;
            var m = reduced.Value.Inverse() * r.A;
            var e = m.ToArray();
            var round = e.Select(x => Math.Round(x)).ToArray();
            if (e.Zip(round, (x, y) => Math.Abs(x - y)).Max() > 1e-3 || Math.Abs(Math.Abs(Mat3.FromArray(round).Determinant) - 1) > 1e-6) return r;
            var mi = Mat3.FromArray(round);
            var asg = new IndexAssignment
            {
                Spot = (int[])r.Assignment.Spot.Clone(),
                H = new int[r.Count], K = new int[r.Count], L = new int[r.Count],
            };
            for (int j = 0; j < r.Count; j++)
            {
                var h = mi * new Vec3(r.Assignment.H[j], r.Assignment.K[j], r.Assignment.L[j]);
                asg.H[j] = (int)Math.Round(h.X); asg.K[j] = (int)Math.Round(h.Y); asg.L[j] = (int)Math.Round(h.Z);
            }
            return new RefinedLattice
            {
                A = reduced.Value, Assignment = asg, PredictedX = r.PredictedX, PredictedY = r.PredictedY, DeltaPsi = r.DeltaPsi, Rmsd = r.Rmsd,
            };
        }

        /// <summary>
        /// When nearly all indexed spots obey m·h ≡ 0 (mod n) for some m and n = 2 or 3, the basis spans a supercell and
        /// (m₁a + m₂b + m₃c)/n is a lattice vector: it replaces a basis vector, and the test repeats (at most 4 times).
        /// </summary>
        public static Mat3? RemoveSupercell(Mat3 a, SpotObservations obs, double tolerance)
        {
            for (int round = 0; round < 4; round++)
            {
                var asg = CrystalRefinement.Assign(a, obs, tolerance);
                if (asg.Count < 8) return a;
                bool changed = false;
                foreach (int n in new[] { 2, 3 })
                {
                    foreach (var m in Residues(n))
                    {
                        int ok = 0;
                        for (int j = 0; j < asg.Count; j++)
                        {
                            int dot = m[0] * asg.H[j] + m[1] * asg.K[j] + m[2] * asg.L[j];
                            if (((dot % n) + n) % n == 0) ok++;
                        }
                        if (ok < 0.9 * asg.Count) continue;
                        var real = a.Inverse();
                        Vec3[] basis = { real.Row1, real.Row2, real.Row3 };
                        var t = (basis[0] * m[0] + basis[1] * m[1] + basis[2] * m[2]) / n;
                        int i = Array.IndexOf(m, 1);
                        basis[i] = t;
                        if (basis[0].Cross(basis[1]).Dot(basis[2]) < 0) basis[i] = -t;
                        a = Mat3.FromRows(basis[0], basis[1], basis[2]).Inverse();
                        var refit = CrystalRefinement.FitReciprocal(obs, CrystalRefinement.Assign(a, obs, tolerance));
                        if (refit != null && Math.Abs(refit.Value.Determinant) > 1e-15) a = refit.Value;
                        changed = true;
                        break;
                    }
                    if (changed) break;
                }
                if (!changed) return a;
            }
            return a;
        }

        /// <summary>Residue vectors m ∈ {0..n−1}³ \ 0 up to a unit factor: the first non-zero entry is 1.</summary>
        private static IEnumerable<int[]> Residues(int n)
        {
            for (int x = 0; x < n; x++)
                for (int y = 0; y < n; y++)
                    for (int z = 0; z < n; z++)
                    {
                        var m = new[] { x, y, z };
                        int first = m.FirstOrDefault(v => v != 0);
                        if (first == 1) yield return m;
                    }
        }
    }
}
