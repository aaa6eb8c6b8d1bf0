using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using XtalPS.Imaging;
using Xunit;

namespace XtalPS.Module.Tests
{
    /// <summary>Every image in ../shared/data that dxtbx describes loads through Import-DiffractionImage, and
    /// Measure-DiffractionImage agrees with dxtbx's facts (dxtbx_reference.json) on min, max and sums.</summary>
    [Collection(EngineCollection.Name)]
    public class DxtbxAgreementTests
    {
        private readonly EngineFixture _e;
        public DxtbxAgreementTests(EngineFixture e) { _e = e; }

        public static IEnumerable<object[]> Images()
        {
            var root = Path.GetFullPath(Path.Combine(EngineFixture.FindRepoRoot(), "..", "shared", "data"));
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "dxtbx_reference.json")));
            return doc.RootElement.EnumerateObject().Select(p => new object[] { p.Name }).ToArray();
        }

        [Theory]
        [MemberData(nameof(Images))]
        public void Measure_agrees_with_dxtbx(string relative)
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(_e.Shared("dxtbx_reference.json")));
            var reference = doc.RootElement.GetProperty(relative);
            var stats = _e.InvokeOk("Import-DiffractionImage -LiteralPath $args[0] | Measure-DiffractionImage", _e.Shared(relative))
                .Select(o => (PanelStatistics)o.BaseObject).ToArray();
            var panels = reference.GetProperty("panels").EnumerateArray().ToArray();
            Assert.Equal(reference.GetProperty("n_panels").GetInt32(), stats.Length);
            // Pixel values per panel agree (panels compared as a whole when a reader splits modules differently).
            double refSum = panels.Sum(p => p.GetProperty("sum_nonneg").GetDouble());
            double refMin = panels.Min(p => p.GetProperty("min").GetDouble());
            double refMax = panels.Max(p => p.GetProperty("max").GetDouble());
            long refNeg = panels.Sum(p => p.GetProperty("n_negative").GetInt64());
            Assert.Equal(refSum, stats.Sum(s => s.RawSumNonNegative), Math.Max(1e-6, refSum * 1e-12));
            Assert.Equal(refMin, stats.Min(s => s.RawMin));
            Assert.Equal(refMax, stats.Max(s => s.RawMax), Math.Abs(refMax) * 1e-7);
            Assert.Equal(refNeg, stats.Sum(s => s.NegativeCount));
            for (int i = 0; i < panels.Length; i++)
            {
                Assert.Equal(panels[i].GetProperty("sum_nonneg").GetDouble(), stats[i].RawSumNonNegative, Math.Max(1e-6, refSum * 1e-12));
                Assert.Equal(panels[i].GetProperty("min").GetDouble(), stats[i].RawMin);
            }
        }

        [Fact]
        public void A_long_stream_of_frames_holds_memory_flat()
        {
            // 300 Pilatus-6M-sized reads (30 MB of pixels each) through the pipeline: nothing accumulates.
            long before = GC.GetTotalMemory(true);
            var result = _e.InvokeOk("$p = $args[0]; $n = 0; 1..300 | ForEach-Object { $p } | Import-DiffractionImage | Measure-DiffractionImage | ForEach-Object { $n++ }; $n",
                _e.Shared("sim/single1024/still_00000.cbf"));
            long after = GC.GetTotalMemory(true);
            Assert.Equal(300, (int)result.Single().BaseObject);
            Assert.True(after - before < 64L * 1024 * 1024, $"memory grew by {(after - before) / 1048576} MB");
        }
    }
}
