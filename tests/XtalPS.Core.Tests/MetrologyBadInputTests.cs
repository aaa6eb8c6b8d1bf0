using System;
using System.Linq;
using XtalPS.Geometry;
using XtalPS.Lattices;
using XtalPS.Metrology;
using Xunit;

namespace XtalPS.Core.Tests
{
    /// <summary>Metrology refuses what it cannot do with a MetrologyException carrying a stable ErrorId, and leaves its inputs alone.</summary>
    public class MetrologyBadInputTests
    {
        private static StillExperiment[] Sim(int count = 8) => Enumerable.Range(0, count).Select(MetrologyTestData.Sim)
            .Select(s => MetrologyTestData.SimExperiment(s, (t, i) => (t.X[i], t.Y[i]))).ToArray();

        private static void AssertUntouched(DetectorModel before, DetectorModel after)
        {
            for (int i = 0; i < before.PanelCount; i++)
            {
                Assert.Equal(before.Panels[i].Origin, after.Panels[i].Origin);
                Assert.Equal(before.Panels[i].FastAxis, after.Panels[i].FastAxis);
            }
        }

        [Fact]
        public void Observations_from_another_detector_are_refused()
        {
            var nominal = MetrologyTestData.SimNominalDetector();
            var other = DetectorModel.SinglePanel("pilatus", 2463, 2527, 0.172, 200, 1231, 1263);
            var s = MetrologyTestData.Sim(0);
            var experiments = Sim(2).ToList();
            experiments.Add(new StillExperiment("odd", s.Beam, s.U, s.Cell, LatticeSystem.Tetragonal, experiments[0].Reflections, other));
            var e = Assert.Throws<MetrologyException>(() => HierarchicalMetrology.Refine(nominal, experiments));
            Assert.Equal(MetrologyException.DetectorMismatchId, e.ErrorId);
            Assert.Contains("odd", e.Message);
            AssertUntouched(MetrologyTestData.SimNominalDetector(), nominal);
        }

        [Fact]
        public void A_panel_index_beyond_the_detector_is_refused()
        {
            var nominal = MetrologyTestData.SimNominalDetector();
            var s = MetrologyTestData.Sim(0);
            var bad = new StillExperiment("bad", s.Beam, s.U, s.Cell, LatticeSystem.Tetragonal, new[] { new ObservedReflection(1, 2, 3, 64, 10, 10) });
            var e = Assert.Throws<MetrologyException>(() => HierarchicalMetrology.Refine(nominal, Sim(1).Append(bad).ToArray()));
            Assert.Equal(MetrologyException.DetectorMismatchId, e.ErrorId);
        }

        [Theory]
        [InlineData(0, 5)]
        [InlineData(-1, 2)]
        [InlineData(3, 2)]
        public void A_level_outside_the_hierarchy_is_refused(int min, int max)
        {
            var nominal = MetrologyTestData.SimNominalDetector();
            Assert.Equal(3, HierarchicalMetrology.DeepestLevel(nominal));
            var e = Assert.Throws<MetrologyException>(() => HierarchicalMetrology.Refine(nominal, Sim(1), new MetrologySettings { MinLevel = min, MaxLevel = max }));
            Assert.Equal(MetrologyException.HierarchyLevelOutOfRangeId, e.ErrorId);
        }

        [Fact]
        public void Too_few_reflections_are_refused_and_the_model_is_untouched()
        {
            var nominal = MetrologyTestData.SimNominalDetector();
            var s = MetrologyTestData.Sim(0);
            var few = MetrologyTestData.SimExperiment(s, (t, i) => i < 5 ? (t.X[i], t.Y[i]) : ((double, double)?)null);
            var e = Assert.Throws<MetrologyException>(() => HierarchicalMetrology.Refine(nominal, new[] { few }));
            Assert.Equal(MetrologyException.TooFewReflectionsId, e.ErrorId);
            e = Assert.Throws<MetrologyException>(() => HierarchicalMetrology.Refine(nominal, Array.Empty<StillExperiment>()));
            Assert.Equal(MetrologyException.TooFewReflectionsId, e.ErrorId);
            // 40 reflections are enough for the whole detector.
            var some = MetrologyTestData.SimExperiment(s, (t, i) => i < 40 ? (t.X[i], t.Y[i]) : ((double, double)?)null);
            var ok = HierarchicalMetrology.Refine(nominal, new[] { some }, new MetrologySettings { MaxLevel = 0 });
            Assert.True(ok.Complete);
            Assert.All(ok.Levels, l => Assert.Equal(0, l.Level));
            AssertUntouched(MetrologyTestData.SimNominalDetector(), nominal);
        }

