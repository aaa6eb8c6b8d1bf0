using System;
using System.Linq;
using XtalPS.Formats;
using XtalPS.Geometry;
using XtalPS.Simulation;
using XtalPS.Spots;
using Xunit;

namespace XtalPS.Core.Tests
{
    public class GainAndRadialTests
    {
        [Theory]
        [InlineData(1.0)]
        [InlineData(4.0)]
        [InlineData(7.5)]
        public void Gain_estimate_recovers_the_simulated_gain(double gain)
        {
            var image = PlanarLatticeSimulator.Simulate(new PlanarLatticeSettings { Width = 1024, Height = 1024, Gain = gain, Seed = 11 });
            var estimate = GainEstimator.Estimate(image);
            Assert.InRange(estimate.Gain / gain, 0.96, 1.04);
        }

        [Fact]
        public void Gain_estimate_on_the_simulated_Pilatus_is_one()
        {
            var image = DiffractionImageReader.ReadFrames(SharedData.File_("sim/pilatus6m/still_00000.cbf")).Single();
            Assert.InRange(GainEstimator.Estimate(image).Gain, 0.97, 1.03);
        }

        [Fact]
        public void Wrong_gain_makes_too_many_strong_pixels_and_a_clear_error()
        {
            // Gain-8 counts searched as if gain were 0.05: nearly every pixel's dispersion is "too high".
            var image = PlanarLatticeSimulator.Simulate(new PlanarLatticeSettings { Width = 256, Height = 256, Gain = 8, Background = 200, Seed = 2 });
            var e = Assert.Throws<SpotFindingException>(() => SpotFinder.Find(image, new SpotFindingSettings { Gain = 0.05 }));
            Assert.Equal("TooManyStrongPixels", e.ErrorId);
            Assert.Contains("gain", e.Message);
        }

        [Theory]
        [InlineData(SpotAlgorithm.DispersionExtended)]
        [InlineData(SpotAlgorithm.Dispersion)]
        [InlineData(SpotAlgorithm.RadialProfile)]
        public void Every_algorithm_finds_the_strong_spots_of_a_planar_lattice(SpotAlgorithm algorithm)
        {
            var s = new PlanarLatticeSettings { Width = 512, Height = 512, Intensity = 4000, Background = 30, Seed = 9, WilsonIntensities = false };
            var image = PlanarLatticeSimulator.Simulate(s);
            var truth = (PlanarSimulationTruth)image.Truth!;
            var spots = SpotFinder.Find(image, new SpotFindingSettings { Algorithm = algorithm }).Spots.Spots;
            // Every spot fully on the image (≥ 4 px from the edge) is found within 0.3 px, and nothing else.
            var inner = truth.Spots.Where(t => t.X > 4 && t.Y > 4 && t.X < 508 && t.Y < 508).ToArray();
            int found = inner.Count(t => spots.Any(p => Math.Abs(p.X - t.X) < 0.3 && Math.Abs(p.Y - t.Y) < 0.3));
            Assert.True(found >= 0.98 * inner.Length, $"{algorithm}: {found} of {inner.Length}");
            int real = spots.Count(p => truth.Spots.Any(t => Math.Abs(p.X - t.X) < 1 && Math.Abs(p.Y - t.Y) < 1));
            Assert.True(real >= 0.99 * spots.Count, $"{algorithm}: {real} of {spots.Count} spots are lattice points");
        }

        [Fact]
        public void A_constant_gain_map_equals_the_same_scalar_gain_and_a_wrong_map_is_refused()
        {
            var image = DiffractionImageReader.ReadFrames(SharedData.File_("sim/cspad/cspad_00001.cbf")).Single();
            var scalar = SpotFinder.Find(image, new SpotFindingSettings { Gain = 7.5 }).Spots.Spots;
            var map = image.PanelImages.Select(p => Enumerable.Repeat(7.5f, p.Pixels.Length).ToArray()).ToArray();
            var mapped = SpotFinder.Find(image, new SpotFindingSettings { GainMap = map }).Spots.Spots;
            Assert.Equal(scalar.Select(s => (s.Panel, s.X, s.Y)), mapped.Select(s => (s.Panel, s.X, s.Y)));
            // A map that halves the gain on one panel changes that panel only.
            map[5] = Enumerable.Repeat(1f, map[5].Length).ToArray();
            var changed = SpotFinder.Find(image, new SpotFindingSettings { GainMap = map }).Spots.Spots;
            Assert.Equal(scalar.Where(s => s.Panel != 5).Select(s => (s.Panel, s.X, s.Y)), changed.Where(s => s.Panel != 5).Select(s => (s.Panel, s.X, s.Y)));
            var wrong = new[] { new float[10] };
            Assert.Equal("GainMapMismatch", Assert.Throws<SpotFindingException>(() => SpotFinder.Find(image, new SpotFindingSettings { GainMap = new[] { new float[] { 1f } } })).ErrorId);
            map[0][0] = 0;
            Assert.Throws<ArgumentOutOfRangeException>(() => SpotFinder.Find(image, new SpotFindingSettings { GainMap = map }));
        }

