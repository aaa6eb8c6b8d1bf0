using System;
using System.Collections.Generic;
using System.IO;
using BitMiracle.LibTiff.Classic;
using XtalPS.Imaging;

namespace XtalPS.Formats
{
    /// <summary>
    /// Reads greyscale TIFF images (one sample per pixel; 8/16/32-bit unsigned or signed integers, 32/64-bit IEEE
    /// floats; strips or tiles; any compression LibTiff.NET decodes). Each image file directory is a frame.
    /// TIFF carries no diffraction geometry: frames get <see cref="UncalibratedGeometry"/>. Non-finite values are
    /// masked.
    /// </summary>
    public static class TiffImage
    {
        /// <summary>Largest panel side we accept.</summary>
        public const int MaxSide = 1 << 16;
        /// <summary>Highest expansion ratio we believe of a compressed TIFF (deflate peaks near 1032:1).</summary>
        private const long MaxExpansion = 1100;

        static TiffImage()
        {
            // LibTiff reports problems through a global handler that prints to the console by default: turn errors
            // into exceptions (caught below) and silence warnings.
            Tiff.SetErrorHandler(new ThrowingHandler());
        }

        public static bool Looks(ReadOnlySpan<byte> head) =>
            head.Length >= 4 && ((head[0] == (byte)'I' && head[1] == (byte)'I' && (head[2] == 42 || head[2] == 43) && head[3] == 0) ||
                                 (head[0] == (byte)'M' && head[1] == (byte)'M' && head[2] == 0 && (head[3] == 42 || head[3] == 43)));

        /// <summary>The frames (image file directories) of a TIFF held in memory.</summary>
        public static IEnumerable<DiffractionImage> ReadFrames(string path, byte[] file, FrameSelection? frames = null)
        {
            // The directory chain is checked here first: LibTiff, given a directory at a wrong offset or a tag whose
            // values lie past the end, can spend seconds on a few kilobytes.
            int count = CountDirectories(path, file);
            foreach (int index in FrameSelection.Resolve(frames, count, path))
                yield return ReadFrame(path, file, index, count);
        }

        /// <summary>Largest number of entries in one image file directory (real files have a few dozen).</summary>
        private const int MaxEntries = 4096;

        /// <summary>
        /// Walks the chain of image file directories (classic TIFF and BigTIFF): every directory, every tag's values
        /// and the next link must lie inside the file, and the chain must not loop. Returns the number of directories.
        /// </summary>
        internal static int CountDirectories(string path, byte[] file)
        {
            if (file.Length < 8 || !Looks(file)) throw new InvalidImageDataException(path, "the file does not start with a TIFF header.");
            bool little = file[0] == (byte)'I', big = (little ? file[2] : file[3]) == 43;
            ulong Read(long at, int size)
            {
                ulong v = 0;
                for (int i = 0; i < size; i++) v |= (ulong)file[at + (little ? i : size - 1 - i)] << (8 * i);
                return v;
            }
            int offsetSize = big ? 8 : 4, countSize = big ? 8 : 2, entrySize = big ? 20 : 12;
            if (big && (Read(4, 2) != 8 || file.Length < 16)) throw new InvalidImageDataException(path, "the BigTIFF header is damaged.");
            ulong next = Read(big ? 8 : 4, offsetSize);
            var seen = new HashSet<ulong>();
            int count = 0;
            while (next != 0)
            {
                if (next < (ulong)(big ? 16 : 8) || next > (ulong)(file.Length - countSize))
                    throw new InvalidImageDataException(path, $"TIFF directory {count} is said to lie at byte {next}, outside the {file.Length}-byte file.");
                if (!seen.Add(next)) throw new InvalidImageDataException(path, $"the TIFF directories form a loop at byte {next}.");
                long at = (long)next;
                ulong entries = Read(at, countSize);
                if (entries == 0 || entries > MaxEntries || at + countSize + (long)entries * entrySize + offsetSize > file.Length)
                    throw new InvalidImageDataException(path, $"TIFF directory {count} claims {entries} entries, more than the file holds.");
                for (long e = at + countSize, end = e + (long)entries * entrySize; e < end; e += entrySize)
                {
                    int type = (int)Read(e + 2, 2);
                    ulong values = Read(e + 4, offsetSize);
                    int size = TypeSize(type);
                    if (size == 0) continue; // a type LibTiff skips
                    if (values > (ulong)file.Length) throw new InvalidImageDataException(path, $"a TIFF tag claims {values} values in a {file.Length}-byte file.");
                    ulong bytes = values * (ulong)size;
                    if (bytes <= (ulong)offsetSize) continue; // the values sit in the entry itself
                    ulong where = Read(e + 4 + offsetSize, offsetSize);
                    if (where > (ulong)file.Length || bytes > (ulong)file.Length - where)
                        throw new InvalidImageDataException(path, $"a TIFF tag's {bytes} bytes of values at byte {where} run past the end of the {file.Length}-byte file.");
                }
                next = Read(at + countSize + (long)entries * entrySize, offsetSize);
                if (++count > 1 << 20) throw new InvalidImageDataException(path, "the TIFF has more than a million directories.");
            }
            if (count == 0) throw new InvalidImageDataException(path, "the TIFF has no image directory.");
            return count;
        }

