using System;
using XtalPS.Geometry;
using System.Numerics;
using System.Runtime.InteropServices;
using XtalPS.Imaging;

namespace XtalPS.Extraction
{
    /// <summary>
    /// Fits a <see cref="Gaussian2DModel"/> (9 parameters) to a square box of pixels by Levenberg–Marquardt
    /// (Marquardt 1963, with diagonal scaling) with Poisson weights 1 / (gain·max(model, 1)), the weighting
    /// IPLT's LatticeGaussianExtract and DIALS's profile fitting both rest on. Masked pixels do not enter.
    /// </summary>
    /// <remarks>
    /// One instance holds the work buffers for one box size and is reused for every fit, so a fit allocates
    /// nothing; use one instance per thread. The Gaussian is evaluated row by row with the recurrence
    /// g(u+1) = g(u)·r, r ← r·e^(−a), i.e. three exponentials per row instead of one per pixel; the normal
    /// matrix JᵀWJ comes from vectorised weighted dot products of the Jacobian columns and is solved by Cholesky.
    /// </remarks>
    public sealed class GaussianPeakFitter
    {
        private const int P = 9;
        private const int IA = 0, IX = 1, IY = 2, IXX = 3, IXY = 4, IYY = 5, IC = 6, IPX = 7, IPY = 8;

        private readonly int _half, _side, _n, _stride, _rim;
        private readonly double[] _u, _v, _d, _g, _gTrial, _w, _jw, _rw;
        private readonly byte[] _valid;
        private readonly double[] _normal = new double[P * P], _work = new double[P * P];
        private readonly double[] _grad = new double[P], _delta = new double[P], _p = new double[P], _pt = new double[P], _e = new double[P];

        /// <param name="halfSize">Half-size of the box: (BoxSize + BoxGrowAmount + BackgroundRimSize) for IPLT; the box is 2·halfSize + 1 px wide.</param>
        /// <param name="rimSize">Width of the outer rim used for the starting background plane.</param>
        public GaussianPeakFitter(int halfSize, int rimSize)
        {
            if (halfSize < 2 || halfSize > 64) throw new ArgumentOutOfRangeException(nameof(halfSize), "The box half-size must be 2 to 64 px.");
            if (rimSize < 1 || rimSize >= halfSize) throw new ArgumentOutOfRangeException(nameof(rimSize), "The rim must be at least 1 px and smaller than the box half-size.");
            _half = halfSize; _rim = rimSize; _side = 2 * halfSize + 1; _n = _side * _side;
            int lanes = Math.Max(8, Vector<double>.Count);
            _stride = (_n + lanes - 1) / lanes * lanes;
            _u = new double[_n]; _v = new double[_n]; _d = new double[_n]; _g = new double[_n]; _gTrial = new double[_n];
            _w = new double[_stride]; _rw = new double[_stride]; _jw = new double[P * _stride]; // padding stays 0
            _valid = new byte[_n];
            for (int j = 0; j < _side; j++)
                for (int i = 0; i < _side; i++) { _u[j * _side + i] = i - _half; _v[j * _side + i] = j - _half; }
        }

        public int HalfSize => _half;
        public int RimSize => _rim;
        /// <summary>Iteration limit (default 50).</summary>
        public int MaxIterations { get; set; } = 50;
        /// <summary>
        /// Boxes whose net signal (see <see cref="Significance"/>) is below this many standard uncertainties are not fitted
        /// and end with <see cref="GaussianFitStatus.NoSignal"/>; 0 (the default) fits every box.
        /// </summary>
        public double MinSignificance { get; set; }

        private int _rimPixels;

        /// <summary>The first pixel column/row of the box placed at a position: the box is centred on the pixel that contains it.</summary>
        public static int BoxStart(double position, int half) => (int)Math.Floor(position) - half;

