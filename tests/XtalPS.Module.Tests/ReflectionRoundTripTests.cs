using System;
using System.IO;
using System.Linq;
using XtalPS.Extraction;
using XtalPS.Integration;
using XtalPS.Lattices;
using Xunit;

namespace XtalPS.Module.Tests
{
    /// <summary>
    /// Import-ReflectionTable gives back what Export-ReflectionTable wrote: image names (MTZ batch titles, the CSV
    /// Image column), resolution, and the space group (so a re-export is not P 1); undetermined fit σ are missing values.
    /// </summary>
    [Collection(EngineCollection.Name)]
    public sealed class ReflectionRoundTripTests : IDisposable
    {
        private readonly EngineFixture _e;
        private readonly string _dir;

        public ReflectionRoundTripTests(EngineFixture e)
        {
            _e = e;
            _dir = Directory.CreateTempSubdirectory("xtalps_roundtrip_").FullName;
        }

        public void Dispose() => Directory.Delete(_dir, true);

        private ReflectionTable[] Stills()
        {
            // Two lysozyme stills written as files, so the tables carry real image names.
            _e.InvokeOk("New-SimulatedImage -UnitCell 79.1,79.1,37.9,90,90,90 -SpaceGroup P43212 -RandomOrientation -Seed 31 -Count 2 | " +
                        "Export-DiffractionImage -Path (Join-Path $args[0] 'lyso_{0:D5}.cbf')", _dir);
            return _e.InvokeOk("Import-DiffractionImage (Join-Path $args[0] 'lyso_*.cbf') | Find-BraggSpot | " +
                               "Get-Lattice -UnitCell 79.1,79.1,37.9,90,90,90 -SpaceGroup P43212 | Invoke-PeakIntegration -Method Summation", _dir)
                .Select(o => (ReflectionTable)o.BaseObject).ToArray();
        }

        [Fact]
        public void Mtz_and_csv_keep_image_names_resolution_and_the_mtz_keeps_the_space_group()
        {
            var sent = Stills();
            Assert.Equal(new[] { "lyso_00000.cbf", "lyso_00001.cbf" }, sent.Select(t => t.ImageName));
            foreach (var ext in new[] { "mtz", "csv" })
            {
                string path = Path.Combine(_dir, "run." + ext);
                _e.InvokeOk("$args[0] | Export-ReflectionTable -Path $args[1]", sent, path);
                var back = _e.InvokeOk("Import-ReflectionTable -LiteralPath $args[0]", path).Select(o => (ReflectionTable)o.BaseObject).ToArray();
                Assert.Equal(sent.Select(t => t.ImageName), back.Select(t => t.ImageName));
                for (int i = 0; i < sent.Length; i++)
                {
                    var before = sent[i].Reflections.Where(r => !double.IsNaN(r.D)).ToArray();
                    Assert.NotEmpty(before);
                    var after = back[i].Reflections;
                    Assert.Equal(sent[i].Count, after.Count);
                    if (ext == "mtz") Assert.All(after, r => Assert.False(double.IsNaN(r.D), $"no resolution for {r.H} {r.K} {r.L}"));
                    // Stills: the D written is the refined cell's; the MTZ recomputes none it was given.
                    for (int j = 0; j < sent[i].Count; j++)
                        if (!double.IsNaN(sent[i].Reflections[j].D)) Assert.Equal(sent[i].Reflections[j].D, after[j].D, 3);
                }
                if (ext == "mtz")
                {
                    Assert.All(back, t => Assert.Equal("P 43 21 2", ((CrystalLattice)t.Lattice!).Symmetry!.Symbol));
                    // A re-export of what was imported keeps the space group and the names.
                    string again = Path.Combine(_dir, "again.mtz");
                    _e.InvokeOk("$args[0] | Export-ReflectionTable -Path $args[1]", back, again);
                    var twice = _e.InvokeOk("Import-ReflectionTable -LiteralPath $args[0]", again).Select(o => (ReflectionTable)o.BaseObject).ToArray();
                    Assert.All(twice, t => Assert.Equal("P 43 21 2", ((CrystalLattice)t.Lattice!).Symmetry!.Symbol));
                    Assert.Equal(sent.Select(t => t.ImageName), twice.Select(t => t.ImageName));
                }
            }
        }

        [Fact]
        public void A_long_image_name_keeps_its_end_in_the_mtz_batch_title()
        {
            string name = new string('x', 80) + "_run7_00042.cbf";
            string title = XtalPS.Formats.MtzWriter.BatchTitle("Integrate", name);
            Assert.True(title.Length <= 70);
            Assert.EndsWith("_run7_00042.cbf", title);
            Assert.StartsWith("Integrate: ...", title);
        }

        [Fact]
        public void Undetermined_fit_sigmas_become_missing_values()
        {
            Assert.True(double.IsNaN(LatticeGaussianFit.Plausible(3.2e12, 1)));
            Assert.True(double.IsNaN(LatticeGaussianFit.Plausible(double.PositiveInfinity, 1)));
            Assert.True(double.IsNaN(LatticeGaussianFit.Plausible(5e10, 2000)));
            Assert.Equal(0.25, LatticeGaussianFit.Plausible(0.25, 1));
            Assert.Equal(150, LatticeGaussianFit.Plausible(150, 2000));
            // Gaussian fits at every lattice point of an image with weak and empty points: no absurd σ reaches a table.
            var tables = _e.InvokeOk("New-SimulatedImage -Width 256 -Height 256 -A 20,1 -B -1,20 -Seed 8 | Get-Lattice -Planar | Invoke-LatticeExtract")
                .Select(o => (ReflectionTable)o.BaseObject).ToArray();
            var sigmas = tables.SelectMany(t => t.Reflections).SelectMany(r => new[] { r.XSigma, r.YSigma, r.AmplitudeSigma }).Where(s => !double.IsNaN(s)).ToArray();
            Assert.NotEmpty(sigmas);
            Assert.All(sigmas, s => Assert.True(s < 1e8, $"σ {s}"));
        }
    }
}
