using System;
using System.Buffers.Binary;
using System.IO;

namespace XtalPS.Formats
{
    /// <summary>Uncompressed pixel arrays of 8/16/32/64-bit integers or 32/64-bit IEEE reals, either byte order.</summary>
    public static class RawPixelCodec
    {
        public static void Decode(ReadOnlySpan<byte> input, Span<float> output, int bytesPerElement, bool unsigned, bool real, bool littleEndian)
        {
            long need = (long)output.Length * bytesPerElement;
            if (input.Length < need) throw new InvalidDataException($"The pixel data holds {input.Length} bytes, {need} are needed.");
            int n = output.Length;
            switch (bytesPerElement)
            {
                case 1:
                    for (int i = 0; i < n; i++) output[i] = unsigned ? input[i] : (sbyte)input[i];
                    break;
                case 2:
                    for (int i = 0; i < n; i++)
                    {
                        var s = input.Slice(2 * i, 2);
                        output[i] = unsigned
                            ? (littleEndian ? BinaryPrimitives.ReadUInt16LittleEndian(s) : BinaryPrimitives.ReadUInt16BigEndian(s))
                            : (littleEndian ? BinaryPrimitives.ReadInt16LittleEndian(s) : BinaryPrimitives.ReadInt16BigEndian(s));
                    }
                    break;
                case 4:
                    for (int i = 0; i < n; i++)
                    {
                        var s = input.Slice(4 * i, 4);
                        int raw = littleEndian ? BinaryPrimitives.ReadInt32LittleEndian(s) : BinaryPrimitives.ReadInt32BigEndian(s);
                        output[i] = real ? Int32BitsToSingle(raw) : unsigned ? (uint)raw : raw;
                    }
                    break;
                case 8:
                    for (int i = 0; i < n; i++)
                    {
                        var s = input.Slice(8 * i, 8);
                        long raw = littleEndian ? BinaryPrimitives.ReadInt64LittleEndian(s) : BinaryPrimitives.ReadInt64BigEndian(s);
                        output[i] = real ? (float)BitConverter.Int64BitsToDouble(raw) : unsigned ? (ulong)raw : raw;
                    }
                    break;
                default:
                    throw new InvalidDataException($"{bytesPerElement}-byte pixels are not supported.");
            }
        }

        private static unsafe float Int32BitsToSingle(int v) => *(float*)&v;
    }
}
