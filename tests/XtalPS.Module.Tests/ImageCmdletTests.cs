using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.Json;
using XtalPS.Imaging;
using XtalPS.Simulation;
using Xunit;

namespace XtalPS.Module.Tests
{
    [Collection(EngineCollection.Name)]
    public class ImageCmdletTests
    {
        private readonly EngineFixture _e;
        public ImageCmdletTests(EngineFixture e) { _e = e; }

        [Fact]
        public void Import_with_wildcards_then_Measure_matches_dxtbx()
        {
            var stats = _e.InvokeOk("Import-DiffractionImage -Path (Join-Path $args[0] 'sim/single1024/*.cbf') | Measure-DiffractionImage", _e.SharedData)
                .Select(o => (PanelStatistics)o.BaseObject).ToArray();
            Assert.Equal(4, stats.Length);
            using var reference = JsonDocument.Parse(File.ReadAllText(_e.Shared("dxtbx_reference.json")));
            for (int i = 0; i < 4; i++)
            {
                var r = reference.RootElement.GetProperty($"sim/single1024/still_0000{i}.cbf").GetProperty("panels")[0];
                Assert.Equal($"still_0000{i}.cbf", stats[i].Image);
                Assert.Equal(r.GetProperty("sum_nonneg").GetDouble(), stats[i].Sum);
                Assert.Equal(r.GetProperty("min").GetDouble(), stats[i].Min);
                Assert.Equal(r.GetProperty("max").GetDouble(), stats[i].Max);
                Assert.Equal(1024, stats[i].Width);
                Assert.Equal(0, stats[i].MaskedCount);
            }
        }

        [Fact]
        public void LiteralPath_does_not_expand_wildcards()
        {
            _e.Invoke("Import-DiffractionImage -LiteralPath (Join-Path $args[0] 'sim/single1024/*.cbf')", out var errors, _e.SharedData);
            var e = Assert.Single(errors);
            Assert.Equal("FileNotFound,XtalPS.Commands.ImportDiffractionImageCommand", e.FullyQualifiedErrorId);
            var ok = _e.InvokeOk("Import-DiffractionImage -LiteralPath (Join-Path $args[0] 'sim/single1024/still_00001.cbf')", _e.SharedData);
            Assert.Single(ok);
        }

        [Fact]
        public void A_bad_file_is_a_non_terminating_error_and_the_next_file_is_still_read()
        {
            var dir = Directory.CreateTempSubdirectory("xtalps_mod_").FullName;
            try
            {
                var bad = Path.Combine(dir, "a_bad.cbf");
                File.WriteAllBytes(bad, File.ReadAllBytes(_e.Shared("sim/single1024/still_00000.cbf")).Take(5000).ToArray());
                var good = Path.Combine(dir, "b_good.cbf");
                File.Copy(_e.Shared("sim/single1024/still_00001.cbf"), good);
                var missing = Path.Combine(dir, "c_missing.cbf");
                var result = _e.Invoke("Import-DiffractionImage -Path $args[0], $args[1], $args[2]", out var errors, bad, missing, good);
                var image = (DiffractionImage)Assert.Single(result).BaseObject;
                Assert.Equal("b_good.cbf", image.Name);
                Assert.Equal(2, errors.Length);
                Assert.Equal("InvalidImageData,XtalPS.Commands.ImportDiffractionImageCommand", errors[0].FullyQualifiedErrorId);
                Assert.Equal(ErrorCategory.InvalidData, errors[0].CategoryInfo.Category);
                Assert.Equal(bad, errors[0].TargetObject);
                Assert.Equal("FileNotFound,XtalPS.Commands.ImportDiffractionImageCommand", errors[1].FullyQualifiedErrorId);
                Assert.Equal(ErrorCategory.ObjectNotFound, errors[1].CategoryInfo.Category);
            }
            finally { Directory.Delete(dir, true); }
        }

        [Fact]
        public void ThrottleLimit_keeps_input_order_and_values()
        {
            var serial = _e.InvokeOk("Import-DiffractionImage (Join-Path $args[0] 'sim/single1024/*.cbf') | Measure-DiffractionImage", _e.SharedData)
                .Select(o => ((PanelStatistics)o.BaseObject)).Select(s => (s.Image, s.Sum)).ToArray();
            var parallel = _e.InvokeOk("Import-DiffractionImage (Join-Path $args[0] 'sim/single1024/*.cbf') -ThrottleLimit 2 | Measure-DiffractionImage", _e.SharedData)
                .Select(o => ((PanelStatistics)o.BaseObject)).Select(s => (s.Image, s.Sum)).ToArray();
            Assert.Equal(serial, parallel);
        }

