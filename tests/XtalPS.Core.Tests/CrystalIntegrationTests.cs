using System;
using System.Collections.Generic;
using System.Linq;
using XtalPS.Extraction;
using XtalPS.Formats;
using XtalPS.Imaging;
using XtalPS.Integration;
using XtalPS.Lattices;
using Xunit;
using Xunit.Abstractions;

namespace XtalPS.Core.Tests
{
    /// <summary>Extraction and integration of crystal stills from the true crystal, scored against the simulated signal.</summary>
    public class CrystalIntegrationTests
    {
        private readonly ITestOutputHelper _out;
        public CrystalIntegrationTests(ITestOutputHelper o) { _out = o; }

        /// <summary>The image, the true crystal on the image's own detector, and the true signal (photons) by hkl.</summary>
        internal static (DiffractionImage Image, CrystalLattice Lattice, Dictionary<(int, int, int), (double Signal, double Bg, int Pixels)> Truth) Load(string name)
        {
            var image = DiffractionImageReader.ReadFrames(SharedData.File_(name + ".cbf")).First();
            var t = StillTruth.Load(name + ".json");
            var lattice = new CrystalLattice(t.A, SpaceGroup.Parse(t.SpaceGroup), image);
            using var doc = SharedData.Json(name + ".json");
            var r = doc.RootElement.GetProperty("reflections");
            double[] D(string k) => r.GetProperty(k).EnumerateArray().Select(v => v.GetDouble()).ToArray();
            var signal = D("signal_photons"); var bg = D("bg_photons_per_px"); var n = D("n_pixels");
            var truth = new Dictionary<(int, int, int), (double, double, int)>();
            for (int i = 0; i < t.H.Length; i++) truth[(t.H[i], t.K[i], t.L[i])] = (signal[i], bg[i], (int)n[i]);
            return (image, lattice, truth);
        }

        internal sealed class Score
        {
            public int Matched, Strong;
            public double CcAll, CcStrong, ZSd, ZMean, Scale, ZSdWeak, ZMeanWeak;
            public override string ToString() =>
                $"{Matched} matched, CC {CcAll:0.0000} (all) {CcStrong:0.0000} (true I/σ ≥ 10, {Strong}); (I − k·I_true)/σ SD {ZSd:0.000} mean {ZMean:0.000} (true I/σ < 10: SD {ZSdWeak:0.000} mean {ZMeanWeak:0.000}); k {Scale:0.0000}";
        }

        /// <summary>CC with the truth, and (I − k·I_true)/σ with k = gain (ADU per photon).</summary>
        internal static Score Compare(ReflectionTable table, Dictionary<(int, int, int), (double Signal, double Bg, int Pixels)> truth, double gain)
        {
            var usable = table.Reflections.Where(r => !double.IsNaN(r.Intensity) && r.Sigma > 0 &&
                (r.Flags & (ReflectionFlags.NearEdge | ReflectionFlags.Masked)) == 0 && truth.ContainsKey((r.H, r.K, r.L))).ToList();
            double TrueIs(Reflection r) { var t = truth[(r.H, r.K, r.L)]; return t.Signal / Math.Sqrt(t.Signal + Math.Max(1, t.Pixels) * t.Bg); }
            var strong = usable.Where(r => TrueIs(r) >= 10).ToList();
            var z = usable.Select(r => (r.Intensity - gain * truth[(r.H, r.K, r.L)].Signal) / r.Sigma).ToList();
            var zWeak = usable.Where(r => TrueIs(r) < 10).Select(r => (r.Intensity - gain * truth[(r.H, r.K, r.L)].Signal) / r.Sigma).ToList();
            return new Score
            {
                Matched = usable.Count, Strong = strong.Count,
                CcAll = PeakIntegrationTests.Pearson(usable.Select(r => r.Intensity).ToList(), usable.Select(r => truth[(r.H, r.K, r.L)].Signal).ToList()),
                CcStrong = strong.Count > 2 ? PeakIntegrationTests.Pearson(strong.Select(r => r.Intensity).ToList(), strong.Select(r => truth[(r.H, r.K, r.L)].Signal).ToList()) : double.NaN,
                ZSd = PeakIntegrationTests.Sd(z), ZMean = z.Average(),
                ZSdWeak = zWeak.Count > 2 ? PeakIntegrationTests.Sd(zWeak) : double.NaN, ZMeanWeak = zWeak.Count > 0 ? zWeak.Average() : double.NaN,
                Scale = strong.Sum(r => r.Intensity) / strong.Sum(r => truth[(r.H, r.K, r.L)].Signal),
            };
        }

        [Theory]
        [InlineData("sim/single1024/still_00000")]
        [InlineData("sim/single1024/still_00001")]
        [InlineData("sim/single1024/still_00002")]
        [InlineData("sim/single1024/still_00003")]
        public void Summation_and_profile_fitting_of_single1024_stills_correlate_with_the_true_signal(string name)
        {
            var (image, lattice, truth) = Load(name);
            var ext = LatticeGaussianFit.Extract(image, lattice, new ExtractionSettings());
            var refined = Assert.IsType<CrystalLattice>(ext.RefinedLattice);
            _out.WriteLine($"{name}: {ext.Count} predicted, {ext.WellBehavedCount} well behaved; refined RMSD {refined.Rmsd:0.###} px from {refined.IndexedCount}, " +
                $"cell {refined.UnitCell}, misorientation to the truth {refined.MisorientationTo(lattice):0.####}°; {truth.Count} true reflections, " +
                $"{ext.Reflections.Count(r => truth.ContainsKey((r.H, r.K, r.L)))} of them predicted");
            Assert.True(refined.MisorientationTo(lattice) < 0.05);
            Assert.Equal(79.1, refined.UnitCell.A, 0);
            Assert.All(ext.Reflections, r => Assert.False(lattice.Symmetry!.IsAbsent(r.H, r.K, r.L)));
            foreach (var method in new[] { IntegrationMethod.Summation, IntegrationMethod.ProfileFit })
            {
                var table = PeakIntegrator.Integrate(ext, new IntegrationSettings { Method = method });
                var s = Compare(table, truth, 1.0);
                _out.WriteLine($"  {method}: {s}");
                // The requirement: CC ≥ 0.95 with the true signal.
                Assert.True(s.CcAll >= 0.95, $"{method} CC {s.CcAll}");
                if (method == IntegrationMethod.Summation)
                {
                    // Counting-statistics σ describes the scatter about the truth.
                    Assert.InRange(s.ZSd, 0.85, 1.2);
                    Assert.InRange(s.ZMean, -0.3, 0.3);
                    Assert.InRange(s.Scale, 0.99, 1.01);
                }
                else
                {
                    // Gaussian profiles miss the simulated spots' real shape: weak spots come out low by a fraction of σ.
                    Assert.True(s.ZSd < 2, $"ProfileFit SD(z) {s.ZSd}");
                    Assert.InRange(s.Scale, 0.99, 1.01);
                }
            }
        }
    }
}
