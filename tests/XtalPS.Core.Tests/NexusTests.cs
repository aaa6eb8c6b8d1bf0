using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using PureHDF;
using PureHDF.Filters;
using PureHDF.VOL.Native;
using XtalPS.Formats;
using Xunit;

namespace XtalPS.Core.Tests
{
    public class NexusTests
    {
        [Theory]
        [InlineData(1, 64)]
        [InlineData(2, 1000)]
        [InlineData(2, 4099)]     // not a multiple of 8: three elements follow the last block verbatim
        [InlineData(4, 70001)]
        [InlineData(8, 17)]
        public void Bitshuffle_lz4_round_trips(int elementSize, int elements)
        {
            var rnd = new Random(elements);
            var data = new byte[elementSize * elements];
            for (int i = 0; i < data.Length; i++) data[i] = (byte)(i % elementSize == 0 ? rnd.Next(0, 40) : 0);
            var chunk = BitshuffleLz4Codec.EncodeBitshuffleLz4(data, elementSize);
            Assert.True(chunk.Length < data.Length || elements < 100);
            var back = new byte[data.Length];
            BitshuffleLz4Codec.DecodeBitshuffleLz4(chunk, back, elementSize);
            Assert.Equal(data, back);
            // Truncated or lying chunks fail cleanly.
            Assert.Throws<InvalidDataException>(() => BitshuffleLz4Codec.DecodeBitshuffleLz4(chunk.AsSpan(0, chunk.Length / 2), back, elementSize));
            Assert.Throws<InvalidDataException>(() => BitshuffleLz4Codec.DecodeBitshuffleLz4(chunk, new byte[back.Length + elementSize], elementSize));
        }

        /// <summary>The bit order: bit b of byte j of element i lands at bit (8j + b)·n + i, least significant first.</summary>
        [Fact]
        public void Bitshuffle_transposes_bits_as_defined()
        {
            var input = new byte[16];                       // 8 elements of 2 bytes
            input[2 * 3] = 0b0000_0100;                      // element 3, byte 0, bit 2
            input[2 * 6 + 1] = 0b1000_0000;                  // element 6, byte 1, bit 7
            var output = new byte[16];
            BitshuffleLz4Codec.BitShuffle(input, output, 8, 2);
            var expected = new byte[16];
            expected[2] = 1 << 3;                            // row 8·0+2, element 3
            expected[15] = 1 << 6;                           // row 8·1+7, element 6
            Assert.Equal(expected, output);
            var back = new byte[16];
            BitshuffleLz4Codec.BitUnshuffle(output, back, 8, 2);
            Assert.Equal(input, back);
        }

        [Fact]
        public void Real_master_without_data_files_gives_geometry_and_one_clear_error()
        {
            var path = SharedData.File_("real/eiger/Therm_6_2.nxs");
            var detector = NexusReader.ReadDetector(path);
            var beam = NexusReader.ReadBeam(path);
            // The same data set converted to miniCBF, as dxtbx reads it.
            var reference = SharedData.Dxtbx("real/eiger/dlsnxs2cbf_therm_0001.cbf.gz");
            var r = reference.GetProperty("panels")[0];
            var p = detector.Panels[0];
            Assert.Equal(r.GetProperty("size_fast_slow")[0].GetInt32(), p.Width);
            Assert.Equal(r.GetProperty("size_fast_slow")[1].GetInt32(), p.Height);
            Assert.Equal(0.075, p.PixelSize, 9);
            // The master's own numbers (module_offset 0.16620416 m, 0.17253079 m on det_z 213.95897 mm, McStas → DIALS) …
            Assert.Equal(-166.20416030999735, p.Origin.X, 9);
            Assert.Equal(172.53078501707142, p.Origin.Y, 9);
            Assert.Equal(-213.9589697850523, p.Origin.Z, 9);
            // … and the miniCBF converted from it, whose header rounds the distance to 0.21396 m.
            var o = r.GetProperty("origin_mm");
            Assert.InRange(p.Origin.X, o[0].GetDouble() - 1e-3, o[0].GetDouble() + 1e-3);
            Assert.InRange(p.Origin.Y, o[1].GetDouble() - 1e-3, o[1].GetDouble() + 1e-3);
            Assert.InRange(p.Origin.Z, o[2].GetDouble() - 2e-3, o[2].GetDouble() + 2e-3);
            Assert.Equal(1, p.FastAxis.X, 9); Assert.Equal(-1, p.SlowAxis.Y, 9);
            Assert.Equal(reference.GetProperty("wavelength_A").GetDouble(), beam.Wavelength, 4);
            Assert.Equal(0.45, p.Thickness, 9);

            var e = Assert.Throws<InvalidImageDataException>(() => DiffractionImageReader.ReadFrames(path).ToList());
            Assert.Contains("Therm_6_2_000001.h5", e.Message);
            Assert.Contains("missing", e.Message);
        }

