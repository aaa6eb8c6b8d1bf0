using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using XtalPS.Geometry;
using XtalPS.Geometry.Numerics;
using XtalPS.Lattices;

namespace XtalPS.Metrology
{
    /// <summary>The refinable state of one crystal: orientation, constrained cell, and its reflections as flat arrays.</summary>
    internal sealed class CrystalState
    {
        public CrystalState(StillExperiment input)
        {
            Input = input;
            S0 = input.Beam.S0;
            U = input.Orientation;
            Cell = new CellParameterisation(input.LatticeSystem, input.Cell);
            int n = input.Reflections.Count;
            Hkl = new Vec3[n]; Panel = new int[n]; X = new double[n]; Y = new double[n]; Wx = new double[n]; Wy = new double[n];
            Vx = new double[n]; Vy = new double[n];
            Used = new bool[n]; LocalSegment = new int[n];
            for (int i = 0; i < n; i++)
            {
                var r = input.Reflections[i];
                Hkl[i] = new Vec3(r.H, r.K, r.L); Panel[i] = r.Panel; X[i] = r.X; Y[i] = r.Y;
                Vx[i] = r.VarianceX; Vy[i] = r.VarianceY;
                Wx[i] = 1 / r.VarianceX; Wy[i] = 1 / r.VarianceY;
            }
        }

        /// <summary>Weights 1/(centroid variance + the prediction error's variance at each reflection's Δψ).</summary>
        public void Weigh(PredictionErrorModel model, double[] deltaPsi)
        {
            for (int i = 0; i < Hkl.Length; i++)
            {
                double extra = model.At(deltaPsi[i]);
                Wx[i] = 1 / (Vx[i] + extra); Wy[i] = 1 / (Vy[i] + extra);
            }
        }

        public StillExperiment Input { get; }
        public Vec3 S0 { get; }
        public Mat3 U { get; set; }
        public CellParameterisation Cell { get; set; }
        public bool CellFixed { get; set; }
        /// <summary>Taking part in the current level.</summary>
        public bool Active { get; set; } = true;
        /// <summary>Dropped for good (an outlier image).</summary>
        public bool Dropped { get; set; }
        public Vec3[] Hkl { get; }
        public int[] Panel { get; }
        public double[] X { get; }
        public double[] Y { get; }
        public double[] Wx { get; }
        public double[] Wy { get; }
        /// <summary>Centroid variances (px²) as observed.</summary>
        public double[] Vx { get; }
        public double[] Vy { get; }
        public bool[] Used { get; }
        public int[] LocalSegment { get; }
        public int[] Segments { get; set; } = Array.Empty<int>();
        public int ParameterCount => 3 + Cell.Count;
        public int UsedCount => Used.Count(u => u);
    }

    /// <summary>
    /// One level of hierarchical metrology as a least-squares problem: shared parameters are the six rigid-body
    /// increments of each panel group (Dist, Shift1, Shift2 mm; Tau1, Tau2, Tau3 mrad), block parameters per crystal are
    /// three small rotations about the lab axes (mrad, applied to U) and the constrained cell (Å, °). Residuals per
    /// reflection: x, y (px, weights 1/variance) and Δψ (rad, weight 1/σψ²). Increments are taken about the current
    /// point and folded into the model when a step is accepted, so all derivatives are evaluated at zero increment.
    /// </summary>
    internal sealed class StillsRefinementProblem : IBlockLeastSquares, IObservationCount
    {
        public const int Seg = 6;
        private readonly DetectorModel _start;
        private readonly Vec3[] _po, _pf, _ps;
        private readonly double[] _pxf, _pxs;
        private readonly int[] _panelUnit;
        private readonly Dictionary<DetectorGroup, (Vec3 O, Vec3 F, Vec3 S)> _groups = new Dictionary<DetectorGroup, (Vec3, Vec3, Vec3)>();
        private readonly double _wPsi;
        private readonly int _threads;
        private PanelPlane[] _planes;
        private double[] _rmsd = new double[3];

