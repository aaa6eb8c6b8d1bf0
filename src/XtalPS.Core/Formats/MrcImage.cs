using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using XtalPS.Imaging;

namespace XtalPS.Formats
{
    /// <summary>
    /// MRC images and image stacks (MRC2014, as written by electron-microscopy and 2D-crystallography programs):
    /// a 1024-byte header (NX, NY, NZ, MODE, …, NSYMBT extended-header bytes at byte 92, 'MAP ' at 208, the
    /// machine stamp at 212 that gives the byte order), then NZ sections of NX×NY values, NX the fast (column)
    /// index. Each section is a frame; frames are read one at a time from the stream. Modes 0 (int8), 1 (int16),
    /// 2 (float32) and 6 (uint16). MRC carries no diffraction geometry: frames get <see cref="UncalibratedGeometry"/>.
    /// </summary>
    public static class MrcImage
    {
        public const int HeaderBytes = 1024;
        public const int MaxSide = 1 << 16;

        /// <summary>The header fields XtalPS uses.</summary>
        public sealed class Header
        {
            public int NX, NY, NZ, Mode, ExtendedBytes;
            public bool LittleEndian;
            public int BytesPerValue => Mode == 0 ? 1 : Mode == 2 ? 4 : 2;
            public long DataOffset => HeaderBytes + (long)ExtendedBytes;
            public long FrameBytes => (long)NX * NY * BytesPerValue;
            public string Labels = "";
        }

        /// <summary>True when the first 1024 bytes look like an MRC header ('MAP ' at 208, or sane sizes and mode)
        /// whose data fit in a file of <paramref name="fileLength"/> bytes.</summary>
        public static bool Looks(ReadOnlySpan<byte> head, long fileLength)
        {
            if (head.Length < HeaderBytes) return false;
            bool map = head[208] == (byte)'M' && head[209] == (byte)'A' && head[210] == (byte)'P' && head[211] == (byte)' ';
            if (map) return true;
            foreach (bool little in new[] { true, false })
                if (TryParse(head, little, out var h) && h!.DataOffset + h.FrameBytes * h.NZ == fileLength) return true;
            return false;
        }

        public static Header ParseHeader(string path, ReadOnlySpan<byte> head, long fileLength)
        {
            if (head.Length < HeaderBytes || fileLength < HeaderBytes) throw new InvalidImageDataException(path, $"an MRC file needs a {HeaderBytes}-byte header; this one has {fileLength} bytes.");
            // Machine stamp: 0x44 0x4?/0x44 0x44 little-endian, 0x11 0x11 big-endian; older files have none.
            bool? little = head[212] == 0x44 ? true : head[212] == 0x11 ? false : (bool?)null;
            Header? h = null;
            if (little.HasValue) TryParse(head, little.Value, out h);
            else if (!TryParse(head, true, out h)) TryParse(head, false, out h);
            if (h is null)
            {
                int nx = BinaryPrimitives.ReadInt32LittleEndian(head), ny = BinaryPrimitives.ReadInt32LittleEndian(head.Slice(4)),
                    nz = BinaryPrimitives.ReadInt32LittleEndian(head.Slice(8)), mode = BinaryPrimitives.ReadInt32LittleEndian(head.Slice(12));
                throw new InvalidImageDataException(path, $"the MRC header is not valid (NX {nx}, NY {ny}, NZ {nz}, MODE {mode}, NSYMBT {BinaryPrimitives.ReadInt32LittleEndian(head.Slice(92))}); modes 0, 1, 2 and 6 with sides 1..{MaxSide} are read.");
            }
            long need = h!.DataOffset + h.FrameBytes * h.NZ;
            if (need > fileLength)
                throw new InvalidImageDataException(path, $"the MRC header promises {h.NZ} section(s) of {h.NX}x{h.NY} mode-{h.Mode} values after {h.DataOffset} bytes ({need} bytes in all), but the file holds {fileLength} (truncated file or lying header).");
            return h;
        }

        private static bool TryParse(ReadOnlySpan<byte> head, bool little, out Header? header)
        {
            header = null;
            int nx = Int(head, 0, little), ny = Int(head, 4, little), nz = Int(head, 8, little), mode = Int(head, 12, little), ext = Int(head, 92, little);
            if (nx < 1 || ny < 1 || nz < 1 || nx > MaxSide || ny > MaxSide || nz > 1 << 24) return false;
            if (mode != 0 && mode != 1 && mode != 2 && mode != 6) return false;
            if (ext < 0) return false;
            int labels = Math.Max(0, Math.Min(10, Int(head, 220, little)));
            var text = new StringBuilder();
            for (int i = 0; i < labels; i++)
            {
                var line = Encoding.ASCII.GetString(head.Slice(224 + 80 * i, 80).ToArray()).TrimEnd(' ', '\0');
                if (line.Length > 0) text.Append(text.Length > 0 ? " | " : "").Append(line);
            }
            header = new Header { NX = nx, NY = ny, NZ = nz, Mode = mode, ExtendedBytes = ext, LittleEndian = little, Labels = text.ToString() };
            return true;
        }

        private static int Int(ReadOnlySpan<byte> b, int offset, bool little) =>
            little ? BinaryPrimitives.ReadInt32LittleEndian(b.Slice(offset, 4)) : BinaryPrimitives.ReadInt32BigEndian(b.Slice(offset, 4));

