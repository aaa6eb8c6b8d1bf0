using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using XtalPS.Formats;
using XtalPS.Imaging;
using Xunit;

namespace XtalPS.Core.Tests
{
    /// <summary>SMV, bzip2/gzip wrappers, TIFF and MRC against dxtbx's reading of the same files and against the simulation truth.</summary>
    public class ImageFormatTests
    {
        public static TheoryData<string> DxtbxFiles => new TheoryData<string>
        {
            "real/smv/adsc_quantum4_001.img.bz2",
            "real/electron/TIMEPIX_SU_516-stdgoni_0001.img",
            "real/electron/TIMEPIX_SU_512-stdgoni_0001.img",
            "real/pilatus/thau_3_2_0001.cbf.bz2",
            "real/eiger/dlsnxs2cbf_therm_0001.cbf.gz",
        };

        /// <summary>Every panel: size, pixel size, origin and axes within 1e-3 mm / 1e-6, wavelength within 1e-4 Å,
        /// and the raw-value statistics (sum of values ≥ 0, min, max, count of negatives) exactly.</summary>
        [Theory]
        [MemberData(nameof(DxtbxFiles))]
        public void Reads_as_dxtbx_does(string relative)
        {
            var reference = SharedData.Dxtbx(relative);
            var image = DiffractionImageReader.ReadFrames(SharedData.File_(relative)).Single();
            Assert.Equal(reference.GetProperty("n_panels").GetInt32(), image.PanelCount);
            Assert.Equal(reference.GetProperty("wavelength_A").GetDouble(), image.Beam.Wavelength, 4);
            for (int i = 0; i < image.PanelCount; i++)
            {
                var r = reference.GetProperty("panels")[i];
                var p = image.Detector.Panels[i];
                var px = image.PanelImages[i].Pixels;
                Assert.Equal(r.GetProperty("size_fast_slow")[0].GetInt32(), p.Width);
                Assert.Equal(r.GetProperty("size_fast_slow")[1].GetInt32(), p.Height);
                Assert.Equal(r.GetProperty("pixel_size_mm")[0].GetDouble(), p.PixelSize, 9);
                Assert.Equal(r.GetProperty("pixel_size_mm")[1].GetDouble(), p.PixelSizeSlow, 9);
                AssertVector(r.GetProperty("origin_mm"), p.Origin, 1e-3);
                AssertVector(r.GetProperty("fast_axis"), p.FastAxis, 1e-6);
                AssertVector(r.GetProperty("slow_axis"), p.SlowAxis, 1e-6);
                double sumNonNeg = 0, sumAll = 0; long negative = 0; float min = float.MaxValue, max = float.MinValue;
                foreach (float v in px)
                {
                    sumAll += v;
                    if (v >= 0) sumNonNeg += v; else negative++;
                    if (v < min) min = v;
                    if (v > max) max = v;
                }
                Assert.Equal(r.GetProperty("sum_nonneg").GetDouble(), sumNonNeg);
                Assert.Equal(r.GetProperty("sum_all").GetDouble(), sumAll);
                Assert.Equal(r.GetProperty("n_negative").GetInt64(), negative);
                Assert.Equal(r.GetProperty("min").GetDouble(), min);
                Assert.Equal(r.GetProperty("max").GetDouble(), max);
            }
        }

        private static void AssertVector(JsonElement expected, Geometry.Vec3 actual, double tolerance)
        {
            Assert.InRange(actual.X, expected[0].GetDouble() - tolerance, expected[0].GetDouble() + tolerance);
            Assert.InRange(actual.Y, expected[1].GetDouble() - tolerance, expected[1].GetDouble() + tolerance);
            Assert.InRange(actual.Z, expected[2].GetDouble() - tolerance, expected[2].GetDouble() + tolerance);
        }

        [Fact]
        public void Adsc_header_sets_trusted_range_and_keeps_raw_values()
        {
            var image = DiffractionImageReader.ReadFrames(SharedData.File_("real/smv/adsc_quantum4_001.img.bz2")).Single();
            var p = image.Detector.Panels[0];
            Assert.Equal("SMV", image.Format);
            Assert.Equal(-1, p.TrustedMin);
            Assert.Equal(65535, p.TrustedMax);
            Assert.Equal("-0.009", image.Header["TWOTHETA"]);
            Assert.Equal(250.0, image.Detector.Distance, 9);
            // Beam centre (Mosflm convention): fast-mm = BEAM_CENTER_Y = 94.70, slow-mm = BEAM_CENTER_X = 99.30.
            Assert.True(image.Detector.TryBeamCentre(image.Beam, out _, out var bc));
            Assert.Equal(94.70 / 0.0816, bc.X, 6);
            Assert.Equal(99.30 / 0.0816, bc.Y, 6);
        }