        public StillsRefinementProblem(DetectorModel start, List<PanelGroupUnit> units, CrystalState[] crystals, double deltaPsiSigma, int threads)
        {
            _start = start;
            Units = units;
            Crystals = crystals;
            _wPsi = deltaPsiSigma > 0 ? 1 / (deltaPsiSigma * deltaPsiSigma) : 0;
            _threads = Math.Max(1, threads);
            int np = start.PanelCount;
            _po = new Vec3[np]; _pf = new Vec3[np]; _ps = new Vec3[np]; _pxf = new double[np]; _pxs = new double[np];
            _panelUnit = new int[np];
            for (int i = 0; i < np; i++)
            {
                var p = start.Panels[i];
                _po[i] = p.Origin; _pf[i] = p.FastAxis; _ps[i] = p.SlowAxis; _pxf[i] = p.PixelSize; _pxs[i] = p.PixelSizeSlow;
                _panelUnit[i] = -1;
            }
            for (int u = 0; u < units.Count; u++) foreach (var p in units[u].Panels) _panelUnit[p] = u;
            Collect(start.Hierarchy);
            SharedFixed = new bool[units.Count * Seg];
            _planes = Planes(_po, _pf, _ps);
        }

        private void Collect(DetectorGroup g)
        {
            _groups[g] = (g.Origin, g.FastAxis, g.SlowAxis);
            foreach (var c in g.Children) Collect(c);
        }

        public List<PanelGroupUnit> Units { get; }
        public CrystalState[] Crystals { get; }
        public int SegmentCount => Units.Count;
        public int SegmentSize => Seg;
        public bool[] SharedFixed { get; }
        public int ObservationCount { get; private set; }
        public int UnitOfPanel(int panel) => _panelUnit[panel];

        private PanelPlane[] Planes(Vec3[] o, Vec3[] f, Vec3[] s)
        {
            var planes = new PanelPlane[o.Length];
            for (int i = 0; i < o.Length; i++) planes[i] = new PanelPlane(o[i], f[i], s[i], _pxf[i], _pxs[i]);
            return planes;
        }

        /// <summary>Sets each active crystal's touched segments and each used reflection's local segment index.</summary>
        public void IndexSegments()
        {
            int observations = 0;
            foreach (var c in Crystals)
            {
                if (!c.Active) { c.Segments = Array.Empty<int>(); continue; }
                var touched = new SortedSet<int>();
                for (int i = 0; i < c.Used.Length; i++) if (c.Used[i]) touched.Add(_panelUnit[c.Panel[i]]);
                c.Segments = touched.ToArray();
                var local = new Dictionary<int, int>();
                for (int a = 0; a < c.Segments.Length; a++) local[c.Segments[a]] = a;
                for (int i = 0; i < c.Used.Length; i++)
                {
                    c.LocalSegment[i] = c.Used[i] ? local[_panelUnit[c.Panel[i]]] : -1;
                    if (c.Used[i]) observations += _wPsi > 0 ? 3 : 2;
                }
            }
            ObservationCount = observations;
        }

        public BlockTerms[] CreateTerms()
        {
            var terms = new BlockTerms[Crystals.Length];
            for (int b = 0; b < Crystals.Length; b++)
            {
                var c = Crystals[b];
                terms[b] = new BlockTerms(c.ParameterCount, c.Segments, Seg) { Active = c.Active };
                for (int k = 3; k < c.ParameterCount; k++) terms[b].Fixed[k] = c.CellFixed;
            }
            return terms;
        }

        public double Linearise(BlockTerms[] terms)
        {
            var costs = new double[Crystals.Length];
            var sums = new double[Crystals.Length * 4];
            Parallel.For(0, Crystals.Length, new ParallelOptions { MaxDegreeOfParallelism = _threads }, b =>
            {
                var c = Crystals[b];
                if (!c.Active) return;
                terms[b].Clear();
                costs[b] = Evaluate(c, c.U, c.Cell, _planes, terms[b], sums, b * 4, null, null, null, null);
            });
            double n = 0, sx = 0, sy = 0, sp = 0;
            for (int b = 0; b < Crystals.Length; b++) { sx += sums[b * 4]; sy += sums[b * 4 + 1]; sp += sums[b * 4 + 2]; n += sums[b * 4 + 3]; }
            _rmsd = n > 0 ? new[] { Math.Sqrt(sx / n), Math.Sqrt(sy / n), Math.Sqrt(sp / n) } : new[] { double.NaN, double.NaN, double.NaN };
            return costs.Sum();
        }

        public double[] Rmsd() => (double[])_rmsd.Clone();

        public double TrialCost(double[] sharedStep, double[][] blockSteps)
        {
            var (po, pf, ps) = MovedPanels(sharedStep);
            var planes = Planes(po, pf, ps);
            var costs = new double[Crystals.Length];
            Parallel.For(0, Crystals.Length, new ParallelOptions { MaxDegreeOfParallelism = _threads }, b =>
            {
                var c = Crystals[b];
                if (!c.Active) return;
                var (u, cell) = Moved(c, blockSteps[b]);
                if (cell == null) { costs[b] = double.PositiveInfinity; return; }
                costs[b] = Evaluate(c, u, cell, planes, null, null, 0, null, null, null, null);
            });
            return costs.Sum();
        }

