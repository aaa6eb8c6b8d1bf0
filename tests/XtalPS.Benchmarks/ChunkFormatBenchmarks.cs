using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;
using MessagePack;
using Parquet;
using XtalPS.Campaigns;
using XtalPS.Formats;
using XtalPS.Integration;

namespace XtalPS.Benchmarks
{
    /// <summary>
    /// The formats a campaign chunk could be written in, on the same reflection tables: Parquet (Zstandard — what
    /// campaigns write —, Snappy, none), MessagePack columns (the encoding of DIALS .refl files), unmerged MTZ and CSV.
    /// Time to write and to read back one chunk of 1,000 lattices (re-emitted); the file sizes, printed by the setup, are
    /// those of the campaign's own tables, each once.
    /// The tables come from a real campaign: set XTALPS_BENCH_CAMPAIGN to a complete campaign folder (Start-ProcessingJob
    /// output); its lattices are re-emitted until there are 1,000.
    /// </summary>
    [MemoryDiagnoser]
    [Config(typeof(Short))]
    public class ChunkFormatBenchmarks
    {
        private const int Lattices = 1000;
        private List<(long Id, ReflectionTable Table)> _tables = null!;
        private string _dir = null!;

        [GlobalSetup]
        public void Setup()
        {
            string campaign = Environment.GetEnvironmentVariable("XTALPS_BENCH_CAMPAIGN")
                ?? throw new InvalidOperationException("Set XTALPS_BENCH_CAMPAIGN to a complete campaign folder (the output folder of Start-ProcessingJob).");
            var source = CampaignReader.Tables(new CampaignFolder(campaign)).Select(g => g.Table).Where(t => t.Count > 0).ToList();
            if (source.Count == 0) throw new InvalidOperationException($"{campaign} holds no reflection tables.");
            // Sizes on the tables as they are (re-emitted copies would let a compressor find the repeats);
            // timings on 1,000 lattices, re-emitted.
            _tables = source.Select((t, i) => (LatticeIdentity.Of("source", i, 0), t)).ToList();
            _dir = Directory.CreateTempSubdirectory("xtalps-chunk-formats").FullName;
            long rows = _tables.Sum(t => (long)t.Table.Count);
            var sizes = new List<string>();
            foreach (var (name, write) in new (string, Func<string>)[]
            {
                ("Parquet Zstd", WriteParquetZstd), ("Parquet Snappy", WriteParquetSnappy), ("Parquet none", WriteParquetNone),
                ("MessagePack", WriteMessagePack), ("MTZ", WriteMtz), ("CSV", WriteCsv),
            })
            {
                string path = write();
                long bytes = Directory.GetFiles(_dir, Path.GetFileNameWithoutExtension(path) + "*").Sum(f => new FileInfo(f).Length);
                sizes.Add($"{name}: {bytes:N0} bytes ({(double)bytes / rows:0.0} bytes per reflection)");
            }
            Console.WriteLine($"// sizes: {source.Count} lattices, {rows:N0} reflections from {campaign}");
            foreach (var s in sizes) Console.WriteLine("// " + s);
            _tables = Enumerable.Range(0, Lattices).Select(i => (LatticeIdentity.Of("re-emitted", i, 0), source[i % source.Count])).ToList();
            foreach (var f in Directory.GetFiles(_dir)) File.Delete(f);
            WriteParquetZstd(); WriteMessagePack(); WriteMtz(); WriteCsv();
        }

        [GlobalCleanup]
        public void Cleanup() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

        private string WriteParquet(string name, CompressionMethod method)
        {
            string path = Path.Combine(_dir, name + ".reflections.parquet");
            using var stream = new FileStream(path, FileMode.Create, FileAccess.Write);
            var rows = new ReflectionRows();
            Task.Run(async () =>
            {
                await using var writer = await ParquetWriter.CreateAsync(rows.Schema, stream, new ParquetOptions { CompressionMethod = method });
                foreach (var (id, t) in _tables)
                {
                    foreach (var r in t.Reflections) rows.Add(id, r);
                    if (rows.Rows >= ChunkTables.ReflectionRowGroup) await rows.FlushAsync(writer);
                }
                await rows.FlushAsync(writer);
            }).GetAwaiter().GetResult();
            return path;
        }

        [Benchmark(Description = "write Parquet Zstd")] public string WriteParquetZstd() => WriteParquet("zstd", CompressionMethod.Zstd);
        [Benchmark(Description = "write Parquet Snappy")] public string WriteParquetSnappy() => WriteParquet("snappy", CompressionMethod.Snappy);
        [Benchmark(Description = "write Parquet none")] public string WriteParquetNone() => WriteParquet("none", CompressionMethod.None);

