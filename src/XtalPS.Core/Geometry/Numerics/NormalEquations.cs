using System;
using MathNet.Numerics.LinearAlgebra;

namespace XtalPS.Geometry.Numerics
{
    /// <summary>
    /// Symmetric positive-definite systems N·x = b as least squares produces them (N = JᵀWJ, possibly damped), solved
    /// by MathNet.Numerics' Cholesky factorisation. The one place XtalPS solves normal equations; only the
    /// allocation-free Gaussian peak fitter keeps a factorisation of its own.
    /// </summary>
    internal static class NormalEquations
    {
        /// <summary>
        /// Solves N·x = b for a symmetric n × n matrix stored by rows in <paramref name="normal"/> (not changed).
        /// False when N is not positive definite or the solution is not finite.
        /// </summary>
        public static bool TrySolve(double[] normal, double[] b, double[] x)
        {
            int n = b.Length;
            // Symmetric, so the row-major array is also the column-major storage MathNet expects.
            var m = Matrix<double>.Build.Dense(n, n, normal);
            Vector<double> solution;
            try { solution = m.Cholesky().Solve(Vector<double>.Build.Dense(b)); }
            catch (ArgumentException) { return false; }
            catch (InvalidOperationException) { return false; }
            for (int i = 0; i < n; i++)
            {
                double v = solution[i];
                if (double.IsNaN(v) || double.IsInfinity(v)) return false;
                x[i] = v;
            }
            return true;
        }

        /// <summary>As <see cref="TrySolve(double[], double[], double[])"/> for a two-dimensional array; null when it fails.</summary>
        public static double[]? TrySolve(double[,] normal, double[] b)
        {
            int n = b.Length;
            var flat = new double[n * n];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) flat[i * n + j] = normal[i, j];
            var x = new double[n];
            return TrySolve(flat, b, x) ? x : null;
        }

        /// <summary>
        /// The Cholesky factor of a symmetric positive-definite n × n matrix (row-major, not changed) for repeated
        /// solves; null when it is not positive definite.
        /// </summary>
        public static MathNet.Numerics.LinearAlgebra.Factorization.Cholesky<double>? TryFactor(double[] normal, int n)
        {
            try { return Matrix<double>.Build.Dense(n, n, normal).Cholesky(); }
            catch (ArgumentException) { return null; }
            catch (InvalidOperationException) { return null; }
        }
    }
}
