using System;
using System.Buffers.Binary;
using System.IO;
using K4os.Compression.LZ4;

namespace XtalPS.Formats
{
    /// <summary>
    /// The chunk codecs of Dectris Eiger / NeXus HDF5 files: HDF5 filter 32008 (bitshuffle, K. Masui et al. 2015,
    /// with LZ4 blocks) and filter 32004 (plain LZ4 blocks). Both chunks start with an 8-byte big-endian
    /// uncompressed size and a 4-byte big-endian block size in bytes, then blocks of [4-byte big-endian
    /// compressed length, LZ4 block]. Bitshuffle transposes each block of n elements (n a multiple of 8) as a
    /// bit matrix: output bit (8·j + b)·n + i, packed least-significant first, holds bit b of byte j of element i.
    /// Elements left over after the last multiple of 8 follow the last block verbatim.
    /// </summary>
    public static class BitshuffleLz4Codec
    {
        public const int BitshuffleFilterId = 32008;
        public const int Lz4FilterId = 32004;
        /// <summary>Bitshuffle's default block: 8 KiB worth of elements, a multiple of 8, at least 128.</summary>
        public static int DefaultBlockElements(int elementSize) => Math.Max(128, 8192 / elementSize / 8 * 8);

        /// <summary>Decodes a bitshuffle+LZ4 chunk into <paramref name="output"/> (exactly the uncompressed size). Throws InvalidDataException on any inconsistency.</summary>
        public static void DecodeBitshuffleLz4(ReadOnlySpan<byte> chunk, Span<byte> output, int elementSize)
        {
            if (elementSize < 1 || elementSize > 8) throw new InvalidDataException($"bitshuffle element size {elementSize} is not supported.");
            if (chunk.Length < 12) throw new InvalidDataException("the bitshuffle chunk is shorter than its 12-byte header.");
            long total = BinaryPrimitives.ReadInt64BigEndian(chunk);
            int blockBytes = BinaryPrimitives.ReadInt32BigEndian(chunk.Slice(8));
            if (total != output.Length) throw new InvalidDataException($"the bitshuffle chunk holds {total} bytes, {output.Length} were expected.");
            if (total % elementSize != 0) throw new InvalidDataException("the bitshuffle chunk size is not a whole number of elements.");
            if (blockBytes == 0) blockBytes = DefaultBlockElements(elementSize) * elementSize;
            if (blockBytes < 0 || blockBytes % (8 * elementSize) != 0) throw new InvalidDataException($"the bitshuffle block size {blockBytes} is not a multiple of 8 elements.");
            long elements = total / elementSize;
            int blockElements = blockBytes / elementSize;
            var scratch = new byte[Math.Min(blockBytes, Math.Max(8 * elementSize, (int)Math.Min(int.MaxValue, total)))];
            int p = 12;
            long done = 0;
            while (elements - done >= 8)
            {
                long left = elements - done;
                int n = (int)Math.Min(blockElements, left - left % 8);
                int bytes = n * elementSize;
                if (p + 4 > chunk.Length) throw new InvalidDataException("the bitshuffle chunk ends inside a block header.");
                int compressed = BinaryPrimitives.ReadInt32BigEndian(chunk.Slice(p));
                p += 4;
                if (compressed < 0 || compressed > chunk.Length - p) throw new InvalidDataException($"a bitshuffle block claims {compressed} compressed bytes; {chunk.Length - p} remain.");
                int got = LZ4Codec.Decode(chunk.Slice(p, compressed), scratch.AsSpan(0, bytes));
                if (got != bytes) throw new InvalidDataException($"an LZ4 block decodes to {got} bytes, {bytes} were expected.");
                p += compressed;
                BitUnshuffle(scratch.AsSpan(0, bytes), output.Slice((int)(done * elementSize), bytes), n, elementSize);
                done += n;
            }
            int rest = (int)((elements - done) * elementSize);
            if (rest > 0)
            {
                if (p + rest > chunk.Length) throw new InvalidDataException("the bitshuffle chunk ends before its leftover elements.");
                chunk.Slice(p, rest).CopyTo(output.Slice((int)(done * elementSize)));
            }
        }

