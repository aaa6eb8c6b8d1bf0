using System;
using System.Collections.ObjectModel;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using XtalPS.Host;
using Xunit;

namespace XtalPS.Module.Tests
{
    /// <summary>
    /// One PowerShell engine, in-process, with module/XtalPS imported by absolute path and the culture pinned.
    /// Tests share it serially (one xunit collection); each call gets its own pipeline.
    /// </summary>
    public sealed class EngineFixture : IDisposable
    {
        public static readonly CultureInfo Culture = new CultureInfo("en-US");

        public EngineFixture()
        {
            RepoRoot = FindRepoRoot();
            ModulePath = Path.Combine(RepoRoot, "module", "XtalPS");
            SharedData = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "data"));
            Output = new StringWriter(CultureInfo.InvariantCulture);
            Errors = new StringWriter(CultureInfo.InvariantCulture);
            Host = new TextHost(Output, Errors, 160, Culture);
            Runner = new ScriptRunner(Host, ModulePath);
            Invoke("Set-Location -LiteralPath $args[0]", out _, RepoRoot);
        }

        public string RepoRoot { get; }
        public string ModulePath { get; }
        public string SharedData { get; }
        public TextHost Host { get; }
        public ScriptRunner Runner { get; }
        public StringWriter Output { get; }
        public StringWriter Errors { get; }

        public static string FindRepoRoot()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "XtalPS.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new DirectoryNotFoundException("XtalPS.sln not found above the test folder.");
        }

        /// <summary>Runs script text; returns output objects and the error records it wrote (non-terminating).</summary>
        public Collection<PSObject> Invoke(string script, out ErrorRecord[] errors, params object[] args)
        {
            var previous = CultureInfo.CurrentCulture;
            CultureInfo.CurrentCulture = Culture;
            try
            {
                using var ps = PowerShell.Create();
                ps.Runspace = Runner.Runspace;
                ps.AddScript(script);
                foreach (var a in args) ps.AddArgument(a);
                var result = ps.Invoke();
                errors = ps.Streams.Error.ToArray();
                return result;
            }
            finally
            {
                CultureInfo.CurrentCulture = previous;
                // Scripts run in the global scope, so a test's `$ErrorActionPreference = 'Stop'` would turn every
                // later test's non-terminating errors into exceptions: each call starts from the default again.
                Runner.Runspace.SessionStateProxy.SetVariable("ErrorActionPreference", ActionPreference.Continue);
            }
        }

        /// <summary>Runs script text with no errors expected; fails the test with the error text otherwise.</summary>
        public Collection<PSObject> InvokeOk(string script, params object[] args)
        {
            var result = Invoke(script, out var errors, args);
            Assert.True(errors.Length == 0, "Unexpected errors: " + string.Join(Environment.NewLine, errors.Select(e => e.ToString())));
            return result;
        }

        /// <summary>Runs script text through Out-Default and returns what the host printed.</summary>
        public string Render(string script)
        {
            Output.GetStringBuilder().Clear();
            Errors.GetStringBuilder().Clear();
            Runner.Run(script);
            return Output.ToString();
        }

        public string Shared(string relative) => Path.Combine(SharedData, relative);

        public void Dispose() => Runner.Dispose();
    }

    [CollectionDefinition(Name)]
    public sealed class EngineCollection : ICollectionFixture<EngineFixture>
    {
        public const string Name = "engine";
    }
}
