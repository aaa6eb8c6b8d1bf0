using System.Collections.Generic;
using System.Management.Automation;
using Microsoft.PowerShell.Commands;

namespace XtalPS.Internal
{
    /// <summary>Turns -Path (wildcards) and -LiteralPath arguments into file-system paths, writing an error per path that matches nothing.</summary>
    internal static class PathResolver
    {
        /// <param name="onError">Receives each error instead of the cmdlet's error stream (a caller with work in flight
        /// writes its earlier results first, so errors keep the input's order).</param>
        public static List<string> Resolve(PSCmdlet cmdlet, IEnumerable<string> paths, bool literal, System.Action<ErrorRecord>? onError = null)
        {
            var fail = onError ?? cmdlet.WriteError;
            var result = new List<string>();
            foreach (var path in paths)
            {
                try
                {
                    if (literal)
                    {
                        string p = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
                        if (System.IO.File.Exists(p)) result.Add(p);
                        else if (System.IO.Directory.Exists(p)) fail(ErrorRecords.PathIsDirectory(p, reading: true));
                        else fail(ErrorRecords.FileNotFound(path));
                        continue;
                    }
                    var resolved = cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath(path, out ProviderInfo provider);
                    if (provider.ImplementingType != typeof(FileSystemProvider))
                    {
                        fail(ErrorRecords.InvalidArgument($"'{path}' is not a file-system path.", "NotFileSystemPath", path));
                        continue;
                    }
                    int before = result.Count;
                    string? folder = null;
                    foreach (var r in resolved)
                        if (System.IO.File.Exists(r)) result.Add(r);
                        else if (folder == null && System.IO.Directory.Exists(r)) folder = r;
                    // A folder named on its own (not one a wildcard happened to match among files) is a mistake worth naming.
                    if (result.Count == before)
                        fail(folder != null ? ErrorRecords.PathIsDirectory(folder, reading: true) : ErrorRecords.FileNotFound(path));
                }
                catch (ItemNotFoundException)
                {
                    fail(ErrorRecords.FileNotFound(path));
                }
                catch (System.Exception e) when (e is PSArgumentException || e is System.ArgumentException || e is DriveNotFoundException || e is ProviderNotFoundException)
                {
                    fail(ErrorRecords.InvalidArgument(e.Message, "InvalidPath", path));
                }
            }
            return result;
        }

        /// <summary>Like <see cref="Resolve"/> for folders: each argument's matching folders, an error per argument that names none.</summary>
        public static List<string> ResolveFolders(PSCmdlet cmdlet, IEnumerable<string> paths, bool literal)
        {
            var result = new List<string>();
            foreach (var path in paths)
            {
                try
                {
                    var candidates = literal
                        ? new List<string> { cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path) }
                        : new List<string>(cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath(path, out _));
                    int before = result.Count;
                    foreach (var c in candidates) if (System.IO.Directory.Exists(c)) result.Add(c);
                    if (result.Count == before)
                        cmdlet.WriteError(new ErrorRecord(new System.IO.DirectoryNotFoundException($"Cannot find the folder '{path}'."), "FolderNotFound", ErrorCategory.ObjectNotFound, path));
                }
                catch (ItemNotFoundException)
                {
                    cmdlet.WriteError(new ErrorRecord(new System.IO.DirectoryNotFoundException($"Cannot find the folder '{path}'."), "FolderNotFound", ErrorCategory.ObjectNotFound, path));
                }
                catch (System.Exception e) when (e is PSArgumentException || e is System.ArgumentException || e is DriveNotFoundException || e is ProviderNotFoundException)
                {
                    cmdlet.WriteError(ErrorRecords.InvalidArgument(e.Message, "InvalidPath", path));
                }
            }
            return result;
        }

        /// <summary>The file-system path an output argument names (not required to exist).</summary>
        public static string ResolveOutput(PSCmdlet cmdlet, string path) => cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);

        /// <summary>
        /// Why <paramref name="target"/> cannot be written as one output file, or null when it can: it is a folder,
        /// its folder does not exist, or it exists and <paramref name="force"/> is off. Writers report this as a
        /// non-terminating error and go on with their next output.
        /// </summary>
        public static ErrorRecord? RefuseOutput(string target, bool force, string existsHint = "use -Force to overwrite it")
        {
            if (System.IO.Directory.Exists(target)) return ErrorRecords.PathIsDirectory(target, reading: false);
            string? folder = System.IO.Path.GetDirectoryName(target);
            if (!string.IsNullOrEmpty(folder) && !System.IO.Directory.Exists(folder))
                return new ErrorRecord(new System.IO.DirectoryNotFoundException(System.IO.File.Exists(folder)
                    ? $"Cannot write '{target}': '{folder}' is a file, not a folder."
                    : $"Cannot write '{target}': the folder '{folder}' does not exist."), "FolderNotFound", ErrorCategory.ObjectNotFound, target);
            if (System.IO.File.Exists(target) && !force)
                return new ErrorRecord(new System.IO.IOException($"The file '{target}' exists; {existsHint}."), "FileExists", ErrorCategory.ResourceExists, target);
            return null;
        }
    }
}
