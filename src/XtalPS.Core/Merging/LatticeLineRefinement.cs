using System;
using System.Collections.Generic;
using XtalPS.Lattices;

namespace XtalPS.Merging
{
    /// <summary>
    /// Refines one image of a lattice-line merge against the lattice lines fitted from the other images: its scale G,
    /// a relative B factor (measured = G·exp(−B·s²/2)·I(h, k, z*), s = 1/d, so the scale follows the resolution instead of
    /// being one number), and its tilt geometry as (z*ₐ, z*_b), the z* that a* and b* sample (see
    /// <see cref="LatticeLineImageState"/>); the tilt angle and axis follow from them. This is the refinement 2dx_merge
    /// runs after a first merge — each image's TLTANG and TLTAXIS re-fitted against the merged lattice lines, then merged
    /// again (Gipson, Zeng, Zhang &amp; Stahlberg 2007, J. Struct. Biol. 160:375; the tilt parameters of one image against
    /// lattice lines as in Henderson et al. 1990, J. Mol. Biol. 213:899).
    /// <para>
    /// Weighted least squares, Gauss–Newton with step halving: residuals (I − G·e^(−Bs²/2)·L(z*))/σ', σ'² = σ² + (G·e^(−Bs²/2)·σ_L)²
    /// with σ_L the curve's own σ; the derivative in z* is the curve's slope (z* moves along the line as the tilt changes)
    /// plus the change of s² with z*. Residuals beyond 3σ' get Huber weights, so that a spot with a bad background does
    /// not pull the tilt. The tilt step's (z*ₐ, z*_b) enter as a prior with their covariance (from σ(z*) of the
    /// lattice fit) times <c>restraint</c>: the lattice distortion and the lattice lines are independent evidence on the
    /// same tilt, and the prior keeps an image with few usable lines from wandering. Only measurements inside the range
    /// of z* the other images cover count; curves from fewer than 5 measurements are left out.
    /// </para>
    /// </summary>
    internal static class LatticeLineRefinement
    {
        /// <summary>Refines <paramref name="st"/> in place; false when too few measurements lie on the other images' lines.</summary>
        public static bool Refine(LatticeLineObservation[] image, Dictionary<(int, int), LatticeLineCurve> curves, LatticeLineAsymmetricUnit asu,
            PlanarCell cell, int choice, LatticeLineImageState st, bool refineTilt, bool refineB, double restraint, double searchRadius = 0)
        {
            if (refineTilt && searchRadius > 0) Search(image, curves, asu, cell, choice, st, searchRadius);
            var p = new[] { Math.Log(st.G), st.B, st.ZA, st.ZB };
            var active = new List<int> { 0 };
            if (refineB) active.Add(1);
            if (refineTilt) { active.Add(2); active.Add(3); }
            double[] prior = st.PriorInverse != null && restraint > 0 ? st.PriorInverse : null!;
            double chi = Evaluate(image, curves, asu, cell, choice, p, active, prior, restraint, st, null, null, out int used);
            if (used < 20) return false;
            int m = active.Count;
            double[,] normal = new double[m, m];
            for (int iter = 0; iter < 10; iter++)
            {
                var n = new double[m, m]; var g = new double[m];
                Evaluate(image, curves, asu, cell, choice, p, active, prior, restraint, st, n, g, out used);
                var step = Solve(n, g);
                if (step == null) break;
                normal = n;
                double lambda = 1;
                bool improved = false;
                for (int half = 0; half < 6; half++, lambda /= 2)
                {
                    var q = (double[])p.Clone();
                    for (int i = 0; i < m; i++) q[active[i]] += lambda * step[i];
                    double c = Evaluate(image, curves, asu, cell, choice, q, active, prior, restraint, st, null, null, out int u2);
                    if (c < chi && u2 >= 20) { p = q; chi = c; improved = true; break; }
                }
                if (!improved) break;
                double size = 0;
                for (int i = 0; i < m; i++) size = Math.Max(size, Math.Abs(lambda * step[i]) * Math.Sqrt(n[i, i]));
                if (size < 1e-3) break;
            }
            st.G = Math.Exp(p[0]); st.B = p[1]; st.ZA = p[2]; st.ZB = p[3]; st.Used = used; st.Misfit = chi / Math.Max(1, used);
            if (refineTilt)
            {
                // Covariance of (z*ₐ, z*_b): the inverse normal matrix, scaled by the reduced χ² when that exceeds 1.
                var inv = Invert(normal);
                if (inv != null)
                {
                    double red = Math.Max(1, chi / Math.Max(1, used - m));
                    int ia = active.IndexOf(2), ib = active.IndexOf(3);
                    st.CovAA = red * inv[ia, ia]; st.CovAB = red * inv[ia, ib]; st.CovBB = red * inv[ib, ib];
                }
            }
            return true;
        }

