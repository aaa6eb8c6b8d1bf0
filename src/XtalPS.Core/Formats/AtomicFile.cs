using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO;
using System.Text.RegularExpressions;

namespace XtalPS.Formats
{
    /// <summary>
    /// Writes a file so that readers see either the old file or the complete new one: the content goes to a
    /// temporary file in the same folder, is flushed, and is then renamed over the target.
    /// Temporary files carry the writer's process id and machine; a process killed mid-write leaves one behind,
    /// and the next write to that folder (from any process on the same machine) removes it. Error messages name
    /// the target, never the temporary file.
    /// </summary>
    public static class AtomicFile
    {
        // ".NAME.xtalps-PID-MACHINE-RANDOM.tmp" (atomic writes) and "….rows" (reflection scratch files).
        private static readonly Regex Ours = new Regex(@"^\..+\.xtalps-(\d+)-([0-9a-f]{8})-[0-9a-f]{8}\.(tmp|rows)$", RegexOptions.CultureInvariant);
        // The naming of earlier versions (no owner recorded): removed once a day old.
        private static readonly Regex Earlier = new Regex(@"^\..+\.[0-9a-f]{8}\.(tmp|rows)$", RegexOptions.CultureInvariant);
        private static readonly TimeSpan Abandoned = TimeSpan.FromDays(1);
        private static readonly ConcurrentDictionary<string, bool> Swept = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        private static readonly string Machine = Fnv(Environment.MachineName).ToString("x8");
        private static readonly int ProcessId = CurrentProcessId();

        public static void Write(string path, Action<Stream> write)
        {
            string full = Path.GetFullPath(path);
            string dir = CheckTarget(full);
            string temp = ScratchName(full, "tmp");
            try
            {
                using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                {
                    write(fs);
                    fs.Flush(true);
                }
                if (File.Exists(full)) File.Replace(temp, full, null);
                else File.Move(temp, full);
            }
            catch (Exception e)
            {
                try { if (File.Exists(temp)) File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
                if (e is UnauthorizedAccessException) throw new UnauthorizedAccessException($"Cannot write '{full}': access to the folder '{dir}' or the file is denied.", e);
                if (e is IOException && e.Message.IndexOf(temp, StringComparison.Ordinal) >= 0)
                    throw new IOException($"Cannot write '{full}': {e.Message.Replace(temp, full)}", e);
                throw;
            }
        }

        /// <summary>
        /// Checks that <paramref name="full"/> can be a file: its folder exists and it is not itself a folder. Sweeps
        /// the folder of abandoned temporary files once per process. Returns the folder.
        /// </summary>
        public static string CheckTarget(string full)
        {
            if (Directory.Exists(full)) throw new IOException($"'{full}' is a directory; give a file name inside it.");
            string dir = Path.GetDirectoryName(full) ?? ".";
            if (!Directory.Exists(dir))
                throw new DirectoryNotFoundException(File.Exists(dir) ? $"'{dir}' is a file, not a folder." : $"The folder '{dir}' does not exist.");
            if (Swept.TryAdd(dir, true)) RemoveAbandoned(dir);
            return dir;
        }

        /// <summary>A fresh hidden scratch name beside <paramref name="full"/> that <see cref="RemoveAbandoned"/> recognises.</summary>
        public static string ScratchName(string full, string kind) =>
            Path.Combine(Path.GetDirectoryName(full) ?? ".",
                $".{Path.GetFileName(full)}.xtalps-{ProcessId}-{Machine}-{Guid.NewGuid().ToString("N").Substring(0, 8)}.{kind}");

        /// <summary>
        /// Deletes temporary files of our naming in <paramref name="dir"/> whose writer is gone: written on this
        /// machine by a process that no longer runs, or (other machines, earlier versions) untouched for a day.
        /// Returns how many were removed. Never throws: a file that cannot be removed stays.
        /// </summary>
        public static int RemoveAbandoned(string dir)
        {
            int removed = 0;
            try
            {
                foreach (var file in Directory.EnumerateFiles(dir, ".*"))
                {
                    string name = Path.GetFileName(file);
                    bool abandoned;
                    var m = Ours.Match(name);
                    if (m.Success)
                    {
                        bool mine = m.Groups[2].Value == Machine;
                        abandoned = mine
                            ? int.TryParse(m.Groups[1].Value, out int pid) && pid != ProcessId && !IsRunning(pid)
                            : DateTime.UtcNow - File.GetLastWriteTimeUtc(file) > Abandoned;
                    }
                    else abandoned = Earlier.IsMatch(name) && DateTime.UtcNow - File.GetLastWriteTimeUtc(file) > Abandoned;
                    if (!abandoned) continue;
                    try { File.Delete(file); removed++; }
                    catch (IOException) { }
                    catch (UnauthorizedAccessException) { }
                }
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            return removed;
        }

        private static bool IsRunning(int pid)
        {
            try
            {
                using var p = Process.GetProcessById(pid);
                return !p.HasExited;
            }
            catch (ArgumentException) { return false; }      // no such process
            catch (InvalidOperationException) { return false; }
            catch (System.ComponentModel.Win32Exception) { return true; } // exists, but we may not look at it
            catch (NotSupportedException) { return true; }
        }

        private static int CurrentProcessId()
        {
            using var p = Process.GetCurrentProcess();
            return p.Id;
        }

        // FNV-1a: a stable short tag for the machine name (string.GetHashCode differs between processes).
        private static uint Fnv(string s)
        {
            uint h = 2166136261;
            foreach (char c in s) { h ^= c; h *= 16777619; }
            return h;
        }
    }
}