        [Fact]
        public void Automatic_global_threshold_keeps_the_strong_spots()
        {
            var image = DiffractionImageReader.ReadFrames(SharedData.File_("sim/single1024/still_00000.cbf")).Single();
            double t = GlobalThreshold.Estimate(image);
            Assert.InRange(t, 1, 1000);
            var result = SpotFinder.Find(image, new SpotFindingSettings { AutoGlobalThreshold = true });
            var score = SpotScore.Of(result.Spots, "sim/single1024/still_00000.json");
            Assert.True(score.Precision >= 0.99, score.ToString());
            Assert.True(score.Recall >= 0.9, score.ToString());
            Assert.All(result.Spots.Spots, s => Assert.True(s.PeakValue > t));
        }

        [Fact]
        public void NaN_and_infinite_pixels_in_float_images_are_ignored_not_fatal()
        {
            var s = new PlanarLatticeSettings { Width = 256, Height = 256, Seed = 4, A = new Vec2(25, 1), B = new Vec2(-2, 24) };
            var image = PlanarLatticeSimulator.Simulate(s);
            var px = (float[])image.PanelImages[0].Pixels.Clone();
            for (int i = 0; i < px.Length; i += 97) px[i] = float.NaN;
            for (int i = 13; i < px.Length; i += 211) px[i] = float.PositiveInfinity;
            for (int i = 29; i < px.Length; i += 307) px[i] = float.NegativeInfinity;
            var bad = image.WithPanelImages(new[] { new XtalPS.Imaging.PanelImage(0, 256, 256, px) });
            foreach (var algorithm in new[] { SpotAlgorithm.DispersionExtended, SpotAlgorithm.Dispersion, SpotAlgorithm.RadialProfile })
            {
                var spots = SpotFinder.Find(bad, new SpotFindingSettings { Algorithm = algorithm }).Spots.Spots;
                Assert.NotEmpty(spots);
                Assert.All(spots, p => Assert.False(double.IsNaN(p.X) || double.IsNaN(p.Intensity) || double.IsInfinity(p.Intensity)));
            }
        }

        [Fact]
        public void Blank_and_fully_masked_images_give_no_spots_and_a_warning()
        {
            var blank = PlanarLatticeSimulator.Simulate(new PlanarLatticeSettings { Width = 128, Height = 128, Intensity = 0, Background = 0, Noise = false, A = new Vec2(20, 0), B = new Vec2(0, 20) });
            var r = SpotFinder.Find(blank, new SpotFindingSettings());
            Assert.Equal(0, r.Spots.Count);
            Assert.Contains(r.Warnings, w => w.Contains("No spots"));
            var masked = blank.WithPanelImages(new[] { blank.PanelImages[0].WithMask(new byte[128 * 128]) });
            var m = SpotFinder.Find(masked, new SpotFindingSettings());
            Assert.Equal(0, m.Spots.Count);
            Assert.Contains(m.Warnings, w => w.Contains("masked"));
        }

        [Fact]
        public void Resolution_limits_and_ice_rings_filter_spots()
        {
            var image = DiffractionImageReader.ReadFrames(SharedData.File_("sim/single1024/still_00000.cbf")).Single();
            var all = SpotFinder.Find(image, new SpotFindingSettings()).Spots.Spots;
            var limited = SpotFinder.Find(image, new SpotFindingSettings { DMin = 2.5, DMax = 10 }).Spots.Spots;
            Assert.All(limited, s => Assert.InRange(s.D, 2.5, 10));
            Assert.Equal(all.Count(s => s.D >= 2.5 && s.D <= 10), limited.Count);
            var ice = SpotFinder.Find(image, new SpotFindingSettings { FilterIceRings = true }).Spots.Spots;
            Assert.Equal(all.Count(s => !IceRings.IsOnRing(s.D)), ice.Count);
            Assert.True(ice.Count < all.Count);
        }
    }
}
