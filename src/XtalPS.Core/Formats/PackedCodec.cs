using System;
using System.Buffers.Binary;
using System.IO;
using System.Runtime.InteropServices;

namespace XtalPS.Formats
{
    /// <summary>Variants of the CCP4 "packed" compression as CBF names them in <c>conversions</c>.</summary>
    public enum PackedVariant
    {
        /// <summary><c>x-CBF_PACKED</c>: 6-bit block headers, widths 0,4,5,6,7,8,16,max.</summary>
        V1,
        /// <summary><c>x-CBF_PACKED_V2</c>: 7-bit block headers, widths 0,3..16,max.</summary>
        V2,
    }

    /// <summary>
    /// CCP4 "packed" compression (J. P. Abrahams' pack_c as extended in CBFlib by Ellis &amp; Bernstein; used by
    /// cctbx.xfel CSPAD and LCLS Rayonix CBFs). The payload is a 32-byte header (element count, min, max,
    /// reserved; all 64-bit little-endian) followed by a bit stream read least-significant bit first. The stream
    /// is a sequence of blocks: a 6-bit (V1) or 7-bit (V2) code whose low 3 bits give log2 of the number of
    /// values in the block and whose upper bits index a table of bit widths; then that many signed
    /// (two's-complement) differences of that width. Each value is its difference plus a prediction: the
    /// previous value ("flat"), or, when the array has dimensions, the rounded mean of already-decoded
    /// neighbours (left, and the three below in the previous row; plus the same places in the previous
    /// section unless the sections are uncorrelated).
    /// </summary>
    /// <remarks>
    /// Decoding runs in two passes over the output buffer, viewed as 32-bit integers: first every difference is
    /// unpacked (the bit stream does not depend on the values), then the predictions are added row by row with
    /// loops specialised for the first row, the first column, the interior and the last column. No per-value
    /// allocation; reads never go past the payload.
    /// </remarks>
    public static class PackedCodec
    {
        /// <summary>Size of the payload header in bytes.</summary>
        public const int HeaderBytes = 32;

        private static readonly byte[] WidthsV1 = { 0, 4, 5, 6, 7, 8, 16, 65 };
        private static readonly byte[] WidthsV2 = { 0, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 65 };

        /// <summary>Options of one packed array.</summary>
        public readonly struct Layout
        {
            public Layout(int fastest, int second, int third, bool flat, bool uncorrelatedSections)
            {
                Fastest = fastest; Second = second; Third = third; Flat = flat; UncorrelatedSections = uncorrelatedSections;
            }

            public int Fastest { get; }
            public int Second { get; }
            public int Third { get; }
            /// <summary>Predict from the previous value only (CBF "flat", or an array without dimensions).</summary>
            public bool Flat { get; }
            /// <summary>Do not use the previous section (third index) in the prediction.</summary>
            public bool UncorrelatedSections { get; }
        }

        /// <summary>
        /// Decodes <c>output.Length</c> elements of <paramref name="elementBits"/> (8, 16 or 32) bits into float
        /// pixel values. Throws <see cref="InvalidDataException"/> on a corrupt or truncated stream.
        /// </summary>
        public static void Decode(ReadOnlySpan<byte> payload, Span<float> output, PackedVariant variant, Layout layout,
            int elementBits = 32, bool unsigned = false)
        {
            if (elementBits != 8 && elementBits != 16 && elementBits != 32)
                throw new InvalidDataException($"Packed arrays of {elementBits}-bit elements are not supported.");
            int n = output.Length;
            if (!layout.Flat && (long)layout.Fastest * layout.Second * layout.Third != n)
                throw new InvalidDataException($"The packed array's dimensions {layout.Fastest}x{layout.Second}x{layout.Third} do not match its {n} elements.");
            if (payload.Length < HeaderBytes) throw new InvalidDataException("The packed payload is shorter than its 32-byte header.");
            ulong declared = BinaryPrimitives.ReadUInt64LittleEndian(payload);
            if (declared != (ulong)n) throw new InvalidDataException($"The packed payload says it holds {declared} elements, the array has {n}.");

            // Integers are decoded in place in the output's memory, then converted to float in place.
            var raw = MemoryMarshal.Cast<float, int>(output);
            UnpackDifferences(payload.Slice(HeaderBytes), raw, variant, layout.Flat ? 0 : elementBits);
            if (elementBits == 32)
            {
                if (layout.Flat) AddPreviousValue32(raw);
                else AddAveragePrediction32(raw, layout.Fastest, layout.Second, layout.Third, layout.UncorrelatedSections);
            }
            else
            {
                AddPredictionNarrow(raw, layout, elementBits);
            }
            ToFloat(raw, output, elementBits, unsigned);
        }

