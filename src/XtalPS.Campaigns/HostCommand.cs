using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;

namespace XtalPS.Campaigns
{
    /// <summary>
    /// The command that runs one chunk in a fresh process (a local process, a Slurm task): the xtalps script host
    /// (XtalPS.Host) with the module, or pwsh. The campaign folder and chunk travel in environment variables, so no
    /// path ever needs quoting for a shell. Found, in order: $env:XTALPS_HOST; this process when it is the host or
    /// pwsh; the host built in the repository beside the module; XtalPS.Host or pwsh on PATH.
    /// </summary>
    public sealed class HostCommand
    {
        public const string HostVariable = "XTALPS_HOST", FolderVariable = "XTALPS_CAMPAIGN_FOLDER", ChunkVariable = "XTALPS_CAMPAIGN_CHUNK", ModuleVariable = "XTALPS_MODULE";
        private const string ChunkCommand = "Invoke-ProcessingChunk -LiteralPath $env:XTALPS_CAMPAIGN_FOLDER -Index $env:XTALPS_CAMPAIGN_CHUNK";

        private HostCommand(string program, IEnumerable<string> arguments, string description)
        {
            Program = program; Arguments = arguments.ToList(); Description = description;
        }

        public string Program { get; }
        /// <summary>The arguments, with the chunk command last.</summary>
        public IReadOnlyList<string> Arguments { get; }
        public string Description { get; }

        public static HostCommand? Find(string modulePath, out string searched)
        {
            var tried = new List<string>();
            string? configured = Environment.GetEnvironmentVariable(HostVariable);
            if (!string.IsNullOrEmpty(configured))
            {
                tried.Add($"${HostVariable}={configured}");
                var c = FromFile(configured, modulePath, $"${HostVariable}");
                if (c != null) { searched = ""; return c; }
            }
            string? self = Environment.ProcessPath;
            if (self != null)
            {
                string name = Path.GetFileNameWithoutExtension(self);
                if (name.Equals("XtalPS.Host", StringComparison.OrdinalIgnoreCase) || name.Equals("pwsh", StringComparison.OrdinalIgnoreCase))
                {
                    var c = FromFile(self, modulePath, "this process");
                    if (c != null) { searched = ""; return c; }
                }
                var entry = Assembly.GetEntryAssembly();
                if (entry != null && entry.GetName().Name == "XtalPS.Host" && File.Exists(entry.Location))
                {
                    searched = "";
                    return Dotnet(entry.Location, modulePath, "this process");
                }
            }
            // The repository layout: module/XtalPS beside src/XtalPS.Host/bin/<configuration>/net10.0.
            string repo = Path.GetFullPath(Path.Combine(modulePath, "..", ".."));
            var built = new[] { "Release", "Debug" }
                .Select(cfg => Path.Combine(repo, "src", "XtalPS.Host", "bin", cfg, "net10.0", "XtalPS.Host.dll"))
                .Where(File.Exists).OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault();
            tried.Add(Path.Combine(repo, "src", "XtalPS.Host", "bin", "*", "net10.0"));
            if (built != null) { searched = ""; return Dotnet(built, modulePath, "the host built in the repository"); }
            foreach (var name in new[] { "XtalPS.Host", "pwsh" })
            {
                var onPath = OnPath(name);
                tried.Add(name + " on PATH");
                if (onPath != null) { var c = FromFile(onPath, modulePath, name + " on PATH"); if (c != null) { searched = ""; return c; } }
            }
            searched = string.Join("; ", tried);
            return null;
        }

        private static HostCommand? FromFile(string file, string modulePath, string how)
        {
            if (!File.Exists(file)) return null;
            string name = Path.GetFileNameWithoutExtension(file);
            if (file.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)) return Dotnet(file, modulePath, how);
            if (name.Equals("pwsh", StringComparison.OrdinalIgnoreCase))
                return new HostCommand(file, new[] { "-NoProfile", "-NonInteractive", "-Command",
                    "Import-Module $env:XTALPS_MODULE -ErrorAction Stop; " + ChunkCommand + "; if (-not $?) { exit 1 }" }, $"pwsh ({how})");
            return new HostCommand(file, new[] { "-Module", modulePath, "-Command", ChunkCommand }, $"{file} ({how})");
        }

        private static HostCommand Dotnet(string dll, string modulePath, string how) =>
            new HostCommand(DotnetPath(), new[] { dll, "-Module", modulePath, "-Command", ChunkCommand }, $"{dll} ({how})");

        /// <summary>The dotnet that runs this process (what the SDK passes to children), else the one on PATH.</summary>
        private static string DotnetPath()
        {
            string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(host) && File.Exists(host)) return host;
            if (Environment.ProcessPath is string p && Path.GetFileNameWithoutExtension(p).Equals("dotnet", StringComparison.OrdinalIgnoreCase)) return p;
            var runtime = System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory();
            var root = Path.GetFullPath(Path.Combine(runtime, "..", "..", ".."));
            foreach (var candidate in new[] { Path.Combine(root, "dotnet"), Path.Combine(root, "dotnet.exe") })
                if (File.Exists(candidate)) return candidate;
            return OnPath("dotnet") ?? "dotnet";
        }

        private static string? OnPath(string name)
        {
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
                foreach (var ext in OperatingSystem.IsWindows() ? new[] { ".exe", ".cmd", "" } : new[] { "" })
                {
                    var p = Path.Combine(dir, name + ext);
                    if (File.Exists(p)) return p;
                }
            return null;
        }

        /// <summary>A process that runs chunk <paramref name="chunk"/> of the campaign in <paramref name="folder"/>.</summary>
        public ProcessStartInfo StartInfo(string folder, int chunk, string modulePath, string workingDirectory, int cpus)
        {
            var psi = new ProcessStartInfo(Program)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                WorkingDirectory = Directory.Exists(workingDirectory) ? workingDirectory : folder,
            };
            foreach (var a in Arguments) psi.ArgumentList.Add(a);
            psi.Environment[FolderVariable] = folder;
            psi.Environment[ChunkVariable] = chunk.ToString(System.Globalization.CultureInfo.InvariantCulture);
            psi.Environment[ModuleVariable] = Path.Combine(modulePath, "XtalPS.psd1");
            psi.Environment[LocalScheduler.CpusVariable] = cpus.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return psi;
        }

        /// <summary>The command as one POSIX shell line (single-quoted words), for a Slurm batch script.</summary>
        public string ShellLine() => string.Join(" ", new[] { Program }.Concat(Arguments).Select(ShellQuote));

        public static string ShellQuote(string s) => "'" + s.Replace("'", "'\\''") + "'";

        public override string ToString() => Description;
    }
}
