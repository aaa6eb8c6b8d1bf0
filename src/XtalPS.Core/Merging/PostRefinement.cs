using System;
using XtalPS.Geometry;

namespace XtalPS.Merging
{
    /// <summary>
    /// Refines one lattice against reference intensities: observed I = G·exp(−B/(2d²))·P(ε, g; σ_h)·I_ref, with the
    /// setting matrix turned by small rotations θx, θy about the two lab axes perpendicular to the beam (the
    /// orientation a still determines worst), the rlp width σ_h and the angular spread η of <see cref="PartialityModel"/>.
    /// Damped Gauss–Newton (Levenberg–Marquardt) on (ln G, B, θx, θy, ln σ_h, ln η) with numerical derivatives, weights
    /// 1/σ'² from the error model.
    /// </summary>
    /// <remarks>The same unknowns as CrystFEL partialator's post-refinement (White et al. 2016, J. Appl. Cryst. 49:680;
    /// Kabsch 2014, Acta Cryst. D70:2204) and cctbx.xfel.merge's postrefinement (Sauter 2015, Acta Cryst. D71:1412;
    /// Uervirojnangkoorn et al. 2015, eLife 4:e05421): scale, B, two rotations and the rlp size (with
    /// PRIME's mosaic term as η); the cell is kept.</remarks>
    public static class PostRefinement
    {
        private const int MaxIterations = 20;
        private const double MaxRotation = 0.01;   // rad (0.57°): a still's orientation is never that far off

        /// <summary>Refines lattice <paramref name="lattice"/>; <paramref name="reference"/> holds I_ref per unique reflection (NaN = none).
        /// With <paramref name="scaleOnly"/> only G and B move. Returns the number of observations used.</summary>
        public static int Refine(ObservationStore obs, LatticeTable lattices, int lattice, double[] reference, ErrorModel errorModel, bool scaleOnly)
        {
            int first = lattices.FirstObservation[lattice], count = lattices.ObservationCount[lattice];
            var a0 = lattices.SettingMatrix[lattice];
            var s0 = lattices.S0[lattice];
            double cbrtV = PartialityModel.CubeRootVolume(a0);
            // The observations with a reference value.
            var use = new int[count]; int n = 0;
            for (int i = first; i < first + count; i++)
            {
                int r = obs.Reflection[i];
                if (r < 0 || (obs.Flags[i] & ObservationStore.Rejected) != 0 || !(obs.Sigma[i] > 0)) continue;
                if (double.IsNaN(reference[r])) continue;
                use[n++] = i;
            }
            int np = scaleOnly ? 2 : 6;
            if (n < np + 3) return n;
            var p = new double[] { Math.Log(Math.Max(lattices.Scale[lattice], 1e-30)), lattices.BFactor[lattice], lattices.RotationX[lattice],
                lattices.RotationY[lattice], Math.Log(lattices.RlpWidth[lattice]), Math.Log(lattices.Mosaicity[lattice]) };
            var weight = new double[n];
            var res = new double[n]; var trial = new double[n];
            var jac = new double[np * n];
            // Weights from the error model at the starting parameters (fixed during the fit, so the cost is well defined).
            Predict(obs, use, n, a0, s0, cbrtV, reference, p, res);
            for (int j = 0; j < n; j++)
            {
                double s = errorModel.Apply(obs.Sigma[use[j]], Math.Abs(res[j]));
                weight[j] = 1 / s;
            }
            double cost = Cost(obs, use, n, weight, res);
            double lambda = 1e-3;
            var step = new double[np];
            var pt = new double[6];
            for (int it = 0; it < MaxIterations; it++)
            {
                // Jacobian of the weighted residuals (I_obs − model)·w by forward differences.
                for (int q = 0; q < np; q++)
                {
                    double h = q == 0 ? 1e-6 : q == 1 ? 1e-4 : q == 4 ? 1e-6 : q == 5 ? 1e-4 : 1e-7;
                    Array.Copy(p, pt, 6); pt[q] += h;
                    Predict(obs, use, n, a0, s0, cbrtV, reference, pt, trial);
                    for (int j = 0; j < n; j++) jac[q * n + j] = -(trial[j] - res[j]) * weight[j] / h;
                }
                var jtj = new double[np, np]; var jtr = new double[np];
                for (int j = 0; j < n; j++)
                {
                    double rj = (obs.Intensity[use[j]] - res[j]) * weight[j];
                    for (int q = 0; q < np; q++)
                    {
                        double jq = jac[q * n + j];
                        jtr[q] += jq * rj;
                        for (int s = 0; s <= q; s++) jtj[q, s] += jq * jac[s * n + j];
                    }
                }
                for (int q = 0; q < np; q++) for (int s = 0; s < q; s++) jtj[s, q] = jtj[q, s];
                bool improved = false;
                for (int attempt = 0; attempt < 8 && !improved; attempt++)
                {
                    var m = (double[,])jtj.Clone();
                    for (int q = 0; q < np; q++) m[q, q] += lambda * (jtj[q, q] > 0 ? jtj[q, q] : 1);
                    if (!Solve(m, jtr, step, np)) { lambda *= 10; continue; }
                    Array.Copy(p, pt, 6);
                    for (int q = 0; q < np; q++) pt[q] -= step[q];
                    Clamp(pt);
                    Predict(obs, use, n, a0, s0, cbrtV, reference, pt, trial);
                    double c = Cost(obs, use, n, weight, trial);
                    if (c < cost)
                    {
                        bool small = cost - c < 1e-7 * cost;
                        Array.Copy(pt, p, 6); Array.Copy(trial, res, n); cost = c; lambda = Math.Max(lambda / 10, 1e-9); improved = true;
                        if (small) it = MaxIterations;
                    }
                    else lambda *= 10;
                }
                if (!improved) break;
            }
            lattices.Scale[lattice] = Math.Exp(p[0]);
            lattices.BFactor[lattice] = p[1];
            if (!scaleOnly)
            {
                lattices.RotationX[lattice] = p[2]; lattices.RotationY[lattice] = p[3]; lattices.RlpWidth[lattice] = Math.Exp(p[4]);
                lattices.Mosaicity[lattice] = Math.Exp(p[5]);
            }
            return n;
        }