        [Fact]
        public void Timepix_512_is_four_chips_without_their_wide_edge_pixels()
        {
            var path = SharedData.File_("real/electron/TIMEPIX_SU_512-stdgoni_0001.img");
            var image = DiffractionImageReader.ReadFrames(path).Single();
            var raw = File.ReadAllBytes(path);
            // Panel 3 pixel (0,0) is file pixel (257, 257); panel 1 pixel (253, 0) is file pixel (510, 1).
            float At(int x, int y) => BitConverter.ToUInt16(raw, 512 + 2 * (y * 512 + x));
            Assert.Equal(At(257, 257), image.PanelImages[3][0, 0]);
            Assert.Equal(At(510, 1), image.PanelImages[1][253, 0]);
            Assert.Equal(0.5, image.Beam.PolarizationFraction);
            Assert.Equal(new[] { 0, 1, 2, 3 }, image.Detector.Hierarchy.AllPanelIndices().ToArray());
        }

        [Fact]
        public void Bzip2_and_gzip_give_the_same_bytes_as_the_plain_file()
        {
            var dir = Directory.CreateTempSubdirectory("xtalps_wrap_").FullName;
            try
            {
                var plain = SharedData.File_("real/electron/TIMEPIX_SU_516-stdgoni_0001.img");
                var gz = Path.Combine(dir, "t.img.gz");
                using (var o = File.Create(gz))
                using (var z = new System.IO.Compression.GZipStream(o, System.IO.Compression.CompressionLevel.Fastest))
                    z.Write(File.ReadAllBytes(plain));
                Assert.Equal(File.ReadAllBytes(plain), DiffractionImageReader.ReadAllBytes(gz));
                var a = DiffractionImageReader.ReadFrames(plain).Single();
                var b = DiffractionImageReader.ReadFrames(gz).Single();
                Assert.Equal(a.PanelImages[0].Pixels, b.PanelImages[0].Pixels);
                // The real bzip2 sample decompresses to a 512-byte header plus 2304² big-endian uint16 values.
                var adsc = DiffractionImageReader.ReadAllBytes(SharedData.File_("real/smv/adsc_quantum4_001.img.bz2"));
                Assert.Equal(512 + 2304 * 2304 * 2, adsc.Length);
            }
            finally { Directory.Delete(dir, true); }
        }

        public static TheoryData<int> Lattices => new TheoryData<int> { 0, 1, 2 };

        /// <summary>The TIFF and the MRC of one simulated image hold identical pixels, of the size the truth states,
        /// with the brightest true spots standing far above the background.</summary>
        [Theory]
        [MemberData(nameof(Lattices))]
        public void Tiff_and_mrc_of_the_same_lattice_image_agree_with_each_other_and_the_truth(int index)
        {
            string stem = $"sim/lattice2d/lattice2d_{index:00000}";
            var tif = DiffractionImageReader.ReadFrames(SharedData.File_(stem + ".tif")).Single();
            var mrc = DiffractionImageReader.ReadFrames(SharedData.File_(stem + ".mrc")).Single();
            Assert.Equal("TIFF", tif.Format);
            Assert.Equal("MRC", mrc.Format);
            Assert.Equal(tif.PanelImages[0].Pixels, mrc.PanelImages[0].Pixels);
            using var truth = SharedData.Json(stem + ".json");
            var img = truth.RootElement.GetProperty("image");
            Assert.Equal(img.GetProperty("width").GetInt32(), tif.PanelImages[0].Width);
            Assert.Equal(img.GetProperty("height").GetInt32(), tif.PanelImages[0].Height);
            // Uncalibrated geometry: the beam on the image centre.
            Assert.True(tif.Detector.TryBeamCentre(tif.Beam, out _, out var bc));
            Assert.Equal(512, bc.X, 9); Assert.Equal(512, bc.Y, 9);
            // The 20 brightest spots: their peak pixel is well above the image median.
            var spots = truth.RootElement.GetProperty("spots");
            var peaks = spots.GetProperty("peak_counts").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            var xs = spots.GetProperty("x_px").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            var ys = spots.GetProperty("y_px").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            var sorted = tif.PanelImages[0].Pixels.OrderBy(v => v).ToArray();
            float median = sorted[sorted.Length / 2];
            foreach (int s in Enumerable.Range(0, peaks.Length).OrderByDescending(i => peaks[i]).Take(20))
            {
                int x = (int)Math.Floor(xs[s]), y = (int)Math.Floor(ys[s]);
                if (x < 1 || y < 1 || x > 1022 || y > 1022) continue;
                float best = 0;
                for (int dy = -1; dy <= 1; dy++) for (int dx = -1; dx <= 1; dx++) best = Math.Max(best, tif.PanelImages[0][x + dx, y + dy]);
                Assert.True(best > median + 0.3 * peaks[s], $"spot {s} at ({xs[s]:0.0},{ys[s]:0.0}): {best} vs median {median}, peak {peaks[s]}");
            }
        }

