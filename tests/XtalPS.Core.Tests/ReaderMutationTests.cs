using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using XtalPS.Formats;
using XtalPS.Geometry;
using XtalPS.Imaging;
using XtalPS.Integration;
using XtalPS.Lattices;
using Xunit;
using Xunit.Abstractions;

namespace XtalPS.Core.Tests
{
    /// <summary>
    /// Ten thousand hostile variants per reader (miniCBF, imgCIF, SMV, TIFF, MRC, NeXus, MTZ) of a small file our
    /// writers made: truncations, bit flips, lying integers and numbers, deleted, inserted and blanked spans.
    /// Every read either succeeds or throws InvalidImageDataException; each one allocates at most 64 times the
    /// file plus 8 MB (NeXus: 2048 times plus 16 MB, for the frames a compressed chunk may justify), and a watchdog fails the test if one read takes more than 120 s (a hang, not a timing: a busy machine can slow a read a hundredfold).
    /// </summary>
    public class ReaderMutationTests
    {
        public const int Cases = 10_000;
        private static readonly TimeSpan Watchdog = TimeSpan.FromSeconds(120);
        private readonly ITestOutputHelper _out;
        public ReaderMutationTests(ITestOutputHelper output) { _out = output; }

        public static IEnumerable<object[]> Readers() =>
            new[] { "miniCBF", "imgCIF", "SMV", "TIFF", "MRC", "MTZ", "DialsRefl", "DialsExpt", "CrystFelStream", "CrystFelHkl" }.Select(r => new object[] { r });

        /// <summary>
        /// NeXus/HDF5 through PureHDF, which allocates whatever length a damaged header claims (an attribute, a link name, a
        /// global heap collection, a chunk): Hdf5StructureCheck walks the structure and checks every such length against
        /// the file before PureHDF reads it, so each variant stays within the NeXus allocation bound below.
        /// </summary>
        [Fact]
        public void Ten_thousand_NeXus_mutations_fail_only_as_invalid_data_within_time_and_memory() =>
            Ten_thousand_mutations_fail_only_as_invalid_data_within_time_and_memory("NeXus");

        private sealed class Sample
        {
            public byte[] Bytes = Array.Empty<byte>();
            /// <summary>Where the structure is (headers): half of the targeted mutations land here.</summary>
            public int RegionStart, RegionEnd;
            public Func<byte[], int, long> Read = (_, _) => 0; // (file, worker thread)
            public string? Folder;
            /// <summary>Bytes one read may allocate: by default 64 times the file plus 8 MB.</summary>
            public long AllocationLimit;
        }

        private sealed class Worker
        {
            public int Ok, Rejected;
            public long WorstAllocation, WorstTicks;
            public long StartedAt = -1;             // Stopwatch ticks when the current case began; -1 when idle
            public string Current = "";
            public byte[] Bytes = Array.Empty<byte>();
            public readonly List<string> Failures = new List<string>();
        }

