using System;
using System.Collections.Generic;
using System.Linq;
using XtalPS.Extraction;
using XtalPS.Geometry;
using XtalPS.Integration;
using XtalPS.Lattices;
using XtalPS.Simulation;
using Xunit;
using Xunit.Abstractions;

namespace XtalPS.Core.Tests
{
    public class LatticeExtractionTests
    {
        private readonly ITestOutputHelper _out;
        public LatticeExtractionTests(ITestOutputHelper o) { _out = o; }

        internal static Dictionary<(int, int), Lattice2dTruth.Spot> ByIndex(Lattice2dTruth t) => t.Spots.ToDictionary(s => (s.H, s.K));

        [Theory]
        [InlineData(0)]
        [InlineData(1)]
        [InlineData(2)]
        public void Fitted_centres_and_refined_lattice_match_the_lattice2d_truth(int index)
        {
            var t = Lattice2dTruth.Load(index);
            // Start from the truth, nudged by a few tenths of a pixel, so refinement has something to do.
            var start = new PlanarLattice(t.Origin + new Vec2(0.4, -0.3), t.A + new Vec2(0.02, 0.01), t.B + new Vec2(-0.01, 0.02), t.Image);
            var table = LatticeGaussianFit.Extract(t.Image, start, new ExtractionSettings());
            var truth = ByIndex(t);
            var strong = table.Reflections.Where(r => r.WellBehaved && truth.TryGetValue((r.H, r.K), out var s) && s.TrueIOverSigma > 20).ToList();
            double rms = Math.Sqrt(strong.Average(r => { var s = truth[(r.H, r.K)]; return (r.X - s.X) * (r.X - s.X) + (r.Y - s.Y) * (r.Y - s.Y); }));
            var refined = (PlanarLattice)table.RefinedLattice!;
            double dO = (refined.Origin - t.Origin).Length, dA = (refined.A - t.A).Length, dB = (refined.B - t.B).Length;
            _out.WriteLine($"image {index}: {table.Count} fits, {table.WellBehavedCount} well behaved, {strong.Count} strong; centre RMS {rms:0.0000} px; " +
                $"origin {dO:0.00000} A {dA:0.00000} B {dB:0.00000} px; lattice rmsd {refined.Rmsd:0.0000}");
            var medianSigma = LatticeGaussianFit.MedianShape(table.Reflections.ToList());
            _out.WriteLine($"median shape σ {medianSigma?.SigmaMajor:0.000}/{medianSigma?.SigmaMinor:0.000} vs truth {t.SigmaX:0.000}/{t.SigmaY:0.000}");
            foreach (var (lo, hi) in new[] { (20.0, 30.0), (30.0, 50.0), (50.0, 100.0), (100.0, 1e9) })
            {
                var bin = strong.Where(r => truth[(r.H, r.K)].TrueIOverSigma >= lo && truth[(r.H, r.K)].TrueIOverSigma < hi).ToList();
                if (bin.Count == 0) continue;
                double rb = Math.Sqrt(bin.Average(r => { var q = truth[(r.H, r.K)]; return (r.X - q.X) * (r.X - q.X) + (r.Y - q.Y) * (r.Y - q.Y); }));
                double chi = bin.Average(r => { var q = truth[(r.H, r.K)]; return 0.5 * ((r.X - q.X) * (r.X - q.X) / (r.XSigma * r.XSigma) + (r.Y - q.Y) * (r.Y - q.Y) / (r.YSigma * r.YSigma)); });
                double mx = bin.Average(r => r.X - truth[(r.H, r.K)].X), my = bin.Average(r => r.Y - truth[(r.H, r.K)].Y);
                _out.WriteLine($"  I/σ {lo}-{hi}: n {bin.Count} rms {rb:0.0000} mean dx {mx:0.0000} dy {my:0.0000} <z²> {chi:0.00} chi2 {bin.Average(r => r.FitChiSquare):0.00}");
            }
            Assert.True(strong.Count > 50, $"only {strong.Count} strong well-behaved spots");
            // The errors are what the fit's own σ says (Poisson-weighted LM sits at the Cramér–Rao bound for these
            // images, about 0.06 px per axis at I/σ 20 with ~100 counts/px background), and unbiased.
            double z2 = strong.Average(r => { var q = truth[(r.H, r.K)]; return 0.5 * ((r.X - q.X) * (r.X - q.X) / (r.XSigma * r.XSigma) + (r.Y - q.Y) * (r.Y - q.Y) / (r.YSigma * r.YSigma)); });
            Assert.InRange(z2, 0.75, 1.3);
            Assert.True(Math.Abs(strong.Average(r => r.X - truth[(r.H, r.K)].X)) < 0.02 && Math.Abs(strong.Average(r => r.Y - truth[(r.H, r.K)].Y)) < 0.02, "biased centres");
            // Where the statistics allow it (fit σ below 0.035 px per axis), the centres are within 0.05 px RMS of the truth.
            var precise = strong.Where(r => r.XSigma < 0.035 && r.YSigma < 0.035).ToList();
            double rmsPrecise = Math.Sqrt(precise.Average(r => { var q = truth[(r.H, r.K)]; return (r.X - q.X) * (r.X - q.X) + (r.Y - q.Y) * (r.Y - q.Y); }));
            _out.WriteLine($"  {precise.Count} spots with fit σ < 0.035 px: RMS {rmsPrecise:0.0000} px; all I/σ>20: {rms:0.0000} px");
            Assert.True(precise.Count >= 3 && rmsPrecise < 0.05, $"{precise.Count} precise spots, RMS {rmsPrecise}");
            Assert.True(dO < 0.01 && dA < 0.01 && dB < 0.01, $"lattice off by {dO}, {dA}, {dB} px");
            // Nearly every spot the truth calls strong is well behaved.
            int strongTruth = t.Spots.Count(s => s.TrueIOverSigma > 20 && s.X > 12 && s.Y > 12 && s.X < 1012 && s.Y < 1012);
            Assert.True(strong.Count >= 0.95 * strongTruth, $"{strong.Count} of {strongTruth} strong spots well behaved");
        }
    }
}

