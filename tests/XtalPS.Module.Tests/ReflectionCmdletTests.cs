using System;
using System.IO;
using System.Linq;
using XtalPS.Integration;
using XtalPS.Lattices;
using XtalPS.Simulation;
using Xunit;

namespace XtalPS.Module.Tests
{
    [Collection(EngineCollection.Name)]
    public class ReflectionCmdletTests : IDisposable
    {
        private readonly EngineFixture _e;
        private readonly string _dir;

        /// <summary>Script helper: a planar lattice from a simulated image's truth (as a lattice search would hand it on).</summary>
        private const string Helper = @"
function LatticeOf($img) { $t = $img.Truth; [XtalPS.Lattices.PlanarLattice]::new($t.Origin, $t.A, $t.B, $img, $null, 0, [double]::NaN, 0, 0) }
";
        private const string Sim = "New-SimulatedImage -Width 320 -Height 320 -Intensity 20000 -SpotSigma 1.8 -Background 30";

        public ReflectionCmdletTests(EngineFixture e)
        {
            _e = e;
            _dir = Directory.CreateTempSubdirectory("xtalps-refl").FullName;
        }

        public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

        [Fact]
        public void Extract_and_integrate_stream_in_order_and_match_the_truth_at_any_throttle()
        {
            string script = Helper + Sim + " -Count 3 | ForEach-Object { LatticeOf $_ } | Invoke-LatticeExtract -ThrottleLimit {0} | Invoke-PeakIntegration -ThrottleLimit {0}";
            var serial = _e.InvokeOk(script.Replace("{0}", "1")).Select(o => (ReflectionTable)o.BaseObject).ToArray();
            Assert.Equal(3, serial.Length);
            Assert.All(serial, t => Assert.Equal("Integrate", t.Stage));
            Assert.Equal(new[] { 0, 1, 2 }, serial.Select(t => t.Source!.Frame));
            foreach (var t in serial)
            {
                var truth = ((PlanarSimulationTruth)t.Source!.Truth!).Spots.ToDictionary(s => (s.H, s.K));
                var ok = t.Reflections.Where(r => r.Flags == ReflectionFlags.None && !double.IsNaN(r.Intensity)).ToList();
                Assert.True(ok.Count > 100);
                var z = ok.Select(r => (r.Intensity - truth[(r.H, r.K)].Intensity) / r.Sigma).ToArray();
                double mean = z.Average(), sd = Math.Sqrt(z.Sum(v => (v - mean) * (v - mean)) / (z.Length - 1));
                Assert.InRange(sd, 0.8, 1.2);
                Assert.IsType<PlanarLattice>(t.RefinedLattice);
            }
            var parallel = _e.InvokeOk(script.Replace("{0}", "2")).Select(o => (ReflectionTable)o.BaseObject).ToArray();
            Assert.Equal(serial.SelectMany(t => t.Reflections.Select(r => (r.H, r.K, r.Intensity, r.Sigma))),
                parallel.SelectMany(t => t.Reflections.Select(r => (r.H, r.K, r.Intensity, r.Sigma))));
        }

        [Fact]
        public void Integration_takes_a_lattice_directly_and_every_method_works()
        {
            foreach (var method in new[] { "Iplt", "Summation", "ProfileFit" })
            {
                var t = (ReflectionTable)Assert.Single(_e.InvokeOk(Helper + $"LatticeOf ({Sim} -Seed 4) | Invoke-PeakIntegration -Method {method}")).BaseObject;
                Assert.Equal("Integrate", t.Stage);
                Assert.True(t.Reflections.Count(r => r.IOverSigma > 10) > 50, method);
            }
            var ext = (ReflectionTable)Assert.Single(_e.InvokeOk(Helper + $"LatticeOf ({Sim}) | Invoke-LatticeExtract -Cycles 1")).BaseObject;
            Assert.Equal("Extract", ext.Stage);
            Assert.True(ext.WellBehavedCount > 100);
            Assert.All(ext.Reflections, r => Assert.True(double.IsNaN(r.Intensity)));
        }

        [Fact]
        public void Errors_are_non_terminating_with_stable_ids()
        {
            var result = _e.Invoke(Helper + "$l = [XtalPS.Lattices.PlanarLattice]::new([XtalPS.Geometry.Vec2]::new(10,10), [XtalPS.Geometry.Vec2]::new(20,0), [XtalPS.Geometry.Vec2]::new(0,20), $null, $null, 0, [double]::NaN, 0, 0); " +
                $"$l, (LatticeOf ({Sim})) | Invoke-LatticeExtract -Cycles 1", out var errors);
            Assert.Single(result);
            Assert.Equal("LatticeHasNoImage,XtalPS.Commands.InvokeLatticeExtractCommand", Assert.Single(errors).FullyQualifiedErrorId);

            _e.Invoke($"Import-ReflectionTable -Path '{Path.Combine(_dir, "none*.mtz")}', '{Path.Combine(_dir, "missing.mtz")}'", out errors);
            Assert.Equal(2, errors.Length);
            Assert.All(errors, e => Assert.StartsWith("FileNotFound,", e.FullyQualifiedErrorId));

            string junk = Path.Combine(_dir, "junk.mtz");
            File.WriteAllBytes(junk, new byte[200]);
            var ok = Path.Combine(_dir, "ok.mtz");
            File.Copy(_e.Shared("real/mtz/5e5z.mtz"), ok);
            var tables = _e.Invoke("Import-ReflectionTable -LiteralPath $args[0], $args[1]", out errors, junk, ok);
            Assert.Single(tables);
            Assert.Equal("InvalidImageData,XtalPS.Commands.ImportReflectionTableCommand", Assert.Single(errors).FullyQualifiedErrorId);
        }

