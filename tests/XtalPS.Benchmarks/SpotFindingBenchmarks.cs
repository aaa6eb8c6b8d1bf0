using System.Linq;
using BenchmarkDotNet.Attributes;
using XtalPS.Formats;
using XtalPS.Imaging;
using XtalPS.Spots;

namespace XtalPS.Benchmarks
{
    /// <summary>Spot finding on decoded pixels, one core (MaxDegreeOfParallelism 1) and both cores.</summary>
    [MemoryDiagnoser]
    public class SpotFindingBenchmarks
    {
        private DiffractionImage _pilatus6M = null!;
        private DiffractionImage _single1024 = null!;
        private DiffractionImage _cspad = null!;

        [GlobalSetup]
        public void Setup()
        {
            _pilatus6M = DiffractionImageReader.ReadFrames(Program.Data("sim/pilatus6m/still_00000.cbf")).Single();
            _single1024 = DiffractionImageReader.ReadFrames(Program.Data("sim/single1024/still_00000.cbf")).Single();
            _cspad = DiffractionImageReader.ReadFrames(Program.Data("sim/cspad/cspad_00000.cbf")).Single();
        }

        [Params(1, 2)] public int Threads { get; set; }

        [Benchmark(Description = "DispersionExtended Pilatus 6M")]
        public int ExtendedPilatus6M() => SpotFinder.Find(_pilatus6M, new SpotFindingSettings { MaxDegreeOfParallelism = Threads }).Spots.Count;

        [Benchmark(Description = "Dispersion Pilatus 6M")]
        public int DispersionPilatus6M() => SpotFinder.Find(_pilatus6M, new SpotFindingSettings { Algorithm = SpotAlgorithm.Dispersion, MaxDegreeOfParallelism = Threads }).Spots.Count;

        [Benchmark(Description = "DispersionExtended CSPAD 64 ASICs")]
        public int ExtendedCspad() => SpotFinder.Find(_cspad, new SpotFindingSettings { MaxDegreeOfParallelism = Threads }).Spots.Count;

        [Benchmark(Description = "DispersionExtended 1024x1024")]
        public int ExtendedSingle1024() => SpotFinder.Find(_single1024, new SpotFindingSettings { MaxDegreeOfParallelism = Threads }).Spots.Count;
    }
}
