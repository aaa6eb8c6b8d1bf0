using System;
using System.Linq;
using XtalPS.Geometry;
using XtalPS.Metrology;
using XtalPS.Tests.Shared;
using Xunit;

namespace XtalPS.Core.Tests
{
    /// <summary>Metrology gives the same bits whatever the number of threads (the machine's core count must not change a geometry).</summary>
    public class MetrologyThreadIndependenceTests
    {
        [Fact]
        public void Refined_detector_is_bit_identical_for_one_two_and_three_threads()
        {
            var (truth, crystals) = MetrologyTestData.RealCspad300();
            var experiments = crystals.Take(48).Select((c, i) =>
            {
                var exact = StillExperiment.FromSettingMatrix($"crystal {i}", c.Beam, c.Crystal.A, c.Crystal.SpaceGroupHallSymbol, Array.Empty<ObservedReflection>());
                var refl = SyntheticMetrologyData.Predict(truth, c.Beam, exact.AMatrix, 1.7, 0.6e-3, 0.1, new Random(1000 + i));
                return new StillExperiment(exact.Name, c.Beam, exact.Orientation, exact.Cell, exact.LatticeSystem, refl);
            }).ToArray();
            var start = SyntheticMetrologyData.Perturb(truth, 1, 2.0, 0.3, new Random(42));
            DetectorModel Run(int threads) =>
                HierarchicalMetrology.Refine(start, experiments, new MetrologySettings { MinLevel = 0, MaxLevel = 1, MaxDegreeOfParallelism = threads }).Detector;
            var one = Run(1);
            foreach (int threads in new[] { 2, 3 })
            {
                var other = Run(threads);
                for (int p = 0; p < one.PanelCount; p++)
                {
                    var a = one.Panels[p]; var b = other.Panels[p];
                    Assert.True(Same(a.Origin, b.Origin) && Same(a.FastAxis, b.FastAxis) && Same(a.SlowAxis, b.SlowAxis),
                        $"panel {p} differs between 1 and {threads} threads: {a.Origin} vs {b.Origin}");
                }
            }
        }

        private static bool Same(Vec3 a, Vec3 b) =>
            BitConverter.DoubleToInt64Bits(a.X) == BitConverter.DoubleToInt64Bits(b.X) &&
            BitConverter.DoubleToInt64Bits(a.Y) == BitConverter.DoubleToInt64Bits(b.Y) &&
            BitConverter.DoubleToInt64Bits(a.Z) == BitConverter.DoubleToInt64Bits(b.Z);
    }
}
