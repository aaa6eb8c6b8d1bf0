using System;
using System.Collections.Generic;

namespace XtalPS.Merging
{
    /// <summary>One measurement on a lattice line: z* (1/Å) with its σ, and an intensity on the common scale with its σ.</summary>
    public readonly struct LatticeLinePoint
    {
        public LatticeLinePoint(double zStar, double zStarSigma, double intensity, double sigma, int image)
        { ZStar = zStar; ZStarSigma = zStarSigma; Intensity = intensity; Sigma = sigma; Image = image; }
        public double ZStar { get; }
        public double ZStarSigma { get; }
        public double Intensity { get; }
        public double Sigma { get; }
        /// <summary>Index of the image in the merge.</summary>
        public int Image { get; }
    }

    /// <summary>
    /// A smooth lattice line I(z*) of a 2D crystal, fitted to scattered measurements by weighted linear least squares
    /// on a band-limited basis. A structure no thicker than c has F(z*) band-limited to ±c/2 along z, so |F|² is
    /// band-limited to ±c and is fixed by samples every 1/(2c) (Shannon); the basis is sinc(2c·z* − j) (with the
    /// even pairs sinc(2c·z* − j) + sinc(2c·z* + j) for lattice lines that the plane group makes symmetric in z*).
    /// Errors in z* enter as effective variances σ² + (dI/dz*·σ(z*))², refitted once (Agarwal 1978 used the same
    /// sampling argument for lattice lines; the error-in-variables weighting is the usual effective-variance method).
    /// A small ridge term keeps knots without data near zero instead of unbounded.
    /// </summary>
    public sealed class LatticeLineCurve
    {
        private readonly int[] _knots;
        private readonly double[] _coef;
        private readonly double[,] _cov;
        private readonly double _c;
        private readonly bool _even;

        private LatticeLineCurve(int[] knots, double[] coef, double[,] cov, double c, bool even, double zMin, double zMax, int n, double chi2)
        { _knots = knots; _coef = coef; _cov = cov; _c = c; _even = even; ZMin = zMin; ZMax = zMax; Count = n; ReducedChiSquare = chi2; }

        /// <summary>Lowest and highest z* measured, 1/Å.</summary>
        public double ZMin { get; }
        /// <summary>True when the plane group makes the line symmetric in z* (then <see cref="ZMin"/> and <see cref="ZMax"/> are of |z*|).</summary>
        public bool IsEven => _even;
        public double ZMax { get; }
        public int Count { get; }
        public double ReducedChiSquare { get; }

