using System;
using System.Collections.Generic;
using XtalPS.Geometry;
using XtalPS.Integration;
using XtalPS.Lattices;

namespace XtalPS.Extraction
{
    /// <summary>
    /// Weighted least squares of origin, A and B of a <see cref="PlanarLattice"/> against measured centres
    /// (IPLT's lattice refinement after LatticeGaussianExtract; 2dx's least-squares lattice fit). Gauss–Newton,
    /// so barrel/spiral distortion terms (held fixed) are honoured; weights 1/σ² from the fit uncertainties with a
    /// floor, and points more than <see cref="RejectionLimit"/> σ off (and 0.5 px) are dropped and the fit repeated.
    /// </summary>
    public sealed class PlanarLatticeRefiner : ILatticeRefiner
    {
        /// <summary>Smallest positional σ used for weighting, px.</summary>
        public double SigmaFloor { get; set; } = 0.02;
        /// <summary>Residual (in σ) beyond which a centre is treated as an outlier.</summary>
        public double RejectionLimit { get; set; } = 6;
        /// <summary>Fewest centres needed to refine; with fewer the lattice is returned unchanged.</summary>
        public int MinReflections { get; set; } = 6;

        public Lattice Refine(Lattice lattice, IReadOnlyList<Reflection> reflections)
        {
            if (!(lattice is PlanarLattice planar)) throw new ArgumentException("PlanarLatticeRefiner refines planar lattices only.", nameof(lattice));
            int n = reflections.Count;
            if (n < MinReflections) return lattice;
            var use = new bool[n];
            var wts = new double[n];
            for (int i = 0; i < n; i++)
            {
                var r = reflections[i];
                use[i] = !double.IsNaN(r.X) && !double.IsNaN(r.Y);
                double sx = double.IsNaN(r.XSigma) ? 0.3 : r.XSigma, sy = double.IsNaN(r.YSigma) ? 0.3 : r.YSigma;
                double s2 = Math.Max(SigmaFloor * SigmaFloor, 0.5 * (sx * sx + sy * sy));
                wts[i] = 1 / s2;
            }
            var current = planar;
            int used = 0;
            for (int round = 0; round < 4; round++)
            {
                for (int it = 0; it < 4; it++)
                {
                    var next = Step(current, reflections, use, wts, out used);
                    if (next == null) return lattice;
                    double move = (next.Origin - current.Origin).Length + (next.A - current.A).Length + (next.B - current.B).Length;
                    current = next;
                    if (move < 1e-9) break;
                }
                int dropped = 0;
                for (int i = 0; i < n; i++)
                {
                    if (!use[i]) continue;
                    var r = reflections[i];
                    var p = current.Predict(r.H, r.K);
                    double d2 = (p.X - r.X) * (p.X - r.X) + (p.Y - r.Y) * (p.Y - r.Y);
                    if (d2 * wts[i] > RejectionLimit * RejectionLimit && d2 > 0.25) { use[i] = false; dropped++; }
                }
                if (dropped == 0) break;
            }
            double ss = 0; int m = 0;
            for (int i = 0; i < n; i++)
            {
                if (!use[i]) continue;
                var r = reflections[i];
                var p = current.Predict(r.H, r.K);
                ss += (p.X - r.X) * (p.X - r.X) + (p.Y - r.Y) * (p.Y - r.Y);
                m++;
            }
            return current.With(current.Origin, current.A, current.B, m, m > 0 ? Math.Sqrt(ss / m) : double.NaN);
        }

        /// <summary>One Gauss–Newton step on (Ox, Oy, Ax, Ay, Bx, By); derivatives by central differences.</summary>
        private PlanarLattice? Step(PlanarLattice lat, IReadOnlyList<Reflection> refl, bool[] use, double[] wts, out int used)
        {
            var nm = new double[36];
            var g = new double[6];
            var p0 = new[] { lat.Origin.X, lat.Origin.Y, lat.A.X, lat.A.Y, lat.B.X, lat.B.Y };
            bool linear = lat.BarrelDistortion == 0 && lat.SpiralDistortion == 0;
            var plus = new PlanarLattice[6];
            var minus = new PlanarLattice[6];
            const double h = 1e-3;
            if (!linear)
                for (int k = 0; k < 6; k++) { plus[k] = Build(lat, p0, k, h); minus[k] = Build(lat, p0, k, -h); }
            var jx = new double[6];
            var jy = new double[6];
            used = 0;
            for (int i = 0; i < refl.Count; i++)
            {
                if (!use[i]) continue;
                var r = refl[i];
                var p = lat.Predict(r.H, r.K);
                double rx = r.X - p.X, ry = r.Y - p.Y, w = wts[i];
                if (linear)
                {
                    jx[0] = 1; jx[1] = 0; jx[2] = r.H; jx[3] = 0; jx[4] = r.K; jx[5] = 0;
                    jy[0] = 0; jy[1] = 1; jy[2] = 0; jy[3] = r.H; jy[4] = 0; jy[5] = r.K;
                }
                else
                {
                    for (int k = 0; k < 6; k++)
                    {
                        var a = plus[k].Predict(r.H, r.K); var b = minus[k].Predict(r.H, r.K);
                        jx[k] = (a.X - b.X) / (2 * h); jy[k] = (a.Y - b.Y) / (2 * h);
                    }
                }
                for (int a = 0; a < 6; a++)
                {
                    g[a] += w * (jx[a] * rx + jy[a] * ry);
                    for (int b = 0; b < 6; b++) nm[a * 6 + b] += w * (jx[a] * jx[b] + jy[a] * jy[b]);
                }
                used++;
            }
            if (used < MinReflections || !SolveSpd(nm, g, 6)) return null;
            var q = new double[6];
            for (int k = 0; k < 6; k++) q[k] = p0[k] + g[k];
            var A = new Vec2(q[2], q[3]); var B = new Vec2(q[4], q[5]);
            if (Math.Abs(A.Cross(B)) < 1e-9) return null;
            return lat.With(new Vec2(q[0], q[1]), A, B, used, double.NaN);
        }

        private static PlanarLattice Build(PlanarLattice lat, double[] p0, int k, double step)
        {
            var q = (double[])p0.Clone();
            q[k] += step;
            return lat.With(new Vec2(q[0], q[1]), new Vec2(q[2], q[3]), new Vec2(q[4], q[5]), lat.IndexedCount, lat.Rmsd);
        }

        /// <summary>Solves a symmetric positive-definite system in place (Cholesky); b receives x.</summary>
        internal static bool SolveSpd(double[] a, double[] b, int n)
        {
            var l = (double[])a.Clone();
            for (int j = 0; j < n; j++)
            {
                double d = l[j * n + j];
                for (int k = 0; k < j; k++) d -= l[j * n + k] * l[j * n + k];
                if (!(d > 1e-300)) return false;
                d = Math.Sqrt(d);
                l[j * n + j] = d;
                for (int i = j + 1; i < n; i++)
                {
                    double s = l[i * n + j];
                    for (int k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
                    l[i * n + j] = s / d;
                }
            }
            for (int i = 0; i < n; i++)
            {
                double s = b[i];
                for (int k = 0; k < i; k++) s -= l[i * n + k] * b[k];
                b[i] = s / l[i * n + i];
            }
            for (int i = n - 1; i >= 0; i--)
            {
                double s = b[i];
                for (int k = i + 1; k < n; k++) s -= l[k * n + i] * b[k];
                b[i] = s / l[i * n + i];
            }
            return true;
        }
    }
}