        /// <summary>Pass 1: every block's differences, sign-extended, into <paramref name="dst"/>.</summary>
        /// <remarks>
        /// The bit buffer, its fill and the read position live in locals that never have their address taken, so the JIT
        /// keeps them in registers: the word-at-a-time refill is written out in the loop rather than called with ref
        /// arguments (which would pin all three to memory for the whole method). The careful byte-at-a-time refill
        /// near the end of the payload stays in <see cref="Refill"/>.
        /// </remarks>
        private static unsafe void UnpackDifferences(ReadOnlySpan<byte> stream, Span<int> dst, PackedVariant variant, int clipBits)
        {
            int codeBits = variant == PackedVariant.V2 ? 7 : 6;
            ulong codeMask = (1UL << codeBits) - 1;
            byte[] widths = variant == PackedVariant.V2 ? WidthsV2 : WidthsV1;
            int n = dst.Length, len = stream.Length;
            fixed (byte* src = stream)
            fixed (int* outp = dst)
            fixed (byte* table = widths)
            {
                ulong buf = 0;
                int avail = 0, p = 0, count = 0;
                int fastEnd = len - 8;
                while (count < n)
                {
                    if (avail < codeBits)
                    {
                        if (p <= fastEnd)
                        {
                            buf |= ReadWord(src + p) << avail;
                            int bytes = (63 - avail) >> 3;
                            p += bytes; avail += bytes << 3;
                        }
                        else
                        {
                            SlowRefill(src, len, ref p, ref buf, ref avail);
                            if (avail < codeBits) throw Truncated(count, n);
                        }
                    }
                    int code = (int)(buf & codeMask);
                    buf >>= codeBits; avail -= codeBits;
                    int run = 1 << (code & 7);
                    int width = table[code >> 3];
                    // With averaging the widest field is the element size; without it CBFlib writes 65 bits.
                    if (width == 65 && clipBits != 0) width = clipBits;
                    if (run > n - count) run = n - count;
                    int* o = outp + count;
                    if (width == 0)
                    {
                        for (int j = 0; j < run; j++) o[j] = 0;
                    }
                    else if (width <= 32)
                    {
                        int shift = 64 - width;
                        for (int j = 0; j < run; j++)
                        {
                            if (avail < width)
                            {
                                if (p <= fastEnd)
                                {
                                    buf |= ReadWord(src + p) << avail;
                                    int bytes = (63 - avail) >> 3;
                                    p += bytes; avail += bytes << 3;
                                }
                                else
                                {
                                    SlowRefill(src, len, ref p, ref buf, ref avail);
                                    if (avail < width) throw Truncated(count + j, n);
                                }
                            }
                            o[j] = (int)((long)(buf << shift) >> shift);
                            buf >>= width; avail -= width;
                        }
                    }
                    else
                    {
                        // 33..65-bit fields: only the low 32 bits matter modulo 2^32; skip the rest.
                        for (int j = 0; j < run; j++)
                        {
                            if (avail < 32)
                            {
                                Refill(src, len, ref p, ref buf, ref avail);
                                if (avail < 32) throw Truncated(count + j, n);
                            }
                            o[j] = (int)(uint)buf;
                            buf >>= 32; avail -= 32;
                            int rest = width - 32;
                            while (rest > 0)
                            {
                                int take = rest > 32 ? 32 : rest;
                                if (avail < take)
                                {
                                    Refill(src, len, ref p, ref buf, ref avail);
                                    if (avail < take) throw Truncated(count + j, n);
                                }
                                buf = take == 64 ? 0 : buf >> take; avail -= take; rest -= take;
                            }
                        }
                    }
                    count += run;
                }
            }
        }