        public void Accept(double[] sharedStep, double[][] blockSteps)
        {
            var (po, pf, ps) = MovedPanels(sharedStep);
            Array.Copy(po, _po, po.Length); Array.Copy(pf, _pf, pf.Length); Array.Copy(ps, _ps, ps.Length);
            for (int u = 0; u < Units.Count; u++)
            {
                var unit = Units[u];
                var (r, t) = Motion(unit, sharedStep, u);
                var g = unit.Origin;
                unit.Origin = g + t; unit.Fast = r * unit.Fast; unit.Slow = r * unit.Slow;
                foreach (var grp in unit.Subtree)
                {
                    var f = _groups[grp];
                    _groups[grp] = (g + r * (f.O - g) + t, r * f.F, r * f.S);
                }
            }
            for (int b = 0; b < Crystals.Length; b++)
            {
                var c = Crystals[b];
                if (!c.Active) continue;
                var (u, cell) = Moved(c, blockSteps[b]);
                c.U = u; c.Cell = cell!;
            }
            _planes = Planes(_po, _pf, _ps);
        }

        /// <summary>Rotation and translation of a unit for a step: R = exp([ω]×), ω = 10⁻³(τ1 n + τ2 f + τ3 s); t = Dist·n + Shift1·f + Shift2·s.</summary>
        private static (Mat3 R, Vec3 T) Motion(PanelGroupUnit unit, double[] step, int u)
        {
            var n = unit.Normal; var f = unit.Fast; var s = unit.Slow;
            int o = u * Seg;
            var t = n * step[o] + f * step[o + 1] + s * step[o + 2];
            var w = (n * step[o + 3] + f * step[o + 4] + s * step[o + 5]) * 1e-3;
            double angle = w.Length;
            return (angle > 0 ? Mat3.Rotation(w, angle) : Mat3.Identity, t);
        }

        private (Vec3[] O, Vec3[] F, Vec3[] S) MovedPanels(double[] step)
        {
            var o = (Vec3[])_po.Clone(); var f = (Vec3[])_pf.Clone(); var s = (Vec3[])_ps.Clone();
            for (int u = 0; u < Units.Count; u++)
            {
                var unit = Units[u];
                var (r, t) = Motion(unit, step, u);
                var g = unit.Origin;
                foreach (var p in unit.Panels)
                {
                    o[p] = g + r * (_po[p] - g) + t;
                    f[p] = r * _pf[p];
                    s[p] = r * _ps[p];
                }
            }
            return (o, f, s);
        }

        private static (Mat3 U, CellParameterisation? Cell) Moved(CrystalState c, double[] step)
        {
            var w = new Vec3(step[0], step[1], step[2]) * 1e-3;
            double angle = w.Length;
            var u = angle > 0 ? Mat3.Rotation(w, angle) * c.U : c.U;
            var cell = c.CellFixed ? c.Cell : c.Cell.Shifted(new ReadOnlySpan<double>(step, 3, c.Cell.Count));
            try { _ = cell.Cell; } catch (ArgumentException) { return (u, null); }
            return (u, cell);
        }

