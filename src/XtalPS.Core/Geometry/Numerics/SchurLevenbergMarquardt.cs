using System;
using System.Threading;
using System.Threading.Tasks;
using MathNet.Numerics.LinearAlgebra;

namespace XtalPS.Geometry.Numerics
{
    /// <summary>
    /// The linearised normal equations one block (one crystal) contributes: its own block N_cc and g_c, its coupling
    /// N_dc to the shared (detector) parameters it touches, and its share of the shared block-diagonal N_dd and g_d.
    /// Shared parameters come in segments (one rigid panel group = 6 parameters); a block touches few segments.
    /// </summary>
    internal sealed class BlockTerms
    {
        public BlockTerms(int size, int[] segments, int segmentSize)
        {
            Size = size; Segments = segments; SegmentSize = segmentSize;
            int t = segments.Length * segmentSize;
            Ncc = new double[size * size]; Gc = new double[size];
            Ndc = new double[t * size]; Dd = new double[segments.Length * segmentSize * segmentSize]; Gd = new double[t];
            Fixed = new bool[size];
            Chol = new double[size * size]; X = new double[t * size];
        }

        public int Size { get; }
        public int SegmentSize { get; }
        /// <summary>Shared segments (panel groups) this block touches, in local order.</summary>
        public int[] Segments { get; }
        public double[] Ncc { get; }
        public double[] Gc { get; }
        /// <summary>Rows: local shared parameters (segment-major), columns: block parameters.</summary>
        public double[] Ndc { get; }
        /// <summary>Per touched segment, its SegmentSize² contribution to N_dd.</summary>
        public double[] Dd { get; }
        public double[] Gd { get; }
        /// <summary>Block parameters held fixed (their Jacobian columns are zero).</summary>
        public bool[] Fixed { get; }
        /// <summary>False when the block takes no part (a crystal dropped as an outlier).</summary>
        public bool Active { get; set; } = true;
        internal double[] Chol { get; }
        internal double[] X { get; }
        /// <summary>Cholesky factor of the damped block from the last elimination.</summary>
        internal MathNet.Numerics.LinearAlgebra.Factorization.Cholesky<double>? Factor { get; set; }

        public void Clear()
        {
            Array.Clear(Ncc, 0, Ncc.Length); Array.Clear(Gc, 0, Gc.Length); Array.Clear(Ndc, 0, Ndc.Length);
            Array.Clear(Dd, 0, Dd.Length); Array.Clear(Gd, 0, Gd.Length);
        }
    }

    /// <summary>A least-squares problem with shared parameters and per-block parameters, for <see cref="SchurLevenbergMarquardt"/>.</summary>
    internal interface IBlockLeastSquares
    {
        int SegmentCount { get; }
        int SegmentSize { get; }
        /// <summary>Fixed flags of the shared parameters (SegmentCount × SegmentSize).</summary>
        bool[] SharedFixed { get; }
        BlockTerms[] CreateTerms();
        /// <summary>Fills the terms at the current point and returns the cost ½·Σ w·r².</summary>
        double Linearise(BlockTerms[] terms);
        /// <summary>The cost after a step (∞ when the model cannot be evaluated there); the current point is unchanged.</summary>
        double TrialCost(double[] sharedStep, double[][] blockSteps);
        /// <summary>Moves the current point by the step.</summary>
        void Accept(double[] sharedStep, double[][] blockSteps);
        /// <summary>RMSD components at the point of the last <see cref="Linearise"/>.</summary>
        double[] Rmsd();
    }

    /// <summary>What a minimisation did.</summary>
    internal sealed class LmOutcome
    {
        public int Iterations { get; set; }
        public bool Converged { get; set; }
        public string StopReason { get; set; } = "";
        public double Cost { get; set; }
        /// <summary>Standard deviations of the shared parameters (NaN for fixed ones), from the inverse normal matrix scaled by the goodness of fit.</summary>
        public double[] SharedEsd { get; set; } = Array.Empty<double>();
    }

