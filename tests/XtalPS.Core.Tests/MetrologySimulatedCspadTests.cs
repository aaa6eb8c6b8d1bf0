using System;
using System.Linq;
using XtalPS.Geometry;
using XtalPS.Lattices;
using XtalPS.Metrology;
using Xunit;
using Xunit.Abstractions;

namespace XtalPS.Core.Tests
{
    /// <summary>
    /// Hierarchical metrology on the 8 simulated CSPAD stills: start from the NOMINAL geometry (the CBF header), observe
    /// the reflections where they fall on the TRUE geometry, and recover the true per-ASIC positions and rotations.
    /// IDEALISED: the first tests feed the simulator's noise-free predicted positions (what our own stills model would
    /// predict on the true detector), so they check the parameterisation and the engine, not what a user gets. What a
    /// user gets, from our spot finder and indexer, is measured in XtalPS.Module.Tests.MetrologyPipelineTests.
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
        public void Idealised_truth_positions_refine_the_nominal_geometry_to_the_true_one(MetrologyFix fix, double centreLimit, double rotationLimit)
        {
            var truth = MetrologyTestData.SimTrueDetector();
            var nominal = MetrologyTestData.SimNominalDetector();
            var experiments = Enumerable.Range(0, 8).Select(MetrologyTestData.Sim)
                .Select(s => MetrologyTestData.SimExperiment(s, (t, i) => t.OnActive[i] ? (t.X[i], t.Y[i]) : ((double, double)?)null)).ToArray();
            _out.WriteLine($"{experiments.Sum(e => e.Reflections.Count)} reflections from {experiments.Length} stills, fixed: {fix}");
            // The positions here are exact while the stills' Δψ are not zero (3.8 mrad RMS), so the Δψ weight is the
            // 1 mrad of DIALS rather than the default 0.4 mrad, which is tuned to spot-finder centroids and lets Δψ set the
            // orientations (0.023 px instead of 0.02 px here).
            var result = HierarchicalMetrology.Refine(nominal, experiments, new MetrologySettings { Fix = fix, DeltaPsiSigma = 1e-3 }, p => { if (!p.IsIteration) _out.WriteLine(p.ToString()); });
            var before = MetrologyTestData.Compare(nominal, truth);
            var after = MetrologyTestData.Compare(result.Detector, truth);
            _out.WriteLine($"panel centres {before.CentreRms:0.####} → {after.CentreRms:0.####} px RMS (max {after.CentreMax:0.####}); in-plane rotations {before.RotationRms:0.####} → {after.RotationRms:0.####}° RMS");
            _out.WriteLine($"mean panel z: truth {truth.Panels.Average(q => q.Centre.Z):0.####} mm, refined {result.Detector.Panels.Average(q => q.Centre.Z):0.####} mm; cell {result.Crystals[0].Cell} (truth 79.1 79.1 37.9)");
            Assert.Equal(new[] { 0, 1, 2, 3 }, result.Levels.Where(l => l.Sweep == 1).Select(l => l.Level));
            Assert.Equal(3, result.Levels.Last().Level);
            Assert.True(result.Complete);
            Assert.All(result.Levels, l => Assert.True(l.RmsdXAfter <= l.RmsdXBefore + 1e-3 && l.RmsdYAfter <= l.RmsdYBefore + 1e-3));
            Assert.True(result.Levels.Last().RmsdXAfter < 0.02 && result.Levels.Last().RmsdYAfter < 0.02);
            Assert.True(after.CentreRms < centreLimit, $"centres {after.CentreRms} px RMS");
            Assert.True(after.RotationRms < rotationLimit, $"rotations {after.RotationRms}° RMS");
            // The input model was not touched.
            Assert.Equal(0, MetrologyTestData.Compare(nominal, MetrologyTestData.SimNominalDetector()).CentreRms, 12);
        }