        [Benchmark(Description = "read Parquet Zstd")]
        public long ReadParquetZstd()
        {
            var rows = new ReflectionRows();
            long n = 0;
            foreach (int count in ChunkTables.ReadRowGroups(Path.Combine(_dir, "zstd.reflections.parquet"), rows))
                for (int i = 0; i < count; i++) n += rows.Get(i).H;
            return n;
        }

        /// <summary>Columns as MessagePack arrays in one map, as DIALS stores a reflection table (.refl).</summary>
        [Benchmark(Description = "write MessagePack")]
        public string WriteMessagePack()
        {
            string path = Path.Combine(_dir, "msgpack.refl");
            var columns = ReflectionFileColumns.All.Where(c => c.Label != "M/ISYM" && c.Label != "BATCH").ToArray();
            using var stream = new FileStream(path, FileMode.Create, FileAccess.Write);
            var writer = new MessagePackWriter(new StreamBufferWriter(stream));
            int rows = _tables.Sum(t => t.Table.Count);
            writer.WriteMapHeader(columns.Length + 1);
            writer.Write("id");
            writer.WriteArrayHeader(rows);
            foreach (var (id, t) in _tables) for (int i = 0; i < t.Count; i++) writer.Write(id);
            foreach (var c in columns)
            {
                writer.Write(c.Label.ToLowerInvariant());
                writer.WriteArrayHeader(rows);
                bool integer = c.MtzType is 'H' or 'I' or 'B' or 'Y';
                foreach (var (_, t) in _tables)
                    foreach (var r in t.Reflections) { double v = c.Get(r); if (integer) writer.Write((int)v); else writer.Write(v); }
            }
            writer.Flush();
            return path;
        }

        [Benchmark(Description = "read MessagePack")]
        public long ReadMessagePack()
        {
            var bytes = File.ReadAllBytes(Path.Combine(_dir, "msgpack.refl"));
            var reader = new MessagePackReader(bytes);
            var columns = ReflectionFileColumns.All.Where(c => c.Label != "M/ISYM" && c.Label != "BATCH").ToDictionary(c => c.Label.ToLowerInvariant());
            int n = reader.ReadMapHeader();
            Reflection[]? rows = null;
            for (int k = 0; k < n; k++)
            {
                string name = reader.ReadString()!;
                int count = reader.ReadArrayHeader();
                rows ??= Enumerable.Range(0, count).Select(_ => new Reflection()).ToArray();
                if (!columns.TryGetValue(name, out var c)) { for (int i = 0; i < count; i++) reader.ReadInt64(); continue; }
                bool integer = c.MtzType is 'H' or 'I' or 'B' or 'Y';
                for (int i = 0; i < count; i++) c.Set(rows[i], integer ? reader.ReadInt32() : reader.ReadDouble());
            }
            return rows!.Sum(r => (long)r.H);
        }

        private string WriteReflectionFile(string name)
        {
            string path = Path.Combine(_dir, name);
            using var w = ReflectionFileWriter.Create(path);
            foreach (var (_, t) in _tables) w.Add(t);
            w.Complete();
            return path;
        }

        [Benchmark(Description = "write MTZ")] public string WriteMtz() => WriteReflectionFile("mtz.mtz");
        [Benchmark(Description = "read MTZ")] public long ReadMtz() => ReflectionFileReader.Read(Path.Combine(_dir, "mtz.mtz")).Sum(t => (long)t.Count);
        [Benchmark(Description = "write CSV")] public string WriteCsv() => WriteReflectionFile("csv.csv");
        [Benchmark(Description = "read CSV")] public long ReadCsv() => ReflectionFileReader.Read(Path.Combine(_dir, "csv.csv")).Sum(t => (long)t.Count);

        /// <summary>Five iterations in this process: file formats, not nanoseconds.</summary>
        private sealed class Short : BenchmarkDotNet.Configs.ManualConfig
        {
            public Short() => AddJob(BenchmarkDotNet.Jobs.Job.Default.WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(5)
                .WithToolchain(BenchmarkDotNet.Toolchains.InProcess.Emit.InProcessEmitToolchain.Instance));
        }

        /// <summary>An IBufferWriter over a stream, for MessagePackWriter.</summary>
        private sealed class StreamBufferWriter : System.Buffers.IBufferWriter<byte>
        {
            private readonly Stream _stream;
            private byte[] _buffer = new byte[1 << 16];
            public StreamBufferWriter(Stream stream) { _stream = stream; }
            public void Advance(int count) => _stream.Write(_buffer, 0, count);
            public Memory<byte> GetMemory(int sizeHint = 0) { if (sizeHint > _buffer.Length) _buffer = new byte[sizeHint]; return _buffer; }
            public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;
        }
    }
}
