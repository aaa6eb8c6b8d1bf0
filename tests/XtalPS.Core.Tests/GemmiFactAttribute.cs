using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Xunit;

namespace XtalPS.Core.Tests
{
    /// <summary>
    /// A test that needs gemmi (the MTZ cross-checks). Without gemmi it reports itself skipped with the reason;
    /// in CI (CI=true) it runs anyway and fails, because CI installs gemmi and a missing checker must not pass.
    /// </summary>
    public sealed class GemmiFactAttribute : FactAttribute
    {
        public GemmiFactAttribute()
        {
            if (Gemmi.Path == null && !Gemmi.InCi)
                Skip = "gemmi is not installed (apt-get install gemmi); the cross-check with gemmi did not run";
        }
    }

    /// <summary>Finds and runs the gemmi command-line program.</summary>
    public static class Gemmi
    {
        public static string? Path => new[] { "/usr/bin/gemmi", "/usr/local/bin/gemmi" }.FirstOrDefault(File.Exists);

        public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

        /// <summary>gemmi with the arguments; its exit code and everything it printed. Throws when gemmi is missing (CI).</summary>
        public static (int Code, string Output) Run(string arguments)
        {
            string exe = Path ?? throw new InvalidOperationException("gemmi is missing; CI installs it (apt-get install gemmi), so this check cannot be skipped there.");
            var psi = new ProcessStartInfo(exe, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            // A generous watchdog against a hang, not a timing.
            if (!p.WaitForExit(120_000)) { p.Kill(true); throw new TimeoutException("gemmi did not finish within 2 minutes"); }
            return (p.ExitCode, stdout.Result + stderr.Result);
        }
    }
}
