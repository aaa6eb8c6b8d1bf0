using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using XtalPS.Geometry;
using XtalPS.Lattices;

namespace XtalPS.Merging
{
    /// <summary>
    /// The ways one still can be indexed that the space group does not make equivalent: when the lattice has more
    /// symmetry than the Laue class (P6₃, P4₃, P3₁21, I2₁3, … — merohedry), or nearly so by accident of the cell
    /// (pseudo-merohedry), every reindexing h' = M·h by a lattice symmetry M outside the Laue group explains the spots
    /// equally well but pairs them with other structure factors. The operators are the coset representatives of the
    /// Laue group in the lattice's symmetry: integer matrices with entries −1, 0, 1 that keep the reciprocal metric of
    /// the cell within a tolerance, one per coset, the identity first.
    /// </summary>
    /// <remarks>Matrices act on column indices, h' = M·h, stored row by row. Only proper rotations are searched: the
    /// Laue group holds the inversion, so the improper ones fall in the same cosets.</remarks>
    public sealed class IndexingAmbiguity
    {
        private readonly int[][] _ops;
        private readonly int[][] _laue;

        private IndexingAmbiguity(int[][] ops, int[][] laue) { _ops = ops; _laue = laue; }

        /// <summary>Number of distinct indexings (1 when there is no ambiguity).</summary>
        public int Count => _ops.Length;

        /// <summary>Operator <paramref name="k"/> (row by row, acting on column indices); operator 0 is the identity.</summary>
        public int[] Operator(int k) => (int[])_ops[k].Clone();

        /// <summary>The reindexing h' = M_k·h.</summary>
        public (int H, int K, int L) Apply(int k, int h, int kk, int l)
        {
            var m = _ops[k];
            return (m[0] * h + m[1] * kk + m[2] * l, m[3] * h + m[4] * kk + m[5] * l, m[6] * h + m[7] * kk + m[8] * l);
        }

        /// <summary>M_k as a real matrix (for transforming setting matrices: A' = A·M⁻¹ keeps A'·h' = A·h).</summary>
        public Mat3 Matrix(int k)
        {
            var m = _ops[k];
            return new Mat3(m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8]);
        }

        /// <summary>The coset of M_a·M_b (the operator that does b then a), as an index into this list.</summary>
        public int Compose(int a, int b) => CosetOf(Multiply(_ops[a], _ops[b]));

        /// <summary>The coset of M_k⁻¹.</summary>
        public int Inverse(int k)
        {
            for (int j = 0; j < _ops.Length; j++) if (CosetOf(Multiply(_ops[k], _ops[j])) == 0) return j;
            return 0;
        }

        /// <summary>The operator in crystallographic notation, e.g. "k,h,-l".</summary>
        public string Describe(int k)
        {
            var m = _ops[k];
            var parts = new string[3];
            string[] names = { "h", "k", "l" };
            for (int i = 0; i < 3; i++)
            {
                var sb = new StringBuilder();
                for (int j = 0; j < 3; j++)
                {
                    int c = m[3 * i + j];
                    if (c == 0) continue;
                    if (c < 0) sb.Append('-'); else if (sb.Length > 0) sb.Append('+');
                    if (Math.Abs(c) != 1) sb.Append(Math.Abs(c).ToString(CultureInfo.InvariantCulture));
                    sb.Append(names[j]);
                }
                parts[i] = sb.Length > 0 ? sb.ToString() : "0";
            }
            return string.Join(",", parts);
        }

        /// <summary>The distinct indexings of a crystal of <paramref name="group"/> with cell <paramref name="cell"/>:
        /// lattice symmetries whose metric differs from the cell's by less than <paramref name="tolerance"/> (relative,
        /// per element of the reciprocal metric tensor), one per coset of the Laue group.</summary>
        public static IndexingAmbiguity Find(SpaceGroup group, UnitCell cell, double tolerance = 0.02)
        {
            if (group == null) throw new ArgumentNullException(nameof(group));
            var b = cell.BMatrix;
            var g = b.Transpose() * b;   // reciprocal metric G* (h·G*·h = 1/d²)
            var gm = g.ToArray();
            // Laue rotations in column form: the group stores them acting on row vectors (h' = hᵀR), so M = Rᵀ.
            var laue = new List<int[]>();
            foreach (var r in group.LaueRotations)
                laue.Add(new[] { r[0], r[3], r[6], r[1], r[4], r[7], r[2], r[5], r[8] });
            var ops = new List<int[]> { new[] { 1, 0, 0, 0, 1, 0, 0, 0, 1 } };
            var m = new int[9];
            for (int code = 0; code < 19683; code++)
            {
                int c = code;
                for (int i = 0; i < 9; i++) { m[i] = c % 3 - 1; c /= 3; }
                if (Determinant(m) != 1) continue;
                if (!KeepsMetric(m, gm, tolerance)) continue;
                bool known = false;
                foreach (var rep in ops)
                    if (SameCoset(m, rep, laue)) { known = true; break; }
                if (!known) ops.Add((int[])m.Clone());
            }
            return new IndexingAmbiguity(ops.ToArray(), laue.ToArray());
        }

        private int CosetOf(int[] m)
        {
            for (int k = 0; k < _ops.Length; k++) if (SameCoset(m, _ops[k], _laue)) return k;
            return 0;
        }

        /// <summary>True when M = L·K for some Laue rotation L.</summary>
        private static bool SameCoset(int[] m, int[] k, List<int[]> laue)
        {
            foreach (var l in laue) if (Equal(Multiply(l, k), m)) return true;
            return false;
        }

        private static bool SameCoset(int[] m, int[] k, int[][] laue)
        {
            foreach (var l in laue) if (Equal(Multiply(l, k), m)) return true;
            return false;
        }

        private static bool KeepsMetric(int[] m, double[] g, double tolerance)
        {
            // (Mᵀ G M)_ij against G_ij, relative to √(G_ii G_jj).
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++)
                {
                    double s = 0;
                    for (int p = 0; p < 3; p++)
                        for (int q = 0; q < 3; q++)
                            s += m[3 * p + i] * g[3 * p + q] * m[3 * q + j];
                    if (Math.Abs(s - g[3 * i + j]) > tolerance * Math.Sqrt(g[4 * i] * g[4 * j])) return false;
                }
            return true;
        }

        private static int[] Multiply(int[] a, int[] b)
        {
            var c = new int[9];
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++)
                    c[3 * i + j] = a[3 * i] * b[j] + a[3 * i + 1] * b[3 + j] + a[3 * i + 2] * b[6 + j];
            return c;
        }

        private static bool Equal(int[] a, int[] b)
        {
            for (int i = 0; i < 9; i++) if (a[i] != b[i]) return false;
            return true;
        }

        private static int Determinant(int[] r) =>
            r[0] * (r[4] * r[8] - r[5] * r[7]) - r[1] * (r[3] * r[8] - r[5] * r[6]) + r[2] * (r[3] * r[7] - r[4] * r[6]);
    }
}
