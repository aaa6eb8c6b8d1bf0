using System.Linq;
using BenchmarkDotNet.Attributes;
using XtalPS.Formats;
using XtalPS.Geometry;
using XtalPS.Lattices;
using XtalPS.Simulation;
using XtalPS.Spots;

namespace XtalPS.Benchmarks
{
    /// <summary>Lattice finding from spots already found (one core).</summary>
    [MemoryDiagnoser]
    public class LatticeBenchmarks
    {
        private SpotList _planarSpots = null!;
        private SpotList _stillSpots = null!;
        private IndexingSettings _lysozyme = null!;

        [GlobalSetup]
        public void Setup()
        {
            var planar = PlanarLatticeSimulator.Simulate(new PlanarLatticeSettings
            {
                Width = 1024, Height = 1024, Origin = new Vec2(512.9, 515.6), A = new Vec2(29.01, 24.8), B = new Vec2(-10.47, 32.35),
                SigmaX = 2, SigmaY = 2.2, Intensity = 6000, Background = 30, Seed = 1,
            });
            _planarSpots = SpotFinder.Find(planar, new SpotFindingSettings()).Spots;
            var still = DiffractionImageReader.ReadFrames(Program.Data("sim/single1024/still_00000.cbf")).Single();
            _stillSpots = SpotFinder.Find(still, new SpotFindingSettings()).Spots;
            _lysozyme = new IndexingSettings { UnitCell = new UnitCell(79.1, 79.1, 37.9, 90, 90, 90), SpaceGroup = SpaceGroup.Parse("P 43 21 2") };
        }

        [Benchmark(Description = "Planar lattice search, 1024² image (~730 spots)")]
        public double Planar() => PlanarLatticeSearch.Find(_planarSpots, new PlanarSearchSettings()).Rmsd;

        [Benchmark(Description = "Known-cell indexing, lysozyme still (324 spots)")]
        public int KnownCell() => CrystalIndexer.Index(_stillSpots, _lysozyme).IndexedCount;
    }
}