        [Fact]
        public void Export_honours_WhatIf_streams_many_images_appends_and_round_trips_through_Import()
        {
            string mtz = Path.Combine(_dir, "run_int.mtz");
            _e.InvokeOk(Helper + $"{Sim} -Count 2 | ForEach-Object {{ LatticeOf $_ }} | Invoke-PeakIntegration | Export-ReflectionTable -Path $args[0] -WhatIf", mtz);
            Assert.Empty(Directory.GetFiles(_dir));

            var written = _e.InvokeOk(Helper + $"$script:tables = {Sim} -Count 2 | ForEach-Object {{ LatticeOf $_ }} | Invoke-PeakIntegration; $script:tables | Export-ReflectionTable -Path $args[0] -PassThru", mtz);
            Assert.Equal(mtz, ((FileInfo)Assert.Single(written).BaseObject).FullName);
            Assert.Single(Directory.GetFiles(_dir)); // no scratch file left behind
            var back = _e.InvokeOk("Import-ReflectionTable $args[0]", mtz).Select(o => (ReflectionTable)o.BaseObject).ToArray();
            var sent = _e.InvokeOk("$script:tables").Select(o => (ReflectionTable)o.BaseObject).ToArray();
            Assert.Equal(sent.Select(t => t.Count), back.Select(t => t.Count));
            Assert.Equal(sent[1].Reflections.Select(r => (float)r.Intensity), back[1].Reflections.Select(r => (float)r.Intensity));

            _e.Invoke("$script:tables | Export-ReflectionTable -Path $args[0]", out var errors, mtz);
            Assert.Equal("FileExists,XtalPS.Commands.ExportReflectionTableCommand", Assert.Single(errors).FullyQualifiedErrorId);
            _e.InvokeOk("$script:tables[0] | Export-ReflectionTable -Path $args[0] -Append", mtz);
            Assert.Equal(3, _e.InvokeOk("Import-ReflectionTable $args[0]", mtz).Count);

            // A folder: one IPLT-style file per image and stage.
            string folder = Path.Combine(_dir, "per-image");
            Directory.CreateDirectory(folder);
            _e.InvokeOk("$script:tables | Export-ReflectionTable -Path $args[0] -Extension csv", folder);
            Assert.Equal(new[] { "Simulated_0_int.csv", "Simulated_1_int.csv" }, Directory.GetFiles(folder).Select(Path.GetFileName).OrderBy(n => n));
            Assert.Equal(2, _e.InvokeOk("Import-ReflectionTable (Join-Path $args[0] '*.csv')", folder).Count);
        }

        [Fact]
        public void Debug_images_are_float_tiffs_and_WhatIf_skips_them()
        {
            string extract = Path.Combine(_dir, "tmp_extract.tif"), integrate = Path.Combine(_dir, "tmp_integrate");
            _e.InvokeOk(Helper + $"LatticeOf ({Sim}) | Invoke-LatticeExtract -Cycles 1 -DebugImagePath $args[0] -WhatIf | Invoke-PeakIntegration -DebugImagePath $args[1] -WhatIf", extract, integrate);
            Assert.Empty(Directory.GetFiles(_dir));
            _e.InvokeOk(Helper + $"LatticeOf ({Sim}) | Invoke-LatticeExtract -Cycles 1 -DebugImagePath $args[0] | Invoke-PeakIntegration -DebugImagePath $args[1]", extract, integrate);
            Assert.Equal(new[] { "tmp_extract.tif", "tmp_integrate1.tif", "tmp_integrate2.tif" }, Directory.GetFiles(_dir).Select(Path.GetFileName).OrderBy(n => n));
            var b = File.ReadAllBytes(Path.Combine(_dir, "tmp_integrate2.tif"));
            Assert.Equal(new byte[] { (byte)'I', (byte)'I', 42, 0 }, b.Take(4));
        }

        [Fact]
        public void Reflection_tables_have_a_table_view()
        {
            var text = _e.Render(Helper + $"LatticeOf ({Sim}) | Invoke-PeakIntegration");
            Assert.Matches(@"Simulated#0\s+Integrate\s+\d+\s+\d+", text);
        }
    }
}