        /// <summary>
        /// Residuals of one crystal's used reflections (or predictions of all of them when the output arrays are given);
        /// with <paramref name="t"/>, also its normal-equation terms. Returns ½·Σ w·r², ∞ when a used reflection cannot be predicted.
        /// </summary>
        private double Evaluate(CrystalState c, Mat3 u, CellParameterisation cell, PanelPlane[] planes, BlockTerms? t, double[]? sums, int sumOffset,
            double[]? outX, double[]? outY, double[]? outPsi, bool[]? outOk)
        {
            int nc = c.ParameterCount;
            Span<Mat3> dB = stackalloc Mat3[6];
            var b = cell.BMatrix(dB);
            var a = u * b;
            Span<double> jx = stackalloc double[9];
            Span<double> jy = stackalloc double[9];
            Span<double> jp = stackalloc double[9];
            Span<double> dx = stackalloc double[Seg];
            Span<double> dy = stackalloc double[Seg];
            double cost = 0, sx = 0, sy = 0, sp = 0, n = 0;
            bool all = outX != null;
            for (int i = 0; i < c.Hkl.Length; i++)
            {
                if (!all && !c.Used[i]) continue;
                var h = c.Hkl[i];
                var r0 = a * h;
                int panel = c.Panel[i];
                var plane = planes[panel];
                if (!EwaldPrediction.TryPredict(c.S0, r0, out var ew) || !plane.Intersect(ew.S1, out double xm, out double ym, out double v3))
                {
                    if (all) { outX![i] = outY![i] = outPsi![i] = double.NaN; outOk![i] = false; continue; }
                    if (t == null) return double.PositiveInfinity;
                    continue;
                }
                double xc = xm / plane.PixelFast, yc = ym / plane.PixelSlow;
                if (all) { outX![i] = xc; outY![i] = yc; outPsi![i] = ew.DeltaPsi; outOk![i] = true; if (!c.Used[i]) continue; }
                double rx = c.X[i] - xc, ry = c.Y[i] - yc, rp = -ew.DeltaPsi;
                double wx = c.Wx[i], wy = c.Wy[i];
                cost += 0.5 * (wx * rx * rx + wy * ry * ry + _wPsi * rp * rp);
                sx += rx * rx; sy += ry * ry; sp += ew.DeltaPsi * ew.DeltaPsi; n++;
                if (t == null) continue;

                Derivatives(c, u, dB, h, r0, ew, plane, xm, ym, v3, panel, jx, jy, jp, dx, dy);
                // Accumulate.
                var ncc = t.Ncc; var gc = t.Gc;
                for (int k = 0; k < nc; k++)
                {
                    double ax = wx * jx[k], ay = wy * jy[k], ap = _wPsi * jp[k];
                    gc[k] += ax * rx + ay * ry + ap * rp;
                    for (int l = 0; l < nc; l++) ncc[k * nc + l] += ax * jx[l] + ay * jy[l] + ap * jp[l];
                }
                int seg = c.LocalSegment[i];
                int ddo = seg * Seg * Seg, go = seg * Seg;
                for (int p = 0; p < Seg; p++)
                {
                    double ax = wx * dx[p], ay = wy * dy[p];
                    if (ax == 0 && ay == 0) continue;
                    t.Gd[go + p] += ax * rx + ay * ry;
                    for (int q = 0; q < Seg; q++) t.Dd[ddo + p * Seg + q] += ax * dx[q] + ay * dy[q];
                    int row = (go + p) * nc;
                    for (int k = 0; k < nc; k++) t.Ndc[row + k] += ax * jx[k] + ay * jy[k];
                }
            }
            if (sums != null) { sums[sumOffset] = sx; sums[sumOffset + 1] = sy; sums[sumOffset + 2] = sp; sums[sumOffset + 3] = n; }
            return cost;
        }

        /// <summary>∂x, ∂y (px) and ∂Δψ (rad) of one reflection with respect to the crystal's parameters (rotations about
        /// lab x, y, z in mrad, then the cell) and to the six rigid-body parameters of its panel's unit.</summary>
        private void Derivatives(CrystalState c, Mat3 u, ReadOnlySpan<Mat3> dB, Vec3 h, Vec3 r0, in EwaldPrediction ew, in PanelPlane plane,
            double xm, double ym, double v3, int panel, Span<double> jx, Span<double> jy, Span<double> jp, Span<double> dx, Span<double> dy)
        {
            int nc = c.ParameterCount;
            for (int k = 0; k < nc; k++)
            {
                Vec3 dr = k switch
                {
                    0 => new Vec3(0, -r0.Z, r0.Y) * 1e-3,
                    1 => new Vec3(r0.Z, 0, -r0.X) * 1e-3,
                    2 => new Vec3(-r0.Y, r0.X, 0) * 1e-3,
                    _ => c.CellFixed ? Vec3.Zero : u * (dB[k - 3] * h),
                };
                ew.Derivative(dr, out var ds1, out double dpsi);
                plane.RayDerivative(ds1, xm, ym, v3, out double dX, out double dY);
                jx[k] = dX / plane.PixelFast; jy[k] = dY / plane.PixelSlow; jp[k] = dpsi;
            }
            int unitIndex = _panelUnit[panel];
            var unit = Units[unitIndex];
            var rel = plane.Point(xm, ym) - unit.Origin;
            var nn = unit.Normal; var ff = unit.Fast; var ss = unit.Slow;
            for (int q = 0; q < Seg; q++)
            {
                if (SharedFixed[unitIndex * Seg + q]) { dx[q] = dy[q] = 0; continue; }
                Vec3 m = q switch
                {
                    0 => nn,
                    1 => ff,
                    2 => ss,
                    3 => nn.Cross(rel) * 1e-3,
                    4 => ff.Cross(rel) * 1e-3,
                    _ => ss.Cross(rel) * 1e-3,
                };
                plane.MotionDerivative(m, xm, ym, out double mx, out double my);
                dx[q] = mx / plane.PixelFast; dy[q] = my / plane.PixelSlow;
            }
        }

