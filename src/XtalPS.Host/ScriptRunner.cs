using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text;

namespace XtalPS.Host
{
    /// <summary>Runs a script file or command text in a runspace with the XtalPS module imported, through Out-Default.</summary>
    public sealed class ScriptRunner : IDisposable
    {
        private readonly Runspace _runspace;
        private PowerShell? _current;

        public ScriptRunner(TextHost host, string modulePath)
        {
            Host = host;
            var iss = InitialSessionState.CreateDefault();
            if (Environment.OSVersion.Platform == PlatformID.Win32NT)
                iss.ExecutionPolicy = Microsoft.PowerShell.ExecutionPolicy.Bypass;
            _runspace = RunspaceFactory.CreateRunspace(host, iss);
            _runspace.Open();
            ModulePath = Path.GetFullPath(modulePath);
            using var ps = PowerShell.Create();
            ps.Runspace = _runspace;
            // Plain text unless a person watches a terminal: logs and captured output stay free of escape codes.
            ps.AddScript("param($m, $ansi) if ($ansi) { $PSStyle.OutputRendering = 'Ansi' } else { $PSStyle.OutputRendering = 'PlainText' }; Import-Module -Name $m -ErrorAction Stop")
              .AddArgument(ModulePath).AddArgument(host.Ansi);
            ps.Invoke();
        }

        public TextHost Host { get; }
        public string ModulePath { get; }
        public Runspace Runspace => _runspace;

        /// <summary>Builds the command text that calls a script with pwsh -File style arguments: "-Name" tokens stay parameters.</summary>
        public static string ScriptInvocation(string scriptPath, IEnumerable<string> args)
        {
            var sb = new StringBuilder("& ").Append(Quote(Path.GetFullPath(scriptPath)));
            foreach (var a in args)
            {
                sb.Append(' ');
                bool isParameter = a.Length > 1 && a[0] == '-' && char.IsLetter(a[1]) && a.Skip(1).All(c => char.IsLetterOrDigit(c) || c == '_' || c == ':');
                sb.Append(isParameter ? a : Quote(a));
            }
            return sb.ToString();
        }

        private static string Quote(string s) => "'" + s.Replace("'", "''") + "'";

        /// <summary>Runs the text; returns the process exit code (0 on success, 1 on errors, or the script's own exit code).</summary>
        public int Run(string commandText)
        {
            using var ps = PowerShell.Create();
            ps.Runspace = _runspace;
            _current = ps;
            ps.AddScript(commandText);
            ps.Commands.Commands[0].MergeMyResults(PipelineResultTypes.Error, PipelineResultTypes.Output);
            ps.AddCommand("Out-Default");
            try
            {
                ps.Invoke();
            }
            catch (RuntimeException e)
            {
                // A terminating error; `exit N` inside a script also ends up here in some engine versions.
                if (Host.ExitCode.HasValue) return Host.ExitCode.Value;
                Host.UI.WriteErrorLine(e.ErrorRecord?.ToString() ?? e.Message);
                if (e.ErrorRecord?.InvocationInfo?.PositionMessage is string pos && pos.Length > 0) Host.UI.WriteErrorLine(pos);
                return 1;
            }
            finally
            {
                _current = null;
            }
            if (Host.ExitCode.HasValue) return Host.ExitCode.Value;
            return ps.HadErrors || Host.WroteErrors ? 1 : 0;
        }

        /// <summary>Stops the running pipeline (Ctrl+C).</summary>
        public void Stop() => _current?.Stop();

        public void Dispose() => _runspace.Dispose();
    }
}
