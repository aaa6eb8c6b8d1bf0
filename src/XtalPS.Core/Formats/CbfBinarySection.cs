using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace XtalPS.Formats
{
    /// <summary>
    /// One binary array of a CBF file: its MIME header (compression, element type, dimensions, size) and where
    /// its payload sits in the file. Found by the 4-byte marker 0C 1A 04 D5 that CBFlib writes before every payload.
    /// </summary>
    public sealed class CbfBinarySection
    {
        public static ReadOnlySpan<byte> Marker => new byte[] { 0x0C, 0x1A, 0x04, 0xD5 };

        public string Conversions { get; private set; } = "";
        public string ElementType { get; private set; } = "";
        public string ByteOrder { get; private set; } = "LITTLE_ENDIAN";
        public long BinarySize { get; private set; } = -1;
        public long ElementCount { get; private set; } = -1;
        public int Fastest { get; private set; }
        public int Second { get; private set; } = 1;
        public int Third { get; private set; } = 1;
        public int BinaryId { get; private set; }
        /// <summary>Offset of the first payload byte in the file.</summary>
        public int PayloadOffset { get; private set; }
        /// <summary>Offset where the text that introduces this section starts (after the previous payload).</summary>
        public int TextStart { get; private set; }
        /// <summary>Offset of the section's marker.</summary>
        public int MarkerOffset { get; private set; }

        /// <summary>Finds every binary section in a CBF file, checking that each payload lies inside the file.</summary>
        public static List<CbfBinarySection> FindAll(string path, byte[] file)
        {
            var list = new List<CbfBinarySection>();
            int searchFrom = 0;
            while (true)
            {
                int m = file.AsSpan(searchFrom).IndexOf(Marker);
                if (m < 0) break;
                m += searchFrom;
                var s = Parse(path, file, searchFrom, m);
                list.Add(s);
                long next = (long)s.PayloadOffset + s.BinarySize;
                if (next > file.Length)
                    throw new InvalidImageDataException(path, $"binary section {list.Count} claims {s.BinarySize} bytes but the file ends {file.Length - s.PayloadOffset} bytes after its start (truncated file or wrong X-Binary-Size).");
                searchFrom = (int)next;
            }
            return list;
        }

        private static CbfBinarySection Parse(string path, byte[] file, int textStart, int marker)
        {
            // The MIME header is the text just before the marker, after the last "--CIF-BINARY-FORMAT-SECTION--".
            int headerStart = Math.Max(textStart, marker - 4096);
            string text = Encoding.ASCII.GetString(file, headerStart, marker - headerStart);
            int b = text.LastIndexOf("--CIF-BINARY-FORMAT-SECTION--", StringComparison.Ordinal);
            if (b >= 0) text = text.Substring(b);
            var s = new CbfBinarySection { TextStart = textStart, MarkerOffset = marker, PayloadOffset = marker + 4 };
            foreach (var raw in text.Split('\n'))
            {
                var line = raw.Trim();
                int colon = line.IndexOf(':');
                string key = colon > 0 ? line.Substring(0, colon).Trim() : "";
                string value = colon > 0 ? line.Substring(colon + 1).Trim().Trim(';').Trim() : "";
                if (line.StartsWith("conversions=", StringComparison.OrdinalIgnoreCase)) s.Conversions = Unquote(line.Substring(12));
                else if (key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
                {
                    int c = value.IndexOf("conversions=", StringComparison.OrdinalIgnoreCase);
                    if (c >= 0) s.Conversions = Unquote(value.Substring(c + 12));
                }
                else if (key.Equals("X-Binary-Size", StringComparison.OrdinalIgnoreCase)) s.BinarySize = ParseLong(path, key, value);
                else if (key.Equals("X-Binary-ID", StringComparison.OrdinalIgnoreCase)) s.BinaryId = (int)Math.Min(int.MaxValue, ParseLong(path, key, value));
                else if (key.Equals("X-Binary-Element-Type", StringComparison.OrdinalIgnoreCase)) s.ElementType = Unquote(value);
                else if (key.Equals("X-Binary-Element-Byte-Order", StringComparison.OrdinalIgnoreCase)) s.ByteOrder = value;
                else if (key.Equals("X-Binary-Number-of-Elements", StringComparison.OrdinalIgnoreCase)) s.ElementCount = ParseLong(path, key, value);
                else if (key.Equals("X-Binary-Size-Fastest-Dimension", StringComparison.OrdinalIgnoreCase)) s.Fastest = ParseDim(path, key, value);
                else if (key.Equals("X-Binary-Size-Second-Dimension", StringComparison.OrdinalIgnoreCase)) s.Second = ParseDim(path, key, value);
                else if (key.Equals("X-Binary-Size-Third-Dimension", StringComparison.OrdinalIgnoreCase)) s.Third = ParseDim(path, key, value);
            }
            if (s.BinarySize < 0) throw new InvalidImageDataException(path, "a binary section has no X-Binary-Size.");
            if (s.ElementCount < 0) s.ElementCount = (long)s.Fastest * s.Second * s.Third;
            if (s.Fastest <= 0) throw new InvalidImageDataException(path, "a binary section has no X-Binary-Size-Fastest-Dimension.");
            if ((long)s.Fastest * s.Second * s.Third != s.ElementCount)
                throw new InvalidImageDataException(path, $"the binary section's dimensions {s.Fastest}x{s.Second}x{s.Third} do not multiply to its {s.ElementCount} elements.");
            return s;
        }

        private static string Unquote(string v) => v.Trim().Trim(';').Trim().Trim('"').Trim();

        private static long ParseLong(string path, string key, string value)
        {
            if (!long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) || v < 0)
                throw new InvalidImageDataException(path, $"{key} is '{value}', not a non-negative integer.");
            return v;
        }

        private static int ParseDim(string path, string key, string value)
        {
            long v = ParseLong(path, key, value);
            if (v < 1 || v > 1 << 20) throw new InvalidImageDataException(path, $"{key} is {v}, outside 1..{1 << 20}.");
            return (int)v;
        }

        /// <summary>Bytes per element of an uncompressed payload, from the element type.</summary>
        public int ElementBytes =>
            ElementType.Contains("8-bit") ? 1 : ElementType.Contains("16-bit") ? 2 : ElementType.Contains("64-bit") ? 8 : 4;
        public bool IsUnsigned => ElementType.StartsWith("unsigned", StringComparison.OrdinalIgnoreCase);
        public bool IsReal => ElementType.Contains("real") || ElementType.Contains("IEEE");

        /// <summary>Most elements a packed payload of <paramref name="payloadBytes"/> bytes may claim: real
        /// packed images need about a byte per pixel; this allows 4 pixels per byte plus 4 Mi so that a lying
        /// header cannot make us allocate far beyond what the file can justify.</summary>
        public static long MaxPackedElements(long payloadBytes) => 4 * payloadBytes + (1L << 22);

        /// <summary>True for x-CBF_PACKED and x-CBF_PACKED_V2.</summary>
        public bool IsPacked => Conversions.IndexOf("packed", StringComparison.OrdinalIgnoreCase) >= 0;

        /// <summary>
        /// Checks, before anything is allocated, that the compression is one we decode and that the payload is
        /// large enough for the number of elements claimed. Throws <see cref="InvalidImageDataException"/>.
        /// </summary>
        public void Validate(string path)
        {
            string conv = Conversions.ToLowerInvariant();
            if (ElementCount > int.MaxValue - 64)
                throw new InvalidImageDataException(path, $"the binary section claims {ElementCount} elements, more than XtalPS holds in one array.");
            if (conv.Contains("byte_offset"))
            {
                if (ElementCount > BinarySize)
                    throw new InvalidImageDataException(path, $"{ElementCount} byte_offset values cannot fit in {BinarySize} bytes.");
            }
            else if (IsPacked)
            {
                if (ElementCount > MaxPackedElements(BinarySize))
                    throw new InvalidImageDataException(path, $"{ElementCount} packed values in {BinarySize} bytes is not a plausible image.");
                if (ElementBytes > 4)
                    throw new InvalidImageDataException(path, $"packed arrays of '{ElementType}' are not supported.");
            }
            else if (conv.Length == 0 || conv == "x-cbf_none" || conv == "none")
            {
                if (ElementCount * ElementBytes > BinarySize)
                    throw new InvalidImageDataException(path, $"{ElementCount} uncompressed values of {ElementBytes} bytes cannot fit in {BinarySize} bytes.");
            }
            else
                throw new InvalidImageDataException(path, $"the compression '{Conversions}' is not supported.");
        }

        /// <summary>Validates, allocates and decodes the whole array.</summary>
        public float[] Decode(string path, byte[] file)
        {
            Validate(path);
            // Every element is written by the decoder (or the array is dropped with the exception), so it need not be zeroed first.
#if NET
            var pixels = GC.AllocateUninitializedArray<float>((int)ElementCount);
#else
            var pixels = new float[ElementCount];
#endif
            Decode(path, file, pixels);
            return pixels;
        }

        /// <summary>Decodes the payload into <paramref name="output"/> (ElementCount values).</summary>
        public void Decode(string path, byte[] file, Span<float> output)
        {
            if (output.Length != ElementCount) throw new ArgumentException("The output does not match the element count.");
            Validate(path);
            var payload = new ReadOnlySpan<byte>(file, PayloadOffset, (int)BinarySize);
            string conv = Conversions.ToLowerInvariant();
            try
            {
                if (conv.Contains("byte_offset"))
                    ByteOffsetCodec.Decode(payload, output);
                else if (IsPacked)
                {
                    var variant = conv.Contains("packed_v2") ? PackedVariant.V2 : PackedVariant.V1;
                    var layout = new PackedCodec.Layout(Fastest, Second, Third, conv.Contains("flat"), conv.Contains("uncorrelated"));
                    PackedCodec.Decode(payload, output, variant, layout, ElementBytes * 8, IsUnsigned);
                }
                else
                    RawPixelCodec.Decode(payload, output, ElementBytes, IsUnsigned, IsReal, !ByteOrder.StartsWith("BIG", StringComparison.OrdinalIgnoreCase));
            }
            catch (InvalidDataException e)
            {
                throw new InvalidImageDataException(path, e.Message, e);
            }
        }
    }
}