namespace XtalPS.Core.Tests
{
    public class SimulatorExtractionTests
    {
        private readonly ITestOutputHelper _out;
        public SimulatorExtractionTests(ITestOutputHelper o) { _out = o; }

        /// <summary>Our own simulator: a tilted, rotated-basis lattice of bright spots with gain 2.</summary>
        internal static Imaging.DiffractionImage Simulate(int seed, double intensity = 20000, double gain = 2) =>
            PlanarLatticeSimulator.Simulate(new PlanarLatticeSettings
            {
                Width = 512, Height = 512, Origin = new Vec2(250.3, 261.7), A = new Vec2(23.4, 3.1), B = new Vec2(-5.2, 25.7),
                SigmaX = 1.8, SigmaY = 2.2, Intensity = intensity, Background = 40, BackgroundTiltX = 0.02, BackgroundTiltY = -0.01,
                Gain = gain, Seed = seed, MaxDegreeOfParallelism = 1,
            });

        [Fact]
        public void Simulated_lattice_centres_widths_lattice_and_intensities_match_the_truth()
        {
            var image = Simulate(7);
            var truth = (PlanarSimulationTruth)image.Truth!;
            var start = new PlanarLattice(truth.Origin + new Vec2(-0.6, 0.4), truth.A + new Vec2(0.03, -0.02), truth.B, image);
            var ext = LatticeGaussianFit.Extract(image, start, new ExtractionSettings());
            var byIndex = truth.Spots.ToDictionary(s => (s.H, s.K));
            var refined = (PlanarLattice)ext.RefinedLattice!;
            double dO = (refined.Origin - truth.Origin).Length, dA = (refined.A - truth.A).Length, dB = (refined.B - truth.B).Length;
            var precise = ext.Reflections.Where(r => r.WellBehaved && r.XSigma < 0.03 && r.YSigma < 0.03).ToList();
            double rms = Math.Sqrt(precise.Average(r => { var s = byIndex[(r.H, r.K)]; return (r.X - s.X) * (r.X - s.X) + (r.Y - s.Y) * (r.Y - s.Y); }));
            var shape = LatticeGaussianFit.MedianShape(ext.Reflections.ToList())!.Value;
            _out.WriteLine($"{ext.Count} fits, {ext.WellBehavedCount} good, {precise.Count} precise: RMS {rms:0.0000}; lattice {dO:0.00000} {dA:0.00000} {dB:0.00000}; σ {shape.SigmaMajor:0.000}/{shape.SigmaMinor:0.000} ∠{shape.Orientation:0.0}");
            Assert.True(precise.Count > 100);
            Assert.True(rms < 0.05, $"RMS {rms}");
            Assert.True(dO < 0.01 && dA < 0.01 && dB < 0.01, $"lattice off by {dO}, {dA}, {dB}");
            // Widths: σ² of a pixel-centre Gaussian fitted to pixel-integrated spots is σ² + 1/12.
            Assert.InRange(shape.SigmaMajor, Math.Sqrt(2.2 * 2.2 + 1 / 12.0) - 0.03, Math.Sqrt(2.2 * 2.2 + 1 / 12.0) + 0.03);
            Assert.InRange(shape.SigmaMinor, Math.Sqrt(1.8 * 1.8 + 1 / 12.0) - 0.03, Math.Sqrt(1.8 * 1.8 + 1 / 12.0) + 0.03);
            Assert.InRange(Math.Abs(shape.Orientation), 88, 90);

            foreach (var method in new[] { IntegrationMethod.Iplt, IntegrationMethod.ProfileFit, IntegrationMethod.Summation })
            {
                var settings = new IntegrationSettings { Method = method };
                if (method == IntegrationMethod.Summation) settings.BoxSize = 8; // plain summation needs a box that holds the spot
                var integ = PeakIntegrator.Integrate(ext, settings);
                var ok = integ.Reflections.Where(r => !double.IsNaN(r.Intensity) && r.Flags == ReflectionFlags.None && byIndex.ContainsKey((r.H, r.K))).ToList();
                var z = ok.Select(r => (r.Intensity - byIndex[(r.H, r.K)].Intensity) / r.Sigma).ToList();
                var strong = ok.Where(r => byIndex[(r.H, r.K)].Intensity > 2000).ToList();
                double cc = PeakIntegrationTests.Pearson(strong.Select(r => r.Intensity).ToList(), strong.Select(r => byIndex[(r.H, r.K)].Intensity).ToList());
                _out.WriteLine($"{method}: {ok.Count} integrated, CC {cc:0.00000}, SD(z) {PeakIntegrationTests.Sd(z):0.000}, mean z {z.Average():0.000}");
                Assert.True(cc >= 0.99, $"{method} CC {cc}");
                Assert.InRange(PeakIntegrationTests.Sd(z), 0.9, 1.1);
            }
        }