        [Fact]
        public void Real_electron_tiffs_read_as_float64_uint8_and_uint16()
        {
            var walk = DiffractionImageReader.ReadFrames(SharedData.File_("real/electron/ewald_walkoff.tif")).Single();
            var mask = DiffractionImageReader.ReadFrames(SharedData.File_("real/electron/ewald_walkoff_mask.tif")).Single();
            var hot = DiffractionImageReader.ReadFrames(SharedData.File_("real/electron/hotspots.tif")).Single();
            Assert.Equal((512, 512), (walk.PanelImages[0].Width, walk.PanelImages[0].Height));
            Assert.Equal((512, 512), (mask.PanelImages[0].Width, mask.PanelImages[0].Height));
            Assert.Equal((256, 256), (hot.PanelImages[0].Width, hot.PanelImages[0].Height));
            Assert.Equal("64", walk.Header["BitsPerSample"]);
            Assert.Equal("8", mask.Header["BitsPerSample"]);
            Assert.Equal("16", hot.Header["BitsPerSample"]);
            Assert.All(mask.PanelImages[0].Pixels, v => Assert.True(v >= 0 && v <= 255 && v == Math.Floor(v)));
            Assert.Contains(mask.PanelImages[0].Pixels, v => v == 0);
            Assert.Contains(mask.PanelImages[0].Pixels, v => v != 0);
            // Hot pixels: a handful of values far above the rest.
            var h = hot.PanelImages[0].Pixels.OrderByDescending(v => v).ToArray();
            Assert.True(h[0] > 10 * h[h.Length / 2] + 1);
        }

        [Fact]
        public void Tiff_writer_then_reader_is_bit_exact()
        {
            var rnd = new Random(7);
            int w = 97, h = 131;
            var px = new float[w * h];
            for (int i = 0; i < px.Length; i++) px[i] = (float)(rnd.NextDouble() * 1e6 - 1e3);
            px[5] = float.NaN; px[6] = float.PositiveInfinity; px[7] = -0f; px[8] = float.Epsilon;
            var path = Path.Combine(Path.GetTempPath(), "xtalps_rt_" + Guid.NewGuid().ToString("N") + ".tif");
            try
            {
                TiffWriter.Write(px, w, h, path);
                var back = DiffractionImageReader.ReadFrames(path).Single();
                Assert.Equal(w, back.PanelImages[0].Width);
                Assert.Equal(BitsOf(px), BitsOf(back.PanelImages[0].Pixels));
                Assert.Equal(0, back.PanelImages[0].Mask[5]);
                Assert.Equal(0, back.PanelImages[0].Mask[6]);
                Assert.Equal(1, back.PanelImages[0].Mask[7]);
            }
            finally { File.Delete(path); }
        }

        [Fact]
        public void Mrc_stack_writer_then_reader_is_bit_exact_and_frames_are_selectable()
        {
            var rnd = new Random(11);
            int w = 64, h = 48;
            var frames = Enumerable.Range(0, 5).Select(f =>
            {
                var px = new float[w * h];
                for (int i = 0; i < px.Length; i++) px[i] = (float)(rnd.NextDouble() * 100 - 10) + f * 1000;
                return px;
            }).ToArray();
            var path = Path.Combine(Path.GetTempPath(), "xtalps_rt_" + Guid.NewGuid().ToString("N") + ".mrc");
            try
            {
                MrcImage.WriteStack(frames, w, h, path);
                var all = DiffractionImageReader.ReadFrames(path).ToList();
                Assert.Equal(5, all.Count);
                for (int f = 0; f < 5; f++)
                {
                    Assert.Equal(f, all[f].FrameIndex);
                    Assert.Equal(BitsOf(frames[f]), BitsOf(all[f].PanelImages[0].Pixels));
                }
                var picked = DiffractionImageReader.ReadFrames(path, new FrameSelection(new[] { 4, 1 })).ToList();
                Assert.Equal(new[] { 4, 1 }, picked.Select(i => i.FrameIndex).ToArray());
                Assert.Equal(BitsOf(frames[4]), BitsOf(picked[0].PanelImages[0].Pixels));
                var e = Assert.Throws<InvalidImageDataException>(() => DiffractionImageReader.ReadFrames(path, FrameSelection.Single(5)).ToList());
                Assert.Contains("5 frames", e.Message);
            }
            finally { File.Delete(path); }
        }