        /// <summary>Eight payload bytes as a little-endian word (unaligned read).</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static unsafe ulong ReadWord(byte* at) =>
            BitConverter.IsLittleEndian ? *(ulong*)at : BinaryPrimitives.ReverseEndianness(*(ulong*)at);

        /// <summary>The refill of the last bytes of the payload: one byte at a time, never past its end.</summary>
        private static unsafe void SlowRefill(byte* src, int len, ref int p, ref ulong buf, ref int avail)
        {
            while (avail <= 56 && p < len)
            {
                buf |= (ulong)src[p++] << avail;
                avail += 8;
            }
        }

        /// <summary>Tops the 64-bit buffer up to at least 56 valid bits when the payload has them.</summary>
        private static unsafe void Refill(byte* src, int len, ref int p, ref ulong buf, ref int avail)
        {
            if (p + 8 <= len)
            {
                // Branch-free refill: OR in 8 bytes, count only the whole bytes that fit. Bits beyond `avail`
                // that come along are the same bits the next refill would put there.
                ulong word = BitConverter.IsLittleEndian ? *(ulong*)(src + p) : BinaryPrimitives.ReverseEndianness(*(ulong*)(src + p));
                buf |= word << avail;
                int bytes = (63 - avail) >> 3;
                p += bytes;
                avail += bytes << 3;
            }
            else
            {
                while (avail <= 56 && p < len)
                {
                    buf |= (ulong)src[p++] << avail;
                    avail += 8;
                }
            }
        }

        private static InvalidDataException Truncated(int got, int want) =>
            new InvalidDataException($"The packed stream ends after {got} of {want} values.");

        private static void AddPreviousValue32(Span<int> v)
        {
            int prev = 0;
            for (int i = 0; i < v.Length; i++) { prev = unchecked(prev + v[i]); v[i] = prev; }
        }

        /// <summary>
        /// Pass 2 for 32-bit elements: v[i] += rounded mean of the neighbour pool (CBFlib's JPA averaging:
        /// (sum + n/2) >> log2(n) in 32-bit two's-complement arithmetic, n = 1, 2, 4 or 8).
        /// </summary>
        private static unsafe void AddAveragePrediction32(Span<int> values, int nf, int nm, int ns, bool uncorrelated)
        {
            int plane = nf * nm;
            fixed (int* v = values)
            {
                for (int k = 0; k < ns; k++)
                {
                    int* sec = v + (long)k * plane;
                    bool corr = k > 0 && !uncorrelated;
                    // First row of the section: left neighbour; its first pixel follows the previous section's first pixel.
                    if (k > 0) sec[0] = unchecked(sec[0] + sec[-plane]);
                    for (int f = 1; f < nf; f++) sec[f] = unchecked(sec[f] + sec[f - 1]);
                    for (int s = 1; s < nm; s++)
                    {
                        int* row = sec + (long)s * nf;
                        int* below = row - nf;
                        if (nf == 1)
                        {
                            // Degenerate one-column array (CBFlib reads an undefined slot here): use the pixel below.
                            int b = corr ? unchecked((below[0] + below[-plane] + 1) >> 1) : below[0];
                            row[0] = unchecked(row[0] + b);
                            continue;
                        }
                        if (!corr)
                        {
                            row[0] = unchecked(row[0] + ((below[1] + below[0] + 1) >> 1));
                            int last = nf - 1;
                            for (int f = 1; f < last; f++)
                                row[f] = unchecked(row[f] + ((row[f - 1] + below[f + 1] + below[f] + below[f - 1] + 2) >> 2));
                            row[last] = unchecked(row[last] + ((row[last - 1] + below[last] + 1) >> 1));
                        }
                        else
                        {
                            int* prow = row - plane;
                            int* pbelow = below - plane;
                            row[0] = unchecked(row[0] + ((below[1] + below[0] + pbelow[1] + pbelow[0] + 2) >> 2));
                            int last = nf - 1;
                            for (int f = 1; f < last; f++)
                                row[f] = unchecked(row[f] + ((row[f - 1] + below[f + 1] + below[f] + below[f - 1]
                                    + prow[f] + pbelow[f + 1] + pbelow[f] + pbelow[f - 1] + 4) >> 3));
                            row[last] = unchecked(row[last] + ((row[last - 1] + below[last] + prow[last] + pbelow[last] + 2) >> 2));
                        }
                    }
                }
            }
        }

