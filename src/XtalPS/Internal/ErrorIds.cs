using System;
using System.IO;
using System.Management.Automation;
using XtalPS.Formats;

namespace XtalPS.Internal
{
    /// <summary>Builds the non-terminating error records every cmdlet writes: stable ids, a category, the item as target.</summary>
    internal static class ErrorRecords
    {
        public static ErrorRecord FileNotFound(string path) =>
            new ErrorRecord(new FileNotFoundException($"Cannot find the file '{path}'.", path), "FileNotFound", ErrorCategory.ObjectNotFound, path);

        public static ErrorRecord FromReadException(Exception e, string path)
        {
            switch (e)
            {
                case InvalidImageDataException _:
                    return new ErrorRecord(e, "InvalidImageData", ErrorCategory.InvalidData, path);
                case FileNotFoundException _:
                case DirectoryNotFoundException _:
                    return new ErrorRecord(e, "FileNotFound", ErrorCategory.ObjectNotFound, path);
                case UnauthorizedAccessException _:
                    return new ErrorRecord(e, "FileAccessDenied", ErrorCategory.PermissionDenied, path);
                case IOException _:
                    return new ErrorRecord(e, "FileReadError", ErrorCategory.ReadError, path);
                case OutOfMemoryException _:
                    return new ErrorRecord(new InvalidImageDataException(path, "the file asks for more memory than is available.", e), "InvalidImageData", ErrorCategory.InvalidData, path);
                default:
                    return new ErrorRecord(e, "ImageReadFailed", ErrorCategory.ReadError, path);
            }
        }

        public static ErrorRecord Invalid(Exception e, string errorId, object target) =>
            new ErrorRecord(e, errorId, ErrorCategory.InvalidData, target);

        public static ErrorRecord InvalidArgument(string message, string errorId, object? target) =>
            new ErrorRecord(new ArgumentException(message), errorId, ErrorCategory.InvalidArgument, target);

        public static ErrorRecord PathIsDirectory(string path, bool reading) =>
            new ErrorRecord(new IOException(reading
                ? $"'{path}' is a directory, not a file; give the files in it, e.g. '{Path.Combine(path, "*")}'."
                : $"'{path}' is a directory; give a file name inside it."), "PathIsDirectory", ErrorCategory.InvalidArgument, path);

        public static ErrorRecord WriteFailed(Exception e, string path) =>
            new ErrorRecord(e, "FileWriteError", e is UnauthorizedAccessException ? ErrorCategory.PermissionDenied : ErrorCategory.WriteError, path);
    }
}
