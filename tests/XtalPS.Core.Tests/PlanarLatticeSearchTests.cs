using System;
using System.Linq;
using XtalPS.Geometry;
using XtalPS.Lattices;
using XtalPS.Simulation;
using XtalPS.Spots;
using Xunit;
using Xunit.Abstractions;

namespace XtalPS.Core.Tests
{
    public class PlanarLatticeSearchTests
    {
        private readonly ITestOutputHelper _out;
        public PlanarLatticeSearchTests(ITestOutputHelper output) { _out = output; }

        public static TheoryData<double, double, double, double, double, double, int> Lattices => new TheoryData<double, double, double, double, double, double, int>
        {
            // origin x, y; a; b (px); seed — including the shape of the shared lattice2d truth (a* 38 px, b* 34 px, γ 67°).
            { 512.93, 515.60, 29.013, 24.797, -10.468, 32.351, 1 },
            { 500.3, 520.8, 21.7, 3.2, -4.1, 23.9, 2 },
            { 511.1, 509.4, 40.2, 0.0, 20.1, 34.8, 3 },   // hexagonal
            { 498.6, 530.2, 15.5, -1.5, 2.0, 31.0, 4 },   // rectangular, unequal
        };

        [Theory]
        [MemberData(nameof(Lattices))]
        public void Recovers_the_true_basis_and_origin(double ox, double oy, double ax, double ay, double bx, double by, int seed)
        {
            var s = new PlanarLatticeSettings
            {
                Width = 1024, Height = 1024, Origin = new Vec2(ox, oy), A = new Vec2(ax, ay), B = new Vec2(bx, by),
                SigmaX = 2.0, SigmaY = 2.2, Intensity = 6000, Background = 30, Seed = seed,
            };
            var image = PlanarLatticeSimulator.Simulate(s);
            var spots = SpotFinder.Find(image, new SpotFindingSettings()).Spots;
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var lattice = PlanarLatticeSearch.Find(spots, new PlanarSearchSettings());
            sw.Stop();
            _out.WriteLine($"{spots.Count} spots, indexed {lattice.IndexedCount}, rmsd {lattice.Rmsd:0.000}, a {lattice.A} b {lattice.B} (truth {s.A} {s.B}), origin {lattice.Origin}, {sw.Elapsed.TotalMilliseconds:0.0} ms");
            // The same lattice: each true basis vector is an integer combination of ours to within 0.02 px, and
            // the cells have the same area (a reduced basis is unique only up to sign and ties).
            AssertSameLattice(lattice.A, lattice.B, s.A, s.B, 0.02);
            Assert.True((lattice.Origin - s.Origin).Length < 0.05, $"origin {lattice.Origin} vs {s.Origin}");
            Assert.True(lattice.IndexedCount > 0.9 * spots.Count);
        }

        [Theory]
        [InlineData("sim/lattice2d/lattice2d_00000")]
        [InlineData("sim/lattice2d/lattice2d_00001")]
        [InlineData("sim/lattice2d/lattice2d_00002")]
        public void Shared_lattice2d_images_give_the_true_lattice(string name)
        {
            using var truth = SharedData.Json(name + ".json");
            var l = truth.RootElement.GetProperty("lattice");
            Vec2 V(string key) => new Vec2(l.GetProperty(key)[0].GetDouble(), l.GetProperty(key)[1].GetDouble());
            foreach (var ext in new[] { ".mrc", ".tif" })
            {
                var image = XtalPS.Formats.DiffractionImageReader.ReadFrames(SharedData.File_(name + ext)).Single();
                var spots = SpotFinder.Find(image, new SpotFindingSettings()).Spots;
                var lattice = PlanarLatticeSearch.Find(spots, new PlanarSearchSettings());
                _out.WriteLine($"{name}{ext}: {lattice.Summary}, {lattice.IndexedCount}/{spots.Count}, origin error {(lattice.Origin - V("origin_px")).Length:0.0000} px");
                AssertSameLattice(lattice.A, lattice.B, V("astar_px"), V("bstar_px"), 0.02);
                Assert.True((lattice.Origin - V("origin_px")).Length < 0.05, $"origin {lattice.Origin} vs {V("origin_px")}");
            }
        }