        /// <summary>
        /// Pass 2 for 8- and 16-bit elements (rare; written plainly). Values are kept as zero-extended bit
        /// patterns as CBFlib stores them; the neighbour sum is cut to the element size and sign-extended from
        /// its top bit before rounding, as CBFlib does.
        /// </summary>
        private static void AddPredictionNarrow(Span<int> v, Layout layout, int bits)
        {
            int mask = (1 << bits) - 1, signBit = 1 << (bits - 1);
            if (layout.Flat)
            {
                int prev = 0;
                for (int i = 0; i < v.Length; i++) { prev = (prev + v[i]) & mask; v[i] = prev; }
                return;
            }
            int nf = layout.Fastest, nm = layout.Second, ns = layout.Third, plane = nf * nm;
            int i2 = 0;
            for (int k = 0; k < ns; k++)
                for (int s = 0; s < nm; s++)
                    for (int f = 0; f < nf; f++, i2++)
                    {
                        int sum = 0, count = 0;
                        if (i2 == 0) { }
                        else if (s == 0)
                        {
                            if (f == 0) { sum = v[i2 - plane]; count = 1; }
                            else { sum = v[i2 - 1]; count = 1; }
                        }
                        else
                        {
                            bool corr = k > 0 && !layout.UncorrelatedSections;
                            int b = i2 - nf;
                            if (nf == 1) { sum += v[b]; count++; if (corr) { sum += v[b - plane]; count++; } }
                            else if (f == 0)
                            {
                                sum += v[b + 1] + v[b]; count += 2;
                                if (corr) { sum += v[b + 1 - plane] + v[b - plane]; count += 2; }
                            }
                            else if (f == nf - 1)
                            {
                                sum += v[i2 - 1] + v[b]; count += 2;
                                if (corr) { sum += v[i2 - plane] + v[b - plane]; count += 2; }
                            }
                            else
                            {
                                sum += v[i2 - 1] + v[b + 1] + v[b] + v[b - 1]; count += 4;
                                if (corr) { sum += v[i2 - plane] + v[b + 1 - plane] + v[b - plane] + v[b - 1 - plane]; count += 4; }
                            }
                        }
                        sum = (sum & signBit) != 0 ? sum | ~mask : sum & mask;
                        int half = count >> 1;
                        int baseValue = half == 0 ? sum : (sum + half) >> (half == 1 ? 1 : half == 2 ? 2 : 3);
                        v[i2] = (baseValue + v[i2]) & mask;
                    }
        }

        private static void ToFloat(Span<int> raw, Span<float> output, int bits, bool unsigned)
        {
            // Same memory: each int (or vector of ints) is read before its float is written.
            int n = raw.Length;
            if (bits == 32)
            {
                if (unsigned) for (int i = 0; i < n; i++) output[i] = (uint)raw[i];
                else
                {
                    int i = 0;
                    if (System.Numerics.Vector.IsHardwareAccelerated)
                    {
                        var vi = MemoryMarshal.Cast<int, System.Numerics.Vector<int>>(raw);
                        var vf = MemoryMarshal.Cast<float, System.Numerics.Vector<float>>(output);
                        for (int k = 0; k < vi.Length; k++) vf[k] = System.Numerics.Vector.ConvertToSingle(vi[k]);
                        i = vi.Length * System.Numerics.Vector<int>.Count;
                    }
                    for (; i < n; i++) output[i] = raw[i];
                }
                return;
            }
            int shift = 32 - bits;
            if (unsigned) for (int i = 0; i < n; i++) output[i] = raw[i];
            else for (int i = 0; i < n; i++) output[i] = (raw[i] << shift) >> shift;
        }
    }
}
