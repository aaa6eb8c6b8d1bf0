using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using ICSharpCode.SharpZipLib;
using ICSharpCode.SharpZipLib.BZip2;
using XtalPS.Imaging;

namespace XtalPS.Formats
{
    /// <summary>
    /// Opens a diffraction image file of any supported format (recognised by content, not by name) and yields
    /// its frames one at a time. Compressed wrappers (.gz, .bz2) are undone in memory first, as a stream that stops
    /// as soon as the content outgrows what its header declares (<see cref="BoundedInflate"/>).
    /// Formats: miniCBF, SMV/ADSC (incl. TimePix electron), TIFF, MRC (stacks streamed), NeXus/NXmx HDF5 (frames streamed).
    /// </summary>
    public static class DiffractionImageReader
    {
        /// <summary>Largest file (after decompression) we will hold in memory.</summary>
        public const long MaxFileBytes = 2L * 1024 * 1024 * 1024 - 64;

        public static IEnumerable<DiffractionImage> ReadFrames(string path) => ReadFrames(path, null);

        /// <summary>
        /// The frames of <paramref name="path"/> picked by <paramref name="frames"/> (every frame when null), read
        /// lazily: multi-frame files (NeXus, MRC stacks) hold one frame in memory at a time. A frame index beyond
        /// the end of the file is an <see cref="InvalidImageDataException"/> raised before any frame is read.
        /// </summary>
        public static IEnumerable<DiffractionImage> ReadFrames(string path, FrameSelection? frames)
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new FileNotFoundException($"The file '{path}' does not exist.", path);
            var head = ReadHead(path, MrcImage.HeaderBytes);

            if (NexusReader.LooksLikeHdf5(head))
                return NexusReader.ReadFrames(path, frames);
            if (!IsCompressed(head) && !CbfReader.LooksLikeCbf(head) && !SmvHeader.Looks(head) && !TiffImage.Looks(head) && MrcImage.Looks(head, info.Length))
                return StreamMrc(path, frames);

            var bytes = ReadAllBytes(path);
            if (CbfReader.LooksLikeCbf(bytes)) return SingleFrame(path, frames, () => CbfReader.Read(path, bytes));
            if (SmvHeader.Looks(bytes)) return SingleFrame(path, frames, () => SmvReader.Read(path, bytes));
            if (TiffImage.Looks(bytes)) return TiffImage.ReadFrames(path, bytes, frames);
            if (NexusReader.LooksLikeHdf5(bytes))
                throw new InvalidImageDataException(path, "an HDF5 file inside a compressed wrapper cannot be read; decompress it first.");
            if (MrcImage.Looks(bytes, bytes.Length)) return MrcImage.ReadFrames(path, new MemoryStream(bytes, false), frames);
            throw new InvalidImageDataException(path, "the file is not in a format XtalPS reads (supported: CBF (miniCBF and full imgCIF), SMV, TIFF, MRC, NeXus/HDF5; optionally .gz or .bz2 compressed).");
        }

        private static IEnumerable<DiffractionImage> StreamMrc(string path, FrameSelection? frames)
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            foreach (var frame in MrcImage.ReadFrames(path, stream, frames)) yield return frame;
        }

        private static IEnumerable<DiffractionImage> SingleFrame(string path, FrameSelection? frames, Func<DiffractionImage> read)
        {
            FrameSelection.Resolve(frames, 1, path);
            yield return read();
        }

        private static bool IsCompressed(ReadOnlySpan<byte> head) => IsGzip(head) || IsBzip2(head);
        private static bool IsGzip(ReadOnlySpan<byte> b) => b.Length >= 2 && b[0] == 0x1F && b[1] == 0x8B;
        /// <summary>bzip2 stream header (Seward's format): "BZh" then the block size '1'..'9'.</summary>
        private static bool IsBzip2(ReadOnlySpan<byte> b) => b.Length >= 4 && b[0] == (byte)'B' && b[1] == (byte)'Z' && b[2] == (byte)'h' && b[3] >= (byte)'1' && b[3] <= (byte)'9';

        private static byte[] ReadHead(string path, int count)
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
            var head = new byte[Math.Min(count, fs.Length)];
            int done = 0;
            while (done < head.Length)
            {
                int n = fs.Read(head, done, head.Length - done);
                if (n <= 0) break;
                done += n;
            }
            return done == head.Length ? head : head.AsSpan(0, done).ToArray();
        }

        /// <summary>Reads a whole file, undoing gzip or bzip2 as a stream that stops when the content outgrows what it declares.</summary>
        public static byte[] ReadAllBytes(string path)
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new FileNotFoundException($"The file '{path}' does not exist.", path);
            if (info.Length > MaxFileBytes) throw new InvalidImageDataException(path, $"the file is {info.Length} bytes; the largest XtalPS reads is {MaxFileBytes}.");
            var head = ReadHead(path, 4);
            if (IsGzip(head)) return Gunzip(path);
            if (IsBzip2(head)) return Bunzip2(path);
            return File.ReadAllBytes(path);
        }

        private static byte[] Gunzip(string path)
        {
            try
            {
                using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
                using var input = new GZipStream(file, CompressionMode.Decompress);
                return BoundedInflate.Read(path, input, "gzip", MaxFileBytes);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidImageDataException(path, "the gzip stream is corrupt: " + e.Message, e);
            }
        }

        /// <summary>bzip2 (Burrows–Wheeler block sorting, J. Seward) through SharpZipLib; every block carries a CRC, so
        /// corruption is detected rather than passed on.</summary>
        private static byte[] Bunzip2(string path)
        {
            try
            {
                using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
                using var input = new BZip2InputStream(file) { IsStreamOwner = true };
                return BoundedInflate.Read(path, input, "bzip2", MaxFileBytes);
            }
            catch (Exception e) when (e is SharpZipBaseException || e is EndOfStreamException || e is InvalidDataException
                                      || e is IndexOutOfRangeException || e is ArgumentException || e is NullReferenceException)
            {
                throw new InvalidImageDataException(path, "the bzip2 stream is corrupt: " + e.Message, e);
            }
        }
    }
}