        [Theory]
        [MemberData(nameof(Readers))]
        public void Ten_thousand_mutations_fail_only_as_invalid_data_within_time_and_memory(string reader)
        {
            var sample = Make(reader);
            try
            {
                Assert.True(sample.Read(sample.Bytes, 0) > 0, "the unmutated sample must read");
                long limit = sample.AllocationLimit > 0 ? sample.AllocationLimit : 64L * sample.Bytes.Length + (8L << 20);
                int seed = 20261202 + Array.IndexOf(new[] { "miniCBF", "imgCIF", "SMV", "TIFF", "MRC", "NeXus", "MTZ", "DialsRefl", "DialsExpt", "CrystFelStream", "CrystFelHkl" }, reader);
                // Cases are spread over a few threads; each case's mutation comes from its own seed, so the cases
                // are the same whatever the number of threads.
                int count = Math.Max(1, Math.Min(4, Environment.ProcessorCount));
                var workers = Enumerable.Range(0, count).Select(_ => new Worker()).ToArray();
                var clock = Stopwatch.StartNew();
                var threads = Enumerable.Range(0, count).Select(w => new Thread(() =>
                {
                    var me = workers[w];
                    for (int i = w; i < Cases && me.Failures.Count < 10; i += count)
                    {
                        var bytes = Mutate(sample, new Random(seed * 7919 + i), out string how);
                        Volatile.Write(ref me.Current, $"case {i}: {how}");
                        Volatile.Write(ref me.Bytes, bytes);
                        Interlocked.Exchange(ref me.StartedAt, clock.ElapsedTicks);
                        long before = GC.GetAllocatedBytesForCurrentThread();
                        string? outcome = null;
                        try { sample.Read(bytes, w); me.Ok++; }
                        catch (InvalidImageDataException) { me.Rejected++; }
                        catch (Exception e) { outcome = $"{e.GetType().Name}: {e.Message}"; }
                        long used = GC.GetAllocatedBytesForCurrentThread() - before;
                        long ticks = clock.ElapsedTicks - Interlocked.Read(ref me.StartedAt);
                        me.WorstAllocation = Math.Max(me.WorstAllocation, used);
                        me.WorstTicks = Math.Max(me.WorstTicks, ticks);
                        if (used > limit)
                        {
                            string kept = Path.Combine(Path.GetTempPath(), $"xtalps_alloc_{reader}_{i}.bin");
                            File.WriteAllBytes(kept, bytes);
                            outcome = $"allocated {used} bytes for a {bytes.Length}-byte file (kept as {kept})" + (outcome != null ? " and " + outcome : "");
                        }
                        if (outcome != null) me.Failures.Add($"case {i} ({how}): {outcome}");
                    }
                    Interlocked.Exchange(ref me.StartedAt, -1);
                }) { IsBackground = true, Name = $"mutations {reader} {w}" }).ToArray();
                foreach (var t in threads) t.Start();
                while (!threads.All(t => t.Join(0)))
                {
                    Thread.Sleep(200);
                    foreach (var me in workers)
                    {
                        long started = Interlocked.Read(ref me.StartedAt);
                        if (started < 0 || (clock.ElapsedTicks - started) < Watchdog.TotalSeconds * Stopwatch.Frequency) continue;
                        // Keep the variant for a look (in the temporary folder, outside the repository).
                        string kept = Path.Combine(Path.GetTempPath(), $"xtalps_hang_{reader}_{Guid.NewGuid():N}.bin");
                        File.WriteAllBytes(kept, Volatile.Read(ref me.Bytes));
                        Assert.Fail($"{reader}: no answer within {Watchdog.TotalSeconds} s for {Volatile.Read(ref me.Current)} (kept as {kept})");
                    }
                }
                var failures = workers.SelectMany(w => w.Failures).ToList();
                int ok = workers.Sum(w => w.Ok), rejected = workers.Sum(w => w.Rejected);
                _out.WriteLine($"{reader}: {ok + rejected + failures.Count} mutations of a {sample.Bytes.Length}-byte file in {clock.Elapsed.TotalSeconds:0.0} s on {count} thread(s) " +
                               $"({ok} read, {rejected} rejected); slowest {workers.Max(w => w.WorstTicks) * 1000.0 / Stopwatch.Frequency:0.#} ms, " +
                               $"most allocated {workers.Max(w => w.WorstAllocation) >> 10} KiB");
                Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
                Assert.Equal(Cases, ok + rejected);
                Assert.True(rejected > Cases / 10, $"only {rejected} of {Cases} variants were rejected: the mutations miss the structure");
            }
            finally { if (sample.Folder != null) Directory.Delete(sample.Folder, true); }
        }

        private static readonly int[] Lies = { 0, -1, 1, 7, 255, 65535, 65536, 1 << 20, 1_000_000_000, int.MaxValue, int.MinValue };
        private static readonly string[] TextLies = { "0", "-1", "1", "3", "999999999", "4294967296", "99999999999999999999", "1e9", "abc", "" };

