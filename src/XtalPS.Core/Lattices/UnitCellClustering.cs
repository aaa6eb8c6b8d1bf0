using System;
using System.Collections.Generic;
using System.Linq;
using XtalPS.Geometry;

namespace XtalPS.Lattices
{
    /// <summary>How <see cref="UnitCellClustering"/> groups cells.</summary>
    public sealed class UnitCellClusteringSettings
    {
        /// <summary>Cells closer than this (relative G6 distance, about twice the relative edge difference) are linked.</summary>
        public double Threshold { get; set; } = 0.05;
        /// <summary>Largest Le Page δ (degrees) of a Bravais-lattice candidate of the consensus cell.</summary>
        public double MaxDeviation { get; set; } = 3.0;

        public void Validate()
        {
            if (!(Threshold > 0 && Threshold <= 1)) throw new ArgumentOutOfRangeException(nameof(Threshold), "The clustering threshold lies between 0 and 1.");
            if (!(MaxDeviation >= 0 && MaxDeviation <= 45)) throw new ArgumentOutOfRangeException(nameof(MaxDeviation), "The largest deviation lies between 0 and 45 degrees.");
        }
    }

    /// <summary>
    /// The common cell of many indexed stills: single-linkage clustering of their Niggli cells and the consensus (median)
    /// cell of the largest cluster with its Bravais-lattice candidates (the DIALS/cctbx.xfel route for stills of an
    /// unknown crystal: index each in P 1, cluster the cells, read the lattice symmetry off the consensus cell).
    /// </summary>
    /// <remarks>
    /// Cells are compared as G6 vectors (a², b², c², 2bc·cos α, 2ac·cos β, 2ab·cos γ; Andrews &amp; Bernstein 1988,
    /// Acta Cryst A44:1009) of their Niggli-reduced bases. Near the boundaries of the Niggli cone two nearly equal
    /// lattices can reduce to far-apart G6 vectors (NCDist, Andrews &amp; Bernstein 2014, J Appl Cryst 47:346, solves
    /// this exactly); here each cell also offers its nearly-reduced alternative bases (integer combinations with
    /// entries −1…1 whose edges are within 5 % of the reduced ones), and the distance is the smallest over them:
    /// |Δg| / mean |g|, about twice the relative difference of the edges.
    /// </remarks>
    public static class UnitCellClustering
    {
        /// <summary>Clusters <paramref name="cells"/> and summarises the largest cluster.</summary>
        public static UnitCellSummary Summarize(IReadOnlyList<UnitCell> cells, UnitCellClusteringSettings? settings = null)
        {
            if (cells == null) throw new ArgumentNullException(nameof(cells));
            settings ??= new UnitCellClusteringSettings();
            settings.Validate();
            if (cells.Count == 0) throw new ArgumentException("There are no cells to cluster.", nameof(cells));
            int n = cells.Count;
            var reduced = new double[n][];
            var alternatives = new List<double[]>[n];
            for (int i = 0; i < n; i++)
            {
                var m = cells[i].OrthogonalizationMatrix;
                var (a, b, c) = NiggliReduction.Reduce(m.Column1, m.Column2, m.Column3);
                reduced[i] = G6(a, b, c);
                alternatives[i] = Alternatives(a, b, c);
            }
            // Single linkage by union–find.
            var parent = Enumerable.Range(0, n).ToArray();
            int Find(int x) { while (parent[x] != x) { parent[x] = parent[parent[x]]; x = parent[x]; } return x; }
            for (int i = 0; i < n; i++)
                for (int j = i + 1; j < n; j++)
                    if (Find(i) != Find(j) && Distance(reduced[i], alternatives[j]) <= settings.Threshold) parent[Find(i)] = Find(j);
            var clusters = Enumerable.Range(0, n).GroupBy(Find).Select(g => g.ToArray())
                .OrderByDescending(g => g.Length).ThenBy(g => g[0]).ToList();
            var members = clusters[0];
            // Medoid: the member closest to all others; every member is then taken in its setting nearest the medoid's.
            // For a large cluster both the candidates and the members they are summed over are every k-th member (at most
            // MedoidSample of them, in input order), so 10^4 stills cost 10^5 distances rather than 10^8; a cluster of up to
            // MedoidSample members is searched exhaustively as before.
            var sample = members.Length <= MedoidSample ? members
                : Enumerable.Range(0, MedoidSample).Select(t => members[(int)((long)t * members.Length / MedoidSample)]).ToArray();
            int medoid = sample.OrderBy(i => sample.Sum(j => Distance(reduced[i], alternatives[j]))).ThenBy(i => i).First();
            var consensusG6 = Median(members.Select(j => Nearest(reduced[medoid], alternatives[j])).ToList());
            var consensusRaw = FromG6(consensusG6);
            var consensus = NiggliReduction.Reduce(consensusRaw);
            // Spread of the members around the consensus, each in its setting nearest to it.
            var mc = consensus.OrthogonalizationMatrix;
            var target = G6(mc.Column1, mc.Column2, mc.Column3);
            var aligned = members.Select(j => FromG6(Nearest(target, alternatives[j])).ToArray()).ToList();
            var sd = new double[6];
            for (int p = 0; p < 6; p++)
            {
                double mean = aligned.Average(x => x[p]);
                sd[p] = aligned.Count > 1 ? Math.Sqrt(aligned.Sum(x => (x[p] - mean) * (x[p] - mean)) / (aligned.Count - 1)) : 0;
            }
            var bravais = BravaisLatticeSearch.Candidates(consensus, settings.MaxDeviation);
            return new UnitCellSummary(consensus, members, n, clusters.Select(c => c.Length).ToArray(), sd, bravais, settings.Threshold);
        }

