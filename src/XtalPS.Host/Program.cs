using System;
using System.IO;
using System.Linq;

namespace XtalPS.Host
{
    /// <summary>
    /// xtalps — run XtalPS scripts without pwsh:
    ///   xtalps -File script.ps1 [args]     run a script (arguments as pwsh -File takes them)
    ///   xtalps -Command '…'                run command text
    ///   xtalps -Module path                use this module folder instead of the one found beside the program
    ///   xtalps -Width N, -NonInteractive   table width; never ask even on a terminal
    /// Output goes through the module's format views; the exit code is non-zero when anything failed.
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            string? file = null, command = null, module = Environment.GetEnvironmentVariable("XTALPS_MODULE");
            var scriptArgs = Array.Empty<string>();
            int width = 120;
            bool nonInteractive = false, widthGiven = false;
            for (int i = 0; i < args.Length; i++)
            {
                string a = args[i];
                if (Is(a, "-CompileHelp") && i + 2 < args.Length) return Help.HelpCompiler.Run(args[i + 1], args[i + 2], Console.Out, Console.Error);
                if (Is(a, "-File", "-f") && i + 1 < args.Length) { file = args[i + 1]; scriptArgs = args.Skip(i + 2).ToArray(); break; }
                if (Is(a, "-Command", "-c") && i + 1 < args.Length) { command = string.Join(" ", args.Skip(i + 1)); break; }
                if (Is(a, "-Module", "-m") && i + 1 < args.Length) { module = args[++i]; continue; }
                if (Is(a, "-Width", "-w") && i + 1 < args.Length && int.TryParse(args[i + 1], out int w)) { width = Math.Max(40, w); widthGiven = true; i++; continue; }
                if (Is(a, "-NonInteractive")) { nonInteractive = true; continue; }
                if (Is(a, "-NoProfile", "-NoLogo")) continue;
                if (Is(a, "-Help", "-h", "-?", "--help")) { Usage(Console.Out); return 0; }
                if (file == null && command == null && File.Exists(a)) { file = a; scriptArgs = args.Skip(i + 1).ToArray(); break; }
                Console.Error.WriteLine($"xtalps: unknown argument '{a}'.");
                Usage(Console.Error);
                return 2;
            }
            if (file == null && command == null) { Usage(Console.Error); return 2; }

            module ??= FindModule();
            if (module == null)
            {
                Console.Error.WriteLine("xtalps: cannot find module/XtalPS/XtalPS.psd1; build the solution or pass -Module.");
                return 2;
            }
            if (file != null && !File.Exists(file))
            {
                Console.Error.WriteLine($"xtalps: the script '{file}' does not exist.");
                return 2;
            }

            // A terminal: progress bars, and -Confirm/-Debug questions asked as pwsh asks them. Redirected: neither.
            bool terminal = !nonInteractive && !Console.IsInputRedirected && !Console.IsOutputRedirected;
            if (terminal && !widthGiven) width = Math.Max(width, TerminalWidth());
            var host = new TextHost(Console.Out, Console.Error, width, ansi: !Console.IsOutputRedirected, terminal: terminal ? Console.In : null);
            ScriptRunner runner;
            try { runner = new ScriptRunner(host, module); }
            catch (Exception e)
            {
                Console.Error.WriteLine($"xtalps: cannot import the XtalPS module from '{module}': {e.Message}");
                return 2;
            }
            using (runner)
            {
                Console.CancelKeyPress += (_, e) => { e.Cancel = true; runner.Stop(); };
                string text = file != null ? ScriptRunner.ScriptInvocation(file, scriptArgs) : command!;
                return runner.Run(text);
            }
        }

        private static int TerminalWidth()
        {
            try { return Console.WindowWidth > 0 ? Console.WindowWidth : 120; }
            catch (IOException) { return 120; }
        }

        private static bool Is(string a, params string[] names) => names.Any(n => string.Equals(a, n, StringComparison.OrdinalIgnoreCase));

        /// <summary>module/XtalPS/XtalPS.psd1 in this folder or above it (the repository layout), else Modules/XtalPS beside the program.</summary>
        public static string? FindModule()
        {
            foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
            {
                var dir = new DirectoryInfo(start);
                while (dir != null)
                {
                    var candidate = Path.Combine(dir.FullName, "module", "XtalPS", "XtalPS.psd1");
                    if (File.Exists(candidate) && File.Exists(Path.Combine(dir.FullName, "module", "XtalPS", "bin", "XtalPS.dll")))
                        return Path.GetDirectoryName(candidate);
                    dir = dir.Parent;
                }
            }
            var beside = Path.Combine(AppContext.BaseDirectory, "Modules", "XtalPS", "XtalPS.psd1");
            return File.Exists(beside) ? Path.GetDirectoryName(beside) : null;
        }

        private static void Usage(TextWriter w)
        {
            w.WriteLine("xtalps - run XtalPS PowerShell scripts without pwsh");
            w.WriteLine("  xtalps -File script.ps1 [arguments]   run a script");
            w.WriteLine("  xtalps -Command '<PowerShell text>'   run commands");
            w.WriteLine("  xtalps -CompileHelp <docs> <out.xml>  markdown help pages to MAML (and about_*.help.txt beside it)");
            w.WriteLine("  options: -Module <folder> (the XtalPS module to import), -Width <columns> (table width; default 120,");
            w.WriteLine("           or the terminal's width when wider), -NonInteractive (never ask, even on a terminal)");
            w.WriteLine("  On a terminal xtalps shows progress bars and asks -Confirm and -Debug questions; with its input or");
            w.WriteLine("  output redirected it shows no progress and a question fails with a message that names the fix.");
        }
    }
}