        /// <summary>
        /// Fits the box centred on the pixel that contains (<paramref name="x"/>, <paramref name="y"/>).
        /// <paramref name="shapeHint"/> (optional) gives starting widths, e.g. the median of earlier well-behaved fits.
        /// </summary>
        public GaussianFitResult Fit(PanelImage panel, double x, double y, double gain, Gaussian2DModel? shapeHint = null)
        {
            if (!(gain > 0)) gain = 1;
            int x0 = BoxStart(x, _half), y0 = BoxStart(y, _half);
            if (double.IsNaN(x) || double.IsNaN(y) || x0 < 0 || y0 < 0 || x0 + _side > panel.Width || y0 + _side > panel.Height)
                return new GaussianFitResult(GaussianFitStatus.OffPanel, default, double.NaN, double.NaN, double.NaN, double.NaN, 0, 0);
            double xc = x0 + _half + 0.5, yc = y0 + _half + 0.5;
            int nValid = Load(panel, x0, y0);
            if (nValid < 2 * P + 4)
                return new GaussianFitResult(GaussianFitStatus.TooFewPixels, default, double.NaN, double.NaN, double.NaN, double.NaN, 0, nValid);

            RimPlane(out double c, out double px, out double py);
            if (MinSignificance > 0 && NetSignificance(gain, c, px, py) < MinSignificance)
                return new GaussianFitResult(GaussianFitStatus.NoSignal, default, double.NaN, double.NaN, double.NaN, double.NaN, 0, nValid);
            StartingValues(x - xc, y - yc, gain, shapeHint, c, px, py);
            double lambda = 1e-3;
            double chi2 = Linearise(gain, _g);
            int iter = 0;
            var status = GaussianFitStatus.NotConverged;
            while (iter < MaxIterations)
            {
                iter++;
                double chi2Trial = double.NaN;
                bool accepted = false;
                while (lambda < 1e12)
                {
                    if (!SolveStep(lambda)) { lambda *= 10; continue; }
                    for (int k = 0; k < P; k++) _pt[k] = _p[k] + _delta[k];
                    if (!Plausible(_pt)) { lambda *= 10; continue; }
                    chi2Trial = TrialChiSquare(_pt);
                    if (chi2Trial <= chi2) { accepted = true; break; }
                    lambda *= 10;
                }
                if (!accepted)
                {
                    // No step lowers χ²: the start of this iteration is a minimum to working precision.
                    status = GaussianFitStatus.Converged;
                    break;
                }
                // Converged when the centre moves by less than 1e-3 px and χ² by less than 1e-5 of itself (both far below the noise).
                bool small = Math.Abs(_delta[IX]) < 1e-3 && Math.Abs(_delta[IY]) < 1e-3 && chi2 - chi2Trial <= 1e-5 * chi2;
                Array.Copy(_pt, _p, P);
                Array.Copy(_gTrial, _g, _n);
                lambda = Math.Max(lambda * 0.1, 1e-9);
                chi2 = Linearise(gain, _g);
                if (small) { status = GaussianFitStatus.Converged; break; }
            }

            double dof = Math.Max(1, nValid - P);
            double redChi2 = chi2 / dof;
            double scale = Math.Max(1, redChi2);
            double sA = double.NaN, sX = double.NaN, sY = double.NaN;
            if (Cholesky(_normal, _work))
            {
                sA = Math.Sqrt(scale * InverseDiagonal(IA));
                sX = Math.Sqrt(scale * InverseDiagonal(IX));
                sY = Math.Sqrt(scale * InverseDiagonal(IY));
            }
            var model = new Gaussian2DModel(_p[IA], xc + _p[IX], yc + _p[IY], _p[IXX], _p[IXY], _p[IYY],
                _p[IC] + _p[IPX] * _p[IX] + _p[IPY] * _p[IY], _p[IPX], _p[IPY]);
            if (!IsFinite(_p)) status = GaussianFitStatus.Failed;
            return new GaussianFitResult(status, model, sA, sX, sY, redChi2, iter, nValid);
        }

        private int Load(PanelImage panel, int x0, int y0)
        {
            int n = 0, w = panel.Width;
            var px = panel.Pixels; var mask = panel.Mask;
            for (int j = 0; j < _side; j++)
            {
                int src = (y0 + j) * w + x0, dst = j * _side;
                for (int i = 0; i < _side; i++)
                {
                    float v = px[src + i];
                    bool ok = mask[src + i] != 0 && !float.IsNaN(v) && !float.IsInfinity(v);
                    _valid[dst + i] = ok ? (byte)1 : (byte)0;
                    _d[dst + i] = ok ? v : 0;
                    if (ok) n++;
                }
            }
            return n;
        }

