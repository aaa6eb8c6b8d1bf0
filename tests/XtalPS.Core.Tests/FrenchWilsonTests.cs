using System;
using XtalPS.Merging;
using Xunit;

namespace XtalPS.Core.Tests
{
    /// <summary>French–Wilson amplitudes: the limits the posterior must reach.</summary>
    public sealed class FrenchWilsonTests
    {
        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void Strong_intensities_give_the_square_root_and_its_propagated_error(bool centric)
        {
            FrenchWilson.Posterior(10000, 100, 5000, centric, out double f, out double sigF);
            Assert.InRange(f / 100, 0.99, 1.01);
            Assert.InRange(sigF / (100 / (2 * 100.0)), 0.9, 1.1);   // σ_F ≈ σ_I / (2F)
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void Weak_and_negative_intensities_keep_small_positive_amplitudes_in_order(bool centric)
        {
            double last = 0;
            foreach (double i in new[] { -300.0, -100, 0, 100, 300, 1000 })
            {
                FrenchWilson.Posterior(i, 100, 1000, centric, out double f, out double sigF);
                Assert.True(f > 0 && sigF > 0, $"I {i}: F {f}, SIGF {sigF}");
                Assert.True(f > last, $"F must grow with I: {f} after {last}");
                Assert.True(f < Math.Sqrt(Math.Max(i, 0) + 3 * 100), $"I {i}: F {f}");
                last = f;
            }
        }

        [Fact]
        public void Amplitudes_of_a_merged_set_follow_its_intensities()
        {
            var m = new MergedReflections(300) { SpaceGroup = XtalPS.Lattices.SpaceGroup.Parse("P 43 21 2"), Cell = new XtalPS.Lattices.UnitCell(79.1, 79.1, 37.9, 90, 90, 90) };
            var rng = new Random(4);
            for (int r = 0; r < m.Count; r++)
            {
                m.H[r] = 1 + r % 20; m.K[r] = r % 7; m.L[r] = 1 + r % 9; m.D[r] = 2 + r % 10;
                m.Intensity[r] = -1000 * Math.Log(1 - rng.NextDouble()); m.Sigma[r] = 30;
            }
            m.Intensity[0] = double.NaN;
            FrenchWilson.Amplitudes(m, out var f, out var sigF);
            Assert.True(double.IsNaN(f[0]) && double.IsNaN(sigF[0]));
            for (int r = 1; r < m.Count; r++)
            {
                Assert.True(f[r] > 0 && sigF[r] > 0);
                if (m.Intensity[r] > 300) Assert.InRange(f[r] / Math.Sqrt(m.Intensity[r]), 0.97, 1.03);
            }
        }
    }
}
