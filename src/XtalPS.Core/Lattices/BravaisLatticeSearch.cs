using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using XtalPS.Geometry;

namespace XtalPS.Lattices
{
    /// <summary>One Bravais lattice a cell's lattice may have: its conventional cell and how far the metric is from it.</summary>
    public sealed class BravaisLatticeCandidate
    {
        internal BravaisLatticeCandidate(string symbol, LatticeSystem system, char centring, int holohedryOrder, UnitCell conventional,
            UnitCell ideal, double deviation, int[] transformation, string spaceGroup)
        {
            Symbol = symbol; LatticeSystem = system; Centring = centring; HolohedryOrder = holohedryOrder; ConventionalCell = conventional;
            IdealCell = ideal; Deviation = deviation; Transformation = transformation; SpaceGroup = spaceGroup;
        }

        /// <summary>Pearson-style symbol of the Bravais lattice: aP, mP, mC, oP, oC, oI, oF, tP, tI, hR, hP, cP, cI, cF.</summary>
        public string Symbol { get; }
        public LatticeSystem LatticeSystem { get; }
        /// <summary>Centring of the conventional cell: P, C, I, F or R (rhombohedral, hexagonal axes, obverse).</summary>
        public char Centring { get; }
        /// <summary>Order of the lattice's point group (holohedry): 2 triclinic … 48 cubic.</summary>
        public int HolohedryOrder { get; }
        /// <summary>The measured cell in the conventional setting of this Bravais lattice (not symmetrised).</summary>
        public UnitCell ConventionalCell { get; }
        /// <summary>The conventional cell with the lattice system's constraints imposed (equal edges averaged, angles set).</summary>
        public UnitCell IdealCell { get; }
        /// <summary>Le Page's δ, degrees: the largest angle between a twofold axis this lattice needs and the normal of
        /// the lattice plane that should be perpendicular to it (0 for a metric with the exact symmetry).</summary>
        public double Deviation { get; }
        /// <summary>Rows: the conventional a, b, c as integer combinations of the reduced cell's a, b, c (row-major, 9 numbers).</summary>
        public IReadOnlyList<int> Transformation { get; }
        /// <summary>The space group of lowest symmetry on this lattice (P 1, P 1 2 1, C 1 2 1, P 2 2 2, …, F 2 3): a
        /// starting point for indexing with the conventional cell.</summary>
        public string SpaceGroup { get; }

        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "{0} {1} δ={2:0.###}°", Symbol, IdealCell, Deviation);
    }

    /// <summary>
    /// The Bravais lattices a measured cell is compatible with (the 14, from aP to cF). Conventional cells are found as
    /// integer combinations (entries −3…3) of the Niggli-reduced basis whose determinant and centring translations make
    /// them generate the same lattice and whose angles are near the required ones; each is scored by Le Page's
    /// obliquity δ (Le Page 1982, J Appl Cryst 15:255; as in cctbx's lattice_symmetry and DIALS's refine_bravais_settings):
    /// for every twofold axis of the lattice's holohedry, the angle between the direct lattice row and the normal of
    /// the lattice plane perpendicular to it in the ideal lattice. δ is zero for an exact metric and grows about 0.57°
    /// per 1 % difference between edges that should be equal.
    /// </summary>
    public static class BravaisLatticeSearch
    {
        private sealed class Kind
        {
            public string Symbol = "", SpaceGroup = "";
            public LatticeSystem System;
            public char Centring;
            public int Order;
            public double[][] CentringVectors = Array.Empty<double[]>();
            public int[][] Axes = Array.Empty<int[]>();   // per twofold axis: t, p, q (conventional coordinates), 9 numbers
            public double Gamma = 90;                      // required angle between a and b
            public bool Monoclinic;
        }

        private static readonly int[][] Orthorhombic =
        {
            new[] { 1, 0, 0, 0, 1, 0, 0, 0, 1 }, new[] { 0, 1, 0, 1, 0, 0, 0, 0, 1 }, new[] { 0, 0, 1, 1, 0, 0, 0, 1, 0 },
        };
        private static readonly int[][] TetragonalExtra =
        {
            new[] { 1, 1, 0, 1, -1, 0, 0, 0, 1 }, new[] { 1, -1, 0, 1, 1, 0, 0, 0, 1 },
        };
        private static readonly int[][] CubicExtra =
        {
            new[] { 0, 1, 1, 0, 1, -1, 1, 0, 0 }, new[] { 0, 1, -1, 0, 1, 1, 1, 0, 0 },
            new[] { 1, 0, 1, 1, 0, -1, 0, 1, 0 }, new[] { 1, 0, -1, 1, 0, 1, 0, 1, 0 },
        };
        // Hexagonal axes (a = b, γ = 120°): c, and the six in-plane rows with the in-plane row perpendicular to each.
        private static readonly int[][] HexagonalAxes =
        {
            new[] { 0, 0, 1, 1, 0, 0, 0, 1, 0 },
            new[] { 1, 0, 0, 1, 2, 0, 0, 0, 1 }, new[] { 0, 1, 0, 2, 1, 0, 0, 0, 1 }, new[] { 1, 1, 0, 1, -1, 0, 0, 0, 1 },
            new[] { 1, 2, 0, 1, 0, 0, 0, 0, 1 }, new[] { 2, 1, 0, 0, 1, 0, 0, 0, 1 }, new[] { 1, -1, 0, 1, 1, 0, 0, 0, 1 },
        };
        // Rhombohedral lattice on hexagonal axes (holohedry -3m): twofold axes along a, b and a + b.
        private static readonly int[][] RhombohedralAxes =
        {
            new[] { 1, 0, 0, 1, 2, 0, 0, 0, 1 }, new[] { 0, 1, 0, 2, 1, 0, 0, 0, 1 }, new[] { 1, 1, 0, 1, -1, 0, 0, 0, 1 },
        };

        private static readonly double[] Half = { 0.5, 0.5, 0.5 };
        private static readonly double[][] P = Array.Empty<double[]>();
        private static readonly double[][] C = { new[] { 0.5, 0.5, 0 } };
        private static readonly double[][] I = { Half };
        private static readonly double[][] F = { new[] { 0, 0.5, 0.5 }, new[] { 0.5, 0, 0.5 }, new[] { 0.5, 0.5, 0 } };
        private static readonly double[][] R = { new[] { 2 / 3.0, 1 / 3.0, 1 / 3.0 }, new[] { 1 / 3.0, 2 / 3.0, 2 / 3.0 } };

        private static readonly Kind[] Kinds = BuildKinds();

        private static Kind[] BuildKinds()
        {
            var mono = new[] { new[] { 0, 1, 0, 1, 0, 0, 0, 0, 1 } };
            var tet = Orthorhombic.Concat(TetragonalExtra).ToArray();
            var cub = tet.Concat(CubicExtra).ToArray();
            Kind K(string s, LatticeSystem sys, char cen, int order, double[][] cv, int[][] axes, string sg, double gamma = 90, bool m = false) =>
                new Kind { Symbol = s, System = sys, Centring = cen, Order = order, CentringVectors = cv, Axes = axes, SpaceGroup = sg, Gamma = gamma, Monoclinic = m };
            return new[]
            {
                K("cF", LatticeSystem.Cubic, 'F', 48, F, cub, "F 2 3"),
                K("cI", LatticeSystem.Cubic, 'I', 48, I, cub, "I 2 3"),
                K("cP", LatticeSystem.Cubic, 'P', 48, P, cub, "P 2 3"),
                K("hP", LatticeSystem.Hexagonal, 'P', 24, P, HexagonalAxes, "P 3", 120),
                K("tI", LatticeSystem.Tetragonal, 'I', 16, I, tet, "I 4"),
                K("tP", LatticeSystem.Tetragonal, 'P', 16, P, tet, "P 4"),
                K("hR", LatticeSystem.Rhombohedral, 'R', 12, R, RhombohedralAxes, "R 3:H", 120),
                K("oF", LatticeSystem.Orthorhombic, 'F', 8, F, Orthorhombic, "F 2 2 2"),
                K("oI", LatticeSystem.Orthorhombic, 'I', 8, I, Orthorhombic, "I 2 2 2"),
                K("oC", LatticeSystem.Orthorhombic, 'C', 8, C, Orthorhombic, "C 2 2 2"),
                K("oP", LatticeSystem.Orthorhombic, 'P', 8, P, Orthorhombic, "P 2 2 2"),
                K("mC", LatticeSystem.Monoclinic, 'C', 4, C, mono, "C 1 2 1", m: true),
                K("mP", LatticeSystem.Monoclinic, 'P', 4, P, mono, "P 1 2 1", m: true),
            };
        }

        /// <summary>
        /// Every Bravais lattice whose δ is at most <paramref name="maxDeviation"/> degrees for the lattice of
        /// <paramref name="cell"/> (any setting: it is Niggli-reduced first), highest symmetry first, then smallest δ;
        /// aP (the reduced cell, δ = 0) is always last.
        /// </summary>
        public static IReadOnlyList<BravaisLatticeCandidate> Candidates(UnitCell cell, double maxDeviation = 3.0)
        {
            if (!(maxDeviation >= 0 && maxDeviation <= 45)) throw new ArgumentOutOfRangeException(nameof(maxDeviation), "The largest deviation lies between 0 and 45 degrees.");
            var m0 = cell.OrthogonalizationMatrix;
            var (ra, rb, rc) = NiggliReduction.Reduce(m0.Column1, m0.Column2, m0.Column3);
            var reduced = UnitCell.FromRealSpaceVectors(ra, rb, rc);
            // Entries −3…3: a rhombohedral lattice with a long hexagonal c needs 3 (c = 3·c′ − a − b from a reduced basis).
            var vectors = new List<(int[] Index, Vec3 V)>();
            for (int u = -3; u <= 3; u++)
                for (int v = -3; v <= 3; v++)
                    for (int w = -3; w <= 3; w++)
                        if ((u != 0 || v != 0 || w != 0) && Gcd(Gcd(Math.Abs(u), Math.Abs(v)), Math.Abs(w)) == 1)
                            vectors.Add((new[] { u, v, w }, ra * u + rb * v + rc * w));
            int n = vectors.Count;
            var unit = vectors.Select(x => x.V.Normalized()).ToArray();
            // Angle pruning before δ: generous, δ decides.
            double slack = Math.Max(8.0, 3 * maxDeviation) * Math.PI / 180;
            var perpendicular = new List<int>[n];
            var at120 = new List<int>[n];
            for (int i = 0; i < n; i++)
            {
                perpendicular[i] = new List<int>(); at120[i] = new List<int>();
                for (int j = 0; j < n; j++)
                {
                    double angle = Math.Acos(Clamp(unit[i].Dot(unit[j])));
                    if (Math.Abs(angle - Math.PI / 2) <= slack) perpendicular[i].Add(j);
                    if (Math.Abs(angle - 2 * Math.PI / 3) <= slack) at120[i].Add(j);
                }
            }
            var result = new List<BravaisLatticeCandidate>();
            foreach (var kind in Kinds)
            {
                int det = 1 + kind.CentringVectors.Length;
                BravaisLatticeCandidate? best = null;
                double bestKey = double.PositiveInfinity;
                var isPerpendicular = new bool[n];
                for (int i = 0; i < n; i++)
                {
                    if (!kind.Monoclinic) { Array.Clear(isPerpendicular, 0, n); foreach (int x in perpendicular[i]) isPerpendicular[x] = true; }
                    foreach (int j in kind.Gamma == 90 ? perpendicular[i] : at120[i])
                        foreach (int k in perpendicular[j])
                        {
                            if (!kind.Monoclinic && !isPerpendicular[k]) continue;
                            int[] a = vectors[i].Index, b = vectors[j].Index, c = vectors[k].Index;
                            int d = a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0]) + a[2] * (b[0] * c[1] - b[1] * c[0]);
                            if (d != det) continue;
                            if (!CentringIsIntegral(kind.CentringVectors, a, b, c)) continue;
                            Vec3 va = vectors[i].V, vb = vectors[j].V, vc = vectors[k].V;
                            double delta = Deviation(kind.Axes, va, vb, vc);
                            if (delta > maxDeviation) continue;
                            // Prefer small δ, then short edges; monoclinic: β closest to 90° among equals.
                            double key = Math.Round(delta, 3) * 1e6 + va.Length + vb.Length + vc.Length;
                            if (kind.Monoclinic) key += 1e-3 * Math.Abs(va.AngleTo(vc) - 90);
                            if (key >= bestKey) continue;
                            // Monoclinic: β ≥ 90° by turning a and b half a turn about c (β → 180° − β, handedness kept).
                            if (kind.Monoclinic && va.AngleTo(vc) < 90) { va = -va; vb = -vb; a = a.Select(x => -x).ToArray(); b = b.Select(x => -x).ToArray(); }
                            var conventional = UnitCell.FromRealSpaceVectors(va, vb, vc);
                            bestKey = key;
                            best = new BravaisLatticeCandidate(kind.Symbol, kind.System, kind.Centring, kind.Order, conventional, Ideal(conventional, kind),
                                delta, a.Concat(b).Concat(c).ToArray(), kind.SpaceGroup);
                        }
                }
                if (best != null) result.Add(best);
            }
            result.Add(new BravaisLatticeCandidate("aP", LatticeSystem.Triclinic, 'P', 2, reduced, reduced, 0, new[] { 1, 0, 0, 0, 1, 0, 0, 0, 1 }, "P 1"));
            return result.OrderByDescending(r => r.HolohedryOrder).ThenBy(r => r.Deviation).ToList();
        }

        private static int Gcd(int x, int y) { while (y != 0) { int t = x % y; x = y; y = t; } return x; }

        private static double Clamp(double x) => Math.Max(-1, Math.Min(1, x));

        private static bool CentringIsIntegral(double[][] centring, int[] a, int[] b, int[] c)
        {
            foreach (var f in centring)
                for (int x = 0; x < 3; x++)
                {
                    double v = f[0] * a[x] + f[1] * b[x] + f[2] * c[x];
                    if (Math.Abs(v - Math.Round(v)) > 1e-9) return false;
                }
            return true;
        }

        /// <summary>Le Page's δ (degrees) of the conventional basis va, vb, vc for the given twofold axes.</summary>
        private static double Deviation(int[][] axes, Vec3 va, Vec3 vb, Vec3 vc)
        {
            double worst = 0;
            foreach (var ax in axes)
            {
                var t = va * ax[0] + vb * ax[1] + vc * ax[2];
                var p = va * ax[3] + vb * ax[4] + vc * ax[5];
                var q = va * ax[6] + vb * ax[7] + vc * ax[8];
                var normal = p.Cross(q);
                double cos = Math.Abs(t.Normalized().Dot(normal.Normalized()));
                double angle = Math.Acos(Clamp(cos)) * 180 / Math.PI;
                if (angle > worst) worst = angle;
            }
            return worst;
        }

        /// <summary>The conventional cell with its lattice system's constraints: equal edges averaged, fixed angles set.</summary>
        private static UnitCell Ideal(UnitCell c, Kind kind)
        {
            switch (kind.System)
            {
                case LatticeSystem.Cubic: { double m = (c.A + c.B + c.C) / 3; return new UnitCell(m, m, m, 90, 90, 90); }
                case LatticeSystem.Hexagonal:
                case LatticeSystem.Rhombohedral: { double m = (c.A + c.B) / 2; return new UnitCell(m, m, c.C, 90, 90, 120); }
                case LatticeSystem.Tetragonal: { double m = (c.A + c.B) / 2; return new UnitCell(m, m, c.C, 90, 90, 90); }
                case LatticeSystem.Orthorhombic: return new UnitCell(c.A, c.B, c.C, 90, 90, 90);
                case LatticeSystem.Monoclinic: return new UnitCell(c.A, c.B, c.C, 90, c.Beta, 90);
                default: return c;
            }
        }
    }
}
