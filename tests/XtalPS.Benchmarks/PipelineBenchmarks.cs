using System.IO;
using System.Linq;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using XtalPS.Imaging;
using XtalPS.Integration;
using XtalPS.Lattices;
using XtalPS.Spots;

namespace XtalPS.Benchmarks
{
    /// <summary>
    /// The stills pipeline on the simulated CSPAD stills (../shared/data/sim/cspad): each stage on one core from the
    /// previous stage's output held in memory, and the whole pipeline per frame with 1 or 2 frames in flight.
    /// Steady state (BenchmarkDotNet's warm-up lets the JIT finish); <see cref="PipelineFirstImageBenchmarks"/> is the cold cost.
    /// </summary>
    [MemoryDiagnoser]
    public class PipelineBenchmarks
    {
        private string[] _files = null!;
        private byte[][] _bytes = null!;
        private DiffractionImage[] _images = null!;
        private SpotList[] _spots = null!;
        private CrystalLattice[] _lattices = null!;
        private ReflectionTable[] _tables = null!;
        private readonly StillsPipeline _pipeline = new StillsPipeline();

        [GlobalSetup]
        public void Setup()
        {
            _files = StillsPipeline.Files(Program.Data("sim/cspad"));
            _bytes = _files.Select(File.ReadAllBytes).ToArray();
            _images = _files.Select((f, i) => StillsPipeline.Decode(f, _bytes[i])).ToArray();
            _spots = _images.Select(_pipeline.FindSpots).ToArray();
            _lattices = _spots.Select(s => _pipeline.Index(s)!).ToArray();
            _tables = _images.Select((im, i) => _pipeline.Integrate(im, _lattices[i])).ToArray();
        }

        /// <summary>Per frame: every stage costs the sum over the files divided by the file count.</summary>
        private int Frames => _files.Length;

        [Benchmark(Description = "decode CSPAD imgCIF (per frame)")]
        public int Decode()
        {
            int n = 0;
            for (int i = 0; i < Frames; i++) n += StillsPipeline.Decode(_files[i], _bytes[i]).PanelCount;
            return n;
        }

        [Benchmark(Description = "Find-BraggSpot (per frame)")]
        public int Spots()
        {
            int n = 0;
            for (int i = 0; i < Frames; i++) n += _pipeline.FindSpots(_images[i]).Count;
            return n;
        }

        [Benchmark(Description = "Get-Lattice known cell (per frame)")]
        public int Index()
        {
            int n = 0;
            for (int i = 0; i < Frames; i++) n += _pipeline.Index(_spots[i])?.IndexedCount ?? 0;
            return n;
        }

        [Benchmark(Description = "Invoke-PeakIntegration Summation (per frame)")]
        public int Integrate()
        {
            int n = 0;
            for (int i = 0; i < Frames; i++) n += _pipeline.Integrate(_images[i], _lattices[i]).Count;
            return n;
        }

        [Benchmark(Description = "MTZ rows (per frame)")]
        public long Mtz()
        {
            using var mtz = new Formats.MtzWriter(Path.Combine(Path.GetTempPath(), "xtalps-bench.mtz"));
            for (int i = 0; i < Frames; i++) mtz.Add(_tables[i]);
            return mtz.RowCount;
        }

        [Params(1, 2)] public int Threads { get; set; }

        [Benchmark(Description = "whole pipeline, bytes to MTZ rows (per frame)")]
        public long EndToEnd()
        {
            var tables = new ReflectionTable?[Frames];
            Parallel.For(0, Frames, new ParallelOptions { MaxDegreeOfParallelism = Threads }, i => tables[i] = _pipeline.Run(_files[i], _bytes[i], null));
            using var mtz = new Formats.MtzWriter(Path.Combine(Path.GetTempPath(), "xtalps-bench-e2e.mtz"));
            foreach (var t in tables) if (t != null) mtz.Add(t);
            return mtz.RowCount;
        }

        // BenchmarkDotNet reports per invocation; each invocation is Frames frames.
        [GlobalCleanup] public void Cleanup() => System.Console.WriteLine($"// each invocation processes {Frames} frames: divide by {Frames} for ms/frame");
    }

    /// <summary>The first image in a fresh process: every stage once, unoptimised code included (cold start).</summary>
    [SimpleJob(RunStrategy.ColdStart, launchCount: 5, warmupCount: 0, iterationCount: 1)]
    public class PipelineFirstImageBenchmarks
    {
        private string _file = null!;
        private byte[] _bytes = null!;

        [GlobalSetup]
        public void Setup()
        {
            _file = StillsPipeline.Files(Program.Data("sim/cspad"))[0];
            _bytes = File.ReadAllBytes(_file);
        }

        [Benchmark(Description = "first CSPAD still, bytes to reflections")]
        public int FirstImage() => new StillsPipeline().Run(_file, _bytes, null)?.Count ?? 0;
    }
}
