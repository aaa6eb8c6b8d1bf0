using System;
using System.Linq;
using XtalPS.Geometry;
using XtalPS.Lattices;
using Xunit;
using Xunit.Abstractions;

namespace XtalPS.Core.Tests
{
    public class StillsPredictorTests
    {
        private readonly ITestOutputHelper _out;
        public StillsPredictorTests(ITestOutputHelper output) { _out = output; }

        public static TheoryData<string> Stills => new TheoryData<string>
        {
            "sim/single1024/still_00000.json", "sim/single1024/still_00001.json", "sim/single1024/still_00002.json",
            "sim/single1024/still_00003.json", "sim/pilatus6m/still_00000.json", "sim/cspad/cspad_00000.json",
        };

        [Theory]
        [MemberData(nameof(Stills))]
        public void PredictionsMatchTruthPositionsDeltaPsiAndExcitationError(string json)
        {
            var t = StillTruth.Load(json);
            var predictor = new StillsPredictor(t.Detector, t.Beam);
            double maxPx = 0, maxPsi = 0, maxExc = 0, maxD = 0;
            int n = 0;
            for (int i = 0; i < t.H.Length; i++)
            {
                if (double.IsNaN(t.X[i])) continue;
                double x, y;
                if (predictor.TryPredict(t.A, t.H[i], t.K[i], t.L[i], out var p)) { Assert.Equal(t.Panel[i], p.Panel); x = p.X; y = p.Y; }
                else
                {
                    // The truth lists a few reflections just off the active area: compare on the plane of their panel.
                    Assert.False(double.IsNaN(p.DeltaPsi));
                    Assert.True(predictor.TryRayToPanelPlane(p.S1, t.Panel[i], out x, out y));
                    Assert.False(t.Detector.Panels[t.Panel[i]].Contains(new Vec2(t.X[i], t.Y[i])));
                }
                maxPx = Math.Max(maxPx, Math.Max(Math.Abs(x - t.X[i]), Math.Abs(y - t.Y[i])));
                maxPsi = Math.Max(maxPsi, Math.Abs(p.DeltaPsi - t.DeltaPsi[i]));
                maxExc = Math.Max(maxExc, Math.Abs(p.ExcitationError - t.ExcitationError[i]));
                maxD = Math.Max(maxD, Math.Abs(p.D - t.D[i]));
                n++;
            }
            _out.WriteLine($"{json}: {n} reflections, max |Δpx| {maxPx:0.000000}, max |ΔΔψ| {maxPsi:0.0e0} rad, max |Δexc| {maxExc:0.0e0}, max |Δd| {maxD:0.0e0}");
            Assert.True(n > 300);
            Assert.True(maxPx <= 1e-3, $"max position error {maxPx} px");
            Assert.True(maxPsi <= 1e-6, $"max Δψ error {maxPsi} rad");
            Assert.True(maxExc <= 1e-6, $"max excitation error difference {maxExc}");
            Assert.True(maxD <= 1e-3);
        }

        [Fact]
        public void WindowedPredictionFindsTheTruthReflectionsAndLeavesOutAbsences()
        {
            var t = StillTruth.Load("sim/single1024/still_00000.json");
            var lattice = CrystalLattice.FromOrientation(t.U, t.Cell, SpaceGroup.Parse(t.SpaceGroup), t.Detector, t.Beam);
            var predicted = lattice.Predict(new StillsPredictionSettings { DMin = 1.9, MaxDeltaPsi = 0.0015, MaxExcitationError = 0.003 });
            var set = predicted.Select(p => (p.H, p.K, p.L)).ToHashSet();
            int found = Enumerable.Range(0, t.H.Length).Count(i => set.Contains((t.H[i], t.K[i], t.L[i])));
            _out.WriteLine($"{predicted.Count} predicted, {found} of {t.H.Length} truth reflections among them");
            Assert.True(found >= 0.97 * t.H.Length);
            Assert.DoesNotContain(predicted, p => p.H == 0 && p.K == 0 && p.L % 4 != 0);
            Assert.All(predicted, p => Assert.True(Math.Abs(p.DeltaPsi) <= 0.0015 || Math.Abs(p.ExcitationError) <= 0.003));
            // A narrower window predicts fewer reflections.
            var narrow = lattice.Predict(new StillsPredictionSettings { DMin = 1.9, MaxDeltaPsi = 0.0005, MaxExcitationError = 0 });
            Assert.True(narrow.Count < predicted.Count / 2);
        }
    }
}
