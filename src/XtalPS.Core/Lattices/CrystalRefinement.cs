using System;
using System.Collections.Generic;
using System.Linq;
using XtalPS.Geometry;
using XtalPS.Geometry.Numerics;

namespace XtalPS.Lattices
{
    /// <summary>Spots with Miller indices under one setting matrix, and how well the stills model predicts them.</summary>
    internal sealed class IndexAssignment
    {
        public int[] Spot = Array.Empty<int>();
        public int[] H = Array.Empty<int>(), K = Array.Empty<int>(), L = Array.Empty<int>();
        public int Count => Spot.Length;
    }

    /// <summary>A refined candidate lattice.</summary>
    internal sealed class RefinedLattice
    {
        public Mat3 A;
        public IndexAssignment Assignment = new IndexAssignment();
        public double[] PredictedX = Array.Empty<double>(), PredictedY = Array.Empty<double>(), DeltaPsi = Array.Empty<double>();
        public double Rmsd = double.PositiveInfinity;
        public int Count => Assignment.Count;
    }

    /// <summary>
    /// Index assignment, outlier rejection (after Sauter &amp; Poon 2010) and refinement of a still's crystal model:
    /// a linear fit of A in reciprocal space, then Levenberg–Marquardt on pixel residuals of the stills prediction
    /// (plus a Δψ term, as in DIALS's stills refinement) over the orientation and the lattice system's free cell parameters.
    /// </summary>
    internal static class CrystalRefinement
    {
        /// <summary>px per (Δψ·|r|, 1/Å): weights the Ewald-offset residual against the positional ones.</summary>
        private const double DeltaPsiWeight = 250;

        /// <summary>Rounds A⁻¹·r for every spot; keeps spots within <paramref name="tolerance"/> of integers, one spot per hkl.</summary>
        public static IndexAssignment Assign(Mat3 a, SpotObservations obs, double tolerance, bool[]? exclude = null)
        {
            var inv = a.Inverse();
            var best = new Dictionary<(int, int, int), (int Spot, double Err)>();
            for (int i = 0; i < obs.Count; i++)
            {
                if (exclude != null && exclude[i]) continue;
                var f = inv * obs.R[i];
                double h = Math.Round(f.X), k = Math.Round(f.Y), l = Math.Round(f.Z);
                double e = Math.Max(Math.Abs(f.X - h), Math.Max(Math.Abs(f.Y - k), Math.Abs(f.Z - l)));
                if (e > tolerance || (h == 0 && k == 0 && l == 0)) continue;
                var key = ((int)h, (int)k, (int)l);
                if (!best.TryGetValue(key, out var prev) || e < prev.Err) best[key] = (i, e);
            }
            var list = best.OrderBy(p => p.Value.Spot).ToArray();
            return new IndexAssignment
            {
                Spot = list.Select(p => p.Value.Spot).ToArray(),
                H = list.Select(p => p.Key.Item1).ToArray(),
                K = list.Select(p => p.Key.Item2).ToArray(),
                L = list.Select(p => p.Key.Item3).ToArray(),
            };
        }

        /// <summary>Least-squares A minimising Σ|A·hᵢ − rᵢ|²: A = (Σ r hᵀ)(Σ h hᵀ)⁻¹.</summary>
        public static Mat3? FitReciprocal(SpotObservations obs, IndexAssignment asg)
        {
            var rh = new double[9]; var hh = new double[9];
            for (int j = 0; j < asg.Count; j++)
            {
                var r = obs.R[asg.Spot[j]];
                double[] h = { asg.H[j], asg.K[j], asg.L[j] };
                double[] rv = { r.X, r.Y, r.Z };
                for (int p = 0; p < 3; p++)
                    for (int q = 0; q < 3; q++) { rh[p * 3 + q] += rv[p] * h[q]; hh[p * 3 + q] += h[p] * h[q]; }
            }
            var hhm = Mat3.FromArray(hh);
            if (Math.Abs(hhm.Determinant) < 1e-9) return null;
            return Mat3.FromArray(rh) * hhm.Inverse();
        }

        /// <summary>Splits A into an orientation and a cell obeying the space group's lattice system.</summary>
        public static (Mat3 U, UnitCell Cell) Decompose(Mat3 a, SpaceGroup group)
        {
            var real = a.Inverse();
            var cell = group.ConstrainCell(UnitCell.FromRealSpaceVectors(real.Row1, real.Row2, real.Row3));
            var u = CrystalOrientation.NearestRotation(a * cell.BMatrix.Inverse());
            return (u, cell);
        }