        private static byte[] Mutate(Sample s, Random r, out string how)
        {
            var src = s.Bytes;
            int Anywhere() => r.Next(src.Length);
            int InRegion() => r.Next(s.RegionStart, Math.Max(s.RegionStart + 1, s.RegionEnd));
            int Target() => r.Next(2) == 0 ? InRegion() : Anywhere();
            switch (r.Next(8))
            {
                case 0:
                {
                    int cut = Math.Min(src.Length - 1, Target());
                    how = $"cut at {cut}";
                    return src.AsSpan(0, cut).ToArray();
                }
                case 1:
                case 2:
                {
                    var b = (byte[])src.Clone();
                    int flips = r.Next(1, 9);
                    for (int i = 0; i < flips; i++) { int at = Target(); b[at] ^= (byte)(1 << r.Next(8)); }
                    how = $"{flips} bit flips";
                    return b;
                }
                case 3:
                {
                    var b = (byte[])src.Clone();
                    int at = Math.Min(Target(), b.Length - 4);
                    int value = Lies[r.Next(Lies.Length)];
                    var v = BitConverter.GetBytes(value);
                    if (r.Next(2) == 0) Array.Reverse(v);
                    v.CopyTo(b, Math.Max(0, at));
                    how = $"int32 {value} at {at}";
                    return b;
                }
                case 4:
                {
                    // A number in the text replaced by a lie (CIF, MIME and SMV headers are text).
                    int at = Target();
                    int digit = -1;
                    for (int i = 0; i < 4096 && digit < 0; i++) { int p = (at + i) % src.Length; if (src[p] >= (byte)'0' && src[p] <= (byte)'9') digit = p; }
                    if (digit < 0) goto case 1;
                    int start = digit, end = digit;
                    while (start > 0 && src[start - 1] >= (byte)'0' && src[start - 1] <= (byte)'9') start--;
                    while (end < src.Length && src[end] >= (byte)'0' && src[end] <= (byte)'9') end++;
                    string lie = TextLies[r.Next(TextLies.Length)];
                    how = $"number at {start} becomes '{lie}'";
                    return src.Take(start).Concat(Encoding.ASCII.GetBytes(lie)).Concat(src.Skip(end)).ToArray();
                }
                case 5:
                {
                    int at = Target(), n = Math.Min(r.Next(1, 65), src.Length - at);
                    how = $"{n} bytes deleted at {at}";
                    return src.Take(at).Concat(src.Skip(at + n)).ToArray();
                }
                case 6:
                {
                    int at = Target();
                    var extra = new byte[r.Next(1, 65)];
                    r.NextBytes(extra);
                    how = $"{extra.Length} bytes inserted at {at}";
                    return src.Take(at).Concat(extra).Concat(src.Skip(at)).ToArray();
                }
                default:
                {
                    var b = (byte[])src.Clone();
                    int at = Target(), n = Math.Min(r.Next(1, 257), b.Length - at);
                    byte fill = r.Next(2) == 0 ? (byte)0 : (byte)0xFF;
                    b.AsSpan(at, n).Fill(fill);
                    how = $"{n} bytes of {fill:X2} at {at}";
                    return b;
                }
            }
        }

        private static float[] Counts(int n, int seed)
        {
            var r = new Random(seed);
            return Enumerable.Range(0, n).Select(i => (float)(r.Next(0, 40) + (i % 97 == 0 ? 5000 : 0))).ToArray();
        }

        private static DiffractionImage SinglePanel(int w, int h) =>
            new DiffractionImage("m.cbf", 0, "miniCBF", UncalibratedGeometry.Detector("m", w, h), UncalibratedGeometry.Beam(),
                new[] { new PanelImage(0, w, h, Counts(w * h, 1)) });