        [Fact]
        public void Masked_pixels_are_left_out_and_flagged()
        {
            var image = Simulate(3);
            var truth = (PlanarSimulationTruth)image.Truth!;
            var p = image.PanelImages[0];
            var mask = (byte[])p.Mask.Clone();
            var spot = truth.Spots.First(s => s.X > 100 && s.Y > 100 && s.Intensity > 5000);
            // Mask a 3×3 patch on the peak of one spot.
            for (int y = (int)spot.Y - 1; y <= (int)spot.Y + 1; y++)
                for (int x = (int)spot.X - 1; x <= (int)spot.X + 1; x++) mask[y * p.Width + x] = 0;
            var masked = image.WithPanelImages(new[] { p.WithMask(mask) });
            var lattice = new PlanarLattice(truth.Origin, truth.A, truth.B, masked);
            var ext = LatticeGaussianFit.Extract(masked, lattice, new ExtractionSettings());
            var integ = PeakIntegrator.Integrate(ext, new IntegrationSettings { Method = IntegrationMethod.Iplt });
            var r = integ.Reflections.Single(q => q.H == spot.H && q.K == spot.K);
            Assert.True((r.Flags & ReflectionFlags.Masked) != 0);
            Assert.True(ext.Reflections.Single(q => q.H == spot.H && q.K == spot.K).WellBehaved);
            // The truncation correction counts only usable pixels, so the intensity stays right.
            Assert.InRange((r.Intensity - spot.Intensity) / r.Sigma, -4, 4);
            Assert.All(integ.Reflections.Where(q => q.H != spot.H || q.K != spot.K), q => Assert.True((q.Flags & ReflectionFlags.Masked) == 0));
            // Spots near the edge are flagged, not integrated.
            Assert.Contains(integ.Reflections, q => (q.Flags & ReflectionFlags.NearEdge) != 0 && double.IsNaN(q.Intensity));
        }

        [Fact]
        public void Intercalated_background_is_the_plane_between_spots()
        {
            var image = PlanarLatticeSimulator.Simulate(new PlanarLatticeSettings { Noise = false, Background = 30, BackgroundTiltX = 0.02, BackgroundTiltY = 0.01, MaxDegreeOfParallelism = 1 });
            var truth = (PlanarSimulationTruth)image.Truth!;
            var lattice = new PlanarLattice(truth.Origin, truth.A, truth.B, image);
            var ext = LatticeGaussianFit.Extract(image, lattice, new ExtractionSettings { Cycles = 1 });
            var integ = PeakIntegrator.Integrate(ext, new IntegrationSettings());
            var r = integ.Reflections.First(q => q.H == 1 && q.K == 1);
            // Halfway points sit ~12 px from two spots of σ 1.5: the Gaussians add nothing; the plane is linear,
            // so the mean of the four symmetric points is the plane at the spot.
            double expected = 30 + 0.02 * (r.PredictedX - 256) + 0.01 * (r.PredictedY - 256);
            Assert.InRange(r.IntercalatedBackground, expected - 0.01, expected + 0.01);
            Assert.InRange(r.IntegratedBackground, expected - 0.05, expected + 0.05);
        }
    }
}