        /// <summary>Residuals (x, y, weighted Δψ·|r|) of every assigned spot under A; false where prediction fails.</summary>
        private static void Residuals(Mat3 a, SpotObservations obs, IndexAssignment asg, StillsPredictor predictor, double[] res)
        {
            for (int j = 0; j < asg.Count; j++)
            {
                int i = asg.Spot[j];
                var hkl = new Vec3(asg.H[j], asg.K[j], asg.L[j]);
                if (predictor.TryPredictOnPanel(a, hkl, obs.Panel[i], out double x, out double y, out double dpsi))
                {
                    res[3 * j] = x - obs.X[i];
                    res[3 * j + 1] = y - obs.Y[i];
                    res[3 * j + 2] = DeltaPsiWeight * dpsi * obs.Q[i];
                }
                else { res[3 * j] = 100; res[3 * j + 1] = 100; res[3 * j + 2] = 100; }
            }
        }

        private static Mat3 Build(Mat3 u0, double[] p, CellParameterisation? cellParameters, UnitCell cell0)
        {
            var w = new Vec3(p[0], p[1], p[2]);
            double angle = w.Length;
            var rot = angle > 0 ? Mat3.Rotation(w, angle) : Mat3.Identity;
            var cell = cellParameters != null ? cellParameters.CellAt(new ReadOnlySpan<double>(p, 3, p.Length - 3)) : cell0;
            return rot * u0 * cell.BMatrix;
        }

        /// <summary>Levenberg–Marquardt over a small rotation vector and the free cell parameters.</summary>
        public static Mat3 Refine(Mat3 a, SpaceGroup group, bool refineCell, SpotObservations obs, IndexAssignment asg, StillsPredictor predictor, int maxIterations = 25)
        {
            var (u0, cell0) = Decompose(a, group);
            var cellParameters = refineCell ? new CellParameterisation(group, cell0) : null;
            var free = cellParameters?.Values ?? Array.Empty<double>();
            int np = 3 + free.Length;
            if (asg.Count < np) return u0 * cell0.BMatrix;
            var p = new double[np];
            Array.Copy(free, 0, p, 3, free.Length);
            var model = new StillModel(u0, cellParameters, cell0, obs, asg, predictor);
            new LevenbergMarquardt { MaxIterations = maxIterations }.Minimise(model, p);
            return model.Build(p);
        }

        /// <summary>Spot residuals of a still as a function of (rotation vector, free cell parameters); forward-difference Jacobian.</summary>
        private sealed class StillModel : ILeastSquaresModel
        {
            private readonly Mat3 _u0;
            private readonly CellParameterisation? _cell;
            private readonly UnitCell _cell0;
            private readonly SpotObservations _obs;
            private readonly IndexAssignment _asg;
            private readonly StillsPredictor _predictor;
            private readonly double[] _pt, _trial;

            public StillModel(Mat3 u0, CellParameterisation? cell, UnitCell cell0, SpotObservations obs, IndexAssignment asg, StillsPredictor predictor)
            {
                _u0 = u0; _cell = cell; _cell0 = cell0; _obs = obs; _asg = asg; _predictor = predictor;
                ParameterCount = 3 + (cell?.Count ?? 0);
                ResidualCount = 3 * asg.Count;
                _pt = new double[ParameterCount]; _trial = new double[ResidualCount];
            }

            public int ParameterCount { get; }
            public int ResidualCount { get; }

            /// <summary>A = R(ω)·U0·B(cell); the zero matrix when the parameters make no cell.</summary>
            public Mat3 Build(double[] q)
            {
                try { return CrystalRefinement.Build(_u0, q, _cell, _cell0); }
                catch (ArgumentException) { return default; }
            }

            public bool Residuals(double[] p, double[] residuals)
            {
                var m = Build(p);
                CrystalRefinement.Residuals(m, _obs, _asg, _predictor, residuals);
                return m.Determinant != 0;
            }

            public void Jacobian(double[] p, double[] residuals, double[][] jacobian)
            {
                int nr = residuals.Length;
                for (int k = 0; k < p.Length; k++)
                {
                    double h = k < 3 ? 1e-6 : Math.Max(1e-6, 1e-5 * Math.Abs(p[k]));
                    Array.Copy(p, _pt, p.Length); _pt[k] += h;
                    var m = Build(_pt);
                    if (m.Determinant == 0) { Array.Clear(jacobian[k], 0, nr); continue; }
                    CrystalRefinement.Residuals(m, _obs, _asg, _predictor, _trial);
                    for (int r = 0; r < nr; r++) jacobian[k][r] = (_trial[r] - residuals[r]) / h;
                }
            }
        }

