using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using XtalPS.Formats;
using XtalPS.Integration;
using Xunit;

namespace XtalPS.Core.Tests
{
    /// <summary>Atomic writes: what a killed writer leaves is removed by the next write to the folder; messages never
    /// name a temporary file; a folder given as the file is said to be a folder.</summary>
    public class AtomicFileTests
    {
        [Fact]
        public void Temporary_files_of_a_dead_writer_are_removed_by_the_next_write_to_the_folder()
        {
            var dir = Directory.CreateTempSubdirectory("xtalps_atomic_").FullName;
            try
            {
                int dead = DeadProcessId();
                // What a writer killed mid-write leaves: our naming, its process id, this machine.
                string mine = AtomicFile.ScratchName(Path.Combine(dir, "run.mtz"), "tmp");
                string abandoned = Regex.Replace(mine, @"xtalps-\d+-", $"xtalps-{dead}-");
                File.WriteAllBytes(abandoned, new byte[1000]);
                string rows = Regex.Replace(AtomicFile.ScratchName(Path.Combine(dir, "big.mtz"), "rows"), @"xtalps-\d+-", $"xtalps-{dead}-");
                File.WriteAllBytes(rows, new byte[1000]);
                // A live writer's file (this process), an old-style file a day old and a fresh one, and a user's file.
                string live = AtomicFile.ScratchName(Path.Combine(dir, "live.cbf"), "tmp");
                File.WriteAllBytes(live, new byte[10]);
                string oldStyle = Path.Combine(dir, ".frame.cbf.0123abcd.tmp"), freshOldStyle = Path.Combine(dir, ".frame2.cbf.4567cdef.tmp");
                File.WriteAllBytes(oldStyle, new byte[10]);
                File.SetLastWriteTimeUtc(oldStyle, DateTime.UtcNow.AddDays(-2));
                File.WriteAllBytes(freshOldStyle, new byte[10]);
                string users = Path.Combine(dir, ".notes.tmp");
                File.WriteAllBytes(users, new byte[10]);

                Assert.Equal(3, AtomicFile.RemoveAbandoned(dir));
                Assert.False(File.Exists(abandoned));
                Assert.False(File.Exists(rows));
                Assert.False(File.Exists(oldStyle));
                Assert.True(File.Exists(live));
                Assert.True(File.Exists(freshOldStyle));
                Assert.True(File.Exists(users));
            }
            finally { Directory.Delete(dir, true); }
        }

        [Fact]
        public void The_first_write_to_a_folder_sweeps_it()
        {
            var dir = Directory.CreateTempSubdirectory("xtalps_atomic_").FullName;
            try
            {
                string abandoned = Regex.Replace(AtomicFile.ScratchName(Path.Combine(dir, "a.cbf"), "tmp"), @"xtalps-\d+-", $"xtalps-{DeadProcessId()}-");
                File.WriteAllBytes(abandoned, new byte[10]);
                AtomicFile.Write(Path.Combine(dir, "b.txt"), s => s.WriteByte(1));
                Assert.Equal(new[] { "b.txt" }, Directory.GetFiles(dir).Select(Path.GetFileName).ToArray());
            }
            finally { Directory.Delete(dir, true); }
        }

        [Fact]
        public void A_reflection_file_being_written_leaves_no_named_scratch_file_outside_windows()
        {
            if (OperatingSystem.IsWindows()) return; // Windows removes it when the handle closes, even for a killed process
            var dir = Directory.CreateTempSubdirectory("xtalps_atomic_").FullName;
            try
            {
                using var writer = ReflectionFileWriter.Create(Path.Combine(dir, "run.csv"));
                Assert.Empty(Directory.GetFiles(dir));
            }
            finally { Directory.Delete(dir, true); }
        }

        [Fact]
        public void Failures_name_the_target_and_never_the_temporary_file()
        {
            var dir = Directory.CreateTempSubdirectory("xtalps_atomic_").FullName;
            try
            {
                string folder = Path.Combine(dir, "sub.cbf");
                Directory.CreateDirectory(folder);
                var e = Assert.Throws<IOException>(() => AtomicFile.Write(folder, s => s.WriteByte(1)));
                Assert.Contains("is a directory", e.Message);

                string target = Path.Combine(dir, "x.cbf");
                var thrown = Assert.Throws<IOException>(() => AtomicFile.Write(target, s => throw new IOException("disk full")));
                Assert.DoesNotContain(".tmp", thrown.Message);
                Assert.Empty(Directory.GetFiles(dir));

                var notAFolder = Assert.Throws<DirectoryNotFoundException>(() => AtomicFile.Write(Path.Combine(target + "_file", "y.cbf"), s => s.WriteByte(1)));
                Assert.DoesNotContain("xtalps-", notAFolder.Message);
            }
            finally { Directory.Delete(dir, true); }
        }

        private static int DeadProcessId()
        {
            using var p = Process.Start(new ProcessStartInfo("dotnet", "--version") { RedirectStandardOutput = true, UseShellExecute = false })!;
            p.WaitForExit();
            return p.Id;
        }
    }
}
