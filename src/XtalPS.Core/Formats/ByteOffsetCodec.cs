using System;
using System.IO;

namespace XtalPS.Formats
{
    /// <summary>
    /// CBF "byte_offset" compression (CBFlib, Bernstein &amp; Hammersley; the Pilatus/Eiger miniCBF default):
    /// each value is stored as the difference from the previous one in 1 byte, or after an escape in 2, 4 or 8
    /// bytes (little-endian). The whole array is one stream; the running value starts at 0.
    /// </summary>
    public static class ByteOffsetCodec
    {
        /// <summary>
        /// Decodes exactly <c>output.Length</c> values from <paramref name="input"/>. Returns the bytes consumed.
        /// Throws <see cref="InvalidDataException"/> when the stream ends early; never reads past the input.
        /// </summary>
        public static unsafe int Decode(ReadOnlySpan<byte> input, Span<float> output)
        {
            int n = output.Length, len = input.Length;
            fixed (byte* src = input)
            fixed (float* dst = output)
            {
                long v = 0;
                int p = 0, i = 0;
                // Fast path: while at least 15 bytes remain, no escape sequence can run past the end.
                while (i < n && p + 15 <= len)
                {
                    sbyte d = (sbyte)src[p];
                    if (d != -128) { v += d; p += 1; }
                    else
                    {
                        short d2 = (short)(src[p + 1] | (src[p + 2] << 8));
                        if (d2 != short.MinValue) { v += d2; p += 3; }
                        else
                        {
                            int d4 = src[p + 3] | (src[p + 4] << 8) | (src[p + 5] << 16) | (src[p + 6] << 24);
                            if (d4 != int.MinValue) { v += d4; p += 7; }
                            else
                            {
                                long d8 = 0;
                                for (int b = 7; b >= 0; b--) d8 = (d8 << 8) | src[p + 7 + b];
                                v += d8; p += 15;
                            }
                        }
                    }
                    dst[i++] = v;
                }
                // Careful tail: every read checked.
                while (i < n)
                {
                    if (p >= len) throw Truncated(i, n);
                    sbyte d = (sbyte)src[p];
                    if (d != -128) { v += d; p += 1; }
                    else
                    {
                        if (p + 3 > len) throw Truncated(i, n);
                        short d2 = (short)(src[p + 1] | (src[p + 2] << 8));
                        if (d2 != short.MinValue) { v += d2; p += 3; }
                        else
                        {
                            if (p + 7 > len) throw Truncated(i, n);
                            int d4 = src[p + 3] | (src[p + 4] << 8) | (src[p + 5] << 16) | (src[p + 6] << 24);
                            if (d4 != int.MinValue) { v += d4; p += 7; }
                            else
                            {
                                if (p + 15 > len) throw Truncated(i, n);
                                long d8 = 0;
                                for (int b = 7; b >= 0; b--) d8 = (d8 << 8) | src[p + 7 + b];
                                v += d8; p += 15;
                            }
                        }
                    }
                    dst[i++] = v;
                }
                return p;
            }
        }

        private static InvalidDataException Truncated(int got, int want) =>
            new InvalidDataException($"The byte_offset stream ends after {got} of {want} values.");

        /// <summary>Worst-case encoded size of <paramref name="count"/> values.</summary>
        public static long MaxEncodedLength(int count) => 15L * count;

        /// <summary>
        /// Encodes integer-valued pixels. Returns the bytes written. Throws <see cref="ArgumentException"/> when a
        /// value is not an integer (CBF byte_offset stores integers only).
        /// </summary>
        public static int Encode(ReadOnlySpan<float> values, Span<byte> output)
        {
            long prev = 0;
            int p = 0;
            for (int i = 0; i < values.Length; i++)
            {
                float f = values[i];
                long v = (long)f;
                if (v != f) throw new ArgumentException($"Pixel {i} holds {f}, not an integer; byte_offset stores integers only.");
                long d = v - prev;
                prev = v;
                if (d > -128 && d < 128) { output[p++] = (byte)(sbyte)d; continue; }
                output[p++] = 0x80;
                if (d > short.MinValue && d <= short.MaxValue) { WriteLE(output, ref p, d, 2); continue; }
                output[p++] = 0x00; output[p++] = 0x80;
                if (d > int.MinValue && d <= int.MaxValue) { WriteLE(output, ref p, d, 4); continue; }
                output[p++] = 0; output[p++] = 0; output[p++] = 0; output[p++] = 0x80;
                WriteLE(output, ref p, d, 8);
            }
            return p;
        }

        private static void WriteLE(Span<byte> o, ref int p, long v, int bytes)
        {
            for (int b = 0; b < bytes; b++) o[p++] = (byte)(v >> (8 * b));
        }
    }
}
