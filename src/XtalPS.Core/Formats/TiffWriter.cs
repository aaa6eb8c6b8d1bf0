using System;
using System.IO;
using BitMiracle.LibTiff.Classic;
using XtalPS.Imaging;

namespace XtalPS.Formats
{
    /// <summary>Writes a single-panel frame as an uncompressed 32-bit float greyscale TIFF (strips of 64 rows), atomically.</summary>
    public static class TiffWriter
    {
        public static void Write(DiffractionImage image, string path)
        {
            if (image.PanelCount != 1) throw new ArgumentException($"A TIFF holds one panel; this image has {image.PanelCount}.", nameof(image));
            var p = image.PanelImages[0];
            Write(p.Pixels, p.Width, p.Height, path);
        }

        public static void Write(float[] pixels, int width, int height, string path)
        {
            var bytes = Encode(pixels, width, height);
            AtomicFile.Write(path, s => s.Write(bytes, 0, bytes.Length));
        }

        /// <summary>The TIFF file as bytes (LibTiff closes the stream it writes to, so it writes to memory first).</summary>
        public static byte[] Encode(float[] pixels, int width, int height)
        {
            if (pixels == null) throw new ArgumentNullException(nameof(pixels));
            if (width < 1 || height < 1 || (long)width * height != pixels.Length) throw new ArgumentException("The pixel array does not match the image size.");
            const int rowsPerStrip = 64;
            var memory = new MemoryStream();
            var keep = new KeepOpenStream(memory);
            using (var tif = Tiff.ClientOpen("memory", "w", keep, new TiffStream()))
            {
                tif.SetField(TiffTag.IMAGEWIDTH, width);
                tif.SetField(TiffTag.IMAGELENGTH, height);
                tif.SetField(TiffTag.SAMPLESPERPIXEL, 1);
                tif.SetField(TiffTag.BITSPERSAMPLE, 32);
                tif.SetField(TiffTag.SAMPLEFORMAT, SampleFormat.IEEEFP);
                tif.SetField(TiffTag.PHOTOMETRIC, Photometric.MINISBLACK);
                tif.SetField(TiffTag.PLANARCONFIG, PlanarConfig.CONTIG);
                tif.SetField(TiffTag.COMPRESSION, Compression.NONE);
                tif.SetField(TiffTag.ROWSPERSTRIP, rowsPerStrip);
                tif.SetField(TiffTag.SOFTWARE, "XtalPS");
                var row = new byte[width * 4];
                for (int y = 0; y < height; y++)
                {
                    Buffer.BlockCopy(pixels, y * width * 4, row, 0, row.Length);
                    if (!tif.WriteScanline(row, y)) throw new IOException($"LibTiff could not write row {y}.");
                }
                tif.WriteDirectory();
            }
            return memory.ToArray();
        }

        /// <summary>A stream wrapper whose Close does not close the inner stream.</summary>
        private sealed class KeepOpenStream : Stream
        {
            private readonly Stream _inner;
            public KeepOpenStream(Stream inner) { _inner = inner; }
            public override bool CanRead => _inner.CanRead;
            public override bool CanSeek => _inner.CanSeek;
            public override bool CanWrite => _inner.CanWrite;
            public override long Length => _inner.Length;
            public override long Position { get => _inner.Position; set => _inner.Position = value; }
            public override void Flush() => _inner.Flush();
            public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
            public override long Seek(long offset, SeekOrigin origin) => _inner.Seek(offset, origin);
            public override void SetLength(long value) => _inner.SetLength(value);
            public override void Write(byte[] buffer, int offset, int count) => _inner.Write(buffer, offset, count);
            protected override void Dispose(bool disposing) { }
        }
    }
}
