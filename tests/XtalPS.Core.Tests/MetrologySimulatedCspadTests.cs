using System;
using System.Linq;
using XtalPS.Geometry;
using XtalPS.Metrology;
using Xunit;
using Xunit.Abstractions;

namespace XtalPS.Core.Tests
{
    /// <summary>
    /// Hierarchical metrology on the 8 simulated CSPAD stills: start from the NOMINAL geometry (the CBF header), observe
    /// the reflections where they fall on the TRUE geometry, and recover the true per-ASIC positions and rotations.
    /// </summary>
    public class MetrologySimulatedCspadTests
    {
        private readonly ITestOutputHelper _out;
        public MetrologySimulatedCspadTests(ITestOutputHelper output) { _out = output; }

        [Fact]
        public void Nominal_and_true_detector_files_match_the_simulators_panels()
        {
            var truth = MetrologyTestData.SimTrueDetector();
            var nominal = MetrologyTestData.SimNominalDetector();
            var header = Formats.DiffractionImageReader.ReadFrames(SharedData.File_("sim/cspad/cspad_00000.cbf")).Single().Detector;
            Assert.Equal(64, truth.PanelCount);
            for (int i = 0; i < 64; i++)
            {
                Assert.True((nominal.Panels[i].Origin - header.Panels[i].Origin).Length < 1e-6);
                Assert.True((nominal.Panels[i].FastAxis - header.Panels[i].FastAxis).Length < 1e-9);
            }
            var start = MetrologyTestData.Compare(nominal, truth);
            _out.WriteLine($"nominal vs truth: centres {start.CentreRms:0.###} px RMS (max {start.CentreMax:0.###}), rotations {start.RotationRms:0.###}° RMS");
            Assert.True(start.CentreRms > 0.5 && start.RotationRms > 0.1); // there is something to recover
        }

        [Theory]
        [InlineData(MetrologyFix.None, 0.1, 0.05)]
        [InlineData(MetrologyFix.Distance | MetrologyFix.Tilt, 0.02, 0.005)]
        public void Truth_reflections_refine_the_nominal_geometry_to_the_true_one(MetrologyFix fix, double centreLimit, double rotationLimit)
        {
            var truth = MetrologyTestData.SimTrueDetector();
            var nominal = MetrologyTestData.SimNominalDetector();
            var experiments = Enumerable.Range(0, 8).Select(MetrologyTestData.Sim)
                .Select(s => MetrologyTestData.SimExperiment(s, (t, i) => t.OnActive[i] ? (t.X[i], t.Y[i]) : ((double, double)?)null)).ToArray();
            _out.WriteLine($"{experiments.Sum(e => e.Reflections.Count)} reflections from {experiments.Length} stills, fixed: {fix}");
            var result = HierarchicalMetrology.Refine(nominal, experiments, new MetrologySettings { Fix = fix }, p => { if (!p.IsIteration) _out.WriteLine(p.ToString()); });
            var before = MetrologyTestData.Compare(nominal, truth);
            var after = MetrologyTestData.Compare(result.Detector, truth);
            _out.WriteLine($"panel centres {before.CentreRms:0.####} → {after.CentreRms:0.####} px RMS (max {after.CentreMax:0.####}); in-plane rotations {before.RotationRms:0.####} → {after.RotationRms:0.####}° RMS");
            _out.WriteLine($"mean panel z: truth {truth.Panels.Average(q => q.Centre.Z):0.####} mm, refined {result.Detector.Panels.Average(q => q.Centre.Z):0.####} mm; cell {result.Crystals[0].Cell} (truth 79.1 79.1 37.9)");
            Assert.Equal(4, result.Levels.Count);
            Assert.All(result.Levels, l => Assert.True(l.RmsdXAfter <= l.RmsdXBefore + 1e-3 && l.RmsdYAfter <= l.RmsdYBefore + 1e-3));
            Assert.True(result.Levels[3].RmsdXAfter < 0.02 && result.Levels[3].RmsdYAfter < 0.02);
            Assert.True(after.CentreRms < centreLimit, $"centres {after.CentreRms} px RMS");
            Assert.True(after.RotationRms < rotationLimit, $"rotations {after.RotationRms}° RMS");
            // The input model was not touched.
            Assert.Equal(0, MetrologyTestData.Compare(nominal, MetrologyTestData.SimNominalDetector()).CentreRms, 12);
        }
    }
}