    /// <summary>
    /// Levenberg–Marquardt for problems whose normal matrix is an arrowhead: shared (detector) parameters coupled to
    /// many independent blocks (crystals). Each step eliminates the blocks with the Schur complement
    /// S = N_dd + μI − Σ N_dc (N_cc + μI)⁻¹ N_cd, solves S·δd = g_d − Σ N_dc (N_cc + μI)⁻¹ g_c and back-substitutes
    /// δc = (N_cc + μI)⁻¹ (g_c − N_cd δd) (the bundle-adjustment reduction, Triggs et al. 2000). Damping and its
    /// update follow Madsen, Nielsen &amp; Tingleff (2004): μ0 = τ·max diag N, gain ratio ρ, ν doubling on rejection.
    /// Stops when every RMSD component changes by less than the relative tolerance between accepted steps. The Schur mode
    /// of XtalPS's refinement engine (the dense mode is <see cref="LevenbergMarquardt"/>); blocks are factorised with
    /// MathNet.Numerics' Cholesky, and the reduced system is summed in a fixed order, so the result does not depend on
    /// the number of threads.
    /// </summary>
    internal sealed class SchurLevenbergMarquardt
    {
        public double Tau { get; set; } = 1e-3;
        public int MaxIterations { get; set; } = 100;
        public double RmsdTolerance { get; set; } = 1e-4;
        public int MaxDegreeOfParallelism { get; set; } = Environment.ProcessorCount;
        /// <summary>Partial sums of the reduced system (fixed, whatever the thread count).</summary>
        private const int Partitions = 4;
        private double[][] _parts = new double[0][], _rhsParts = new double[0][];
        private double[] _reduced = new double[0];

        public LmOutcome Minimise(IBlockLeastSquares problem, Action<int, double[]>? onIteration = null, CancellationToken cancel = default)
        {
            int seg = problem.SegmentSize, nd = problem.SegmentCount * seg;
            var fixedShared = problem.SharedFixed;
            var terms = problem.CreateTerms();
            var dd = new double[problem.SegmentCount * seg * seg];
            var gd = new double[nd];
            double cost = LineariseAndGather(problem, terms, dd, gd);
            var outcome = new LmOutcome { Cost = cost };
            if (double.IsNaN(cost) || double.IsInfinity(cost))
                throw new InvalidOperationException("the starting model gives non-finite residuals.");

            double maxDiag = 0;
            for (int i = 0; i < nd; i++) if (!fixedShared[i]) maxDiag = Math.Max(maxDiag, dd[(i / seg) * seg * seg + (i % seg) * seg + i % seg]);
            foreach (var t in terms)
                if (t.Active) for (int i = 0; i < t.Size; i++) if (!t.Fixed[i]) maxDiag = Math.Max(maxDiag, t.Ncc[i * t.Size + i]);
            double mu = Tau * (maxDiag > 0 ? maxDiag : 1), nu = 2;
            var rmsd = problem.Rmsd();
            var stepD = new double[nd];
            var stepC = new double[terms.Length][];
            for (int b = 0; b < terms.Length; b++) stepC[b] = new double[terms[b].Size];
            int iteration = 0;
            while (true)
            {
                cancel.ThrowIfCancellationRequested();
                if (iteration >= MaxIterations) { outcome.StopReason = "maximum iterations"; break; }
                if (cost <= 1e-300) { outcome.Converged = true; outcome.StopReason = "zero residuals"; break; }
                iteration++;
                if (!Solve(terms, dd, gd, fixedShared, seg, mu, stepD, stepC))
                {
                    mu *= nu; nu *= 2;
                    if (mu > 1e300) { outcome.StopReason = "singular normal equations"; break; }
                    continue;
                }
                double predicted = 0, stepNorm = 0;
                for (int i = 0; i < nd; i++) { predicted += stepD[i] * (mu * stepD[i] + gd[i]); stepNorm += stepD[i] * stepD[i]; }
                for (int b = 0; b < terms.Length; b++)
                {
                    if (!terms[b].Active) continue;
                    var s = stepC[b];
                    for (int i = 0; i < s.Length; i++) { predicted += s[i] * (mu * s[i] + terms[b].Gc[i]); stepNorm += s[i] * s[i]; }
                }
                predicted *= 0.5;
                if (!(predicted > 0) || stepNorm < 1e-30)
                {
                    outcome.Converged = true; outcome.StopReason = "step below precision"; break;
                }
                double trial = problem.TrialCost(stepD, stepC);
                double rho = (cost - trial) / predicted;
                if (rho > 0 && !double.IsNaN(trial) && !double.IsInfinity(trial))
                {
                    problem.Accept(stepD, stepC);
                    cost = LineariseAndGather(problem, terms, dd, gd);
                    double f = 2 * rho - 1;
                    mu *= Math.Max(1.0 / 3, 1 - f * f * f);
                    nu = 2;
                    var now = problem.Rmsd();
                    onIteration?.Invoke(iteration, now);
                    bool small = true;
                    for (int i = 0; i < now.Length; i++)
                        if (Math.Abs(now[i] - rmsd[i]) > RmsdTolerance * Math.Max(Math.Abs(rmsd[i]), 1e-300)) small = false;
                    rmsd = now;
                    if (small) { outcome.Converged = true; outcome.StopReason = "RMSD change below tolerance"; break; }
                }
                else
                {
                    mu *= nu; nu *= 2;
                    if (mu > 1e300) { outcome.StopReason = "no further decrease"; outcome.Converged = true; break; }
                }
            }
            outcome.Iterations = iteration;
            outcome.Cost = cost;
            outcome.SharedEsd = SharedEsd(problem, terms, dd, fixedShared, seg, cost);
            return outcome;
        }