        /// <summary>Analytic derivatives of reflection <paramref name="i"/> of crystal <paramref name="b"/> at the current point
        /// (crystal: x, y, Δψ rows; detector: x, y rows for its unit's six parameters); false when it cannot be predicted.</summary>
        internal bool ReflectionJacobian(int b, int i, double[] jx, double[] jy, double[] jp, double[] dx, double[] dy)
        {
            var c = Crystals[b];
            Span<Mat3> dB = stackalloc Mat3[6];
            var bm = c.Cell.BMatrix(dB);
            var h = c.Hkl[i];
            var r0 = c.U * bm * h;
            var plane = _planes[c.Panel[i]];
            if (!EwaldPrediction.TryPredict(c.S0, r0, out var ew) || !plane.Intersect(ew.S1, out double xm, out double ym, out double v3)) return false;
            Derivatives(c, c.U, dB, h, r0, ew, plane, xm, ym, v3, c.Panel[i], jx, jy, jp, dx, dy);
            return true;
        }

        /// <summary>Predictions of crystal <paramref name="b"/> after a step, without moving the current point (finite-difference checks).</summary>
        internal void PredictWithStep(int b, double[] sharedStep, double[] blockStep, double[] x, double[] y, double[] psi, bool[] ok)
        {
            var (po, pf, ps) = MovedPanels(sharedStep);
            var planes = Planes(po, pf, ps);
            var c = Crystals[b];
            var (u, cell) = Moved(c, blockStep);
            Evaluate(c, u, cell!, planes, null, null, 0, x, y, psi, ok);
        }

        /// <summary>Predictions (px, rad) of every reflection of a crystal on the current model.</summary>
        public void PredictAll(CrystalState c, double[] x, double[] y, double[] psi, bool[] ok) =>
            Evaluate(c, c.U, c.Cell, _planes, null, null, 0, x, y, psi, ok);

        /// <summary>The current detector: panels moved, hierarchy frames moved with them.</summary>
        public DetectorModel CurrentDetector()
        {
            var panels = new Panel[_start.PanelCount];
            for (int i = 0; i < panels.Length; i++) panels[i] = _start.Panels[i].WithFrame(_po[i], _pf[i], _ps[i]);
            return _start.WithPanels(panels, Rebuild(_start.Hierarchy));
        }

        private DetectorGroup Rebuild(DetectorGroup g)
        {
            var f = _groups[g];
            return new DetectorGroup(g.Name, f.O, f.F, f.S, g.Children.Select(Rebuild).ToArray(), g.PanelIndices);
        }

        /// <summary>The motion of a unit since the start of the level, in its starting frame: Dist, Shift1, Shift2 (mm), Tau1, Tau2, Tau3 (mrad).</summary>
        public static double[] Shifts(PanelGroupUnit unit)
        {
            var f0 = unit.Fast0.Normalized();
            var n0 = f0.Cross(unit.Slow0).Normalized();
            var s0 = n0.Cross(f0);
            var f1 = unit.Fast.Normalized();
            var n1 = f1.Cross(unit.Slow).Normalized();
            var s1 = n1.Cross(f1);
            var d = unit.Origin - unit.Origin0;
            var r = Mat3.FromColumns(f1, s1, n1) * Mat3.FromColumns(f0, s0, n0).Transpose();
            double cos = Math.Max(-1, Math.Min(1, (r.M11 + r.M22 + r.M33 - 1) / 2));
            double angle = Math.Acos(cos);
            var axis = new Vec3(r.M32 - r.M23, r.M13 - r.M31, r.M21 - r.M12);
            double sin = Math.Sin(angle);
            var w = angle < 1e-9 ? axis * 0.5 : axis * (angle / (2 * sin));
            return new[] { d.Dot(n0), d.Dot(f0), d.Dot(s0), 1e3 * w.Dot(n0), 1e3 * w.Dot(f0), 1e3 * w.Dot(s0) };
        }
    }
}
