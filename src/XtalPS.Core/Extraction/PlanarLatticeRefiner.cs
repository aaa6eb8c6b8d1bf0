using System;
using System.Collections.Generic;
using XtalPS.Geometry;
using XtalPS.Geometry.Numerics;
using XtalPS.Integration;
using XtalPS.Lattices;

namespace XtalPS.Extraction
{
    /// <summary>
    /// Weighted least squares of origin, A and B of a <see cref="PlanarLattice"/> against measured centres
    /// (IPLT's lattice refinement after LatticeGaussianExtract; 2dx's least-squares lattice fit). Gauss–Newton (the
    /// refinement engine's undamped mode),
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
                var next = Step(current, reflections, use, wts, out used);
                if (next == null) return lattice;
                current = next;
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

        /// <summary>Gauss–Newton steps on (Ox, Oy, Ax, Ay, Bx, By) until they stop moving (at most four); null when the
        /// normal equations are singular or the basis degenerates.</summary>
        private PlanarLattice? Step(PlanarLattice lat, IReadOnlyList<Reflection> refl, bool[] use, double[] wts, out int used)
        {
            var model = new CentreModel(lat, refl, use, wts);
            used = model.Used;
            if (used < MinReflections) return null;
            var p = new[] { lat.Origin.X, lat.Origin.Y, lat.A.X, lat.A.Y, lat.B.X, lat.B.Y };
            var stop = new LevenbergMarquardt { Damped = false, MaxIterations = 4, StepTolerance = 1e-9 }.Minimise(model, p);
            if (stop == LeastSquaresStop.Singular || stop == LeastSquaresStop.NotEvaluable) return null;
            return lat.With(new Vec2(p[0], p[1]), new Vec2(p[2], p[3]), new Vec2(p[4], p[5]), used, double.NaN);
        }

        /// <summary>Weighted residuals √w·(measured − predicted) of the used centres; analytic Jacobian for an undistorted
        /// lattice, central differences when barrel/spiral terms (held fixed) are present.</summary>
        private sealed class CentreModel : ILeastSquaresModel
        {
            private readonly PlanarLattice _lat;
            private readonly int[] _index;
            private readonly double[] _sw;
            private readonly IReadOnlyList<Reflection> _refl;
            private readonly bool _linear;

            public CentreModel(PlanarLattice lat, IReadOnlyList<Reflection> refl, bool[] use, double[] wts)
            {
                _lat = lat; _refl = refl;
                var index = new List<int>();
                for (int i = 0; i < refl.Count; i++) if (use[i]) index.Add(i);
                _index = index.ToArray();
                _sw = new double[_index.Length];
                for (int j = 0; j < _index.Length; j++) _sw[j] = Math.Sqrt(wts[_index[j]]);
                _linear = lat.BarrelDistortion == 0 && lat.SpiralDistortion == 0;
            }

            public int Used => _index.Length;
            public int ParameterCount => 6;
            public int ResidualCount => 2 * _index.Length;

            private PlanarLattice At(double[] p) => _lat.With(new Vec2(p[0], p[1]), new Vec2(p[2], p[3]), new Vec2(p[4], p[5]), _lat.IndexedCount, _lat.Rmsd);

            public bool Residuals(double[] p, double[] residuals)
            {
                var a = new Vec2(p[2], p[3]); var b = new Vec2(p[4], p[5]);
                if (Math.Abs(a.Cross(b)) < 1e-9) return false;
                var lat = At(p);
                for (int j = 0; j < _index.Length; j++)
                {
                    var r = _refl[_index[j]];
                    var q = lat.Predict(r.H, r.K);
                    residuals[2 * j] = _sw[j] * (r.X - q.X);
                    residuals[2 * j + 1] = _sw[j] * (r.Y - q.Y);
                }
                return true;
            }

            public void Jacobian(double[] p, double[] residuals, double[][] jacobian)
            {
                const double h = 1e-3;
                PlanarLattice[]? plus = null, minus = null;
                if (!_linear)
                {
                    plus = new PlanarLattice[6]; minus = new PlanarLattice[6];
                    for (int k = 0; k < 6; k++)
                    {
                        var q = (double[])p.Clone(); q[k] += h; plus[k] = At(q);
                        q[k] = p[k] - h; minus[k] = At(q);
                    }
                }
                for (int j = 0; j < _index.Length; j++)
                {
                    var r = _refl[_index[j]];
                    double w = _sw[j];
                    for (int k = 0; k < 6; k++)
                    {
                        double jx, jy;
                        if (_linear)
                        {
                            // x = Ox + h·Ax + k·Bx, y = Oy + h·Ay + k·By.
                            double f = k < 2 ? 1 : k < 4 ? r.H : r.K;
                            jx = k % 2 == 0 ? f : 0; jy = k % 2 == 1 ? f : 0;
                        }
                        else
                        {
                            var a = plus![k].Predict(r.H, r.K); var b = minus![k].Predict(r.H, r.K);
                            jx = (a.X - b.X) / (2 * h); jy = (a.Y - b.Y) / (2 * h);
                        }
                        // Residuals are measured − predicted.
                        jacobian[k][2 * j] = -w * jx;
                        jacobian[k][2 * j + 1] = -w * jy;
                    }
                }
            }
        }
    }
}