        /// <summary>
        /// The significance of the inner box's net signal over the rim plane, in the units of its Poisson standard
        /// uncertainty (the counts of the inner box and the plane's offset error), from the box around (x, y); NaN off the
        /// panel. What <see cref="MinSignificance"/> compares.
        /// </summary>
        public double Significance(PanelImage panel, double x, double y, double gain)
        {
            if (!(gain > 0)) gain = 1;
            int x0 = BoxStart(x, _half), y0 = BoxStart(y, _half);
            if (double.IsNaN(x) || double.IsNaN(y) || x0 < 0 || y0 < 0 || x0 + _side > panel.Width || y0 + _side > panel.Height) return double.NaN;
            Load(panel, x0, y0);
            RimPlane(out double c, out double px, out double py);
            return NetSignificance(gain, c, px, py);
        }

        /// <summary>Plane C + Px·u + Py·v through the valid rim pixels (least squares, 3×3 normal equations).</summary>
        private void RimPlane(out double c, out double px, out double py)
        {
            double s1 = 0, su = 0, sv = 0, suu = 0, svv = 0, suv = 0, sd = 0, sud = 0, svd = 0;
            int inner = _half - _rim;
            for (int k = 0; k < _n; k++)
            {
                if (_valid[k] == 0) continue;
                double u = _u[k], v = _v[k];
                if (Math.Max(Math.Abs(u), Math.Abs(v)) <= inner) continue;
                double d = _d[k];
                s1++; su += u; sv += v; suu += u * u; svv += v * v; suv += u * v; sd += d; sud += u * d; svd += v * d;
            }
            c = 0; px = 0; py = 0;
            _rimPixels = (int)s1;
            if (s1 >= 3 && Symmetric3.Solve(s1, su, sv, suu, suv, svv, sd, sud, svd, out double c0, out double px0, out double py0))
            { c = c0; px = px0; py = py0; }
            else if (s1 > 0) c = sd / s1;
        }

        /// <summary>Net inner-box sum over the plane divided by its Poisson σ: gain·(Σ counts) for the box plus n²·gain·C/n_rim for the plane.</summary>
        private double NetSignificance(double gain, double c, double px, double py)
        {
            double net = 0, counts = 0;
            int n = 0;
            for (int j = _rim; j < _side - _rim; j++)
            {
                int row = j * _side;
                double v = j - _half;
                for (int i = _rim; i < _side - _rim; i++)
                {
                    int k = row + i;
                    if (_valid[k] == 0) continue;
                    double d = _d[k];
                    net += d - (c + px * (i - _half) + py * v);
                    counts += d > 1 ? d : 1;
                    n++;
                }
            }
            if (n == 0 || _rimPixels == 0) return 0;
            double variance = gain * (counts + (double)n * n * Math.Max(c, 1) / _rimPixels);
            return net / Math.Sqrt(variance);
        }

