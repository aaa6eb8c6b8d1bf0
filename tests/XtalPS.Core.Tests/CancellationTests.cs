using System;
using System.Linq;
using System.Threading;
using XtalPS.Formats;
using XtalPS.Lattices;
using XtalPS.Spots;
using Xunit;

namespace XtalPS.Core.Tests
{
    /// <summary>
    /// Spot finding and indexing stop when their token is cancelled (Ctrl+C in a pipeline), instead of finishing the
    /// image in hand; a token that is never cancelled changes nothing.
    /// </summary>
    public class CancellationTests
    {
        private static readonly UnitCell Thermolysin = new UnitCell(92.9, 92.9, 130.4, 90, 90, 120);

        [Fact]
        public void Spot_finding_throws_on_a_cancelled_token_and_is_unchanged_by_a_live_one()
        {
            var image = DiffractionImageReader.ReadFrames(SharedData.File_("sim/cspad/cspad_00000.cbf")).Single();
            var settings = new SpotFindingSettings();
            var cancelled = new CancellationToken(true);
            Assert.ThrowsAny<OperationCanceledException>(() => SpotFinder.Find(image, settings, cancelled));
            Assert.ThrowsAny<OperationCanceledException>(() => SpotFinder.Find(image, settings.WithParallelism(2), cancelled));
            var plain = SpotFinder.Find(image, settings).Spots;
            var live = SpotFinder.Find(image, settings, new CancellationTokenSource().Token).Spots;
            Assert.Equal(plain.Spots.Select(s => (s.Panel, s.X, s.Y, s.Intensity)), live.Spots.Select(s => (s.Panel, s.X, s.Y, s.Intensity)));
        }

        [Fact]
        public void Indexing_throws_on_a_cancelled_token_and_is_unchanged_by_a_live_one()
        {
            var image = DiffractionImageReader.ReadFrames(SharedData.File_("real/cspad_thermolysin/idx-20130301060858801.cbf")).First();
            var spots = SpotFinder.Find(image, new SpotFindingSettings { Gain = 5.5 }).Spots;
            var settings = new IndexingSettings { UnitCell = Thermolysin, SpaceGroup = SpaceGroup.Parse("P6122") };
            Assert.ThrowsAny<OperationCanceledException>(() => CrystalIndexer.Index(spots, settings, new CancellationToken(true)));
            Assert.ThrowsAny<OperationCanceledException>(() => CrystalIndexer.Index(spots, new IndexingSettings(), new CancellationToken(true)));

            var plain = CrystalIndexer.Index(spots, settings);
            var live = CrystalIndexer.Index(spots, settings, new CancellationTokenSource().Token);
            Assert.True(plain.Success && live.Success);
            Assert.Equal(plain.Lattices[0].IndexedCount, live.Lattices[0].IndexedCount);
            Assert.Equal(plain.Lattices[0].Rmsd, live.Lattices[0].Rmsd);
        }

        [Fact]
        public void Planar_lattice_search_throws_on_a_cancelled_token()
        {
            var image = Simulation.PlanarLatticeSimulator.Simulate(new Simulation.PlanarLatticeSettings
            {
                Width = 512, Height = 512, Origin = new Geometry.Vec2(256, 256), A = new Geometry.Vec2(21, 3), B = new Geometry.Vec2(-4, 25),
                SigmaX = 2.0, SigmaY = 2.0, Intensity = 6000, Background = 30, Seed = 4,
            });
            var spots = SpotFinder.Find(image, new SpotFindingSettings()).Spots;
            Assert.ThrowsAny<OperationCanceledException>(() => PlanarLatticeSearch.Find(spots, new PlanarSearchSettings(), new CancellationToken(true)));
        }
    }
}
