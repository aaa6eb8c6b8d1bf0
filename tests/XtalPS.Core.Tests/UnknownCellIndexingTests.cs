using System;
using System.Diagnostics;
using System.Linq;
using XtalPS.Formats;
using XtalPS.Geometry;
using XtalPS.Lattices;
using XtalPS.Spots;
using Xunit;
using Xunit.Abstractions;

namespace XtalPS.Core.Tests
{
    /// <summary>Indexing stills without a known cell (DPS 1D-FFT search, P 1, Niggli setting), checked against the simulations' truth.</summary>
    public class UnknownCellIndexingTests
    {
        private readonly ITestOutputHelper _out;
        public UnknownCellIndexingTests(ITestOutputHelper output) { _out = output; }

        /// <summary>The Niggli cell of the true lattice.</summary>
        internal static UnitCell TrueNiggli(UnitCell cell) => NiggliReduction.Reduce(cell);

        internal static bool SameCell(UnitCell a, UnitCell b, double lengthTolerance, double angleTolerance) =>
            Math.Abs(a.A / b.A - 1) <= lengthTolerance && Math.Abs(a.B / b.B - 1) <= lengthTolerance && Math.Abs(a.C / b.C - 1) <= lengthTolerance &&
            Math.Abs(a.Alpha - b.Alpha) <= angleTolerance && Math.Abs(a.Beta - b.Beta) <= angleTolerance && Math.Abs(a.Gamma - b.Gamma) <= angleTolerance;

        [Theory]
        [InlineData("sim/single1024/still_00000")]
        [InlineData("sim/single1024/still_00001")]
        [InlineData("sim/single1024/still_00002")]
        [InlineData("sim/single1024/still_00003")]
        public void Single1024StillsIndexWithoutACell(string name)
        {
            var (spots, truth) = CrystalIndexerTests.Load(name);
            var sw = Stopwatch.StartNew();
            var result = CrystalIndexer.Index(spots, new IndexingSettings());
            sw.Stop();
            _out.WriteLine($"{name}: {spots.Count} spots, {sw.ElapsedMilliseconds} ms: {result}");
            Assert.True(result.Success, result.ToString());
            var lattice = result.Lattices[0];
            var expected = TrueNiggli(truth.Cell);
            _out.WriteLine($"cell {lattice.UnitCell}, true Niggli {expected}");
            Assert.True(SameCell(lattice.UnitCell, expected, 0.01, 1.0), $"{lattice.UnitCell} vs {expected}");
            Assert.Equal("P 1", lattice.SpaceGroup);
            // The P 1 lattice is the true one: every indexed spot's r = A·h is a reciprocal-lattice point of the truth.
            var truthInverse = truth.A.Inverse();
            int integral = lattice.IndexedSpots.Count(s =>
            {
                var f = truthInverse * (lattice.AMatrix * new Vec3(s.H, s.K, s.L));
                return Math.Abs(f.X - Math.Round(f.X)) < 0.05 && Math.Abs(f.Y - Math.Round(f.Y)) < 0.05 && Math.Abs(f.Z - Math.Round(f.Z)) < 0.05;
            });
            Assert.True(integral >= 0.98 * lattice.IndexedCount, $"{integral} of {lattice.IndexedCount}");
            Assert.True(lattice.IndexedCount >= 0.6 * spots.Count, $"{lattice.IndexedCount} of {spots.Count}");
            Assert.True(lattice.Rmsd < 0.6, $"RMSD {lattice.Rmsd}");
        }
    
        [Theory]
        [InlineData(0)]
        [InlineData(1)]
        [InlineData(2)]
        [InlineData(3)]
        [InlineData(4)]
        [InlineData(5)]
        [InlineData(6)]
        [InlineData(7)]
        public void SimulatedCspadStillsIndexWithoutACellOnTheNominalGeometry(int k)
        {
            string name = $"sim/cspad/cspad_{k:D5}";
            var image = DiffractionImageReader.ReadFrames(SharedData.File_(name + ".cbf")).First();
            var truth = StillTruth.Load(name + ".json");
            var spots = SpotFinder.Find(image, new SpotFindingSettings()).Spots;
            var sw = Stopwatch.StartNew();
            var result = CrystalIndexer.Index(spots, new IndexingSettings());
            sw.Stop();
            _out.WriteLine($"{name}: {spots.Count} spots, {sw.ElapsedMilliseconds} ms: {result}");
            Assert.True(result.Success, result.ToString());
            var lattice = result.Lattices[0];
            var expected = TrueNiggli(truth.Cell);
            Assert.True(SameCell(lattice.UnitCell, expected, 0.01, 1.0), $"{lattice.UnitCell} vs {expected}");
            Assert.True(lattice.IndexedCount >= 0.9 * spots.Count, $"{lattice.IndexedCount} of {spots.Count}");
        }
    }
}