        private double LineariseAndGather(IBlockLeastSquares problem, BlockTerms[] terms, double[] dd, double[] gd)
        {
            double cost = problem.Linearise(terms);
            Array.Clear(dd, 0, dd.Length); Array.Clear(gd, 0, gd.Length);
            int seg = problem.SegmentSize, s2 = seg * seg;
            foreach (var t in terms)
            {
                if (!t.Active) continue;
                for (int a = 0; a < t.Segments.Length; a++)
                {
                    int g = t.Segments[a];
                    for (int i = 0; i < s2; i++) dd[g * s2 + i] += t.Dd[a * s2 + i];
                    for (int i = 0; i < seg; i++) gd[g * seg + i] += t.Gd[a * seg + i];
                }
            }
            return cost;
        }

        /// <summary>The damped step by Schur elimination of the blocks; false when a system is not positive definite.</summary>
        private bool Solve(BlockTerms[] terms, double[] dd, double[] gd, bool[] fixedShared, int seg, double mu, double[] stepD, double[][] stepC)
        {
            int nd = stepD.Length;
            var s = Reduced(terms, dd, gd, fixedShared, seg, mu, out var rhs);
            if (s == null) return false;
            try
            {
                var m = Matrix<double>.Build.Dense(nd, nd, s);
                var chol = m.Cholesky();
                var x = chol.Solve(Vector<double>.Build.Dense(rhs));
                for (int i = 0; i < nd; i++) { stepD[i] = fixedShared[i] ? 0 : x[i]; if (double.IsNaN(stepD[i])) return false; }
            }
            catch (ArgumentException) { return false; }
            catch (InvalidOperationException) { return false; }
            // Back-substitution: δc = M⁻¹ (g_c − N_cd δd).
            for (int b = 0; b < terms.Length; b++)
            {
                var t = terms[b];
                var dc = stepC[b];
                if (!t.Active) { Array.Clear(dc, 0, dc.Length); continue; }
                int n = t.Size;
                for (int k = 0; k < n; k++)
                {
                    double v = t.Gc[k];
                    for (int a = 0; a < t.Segments.Length; a++)
                        for (int i = 0; i < seg; i++) v -= t.Ndc[(a * seg + i) * n + k] * stepD[t.Segments[a] * seg + i];
                    dc[k] = v;
                }
                var reduced = Vector<double>.Build.Dense(dc);
                t.Factor!.Solve(reduced, reduced);
                for (int k = 0; k < n; k++) if (t.Fixed[k]) dc[k] = 0;
            }
            return true;
        }