        private static void AssertSameLattice(Vec2 a, Vec2 b, Vec2 ta, Vec2 tb, double tolerance)
        {
            double det = a.Cross(b);
            foreach (var t in new[] { ta, tb })
            {
                double h = Math.Round(t.Cross(b) / det), k = Math.Round(a.Cross(t) / det);
                var miss = t - (h * a + k * b);
                Assert.True(miss.Length < tolerance, $"true vector {t} is {miss.Length:0.0000} px from the found lattice ({a}, {b})");
            }
            Assert.Equal(Math.Abs(ta.Cross(tb)), Math.Abs(det), Math.Abs(det) * 1e-3);
        }

        [Fact]
        public void Hand_seeded_lattice_is_refined()
        {
            var s = new PlanarLatticeSettings { Width = 512, Height = 512, Origin = new Vec2(250.2, 260.7), A = new Vec2(22.1, 1.3), B = new Vec2(-2.2, 24.6), Seed = 7 };
            var spots = SpotFinder.Find(PlanarLatticeSimulator.Simulate(s), new SpotFindingSettings()).Spots;
            var lattice = PlanarLatticeSearch.Find(spots, new PlanarSearchSettings { Origin = new Vec2(250, 261), A = new Vec2(22, 1.5), B = new Vec2(-2, 24.5) });
            Assert.True((lattice.A - s.A).Length < 0.03);
            Assert.True((lattice.Origin - s.Origin).Length < 0.1);
        }

        [Fact]
        public void Barrel_distortion_is_fitted_when_asked()
        {
            // Draw a distorted lattice by hand from the model l = o + D·v, then search with -FitDistortion.
            var truth = new PlanarLattice(new Vec2(512.4, 511.7), new Vec2(30.2, 2.1), new Vec2(-3.3, 28.8), barrelDistortion: 8e-8, spiralDistortion: -3e-8);
            // The distortion is centred on lattice point (0,0), the direct beam: give the image that beam centre.
            var image = PlanarLatticeSimulator.Simulate(new PlanarLatticeSettings { Width = 1024, Height = 1024, Noise = false, Intensity = 0, Origin = truth.Origin, A = new Vec2(50, 0), B = new Vec2(0, 50) });
            var spots = truth.PredictOnImage(1024, 1024, 5).Select(p => new BraggSpot(0, p.X, p.Y, 0.1, 0.1, 1000, 1000, 9, 0, 0, 0, 0, 100)).ToArray();
            var list = new SpotList(image, spots);
            var seed = new PlanarSearchSettings { A = new Vec2(30, 2), B = new Vec2(-3.3, 29), MaxRmsd = 100 };
            var plain = PlanarLatticeSearch.Find(list, seed);
            var fitted = PlanarLatticeSearch.Find(list, new PlanarSearchSettings { A = seed.A, B = seed.B, FitDistortion = true });
            _out.WriteLine($"plain rmsd {plain.Rmsd:0.0000}, with distortion {fitted.Rmsd:0.000000}, Kb {fitted.BarrelDistortion:E3}");
            Assert.True(fitted.Rmsd < 1e-4);
            Assert.Equal(8e-8, fitted.BarrelDistortion, 1e-11);
            Assert.Equal(-3e-8, fitted.SpiralDistortion, 1e-11);
            Assert.True(plain.Rmsd > 0.05);
        }

        [Fact]
        public void Noise_without_a_lattice_is_refused_with_a_reason()
        {
            var rng = new Random(3);
            var image = PlanarLatticeSimulator.Simulate(new PlanarLatticeSettings { Width = 512, Height = 512, Noise = false, A = new Vec2(50, 0), B = new Vec2(0, 50) });
            var spots = Enumerable.Range(0, 80).Select(_ => new BraggSpot(0, rng.NextDouble() * 512, rng.NextDouble() * 512, 0.1, 0.1, 100, 100, 5, 0, 0, 0, 0, 10)).ToArray();
            var e = Assert.Throws<LatticeSearchException>(() => PlanarLatticeSearch.Find(new SpotList(image, spots), new PlanarSearchSettings()));
            _out.WriteLine(e.ErrorId + ": " + e.Message);
            var few = new SpotList(image, spots.Take(3));
            Assert.Equal("TooFewSpots", Assert.Throws<LatticeSearchException>(() => PlanarLatticeSearch.Find(few, new PlanarSearchSettings())).ErrorId);
        }
    }
}
