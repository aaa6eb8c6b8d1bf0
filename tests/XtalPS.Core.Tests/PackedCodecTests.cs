using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using XtalPS.Formats;
using Xunit;

namespace XtalPS.Core.Tests
{
    /// <summary>
    /// The packed decoder against streams written by a deliberately naive encoder in this file (one pool rule per
    /// pixel, straight from the format description), covering what the real files do not: V2 widths, flat,
    /// uncorrelated sections, narrow elements, long runs. The real files (CSPAD, Rayonix: V1 with averaging) are
    /// checked against dxtbx in ImgCifReaderTests.
    /// </summary>
    public class PackedCodecTests
    {
        [Theory]
        [InlineData(PackedVariant.V1, 17, 9, 1, false, false, 32)]
        [InlineData(PackedVariant.V2, 17, 9, 1, false, false, 32)]
        [InlineData(PackedVariant.V2, 13, 6, 4, false, false, 32)]
        [InlineData(PackedVariant.V1, 13, 6, 4, false, true, 32)]
        [InlineData(PackedVariant.V2, 40, 3, 2, true, false, 32)]
        [InlineData(PackedVariant.V1, 2, 5, 3, false, false, 32)]
        [InlineData(PackedVariant.V2, 11, 7, 2, false, false, 16)]
        [InlineData(PackedVariant.V1, 11, 7, 1, true, false, 16)]
        public void Decodes_what_a_naive_encoder_wrote(PackedVariant variant, int nf, int nm, int ns, bool flat, bool uncorrelated, int bits)
        {
            var rng = new Random(nf * 1000 + nm * 10 + ns);
            int n = nf * nm * ns;
            var values = new int[n];
            for (int i = 0; i < n; i++)
            {
                int r = rng.Next(100);
                values[i] = r < 60 ? 100 + rng.Next(-3, 4)           // smooth background
                    : r < 90 ? rng.Next(-200, 5000)                   // spots
                    : r < 97 ? 0                                       // runs of zeros
                    : bits == 32 ? rng.Next(int.MinValue, int.MaxValue) : rng.Next(-32768, 32767);   // anything
            }
            var layout = new PackedCodec.Layout(nf, nm, ns, flat, uncorrelated);
            var payload = NaiveEncode(values, variant, layout, bits, rng);
            var decoded = new float[n];
            PackedCodec.Decode(payload, decoded, variant, layout, bits);
            for (int i = 0; i < n; i++) Assert.True((float)values[i] == decoded[i], $"value {i}: {values[i]} decoded as {decoded[i]}");

            // Every shorter payload is rejected as invalid data, never read past.
            for (int cut = 0; cut < payload.Length; cut += Math.Max(1, payload.Length / 50))
                Assert.ThrowsAny<InvalidDataException>(() => PackedCodec.Decode(payload.AsSpan(0, cut), new float[n], variant, layout, bits));
        }

        [Fact]
        public void Garbage_never_escapes_as_another_exception()
        {
            var rng = new Random(3);
            for (int t = 0; t < 3000; t++)
            {
                var payload = new byte[rng.Next(0, 400)];
                rng.NextBytes(payload);
                int nf = rng.Next(1, 30), nm = rng.Next(1, 20), ns = rng.Next(1, 3);
                if (payload.Length >= 8) BitConverter.GetBytes((ulong)(nf * nm * ns)).CopyTo(payload, 0);
                var layout = new PackedCodec.Layout(nf, nm, ns, rng.Next(4) == 0, rng.Next(2) == 0);
                try { PackedCodec.Decode(payload, new float[nf * nm * ns], rng.Next(2) == 0 ? PackedVariant.V1 : PackedVariant.V2, layout, new[] { 8, 16, 32 }[rng.Next(3)]); }
                catch (InvalidDataException) { }
            }
        }

        [Fact]
        public void Header_count_must_match_the_array()
        {
            var layout = new PackedCodec.Layout(4, 4, 1, false, false);
            var payload = NaiveEncode(new int[16], PackedVariant.V1, layout, 32, new Random(1));
            var e = Assert.Throws<InvalidDataException>(() => PackedCodec.Decode(payload, new float[15], PackedVariant.V1, new PackedCodec.Layout(5, 3, 1, false, false)));
            Assert.Contains("16", e.Message);
        }

        // ---- a slow, literal encoder ----

