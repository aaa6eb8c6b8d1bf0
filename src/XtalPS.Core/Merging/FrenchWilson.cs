using System;
using XtalPS.Lattices;

namespace XtalPS.Merging
{
    /// <summary>
    /// Amplitudes from merged intensities by French &amp; Wilson 1978 (Acta Cryst. A34:517): the posterior mean of |F|
    /// given the measured I and σ, under Wilson's prior for the true intensity J — exponential, p(J) = e^(−J/Σ)/Σ, for
    /// acentric reflections and p(J) ∝ e^(−J/2Σ)/√J for centric ones, Σ = ε·⟨I⟩ of the resolution shell (ε the
    /// epsilon factor of the reflection) — and a Gaussian likelihood of I. F = E[√J], SIGF = √(E[J] − F²). Weak and
    /// negative intensities so get small positive amplitudes instead of being lost.
    /// </summary>
    /// <remarks>The posterior moments are integrated numerically over F = √J on a grid from 0 to √(max(I, 0) + 10σ +
    /// 3Σ), which covers both the likelihood and the prior's tail; the integrand has no singularity in F (the centric
    /// 1/√J cancels the Jacobian 2F). ⟨I⟩ is the mean merged intensity over ε in shells of equal count in 1/d².</remarks>
    public static class FrenchWilson
    {
        private const int Shells = 20, Steps = 400;

        /// <summary>F and SIGF per reflection of <paramref name="m"/> (NaN where the intensity or σ is missing).</summary>
        public static void Amplitudes(MergedReflections m, out double[] f, out double[] sigF)
        {
            if (m == null) throw new ArgumentNullException(nameof(m));
            int n = m.Count;
            f = new double[n]; sigF = new double[n];
            var group = m.SpaceGroup;
            var eps = new int[n];
            for (int r = 0; r < n; r++) eps[r] = Math.Max(1, group.Epsilon(m.H[r], m.K[r], m.L[r]));
            var shellMean = ShellMeans(m, eps, out var shellOf);
            for (int r = 0; r < n; r++)
            {
                double i = m.Intensity[r], s = m.Sigma[r];
                if (double.IsNaN(i) || !(s > 0) || shellOf[r] < 0) { f[r] = double.NaN; sigF[r] = double.NaN; continue; }
                double sigma = eps[r] * shellMean[shellOf[r]];
                Posterior(i, s, sigma, m.Centric[r], out f[r], out sigF[r]);
            }
        }

        /// <summary>Posterior mean and SD of √J for one reflection of intensity <paramref name="i"/> ± <paramref name="s"/>
        /// under the Wilson prior of mean <paramref name="wilson"/>.</summary>
        public static void Posterior(double i, double s, double wilson, bool centric, out double f, out double sigF)
        {
            double top = Math.Sqrt(Math.Max(i, 0) + 10 * s + 3 * wilson);
            double h = top / Steps;
            double maxLog = double.NegativeInfinity;
            // Two passes: the largest log weight first (so the exponentials never underflow), then the moments.
            for (int j = 1; j <= Steps; j++) maxLog = Math.Max(maxLog, LogWeight((j - 0.5) * h, i, s, wilson, centric));
            double w0 = 0, w1 = 0, w2 = 0;
            for (int j = 1; j <= Steps; j++)
            {
                double x = (j - 0.5) * h;
                double w = Math.Exp(LogWeight(x, i, s, wilson, centric) - maxLog);
                w0 += w; w1 += w * x; w2 += w * x * x;
            }
            f = w1 / w0;
            sigF = Math.Sqrt(Math.Max(0, w2 / w0 - f * f));
        }

        /// <summary>ln of prior(J)·likelihood(I | J)·dJ/dF at F = <paramref name="x"/>, up to a constant.</summary>
        private static double LogWeight(double x, double i, double s, double wilson, bool centric)
        {
            double j = x * x, d = (i - j) / s;
            return centric ? -j / (2 * wilson) - 0.5 * d * d : -j / wilson - 0.5 * d * d + Math.Log(x);
        }

        /// <summary>Mean of I/ε per shell of equal count in 1/d² (positive: a shell whose mean is not positive takes the
        /// mean |I|/ε, or 1), and the shell of each reflection (−1 when it has no intensity).</summary>
        private static double[] ShellMeans(MergedReflections m, int[] eps, out int[] shellOf)
        {
            int n = m.Count;
            shellOf = new int[n];
            var keys = new double[n]; var idx = new int[n]; int used = 0;
            for (int r = 0; r < n; r++)
            {
                shellOf[r] = -1;
                if (double.IsNaN(m.Intensity[r]) || !(m.Sigma[r] > 0) || !(m.D[r] > 0)) continue;
                keys[used] = 1 / (m.D[r] * m.D[r]); idx[used] = r; used++;
            }
            Array.Sort(keys, idx, 0, used);
            int shells = Math.Max(1, Math.Min(Shells, used / 50));
            var sum = new double[shells]; var abs = new double[shells]; var count = new int[shells];
            for (int k = 0; k < used; k++)
            {
                int b = (int)((long)k * shells / used), r = idx[k];
                shellOf[r] = b;
                sum[b] += m.Intensity[r] / eps[r]; abs[b] += Math.Abs(m.Intensity[r]) / eps[r]; count[b]++;
            }
            var mean = new double[shells];
            for (int b = 0; b < shells; b++)
            {
                double v = count[b] > 0 ? sum[b] / count[b] : 0;
                if (!(v > 0)) v = count[b] > 0 && abs[b] > 0 ? abs[b] / count[b] : 1;
                mean[b] = v;
            }
            return mean;
        }
    }
}
