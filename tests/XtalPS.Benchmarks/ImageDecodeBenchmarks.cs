using System.IO;
using System.Linq;
using BenchmarkDotNet.Attributes;
using XtalPS.Formats;

namespace XtalPS.Benchmarks
{
    /// <summary>Decode cost per frame, pixels from bytes already in memory (one core).</summary>
    [MemoryDiagnoser]
    public class ImageDecodeBenchmarks
    {
        private byte[] _pilatus6M = null!;
        private byte[] _single1024 = null!;
        private string _pilatusPath = null!, _singlePath = null!, _cspadPath = null!;
        private byte[] _cspad = null!;

        [GlobalSetup]
        public void Setup()
        {
            _pilatusPath = Program.Data("sim/pilatus6m/still_00000.cbf");
            _singlePath = Program.Data("sim/single1024/still_00000.cbf");
            _pilatus6M = File.ReadAllBytes(_pilatusPath);
            _single1024 = File.ReadAllBytes(_singlePath);
            _cspadPath = Program.Data("sim/cspad/cspad_00000.cbf");
            _cspad = File.ReadAllBytes(_cspadPath);
        }

        [Benchmark(Description = "miniCBF byte_offset Pilatus 6M (2463x2527)")]
        public int Pilatus6M() => CbfReader.Read(_pilatusPath, _pilatus6M).PanelImages[0].Width;

        [Benchmark(Description = "imgCIF CSPAD 64 ASICs, packed")]
        public int Cspad() => CbfReader.Read(_cspadPath, _cspad).PanelCount;

        [Benchmark(Description = "miniCBF byte_offset 1024x1024")]
        public int Single1024() => CbfReader.Read(_singlePath, _single1024).PanelImages[0].Width;
    }
}