        private static byte[] NaiveEncode(int[] values, PackedVariant variant, PackedCodec.Layout layout, int bits, Random rng)
        {
            int n = values.Length;
            long mask = bits == 32 ? 0xFFFFFFFFL : (1L << bits) - 1;
            var offsets = new long[n];
            for (int i = 0; i < n; i++)
            {
                long prediction = Prediction(values, i, layout, bits);
                long d = ((values[i] & mask) - (prediction & mask)) & mask;
                if (d >= (mask + 1) / 2) d -= mask + 1;      // the signed difference modulo 2^bits
                offsets[i] = d;
            }
            byte[] widths = variant == PackedVariant.V2
                ? new byte[] { 0, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 65 }
                : new byte[] { 0, 4, 5, 6, 7, 8, 16, 65 };
            int codeBits = variant == PackedVariant.V2 ? 7 : 6;
            var w = new BitWriter();
            for (int k = 0; k < 32; k++) w.Put(k < 8 ? (ulong)n >> (8 * k) & 0xFF : 0, 8);   // header: count, min, max, reserved
            int pos = 0;
            while (pos < n)
            {
                int log2 = rng.Next(8);
                int run = Math.Min(1 << log2, n - pos);
                long needMax = 0;
                for (int j = 0; j < run; j++) needMax = Math.Max(needMax, BitsNeeded(offsets[pos + j]));
                int idx = Array.FindIndex(widths, x => x >= needMax);
                if (rng.Next(5) == 0 && idx < widths.Length - 1) idx++;                // not always the tightest width
                w.Put((ulong)((idx << 3) | log2), codeBits);
                int width = widths[idx] == 65 && !layout.Flat ? bits : widths[idx];
                // A block may promise more values than remain; the decoder stops at the array's end.
                for (int j = 0; j < run; j++)
                {
                    long v = offsets[pos + j];
                    if (width == 65) { w.Put((ulong)v, 32); w.Put(v < 0 ? ~0UL : 0, 33); }
                    else if (width > 0) w.Put((ulong)v & ((1UL << width) - 1), width);
                }
                pos += run;
            }
            return w.ToArray();
        }

        private static int BitsNeeded(long v)
        {
            if (v == 0) return 0;
            for (int b = 1; b < 64; b++)
            {
                long lo = -(1L << (b - 1)), hi = (1L << (b - 1)) - 1;
                if (v >= lo && v <= hi) return b;
            }
            return 64;
        }

        /// <summary>The format's pool rule, pixel by pixel, on the values already written (as bit patterns).</summary>
        private static long Prediction(int[] values, int i, PackedCodec.Layout L, int bits)
        {
            long mask = bits == 32 ? 0xFFFFFFFFL : (1L << bits) - 1;
            long Raw(int j) => values[j] & mask;
            if (i == 0) return 0;
            if (L.Flat) return Raw(i - 1);
            int nf = L.Fastest, nm = L.Second, plane = nf * nm;
            int k = i / plane, s = i % plane / nf, f = i % nf;
            var pool = new List<int>();
            if (s == 0) pool.Add(f == 0 ? i - plane : i - 1);
            else
            {
                bool corr = k > 0 && !L.UncorrelatedSections;
                // (position now, position in the previous section): the left neighbour's stand-in there is (f, s).
                var here = new List<(int Now, int Before)>();
                if (f > 0) here.Add((i - 1, i - plane));
                if (f < nf - 1) here.Add((i - nf + 1, i - nf + 1 - plane));
                here.Add((i - nf, i - nf - plane));
                if (f > 0 && f < nf - 1) here.Add((i - nf - 1, i - nf - 1 - plane));
                pool.AddRange(here.Select(h => h.Now));
                if (corr) pool.AddRange(here.Select(h => h.Before));
            }
            long sum = pool.Sum(j => Raw(j)) & mask;
            long signBit = 1L << (bits - 1);
            long signed = (sum & signBit) != 0 ? sum - (mask + 1) : sum;
            int half = pool.Count / 2;
            return half == 0 ? signed : (signed + half) >> (half == 1 ? 1 : half == 2 ? 2 : 3);
        }

        private sealed class BitWriter
        {
            private readonly List<byte> _bytes = new List<byte>();
            private ulong _acc;
            private int _n;

            public void Put(ulong v, int bits)
            {
                for (int b = 0; b < bits; b++)
                {
                    _acc |= ((v >> Math.Min(b, 63)) & 1) << _n;
                    if (++_n == 8) { _bytes.Add((byte)_acc); _acc = 0; _n = 0; }
                }
            }

            public byte[] ToArray()
            {
                var list = new List<byte>(_bytes);
                if (_n > 0) list.Add((byte)_acc);
                return list.ToArray();
            }
        }
    }
}