        private static void Clamp(double[] p)
        {
            p[0] = Math.Max(-60, Math.Min(60, p[0]));
            p[1] = Math.Max(-100, Math.Min(200, p[1]));
            p[2] = Math.Max(-MaxRotation, Math.Min(MaxRotation, p[2]));
            p[3] = Math.Max(-MaxRotation, Math.Min(MaxRotation, p[3]));
            p[4] = Math.Max(Math.Log(PartialityModel.MinWidth), Math.Min(Math.Log(PartialityModel.MaxWidth), p[4]));
            p[5] = Math.Max(Math.Log(PartialityModel.MinMosaicity), Math.Min(Math.Log(PartialityModel.MaxMosaicity), p[5]));
        }

        /// <summary>Model intensities of the used observations at parameters p.</summary>
        private static void Predict(ObservationStore obs, int[] use, int n, Mat3 a0, Vec3 s0, double cbrtV, double[] reference, double[] p, double[] model)
        {
            var a = LatticeTable.Rotated(a0, p[2], p[3]);
            var inv = a.Inverse();
            double g0 = Math.Exp(p[0]), width = Math.Exp(p[4]), mosaic = Math.Exp(p[5]);
            for (int j = 0; j < n; j++)
            {
                int i = use[j];
                PartialityModel.Geometry(a, inv, s0, obs.H[i], obs.K[i], obs.L[i], out double eps, out double g);
                double f = PartialityModel.Factor(eps, g, width, mosaic, obs.InvD2[i], cbrtV);
                model[j] = g0 * Math.Exp(-0.5 * p[1] * obs.InvD2[i]) * f * reference[obs.Reflection[i]];
            }
        }

        private static double Cost(ObservationStore obs, int[] use, int n, double[] weight, double[] model)
        {
            double c = 0;
            for (int j = 0; j < n; j++) { double r = (obs.Intensity[use[j]] - model[j]) * weight[j]; c += r * r; }
            return c;
        }

        /// <summary>Gaussian elimination with partial pivoting; false when singular.</summary>
        private static bool Solve(double[,] m, double[] b, double[] x, int n)
        {
            var a = new double[n, n + 1];
            for (int i = 0; i < n; i++) { for (int j = 0; j < n; j++) a[i, j] = m[i, j]; a[i, n] = b[i]; }
            for (int c = 0; c < n; c++)
            {
                int piv = c;
                for (int r = c + 1; r < n; r++) if (Math.Abs(a[r, c]) > Math.Abs(a[piv, c])) piv = r;
                if (!(Math.Abs(a[piv, c]) > 1e-300)) return false;
                if (piv != c) for (int j = c; j <= n; j++) { double t = a[c, j]; a[c, j] = a[piv, j]; a[piv, j] = t; }
                for (int r = c + 1; r < n; r++)
                {
                    double f = a[r, c] / a[c, c];
                    for (int j = c; j <= n; j++) a[r, j] -= f * a[c, j];
                }
            }
            for (int i = n - 1; i >= 0; i--)
            {
                double s = a[i, n];
                for (int j = i + 1; j < n; j++) s -= a[i, j] * x[j];
                x[i] = s / a[i, i];
            }
            return true;
        }
    }
}