        [Fact]
        public void A_level_short_of_reflections_keeps_the_levels_before_it_and_says_which_stopped()
        {
            var nominal = MetrologyTestData.SimNominalDetector();
            var s = MetrologyTestData.Sim(0);
            // 40 reflections determine the whole detector but not four quadrants with their crystal.
            var some = MetrologyTestData.SimExperiment(s, (t, i) => i < 40 && t.OnActive[i] ? (t.X[i], t.Y[i]) : ((double, double)?)null);
            var notes = new System.Collections.Generic.List<MetrologyProgress>();
            var result = HierarchicalMetrology.Refine(nominal, new[] { some }, new MetrologySettings { MaxLevel = 3 }, notes.Add);
            Assert.False(result.Complete);
            Assert.True(result.StoppedLevel >= 1, $"stopped at {result.StoppedLevel}");
            Assert.NotEmpty(result.StopReason);
            Assert.Contains(result.Levels, l => l.Level == 0);
            Assert.All(result.Levels, l => Assert.True(l.Level < result.StoppedLevel || l.Sweep == 2));
            Assert.Contains(notes, n => n.IsWarning && n.Message.Contains($"level {result.StoppedLevel}"));
            // The detector is that of the levels that ran, not the starting one.
            Assert.NotSame(nominal, result.Detector);
            Assert.Equal(64, result.Panels.Count);
            AssertUntouched(MetrologyTestData.SimNominalDetector(), nominal);
        }

        [Fact]
        public void Experiments_on_the_same_layout_but_another_geometry_are_refused()
        {
            var nominal = MetrologyTestData.SimNominalDetector();
            var truth = MetrologyTestData.SimTrueDetector();
            Assert.True(HierarchicalMetrology.SameLayout(nominal, truth));
            Assert.Null(HierarchicalMetrology.GeometryDifference(nominal, MetrologyTestData.SimNominalDetector()));
            Assert.NotNull(HierarchicalMetrology.GeometryDifference(nominal, truth));
            var s = MetrologyTestData.Sim(0);
            var mine = MetrologyTestData.SimExperiment(s, (t, i) => t.OnActive[i] ? (t.X[i], t.Y[i]) : ((double, double)?)null);
            var other = new StillExperiment("other", s.Beam, s.U, s.Cell, LatticeSystem.Tetragonal, mine.Reflections, truth);
            var e = Assert.Throws<MetrologyException>(() => HierarchicalMetrology.Refine(nominal, new[] { mine, other }));
            Assert.Equal(MetrologyException.DetectorMismatchId, e.ErrorId);
        }

        [Fact]
        public void A_left_handed_setting_matrix_is_refused()
        {
            var s = MetrologyTestData.Sim(0);
            var flipped = s.A * new Mat3(-1, 0, 0, 0, 1, 0, 0, 0, 1);
            var e = Assert.Throws<MetrologyException>(() => StillExperiment.FromSettingMatrix("x", s.Beam, flipped, "P 43 21 2", Array.Empty<ObservedReflection>()));
            Assert.Equal(MetrologyException.InvalidObservationId, e.ErrorId);
        }

        [Fact]
        public void The_refined_model_is_new_and_the_result_reports_every_group()
        {
            var nominal = MetrologyTestData.SimNominalDetector();
            var experiments = Sim(8);
            var result = HierarchicalMetrology.Refine(nominal, experiments, new MetrologySettings { MaxLevel = 1 });
            Assert.NotSame(nominal, result.Detector);
            Assert.Same(nominal, result.InitialDetector);
            Assert.Equal(new[] { 1, 4 }, result.Levels.Where(l => l.Sweep == 1).Select(l => l.GroupCount));
            // First sweep: in the plane (Dist, Tau2, Tau3 held) with Tau1 of the first group as the gauge.
            var outOfPlane = PanelGroupParameter.Dist | PanelGroupParameter.Tau2 | PanelGroupParameter.Tau3;
            Assert.Equal(PanelGroupParameter.Tau1 | outOfPlane, result.Levels[0].Groups[0].FixedParameters);
            Assert.Equal(PanelGroupParameter.Tau1 | outOfPlane, result.Levels[1].Groups[0].FixedParameters);
            Assert.Equal(outOfPlane, result.Levels[1].Groups[1].FixedParameters);
            Assert.All(result.Levels[1].Groups.Skip(1), g => Assert.True(g.Tau1Esd > 0 && g.Shift1Esd > 0));
            // Second sweep: out-of-plane parameters free only where determined; every one held is named.
            Assert.Contains(result.Levels, l => l.Sweep == 2);
            foreach (var l in result.Levels.Where(l => l.Sweep == 2))
                Assert.All(l.Undetermined, u => Assert.Contains(l.Groups, g => u.Contains(" of " + g.Name + " ")));
            Assert.Equal(8, result.Crystals.Count);
            Assert.Equal(4, result.Detector.Hierarchy.Children.Count);
            // The hierarchy frames moved with their panels: a sensor's frame is still midway between its ASIC centres.
            var sensor = result.Detector.Hierarchy.Children[1].Children[3];
            var mid = (result.Detector.Panels[sensor.PanelIndices[0]].Centre + result.Detector.Panels[sensor.PanelIndices[1]].Centre) * 0.5;
            var midBefore = (nominal.Panels[sensor.PanelIndices[0]].Centre + nominal.Panels[sensor.PanelIndices[1]].Centre) * 0.5;
            var sensorBefore = nominal.Hierarchy.Children[1].Children[3];
            Assert.True(((mid - sensor.Origin) - (midBefore - sensorBefore.Origin)).Length < 1e-9);
            AssertUntouched(MetrologyTestData.SimNominalDetector(), nominal);
        }
    }
}
