using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using XtalPS.Formats;
using XtalPS.Integration;
using XtalPS.Lattices;
using Xunit;

namespace XtalPS.Module.Tests
{
    /// <summary>The crystal-stills path through the engine: images → spots → known-cell lattices → integration → MTZ.</summary>
    [Collection(EngineCollection.Name)]
    public class CrystalReflectionCmdletTests : IDisposable
    {
        private readonly EngineFixture _e;
        private readonly string _dir;

        public CrystalReflectionCmdletTests(EngineFixture e)
        {
            _e = e;
            _dir = Directory.CreateTempSubdirectory("xtalps-crystal-refl").FullName;
        }

        public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

        private static double Pearson(IList<double> a, IList<double> b)
        {
            double ma = a.Average(), mb = b.Average(), sab = 0, saa = 0, sbb = 0;
            for (int i = 0; i < a.Count; i++) { sab += (a[i] - ma) * (b[i] - mb); saa += (a[i] - ma) * (a[i] - ma); sbb += (b[i] - mb) * (b[i] - mb); }
            return sab / Math.Sqrt(saa * sbb);
        }

        [Fact]
        public void Stills_pipeline_writes_an_mtz_in_P43212_that_reads_back_and_matches_the_truth()
        {
            string mtz = Path.Combine(_dir, "x.mtz");
            string folder = Path.Combine(_e.SharedData, "sim", "single1024");
            var tables = _e.InvokeOk(
                "Import-DiffractionImage (Join-Path $args[0] '*.cbf') | Find-BraggSpot | " +
                "Get-Lattice -UnitCell 79.1,79.1,37.9,90,90,90 -SpaceGroup P43212 | Invoke-PeakIntegration -Method Summation | " +
                "Tee-Object -Variable t | Export-ReflectionTable $args[1]; $t", folder, mtz)
                .Select(o => (ReflectionTable)o.BaseObject).ToArray();
            Assert.Equal(4, tables.Length);
            Assert.All(tables, t => Assert.IsType<CrystalLattice>(t.RefinedLattice));

            var file = MtzReader.Read(mtz);
            Assert.Equal(96, file.SpaceGroupNumber);
            Assert.Equal(tables.Sum(t => t.Count), file.ReflectionCount);
            Assert.Equal(4, file.Batches.Count);

            // Read back through the engine: the indices as measured and the intensities.
            var back = _e.InvokeOk("Import-ReflectionTable -LiteralPath $args[0]", mtz).Select(o => (ReflectionTable)o.BaseObject).ToArray();
            Assert.Equal(tables.Select(t => t.Count), back.Select(t => t.Count));
            for (int i = 0; i < 4; i++)
                Assert.Equal(tables[i].Reflections.Select(r => (r.H, r.K, r.L, (float)r.Intensity)), back[i].Reflections.Select(r => (r.H, r.K, r.L, (float)r.Intensity)));

            // The intensities correlate with the simulated signal. The indexer may pick an equivalent setting of the
            // crystal: try every proper rotation of the Laue group on the indices and keep the one that matches most.
            var group = SpaceGroup.Parse("P43212");
            for (int i = 0; i < 4; i++)
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, $"still_0000{i}.json")));
                var r = doc.RootElement.GetProperty("reflections");
                int[] I(string k) => r.GetProperty(k).EnumerateArray().Select(v => v.GetInt32()).ToArray();
                var h = I("h"); var k = I("k"); var l = I("l");
                var signal = r.GetProperty("signal_photons").EnumerateArray().Select(v => v.GetDouble()).ToArray();
                var truth = new Dictionary<(int, int, int), double>();
                for (int j = 0; j < h.Length; j++) truth[(h[j], k[j], l[j])] = signal[j];
                var good = back[i].Reflections.Where(x => x.Flags == ReflectionFlags.None && !double.IsNaN(x.Intensity)).ToList();
                List<(double I, double T)> best = new List<(double, double)>();
                foreach (var rot in group.ProperLaueRotations)
                {
                    var m = rot.ToArray();
                    var pairs = new List<(double, double)>();
                    foreach (var x in good)
                    {
                        var key = ((int)Math.Round(m[0] * x.H + m[1] * x.K + m[2] * x.L), (int)Math.Round(m[3] * x.H + m[4] * x.K + m[5] * x.L),
                            (int)Math.Round(m[6] * x.H + m[7] * x.K + m[8] * x.L));
                        if (truth.TryGetValue(key, out double sgn)) pairs.Add((x.Intensity, sgn));
                    }
                    if (pairs.Count > best.Count) best = pairs;
                }
                Assert.True(best.Count > 250, $"image {i}: {best.Count} matched");
                double cc = Pearson(best.Select(p => p.I).ToList(), best.Select(p => p.T).ToList());
                Assert.True(cc >= 0.95, $"image {i}: CC {cc}");
            }
        }

        [Fact]
        public void A_crystal_lattice_without_geometry_is_reported_and_json_reads_back()
        {
            _e.Invoke("[XtalPS.Lattices.CrystalLattice]::new([XtalPS.Geometry.Mat3]::Identity, 'P1') | Invoke-LatticeExtract", out var errors);
            Assert.Equal("LatticeHasNoImage", Assert.Single(errors).FullyQualifiedErrorId.Split(',')[0]);
            string json = Path.Combine(_dir, "s.json");
            string still = Path.Combine(_e.SharedData, "sim", "single1024", "still_00000.cbf");
            var ext = (ReflectionTable)Assert.Single(_e.InvokeOk(
                "Import-DiffractionImage -LiteralPath $args[0] | Find-BraggSpot | Get-Lattice -UnitCell 79.1,79.1,37.9,90,90,90 -SpaceGroup P43212 | " +
                "Invoke-LatticeExtract -Cycles 1 -DMin 2.5", still)).BaseObject;
            Assert.True(ext.Count > 100);
            Assert.All(ext.Reflections, r => Assert.True(r.D >= 2.49, $"d {r.D}"));
            var t = (ReflectionTable)Assert.Single(_e.InvokeOk("$args[0] | Export-ReflectionTable $args[1]; Import-ReflectionTable $args[1]", ext, json)).BaseObject;
            Assert.Equal("Imported Extract", t.Stage);
            Assert.Equal(ext.Reflections.Select(r => (r.H, r.K, r.L)), t.Reflections.Select(r => (r.H, r.K, r.L)));
            Assert.Equal("P 43 21 2", Assert.IsType<CrystalLattice>(t.RefinedLattice).SpaceGroup);
        }
    }
}
