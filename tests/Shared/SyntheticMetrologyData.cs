using System;
using System.Collections.Generic;
using System.Linq;
using XtalPS.Geometry;
using XtalPS.Lattices;
using XtalPS.Metrology;

namespace XtalPS.Tests.Shared
{
    /// <summary>
    /// Synthetic metrology data from known crystals: stills predictions with noise on a detector, and random rigid
    /// perturbations of one hierarchy level. One source, compiled into the Core tests and the benchmarks.
    /// </summary>
    internal static class SyntheticMetrologyData
    {
        /// <summary>Reflections with d ≥ dMin and |Δψ| ≤ maxDeltaPsi that land on a panel, with Gaussian noise (σ px) on x and y.</summary>
        public static List<ObservedReflection> Predict(DetectorModel detector, Beam beam, Mat3 a, double dMin, double maxDeltaPsi, double sigma, Random rnd)
        {
            var s0 = beam.S0;
            double k = s0.Length, qmax = 1 / (dMin * dMin);
            var real = a.Inverse();
            int hmax = (int)Math.Ceiling(real.Row1.Length / dMin), kmax = (int)Math.Ceiling(real.Row2.Length / dMin), lmax = (int)Math.Ceiling(real.Row3.Length / dMin);
            var ca = a.Column1; var cb = a.Column2; var cc = a.Column3;
            var list = new List<ObservedReflection>();
            var planes = detector.Panels.Select(p => (Panel: p, Inv: Mat3.FromColumns(p.FastAxis, p.SlowAxis, p.Origin).Inverse())).ToArray();
            for (int h = -hmax; h <= hmax; h++)
                for (int kk = -kmax; kk <= kmax; kk++)
                {
                    // On the Ewald sphere 2 s0·r + |r|² = 0 is a quadratic in l; only l near its roots can be close to diffracting.
                    var rhk = ca * h + cb * kk;
                    double qa = cc.LengthSquared, qb = 2 * (rhk.Dot(cc) + s0.Dot(cc)), qc = 2 * s0.Dot(rhk) + rhk.LengthSquared;
                    double disc = qb * qb - 4 * qa * qc;
                    if (disc < 0) continue;
                    double sq = Math.Sqrt(disc);
                    var candidates = new SortedSet<int>();
                    foreach (double root in new[] { (-qb - sq) / (2 * qa), (-qb + sq) / (2 * qa) })
                        for (int l = (int)Math.Floor(root) - 2; l <= (int)Math.Ceiling(root) + 2; l++) candidates.Add(l);
                    foreach (int l in candidates)
                    {
                        var r0 = rhk + cc * l;
                        double q = r0.LengthSquared;
                        if (q > qmax || q == 0) continue;
                        if (!EwaldPrediction.TryPredict(s0, r0, out var ew) || Math.Abs(ew.DeltaPsi) > maxDeltaPsi) continue;
                        for (int p = 0; p < planes.Length; p++)
                        {
                            var v = planes[p].Inv * ew.S1;
                            if (!(v.Z > 0)) continue;
                            var panel = planes[p].Panel;
                            double x = v.X / v.Z / panel.PixelSize, y = v.Y / v.Z / panel.PixelSizeSlow;
                            if (x < 1 || y < 1 || x > panel.Width - 1 || y > panel.Height - 1) continue;
                            list.Add(new ObservedReflection(h, kk, l, p, x + sigma * Gauss(rnd), y + sigma * Gauss(rnd), sigma * sigma, sigma * sigma));
                            break;
                        }
                    }
                }
            return list;
        }

        public static double Gauss(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());

        /// <summary>Moves every group of one level by a random in-plane rigid motion (shift up to maxShiftPx, rotation up to maxDeg).</summary>
        public static DetectorModel Perturb(DetectorModel d, int level, double maxShiftPx, double maxDeg, Random rnd)
        {
            var units = PanelGroupUnit.AtLevel(d, level);
            var p = new StillsRefinementProblem(d, units, Array.Empty<CrystalState>(), 1e-3, 1);
            var step = new double[units.Count * 6];
            double px = d.Panels[0].PixelSize;
            for (int u = 0; u < units.Count; u++)
            {
                step[u * 6 + 1] = (2 * rnd.NextDouble() - 1) * maxShiftPx * px;
                step[u * 6 + 2] = (2 * rnd.NextDouble() - 1) * maxShiftPx * px;
                step[u * 6 + 3] = (2 * rnd.NextDouble() - 1) * maxDeg * Math.PI / 180 * 1e3;
            }
            p.Accept(step, Array.Empty<double[]>());
            return p.CurrentDetector();
        }
    }
}
