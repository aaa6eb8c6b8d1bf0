using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using XtalPS.Geometry;
using XtalPS.Lattices;
using XtalPS.Metrology;
using Xunit;
using Xunit.Abstractions;
using XtalPS.Tests.Shared;

namespace XtalPS.Core.Tests
{
    /// <summary>
    /// Metrology on the 300 real thermolysin crystals of DIALS's refined CSPAD experiment list: reflections predicted on
    /// the refined detector (d ≥ 1.7 Å so that the corner ASICs get reflections too; Gaussian noise 0.1 px), the detector perturbed per quadrant, sensor and ASIC, then refined back.
    /// IDEALISED: the reflections come from our own stills predictor and the detector is perturbed through our own
    /// parameterisation, so this checks the engine's scale (300 crystals) and self-consistency, not what a user gets from
    /// real spots (see XtalPS.Module.Tests.MetrologyPipelineTests for that).
    /// </summary>
    public class MetrologyRealCspadTests
    {
        private readonly ITestOutputHelper _out;
        public MetrologyRealCspadTests(ITestOutputHelper output) { _out = output; }

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
                var refl = SyntheticMetrologyData.Predict(truth, beam, exact.AMatrix, 1.7, 0.6e-3, 0.1, new Random(1000 + i));
                // Start each crystal slightly off: 0.5 mrad about a random axis, cell 0.2 % larger.
                var rnd = new Random(7 + i);
                var axis = new Vec3(SyntheticMetrologyData.Gauss(rnd), SyntheticMetrologyData.Gauss(rnd), SyntheticMetrologyData.Gauss(rnd));
                var cell = exact.Cell;
                experiments[i] = new StillExperiment(exact.Name, beam, Mat3.Rotation(axis, 5e-4) * exact.Orientation,
                    new UnitCell(cell.A * 1.002, cell.B * 1.002, cell.C * 1.002, cell.Alpha, cell.Beta, cell.Gamma), exact.LatticeSystem, refl, null, c.SpaceGroupHallSymbol);
            });
            Assert.All(experiments, e => Assert.Equal(LatticeSystem.Hexagonal, e.LatticeSystem));
            int total = experiments.Sum(e => e.Reflections.Count);
            _out.WriteLine($"{total} reflections ({experiments.Min(e => e.Reflections.Count)}..{experiments.Max(e => e.Reflections.Count)} per crystal)");

            var rng = new Random(42);
            var start = SyntheticMetrologyData.Perturb(truth, 1, 2.0, 0.3, rng);
            start = SyntheticMetrologyData.Perturb(start, 2, 1.0, 0.2, rng);
            start = SyntheticMetrologyData.Perturb(start, 3, 0.5, 0.2, rng);
            var before = MetrologyTestData.Compare(start, truth);

            var result = HierarchicalMetrology.Refine(start, experiments, new MetrologySettings { MaxLevel = 3 }, p => { if (!p.IsIteration) _out.WriteLine(p.ToString()); });
            var after = MetrologyTestData.Compare(result.Detector, truth);
            _out.WriteLine($"panel centres {before.CentreRms:0.####} → {after.CentreRms:0.####} px RMS (max {after.CentreMax:0.####}); in-plane rotations {before.RotationRms:0.####} → {after.RotationRms:0.####}° RMS");
            foreach (var g in result.Levels.Last().Groups.OrderBy(g => g.ReflectionCount).Take(6)) _out.WriteLine($"{g.Name}: {g.ReflectionCount} reflections, fixed {g.FixedParameters}");
            var esd = result.Levels.Last().Groups.Where(g => !double.IsNaN(g.Shift1Esd)).Average(g => g.Shift1Esd) / truth.Panels[0].PixelSize;
            _out.WriteLine($"mean esd of Shift1 at the ASIC level {esd:0.#####} px");
            Assert.True(before.CentreRms > 1 && before.RotationRms > 0.1);
            Assert.True(after.CentreRms < 0.05, $"centres {after.CentreRms} px RMS");
            Assert.True(after.RotationRms < 0.01, $"rotations {after.RotationRms}° RMS");
            Assert.True(result.Levels.Last().RmsdXAfter < 0.12 && result.Levels.Last().RmsdYAfter < 0.12);
        }
    }
}