        /// <summary>Modes 0, 1 and 6 and big-endian files (machine stamp 0x11) decode to the values written.</summary>
        [Theory]
        [InlineData(0, true)]
        [InlineData(1, true)]
        [InlineData(1, false)]
        [InlineData(2, false)]
        [InlineData(6, false)]
        [InlineData(6, true)]
        public void Mrc_modes_and_byte_orders(int mode, bool little)
        {
            int w = 5, h = 3, nsymbt = 80;
            var values = new float[w * h];
            for (int i = 0; i < values.Length; i++) values[i] = mode == 0 ? i * 17 % 256 - 128 : mode == 1 ? i * 4099 % 65536 - 32768 : mode == 6 ? i * 4099 % 65536 : i * 0.37f - 2;
            var file = new byte[1024 + nsymbt + w * h * (mode == 0 ? 1 : mode == 2 ? 4 : 2)];
            void I(int at, int v) { var b = BitConverter.GetBytes(v); if (!little) Array.Reverse(b); b.CopyTo(file, at); }
            I(0, w); I(4, h); I(8, 1); I(12, mode); I(92, nsymbt);
            System.Text.Encoding.ASCII.GetBytes("MAP ").CopyTo(file, 208);
            file[212] = little ? (byte)0x44 : (byte)0x11; file[213] = file[212];
            int at = 1024 + nsymbt;
            foreach (float v in values)
            {
                byte[] b = mode == 0 ? new[] { (byte)(sbyte)v } : mode == 1 ? BitConverter.GetBytes((short)v) : mode == 6 ? BitConverter.GetBytes((ushort)v) : BitConverter.GetBytes(v);
                if (!little) Array.Reverse(b);
                b.CopyTo(file, at); at += b.Length;
            }
            var path = Path.Combine(Path.GetTempPath(), "xtalps_mode_" + Guid.NewGuid().ToString("N") + ".mrc");
            try
            {
                File.WriteAllBytes(path, file);
                var image = DiffractionImageReader.ReadFrames(path).Single();
                Assert.Equal(values, image.PanelImages[0].Pixels);
                Assert.Equal(little ? "little_endian" : "big_endian", image.Header["ByteOrder"]);
            }
            finally { File.Delete(path); }
        }

        [Fact]
        public void Smv_variants_big_endian_signed_int_and_lying_sizes()
        {
            var dir = Directory.CreateTempSubdirectory("xtalps_smv_").FullName;
            try
            {
                int w = 6, h = 4;
                var values = Enumerable.Range(0, w * h).Select(i => i * 1000003 - 7000000).ToArray();
                string header = "{\nHEADER_BYTES=  512;\nDIM=2;\nBYTE_ORDER=big_endian;\nTYPE=signed_int;\nSIZE1=6;\nSIZE2=4;\nPIXEL_SIZE=0.1;\nDISTANCE=100;\nWAVELENGTH=0.9;\nBEAM_CENTER_X=0.2;\nBEAM_CENTER_Y=0.3;\nCCD_IMAGE_SATURATION=9000000;\n}\n";
                var file = new byte[512 + 4 * w * h];
                System.Text.Encoding.ASCII.GetBytes(header).CopyTo(file, 0);
                for (int i = 0; i < values.Length; i++) { var b = BitConverter.GetBytes(values[i]); Array.Reverse(b); b.CopyTo(file, 512 + 4 * i); }
                var good = Path.Combine(dir, "good.img");
                File.WriteAllBytes(good, file);
                var image = DiffractionImageReader.ReadFrames(good).Single();
                Assert.Equal(values.Select(v => (float)v).ToArray(), image.PanelImages[0].Pixels);
                Assert.Equal(9000000, image.Detector.Panels[0].TrustedMax);
                Assert.Equal(0, image.PanelImages[0].Mask[values.Length - 1]);   // 16 000 069 is above saturation
                Assert.Equal(0.9, image.Beam.Wavelength);

                var liar = Path.Combine(dir, "liar.img");
                File.WriteAllBytes(liar, System.Text.Encoding.ASCII.GetBytes(header.Replace("SIZE1=6", "SIZE1=100000").Replace("SIZE2=4", "SIZE2=100000")).Concat(new byte[600]).ToArray());
                var e = Assert.Throws<InvalidImageDataException>(() => DiffractionImageReader.ReadFrames(liar).ToList());
                Assert.Contains("liar.img", e.Message);
                var cut = Path.Combine(dir, "cut.img");
                File.WriteAllBytes(cut, file.AsSpan(0, file.Length - 1).ToArray());
                Assert.Throws<InvalidImageDataException>(() => DiffractionImageReader.ReadFrames(cut).ToList());
                Assert.Throws<InvalidImageDataException>(() => DiffractionImageReader.ReadFrames(good, FrameSelection.Single(1)).ToList());
            }
            finally { Directory.Delete(dir, true); }
        }

        internal static int[] BitsOf(float[] v) => v.Select(BitConverter.SingleToInt32Bits).ToArray();
    }
}
