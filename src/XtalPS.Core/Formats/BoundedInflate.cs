using System;
using System.Buffers.Binary;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.RegularExpressions;

namespace XtalPS.Formats
{
    /// <summary>
    /// Undoes a .gz or .bz2 wrapper as a stream and stops as soon as the output grows past what the wrapped file's
    /// own header declares, so that a decompression bomb (a small archive of zeros that inflates to gigabytes) is
    /// refused after a few MB instead of being held in memory. The header is recognised from the first 64 KiB:
    /// SMV and MRC declare their exact length; a CBF declares each binary section's size in its MIME header, read
    /// as the sections stream past; a TIFF declares where its first directory lies. Anything else is refused at once.
    /// </summary>
    public static class BoundedInflate
    {
        /// <summary>Output inspected before the format is known.</summary>
        public const int Probe = 1 << 16;
        /// <summary>Text allowed beyond the last declared payload: CIF headers and trailers, SMV/MRC padding.</summary>
        public const long TextAllowance = 4L << 20;
        /// <summary>Most elements one CBF array may have (2^26 ≈ 67 Mpixel, beyond any detector module set).</summary>
        public const long MaxElementsPerArray = 1L << 26;

        private static readonly Regex BinarySize = new Regex(@"X-Binary-Size:\s*(\d{1,19})", RegexOptions.CultureInvariant);
        private static readonly Regex Elements = new Regex(@"X-Binary-Number-of-Elements:\s*(\d{1,19})", RegexOptions.CultureInvariant);
        private static readonly byte[] CbfMarker = { 0x0C, 0x1A, 0x04, 0xD5 };

        /// <summary>Reads <paramref name="input"/> (an inflating stream) to the end, or throws
        /// <see cref="InvalidImageDataException"/> when its content exceeds what it declares.</summary>
        public static byte[] Read(string path, Stream input, string kind, long hardLimit)
        {
            var output = new MemoryStream();
            var buffer = new byte[1 << 16];
            long limit = Probe;
            bool known = false, cbf = false;
            int scanned = 0;
            int n;
            while ((n = input.Read(buffer, 0, buffer.Length)) > 0)
            {
                output.Write(buffer, 0, n);
                if (!known && output.Length >= Probe)
                {
                    known = true;
                    limit = Declared(path, output.GetBuffer(), (int)output.Length, kind, out cbf);
                    if (cbf) limit = ExtendCbf(output.GetBuffer(), (int)output.Length, ref scanned, limit);
                }
                while (known && output.Length > limit)
                {
                    long extended = cbf ? ExtendCbf(output.GetBuffer(), (int)output.Length, ref scanned, limit) : limit;
                    if (extended <= limit)
                        throw new InvalidImageDataException(path, $"the {kind} stream expands beyond what the file inside declares ({limit} bytes); a damaged file or a decompression bomb.");
                    limit = extended;
                }
                if (output.Length > hardLimit)
                    throw new InvalidImageDataException(path, $"the {kind} stream expands beyond the largest size XtalPS reads ({hardLimit} bytes).");
            }
            return output.ToArray();
        }

        /// <summary>The length the header at the start of <paramref name="data"/> justifies (for a CBF: up to the first
        /// section's payload, extended as more sections arrive).</summary>
        private static long Declared(string path, byte[] data, int length, string kind, out bool cbf)
        {
            cbf = false;
            var head = new ReadOnlySpan<byte>(data, 0, length);
            if (CbfReader.LooksLikeCbf(head))
            {
                cbf = true;
                return TextAllowance; // extended section by section as the payloads are declared
            }
            if (SmvHeader.Looks(head))
            {
                var h = SmvHeader.Parse(path, head);
                long width = h.Long(path, "SIZE1", 0), height = h.Long(path, "SIZE2", 0);
                string type = h.Get("TYPE").ToLowerInvariant();
                int bytes = type.Contains("short") ? 2 : type.Contains("char") ? 1 : type.Contains("double") ? 8 : 4;
                if (width < 1 || height < 1 || width > 1 << 20 || height > 1 << 20)
                    throw new InvalidImageDataException(path, $"the SMV header gives a {width}x{height} image.");
                return h.HeaderBytes + width * height * bytes + Probe;
            }
            if (NexusReader.LooksLikeHdf5(head))
                throw new InvalidImageDataException(path, $"an HDF5 file inside a {kind} wrapper cannot be read; decompress it first.");
            if (TiffImage.Looks(head)) return TiffDeclared(head);
            if (head.Length >= MrcImage.HeaderBytes && MrcImage.Looks(head, long.MaxValue))
            {
                var h = MrcImage.ParseHeader(path, head, long.MaxValue);
                return h.DataOffset + h.FrameBytes * h.NZ + Probe;
            }
            throw new InvalidImageDataException(path, $"the {kind} stream does not hold a format XtalPS reads (supported inside .gz/.bz2: CBF, SMV, TIFF, MRC).");
        }

