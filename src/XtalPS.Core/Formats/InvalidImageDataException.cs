using System;

namespace XtalPS.Formats
{
    /// <summary>A file that is not what it claims to be: corrupt, truncated, lying about its size, or of an unknown format.</summary>
    /// <remarks>The cmdlets turn it into a non-terminating ErrorRecord of category InvalidData with the file as target.</remarks>
    public sealed class InvalidImageDataException : Exception
    {
        public InvalidImageDataException(string path, string message, Exception? inner = null)
            : base(string.IsNullOrEmpty(path) ? message : $"{System.IO.Path.GetFileName(path)}: {message}", inner)
        {
            Path = path ?? "";
        }

        /// <summary>The file that failed.</summary>
        public string Path { get; }
    }
}
