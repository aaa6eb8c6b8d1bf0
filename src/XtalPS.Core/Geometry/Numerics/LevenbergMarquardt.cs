using System;

namespace XtalPS.Geometry.Numerics
{
    /// <summary>A least-squares model for <see cref="LevenbergMarquardt"/>: residuals (already weighted) and their Jacobian.</summary>
    internal interface ILeastSquaresModel
    {
        int ParameterCount { get; }
        int ResidualCount { get; }
        /// <summary>Fills the residuals at <paramref name="p"/>; false when the model cannot be evaluated there.</summary>
        bool Residuals(double[] p, double[] residuals);
        /// <summary>Fills ∂r/∂p by parameter: <c>jacobian[k][i]</c> = ∂rᵢ/∂pₖ, with <paramref name="residuals"/> the
        /// residuals at <paramref name="p"/>.</summary>
        void Jacobian(double[] p, double[] residuals, double[][] jacobian);
    }

    /// <summary>How a dense minimisation ended.</summary>
    internal enum LeastSquaresStop { Converged, IterationLimit, NoDecrease, Singular, NotEvaluable }

    /// <summary>
    /// The dense mode of XtalPS's refinement engine (the Schur-complement mode for many independent blocks sharing a few
    /// parameters is <see cref="SchurLevenbergMarquardt"/>). Damped: Levenberg–Marquardt with Marquardt's scaling,
    /// (JᵀJ + λ·diag JᵀJ)·δ = −Jᵀr, λ divided by ten on a decrease of Σr² and multiplied by ten otherwise (Marquardt 1963;
    /// Press et al., Numerical Recipes §15.5). Undamped: Gauss–Newton, every step taken. Normal equations are solved by
    /// Cholesky (<see cref="NormalEquations"/>).
    /// </summary>
    internal sealed class LevenbergMarquardt
    {
        /// <summary>Iterations (Jacobian evaluations) at most.</summary>
        public int MaxIterations { get; set; } = 25;
        /// <summary>False: Gauss–Newton steps, no damping and no cost test.</summary>
        public bool Damped { get; set; } = true;
        /// <summary>Starting λ (damped mode).</summary>
        public double InitialLambda { get; set; } = 1e-3;
        /// <summary>Tries with a larger λ before an iteration gives up (damped mode).</summary>
        public int MaxAttempts { get; set; } = 8;
        /// <summary>Damped mode: stop when an accepted step lowers Σr² by less than this fraction of it.</summary>
        public double RelativeDecrease { get; set; } = 1e-6;
        /// <summary>Gauss–Newton mode: stop when every one of the first <see cref="StepTestCount"/> step components is below this.</summary>
        public double StepTolerance { get; set; } = 1e-9;
        /// <summary>How many leading parameters the step test looks at (all when 0).</summary>
        public int StepTestCount { get; set; }

        /// <summary>Minimises Σr² from <paramref name="p"/>, which receives the result.</summary>
        public LeastSquaresStop Minimise(ILeastSquaresModel model, double[] p)
        {
            int np = model.ParameterCount, nr = model.ResidualCount;
            var res = new double[nr];
            var trial = new double[nr];
            var jac = new double[np][];
            for (int k = 0; k < np; k++) jac[k] = new double[nr];
            var jtj = new double[np * np];
            var jtr = new double[np];
            var rhs = new double[np];
            var step = new double[np];
            var pt = new double[np];
            var damped = new double[np * np];
            bool ok = model.Residuals(p, res);
            if (!Damped && !ok) return LeastSquaresStop.NotEvaluable;
            double cost = SumOfSquares(res), lambda = InitialLambda;
            for (int it = 0; it < MaxIterations; it++)
            {
                model.Jacobian(p, res, jac);
                for (int x = 0; x < np; x++)
                {
                    double g = 0;
                    var jx = jac[x];
                    for (int r = 0; r < nr; r++) g += jx[r] * res[r];
                    jtr[x] = g;
                    rhs[x] = -g;
                    for (int y = x; y < np; y++)
                    {
                        double s = 0;
                        var jy = jac[y];
                        for (int r = 0; r < nr; r++) s += jx[r] * jy[r];
                        jtj[x * np + y] = s; jtj[y * np + x] = s;
                    }
                }
                if (!Damped)
                {
                    if (!NormalEquations.TrySolve(jtj, rhs, step)) return LeastSquaresStop.Singular;
                    for (int k = 0; k < np; k++) p[k] += step[k];
                    if (!model.Residuals(p, res)) return LeastSquaresStop.NotEvaluable;
                    int test = StepTestCount > 0 ? Math.Min(StepTestCount, np) : np;
                    double largest = 0;
                    for (int k = 0; k < test; k++) largest = Math.Max(largest, Math.Abs(step[k]));
                    if (largest < StepTolerance) return LeastSquaresStop.Converged;
                    continue;
                }
                bool improved = false, converged = false;
                for (int attempt = 0; attempt < MaxAttempts && !improved; attempt++)
                {
                    Array.Copy(jtj, damped, jtj.Length);
                    for (int d = 0; d < np; d++) damped[d * np + d] += lambda * Math.Max(jtj[d * np + d], 1e-12);
                    if (!NormalEquations.TrySolve(damped, rhs, step)) { lambda *= 10; continue; }
                    for (int k = 0; k < np; k++) pt[k] = p[k] + step[k];
                    if (!model.Residuals(pt, trial)) { lambda *= 10; continue; }
                    double c = SumOfSquares(trial);
                    if (c < cost)
                    {
                        double gain = cost - c;
                        Array.Copy(pt, p, np); Array.Copy(trial, res, nr);
                        cost = c; lambda = Math.Max(lambda / 10, 1e-9); improved = true;
                        if (gain < RelativeDecrease * cost) converged = true;
                    }
                    else lambda *= 10;
                }
                if (converged) return LeastSquaresStop.Converged;
                if (!improved) return LeastSquaresStop.NoDecrease;
            }
            return LeastSquaresStop.IterationLimit;
        }

        private static double SumOfSquares(double[] v) { double s = 0; foreach (var x in v) s += x * x; return s; }
    }
}