        /// <summary>Clusters the cells of <paramref name="lattices"/>; the summary lists the lattices of the largest cluster.</summary>
        public static UnitCellSummary Summarize(IReadOnlyList<CrystalLattice> lattices, UnitCellClusteringSettings? settings = null)
        {
            if (lattices == null) throw new ArgumentNullException(nameof(lattices));
            var s = Summarize(lattices.Select(l => l.UnitCell).ToList(), settings);
            s.Lattices = s.Members.Select(i => lattices[i]).ToArray();
            return s;
        }

        internal static double[] G6(Vec3 a, Vec3 b, Vec3 c) =>
            new[] { a.Dot(a), b.Dot(b), c.Dot(c), 2 * b.Dot(c), 2 * a.Dot(c), 2 * a.Dot(b) };

        /// <summary>Largest number of members searched for the largest cluster's medoid.</summary>
        private const int MedoidSample = 400;

        internal static UnitCell FromG6(double[] g)
        {
            double a = Math.Sqrt(g[0]), b = Math.Sqrt(g[1]), c = Math.Sqrt(g[2]);
            double Deg(double cos) => Math.Acos(Math.Max(-1, Math.Min(1, cos))) * 180 / Math.PI;
            return new UnitCell(a, b, c, Deg(g[3] / (2 * b * c)), Deg(g[4] / (2 * a * c)), Deg(g[5] / (2 * a * b)));
        }

        /// <summary>G6 vectors of the reduced basis and of the unimodular bases from combinations with entries −1…1
        /// whose edges are each within 5 % of the reduced edges (the reduced one first).</summary>
        private static List<double[]> Alternatives(Vec3 a, Vec3 b, Vec3 c)
        {
            var list = new List<double[]> { G6(a, b, c) };
            var combos = new List<(int[] I, Vec3 V)>();
            for (int u = -1; u <= 1; u++)
                for (int v = -1; v <= 1; v++)
                    for (int w = -1; w <= 1; w++)
                        if (u != 0 || v != 0 || w != 0) combos.Add((new[] { u, v, w }, a * u + b * v + c * w));
            double la = a.Length * 1.05, lb = b.Length * 1.05, lc = c.Length * 1.05;
            var sa = combos.Where(x => x.V.Length <= la).ToList();
            var sb = combos.Where(x => x.V.Length <= lb).ToList();
            var sc = combos.Where(x => x.V.Length <= lc).ToList();
            foreach (var x in sa)
                foreach (var y in sb)
                    foreach (var z in sc)
                    {
                        int[] p = x.I, q = y.I, r = z.I;
                        int det = p[0] * (q[1] * r[2] - q[2] * r[1]) - p[1] * (q[0] * r[2] - q[2] * r[0]) + p[2] * (q[0] * r[1] - q[1] * r[0]);
                        if (det != 1 && det != -1) continue;
                        var g = G6(x.V, y.V, z.V);
                        if (list.Any(o => Same(o, g))) continue;
                        list.Add(g);
                        if (list.Count >= 400) return list;
                    }
            return list;
        }

        private static bool Same(double[] x, double[] y)
        {
            double s = 0, d = 0;
            for (int i = 0; i < 6; i++) { d += (x[i] - y[i]) * (x[i] - y[i]); s += x[i] * x[i]; }
            return d <= 1e-12 * s;
        }

        private static double Norm(double[] g) { double s = 0; foreach (var x in g) s += x * x; return Math.Sqrt(s); }

        /// <summary>Smallest relative G6 distance between <paramref name="g"/> and any of <paramref name="others"/>.</summary>
        internal static double Distance(double[] g, List<double[]> others) => RelativeDistance(g, Nearest(g, others));

        private static double RelativeDistance(double[] x, double[] y)
        {
            double d = 0;
            for (int i = 0; i < 6; i++) d += (x[i] - y[i]) * (x[i] - y[i]);
            return Math.Sqrt(d) / (0.5 * (Norm(x) + Norm(y)));
        }

        private static double[] Nearest(double[] g, List<double[]> others)
        {
            double best = double.PositiveInfinity;
            double[] chosen = others[0];
            foreach (var o in others)
            {
                double d = 0;
                for (int i = 0; i < 6; i++) d += (g[i] - o[i]) * (g[i] - o[i]);
                if (d < best) { best = d; chosen = o; }
            }
            return chosen;
        }

        private static double[] Median(List<double[]> vectors)
        {
            var m = new double[6];
            for (int p = 0; p < 6; p++)
            {
                var v = vectors.Select(x => x[p]).OrderBy(x => x).ToArray();
                int k = v.Length;
                m[p] = k % 2 == 1 ? v[k / 2] : 0.5 * (v[k / 2 - 1] + v[k / 2]);
            }
            return m;
        }
    }
}
