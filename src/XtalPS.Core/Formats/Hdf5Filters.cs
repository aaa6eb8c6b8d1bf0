#if NET
using System;
using System.Collections.Generic;
using PureHDF.Filters;

namespace XtalPS.Formats
{
    /// <summary>HDF5 filter 32008 (bitshuffle; cd_values: major, minor, element size, block size, compression 2 = LZ4)
    /// for PureHDF, in both directions, with our own <see cref="BitshuffleLz4Codec"/>.</summary>
    internal sealed class Hdf5BitshuffleFilter : IH5Filter
    {
        public ushort FilterId => BitshuffleLz4Codec.BitshuffleFilterId;
        public string Name => "bitshuffle";

        public Memory<byte> Filter(FilterInfo info)
        {
            var p = info.Parameters ?? Array.Empty<uint>();
            int elementSize = p.Length > 2 ? (int)p[2] : 0;
            int blockElements = p.Length > 3 ? (int)p[3] : 0;
            bool lz4 = p.Length > 4 && p[4] == 2;
            if (elementSize < 1 || elementSize > 8) throw new System.IO.InvalidDataException($"bitshuffle element size {elementSize} is not supported.");
            if (!lz4) throw new System.IO.InvalidDataException("bitshuffle without LZ4 is not supported.");
            if (info.Flags.HasFlag(H5FilterFlags.Decompress))
            {
                var chunk = info.Buffer.Span;
                if (chunk.Length < 12) throw new System.IO.InvalidDataException("the bitshuffle chunk is shorter than its header.");
                long total = System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(chunk);
                // A chunk never expands beyond the chunk PureHDF expects; LZ4 cannot expand more than 255:1.
                if (total < 0 || total > Math.Max((long)info.ChunkSize, 0) || total > 255L * chunk.Length + 64)
                    throw new System.IO.InvalidDataException($"the bitshuffle chunk claims {total} bytes.");
                var output = new byte[total];
                BitshuffleLz4Codec.DecodeBitshuffleLz4(chunk, output, elementSize);
                return output;
            }
            return BitshuffleLz4Codec.EncodeBitshuffleLz4(info.Buffer.Span, elementSize, blockElements);
        }

        public uint[] GetParameters(uint[] chunkDimensions, uint typeSize, Dictionary<string, object>? options) =>
            new uint[] { 0, 3, typeSize, 0, 2 };
    }

    /// <summary>HDF5 filter 32004 (LZ4) for PureHDF, decoding only.</summary>
    internal sealed class Hdf5Lz4Filter : IH5Filter
    {
        public ushort FilterId => BitshuffleLz4Codec.Lz4FilterId;
        public string Name => "lz4";

        public Memory<byte> Filter(FilterInfo info)
        {
            if (!info.Flags.HasFlag(H5FilterFlags.Decompress)) throw new NotSupportedException("XtalPS does not write LZ4 chunks.");
            var chunk = info.Buffer.Span;
            if (chunk.Length < 12) throw new System.IO.InvalidDataException("the LZ4 chunk is shorter than its header.");
            long total = System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(chunk);
            if (total < 0 || total > Math.Max((long)info.ChunkSize, 0) || total > 255L * chunk.Length + 64)
                throw new System.IO.InvalidDataException($"the LZ4 chunk claims {total} bytes.");
            var output = new byte[total];
            BitshuffleLz4Codec.DecodeLz4(chunk, output);
            return output;
        }

        public uint[] GetParameters(uint[] chunkDimensions, uint typeSize, Dictionary<string, object>? options) => new uint[] { 0 };
    }
}
#endif
