using System;
using System.Collections.Generic;
using System.Linq;
using XtalPS.Geometry;
using XtalPS.Integration;
using XtalPS.Simulation;
using Xunit;
using Xunit.Abstractions;

namespace XtalPS.Module.Tests
{
    /// <summary>
    /// The gain a user gives once reaches every later stage: an image whose pixels hold 5.5 ADU per photon but whose
    /// detector model says 1 is integrated with honest σ (z-scores against the simulation's truth with SD ≈ 1) when
    /// -Gain 5.5 is given to Find-BraggSpot or Import-DiffractionImage only, and σ scales with √gain.
    /// </summary>
    [Collection(EngineCollection.Name)]
    public class GainTravelTests
    {
        private readonly EngineFixture _e;
        private readonly ITestOutputHelper _out;
        public GainTravelTests(EngineFixture e, ITestOutputHelper output) { _e = e; _out = output; }

        // Pixels at 5.5 ADU per photon on a detector model that claims 1 (as a file without a gain record would).
        private const string Image = @"
$d = (New-SimulatedImage -Width 320 -Height 320 -NoNoise).Detector
$img = New-SimulatedImage -Width 320 -Height 320 -Intensity 20000 -SpotSigma 1.8 -Background 30 -Gain 5.5 -Seed 11 -Detector $d
";

        private static ReflectionTable Table(IEnumerable<System.Management.Automation.PSObject> output) =>
            output.Select(o => o.BaseObject).OfType<ReflectionTable>().Single();

        /// <summary>SD of (I − I_true)/σ over clean reflections.</summary>
        private static double ZScoreSd(ReflectionTable t)
        {
            var truth = ((PlanarSimulationTruth)t.Source!.Truth!).Spots.ToDictionary(s => (s.H, s.K));
            var z = t.Reflections.Where(r => r.Flags == ReflectionFlags.None && r.Sigma > 0 && truth.ContainsKey((r.H, r.K)))
                .Select(r => (r.Intensity - truth[(r.H, r.K)].Intensity) / r.Sigma).ToArray();
            Assert.True(z.Length > 100, $"{z.Length} clean reflections");
            double mean = z.Average();
            return Math.Sqrt(z.Sum(v => (v - mean) * (v - mean)) / (z.Length - 1));
        }

        [Fact]
        public void Find_BraggSpot_gain_reaches_integration_and_sigma_scales_with_root_gain()
        {
            var carried = Table(_e.InvokeOk(Image + "$img | Find-BraggSpot -Gain 5.5 | Get-Lattice -Planar | Invoke-PeakIntegration"));
            Assert.Equal(5.5, carried.Source!.Detector.Panels[0].Gain);
            Assert.Equal("Find-BraggSpot -Gain", carried.Source.GainSource);
            double sdCarried = ZScoreSd(carried);
            Assert.InRange(sdCarried, 0.8, 1.2);

            // The same lattice integrated with an explicit -Gain 1 (the file's value, which integration used before the
            // gain travelled): a warning, σ smaller by √5.5 reflection by reflection, and z-scores √5.5 too wide.
            var output = _e.Invoke(Image + "$img | Find-BraggSpot -Gain 5.5 | Get-Lattice -Planar | Invoke-PeakIntegration -Gain 1 -WarningVariable w; $w", out var errors);
            Assert.Empty(errors);
            var warning = output.Select(o => o.BaseObject).OfType<System.Management.Automation.WarningRecord>().Single();
            Assert.Contains("Invoke-PeakIntegration -Gain 1 differs from the gain 5.5 that Find-BraggSpot -Gain set", warning.Message);
            var one = Table(output);
            // With a gain of 1 the rim scatters √5.5 times more than Poisson allows: the integrator flags BadBackground and
            // lets the excess into σ's background share, but the counting share stays √5.5 too small.
            Assert.True(one.Reflections.Count(r => (r.Flags & ReflectionFlags.BadBackground) != 0) > one.Count / 2);
            var byHkl = one.Reflections.Where(r => r.Sigma > 0).ToDictionary(r => (r.H, r.K));
            var ratios = carried.Reflections.Where(r => r.Flags == ReflectionFlags.None && r.Sigma > 0 && byHkl.ContainsKey((r.H, r.K)))
                .Select(r => r.Sigma / byHkl[(r.H, r.K)].Sigma).OrderBy(v => v).ToArray();
            Assert.True(ratios.Length > 100);
            double median = ratios[ratios.Length / 2];
            _out.WriteLine($"SD(z) with the gain carried {sdCarried:0.###}; median σ(5.5)/σ(1) = {median:0.####} over {ratios.Length} reflections (√5.5 = {Math.Sqrt(5.5):0.####})");
            Assert.InRange(median, 1.5, Math.Sqrt(5.5) * 1.02);
        }

        [Fact]
        public void Import_DiffractionImage_gain_reaches_spots_and_integration()
        {
            string dir = System.IO.Directory.CreateTempSubdirectory("xtalps-gain").FullName;
            try
            {
                string tif = System.IO.Path.Combine(dir, "g.tif");
                // TIFF holds no gain: read back, the detector model says 1 ADU per photon.
                _e.InvokeOk(Image + "$img | Export-DiffractionImage -Path $args[0]", tif);
                var plain = (Imaging.DiffractionImage)_e.InvokeOk("Import-DiffractionImage -LiteralPath $args[0]", tif).Single().BaseObject;
                Assert.Equal(1.0, plain.Detector.Panels[0].Gain);
                Assert.Equal("", plain.GainSource);
                var t = Table(_e.InvokeOk("Import-DiffractionImage -LiteralPath $args[0] -Gain 5.5 | Find-BraggSpot | Get-Lattice -Planar | Invoke-PeakIntegration", tif));
                Assert.Equal(5.5, t.Source!.Detector.Panels[0].Gain);
                Assert.Equal("Import-DiffractionImage -Gain", t.Source.GainSource);
                Assert.Null(t.Image);
                Assert.Null(t.Lattice!.Image);
                // A re-read file has no truth attached: compare with the in-memory pipeline's intensities instead.
                var reference = Table(_e.InvokeOk(Image + "$img | Find-BraggSpot -Gain 5.5 | Get-Lattice -Planar | Invoke-PeakIntegration"));
                var refSigma = reference.Reflections.Where(r => r.Sigma > 0).ToDictionary(r => (r.H, r.K), r => r.Sigma);
                var ratios = t.Reflections.Where(r => r.Sigma > 0 && r.Flags == ReflectionFlags.None && refSigma.ContainsKey((r.H, r.K)))
                    .Select(r => r.Sigma / refSigma[(r.H, r.K)]).OrderBy(v => v).ToArray();
                Assert.True(ratios.Length > 100);
                Assert.InRange(ratios[ratios.Length / 2], 0.98, 1.02);
            }
            finally { System.IO.Directory.Delete(dir, true); }
        }
    }
}
