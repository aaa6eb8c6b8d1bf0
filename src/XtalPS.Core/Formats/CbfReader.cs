using System;
using System.Collections.Generic;
using System.Text;
using XtalPS.Geometry;
using XtalPS.Imaging;

namespace XtalPS.Formats
{
    /// <summary>
    /// Reads CBF files. Full imgCIF (an <c>_axis</c> table) is handed to <see cref="ImgCifReader"/>; the rest is
    /// read here as Pilatus/Eiger miniCBF files: one byte_offset (or uncompressed) array and a free-text header that
    /// fixes the geometry the way dxtbx's FormatCBFMini does (fast axis +x, slow axis −y, beam centre from
    /// Beam_xy × pixel size, panel at −distance along z). Pixel values −1 and −2 (module gaps, bad pixels)
    /// and values at or above Count_cutoff are masked.
    /// </summary>
    public static class CbfReader
    {
        public static bool LooksLikeCbf(ReadOnlySpan<byte> head)
        {
            var text = Encoding.ASCII.GetString(head.Slice(0, Math.Min(head.Length, 64)).ToArray());
            return text.StartsWith("###CBF", StringComparison.Ordinal) || text.StartsWith("data_", StringComparison.Ordinal);
        }

        /// <summary>
        /// Reads a CBF file: a full imgCIF file with an <c>_axis</c> table goes to <see cref="ImgCifReader"/>;
        /// anything else must be a miniCBF (one array and a Pilatus-style header).
        /// </summary>
        public static DiffractionImage Read(string path, byte[] file)
        {
            try { return ReadCore(path, file); }
            catch (ArgumentException e)
            {
                // Header values that no detector or beam can have (zero pixel size, infinite wavelength…).
                throw new InvalidImageDataException(path, "the header describes an impossible geometry: " + e.Message, e);
            }
        }

        private static DiffractionImage ReadCore(string path, byte[] file)
        {
            var sections = CbfBinarySection.FindAll(path, file);
            var cif = ImgCifReader.TextWithoutPayloads(path, file, sections);
            if (ImgCifReader.HasAxisTable(cif)) return ImgCifReader.Read(path, file, sections, cif, ImgCifOriginConvention.Dxtbx);
            if (sections.Count == 0) throw new InvalidImageDataException(path, "no binary image section (the CBF marker 0C 1A 04 D5 is missing).");
            var text = Encoding.ASCII.GetString(file, 0, sections[0].MarkerOffset);
            if (sections.Count != 1)
                throw new InvalidImageDataException(path, $"the file holds {sections.Count} arrays but no _axis table that places them.");

            var s = sections[0];
            if (s.Third != 1) throw new InvalidImageDataException(path, $"a miniCBF array must be 2D, this one is {s.Fastest}x{s.Second}x{s.Third}.");
            var header = MiniCbfHeader.Parse(ExtractHeaderContents(text));
            var pixels = s.Decode(path, file);

            double px = double.IsNaN(header.PixelSizeFast) ? 0.172 : header.PixelSizeFast;
            double distance = double.IsNaN(header.Distance) ? 100 : header.Distance;
            double bx = double.IsNaN(header.BeamX) ? s.Fastest / 2.0 : header.BeamX;
            double by = double.IsNaN(header.BeamY) ? s.Second / 2.0 : header.BeamY;
            double cutoff = double.IsNaN(header.CountCutoff) ? double.PositiveInfinity : header.CountCutoff;
            const double underload = -1;
            string name = header.Detector.Length > 0 ? header.Detector.Split(',')[0].Trim() : "Panel";
            var origin = new Vec3(-bx * px, by * (double.IsNaN(header.PixelSizeSlow) ? px : header.PixelSizeSlow), -distance);
            var panel = new Panel(name, s.Fastest, s.Second, px, origin, Vec3.UnitX, -Vec3.UnitY, underload, cutoff, 1.0,
                double.IsNaN(header.PixelSizeSlow) ? px : header.PixelSizeSlow, header.Thickness, header.Material);
            var detector = new DetectorModel(name, new[] { panel });
            var beam = new Beam(double.IsNaN(header.Wavelength) || header.Wavelength <= 0 ? 1.0 : header.Wavelength);
            var keys = new Dictionary<string, string>(header.Keys);
            if (DlsPilatus12MGeometry.Describes(header, s.Fastest, s.Second))
            {
                // A detector whose layout the header cannot express: 24 rows of modules on a cylinder.
                var rows = DlsPilatus12MGeometry.Build(header, underload, cutoff);
                return new DiffractionImage(path, 0, "miniCBF", rows, beam, DlsPilatus12MGeometry.Split(pixels, rows), keys);
            }

            var mask = TrustedMask(pixels, underload, cutoff);
            return new DiffractionImage(path, 0, "miniCBF", detector, beam, new[] { new PanelImage(0, s.Fastest, s.Second, pixels, mask) }, keys);
        }

