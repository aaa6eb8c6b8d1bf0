using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using XtalPS.Spots;
using Xunit;
using Xunit.Abstractions;

namespace XtalPS.Module.Tests
{
    /// <summary>
    /// The xtalps host as a person at a terminal meets it, through a pseudo-terminal (Terminal/pty_session.py):
    /// progress bars, -Confirm and -Debug questions answered at the keyboard; and the same commands with the
    /// output redirected: no progress, a -Confirm question that fails naming the fix, and -Debug that still
    /// returns what the cmdlet makes.
    /// </summary>
    [Collection(EngineCollection.Name)]
    public sealed class TerminalHostTests : IDisposable
    {
        private readonly EngineFixture _e;
        private readonly ITestOutputHelper _out;
        private readonly string _dir;

        public TerminalHostTests(EngineFixture e, ITestOutputHelper output)
        {
            _e = e;
            _out = output;
            _dir = Directory.CreateTempSubdirectory("xtalps_tty_").FullName;
        }

        public void Dispose() => Directory.Delete(_dir, true);

        private const string Still = "New-SimulatedImage -Width 128 -Height 128 -A 16,1 -B -1,16 -Seed 5";
        private const string Stills = Still + " -Count 3";

        /// <summary>The built host next to this test build (the test project builds it first).</summary>
        private string HostProgram
        {
            get
            {
                string configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";
                string dir = Path.Combine(_e.RepoRoot, "src", "XtalPS.Host", "bin", configuration, "net10.0");
                string exe = Path.Combine(dir, OperatingSystem.IsWindows() ? "XtalPS.Host.exe" : "XtalPS.Host");
                Assert.True(File.Exists(exe), $"the host is not built: {exe}");
                return exe;
            }
        }

        /// <summary>Runs the host on a pseudo-terminal with the given keyboard steps; returns exit code and transcript.</summary>
        private (int Code, string Text) OnTerminal(string command, params string[][] steps)
        {
            Assert.False(OperatingSystem.IsWindows(), "pseudo-terminal tests run on Linux and macOS");
            string helper = Path.Combine(_e.RepoRoot, "tests", "XtalPS.Module.Tests", "Terminal", "pty_session.py");
            var spec = JsonSerializer.Serialize(new
            {
                argv = new[] { HostProgram, "-Module", _e.ModulePath, "-Command", command },
                steps,
                timeout = 180,
            });
            var psi = new ProcessStartInfo(Python, "") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add(helper);
            psi.ArgumentList.Add(spec);
            using var p = Process.Start(psi)!;
            string text = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
            p.WaitForExit();
            _out.WriteLine(text);
            Assert.True(p.ExitCode != 124, "the terminal session timed out:\n" + text);
            return (p.ExitCode, text);
        }

        /// <summary>Runs the host with input and output redirected (a log, a pipe, a batch job).</summary>
        private (int Code, string Output, string Errors) Redirected(string command)
        {
            var psi = new ProcessStartInfo(HostProgram) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
            foreach (var a in new[] { "-Module", _e.ModulePath, "-Command", command }) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            p.StandardInput.Close();
            var errors = p.StandardError.ReadToEndAsync();
            string output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, output, errors.Result);
        }

        private static string Python => File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

        [Fact]
        public void A_terminal_shows_progress_and_a_redirected_run_does_not()
        {
            string command = Stills + " | Find-BraggSpot | Measure-Object | ForEach-Object { 'lists: ' + $_.Count }";
            var (code, text) = OnTerminal(command, new[] { "expect", "lists: 3" });
            Assert.Equal(0, code);
            Assert.Contains("Find-BraggSpot: Image 1", text);
            Assert.Contains("Find-BraggSpot: Image 3", text);

            var quiet = Redirected(command);
            Assert.Equal(0, quiet.Code);
            Assert.Contains("lists: 3", quiet.Output);
            Assert.DoesNotContain("Find-BraggSpot: Image", quiet.Output + quiet.Errors);
        }

        [Fact]
        public void Confirm_asks_on_a_terminal_and_the_answer_decides()
        {
            string yes = Path.Combine(_dir, "yes.cbf"), no = Path.Combine(_dir, "no.cbf");
            var (code, text) = OnTerminal($"{Still} | Export-DiffractionImage -Path '{yes}' -Confirm; 'done'",
                new[] { "expect", "[Y] Yes" }, new[] { "send", "y\r" }, new[] { "expect", "done" });
            Assert.Equal(0, code);
            Assert.Contains("Write Simulated#0 as MiniCbf", text);
            Assert.True(File.Exists(yes));

            (code, text) = OnTerminal($"{Still} | Export-DiffractionImage -Path '{no}' -Confirm; 'done'",
                new[] { "expect", "[N] No" }, new[] { "send", "n\r" }, new[] { "expect", "done" });
            Assert.Equal(0, code);
            Assert.False(File.Exists(no));
        }

        [Fact]
        public void Confirm_without_a_terminal_fails_naming_the_fix()
        {
            string target = Path.Combine(_dir, "unasked.cbf");
            var run = Redirected($"{Still} | Export-DiffractionImage -Path '{target}' -Confirm");
            Assert.NotEqual(0, run.Code);
            Assert.Contains("no terminal", run.Errors);
            Assert.Contains("-Confirm:$false", run.Errors);
            Assert.False(File.Exists(target));
        }

        [Fact]
        public void Debug_asks_on_a_terminal_and_the_cmdlet_still_returns_its_output()
        {
            var (code, text) = OnTerminal(Stills + " | Find-BraggSpot -Debug | Measure-Object | ForEach-Object { 'lists: ' + $_.Count }",
                new[] { "expect", "Continue with this operation?" }, new[] { "expect", "[A] Yes to All" }, new[] { "send", "a\r" },
                new[] { "expect", "lists: 3" });
            Assert.Equal(0, code);
        }

        [Fact]
        public void Debug_without_a_terminal_shows_the_messages_and_returns_every_result()
        {
            var run = Redirected(Stills + " | Find-BraggSpot -Debug | Measure-Object | ForEach-Object { 'lists: ' + $_.Count }");
            Assert.Equal(0, run.Code);
            Assert.Contains("lists: 3", run.Output);
            Assert.Contains("VERBOSE:", run.Errors);

            // In-process too (the module tests' host has no terminal).
            var lists = _e.InvokeOk(Stills + " | Find-BraggSpot -Debug");
            Assert.Equal(3, lists.Count);
            Assert.All(lists, l => Assert.IsType<SpotList>(l.BaseObject));
        }
    }
}