        /// <summary>Writes a small NXmx file with PureHDF: 3 frames of uint16 in bitshuffle+LZ4 chunks (our encoder,
        /// run by PureHDF's filter pipeline), a pixel mask, a saturation value and a module whose fast axis is
        /// rotated 90° in McStas, hanging off a 120 mm translation.</summary>
        internal static (string Dir, string Path, ushort[][] Frames) WriteNxmx(int width = 40, int height = 30, int frames = 3, bool split = false)
        {
            NexusReader.RegisterFilters();
            var dir = Directory.CreateTempSubdirectory("xtalps_nxs_").FullName;
            var rnd = new Random(3);
            var pixels = Enumerable.Range(0, frames).Select(f => Enumerable.Range(0, width * height).Select(i => (ushort)(rnd.Next(0, 50) + (i == 7 ? 65535 - 50 : 0) + f)).ToArray()).ToArray();
            var mask = new uint[height * width];
            mask[3] = 1; mask[width * 2 + 5] = 8;
            var creation = new H5DatasetCreation(Filters: new List<H5Filter> { new H5Filter(Id: (ushort)BitshuffleLz4Codec.BitshuffleFilterId) });
            H5Dataset Data(ushort[] flat, int n) => new H5Dataset<ushort[]>(flat, chunks: new uint[] { 1, (uint)height, (uint)width },
                fileDims: new ulong[] { (ulong)n, (ulong)height, (ulong)width }, datasetCreation: creation);
            var dataGroup = new H5Group { Attributes = new() { ["NX_class"] = "NXdata" } };
            if (split)
            {
                dataGroup["data_000001"] = Data(pixels.Take(2).SelectMany(x => x).ToArray(), 2);
                dataGroup["data_000002"] = Data(pixels.Skip(2).SelectMany(x => x).ToArray(), frames - 2);
            }
            else dataGroup["data"] = Data(pixels.SelectMany(x => x).ToArray(), frames);
            H5Dataset Transform(double value, string type, double[] vector, string units, string dependsOn, double[]? offset = null) =>
                new H5Dataset<double>(value) { Attributes = new() {
                    ["transformation_type"] = type, ["vector"] = vector, ["units"] = units, ["depends_on"] = dependsOn,
                    ["offset"] = offset ?? new double[] { 0, 0, 0 } } };
            var file = new H5File
            {
                ["entry"] = new H5Group
                {
                    Attributes = new() { ["NX_class"] = "NXentry" },
                    ["definition"] = "NXmx",
                    ["data"] = dataGroup,
                    ["instrument"] = new H5Group
                    {
                        Attributes = new() { ["NX_class"] = "NXinstrument" },
                        ["beam"] = new H5Group { Attributes = new() { ["NX_class"] = "NXbeam" }, ["incident_wavelength"] = new H5Dataset<double>(0.0251) { Attributes = new() { ["units"] = "angstrom" } } },
                        ["detector"] = new H5Group
                        {
                            Attributes = new() { ["NX_class"] = "NXdetector" },
                            ["description"] = "Test Eiger",
                            ["x_pixel_size"] = new H5Dataset<double>(75e-6) { Attributes = new() { ["units"] = "m" } },
                            ["y_pixel_size"] = new H5Dataset<double>(75e-6) { Attributes = new() { ["units"] = "m" } },
                            ["saturation_value"] = 60000L,
                            ["sensor_thickness"] = new H5Dataset<double>(450.0) { Attributes = new() { ["units"] = "um" } },
                            ["pixel_mask"] = new H5Dataset<uint[]>(mask, fileDims: new ulong[] { (ulong)height, (ulong)width }),
                            ["depends_on"] = "/entry/instrument/transformations/det_z",
                            ["module"] = new H5Group
                            {
                                Attributes = new() { ["NX_class"] = "NXdetector_module" },
                                ["data_size"] = new int[] { height, width },
                                ["data_origin"] = new int[] { 0, 0 },
                                ["module_offset"] = Transform(0, "translation", new double[] { 1, 0, 0 }, "mm", "/entry/instrument/transformations/det_z", new double[] { 1.5, 1.2, 0 }),
                                // In McStas: fast along +y, slow along +x (the detector turned 90° about the beam).
                                ["fast_pixel_direction"] = Transform(0.075, "translation", new double[] { 0, 1, 0 }, "mm", "/entry/instrument/detector/module/module_offset"),
                                ["slow_pixel_direction"] = Transform(0.075, "translation", new double[] { 1, 0, 0 }, "mm", "/entry/instrument/detector/module/module_offset"),
                            },
                        },
                        ["transformations"] = new H5Group
                        {
                            Attributes = new() { ["NX_class"] = "NXtransformations" },
                            ["det_z"] = Transform(0.12, "translation", new double[] { 0, 0, 1 }, "m", "."),
                        },
                    },
                },
            };
            var path = Path.Combine(dir, "test_master.nxs");
            file.Write(path);
            return (dir, path, pixels);
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void Small_nxmx_with_bitshuffle_chunks_reads_back_exactly(bool split)
        {
            var (dir, path, frames) = WriteNxmx(split: split);
            try
            {
                var images = DiffractionImageReader.ReadFrames(path).ToList();
                Assert.Equal(3, images.Count);
                for (int f = 0; f < 3; f++)
                {
                    Assert.Equal("NeXus", images[f].Format);
                    Assert.Equal(f, images[f].FrameIndex);
                    Assert.Equal(frames[f].Select(v => (float)v).ToArray(), images[f].PanelImages[0].Pixels);
                }
                var m = images[0].PanelImages[0].Mask;
                Assert.Equal(0, m[3]);                       // pixel_mask
                Assert.Equal(0, m[40 * 2 + 5]);
                Assert.Equal(0, m[7]);                       // at or above saturation (60000)
                Assert.Equal(1, m[8]);
                var p = images[0].Detector.Panels[0];
                Assert.Equal(40, p.Width); Assert.Equal(30, p.Height);
                Assert.Equal(60000, p.TrustedMax);
                Assert.Equal(0.45, p.Thickness, 9);
                // McStas (1.5, 1.2, 120) mm → DIALS (−1.5, 1.2, −120); fast +y stays +y, slow +x → −x.
                Assert.Equal(-1.5, p.Origin.X, 9); Assert.Equal(1.2, p.Origin.Y, 9); Assert.Equal(-120, p.Origin.Z, 9);
                Assert.Equal(1, p.FastAxis.Y, 9); Assert.Equal(-1, p.SlowAxis.X, 9);
                Assert.Equal(0.0251, images[0].Beam.Wavelength, 12);

                var picked = DiffractionImageReader.ReadFrames(path, new FrameSelection(new[] { 2, 0 })).ToList();
                Assert.Equal(new[] { 2, 0 }, picked.Select(i => i.FrameIndex));
                Assert.Equal(frames[2].Select(v => (float)v).ToArray(), picked[0].PanelImages[0].Pixels);
                Assert.Throws<InvalidImageDataException>(() => DiffractionImageReader.ReadFrames(path, FrameSelection.Single(3)).ToList());
            }
            finally { Directory.Delete(dir, true); }
        }
    }
}
