using System;
using System.Linq;
using XtalPS.Geometry;
using XtalPS.Simulation;
using Xunit;

namespace XtalPS.Core.Tests
{
    public class PlanarSimulatorTests
    {
        private static PlanarLatticeSettings Settings(bool noise) => new PlanarLatticeSettings
        {
            Width = 256, Height = 200, Origin = new Vec2(120.3, 95.7), A = new Vec2(21.3, 2.2), B = new Vec2(-3.1, 19.6),
            SigmaX = 1.4, SigmaY = 1.8, Intensity = 8000, Background = 15, BackgroundTiltX = 0.02, BackgroundTiltY = -0.01,
            Noise = noise, Seed = 42,
        };

        [Fact]
        public void Noise_free_image_gives_back_the_true_centres_and_intensities()
        {
            // Spacing (~39 px) well beyond the 8σ boxes, so neighbours' tails do not reach a box.
            var s = Settings(false);
            s.Width = 400; s.Height = 360; s.A = new Vec2(40.3, 2.2); s.B = new Vec2(-3.1, 38.6);
            var image = PlanarLatticeSimulator.Simulate(s);
            var truth = Assert.IsType<PlanarSimulationTruth>(image.Truth);
            var px = image.PanelImages[0].Pixels;
            int w = s.Width;
            int checkedSpots = 0;
            foreach (var spot in truth.Spots)
            {
                // Spots whose 8σ box is inside the image: the box sum minus the known plane is the intensity,
                // and the intensity-weighted pixel-centre mean is the centre.
                int x0 = (int)Math.Floor(spot.X - 8 * s.SigmaX), x1 = (int)Math.Ceiling(spot.X + 8 * s.SigmaX);
                int y0 = (int)Math.Floor(spot.Y - 8 * s.SigmaY), y1 = (int)Math.Ceiling(spot.Y + 8 * s.SigmaY);
                if (x0 < 0 || y0 < 0 || x1 >= w || y1 >= s.Height) continue;
                double sum = 0, sx = 0, sy = 0;
                for (int y = y0; y <= y1; y++)
                    for (int x = x0; x <= x1; x++)
                    {
                        double bg = s.Background + s.BackgroundTiltX * (x + 0.5 - w / 2.0) + s.BackgroundTiltY * (y + 0.5 - s.Height / 2.0);
                        double v = px[y * w + x] - bg;
                        sum += v; sx += v * (x + 0.5); sy += v * (y + 0.5);
                    }
                Assert.Equal(spot.Intensity, sum, spot.Intensity * 2e-5 + 0.05);
                Assert.Equal(spot.X, sx / sum, 4);
                Assert.Equal(spot.Y, sy / sum, 4);
                checkedSpots++;
            }
            Assert.True(checkedSpots > 40, $"only {checkedSpots} spots checked");
        }

        [Fact]
        public void Truth_lists_every_lattice_point_on_the_image()
        {
            var s = Settings(true);
            var image = PlanarLatticeSimulator.Simulate(s);
            var truth = (PlanarSimulationTruth)image.Truth!;
            foreach (var spot in truth.Spots)
            {
                var expected = s.Origin + spot.H * s.A + spot.K * s.B;
                Assert.Equal(expected.X, spot.X, 12);
                Assert.Equal(expected.Y, spot.Y, 12);
                Assert.InRange(spot.X, 0, s.Width);
                Assert.InRange(spot.Y, 0, s.Height);
            }
            Assert.Equal(truth.Spots.Count, truth.Spots.Select(p => (p.H, p.K)).Distinct().Count());
            Assert.Equal(42, truth.Seed);
        }

        [Fact]
        public void Noise_is_poisson_and_the_same_at_any_thread_count()
        {
            var s = Settings(true);
            s.MaxDegreeOfParallelism = 1;
            var serial = PlanarLatticeSimulator.Simulate(s).PanelImages[0].Pixels;
            s.MaxDegreeOfParallelism = 4;
            var parallel = PlanarLatticeSimulator.Simulate(s).PanelImages[0].Pixels;
            Assert.Equal(serial, parallel);
            // Background-only corner region: variance ≈ mean (Poisson, gain 1).
            s.Intensity = 0;
            var flat = PlanarLatticeSimulator.Simulate(s);
            var v = flat.PanelImages[0].Pixels;
            double mean = v.Average(p => (double)p), variance = v.Average(p => (p - mean) * (p - mean));
            double trueMean = 15; // the tilts average out over the image
            Assert.Equal(trueMean, mean, 1);
            // Variance = Poisson mean + the spread of the tilted plane itself.
            double planeVariance = (0.02 * 0.02 * 256 * 256 + 0.01 * 0.01 * 200 * 200) / 12;
            Assert.InRange(variance / (trueMean + planeVariance), 0.97, 1.03);
            Assert.All(v, p => Assert.Equal(Math.Round(p), p));
        }

        [Fact]
        public void Gain_scales_counts_and_noise()
        {
            var s = Settings(true);
            s.Intensity = 0; s.Background = 100; s.BackgroundTiltX = 0; s.BackgroundTiltY = 0; s.Gain = 4;
            var v = PlanarLatticeSimulator.Simulate(s).PanelImages[0].Pixels;
            double mean = v.Average(p => (double)p), variance = v.Average(p => (p - mean) * (p - mean));
            Assert.Equal(100, mean, 0);
            Assert.InRange(variance / (4 * 100), 0.95, 1.05); // index of dispersion = gain
        }

        [Fact]
        public void Rejects_degenerate_lattices()
        {
            var s = Settings(false);
            s.B = new Vec2(42.6, 4.4);
            Assert.Throws<ArgumentException>(() => PlanarLatticeSimulator.Simulate(s));
        }
    }
}