        private static int TypeSize(int type)
        {
            switch (type)
            {
                case 1: case 2: case 6: case 7: return 1;
                case 3: case 8: return 2;
                case 4: case 9: case 11: case 13: return 4;
                case 5: case 10: case 12: case 16: case 17: case 18: return 8;
                default: return 0;
            }
        }

        private static DiffractionImage ReadFrame(string path, byte[] file, int index, int count)
        {
            using var tif = Open(path, file);
            return Guard(path, () =>
            {
                if (!tif.SetDirectory((short)index)) throw new InvalidImageDataException(path, $"TIFF directory {index} cannot be read.");
                int width = Int(tif, TiffTag.IMAGEWIDTH, -1), height = Int(tif, TiffTag.IMAGELENGTH, -1);
                int bits = Int(tif, TiffTag.BITSPERSAMPLE, 1), spp = Int(tif, TiffTag.SAMPLESPERPIXEL, 1);
                var format = (SampleFormat)Int(tif, TiffTag.SAMPLEFORMAT, (int)SampleFormat.UINT);
                if (width < 1 || height < 1 || width > MaxSide || height > MaxSide)
                    throw new InvalidImageDataException(path, $"the TIFF image is {width}x{height}; each side must lie in 1..{MaxSide}.");
                if (spp != 1) throw new InvalidImageDataException(path, $"the TIFF image has {spp} samples per pixel; only greyscale (1) is read.");
                bool real = format == SampleFormat.IEEEFP, unsigned = format == SampleFormat.UINT || format == SampleFormat.VOID;
                if (!(format == SampleFormat.IEEEFP || format == SampleFormat.INT || unsigned))
                    throw new InvalidImageDataException(path, $"the TIFF sample format {format} is not supported.");
                if (real ? bits != 32 && bits != 64 : bits != 8 && bits != 16 && bits != 32)
                    throw new InvalidImageDataException(path, $"{bits}-bit {(real ? "floating-point" : "integer")} TIFF samples are not supported.");
                int bytes = bits / 8;
                long need = (long)width * height * bytes;
                if (need > MaxExpansion * file.Length + (1 << 20) || need > int.MaxValue / 2)
                    throw new InvalidImageDataException(path, $"the TIFF claims {width}x{height} {bits}-bit pixels ({need} bytes), more than a {file.Length}-byte file can hold.");

                var raw = new byte[need];
                if (tif.IsTiled()) ReadTiles(path, tif, raw, width, height, bytes);
                else ReadStrips(path, tif, raw, width, height, bytes);
                var pixels = new float[(long)width * height];
                RawPixelCodec.Decode(raw, pixels, bytes, unsigned, real, BitConverter.IsLittleEndian);
                var mask = TrustedRange.Mask(pixels, double.NegativeInfinity, double.PositiveInfinity);
                var name = Path.GetFileNameWithoutExtension(path);
                var header = new Dictionary<string, string>
                {
                    ["ImageWidth"] = width.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["ImageLength"] = height.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["BitsPerSample"] = bits.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["SampleFormat"] = format.ToString(),
                    ["Compression"] = ((Compression)Int(tif, TiffTag.COMPRESSION, 1)).ToString(),
                    ["Directories"] = count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                };
                return new DiffractionImage(path, index, "TIFF", UncalibratedGeometry.Detector("TIFF", width, height), UncalibratedGeometry.Beam(),
                    new[] { new PanelImage(0, width, height, pixels, mask) }, header);
            });
        }

