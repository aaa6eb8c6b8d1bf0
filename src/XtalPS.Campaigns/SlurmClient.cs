using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace XtalPS.Campaigns
{
    /// <summary>A Slurm command that did not succeed; the message is the command's own error text, verbatim.</summary>
    public sealed class SlurmException : Exception
    {
        public SlurmException(string command, string message) : base(message) { Command = command; }
        public string Command { get; }
    }

    /// <summary>
    /// The Slurm commands a campaign needs, run as programs: sbatch (job arrays), squeue (one call per poll for
    /// every task of every array), scancel, and scontrol for MaxArraySize.
    /// </summary>
    public static class SlurmClient
    {
        /// <summary>sbatch on PATH, or null (no Slurm on this machine).</summary>
        public static string? Sbatch => Find("sbatch");

        public static string? Find(string program)
        {
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                var p = Path.Combine(dir, program);
                if (File.Exists(p)) return p;
            }
            return null;
        }

        /// <summary>The cluster's MaxArraySize (array indices run 0 … MaxArraySize−1); 1001, Slurm's default, when scontrol cannot tell.</summary>
        public static int MaxArraySize()
        {
            var (code, output, _) = Run("scontrol", new[] { "show", "config" }, TimeSpan.FromSeconds(30));
            if (code == 0)
                foreach (var line in output.Split('\n'))
                {
                    var parts = line.Split('=', 2);
                    if (parts.Length == 2 && parts[0].Trim().Equals("MaxArraySize", StringComparison.OrdinalIgnoreCase)
                        && int.TryParse(parts[1].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0)
                        return n;
                }
            return 1001;
        }

        /// <summary>Submits a batch script; returns the job id. Throws <see cref="SlurmException"/> with sbatch's message when it refuses.</summary>
        public static string Submit(IEnumerable<string> arguments)
        {
            var args = new List<string> { "--parsable" };
            args.AddRange(arguments);
            var (code, output, error) = Run("sbatch", args, TimeSpan.FromMinutes(2));
            string id = output.Trim().Split('\n').LastOrDefault()?.Split(';')[0].Trim() ?? "";
            if (code != 0 || id.Length == 0 || !id.All(char.IsDigit))
                throw new SlurmException("sbatch", (error.Trim().Length > 0 ? error.Trim() : output.Trim()).Length > 0
                    ? (error.Trim().Length > 0 ? error.Trim() : output.Trim()) : $"sbatch exited with code {code} and no message.");
            return id;
        }

        /// <summary>The state of every listed task of the given array jobs, from one squeue call: "job_task" → state.
        /// Tasks that have left the queue are absent.</summary>
        public static Dictionary<string, (string State, string Reason)> Queue(IReadOnlyCollection<string> jobIds)
        {
            var result = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
            if (jobIds.Count == 0) return result;
            var (code, output, error) = Run("squeue", new[] { "--noheader", "--array", "--jobs=" + string.Join(",", jobIds), "--format=%i|%T|%r" }, TimeSpan.FromSeconds(60));
            if (code != 0)
            {
                // squeue says "Invalid job id specified" once every job has left the controller's memory.
                if (error.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase)) return result;
                throw new SlurmException("squeue", error.Trim().Length > 0 ? error.Trim() : $"squeue exited with code {code}");
            }
            foreach (var line in output.Split('\n'))
            {
                var f = line.Trim().Split('|');
                if (f.Length >= 2 && f[0].Length > 0) result[f[0]] = (f[1], f.Length > 2 ? f[2] : "");
            }
            return result;
        }

        public static void Cancel(IEnumerable<string> jobIds)
        {
            var ids = jobIds.ToList();
            if (ids.Count == 0) return;
            var (code, _, error) = Run("scancel", ids, TimeSpan.FromSeconds(60));
            if (code != 0) throw new SlurmException("scancel", error.Trim().Length > 0 ? error.Trim() : $"scancel exited with code {code}");
        }

        /// <summary>Indices as Slurm's --array syntax: "0-3,7,9-12".</summary>
        public static string ArraySpec(IEnumerable<int> indices)
        {
            var sorted = indices.Distinct().OrderBy(i => i).ToList();
            var sb = new StringBuilder();
            for (int i = 0; i < sorted.Count;)
            {
                int j = i;
                while (j + 1 < sorted.Count && sorted[j + 1] == sorted[j] + 1) j++;
                if (sb.Length > 0) sb.Append(',');
                sb.Append(sorted[i].ToString(CultureInfo.InvariantCulture));
                if (j > i) sb.Append('-').Append(sorted[j].ToString(CultureInfo.InvariantCulture));
                i = j + 1;
            }
            return sb.ToString();
        }

        /// <summary>Chunks grouped into arrays whose task ids stay below MaxArraySize: chunk = offset + task id.</summary>
        public static List<(int Offset, List<int> TaskIds)> SplitArrays(IEnumerable<int> chunks, int maxArraySize)
        {
            int width = Math.Max(1, maxArraySize);
            return chunks.Distinct().OrderBy(c => c).GroupBy(c => c / width)
                .Select(g => (g.Key * width, g.Select(c => c - g.Key * width).ToList())).ToList();
        }

        public static (int Code, string Output, string Error) Run(string program, IEnumerable<string> arguments, TimeSpan timeout)
        {
            var path = Find(program) ?? program;
            var psi = new ProcessStartInfo(path)
            {
                UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
            };
            foreach (var a in arguments) psi.ArgumentList.Add(a);
            Process p;
            try { p = Process.Start(psi) ?? throw new SlurmException(program, $"{program} did not start."); }
            catch (System.ComponentModel.Win32Exception e) { throw new SlurmException(program, $"{program} could not be run: {e.Message}"); }
            using (p)
            {
                p.StandardInput.Close();
                var stdout = p.StandardOutput.ReadToEndAsync();
                var stderr = p.StandardError.ReadToEndAsync();
                if (!p.WaitForExit((int)timeout.TotalMilliseconds))
                {
                    try { p.Kill(true); } catch (InvalidOperationException) { }
                    throw new SlurmException(program, $"{program} did not answer within {timeout.TotalSeconds:0} s.");
                }
                p.WaitForExit();
                return (p.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
            }
        }
    }
}