        /// <summary>Centre and widths from the moments of the inner box less the rim plane (C, Px, Py).</summary>
        private void StartingValues(double pu, double pv, double gain, Gaussian2DModel? hint, double c, double px, double py)
        {
            int inner = _half - _rim;
            // Thresholded net signal in the inner box: centroid and second moments.
            double noise = Math.Sqrt(gain * Math.Max(c, 1));
            double thr = 2 * noise;
            double m0 = 0, mu = 0, mv = 0;
            for (int k = 0; k < _n; k++)
            {
                if (_valid[k] == 0) continue;
                double u = _u[k], v = _v[k];
                if (Math.Max(Math.Abs(u), Math.Abs(v)) > inner) continue;
                double net = _d[k] - (c + px * u + py * v);
                if (net <= thr) continue;
                m0 += net; mu += net * u; mv += net * v;
            }
            double cu = pu, cv = pv;
            if (m0 > 4 * thr) { cu = mu / m0; cv = mv / m0; }
            double muu = 0, mvv = 0, muv = 0, m0b = 0, peak = 0;
            double reach = Math.Max(2.0, inner * 0.75);
            for (int k = 0; k < _n; k++)
            {
                if (_valid[k] == 0) continue;
                double u = _u[k] - cu, v = _v[k] - cv;
                if (u * u + v * v > reach * reach) continue;
                double net = _d[k] - (c + px * _u[k] + py * _v[k]);
                if (u * u + v * v <= 2.25 && net > peak) peak = net;
                if (net <= thr) continue;
                m0b += net; muu += net * u * u; mvv += net * v * v; muv += net * u * v;
            }
            double ixx, ixy, iyy;
            double maxSigma = Math.Max(1.0, inner / 2.0);
            if (hint.HasValue && hint.Value.IsProper)
            {
                ixx = hint.Value.InvXX; ixy = hint.Value.InvXY; iyy = hint.Value.InvYY;
            }
            else if (m0b > 4 * thr)
            {
                // Moments of a thresholded Gaussian underestimate σ; add a little and clamp.
                double vxx = Clamp(muu / m0b + 0.25, 0.36, maxSigma * maxSigma), vyy = Clamp(mvv / m0b + 0.25, 0.36, maxSigma * maxSigma);
                double vxy = muv / m0b;
                double lim = 0.9 * Math.Sqrt(vxx * vyy);
                vxy = Clamp(vxy, -lim, lim);
                double det = vxx * vyy - vxy * vxy;
                ixx = vyy / det; ixy = -vxy / det; iyy = vxx / det;
            }
            else
            {
                double s = Math.Min(1.5, maxSigma);
                ixx = iyy = 1 / (s * s); ixy = 0;
            }
            double amp = Math.Max(peak, noise);
            _p[IA] = amp; _p[IX] = cu; _p[IY] = cv; _p[IXX] = ixx; _p[IXY] = ixy; _p[IYY] = iyy;
            _p[IC] = c; _p[IPX] = px; _p[IPY] = py;
            Gaussian(_p, _g);
        }

        /// <summary>Weights from the model at the current parameters, the Jacobian, JᵀWJ and JᵀW·r; returns χ².</summary>
        private double Linearise(double gain, double[] g)
        {
            double a = _p[IA], x0 = _p[IX], y0 = _p[IY], ixx = _p[IXX], ixy = _p[IXY], iyy = _p[IYY];
            double c = _p[IC], px = _p[IPX], py = _p[IPY];
            int s = _stride;
            double chi2 = 0, invGain = 1.0 / gain;
            for (int k = 0; k < _n; k++)
            {
                if (_valid[k] == 0)
                {
                    _rw[k] = 0; _w[k] = 0;
                    for (int i = 0; i < P; i++) _jw[i * s + k] = 0; // a masked pixel adds nothing to the normal matrix
                    continue;
                }
                double u = _u[k], v = _v[k];
                double gk = g[k];
                double m = a * gk + c + px * u + py * v;
                double wt = invGain / (m > 1.0 ? m : 1.0);
                double r = _d[k] - m;
                chi2 += wt * r * r;
                _w[k] = wt;
                // Columns and residuals carry √w, so that JᵀWJ and JᵀW·r are plain dot products.
                double sw = Math.Sqrt(wt), sag = sw * a * gk;
                _rw[k] = sw * r;
                double du = u - x0, dv = v - y0;
                _jw[IA * s + k] = sw * gk;
                _jw[IX * s + k] = sag * (ixx * du + ixy * dv);
                _jw[IY * s + k] = sag * (ixy * du + iyy * dv);
                _jw[IXX * s + k] = -0.5 * sag * du * du;
                _jw[IXY * s + k] = -sag * du * dv;
                _jw[IYY * s + k] = -0.5 * sag * dv * dv;
                _jw[IC * s + k] = sw;
                _jw[IPX * s + k] = sw * u;
                _jw[IPY * s + k] = sw * v;
            }
            for (int i = 0; i < P; i++) _grad[i] = Dot(new ReadOnlySpan<double>(_jw, i * s, s), _rw);
            // The lower triangle of JᵀWJ in 3×3 tiles of columns: each pass over the pixels loads six columns and fills nine entries.
            for (int ti = 0; ti < P; ti += 3)
                for (int tj = 0; tj <= ti; tj += 3)
                    Tile(ti, tj);
            return chi2;
        }