        [Fact]
        public void Spot_finder_centroids_matched_on_the_nominal_geometry_refine_it_towards_the_true_one()
        {
            // What users have: spot-finder centroids, matched to reflections predicted on the geometry at hand.
            var truth = MetrologyTestData.SimTrueDetector();
            var nominal = MetrologyTestData.SimNominalDetector();
            var sims = Enumerable.Range(0, 8).Select(MetrologyTestData.Sim).ToArray();
            var spots = Enumerable.Range(0, 8).Select(img =>
            {
                var image = Formats.DiffractionImageReader.ReadFrames(SharedData.File_($"sim/cspad/cspad_{img:D5}.cbf")).Single();
                return Spots.SpotFinder.Find(image, new Spots.SpotFindingSettings()).Spots.Spots;
            }).ToArray();
            // Tilts fixed: with ~40 spots per ASIC they are noise. Dist stays free: the centroids of these partial, polychromatic
            // spots sit slightly off the stills prediction, and each panel's Dist takes that up as a move along its line of sight.
            var settings = new MetrologySettings { Fix = MetrologyFix.Tilt };

            // Round 1: match within 2 px of the positions the nominal geometry predicts, refine.
            var experiments = Enumerable.Range(0, 8).Select(i => Match(sims[i], spots[i], sims[i].XNominal, sims[i].YNominal, sims[i].U, sims[i].Cell)).ToArray();
            var first = HierarchicalMetrology.Refine(nominal, experiments, settings, p => { if (!p.IsIteration) _out.WriteLine(p.ToString()); });
            var before = MetrologyTestData.Compare(nominal, truth);
            var mid = MetrologyTestData.Compare(first.Detector, truth);
            _out.WriteLine($"round 1: {experiments.Sum(e => e.Reflections.Count)} matches; panel centres {before.CentreRms:0.####} → {mid.CentreRms:0.####} px RMS (max {mid.CentreMax:0.####}); rotations {before.RotationRms:0.####} → {mid.RotationRms:0.####}° RMS");

            // Round 2: predict on the refined geometry and crystals, match again within 2 px, refine from the nominal geometry.
            var again = Enumerable.Range(0, 8).Select(i =>
            {
                var (x, y) = PredictAll(first.Detector, sims[i], first.Crystals[i].Orientation, first.Crystals[i].Cell);
                return Match(sims[i], spots[i], x, y, sims[i].U, sims[i].Cell);
            }).ToArray();
            var second = HierarchicalMetrology.Refine(nominal, again, settings, p => { if (!p.IsIteration) _out.WriteLine(p.ToString()); });
            var after = MetrologyTestData.Compare(second.Detector, truth);
            _out.WriteLine($"round 2: {again.Sum(e => e.Reflections.Count)} matches; panel centres {before.CentreRms:0.####} → {after.CentreRms:0.####} px RMS (max {after.CentreMax:0.####}); rotations {before.RotationRms:0.####} → {after.RotationRms:0.####}° RMS");
            // Panels the data cannot place: too few matched reflections for their in-plane parameters, so they are fixed
            // at the deepest level (named in the report) and move only with their sensor, which fitted its other ASIC.
            // On these 8 stills Q2S5A0 (1 reflection) and Q3S2A1 (none) stay 4.3 and 2.7 px off; no method can do better
            // without data, so they are left out of the score and only their count and report are checked.
            var unset = second.Levels.Last().Groups.Where(g => g.AutoFixed).ToArray();
            foreach (var g in unset) _out.WriteLine($"not determined: {g.Name}, {g.ReflectionCount} reflections");
            Assert.All(unset, g => Assert.True(g.ReflectionCount < settings.MinReflectionsPerParameter * 3, $"{g.Name} fixed with {g.ReflectionCount} reflections"));
            Assert.True(unset.Length <= 2, $"{unset.Length} panels not determined");
            var determined = Enumerable.Range(0, 64).Except(unset.SelectMany(g => g.PanelIndices)).ToArray();
            var seenDetermined = MetrologyTestData.Compare(second.Detector, truth, true, determined);
            _out.WriteLine($"round 2, the {determined.Length} panels the data determine, as seen from the sample: {seenDetermined.CentreRms:0.####} px RMS (max {seenDetermined.CentreMax:0.####}); rotations {seenDetermined.RotationRms:0.####}° RMS");
            var seen = MetrologyTestData.Compare(second.Detector, truth, projected: true);
            _out.WriteLine($"round 2, centres as seen from the sample: {MetrologyTestData.Compare(nominal, truth, true).CentreRms:0.####} → {seen.CentreRms:0.####} px RMS (max {seen.CentreMax:0.####})");
            Assert.True(again.Sum(e => e.Reflections.Count) > experiments.Sum(e => e.Reflections.Count));
            Assert.True(seenDetermined.CentreRms < 0.2, $"centres as seen from the sample {seenDetermined.CentreRms} px RMS");
            Assert.True(seenDetermined.RotationRms < 0.12, $"rotations {seenDetermined.RotationRms}° RMS");
        }

        /// <summary>Each truth reflection (strongest first) takes the nearest free spot on its panel within 2 px of (x, y).</summary>
        private static StillExperiment Match(MetrologyTestData.SimStill s, System.Collections.Generic.IReadOnlyList<Spots.BraggSpot> spots, double[] x, double[] y, Mat3 u, Lattices.UnitCell cell)
        {
            var byPanel = spots.GroupBy(p => p.Panel).ToDictionary(g => g.Key, g => g.ToArray());
            var taken = new System.Collections.Generic.HashSet<Spots.BraggSpot>();
            var refl = new System.Collections.Generic.List<ObservedReflection>();
            foreach (int i in Enumerable.Range(0, s.H.Length).OrderByDescending(i => s.Signal[i]))
            {
                if (double.IsNaN(x[i]) || !byPanel.TryGetValue(s.Panel[i], out var candidates)) continue;
                var best = candidates.Where(c => !taken.Contains(c))
                    .Select(c => (Spot: c, D: Math.Sqrt((c.X - x[i]) * (c.X - x[i]) + (c.Y - y[i]) * (c.Y - y[i]))))
                    .Where(c => c.D <= 2).OrderBy(c => c.D).FirstOrDefault();
                if (best.Spot == null) continue;
                taken.Add(best.Spot);
                refl.Add(new ObservedReflection(s.H[i], s.K[i], s.L[i], s.Panel[i], best.Spot.X, best.Spot.Y,
                    Math.Max(best.Spot.VarianceX, 0.01), Math.Max(best.Spot.VarianceY, 0.01)));
            }
            return new StillExperiment(s.Name, s.Beam, u, cell, LatticeSystem.Tetragonal, refl);
        }

        private static (double[] X, double[] Y) PredictAll(DetectorModel detector, MetrologyTestData.SimStill s, Mat3 u, Lattices.UnitCell cell)
        {
            var all = Enumerable.Range(0, s.H.Length).Select(i => new ObservedReflection(s.H[i], s.K[i], s.L[i], s.Panel[i], 0, 0));
            var c = new CrystalState(new StillExperiment(s.Name, s.Beam, u, cell, LatticeSystem.Tetragonal, all));
            var p = new StillsRefinementProblem(detector, PanelGroupUnit.AtLevel(detector, 0), new[] { c }, 1e-3, 1);
            int n = s.H.Length;
            var x = new double[n]; var y = new double[n]; var psi = new double[n]; var ok = new bool[n];
            p.PredictAll(c, x, y, psi, ok);
            return (x, y);
        }
    }
}
