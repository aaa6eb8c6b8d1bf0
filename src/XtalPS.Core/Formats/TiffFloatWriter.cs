using System;
using System.Buffers.Binary;
using System.IO;

namespace XtalPS.Formats
{
    /// <summary>
    /// A minimal baseline TIFF writer for one 32-bit IEEE float greyscale image (little-endian, uncompressed, one
    /// strip; SampleFormat 3) — enough for debug mosaics that ImageJ, Fiji and tifffile open. Written atomically.
    /// </summary>
    public static class TiffFloatWriter
    {
        public static void Write(string path, float[] pixels, int width, int height)
        {
            if (width <= 0 || height <= 0 || (long)width * height != pixels.Length) throw new ArgumentException("The pixel array does not match the image size.", nameof(pixels));
            if ((long)width * height * 4 > int.MaxValue - 4096) throw new ArgumentException("The image is too large for this TIFF writer.", nameof(pixels));
            AtomicFile.Write(path, s => WriteTo(s, pixels, width, height));
        }

        public static void WriteTo(Stream s, float[] pixels, int width, int height)
        {
            const int entries = 10;
            int ifdOffset = 8;
            int ifdSize = 2 + entries * 12 + 4;
            int dataOffset = ifdOffset + ifdSize;
            int byteCount = width * height * 4;
            var head = new byte[dataOffset];
            var h = new Span<byte>(head);
            head[0] = (byte)'I'; head[1] = (byte)'I';
            BinaryPrimitives.WriteUInt16LittleEndian(h.Slice(2), 42);
            BinaryPrimitives.WriteUInt32LittleEndian(h.Slice(4), (uint)ifdOffset);
            BinaryPrimitives.WriteUInt16LittleEndian(h.Slice(ifdOffset), entries);
            int p = ifdOffset + 2;
            void Entry(ushort tag, ushort type, uint value)
            {
                var e = new Span<byte>(head, p, 12);
                BinaryPrimitives.WriteUInt16LittleEndian(e, tag);
                BinaryPrimitives.WriteUInt16LittleEndian(e.Slice(2), type);
                BinaryPrimitives.WriteUInt32LittleEndian(e.Slice(4), 1);
                if (type == 3) BinaryPrimitives.WriteUInt16LittleEndian(e.Slice(8), (ushort)value);
                else BinaryPrimitives.WriteUInt32LittleEndian(e.Slice(8), value);
                p += 12;
            }
            // Tags in ascending order, as TIFF requires. Type 3 = SHORT, 4 = LONG.
            Entry(256, 4, (uint)width);        // ImageWidth
            Entry(257, 4, (uint)height);       // ImageLength
            Entry(258, 3, 32);                 // BitsPerSample
            Entry(259, 3, 1);                  // Compression: none
            Entry(262, 3, 1);                  // PhotometricInterpretation: black is zero
            Entry(273, 4, (uint)dataOffset);   // StripOffsets
            Entry(277, 3, 1);                  // SamplesPerPixel
            Entry(278, 4, (uint)height);       // RowsPerStrip
            Entry(279, 4, (uint)byteCount);    // StripByteCounts
            Entry(339, 3, 3);                  // SampleFormat: IEEE float
            BinaryPrimitives.WriteUInt32LittleEndian(h.Slice(p), 0); // no next IFD
            s.Write(head, 0, head.Length);
            var row = new byte[width * 4];
            for (int y = 0; y < height; y++)
            {
                for (int x = 0; x < width; x++)
                    BinaryPrimitives.WriteInt32LittleEndian(new Span<byte>(row, 4 * x, 4), MtzReader.SingleToInt32Bits(pixels[y * width + x]));
                s.Write(row, 0, row.Length);
            }
        }
    }
}