        [Fact]
        public void Pipeline_input_by_property_name_takes_file_objects()
        {
            var result = _e.InvokeOk("[System.IO.FileInfo[]]@((Join-Path $args[0] 'sim/single1024/still_00002.cbf'), (Join-Path $args[0] 'sim/single1024/still_00003.cbf')) | Import-DiffractionImage", _e.SharedData);
            Assert.Equal(new[] { "still_00002.cbf", "still_00003.cbf" }, result.Select(o => ((DiffractionImage)o.BaseObject).Name).ToArray());
        }

        [Fact]
        public void Simulated_planar_image_carries_its_truth()
        {
            var result = _e.InvokeOk("New-SimulatedImage -Width 300 -Height 280 -Origin 150.2,140.7 -A 25,1 -B -2,24 -SpotSigma 1.2,1.6 -NoNoise -Count 2");
            Assert.Equal(2, result.Count);
            var image = (DiffractionImage)result[0].BaseObject;
            var truth = Assert.IsType<PlanarSimulationTruth>(image.Truth);
            Assert.Equal(150.2, truth.Origin.X);
            Assert.Equal(1.6, truth.SigmaY);
            Assert.Null(truth.Seed);
            Assert.Equal("Simulated#1", ((DiffractionImage)result[1].BaseObject).Name);
            Assert.True(truth.Spots.Count > 100);
        }

        [Fact]
        public void Simulator_rejects_parallel_lattice_vectors_with_a_clear_error()
        {
            _e.Invoke("New-SimulatedImage -A 10,0 -B 20,0", out var errors);
            var e = Assert.Single(errors);
            Assert.Equal("InvalidSimulationSettings,XtalPS.Commands.NewSimulatedImageCommand", e.FullyQualifiedErrorId);
        }

        [Fact]
        public void Export_honours_WhatIf_and_round_trips_through_Import()
        {
            var dir = Directory.CreateTempSubdirectory("xtalps_exp_").FullName;
            try
            {
                var target = Path.Combine(dir, "sim_{0:D3}.cbf");
                var text = _e.Render($"New-SimulatedImage -Width 64 -Height 64 -A 12,0 -B 0,12 -Count 2 | Export-DiffractionImage -Path '{target}' -WhatIf");
                Assert.Contains("What if: Performing the operation \"Write Simulated#0 as MiniCbf\" on target \"" + Path.Combine(dir, "sim_000.cbf") + "\"", text);
                Assert.Empty(Directory.GetFiles(dir));
                var files = _e.InvokeOk("New-SimulatedImage -Width 64 -Height 64 -A 12,0 -B 0,12 -Count 2 | Export-DiffractionImage -Path $args[0] -PassThru", target);
                Assert.Equal(2, files.Count);
                var back = _e.InvokeOk("Import-DiffractionImage -Path $args[0] | Measure-DiffractionImage", Path.Combine(dir, "*.cbf"));
                Assert.Equal(2, back.Count);
                var sims = _e.InvokeOk("New-SimulatedImage -Width 64 -Height 64 -A 12,0 -B 0,12 -Count 2 | Measure-DiffractionImage");
                Assert.Equal(((PanelStatistics)sims[1].BaseObject).Sum, ((PanelStatistics)back[1].BaseObject).Sum);
                // A second write without -Force is refused and leaves the file alone.
                _e.Invoke("New-SimulatedImage -Width 64 -Height 64 -A 12,0 -B 0,12 | Export-DiffractionImage -Path $args[0]", out var errors, Path.Combine(dir, "sim_000.cbf"));
                Assert.Equal("FileExists,XtalPS.Commands.ExportDiffractionImageCommand", Assert.Single(errors).FullyQualifiedErrorId);
                Assert.Equal(2, Directory.GetFiles(dir).Length);
            }
            finally { Directory.Delete(dir, true); }
        }

        [Fact]
        public void Default_table_views_render_the_key_columns()
        {
            var text = _e.Render($"Import-DiffractionImage '{_e.Shared("sim/single1024/still_00000.cbf")}' | Measure-DiffractionImage");
            Assert.Contains("Image", text);
            Assert.Contains("Masked", text);
            Assert.Matches(@"still_00000\.cbf\s+GENERIC\s+1024\s+1024\s+0\s+43305\s+10\.842\s+11369136\s+0", text);
            text = _e.Render($"Import-DiffractionImage '{_e.Shared("sim/single1024/still_00000.cbf")}'");
            Assert.Matches(@"still_00000\.cbf\s+miniCBF\s+1\s+1024x1024\s+1\.3\s+150", text);
        }
    }
}
