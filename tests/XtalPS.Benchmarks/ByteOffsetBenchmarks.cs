using System.IO;
using System.Linq;
using BenchmarkDotNet.Attributes;
using XtalPS.Formats;

namespace XtalPS.Benchmarks
{
    /// <summary>The byte_offset decoder alone, and the trusted-range mask, on the Pilatus 6M payload.</summary>
    public class ByteOffsetBenchmarks
    {
        private byte[] _payload = null!;
        private float[] _pixels = null!;

        [GlobalSetup]
        public void Setup()
        {
            var path = Program.Data("sim/pilatus6m/still_00000.cbf");
            var file = File.ReadAllBytes(path);
            var section = CbfBinarySection.FindAll(path, file).Single();
            _payload = file.Skip(section.PayloadOffset).Take((int)section.BinarySize).ToArray();
            _pixels = new float[section.ElementCount];
        }

        [Benchmark(Description = "byte_offset decode, 6.2 Mpx")]
        public int Decode() => ByteOffsetCodec.Decode(_payload, _pixels);

        [Benchmark(Description = "trusted-range mask, 6.2 Mpx")]
        public int Mask() => CbfReader.TrustedMask(_pixels, -1, 1048500).Length;
    }
}