        /// <summary>Entries (ti..ti+2, tj..tj+2) of JᵀWJ, mirrored into the upper triangle.</summary>
        private void Tile(int ti, int tj)
        {
            int s = _stride;
            var c = MemoryMarshal.Cast<double, Vector<double>>(new ReadOnlySpan<double>(_jw, 0, P * s));
            int lanes = Vector<double>.Count, n = s / lanes;
            int i0 = ti * n, i1 = (ti + 1) * n, i2 = (ti + 2) * n, j0 = tj * n, j1 = (tj + 1) * n, j2 = (tj + 2) * n;
            Vector<double> a00 = default, a01 = default, a02 = default, a10 = default, a11 = default, a12 = default, a20 = default, a21 = default, a22 = default;
            for (int k = 0; k < n; k++)
            {
                var x0 = c[i0 + k]; var x1 = c[i1 + k]; var x2 = c[i2 + k];
                var y0 = c[j0 + k]; var y1 = c[j1 + k]; var y2 = c[j2 + k];
                a00 += x0 * y0; a01 += x0 * y1; a02 += x0 * y2;
                a10 += x1 * y0; a11 += x1 * y1; a12 += x1 * y2;
                a20 += x2 * y0; a21 += x2 * y1; a22 += x2 * y2;
            }
            Put(ti, tj, a00); Put(ti, tj + 1, a01); Put(ti, tj + 2, a02);
            Put(ti + 1, tj, a10); Put(ti + 1, tj + 1, a11); Put(ti + 1, tj + 2, a12);
            Put(ti + 2, tj, a20); Put(ti + 2, tj + 1, a21); Put(ti + 2, tj + 2, a22);
        }

        private void Put(int i, int j, Vector<double> sum)
        {
            double v = Vector.Dot(sum, Vector<double>.One);
            _normal[i * P + j] = v; _normal[j * P + i] = v;
        }

        private static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
        {
            var vx = MemoryMarshal.Cast<double, Vector<double>>(x);
            var vy = MemoryMarshal.Cast<double, Vector<double>>(y);
            var acc = Vector<double>.Zero;
            for (int i = 0; i < vx.Length; i++) acc += vx[i] * vy[i];
            double sum = Vector.Dot(acc, Vector<double>.One);
            for (int i = vx.Length * Vector<double>.Count; i < x.Length; i++) sum += x[i] * y[i];
            return sum;
        }

        /// <summary>Solves (N + λ·diag N)·δ = g by Cholesky.</summary>
        private bool SolveStep(double lambda)
        {
            double maxDiag = 0;
            for (int i = 0; i < P; i++) maxDiag = Math.Max(maxDiag, _normal[i * P + i]);
            if (!(maxDiag > 0) || double.IsInfinity(maxDiag)) return false;
            Array.Copy(_normal, _work, P * P);
            for (int i = 0; i < P; i++) _work[i * P + i] += lambda * _normal[i * P + i] + 1e-12 * maxDiag;
            if (!CholeskyInPlace(_work)) return false;
            Array.Copy(_grad, _delta, P);
            CholeskySolve(_work, _delta);
            for (int i = 0; i < P; i++) if (double.IsNaN(_delta[i]) || double.IsInfinity(_delta[i])) return false;
            return true;
        }

        private bool Plausible(double[] p)
        {
            if (!IsFinite(p)) return false;
            double lim = _half + 0.5;
            if (Math.Abs(p[IX]) > lim || Math.Abs(p[IY]) > lim) return false;
            double minCurv = 1.0 / (4.0 * _half * _half), maxCurv = 100; // σ between 0.1 px and 2·half
            if (p[IXX] < minCurv || p[IYY] < minCurv || p[IXX] > maxCurv || p[IYY] > maxCurv) return false;
            return p[IXX] * p[IYY] - p[IXY] * p[IXY] > minCurv * minCurv;
        }

