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
    public class CrystalStillSimulatorTests
    {
        private readonly ITestOutputHelper _out;
        public CrystalStillSimulatorTests(ITestOutputHelper output) { _out = output; }

        [Fact]
        public void NoiseFreeSpotsSitAtTheirPredictionsAndHoldTheirIntensity()
        {
            var s = new CrystalStillSettings { Orientation = CrystalStillSimulator.RandomOrientation(3), Noise = false, Background = 0, DMin = 2.5 };
            var image = CrystalStillSimulator.Simulate(s);
            var truth = Assert.IsType<CrystalSimulationTruth>(image.Truth);
            Assert.True(truth.Reflections.Count > 100, $"{truth.Reflections.Count} reflections");
            Assert.All(truth.Reflections, r => Assert.False(s.SpaceGroup.IsAbsent(r.H, r.K, r.L)));
            Assert.All(truth.Reflections, r => Assert.True(r.D >= 2.5 - 1e-9));
            // Truth positions are the stills predictions of the true lattice.
            var lattice = truth.ToLattice(image.Detector, image.Beam);
            foreach (var r in truth.Reflections.Take(50))
            {
                Assert.True(lattice.TryPredict(r.H, r.K, r.L, out var p));
                Assert.Equal(r.X, p.X, 9); Assert.Equal(r.Y, p.Y, 9);
            }
            // The image holds exactly the drawn photons, and an isolated bright spot's centroid is its centre.
            double sum = image.PanelImages[0].Pixels.Sum(v => (double)v);
            Assert.Equal(truth.Reflections.Sum(r => r.IntensityInImage), sum, 0);
            var spots = SpotFinder.Find(image, new SpotFindingSettings { Gain = 1 }).Spots;
            var isolated = truth.Reflections.Where(r => r.Intensity > 200 && r.X > 10 && r.Y > 10 && r.X < 1014 && r.Y < 1014 &&
                truth.Reflections.All(o => o == r || Math.Abs(o.X - r.X) + Math.Abs(o.Y - r.Y) > 15)).ToList();
            Assert.True(isolated.Count > 10);
            foreach (var r in isolated)
            {
                var sp = spots.Spots.OrderBy(q => Math.Abs(q.X - r.X) + Math.Abs(q.Y - r.Y)).First();
                Assert.True(Math.Abs(sp.X - r.X) < 0.05 && Math.Abs(sp.Y - r.Y) < 0.05, $"spot {sp} vs truth {r}");
            }
            // Symmetry-equivalent reflections get the same full intensity.
            var byAsu = truth.Reflections.GroupBy(r => s.SpaceGroup.MapToAsymmetricUnit(r.H, r.K, r.L)).Where(g => g.Count() > 1).ToList();
            foreach (var g in byAsu) Assert.All(g, r => Assert.Equal(g.First().FullIntensity, r.FullIntensity, 9));
        }

        [Fact]
        public void SimulatedStillsIndexBackToTheirOrientation()
        {
            var group = SpaceGroup.Parse("P 21 21 21");
            var cell = new UnitCell(52.3, 61.7, 88.9, 90, 90, 90);
            for (int seed = 1; seed <= 3; seed++)
            {
                var u = CrystalStillSimulator.RandomOrientation(seed);
                var image = CrystalStillSimulator.Simulate(new CrystalStillSettings { UnitCell = cell, SpaceGroup = group, Orientation = u, Seed = seed, DMin = 2.0 });
                var spots = SpotFinder.Find(image, new SpotFindingSettings()).Spots;
                var result = CrystalIndexer.Index(spots, new IndexingSettings { UnitCell = cell, SpaceGroup = group });
                Assert.True(result.Success, result.ToString());
                var truth = (CrystalSimulationTruth)image.Truth!;
                double mis = CrystalOrientation.MisorientationDegrees(result.Lattices[0].AMatrix, truth.AMatrix, group);
                _out.WriteLine($"seed {seed}: {spots.Count} spots, {result.Lattices[0].IndexedCount} indexed, RMSD {result.Lattices[0].Rmsd:0.###} px, misorientation {mis:0.0000}°, cell {result.Lattices[0].UnitCell}");
                Assert.True(mis < 0.05, $"misorientation {mis}");
                Assert.True(result.Lattices[0].Rmsd < 0.3);
            }
        }

        [Fact]
        public void TwoCrystalsOnOneStillGiveTwoLattices()
        {
            var group = SpaceGroup.Parse("P 43 21 2");
            var cell = new UnitCell(79.1, 79.1, 37.9, 90, 90, 90);
            var u1 = CrystalStillSimulator.RandomOrientation(11); var u2 = CrystalStillSimulator.RandomOrientation(12);
            var a = CrystalStillSimulator.Simulate(new CrystalStillSettings { Orientation = u1, Noise = false, Background = 0 });
            var b = CrystalStillSimulator.Simulate(new CrystalStillSettings { Orientation = u2, Noise = false, Background = 0 });
            var sum = a.PanelImages[0].Pixels.Zip(b.PanelImages[0].Pixels, (x, y) => x + y + 10f).ToArray();
            var rng = RandomSource.ForStream(5, 1);
            for (int i = 0; i < sum.Length; i++) sum[i] = rng.NextPoisson(sum[i]);
            var image = a.WithPanelImages(new[] { new Imaging.PanelImage(0, 1024, 1024, sum) });
            var spots = SpotFinder.Find(image, new SpotFindingSettings()).Spots;
            var result = CrystalIndexer.Index(spots, new IndexingSettings { UnitCell = cell, SpaceGroup = group, MaxLattices = 3 });
            _out.WriteLine(result.ToString());
            Assert.True(result.Lattices.Count >= 2, result.ToString());
            var a1 = u1 * cell.BMatrix; var a2 = u2 * cell.BMatrix;
            Assert.Contains(result.Lattices, l => CrystalOrientation.MisorientationDegrees(l.AMatrix, a1, group) < 0.05);
            Assert.Contains(result.Lattices, l => CrystalOrientation.MisorientationDegrees(l.AMatrix, a2, group) < 0.05);
        }

        [Fact]
        public void FailuresAreReportedWithAReason()
        {
            var image = CrystalStillSimulator.Simulate(new CrystalStillSettings { Orientation = CrystalStillSimulator.RandomOrientation(2) });
            var spots = SpotFinder.Find(image, new SpotFindingSettings()).Spots;
            var few = new SpotList(image, spots.Spots.Take(10));
            var r = CrystalIndexer.Index(few, new IndexingSettings { UnitCell = new UnitCell(79.1, 79.1, 37.9, 90, 90, 90), SpaceGroup = SpaceGroup.Parse("P43212") });
            Assert.Equal(IndexingFailure.TooFewSpots, r.Failure);
            Assert.False(r.Success);
            // A wrong cell does not index.
            var wrong = CrystalIndexer.Index(spots, new IndexingSettings { UnitCell = new UnitCell(61, 61, 97, 90, 90, 90), SpaceGroup = SpaceGroup.Parse("P43212"), Retries = 1 });
            _out.WriteLine(wrong.ToString());
            Assert.False(wrong.Success);
            Assert.NotEqual(IndexingFailure.None, wrong.Failure);
            Assert.False(string.IsNullOrEmpty(wrong.Message));
            Assert.Throws<ArgumentException>(() => CrystalIndexer.Index(spots, new IndexingSettings { UnitCell = new UnitCell(50, 60, 70, 90, 90, 90), SpaceGroup = SpaceGroup.Parse("P43212") }));
            // Without a cell the lattice is indexed in P 1; a space group without a cell is refused.
            Assert.Throws<ArgumentException>(() => CrystalIndexer.Index(spots, new IndexingSettings { SpaceGroup = SpaceGroup.Parse("P43212") }));
        }
    }
}
