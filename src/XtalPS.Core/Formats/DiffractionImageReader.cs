using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using XtalPS.Imaging;

namespace XtalPS.Formats
{
    /// <summary>
    /// Opens a diffraction image file of any supported format (recognised by content, not by name) and yields
    /// its frames one at a time. Compressed wrappers (.gz) are undone in memory first.
    /// </summary>
    public static class DiffractionImageReader
    {
        /// <summary>Largest file (after decompression) we will hold in memory.</summary>
        public const long MaxFileBytes = 2L * 1024 * 1024 * 1024 - 64;

        public static IEnumerable<DiffractionImage> ReadFrames(string path)
        {
            var bytes = ReadAllBytes(path);
            if (CbfReader.LooksLikeCbf(bytes)) { yield return CbfReader.Read(path, bytes); yield break; }
            throw new InvalidImageDataException(path, "the file is not in a format XtalPS reads (supported: CBF, miniCBF and full imgCIF).");
        }

        /// <summary>Reads a whole file, undoing gzip, with a cap on the decompressed size.</summary>
        public static byte[] ReadAllBytes(string path)
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new FileNotFoundException($"The file '{path}' does not exist.", path);
            if (info.Length > MaxFileBytes) throw new InvalidImageDataException(path, $"the file is {info.Length} bytes; the largest XtalPS reads is {MaxFileBytes}.");
            var bytes = File.ReadAllBytes(path);
            if (bytes.Length >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B) return Gunzip(path, bytes);
            return bytes;
        }

        private static byte[] Gunzip(string path, byte[] compressed)
        {
            try
            {
                using var input = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
                using var output = new MemoryStream(compressed.Length * 4);
                var buffer = new byte[1 << 16];
                int n;
                while ((n = input.Read(buffer, 0, buffer.Length)) > 0)
                {
                    if (output.Length + n > MaxFileBytes) throw new InvalidImageDataException(path, "the gzip stream expands beyond the largest size XtalPS reads.");
                    output.Write(buffer, 0, n);
                }
                return output.ToArray();
            }
            catch (InvalidDataException e)
            {
                throw new InvalidImageDataException(path, "the gzip stream is corrupt: " + e.Message, e);
            }
        }
    }
}
