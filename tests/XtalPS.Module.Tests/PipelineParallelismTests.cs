using System.Linq;
using XtalPS.Integration;
using Xunit;

namespace XtalPS.Module.Tests
{
    /// <summary>
    /// The stills pipeline runs in parallel by default (every stage shares one thread budget) and gives the same
    /// reflections, in the same order, at any -ThrottleLimit.
    /// </summary>
    [Collection(EngineCollection.Name)]
    public class PipelineParallelismTests
    {
        private readonly EngineFixture _e;
        public PipelineParallelismTests(EngineFixture e) { _e = e; }

        private const string Pipeline =
            "$f = @(Get-ChildItem (Join-Path $args[0] 'sim/cspad/*.cbf') | Select-Object -First 3 | ForEach-Object FullName); " +
            "Import-DiffractionImage -LiteralPath $f {0} | Find-BraggSpot {0} | Get-Lattice -UnitCell 79.1,79.1,37.9,90,90,90 -SpaceGroup P43212 {0} | " +
            "Invoke-PeakIntegration -Method Summation {0}";

        [Fact]
        public void The_stills_pipeline_gives_identical_tables_at_ThrottleLimit_1_2_3_and_by_default()
        {
            ReflectionTable[] Run(string throttle) => _e.InvokeOk(string.Format(Pipeline, throttle), _e.SharedData)
                .Select(o => (ReflectionTable)o.BaseObject).ToArray();
            var serial = Run("-ThrottleLimit 1");
            Assert.Equal(3, serial.Length);
            Assert.All(serial, t => Assert.True(t.Count > 50, $"{t.ImageName}: {t.Count} reflections"));
            // Each table names its lattice by the stable id merging and campaigns key on: lattice 0 of its frame.
            Assert.All(serial, t => Assert.Equal(XtalPS.Lattices.LatticeId.Of(t.Source!.Path, t.Source.Frame, 0), t.Id));
            Assert.Equal(serial.Length, serial.Select(t => t.Id).Distinct().Count());
            foreach (var throttle in new[] { "-ThrottleLimit 2", "-ThrottleLimit 3", "" })
            {
                var other = Run(throttle);
                Assert.Equal(serial.Select(t => t.ImageName), other.Select(t => t.ImageName));
                for (int i = 0; i < serial.Length; i++)
                {
                    // Bit for bit: every value of every reflection, in the same order.
                    Assert.Equal(Rows(serial[i]), Rows(other[i]));
                    Assert.Equal(serial[i].Id, other[i].Id);
                }
            }
        }

        private static (int, int, int, double, double, double, double, double)[] Rows(ReflectionTable t) =>
            t.Reflections.Select(r => (r.H, r.K, r.L, r.Intensity, r.Sigma, r.X, r.Y, r.IntegratedBackground)).ToArray();
    }
}