        /// <summary>Reads the selected sections of an MRC file or stack from a seekable stream, one frame in memory at a time.</summary>
        public static IEnumerable<DiffractionImage> ReadFrames(string path, Stream stream, FrameSelection? frames = null)
        {
            var head = new byte[HeaderBytes];
            stream.Position = 0;
            ReadExactly(path, stream, head);
            var h = ParseHeader(path, head, stream.Length);
            var raw = new byte[h.FrameBytes];
            var inv = CultureInfo.InvariantCulture;
            foreach (int z in FrameSelection.Resolve(frames, h.NZ, path))
            {
                stream.Position = h.DataOffset + z * h.FrameBytes;
                ReadExactly(path, stream, raw);
                var pixels = new float[(long)h.NX * h.NY];
                switch (h.Mode)
                {
                    case 0: RawPixelCodec.Decode(raw, pixels, 1, false, false, true); break;
                    case 1: RawPixelCodec.Decode(raw, pixels, 2, false, false, h.LittleEndian); break;
                    case 2: RawPixelCodec.Decode(raw, pixels, 4, false, true, h.LittleEndian); break;
                    default: RawPixelCodec.Decode(raw, pixels, 2, true, false, h.LittleEndian); break;
                }
                var header = new Dictionary<string, string>
                {
                    ["NX"] = h.NX.ToString(inv), ["NY"] = h.NY.ToString(inv), ["NZ"] = h.NZ.ToString(inv), ["MODE"] = h.Mode.ToString(inv),
                    ["NSYMBT"] = h.ExtendedBytes.ToString(inv), ["ByteOrder"] = h.LittleEndian ? "little_endian" : "big_endian", ["Labels"] = h.Labels,
                };
                var mask = TrustedRange.Mask(pixels, double.NegativeInfinity, double.PositiveInfinity);
                yield return new DiffractionImage(path, z, "MRC", UncalibratedGeometry.Detector("MRC", h.NX, h.NY), UncalibratedGeometry.Beam(),
                    new[] { new PanelImage(0, h.NX, h.NY, pixels, mask) }, header);
            }
        }

        private static void ReadExactly(string path, Stream s, byte[] buffer)
        {
            int done = 0;
            while (done < buffer.Length)
            {
                int n = s.Read(buffer, done, buffer.Length - done);
                if (n <= 0) throw new InvalidImageDataException(path, $"the MRC file ends early ({done} of {buffer.Length} bytes read).");
                done += n;
            }
        }

        /// <summary>Writes a single-panel frame as a mode-2 (float32, little-endian) MRC file, atomically.</summary>
        public static void Write(DiffractionImage image, string path)
        {
            if (image.PanelCount != 1) throw new ArgumentException($"An MRC section holds one panel; this image has {image.PanelCount}.", nameof(image));
            var p = image.PanelImages[0];
            WriteStack(new[] { p.Pixels }, p.Width, p.Height, path);
        }

        /// <summary>Writes equally sized frames as the sections of one mode-2 MRC stack, atomically.</summary>
        public static void WriteStack(IReadOnlyList<float[]> frames, int width, int height, string path)
        {
            if (frames == null || frames.Count == 0) throw new ArgumentException("At least one frame is needed.", nameof(frames));
            if (width < 1 || height < 1 || width > MaxSide || height > MaxSide) throw new ArgumentException("Each side must lie in 1.." + MaxSide + ".");
            foreach (var f in frames)
                if (f == null || f.LongLength != (long)width * height) throw new ArgumentException("Every frame must hold width x height values.", nameof(frames));
            AtomicFile.Write(path, s => WriteStack(frames, width, height, s));
        }

        public static void WriteStack(IReadOnlyList<float[]> frames, int width, int height, Stream stream)
        {
            double min = double.PositiveInfinity, max = double.NegativeInfinity, sum = 0, sum2 = 0; long n = 0;
            foreach (var f in frames)
                foreach (float v in f)
                {
                    if (float.IsNaN(v) || float.IsInfinity(v)) continue;
                    if (v < min) min = v;
                    if (v > max) max = v;
                    sum += v; sum2 += (double)v * v; n++;
                }
            double mean = n > 0 ? sum / n : 0, rms = n > 0 ? Math.Sqrt(Math.Max(0, sum2 / n - mean * mean)) : 0;
            var head = new byte[HeaderBytes];
            void I(int at, int v) => BinaryPrimitives.WriteInt32LittleEndian(head.AsSpan(at, 4), v);
            void F(int at, double v) => BinaryPrimitives.WriteInt32LittleEndian(head.AsSpan(at, 4), SingleBits((float)v));
            I(0, width); I(4, height); I(8, frames.Count); I(12, 2);
            I(28, width); I(32, height); I(36, frames.Count);              // MX, MY, MZ: one sample per pixel
            F(40, width); F(44, height); F(48, frames.Count);              // cell in pixel units (1 Å per pixel)
            F(52, 90); F(56, 90); F(60, 90);
            I(64, 1); I(68, 2); I(72, 3);                                   // MAPC, MAPR, MAPS: columns, rows, sections
            F(76, n > 0 ? min : 0); F(80, n > 0 ? max : 0); F(84, mean);
            I(92, 0);                                                        // no extended header
            I(104, 0); I(108, 20140);                                        // EXTTYP none, NVERSION 2014
            Encoding.ASCII.GetBytes("MAP ").CopyTo(head, 208);
            head[212] = 0x44; head[213] = 0x44;                              // little-endian machine stamp
            F(216, rms);
            I(220, 1);
            var label = Encoding.ASCII.GetBytes("XtalPS".PadRight(80));
            Array.Copy(label, 0, head, 224, 80);
            stream.Write(head, 0, head.Length);
            var row = new byte[width * 4];
            foreach (var f in frames)
                for (int y = 0; y < height; y++)
                {
                    for (int x = 0; x < width; x++) BinaryPrimitives.WriteInt32LittleEndian(row.AsSpan(4 * x, 4), SingleBits(f[y * width + x]));
                    stream.Write(row, 0, row.Length);
                }
        }

        private static unsafe int SingleBits(float v) => *(int*)&v;
    }
}