        /// <summary>Fits a curve; returns null with fewer than 3 points.</summary>
        public static LatticeLineCurve? Fit(IReadOnlyList<LatticeLinePoint> points, double thickness, bool even, double ridge = 1e-3)
        {
            if (points.Count < 3) return null;
            double zMin = double.MaxValue, zMax = double.MinValue;
            foreach (var p in points)
            {
                double z = even ? Math.Abs(p.ZStar) : p.ZStar;
                zMin = Math.Min(zMin, z); zMax = Math.Max(zMax, z);
            }
            double step = 1 / (2 * thickness);
            int j0 = (int)Math.Floor(zMin / step) - 1, j1 = (int)Math.Ceiling(zMax / step) + 1;
            if (even) j0 = 0;
            var knots = new List<int>();
            for (int j = j0; j <= j1; j++) knots.Add(j);
            var k = knots.ToArray();
            double[] coef = new double[k.Length];
            double[,] cov = new double[k.Length, k.Length];
            double chi2 = double.NaN;
            for (int pass = 0; pass < 2; pass++)
            {
                var curve = pass == 0 ? null : new LatticeLineCurve(k, coef, cov, thickness, even, zMin, zMax, points.Count, double.NaN);
                int m = k.Length;
                var n = new double[m, m]; var b = new double[m];
                var phi = new double[m];
                double scaleSum = 0;
                foreach (var p in points)
                {
                    double z = even ? Math.Abs(p.ZStar) : p.ZStar;
                    double v = p.Sigma * p.Sigma;
                    if (curve != null && p.ZStarSigma > 0) { double d = curve.Slope(z); v += d * d * p.ZStarSigma * p.ZStarSigma; }
                    if (!(v > 0)) continue;
                    double w = 1 / v;
                    Basis(k, thickness, even, z, phi);
                    for (int i = 0; i < m; i++)
                    {
                        b[i] += w * phi[i] * p.Intensity;
                        for (int j = 0; j < m; j++) n[i, j] += w * phi[i] * phi[j];
                    }
                    scaleSum += w;
                }
                double r = ridge * scaleSum / m;
                for (int i = 0; i < m; i++) n[i, i] += r;
                var inv = Invert(n);
                if (inv == null) return null;
                coef = new double[m];
                for (int i = 0; i < m; i++) for (int j = 0; j < m; j++) coef[i] += inv[i, j] * b[j];
                cov = inv;
                // Reduced χ² of this pass (covariance scaled by it when it exceeds 1).
                double s = 0; int used = 0;
                var fitted = new LatticeLineCurve(k, coef, cov, thickness, even, zMin, zMax, points.Count, double.NaN);
                foreach (var p in points)
                {
                    double z = even ? Math.Abs(p.ZStar) : p.ZStar;
                    double d = p.Intensity - fitted.Value(z);
                    double v = p.Sigma * p.Sigma + Math.Pow(fitted.Slope(z) * (p.ZStarSigma > 0 ? p.ZStarSigma : 0), 2);
                    if (v > 0) { s += d * d / v; used++; }
                }
                chi2 = used > m ? s / (used - m) : double.NaN;
            }
            if (chi2 > 1) for (int i = 0; i < k.Length; i++) for (int j = 0; j < k.Length; j++) cov[i, j] *= chi2;
            return new LatticeLineCurve(k, coef, cov, thickness, even, zMin, zMax, points.Count, chi2);
        }

        /// <summary>I at z* (no allocation: the basis is summed as it is evaluated).</summary>
        public double Value(double zStar)
        {
            double z = _even ? Math.Abs(zStar) : zStar;
            double x = 2 * _c * z, v = 0;
            for (int i = 0; i < _knots.Length; i++)
            {
                int j = _knots[i];
                v += _coef[i] * (_even && j > 0 ? Sinc(x - j) + Sinc(x + j) : Sinc(x - j));
            }
            return v;
        }

        /// <summary>σ of <see cref="Value"/> from the fit's covariance.</summary>
        public double Sigma(double zStar)
        {
            double z = _even ? Math.Abs(zStar) : zStar;
            var phi = new double[_knots.Length];
            Basis(_knots, _c, _even, z, phi);
            double v = 0;
            for (int i = 0; i < phi.Length; i++) for (int j = 0; j < phi.Length; j++) v += phi[i] * _cov[i, j] * phi[j];
            return Math.Sqrt(Math.Max(0, v));
        }

        /// <summary>dI/dz* (numerical).</summary>
        public double Slope(double zStar)
        {
            double h = 1e-4 / _c;
            return (Value(zStar + h) - Value(zStar - h)) / (2 * h);
        }

        private static void Basis(int[] knots, double c, bool even, double z, double[] phi)
        {
            double x = 2 * c * z;
            for (int i = 0; i < knots.Length; i++)
            {
                int j = knots[i];
                phi[i] = even && j > 0 ? Sinc(x - j) + Sinc(x + j) : Sinc(x - j);
            }
        }

        private static double Sinc(double x) => Math.Abs(x) < 1e-12 ? 1 : Math.Sin(Math.PI * x) / (Math.PI * x);

        private static double[,]? Invert(double[,] a)
        {
            int n = a.GetLength(0);
            var m = new double[n, 2 * n];
            for (int i = 0; i < n; i++) { for (int j = 0; j < n; j++) m[i, j] = a[i, j]; m[i, n + i] = 1; }
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
