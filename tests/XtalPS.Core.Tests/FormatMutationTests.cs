using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using ICSharpCode.SharpZipLib.BZip2;
using XtalPS.Formats;
using Xunit;
using Xunit.Abstractions;

namespace XtalPS.Core.Tests
{
    /// <summary>
    /// Hostile-input check for the SMV, TIFF, MRC, NeXus and compressed-wrapper readers: thousands of truncated,
    /// bit-flipped and size-lying variants of real and written samples. Every read must either succeed or throw
    /// InvalidImageDataException, within a per-read time limit, without a huge allocation.
    /// </summary>
    public class FormatMutationTests
    {
        private readonly ITestOutputHelper _out;
        public FormatMutationTests(ITestOutputHelper output) { _out = output; }

        private static readonly TimeSpan PerRead = TimeSpan.FromSeconds(30); // a watchdog against hangs: the machine may be busy

        [Fact]
        public async Task Mutated_files_fail_cleanly_and_quickly()
        {
            var dir = Directory.CreateTempSubdirectory("xtalps_mut_").FullName;
            try
            {
                var samples = Samples(dir);
                var rnd = new Random(20261123);
                int reads = 0, ok = 0;
                var failures = new List<string>();
                var clock = Stopwatch.StartNew();
                foreach (var (name, bytes, count) in samples)
                {
                    var path = Path.Combine(dir, "m_" + name);
                    for (int i = 0; i < count && failures.Count < 10; i++)
                    {
                        var mutated = Mutate(bytes, rnd, out string how);
                        File.WriteAllBytes(path, mutated);
                        reads++;
                        var task = Task.Run(() => DiffractionImageReader.ReadFrames(path).Sum(f => f.PixelCount));
                        if (await Task.WhenAny(task, Task.Delay(PerRead)) != task) { failures.Add($"{name} {how}: no answer within {PerRead.TotalSeconds} s"); break; }
                        if (task.IsFaulted)
                        {
                            var e = task.Exception!.InnerException!;
                            if (!(e is InvalidImageDataException)) failures.Add($"{name} {how}: {e.GetType().Name}: {e.Message}");
                        }
                        else ok++;
                    }
                }
                _out.WriteLine($"{reads} reads ({ok} read successfully) in {clock.Elapsed.TotalSeconds:0.0} s");
                Assert.True(failures.Count == 0, string.Join("\n", failures));
                Assert.True(reads >= 2000, $"only {reads} reads");
            }
            finally { Directory.Delete(dir, true); }
        }

        private static byte[] Mutate(byte[] source, Random rnd, out string how)
        {
            var b = (byte[])source.Clone();
            switch (rnd.Next(4))
            {
                case 0:
                    int cut = rnd.Next(0, 3) == 0 ? rnd.Next(0, Math.Min(b.Length, 2048)) : rnd.Next(0, b.Length);
                    how = $"truncated to {cut}";
                    return b.AsSpan(0, cut).ToArray();
                case 1:
                    int flips = rnd.Next(1, 9);
                    how = $"{flips} bit flips in the first 4 KiB";
                    for (int i = 0; i < flips; i++) { int at = rnd.Next(Math.Min(b.Length, 4096)); b[at] ^= (byte)(1 << rnd.Next(8)); }
                    return b;
                case 2:
                    int n = rnd.Next(1, 9);
                    how = $"{n} bit flips anywhere";
                    for (int i = 0; i < n; i++) { int at = rnd.Next(b.Length); b[at] ^= (byte)(1 << rnd.Next(8)); }
                    return b;
                default:
                    // A lying size: a large integer written over four bytes near the start.
                    int pos = rnd.Next(0, Math.Max(1, Math.Min(b.Length, 1024) - 4));
                    int value = new[] { 1_000_000_000, int.MaxValue, -1, 65536, 1 << 20 }[rnd.Next(5)];
                    BitConverter.GetBytes(value).CopyTo(b, pos);
                    how = $"int32 {value} at {pos}";
                    return b;
            }
        }

        private static List<(string Name, byte[] Bytes, int Count)> Samples(string dir)
        {
            var list = new List<(string, byte[], int)>();
            // SMV: a small written one (little-endian uint16) and the real 516x516 TimePix.
            var smv = new byte[512 + 64 * 48 * 2];
            System.Text.Encoding.ASCII.GetBytes("{\nHEADER_BYTES=  512;\nDIM=2;\nBYTE_ORDER=little_endian;\nTYPE=unsigned_short;\nSIZE1=64;\nSIZE2=48;\nPIXEL_SIZE=0.1;\nDISTANCE=100;\nWAVELENGTH=1.0;\nBEAM_CENTER_X=2.4;\nBEAM_CENTER_Y=3.2;\n}\n").CopyTo(smv, 0);
            for (int i = 512; i < smv.Length; i++) smv[i] = (byte)(i * 7);
            list.Add(("small.img", smv, 400));
            list.Add(("timepix.img", File.ReadAllBytes(SharedData.File_("real/electron/TIMEPIX_SU_516-stdgoni_0001.img")), 150));
            // Compressed wrappers of the small SMV.
            using (var ms = new MemoryStream())
            {
                using (var bz = new BZip2OutputStream(ms) { IsStreamOwner = false }) bz.Write(smv, 0, smv.Length);
                list.Add(("small.img.bz2", ms.ToArray(), 250));
            }
            using (var ms = new MemoryStream())
            {
                using (var gz = new System.IO.Compression.GZipStream(ms, System.IO.Compression.CompressionLevel.Fastest, true)) gz.Write(smv, 0, smv.Length);
                list.Add(("small.img.gz", ms.ToArray(), 150));
            }
            // TIFF: one we write (float32 strips) and the real uint16 hot-pixel image.
            var px = Enumerable.Range(0, 40 * 30).Select(i => (float)Math.Sin(i)).ToArray();
            list.Add(("small.tif", TiffWriter.Encode(px, 40, 30), 400));
            list.Add(("hotspots.tif", File.ReadAllBytes(SharedData.File_("real/electron/hotspots.tif")), 150));
            // MRC: a 3-section stack.
            var mrc = Path.Combine(dir, "stack.mrc");
            MrcImage.WriteStack(new[] { px, px, px }, 40, 30, mrc);
            list.Add(("stack.mrc", File.ReadAllBytes(mrc), 400));
            // NeXus: the small NXmx with bitshuffle+LZ4 chunks and a pixel mask.
            var (nxDir, nxPath, _) = NexusTests.WriteNxmx(24, 16, 2);
            list.Add(("small.nxs", File.ReadAllBytes(nxPath), 400));
            Directory.Delete(nxDir, true);
            return list;
        }
    }
}