        /// <summary>1 where low &lt; value &lt; high and the value is finite, else 0.</summary>
        public static byte[] TrustedMask(float[] pixels, double low, double high)
        {
            // Every byte is written below, so the array need not be zeroed first.
#if NET
            var mask = GC.AllocateUninitializedArray<byte>(pixels.Length);
#else
            var mask = new byte[pixels.Length];
#endif
            float lo = (float)low, hi = double.IsPositiveInfinity(high) ? float.PositiveInfinity : (float)high;
            int i = 0;
            int lanes = System.Numerics.Vector<float>.Count;
            if (System.Numerics.Vector.IsHardwareAccelerated && lanes * 4 == System.Numerics.Vector<byte>.Count)
            {
                // Four float vectors compare to four int masks, narrowed twice into one byte vector (0 or 0xFF), then
                // masked to 0/1. NaN compares false, so it is masked too.
                var vlo = new System.Numerics.Vector<float>(lo);
                var vhi = new System.Numerics.Vector<float>(hi);
                var one = System.Numerics.Vector<byte>.One;
                var src = System.Runtime.InteropServices.MemoryMarshal.Cast<float, System.Numerics.Vector<float>>(pixels.AsSpan());
                var dst = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, System.Numerics.Vector<byte>>(mask.AsSpan());
                for (int v = 0; v < dst.Length && 4 * v + 3 < src.Length; v++)
                {
                    var a = System.Numerics.Vector.BitwiseAnd(System.Numerics.Vector.GreaterThan(src[4 * v], vlo), System.Numerics.Vector.LessThan(src[4 * v], vhi));
                    var b = System.Numerics.Vector.BitwiseAnd(System.Numerics.Vector.GreaterThan(src[4 * v + 1], vlo), System.Numerics.Vector.LessThan(src[4 * v + 1], vhi));
                    var c = System.Numerics.Vector.BitwiseAnd(System.Numerics.Vector.GreaterThan(src[4 * v + 2], vlo), System.Numerics.Vector.LessThan(src[4 * v + 2], vhi));
                    var d = System.Numerics.Vector.BitwiseAnd(System.Numerics.Vector.GreaterThan(src[4 * v + 3], vlo), System.Numerics.Vector.LessThan(src[4 * v + 3], vhi));
                    var ab = System.Numerics.Vector.Narrow(System.Numerics.Vector.AsVectorUInt32(a), System.Numerics.Vector.AsVectorUInt32(b));
                    var cd = System.Numerics.Vector.Narrow(System.Numerics.Vector.AsVectorUInt32(c), System.Numerics.Vector.AsVectorUInt32(d));
                    dst[v] = System.Numerics.Vector.BitwiseAnd(System.Numerics.Vector.Narrow(ab, cd), one);
                    i = 4 * lanes * (v + 1);
                }
            }
            for (; i < pixels.Length; i++)
            {
                float v = pixels[i];
                mask[i] = v > lo && v < hi ? (byte)1 : (byte)0;
            }
            return mask;
        }

        private static string ExtractHeaderContents(string text)
        {
            int k = text.IndexOf("_array_data.header_contents", StringComparison.Ordinal);
            if (k < 0) return "";
            int open = text.IndexOf("\n;", k, StringComparison.Ordinal);
            if (open < 0) return "";
            int close = text.IndexOf("\n;", open + 2, StringComparison.Ordinal);
            return close < 0 ? text.Substring(open + 2) : text.Substring(open + 2, close - open - 2);
        }
    }
}