        /// <summary>Finds the CBF binary sections that start after <paramref name="scanned"/> and returns the end of the
        /// last one's declared payload plus <see cref="TextAllowance"/> (or <paramref name="limit"/> when none is new).</summary>
        private static long ExtendCbf(byte[] data, int length, ref int scanned, long limit)
        {
            long result = limit;
            while (scanned < length)
            {
                int m = new ReadOnlySpan<byte>(data, scanned, length - scanned).IndexOf(CbfMarker);
                if (m < 0) { scanned = Math.Max(scanned, length - CbfMarker.Length); break; }
                m += scanned;
                int from = Math.Max(scanned, m - 4096);
                string mime = Encoding.ASCII.GetString(data, from, m - from);
                long size = Number(BinarySize, mime, -1);
                long elements = Math.Min(Number(Elements, mime, MaxElementsPerArray), MaxElementsPerArray);
                // Any CBF compression needs at most 15 bytes per element (byte_offset's widest step); more is a lie.
                long payload = size < 0 ? 16 * elements : Math.Min(size, 16 * elements + 1024);
                long end = m + CbfMarker.Length + payload;
                result = Math.Max(result, end + TextAllowance);
                if (end >= length) { scanned = length; break; }
                scanned = (int)end;
            }
            return result;
        }

        private static long Number(Regex regex, string text, long fallback)
        {
            var match = regex.Match(text);
            return match.Success && long.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out long v) ? v : fallback;
        }

        /// <summary>A TIFF declares where its first image directory is; with the directory at hand, the size of the
        /// first image too. The file may not run far past either.</summary>
        private static long TiffDeclared(ReadOnlySpan<byte> head)
        {
            bool little = head[0] == (byte)'I';
            uint U32(ReadOnlySpan<byte> b) => little ? BinaryPrimitives.ReadUInt32LittleEndian(b) : BinaryPrimitives.ReadUInt32BigEndian(b);
            ushort U16(ReadOnlySpan<byte> b) => little ? BinaryPrimitives.ReadUInt16LittleEndian(b) : BinaryPrimitives.ReadUInt16BigEndian(b);
            long ifd = U32(head.Slice(4));
            long declared = ifd;
            if (ifd + 2 <= head.Length)
            {
                int count = U16(head.Slice((int)ifd));
                long width = 0, height = 0, bits = 8, samples = 1;
                for (int i = 0; i < count && ifd + 2 + 12 * (i + 1) <= head.Length; i++)
                {
                    var e = head.Slice((int)ifd + 2 + 12 * i, 12);
                    int tag = U16(e), type = U16(e.Slice(2));
                    long value = type == 3 ? U16(e.Slice(8)) : U32(e.Slice(8));
                    if (tag == 256) width = value;
                    else if (tag == 257) height = value;
                    else if (tag == 258) bits = Math.Max(bits, value);
                    else if (tag == 277) samples = value;
                }
                declared = Math.Max(declared, 8 + Math.Min(width, 1 << 20) * Math.Min(height, 1 << 20) * Math.Min(samples, 16) * Math.Min(bits, 64) / 8);
            }
            return declared + TextAllowance;
        }
    }
}
