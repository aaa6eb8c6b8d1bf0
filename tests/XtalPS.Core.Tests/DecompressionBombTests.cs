using System;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using ICSharpCode.SharpZipLib.BZip2;
using XtalPS.Formats;
using XtalPS.Imaging;
using Xunit;
using Xunit.Abstractions;

namespace XtalPS.Core.Tests
{
    /// <summary>
    /// A small .gz/.bz2 that inflates to gigabytes is refused after a few MB of output, without holding the
    /// inflated bytes, while real compressed images still read in full.
    /// </summary>
    public class DecompressionBombTests
    {
        private readonly ITestOutputHelper _out;
        public DecompressionBombTests(ITestOutputHelper output) { _out = output; }

        /// <summary>Bytes allocated on this thread by a read that must fail: a few MB, not the inflated size.</summary>
        private const long AllocationLimit = 24L << 20;

        [Fact]
        public async Task A_gzip_of_a_gigabyte_of_zeros_is_refused_after_a_few_MB()
        {
            // 64 gzip members of 16 MiB of zeros each: 1 GiB inflated from about 1 MB on disk.
            byte[] member = Gzip(new byte[16 << 20]);
            var dir = Directory.CreateTempSubdirectory("xtalps_bomb_").FullName;
            try
            {
                string path = Path.Combine(dir, "zeros.cbf.gz");
                using (var f = File.Create(path)) for (int i = 0; i < 64; i++) f.Write(member);
                await AssertRefusedCheaply(path, "does not hold a format");
            }
            finally { Directory.Delete(dir, true); }
        }

        [Fact]
        public async Task A_gzip_of_a_real_cbf_header_followed_by_zeros_stops_where_the_header_says_the_file_ends()
        {
            // A genuine 64x48 miniCBF, then a gigabyte of zeros in further gzip members.
            var image = SmallImage();
            var cbf = new MemoryStream();
            MiniCbfWriter.Write(image, cbf);
            byte[] zeros = Gzip(new byte[16 << 20]);
            var dir = Directory.CreateTempSubdirectory("xtalps_bomb_").FullName;
            try
            {
                string good = Path.Combine(dir, "good.cbf.gz"), bomb = Path.Combine(dir, "bomb.cbf.gz");
                File.WriteAllBytes(good, Gzip(cbf.ToArray()));
                using (var f = File.Create(bomb)) { f.Write(Gzip(cbf.ToArray())); for (int i = 0; i < 64; i++) f.Write(zeros); }
                var back = DiffractionImageReader.ReadFrames(good).Single();
                Assert.Equal(image.PanelImages[0].Pixels, back.PanelImages[0].Pixels);
                await AssertRefusedCheaply(bomb, "declares");
            }
            finally { Directory.Delete(dir, true); }
        }

        [Fact]
        public async Task A_bzip2_of_an_smv_header_followed_by_zeros_is_refused()
        {
            var header = "{\nHEADER_BYTES=  512;\nDIM=2;\nBYTE_ORDER=little_endian;\nTYPE=unsigned_short;\nSIZE1=64;\nSIZE2=48;\nPIXEL_SIZE=0.1;\nDISTANCE=100;\nWAVELENGTH=1.0;\n}\n";
            var content = new byte[4 << 20]; // 4 MiB of zeros where the header declares 72 KiB (bzip2 is slow to write)
            Encoding.ASCII.GetBytes(header).CopyTo(content, 0);
            var dir = Directory.CreateTempSubdirectory("xtalps_bomb_").FullName;
            try
            {
                string path = Path.Combine(dir, "bomb.img.bz2");
                using (var f = File.Create(path))
                using (var bz = new BZip2OutputStream(f)) bz.Write(content, 0, content.Length);
                await AssertRefusedCheaply(path, "declares");
            }
            finally { Directory.Delete(dir, true); }
        }

        private async Task AssertRefusedCheaply(string path, string expected)
        {
            long compressed = new FileInfo(path).Length;
            var clock = Stopwatch.StartNew();
            var task = Task.Run(() =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                var e = Assert.Throws<InvalidImageDataException>(() => DiffractionImageReader.ReadFrames(path).ToList());
                return (e, GC.GetAllocatedBytesForCurrentThread() - before);
            });
            var (error, allocated) = await task.WaitAsync(TimeSpan.FromSeconds(30)); // a watchdog, not a timing
            _out.WriteLine($"{Path.GetFileName(path)} ({compressed} bytes): refused in {clock.ElapsedMilliseconds} ms after allocating {allocated >> 10} KiB: {error.Message}");
            Assert.Contains(expected, error.Message);
            Assert.True(allocated < AllocationLimit, $"allocated {allocated} bytes");
        }

        private static DiffractionImage SmallImage()
        {
            var px = Enumerable.Range(0, 64 * 48).Select(i => (float)(i % 50)).ToArray();
            var detector = UncalibratedGeometry.Detector("test", 64, 48);
            return new DiffractionImage("small.cbf", 0, "miniCBF", detector, UncalibratedGeometry.Beam(),
                new[] { new PanelImage(0, 64, 48, px, Enumerable.Repeat((byte)1, 64 * 48).ToArray()) }, null);
        }

        private static byte[] Gzip(byte[] data)
        {
            var ms = new MemoryStream();
            using (var gz = new GZipStream(ms, CompressionLevel.Optimal, true)) gz.Write(data, 0, data.Length);
            return ms.ToArray();
        }
    }
}
