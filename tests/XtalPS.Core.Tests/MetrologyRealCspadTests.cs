using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using XtalPS.Geometry;
using XtalPS.Lattices;
using XtalPS.Metrology;
using Xunit;
using Xunit.Abstractions;

namespace XtalPS.Core.Tests
{
    /// <summary>
    /// Metrology on the 300 real thermolysin crystals of DIALS's refined CSPAD experiment list: reflections predicted on
    /// the refined detector (d ≥ 1.7 Å so that the corner ASICs get reflections too; Gaussian noise 0.1 px), the detector perturbed per quadrant, sensor and ASIC, then refined back.
    /// </summary>
    public class MetrologyRealCspadTests
    {
        private readonly ITestOutputHelper _out;
        public MetrologyRealCspadTests(ITestOutputHelper output) { _out = output; }

        /// <summary>Reflections with d ≥ dMin and |Δψ| ≤ maxDeltaPsi that land on a panel, with Gaussian noise (σ px) on x and y.</summary>
        internal static List<ObservedReflection> Predict(DetectorModel detector, Beam beam, Mat3 a, double dMin, double maxDeltaPsi, double sigma, Random rnd)
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

        internal static double Gauss(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());

        /// <summary>Moves every group of one level by a random in-plane rigid motion (shift up to maxShiftPx, rotation up to maxDeg).</summary>
        internal static DetectorModel Perturb(DetectorModel d, int level, double maxShiftPx, double maxDeg, Random rnd)
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

        [Fact]
        public void Three_hundred_real_crystals_recover_a_perturbed_CSPAD_per_quadrant_sensor_and_ASIC()
        {
            var (truth, crystals) = MetrologyTestData.RealCspad300();
            Assert.Equal(64, truth.PanelCount);
            Assert.Equal(300, crystals.Count);
            var experiments = new StillExperiment[crystals.Count];
            Parallel.For(0, crystals.Count, i =>
            {
                var (beam, c) = crystals[i];
                var exact = StillExperiment.FromSettingMatrix($"crystal {i}", beam, c.A, c.SpaceGroupHallSymbol, Array.Empty<ObservedReflection>());
                var refl = Predict(truth, beam, exact.AMatrix, 1.7, 0.6e-3, 0.1, new Random(1000 + i));
                // Start each crystal slightly off: 0.5 mrad about a random axis, cell 0.2 % larger.
                var rnd = new Random(7 + i);
                var axis = new Vec3(Gauss(rnd), Gauss(rnd), Gauss(rnd));
                var cell = exact.Cell;
                experiments[i] = new StillExperiment(exact.Name, beam, Mat3.Rotation(axis, 5e-4) * exact.Orientation,
                    new UnitCell(cell.A * 1.002, cell.B * 1.002, cell.C * 1.002, cell.Alpha, cell.Beta, cell.Gamma), exact.LatticeSystem, refl, null, c.SpaceGroupHallSymbol);
            });
            Assert.All(experiments, e => Assert.Equal(LatticeSystem.Hexagonal, e.LatticeSystem));
            int total = experiments.Sum(e => e.Reflections.Count);
            _out.WriteLine($"{total} reflections ({experiments.Min(e => e.Reflections.Count)}..{experiments.Max(e => e.Reflections.Count)} per crystal)");

            var rng = new Random(42);
            var start = Perturb(truth, 1, 2.0, 0.3, rng);
            start = Perturb(start, 2, 1.0, 0.2, rng);
            start = Perturb(start, 3, 0.5, 0.2, rng);
            var before = MetrologyTestData.Compare(start, truth);

            var result = HierarchicalMetrology.Refine(start, experiments, new MetrologySettings { MaxLevel = 3 }, p => { if (!p.IsIteration) _out.WriteLine(p.ToString()); });
            var after = MetrologyTestData.Compare(result.Detector, truth);
            _out.WriteLine($"panel centres {before.CentreRms:0.####} → {after.CentreRms:0.####} px RMS (max {after.CentreMax:0.####}); in-plane rotations {before.RotationRms:0.####} → {after.RotationRms:0.####}° RMS");
            foreach (var g in result.Levels[3].Groups.OrderBy(g => g.ReflectionCount).Take(6)) _out.WriteLine($"{g.Name}: {g.ReflectionCount} reflections, fixed {g.FixedParameters}");
            var esd = result.Levels[3].Groups.Where(g => !double.IsNaN(g.Shift1Esd)).Average(g => g.Shift1Esd) / truth.Panels[0].PixelSize;
            _out.WriteLine($"mean esd of Shift1 at the ASIC level {esd:0.#####} px");
            Assert.True(before.CentreRms > 1 && before.RotationRms > 0.1);
            Assert.True(after.CentreRms < 0.05, $"centres {after.CentreRms} px RMS");
            Assert.True(after.RotationRms < 0.01, $"rotations {after.RotationRms}° RMS");
            Assert.True(result.Levels[3].RmsdXAfter < 0.12 && result.Levels[3].RmsdYAfter < 0.12);
        }
    }
}