        private static Sample Make(string reader)
        {
            var s = new Sample();
            switch (reader)
            {
                case "miniCBF":
                {
                    var ms = new MemoryStream();
                    MiniCbfWriter.Write(SinglePanel(48, 32), ms);
                    s.Bytes = ms.ToArray();
                    s.RegionEnd = s.Bytes.AsSpan().IndexOf(CbfBinarySection.Marker);
                    s.Read = (b, _) => CbfReader.Read("m.cbf", b).PixelCount;
                    break;
                }
                case "imgCIF":
                {
                    // Four panels in a 2 × 2 square: the _axis, _array_structure_list and MIME headers all carry structure.
                    var panels = Enumerable.Range(0, 4).Select(i => new Panel("P" + i, 24, 16, 0.1,
                        new Vec3(-3 + 3.2 * (i % 2), 2 - 2.2 * (i / 2), -100), Vec3.UnitX, -Vec3.UnitY)).ToArray();
                    var detector = new DetectorModel("quad", panels);
                    var image = new DiffractionImage("q.cbf", 0, "imgCIF", detector, new Beam(1.0),
                        Enumerable.Range(0, 4).Select(i => new PanelImage(i, 24, 16, Counts(24 * 16, 10 + i))));
                    var ms = new MemoryStream();
                    ImgCifWriter.Write(image, ms);
                    s.Bytes = ms.ToArray();
                    s.RegionEnd = s.Bytes.AsSpan().IndexOf(CbfBinarySection.Marker);
                    s.Read = (b, _) => CbfReader.Read("q.cbf", b).PixelCount;
                    break;
                }
                case "SMV":
                {
                    var header = "{\nHEADER_BYTES=  512;\nDIM=2;\nBYTE_ORDER=little_endian;\nTYPE=unsigned_short;\nSIZE1=48;\nSIZE2=32;\nPIXEL_SIZE=0.1;\nDISTANCE=100;\nWAVELENGTH=1.0;\nBEAM_CENTER_X=2.4;\nBEAM_CENTER_Y=1.6;\n}\n";
                    var b = new byte[512 + 48 * 32 * 2];
                    Encoding.ASCII.GetBytes(header).CopyTo(b, 0);
                    for (int i = 512; i < b.Length; i++) b[i] = (byte)(i * 7);
                    s.Bytes = b;
                    s.RegionEnd = 512;
                    s.Read = (x, _) => SmvReader.Read("m.img", x).PixelCount;
                    break;
                }
                case "TIFF":
                    s.Bytes = TiffWriter.Encode(Counts(40 * 30, 2), 40, 30);
                    s.RegionEnd = s.Bytes.Length;
                    s.Read = (b, _) => TiffImage.ReadFrames("m.tif", b).Sum(f => f.PixelCount);
                    break;
                case "MRC":
                {
                    var ms = new MemoryStream();
                    MrcImage.WriteStack(new[] { Counts(40 * 30, 3), Counts(40 * 30, 4) }, 40, 30, ms);
                    s.Bytes = ms.ToArray();
                    s.RegionEnd = MrcImage.HeaderBytes;
                    s.Read = (b, _) => MrcImage.ReadFrames("m.mrc", new MemoryStream(b, false)).Sum(f => f.PixelCount);
                    break;
                }
                case "NeXus":
                {
                    var (dir, path, _) = NexusTests.WriteNxmx(24, 16, 2);
                    s.Bytes = File.ReadAllBytes(path);
                    s.Folder = dir;
                    s.RegionEnd = s.Bytes.Length;
                    // A compressed frame may claim up to 256 times its file (LZ4's limit) and is then decoded: frames,
                    // mask and HDF5 metadata caches stay well under 2048 times the file plus 16 MB.
                    s.AllocationLimit = 2048L * s.Bytes.Length + (16L << 20);
                    // The HDF5 reader works on files: each variant is written over one file per thread in the test's folder.
                    s.Read = (b, worker) =>
                    {
                        string target = Path.Combine(dir, $"mutated_{worker}.nxs");
                        File.WriteAllBytes(target, b);
                        return DiffractionImageReader.ReadFrames(target).Sum(f => f.PixelCount);
                    };
                    break;
                }
                case "MTZ":
                {
                    s.Folder = Directory.CreateTempSubdirectory("xtalps_mtzmut_").FullName;
                    string path = Path.Combine(s.Folder, "m.mtz");
                    var lattice = CrystalLattice.FromOrientation(Mat3.Identity, new UnitCell(79.1, 79.1, 37.9, 90, 90, 90), SpaceGroup.Parse("P43212"));
                    using (var w = ReflectionFileWriter.Create(path))
                    {
                        var r = new Random(5);
                        for (int t = 0; t < 3; t++)
                            w.Add(new ReflectionTable(null, lattice, null, Enumerable.Range(0, 40).Select(i => new Reflection
                            {
                                H = r.Next(-20, 21), K = r.Next(-20, 21), L = r.Next(1, 10), Intensity = r.Next(10, 5000), Sigma = r.Next(5, 50),
                                X = r.Next(0, 1000), Y = r.Next(0, 1000), D = 2.5,
                            }), "Integrate", $"still_{t:D5}.cbf"));
                        w.Complete();
                    }
                    s.Bytes = File.ReadAllBytes(path);
                    s.RegionStart = s.Bytes.Length * 3 / 5; // the header records are at the end of an MTZ file
                    s.RegionEnd = s.Bytes.Length;
                    s.Read = (b, _) => ReflectionFileReader.FromMtz(MtzReader.Parse(b, "m.mtz")).Sum(t => t.Count);
                    break;
                }
                case "DialsRefl":
                case "DialsExpt":
                case "CrystFelStream":
                case "CrystFelHkl":
                {
                    // Our own writers' files of three small lattices (DialsInteropTests.OurTables).
                    s.Folder = Directory.CreateTempSubdirectory("xtalps_interopmut_").FullName;
                    string ext = reader == "CrystFelStream" ? ".stream" : reader == "CrystFelHkl" ? ".hkl" : ".refl";
                    string path = Path.Combine(s.Folder, "m" + ext);
                    var tables = DialsInteropTests.OurTables();
                    if (reader == "CrystFelHkl") tables = new List<ReflectionTable> { new ReflectionTable(null, null, null, tables[0].Reflections.GroupBy(r => (r.H, r.K, r.L)).Select(g => g.First()), "Merge") };
                    using (var w = ReflectionFileWriter.Create(path)) { foreach (var t in tables) w.Add(t); w.Complete(); }
                    string exptText = reader.StartsWith("Dials", StringComparison.Ordinal) ? File.ReadAllText(Path.Combine(s.Folder, "m.expt")) : "";
                    s.Bytes = reader == "DialsExpt" ? Encoding.UTF8.GetBytes(exptText) : File.ReadAllBytes(path);
                    s.RegionStart = 0;
                    s.RegionEnd = reader == "DialsRefl" ? Math.Min(s.Bytes.Length, 600) : s.Bytes.Length; // .refl: the tag, identifiers and first column headers
                    var experiments = reader == "DialsRefl" ? DialsExperimentJson.ParseExperiments("m.expt", exptText) : null;
                    s.Read = reader switch
                    {
                        "DialsRefl" => (b, _) =>
                        {
                            int n = 0;
                            foreach (var item in DialsReflectionTables.ToItems("m.refl", DialsReflectionFile.Parse("m.refl", b), experiments,
                                         e => throw new InvalidImageDataException("m.expt", "no images in this test")))
                            {
                                if (item.Error != null) throw item.Error;
                                n += item.Item is ReflectionTable t ? t.Count + 1 : 1;
                            }
                            return n;
                        },
                        "DialsExpt" => (b, _) => DialsExperimentJson.ParseExperiments("m.expt", Encoding.UTF8.GetString(b)).Count,
                        "CrystFelStream" => (b, _) => CrystFelStream.ToTables("m.stream", CrystFelStream.Parse("m.stream", new StringReader(Encoding.UTF8.GetString(b)))).Sum(t => t.Count + 1),
                        _ => (b, _) => CrystFelHkl.Parse("m.hkl", new StringReader(Encoding.UTF8.GetString(b))).Table.Count + 1,
                    };
                    break;
                }
                default: throw new ArgumentException(reader);
            }
            return s;
        }
    }
}