        /// <summary>
        /// A grid search before the local refinement, for patterns whose lattice distortion misled the tilt step (a 1 %
        /// elliptical distortion of the pattern looks like an 8° tilt, so at low tilt the axis can be wrong by tens of
        /// degrees): m = tan θ·n̂ (z*(g) = −g·m, a Cartesian parameter that has no singularity at θ = 0) is stepped over a
        /// square of half-width <paramref name="radius"/> around the current value in steps of radius/16; at each point the
        /// scale is the least-squares one and the score is the reduced χ² over the measurements inside the other images'
        /// z* range (points that keep fewer than 80 % of the best count are not considered). The best point is the start.
        /// </summary>
        /// <summary>The grid search of <see cref="Refine"/> for each of <paramref name="choices"/>: moves the tilt of
        /// <paramref name="st"/> to the best point of the best choice and returns that choice.</summary>
        public static int SearchChoices(LatticeLineObservation[] image, Dictionary<(int, int), LatticeLineCurve> curves, LatticeLineAsymmetricUnit asu,
            PlanarCell cell, int[] choices, LatticeLineImageState st, double radius)
        {
            double best = double.PositiveInfinity; int chosen = choices[0]; double za = st.ZA, zb = st.ZB;
            foreach (int c in choices)
            {
                var trial = new LatticeLineImageState { ZA = st.ZA, ZB = st.ZB, B = st.B };
                double score = Search(image, curves, asu, cell, c, trial, radius);
                if (score < best) { best = score; chosen = c; za = trial.ZA; zb = trial.ZB; }
            }
            st.ZA = za; st.ZB = zb;
            return chosen;
        }

        private static double Search(LatticeLineObservation[] image, Dictionary<(int, int), LatticeLineCurve> curves, LatticeLineAsymmetricUnit asu,
            PlanarCell cell, int choice, LatticeLineImageState st, double radius)
        {
            var (ax, ay, bx, by) = cell.ReciprocalBasis();
            const int steps = 16;
            double h = radius / steps;
            var score = new double[2 * steps + 1, 2 * steps + 1];
            var count = new int[2 * steps + 1, 2 * steps + 1];
            int most = 0;
            for (int i = -steps; i <= steps; i++)
                for (int j = -steps; j <= steps; j++)
                {
                    double dx = i * h, dy = j * h;
                    double za = st.ZA - (ax * dx + ay * dy), zb = st.ZB - (bx * dx + by * dy);
                    double sii = 0, sip = 0, spp = 0; int n = 0;
                    foreach (var o in image)
                    {
                        var (hh, kk, zm) = asu.Map(o.H, o.K, o.H * za + o.K * zb, choice, out bool even);
                        if (!curves.TryGetValue((hh, kk), out var c) || c.Count < 5) continue;
                        double zc = even ? Math.Abs(zm) : zm;
                        if (zc < c.ZMin || zc > c.ZMax) continue;
                        double w = 1 / (o.S * o.S), pr = c.Value(zm);
                        if (st.B != 0) { double g = cell.PlanarReciprocalLength(hh, kk); pr *= Math.Exp(-st.B * (g * g + zm * zm) / 2); }
                        sii += w * o.I * o.I; sip += w * o.I * pr; spp += w * pr * pr; n++;
                    }
                    count[i + steps, j + steps] = n;
                    score[i + steps, j + steps] = n > 0 && spp > 0 ? (sii - sip * sip / spp) / n : double.PositiveInfinity;
                    most = Math.Max(most, n);
                }
            double best = double.PositiveInfinity; int bi = 0, bj = 0;
            for (int i = 0; i <= 2 * steps; i++)
                for (int j = 0; j <= 2 * steps; j++)
                    if (count[i, j] >= 0.8 * most && score[i, j] < best) { best = score[i, j]; bi = i - steps; bj = j - steps; }
            double mx = bi * h, my = bj * h;
            st.ZA -= ax * mx + ay * my; st.ZB -= bx * mx + by * my;
            return best;
        }

