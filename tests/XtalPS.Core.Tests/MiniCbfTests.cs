using System;
using System.IO;
using System.Linq;
using XtalPS.Formats;
using XtalPS.Imaging;
using XtalPS.Simulation;
using Xunit;

namespace XtalPS.Core.Tests
{
    public class MiniCbfTests
    {
        public static TheoryData<string> Single1024 => new TheoryData<string>
        {
            "sim/single1024/still_00000.cbf", "sim/single1024/still_00001.cbf", "sim/single1024/still_00002.cbf", "sim/single1024/still_00003.cbf",
        };

        [Theory]
        [MemberData(nameof(Single1024))]
        public void Reads_simulated_stills_as_dxtbx_does(string relative)
        {
            var reference = SharedData.Dxtbx(relative);
            var image = DiffractionImageReader.ReadFrames(SharedData.File_(relative)).Single();
            var refPanel = reference.GetProperty("panels")[0];
            Assert.Equal(reference.GetProperty("n_panels").GetInt32(), image.PanelCount);
            var stats = PanelStatistics.Compute(image.Name, "p", image.PanelImages[0]);
            Assert.Equal(refPanel.GetProperty("sum_nonneg").GetDouble(), stats.Sum);
            Assert.Equal(refPanel.GetProperty("min").GetDouble(), stats.Min);
            Assert.Equal(refPanel.GetProperty("max").GetDouble(), stats.Max);
            var p = image.Detector.Panels[0];
            var size = refPanel.GetProperty("size_fast_slow");
            Assert.Equal(size[0].GetInt32(), p.Width);
            Assert.Equal(size[1].GetInt32(), p.Height);
            var origin = refPanel.GetProperty("origin_mm");
            Assert.Equal(origin[0].GetDouble(), p.Origin.X, 3);
            Assert.Equal(origin[1].GetDouble(), p.Origin.Y, 3);
            Assert.Equal(origin[2].GetDouble(), p.Origin.Z, 3);
            var fast = refPanel.GetProperty("fast_axis"); var slow = refPanel.GetProperty("slow_axis");
            Assert.Equal(fast[0].GetDouble(), p.FastAxis.X, 6); Assert.Equal(fast[1].GetDouble(), p.FastAxis.Y, 6);
            Assert.Equal(slow[1].GetDouble(), p.SlowAxis.Y, 6); Assert.Equal(slow[2].GetDouble(), p.SlowAxis.Z, 6);
            Assert.Equal(reference.GetProperty("wavelength_A").GetDouble(), image.Beam.Wavelength, 4);
            Assert.Equal(refPanel.GetProperty("pixel_size_mm")[0].GetDouble(), p.PixelSize, 9);
        }

        [Fact]
        public void Writer_then_reader_is_bit_exact_and_keeps_geometry()
        {
            var original = DiffractionImageReader.ReadFrames(SharedData.File_("sim/single1024/still_00002.cbf")).Single();
            var path = Path.Combine(Path.GetTempPath(), "xtalps_rt_" + Guid.NewGuid().ToString("N") + ".cbf");
            try
            {
                MiniCbfWriter.Write(original, path);
                var back = DiffractionImageReader.ReadFrames(path).Single();
                Assert.Equal(original.PanelImages[0].Pixels, back.PanelImages[0].Pixels);
                Assert.Equal(original.Beam.Wavelength, back.Beam.Wavelength);
                var a = original.Detector.Panels[0]; var b = back.Detector.Panels[0];
                Assert.Equal(a.Origin.X, b.Origin.X, 9); Assert.Equal(a.Origin.Y, b.Origin.Y, 9); Assert.Equal(a.Origin.Z, b.Origin.Z, 9);
                Assert.Equal(a.TrustedMax, b.TrustedMax);
            }
            finally { File.Delete(path); }
        }

        [Fact]
        public void Writer_is_atomic_and_leaves_no_temporary_files()
        {
            var dir = Directory.CreateTempSubdirectory("xtalps_atomic_").FullName;
            try
            {
                var image = PlanarLatticeSimulator.Simulate(new PlanarLatticeSettings { Width = 64, Height = 64, A = new Geometry.Vec2(10, 0), B = new Geometry.Vec2(0, 10) });
                var path = Path.Combine(dir, "x.cbf");
                MiniCbfWriter.Write(image, path);
                MiniCbfWriter.Write(image, path);
                Assert.Equal(new[] { "x.cbf" }, Directory.GetFiles(dir).Select(Path.GetFileName).ToArray());
                // A float image cannot be written as byte_offset: the old file stays, no temp file is left.
                var noNoise = PlanarLatticeSimulator.Simulate(new PlanarLatticeSettings { Width = 64, Height = 64, Noise = false, A = new Geometry.Vec2(10, 0), B = new Geometry.Vec2(0, 10) });
                Assert.Throws<ArgumentException>(() => MiniCbfWriter.Write(noNoise, path));
                Assert.Equal(new[] { "x.cbf" }, Directory.GetFiles(dir).Select(Path.GetFileName).ToArray());
                Assert.Equal(image.PanelImages[0].Pixels, DiffractionImageReader.ReadFrames(path).Single().PanelImages[0].Pixels);
            }
            finally { Directory.Delete(dir, true); }
        }

        [Fact]
        public void Truncated_and_lying_files_fail_with_InvalidImageData()
        {
            var bytes = File.ReadAllBytes(SharedData.File_("sim/single1024/still_00000.cbf"));
            var dir = Directory.CreateTempSubdirectory("xtalps_bad_").FullName;
            try
            {
                // Truncated in the payload.
                var cut = Path.Combine(dir, "cut.cbf");
                File.WriteAllBytes(cut, bytes.AsSpan(0, bytes.Length / 2).ToArray());
                Assert.Throws<InvalidImageDataException>(() => DiffractionImageReader.ReadFrames(cut).ToList());
                // Dimensions that lie: a billion pixels claimed in a 1 MB payload.
                var text = System.Text.Encoding.ASCII.GetString(bytes, 0, 2000);
                var liar = Path.Combine(dir, "liar.cbf");
                var patched = (byte[])bytes.Clone();
                var fake = System.Text.Encoding.ASCII.GetBytes("X-Binary-Number-of-Elements: 1048576");
                int at = text.IndexOf("X-Binary-Number-of-Elements: 1048576", StringComparison.Ordinal);
                Assert.True(at > 0);
                var replacement = System.Text.Encoding.ASCII.GetBytes("X-Binary-Number-of-Elements: 9999999");
                Array.Copy(replacement, 0, patched, at, replacement.Length);
                File.WriteAllBytes(liar, patched);
                var e = Assert.Throws<InvalidImageDataException>(() => DiffractionImageReader.ReadFrames(liar).ToList());
                Assert.Contains("liar.cbf", e.Message);
                // Not an image at all.
                var junk = Path.Combine(dir, "junk.cbf");
                File.WriteAllText(junk, "hello");
                Assert.Throws<InvalidImageDataException>(() => DiffractionImageReader.ReadFrames(junk).ToList());
            }
            finally { Directory.Delete(dir, true); }
        }
    }
}
