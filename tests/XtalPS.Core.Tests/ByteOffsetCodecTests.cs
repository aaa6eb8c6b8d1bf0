using System;
using System.IO;
using XtalPS.Formats;
using Xunit;

namespace XtalPS.Core.Tests
{
    public class ByteOffsetCodecTests
    {
        [Fact]
        public void Round_trips_every_escape_width()
        {
            // Differences that need 1, 2, 4 and 8 bytes, and the boundary values of each.
            var values = new float[] { 0, 5, -122, 5, 127, -1, 32767 - 1, -32768, 70000, -70000, 1 << 23, -(1 << 23),
                16777216, -16777216, 0, 127, -1, -2, 1048500, 3 };
            var buffer = new byte[ByteOffsetCodec.MaxEncodedLength(values.Length)];
            int n = ByteOffsetCodec.Encode(values, buffer);
            var back = new float[values.Length];
            int used = ByteOffsetCodec.Decode(buffer.AsSpan(0, n), back);
            Assert.Equal(n, used);
            Assert.Equal(values, back);
        }

        [Fact]
        public void Encodes_small_steps_in_one_byte_and_escapes_as_cbflib_does()
        {
            var buffer = new byte[64];
            int n = ByteOffsetCodec.Encode(new float[] { 1, 3, 131 }, buffer);
            // 1, 2 as single bytes; 128 needs the 2-byte escape 0x80 then LE int16.
            Assert.Equal(new byte[] { 1, 2, 0x80, 128, 0 }, buffer.AsSpan(0, n).ToArray());
            n = ByteOffsetCodec.Encode(new float[] { 40000 }, buffer);
            Assert.Equal(new byte[] { 0x80, 0x00, 0x80, 0x40, 0x9C, 0, 0 }, buffer.AsSpan(0, n).ToArray());
        }

        [Fact]
        public void Random_images_round_trip_bit_exactly()
        {
            var rng = new Random(7);
            var values = new float[100_000];
            for (int i = 0; i < values.Length; i++)
                values[i] = rng.Next(10) == 0 ? rng.Next(-2, 1 << 24) : rng.Next(0, 50);
            var buffer = new byte[ByteOffsetCodec.MaxEncodedLength(values.Length)];
            int n = ByteOffsetCodec.Encode(values, buffer);
            var back = new float[values.Length];
            ByteOffsetCodec.Decode(buffer.AsSpan(0, n), back);
            Assert.Equal(values, back);
        }

        [Fact]
        public void A_truncated_stream_throws_instead_of_reading_past_the_end()
        {
            var buffer = new byte[64];
            int n = ByteOffsetCodec.Encode(new float[] { 1, 2, 40000, 5 }, buffer);
            var back = new float[4];
            for (int cut = 0; cut < n; cut++)
                Assert.Throws<InvalidDataException>(() => ByteOffsetCodec.Decode(buffer.AsSpan(0, cut), back));
        }

        [Fact]
        public void Vectorised_trusted_mask_equals_the_plain_rule()
        {
            var rng = new Random(5);
            foreach (int n in new[] { 0, 1, 31, 32, 33, 1000, 4099 })
            {
                var v = new float[n];
                for (int i = 0; i < n; i++)
                {
                    int k = rng.Next(8);
                    v[i] = k == 0 ? float.NaN : k == 1 ? -1 : k == 2 ? 100 : k == 3 ? float.PositiveInfinity : k == 4 ? float.NegativeInfinity : (float)(rng.NextDouble() * 200 - 50);
                }
                var mask = CbfReader.TrustedMask(v, -1, 100);
                for (int i = 0; i < n; i++) Assert.Equal(v[i] > -1 && v[i] < 100 ? 1 : 0, mask[i]);
            }
        }

        [Fact]
        public void Rejects_non_integer_pixels()
        {
            var buffer = new byte[64];
            Assert.Throws<ArgumentException>(() => ByteOffsetCodec.Encode(new float[] { 1.5f }, buffer));
        }
    }
}