        /// <summary>Encodes <paramref name="input"/> as a bitshuffle+LZ4 chunk (our writer and tests use it).</summary>
        public static byte[] EncodeBitshuffleLz4(ReadOnlySpan<byte> input, int elementSize, int blockElements = 0)
        {
            if (input.Length % elementSize != 0) throw new ArgumentException("The input is not a whole number of elements.");
            if (blockElements == 0) blockElements = DefaultBlockElements(elementSize);
            if (blockElements % 8 != 0) throw new ArgumentException("The block must hold a multiple of 8 elements.");
            int elements = input.Length / elementSize, blockBytes = blockElements * elementSize;
            var output = new MemoryStream();
            var header = new byte[12];
            BinaryPrimitives.WriteInt64BigEndian(header, input.Length);
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(8), blockBytes);
            output.Write(header, 0, 12);
            var shuffled = new byte[blockBytes];
            var packed = new byte[LZ4Codec.MaximumOutputSize(blockBytes)];
            var length = new byte[4];
            int done = 0;
            while (elements - done >= 8)
            {
                int left = elements - done;
                int n = Math.Min(blockElements, left - left % 8), bytes = n * elementSize;
                BitShuffle(input.Slice(done * elementSize, bytes), shuffled.AsSpan(0, bytes), n, elementSize);
                int size = LZ4Codec.Encode(shuffled.AsSpan(0, bytes), packed, LZ4Level.L00_FAST);
                BinaryPrimitives.WriteInt32BigEndian(length, size);
                output.Write(length, 0, 4);
                output.Write(packed, 0, size);
                done += n;
            }
            var tail = input.Slice(done * elementSize).ToArray();
            output.Write(tail, 0, tail.Length);
            return output.ToArray();
        }

        /// <summary>Decodes an HDF5 LZ4 (filter 32004) chunk: blocks stored raw when their compressed length equals the block length.</summary>
        public static void DecodeLz4(ReadOnlySpan<byte> chunk, Span<byte> output)
        {
            if (chunk.Length < 12) throw new InvalidDataException("the LZ4 chunk is shorter than its 12-byte header.");
            long total = BinaryPrimitives.ReadInt64BigEndian(chunk);
            int blockBytes = BinaryPrimitives.ReadInt32BigEndian(chunk.Slice(8));
            if (total != output.Length) throw new InvalidDataException($"the LZ4 chunk holds {total} bytes, {output.Length} were expected.");
            if (blockBytes <= 0) throw new InvalidDataException($"the LZ4 block size {blockBytes} is invalid.");
            int p = 12;
            long done = 0;
            while (done < total)
            {
                int want = (int)Math.Min(blockBytes, total - done);
                if (p + 4 > chunk.Length) throw new InvalidDataException("the LZ4 chunk ends inside a block header.");
                int compressed = BinaryPrimitives.ReadInt32BigEndian(chunk.Slice(p));
                p += 4;
                if (compressed < 0 || compressed > chunk.Length - p) throw new InvalidDataException($"an LZ4 block claims {compressed} bytes; {chunk.Length - p} remain.");
                var target = output.Slice((int)done, want);
                if (compressed == want) chunk.Slice(p, want).CopyTo(target);
                else if (LZ4Codec.Decode(chunk.Slice(p, compressed), target) != want) throw new InvalidDataException("an LZ4 block does not decode to its stated size.");
                p += compressed;
                done += want;
            }
        }

        /// <summary>Bitshuffle transpose of n elements (n a multiple of 8) of <paramref name="size"/> bytes.</summary>
        public static void BitShuffle(ReadOnlySpan<byte> input, Span<byte> output, int n, int size)
        {
            output.Slice(0, n * size).Clear();
            int rowBytes = n / 8;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < size; j++)
                {
                    int v = input[i * size + j];
                    if (v == 0) continue;
                    for (int b = 0; b < 8; b++)
                        if ((v >> b & 1) != 0) output[(j * 8 + b) * rowBytes + (i >> 3)] |= (byte)(1 << (i & 7));
                }
        }

        /// <summary>Inverse of <see cref="BitShuffle"/>.</summary>
        public static void BitUnshuffle(ReadOnlySpan<byte> input, Span<byte> output, int n, int size)
        {
            int rowBytes = n / 8;
            output.Slice(0, n * size).Clear();
            for (int row = 0; row < 8 * size; row++)
            {
                int j = row >> 3, bit = 1 << (row & 7);
                var bits = input.Slice(row * rowBytes, rowBytes);
                for (int k = 0; k < rowBytes; k++)
                {
                    int v = bits[k];
                    if (v == 0) continue;
                    int i0 = k * 8;
                    for (int t = 0; t < 8; t++)
                        if ((v >> t & 1) != 0) output[(i0 + t) * size + j] |= (byte)bit;
                }
            }
        }
    }
}