        /// <summary>The Schur complement (row-major, nd × nd) and its right-hand side; null when a block is not positive definite.</summary>
        private double[]? Reduced(BlockTerms[] terms, double[] dd, double[] gd, bool[] fixedShared, int seg, double mu, out double[] rhs)
        {
            int nd = gd.Length, s2 = seg * seg;
            if (_reduced.Length != nd * nd) _reduced = new double[nd * nd]; else Array.Clear(_reduced, 0, _reduced.Length);
            var s = _reduced;
            var r0 = (double[])gd.Clone();
            rhs = r0;
            for (int g = 0; g < nd / seg; g++)
                for (int i = 0; i < seg; i++)
                    for (int j = 0; j < seg; j++)
                        s[(g * seg + i) * nd + g * seg + j] = dd[g * s2 + i * seg + j];
            for (int i = 0; i < nd; i++) s[i * nd + i] += mu;

            // Blocks are dealt to a fixed number of partial sums (not one per thread) and the partial sums are added in
            // order, so the floating-point result is the same on every machine and for every thread count.
            int partitions = Math.Max(1, Math.Min(Partitions, terms.Length / 8 + 1));
            // The partial sums live as long as the engine: a 64-ASIC detector makes each one 1.2 MB, too much to allocate per step.
            if (_parts.Length != Partitions || _parts[1] == null || _parts[1].Length != nd * nd)
            {
                _parts = new double[Partitions][]; _rhsParts = new double[Partitions][];
                for (int p = 1; p < Partitions; p++) { _parts[p] = new double[nd * nd]; _rhsParts[p] = new double[nd]; }
            }
            var parts = _parts;
            var rhsParts = _rhsParts;
            bool ok = true;
            Parallel.For(0, partitions, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, MaxDegreeOfParallelism) }, p =>
            {
                var sp = p == 0 ? s : parts[p];
                var rp = p == 0 ? r0 : rhsParts[p];
                if (p > 0) { Array.Clear(sp, 0, sp.Length); Array.Clear(rp, 0, rp.Length); }
                for (int b = p; b < terms.Length; b += partitions)
                {
                    var t = terms[b];
                    if (!t.Active) continue;
                    if (!EliminateBlock(t, seg, mu, sp, rp, nd)) { ok = false; return; }
                }
            });
            if (!ok) return null;
            for (int p = 1; p < partitions; p++)
            {
                var sp = parts[p]; var rp = rhsParts[p];
                for (int i = 0; i < sp.Length; i++) s[i] += sp[i];
                for (int i = 0; i < nd; i++) r0[i] += rp[i];
            }
            for (int i = 0; i < nd; i++)
            {
                if (!fixedShared[i]) continue;
                for (int j = 0; j < nd; j++) { s[i * nd + j] = 0; s[j * nd + i] = 0; }
                s[i * nd + i] = 1; r0[i] = 0;
            }
            return s;
        }

        /// <summary>S[T,T] −= X·N_cd and r[T] −= X·g_c with X = N_dc·M⁻¹, M = N_cc + μI (fixed parameters: unit diagonal).</summary>
        private static bool EliminateBlock(BlockTerms t, int seg, double mu, double[] s, double[] rhs, int nd)
        {
            int n = t.Size, rows = t.Segments.Length * seg;
            var m = t.Chol;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                    m[i * n + j] = t.Fixed[i] || t.Fixed[j] ? (i == j ? 1 : 0) : t.Ncc[i * n + j] + (i == j ? mu : 0);
            var factor = NormalEquations.TryFactor(m, n);
            if (factor == null) return false;
            t.Factor = factor;
            // N_cd (n × rows, column-major) is N_dc row-major with fixed block parameters zeroed; X = M⁻¹·N_cd by columns.
            var x = t.X;
            for (int r = 0; r < rows; r++)
                for (int k = 0; k < n; k++) x[r * n + k] = t.Fixed[k] ? 0 : t.Ndc[r * n + k];
            var ncd = Matrix<double>.Build.Dense(n, rows, x);
            factor.Solve(ncd, ncd);
            for (int a = 0; a < t.Segments.Length; a++)
            {
                for (int i = 0; i < seg; i++)
                {
                    int ri = a * seg + i, gi = t.Segments[a] * seg + i;
                    double gsum = 0;
                    for (int k = 0; k < n; k++) gsum += x[ri * n + k] * t.Gc[k];
                    rhs[gi] -= gsum;
                    for (int b = 0; b < t.Segments.Length; b++)
                    {
                        for (int j = 0; j < seg; j++)
                        {
                            int rj = b * seg + j, gj = t.Segments[b] * seg + j;
                            double v = 0;
                            for (int k = 0; k < n; k++) v += x[ri * n + k] * t.Ndc[rj * n + k];
                            s[gi * nd + gj] -= v;
                        }
                    }
                }
            }
            return true;
        }

        /// <summary>√diag of the shared block of N⁻¹ (= S⁻¹ at μ = 0), scaled by χ²/(m − n).</summary>
        private double[] SharedEsd(IBlockLeastSquares problem, BlockTerms[] terms, double[] dd, bool[] fixedShared, int seg, double cost)
        {
            int nd = fixedShared.Length;
            var esd = new double[nd];
            for (int i = 0; i < nd; i++) esd[i] = double.NaN;
            var s = Reduced(terms, dd, new double[nd], fixedShared, seg, 0, out _);
            if (s == null) return esd;
            int observations = 0, parameters = 0;
            for (int i = 0; i < nd; i++) if (!fixedShared[i]) parameters++;
            foreach (var t in terms) if (t.Active) for (int i = 0; i < t.Size; i++) if (!t.Fixed[i]) parameters++;
            observations = ObservationCount(problem);
            double gof = observations > parameters ? 2 * cost / (observations - parameters) : double.NaN;
            try
            {
                var inv = Matrix<double>.Build.Dense(nd, nd, s).Cholesky().Solve(Matrix<double>.Build.DenseIdentity(nd));
                for (int i = 0; i < nd; i++) if (!fixedShared[i]) esd[i] = Math.Sqrt(Math.Max(0, inv[i, i]) * gof);
            }
            catch (ArgumentException) { }
            catch (InvalidOperationException) { }
            return esd;
        }

        private static int ObservationCount(IBlockLeastSquares problem) => problem is IObservationCount c ? c.ObservationCount : int.MaxValue;
    }

    /// <summary>How many residuals a problem has (for the goodness of fit).</summary>
    internal interface IObservationCount
    {
        int ObservationCount { get; }
    }
}