        private double TrialChiSquare(double[] p)
        {
            Gaussian(p, _gTrial);
            double a = p[IA], c = p[IC], px = p[IPX], py = p[IPY];
            double chi2 = 0;
            for (int k = 0; k < _n; k++)
            {
                double wt = _w[k];
                if (wt == 0) continue;
                double r = _d[k] - (a * _gTrial[k] + c + px * _u[k] + py * _v[k]);
                chi2 += wt * r * r;
            }
            return chi2;
        }

        /// <summary>exp(−½·qᵀS⁻¹q) over the box, three exponentials per row (see class remarks).</summary>
        private void Gaussian(double[] p, double[] g)
        {
            double x0 = p[IX], y0 = p[IY], a = p[IXX], b = p[IXY], c = p[IYY];
            double ea = Math.Exp(-a);
            int side = _side, half = _half;
            for (int j = 0; j < side; j++)
            {
                double dy = j - half - y0;
                // Start each row at its maximum so the recurrence only ever decreases (no overflow).
                double ustar = x0 - b * dy / a;
                int start = (int)Math.Round(ustar) + half;
                if (start < 0) start = 0; else if (start >= side) start = side - 1;
                double du = start - half - x0;
                int row = j * side;
                double gs = Math.Exp(-0.5 * (a * du * du + 2 * b * du * dy + c * dy * dy));
                g[row + start] = gs;
                double r = Math.Exp(-0.5 * (a * (2 * du + 1) + 2 * b * dy)), gv = gs;
                int i = start + 1;
                for (; i < side && gv > 1e-200; i++) { gv *= r; r *= ea; g[row + i] = gv; }
                for (; i < side; i++) g[row + i] = 0;
                r = Math.Exp(-0.5 * (a * (1 - 2 * du) - 2 * b * dy)); gv = gs;
                i = start - 1;
                for (; i >= 0 && gv > 1e-200; i--) { gv *= r; r *= ea; g[row + i] = gv; }
                for (; i >= 0; i--) g[row + i] = 0;
            }
        }

        private double InverseDiagonal(int k)
        {
            for (int i = 0; i < P; i++) _e[i] = i == k ? 1 : 0;
            CholeskySolve(_work, _e);
            return _e[k];
        }

        private static bool Cholesky(double[] a, double[] l)
        {
            Array.Copy(a, l, P * P);
            return CholeskyInPlace(l);
        }

        /// <summary>Lower-triangular Cholesky factor in place (upper part left as is).</summary>
        private static bool CholeskyInPlace(double[] a)
        {
            for (int j = 0; j < P; j++)
            {
                double d = a[j * P + j];
                for (int k = 0; k < j; k++) d -= a[j * P + k] * a[j * P + k];
                if (!(d > 0)) return false;
                d = Math.Sqrt(d);
                a[j * P + j] = d;
                for (int i = j + 1; i < P; i++)
                {
                    double s = a[i * P + j];
                    for (int k = 0; k < j; k++) s -= a[i * P + k] * a[j * P + k];
                    a[i * P + j] = s / d;
                }
            }
            return true;
        }

        private static void CholeskySolve(double[] l, double[] b)
        {
            for (int i = 0; i < P; i++)
            {
                double s = b[i];
                for (int k = 0; k < i; k++) s -= l[i * P + k] * b[k];
                b[i] = s / l[i * P + i];
            }
            for (int i = P - 1; i >= 0; i--)
            {
                double s = b[i];
                for (int k = i + 1; k < P; k++) s -= l[k * P + i] * b[k];
                b[i] = s / l[i * P + i];
            }
        }

        private static bool IsFinite(double[] p)
        {
            for (int i = 0; i < p.Length; i++) if (double.IsNaN(p[i]) || double.IsInfinity(p[i])) return false;
            return true;
        }

        private static double Clamp(double v, double lo, double hi) => v < lo ? lo : v > hi ? hi : v;
    }
}