        /// <summary>χ² (with the prior) at <paramref name="p"/> = (ln G, B, z*ₐ, z*_b); with <paramref name="n"/> and
        /// <paramref name="g"/> also the normal matrix JᵀWJ and JᵀW·r of the active parameters.</summary>
        private static double Evaluate(LatticeLineObservation[] image, Dictionary<(int, int), LatticeLineCurve> curves, LatticeLineAsymmetricUnit asu,
            PlanarCell cell, int choice, double[] p, List<int> active, double[] prior, double restraint, LatticeLineImageState st,
            double[,]? n, double[]? g, out int used)
        {
            double gScale = Math.Exp(p[0]), b = p[1], za = p[2], zb = p[3];
            double chi = 0; used = 0;
            var j = new double[4];
            int m = active.Count;
            foreach (var o in image)
            {
                double z = o.H * za + o.K * zb;
                var (h, k, zm) = asu.Map(o.H, o.K, z, choice, out bool even);
                if (!curves.TryGetValue((h, k), out var c) || c.Count < 5) continue;
                double zc = even ? Math.Abs(zm) : zm;
                if (zc < c.ZMin || zc > c.ZMax) continue;
                double f = asu.Map(o.H, o.K, 1.0, choice, out _).Z;
                double value = c.Value(zm), sigma = c.Sigma(zm);
                double gg = cell.PlanarReciprocalLength(h, k), s2 = gg * gg + zm * zm;
                double e = gScale * Math.Exp(-b * s2 / 2);
                double model = e * value, r = o.I - model;
                double v = o.S * o.S + e * e * sigma * sigma;
                if (!(v > 0)) continue;
                double w = 1 / v, t = Math.Abs(r) * Math.Sqrt(w);
                // Huber: quadratic to 3σ', linear beyond.
                double rho = t <= 3 ? t * t : 6 * t - 9;
                chi += rho; used++;
                if (n == null || g == null) continue;
                if (t > 3) w *= 3 / t;
                double slope = c.Slope(zm);
                double dz = e * f * (slope - b * zm * value);
                j[0] = model; j[1] = -s2 / 2 * model; j[2] = dz * o.H; j[3] = dz * o.K;
                for (int a = 0; a < m; a++)
                {
                    g[a] += w * j[active[a]] * r;
                    for (int q = 0; q < m; q++) n[a, q] += w * j[active[a]] * j[active[q]];
                }
            }
            if (prior != null)
            {
                double da = za - st.PriorA, db = zb - st.PriorB;
                chi += restraint * (prior[0] * da * da + 2 * prior[1] * da * db + prior[2] * db * db);
                if (n != null && g != null)
                {
                    int ia = active.IndexOf(2), ib = active.IndexOf(3);
                    if (ia >= 0 && ib >= 0)
                    {
                        n[ia, ia] += restraint * prior[0]; n[ia, ib] += restraint * prior[1]; n[ib, ia] += restraint * prior[1]; n[ib, ib] += restraint * prior[2];
                        g[ia] -= restraint * (prior[0] * da + prior[1] * db); g[ib] -= restraint * (prior[1] * da + prior[2] * db);
                    }
                }
            }
            return chi;
        }

        /// <summary>Solves the symmetric system n·x = b (Gaussian elimination with partial pivoting); null when singular.</summary>
        internal static double[]? Solve(double[,] n, double[] b)
        {
            var inv = Invert(n);
            if (inv == null) return null;
            int m = b.Length;
            var x = new double[m];
            for (int i = 0; i < m; i++) for (int k = 0; k < m; k++) x[i] += inv[i, k] * b[k];
            return x;
        }

        private static double[,]? Invert(double[,] a)
        {
            int n = a.GetLength(0);
            var m = new double[n, 2 * n];
            double scale = 0;
            for (int i = 0; i < n; i++) { for (int j = 0; j < n; j++) { m[i, j] = a[i, j]; scale = Math.Max(scale, Math.Abs(a[i, j])); } m[i, n + i] = 1; }
            if (!(scale > 0)) return null;
            for (int col = 0; col < n; col++)
            {
                int piv = col;
                for (int r = col + 1; r < n; r++) if (Math.Abs(m[r, col]) > Math.Abs(m[piv, col])) piv = r;
                if (Math.Abs(m[piv, col]) < 1e-300) return null;
                if (piv != col) for (int j = 0; j < 2 * n; j++) { var t = m[col, j]; m[col, j] = m[piv, j]; m[piv, j] = t; }
                double d = m[col, col];
                for (int j = 0; j < 2 * n; j++) m[col, j] /= d;
                for (int r = 0; r < n; r++)
                {
                    if (r == col) continue;
                    double f = m[r, col];
                    if (f == 0) continue;
                    for (int j = 0; j < 2 * n; j++) m[r, j] -= f * m[col, j];
                }
            }
            var inv = new double[n, n];
            for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) inv[i, j] = m[i, n + j];
            return inv;
        }
    }
}
