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

        private static void CheckConsensus(UnitCellSummary summary, UnitCell truth, string symbol, ITestOutputHelper output)
        {
            output.WriteLine(summary.ToString());
            Assert.Contains(summary.BravaisCandidates, c => c.Symbol == symbol);
            Assert.Equal(symbol, summary.BestBravais.Symbol);
            // The conventional cell of the best candidate is the true cell (edges within 1 %, angles within 1°).
            var conventional = summary.BestBravais.IdealCell;
            Assert.True(SameCell(conventional, truth, 0.01, 1.0), $"{conventional} vs {truth}");
            // The consensus is a primitive cell of the true lattice: volume per lattice point.
            int points = symbol[1] == 'P' ? 1 : symbol[1] == 'F' ? 4 : symbol[1] == 'R' ? 3 : 2;
            Assert.True(Math.Abs(summary.ConsensusCell.Volume * points / truth.Volume - 1) < 0.02, $"{summary.ConsensusCell} vs {truth}");
        }

        [Fact]
        public void TheConsensusOfTheSingle1024StillsIsTheLysozymeCellWithTetragonalSymmetry()
        {
            var lattices = Enumerable.Range(0, 4).Select(i => CrystalIndexer.Index(CrystalIndexerTests.Load($"sim/single1024/still_{i:D5}").Spots, new IndexingSettings()))
                .Select(r => { Assert.True(r.Success, r.ToString()); return r.Lattices[0]; }).ToList();
            var summary = UnitCellClustering.Summarize(lattices);
            Assert.Equal(4, summary.ClusterSize);
            Assert.Equal(4, summary.Lattices.Count);
            CheckConsensus(summary, new UnitCell(79.1, 79.1, 37.9, 90, 90, 90), "tP", _out);
            Assert.Equal(79.1, summary.BestBravais.IdealCell.A, 0.8);
            Assert.Equal(37.9, summary.BestBravais.IdealCell.C, 0.4);
        }

        [Fact]
        public void TheConsensusOfTheCspadStillsIsTheLysozymeCellWithTetragonalSymmetry()
        {
            var lattices = Enumerable.Range(0, 8).Select(k =>
            {
                var image = DiffractionImageReader.ReadFrames(SharedData.File_($"sim/cspad/cspad_{k:D5}.cbf")).First();
                var r = CrystalIndexer.Index(SpotFinder.Find(image, new SpotFindingSettings()).Spots, new IndexingSettings());
                Assert.True(r.Success, r.ToString());
                return r.Lattices[0];
            }).ToList();
            var summary = UnitCellClustering.Summarize(lattices);
            Assert.Equal(8, summary.ClusterSize);
            CheckConsensus(summary, new UnitCell(79.1, 79.1, 37.9, 90, 90, 90), "tP", _out);
        }

        [Theory]
        [InlineData("oP", 41.3, 58.7, 87.2, 90, 90, 90, "P 21 21 21")]
        [InlineData("mC", 96.4, 58.2, 47.1, 90, 106.3, 90, "C 1 2 1")]
        public void ASimulatedSeriesOfRandomOrientationsRecoversTheCellAndTheBravaisLattice(string symbol, double a, double b, double c, double al, double be, double ga, string group)
        {
            var cell = new UnitCell(a, b, c, al, be, ga);
            var lattices = new System.Collections.Generic.List<CrystalLattice>();
            var times = new System.Collections.Generic.List<long>();
            for (int seed = 1; seed <= 10; seed++)
            {
                var image = Simulation.CrystalStillSimulator.Simulate(new Simulation.CrystalStillSettings
                {
                    UnitCell = cell, SpaceGroup = SpaceGroup.Parse(group), Orientation = Simulation.CrystalStillSimulator.RandomOrientation(seed), Seed = seed,
                });
                var spots = SpotFinder.Find(image, new SpotFindingSettings()).Spots;
                var sw = Stopwatch.StartNew();
                var r = CrystalIndexer.Index(spots, new IndexingSettings());
                times.Add(sw.ElapsedMilliseconds);
                _out.WriteLine($"seed {seed}: {spots.Count} spots: {r}");
                if (r.Success) lattices.Add(r.Lattices[0]);
            }
            _out.WriteLine($"ms per still: {string.Join(", ", times)}");
            Assert.True(lattices.Count >= 9, $"{lattices.Count} of 10 indexed");
            var summary = UnitCellClustering.Summarize(lattices);
            Assert.True(summary.ClusterSize >= 9, summary.ToString());
            CheckConsensus(summary, cell, symbol, _out);
        }
    }
}