        /// <summary>Predicted positions and Δψ of the assigned spots, their RMSD, with spots beyond
        /// <paramref name="maxDistance"/> px dropped when it is finite.</summary>
        public static RefinedLattice Evaluate(Mat3 a, SpotObservations obs, IndexAssignment asg, StillsPredictor predictor, double maxDistance = double.PositiveInfinity)
        {
            var keep = new List<int>();
            var px = new List<double>(); var py = new List<double>(); var dp = new List<double>();
            double ss = 0;
            for (int j = 0; j < asg.Count; j++)
            {
                int i = asg.Spot[j];
                if (!predictor.TryPredictOnPanel(a, new Vec3(asg.H[j], asg.K[j], asg.L[j]), obs.Panel[i], out double x, out double y, out double dpsi)) continue;
                double d2 = (x - obs.X[i]) * (x - obs.X[i]) + (y - obs.Y[i]) * (y - obs.Y[i]);
                if (d2 > maxDistance * maxDistance) continue;
                keep.Add(j); px.Add(x); py.Add(y); dp.Add(dpsi); ss += d2;
            }
            var sub = new IndexAssignment
            {
                Spot = keep.Select(j => asg.Spot[j]).ToArray(), H = keep.Select(j => asg.H[j]).ToArray(),
                K = keep.Select(j => asg.K[j]).ToArray(), L = keep.Select(j => asg.L[j]).ToArray(),
            };
            return new RefinedLattice
            {
                A = a, Assignment = sub, PredictedX = px.ToArray(), PredictedY = py.ToArray(), DeltaPsi = dp.ToArray(),
                Rmsd = keep.Count > 0 ? Math.Sqrt(ss / keep.Count) : double.PositiveInfinity,
            };
        }

        /// <summary>Outlier limit (px) from the residual distances: 4σ with σ from the median of a 2D Gaussian's
        /// distance distribution (median = 1.1774σ), at least <paramref name="floor"/>.</summary>
        public static double OutlierLimit(RefinedLattice r, SpotObservations obs, double floor)
        {
            if (r.Count == 0) return floor;
            var d = new double[r.Count];
            for (int j = 0; j < r.Count; j++)
            {
                int i = r.Assignment.Spot[j];
                d[j] = Math.Sqrt((r.PredictedX[j] - obs.X[i]) * (r.PredictedX[j] - obs.X[i]) + (r.PredictedY[j] - obs.Y[i]) * (r.PredictedY[j] - obs.Y[i]));
            }
            Array.Sort(d);
            double median = d[d.Length / 2];
            return Math.Max(floor, 4 * median / 1.1774);
        }

        /// <summary>Assign and fit in reciprocal space three times: a cheap score (spots indexed) for a starting setting.</summary>
        public static (Mat3 A, int Count)? QuickFit(Mat3 a, SpotObservations obs, double tolerance, bool[]? exclude)
        {
            var asg = Assign(a, obs, tolerance, exclude);
            for (int it = 0; it < 3; it++)
            {
                if (asg.Count < 6) return null;
                var fit = FitReciprocal(obs, asg);
                if (fit == null || Math.Abs(fit.Value.Determinant) < 1e-15) return null;
                a = fit.Value;
                asg = Assign(a, obs, tolerance, exclude);
            }
            return (a, asg.Count);
        }

        /// <summary>
        /// From a starting setting: assign, fit in reciprocal space, decompose/constrain, refine on pixels, reject
        /// outliers, re-assign and refine again. Null when too few spots index.
        /// </summary>
        public static RefinedLattice? RefineFrom(Mat3 a, SpotObservations obs, SpaceGroup group, IndexingSettings s, StillsPredictor predictor, bool[]? exclude)
        {
            double tol = s.IndexTolerance;
            IndexAssignment asg = Assign(a, obs, tol, exclude);
            for (int it = 0; it < 3; it++)
            {
                if (asg.Count < Math.Max(6, s.MinIndexed / 2)) return null;
                var fit = FitReciprocal(obs, asg);
                if (fit == null || Math.Abs(fit.Value.Determinant) < 1e-15) return null;
                a = fit.Value;
                asg = Assign(a, obs, tol, exclude);
            }
            if (asg.Count < s.MinIndexed) return null;
            try
            {
                a = Refine(a, group, s.RefineCell, obs, asg, predictor);
                var ev = Evaluate(a, obs, asg, predictor);
                for (int round = 0; round < 2; round++)
                {
                    double limit = OutlierLimit(ev, obs, 0.75);
                    var inliers = Evaluate(a, obs, ev.Assignment, predictor, limit);
                    if (inliers.Count < s.MinIndexed) return null;
                    a = Refine(a, group, s.RefineCell, obs, inliers.Assignment, predictor);
                    // Re-assign against the refined model: more spots may index now.
                    var all = Assign(a, obs, tol, exclude);
                    ev = Evaluate(a, obs, all, predictor, limit);
                }
                var final = Evaluate(a, obs, ev.Assignment, predictor);
                return final.Count >= s.MinIndexed ? final : null;
            }
            catch (InvalidOperationException) { return null; }
            catch (ArgumentException) { return null; }
        }
    }
}