        private static void ReadStrips(string path, Tiff tif, byte[] raw, int width, int height, int bytes)
        {
            int rowsPerStrip = Int(tif, TiffTag.ROWSPERSTRIP, height);
            if (rowsPerStrip < 1 || rowsPerStrip > height) rowsPerStrip = height;
            int rowBytes = width * bytes;
            int strips = (height + rowsPerStrip - 1) / rowsPerStrip;
            if (tif.NumberOfStrips() < strips) throw new InvalidImageDataException(path, $"the TIFF has {tif.NumberOfStrips()} strips, {strips} are needed.");
            var buffer = new byte[(long)rowsPerStrip * rowBytes];
            for (int s = 0; s < strips; s++)
            {
                int rows = Math.Min(rowsPerStrip, height - s * rowsPerStrip);
                int want = rows * rowBytes;
                int got = tif.ReadEncodedStrip(s, buffer, 0, want);
                if (got < want) throw new InvalidImageDataException(path, $"TIFF strip {s} decodes to {Math.Max(got, 0)} bytes, {want} are needed.");
                Buffer.BlockCopy(buffer, 0, raw, s * rowsPerStrip * rowBytes, want);
            }
        }

        private static void ReadTiles(string path, Tiff tif, byte[] raw, int width, int height, int bytes)
        {
            int tw = Int(tif, TiffTag.TILEWIDTH, -1), th = Int(tif, TiffTag.TILELENGTH, -1);
            if (tw < 1 || th < 1 || tw > MaxSide || th > MaxSide) throw new InvalidImageDataException(path, $"the TIFF tile size {tw}x{th} is invalid.");
            long tileBytes = (long)tw * th * bytes;
            if (tileBytes > raw.LongLength + (long)(tw + th) * Math.Max(tw, th) * bytes + (1 << 20))
                throw new InvalidImageDataException(path, $"the TIFF tiles of {tw}x{th} are far larger than the image.");
            var buffer = new byte[tileBytes];
            int rowBytes = width * bytes;
            for (int y0 = 0; y0 < height; y0 += th)
                for (int x0 = 0; x0 < width; x0 += tw)
                {
                    int tile = tif.ComputeTile(x0, y0, 0, 0);
                    int got = tif.ReadEncodedTile(tile, buffer, 0, (int)tileBytes);
                    if (got < tileBytes) throw new InvalidImageDataException(path, $"TIFF tile {tile} decodes to {Math.Max(got, 0)} bytes, {tileBytes} are needed.");
                    int cols = Math.Min(tw, width - x0), rows = Math.Min(th, height - y0);
                    for (int r = 0; r < rows; r++)
                        Buffer.BlockCopy(buffer, r * tw * bytes, raw, (y0 + r) * rowBytes + x0 * bytes, cols * bytes);
                }
        }

        private static int Int(Tiff tif, TiffTag tag, int fallback)
        {
            var v = tif.GetField(tag);
            return v == null || v.Length == 0 ? fallback : v[0].ToInt();
        }

        private static Tiff Open(string path, byte[] file)
        {
            return Guard(path, () => Tiff.ClientOpen(path, "r", new MemoryStream(file, false), new TiffStream())
                ?? throw new InvalidImageDataException(path, "the TIFF header cannot be read."));
        }

        /// <summary>Runs LibTiff work, turning its failures (reported errors, and exceptions thrown deep inside on
        /// nonsense values) into <see cref="InvalidImageDataException"/>.</summary>
        private static T Guard<T>(string path, Func<T> work)
        {
            try { return work(); }
            catch (InvalidImageDataException) { throw; }
            catch (OutOfMemoryException e) { throw new InvalidImageDataException(path, "the TIFF asks for more memory than it can justify.", e); }
            catch (Exception e) when (e is LibTiffError || e is IndexOutOfRangeException || e is ArgumentException || e is InvalidOperationException
                                      || e is OverflowException || e is NullReferenceException || e is IOException || e is InvalidDataException
                                      || e is InvalidCastException || e is FormatException || e is ArithmeticException)
            {
                throw new InvalidImageDataException(path, "the TIFF is corrupt: " + e.Message, e);
            }
        }

        private sealed class LibTiffError : Exception
        {
            public LibTiffError(string message) : base(message) { }
        }

        private sealed class ThrowingHandler : TiffErrorHandler
        {
            public override void ErrorHandler(Tiff tif, string method, string format, params object[] args) =>
                throw new LibTiffError(method + ": " + Format(format, args));
            public override void ErrorHandlerExt(Tiff tif, object clientData, string method, string format, params object[] args) { }
            public override void WarningHandler(Tiff tif, string method, string format, params object[] args) { }
            public override void WarningHandlerExt(Tiff tif, object clientData, string method, string format, params object[] args) { }

            private static string Format(string format, object[] args)
            {
                try { return args == null || args.Length == 0 ? format : string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args); }
                catch (FormatException) { return format; }
            }
        }
    }
}
