using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using XtalPS.Host;
using Xunit;

namespace XtalPS.Module.Tests
{
    /// <summary>
    /// tests/pester holds Pester 5 suites of user workflows; build.ps1 -Test runs them with the real Pester (from
    /// NuGet) through tests/pester/Invoke-XtalPSPester.ps1. Here: every suite parses and calls only XtalPS commands
    /// and parameters that exist, and the runner counts passes, failures, skips and broken setups as it should.
    /// </summary>
    [Collection(EngineCollection.Name)]
    public class PesterSuiteTests
    {
        private readonly EngineFixture _e;
        public PesterSuiteTests(EngineFixture e) { _e = e; }

        private static string PesterFolder => Path.Combine(EngineFixture.FindRepoRoot(), "tests", "pester");

        public static IEnumerable<object[]> Suites() =>
            Directory.GetFiles(PesterFolder, "*.Tests.ps1").OrderBy(f => f, StringComparer.Ordinal).Select(f => new object[] { Path.GetFileName(f) });

        [Fact]
        public void There_are_Pester_suites()
        {
            Assert.True(Suites().Count() >= 3, "tests/pester should hold the workflow suites");
        }

        [Theory]
        [MemberData(nameof(Suites))]
        public void A_suite_parses_and_uses_only_real_XtalPS_commands_and_parameters(string suite)
        {
            var ast = ScriptCommandChecker.ParseFile(Path.Combine(PesterFolder, suite), out var errors);
            Assert.True(errors.Count == 0, $"{suite} does not parse:{Environment.NewLine}{string.Join(Environment.NewLine, errors)}");
            var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var problems = ScriptCommandChecker.FromEngine(_e).Check(ast, used);
            Assert.True(problems.Count == 0, $"{suite}:{Environment.NewLine}{string.Join(Environment.NewLine, problems)}");
            Assert.NotEmpty(used);
            Assert.NotEmpty(ItNames(ast));
        }

        [Fact]
        public void The_checker_finds_unknown_commands_bad_and_ambiguous_parameters_but_not_helpers()
        {
            var ast = ScriptCommandChecker.ParseText(@"
                function New-DiffractionImageFixture { }
                New-DiffractionImageFixture
                Import-DiffractionImage -Pa x -LP y -Throttle 2 -EA Stop -ProgressAction SilentlyContinue
                Import-DiffractionImages x
                New-SimulatedImage -S 3 -Sed 4 -Widht 5
                Get-ChildItem -Recurse | Measure-Object", "inline", out var errors);
            Assert.Empty(errors);
            var problems = ScriptCommandChecker.FromEngine(_e).Check(ast);
            Assert.Equal(4, problems.Count);
            Assert.Contains(problems, p => p.Contains("'Import-DiffractionImages' is not a command"));
            Assert.Contains(problems, p => p.Contains("-S: ambiguous"));
            Assert.Contains(problems, p => p.Contains("-Sed: no such parameter"));
            Assert.Contains(problems, p => p.Contains("-Widht: no such parameter"));
        }

        [Fact]
        public void The_real_Pester_counts_passed_failed_and_skipped_tests_and_broken_setups()
        {
            // The runner build.ps1 -Test uses, with the Pester 5 package from NuGet, on a suite built to fail in
            // each way a suite can: its counts are what the closing "N passed, N failed" line adds up.
            var dir = Directory.CreateTempSubdirectory("xtalps_pester_").FullName;
            try
            {
                string path = Path.Combine(dir, "Demo.Tests.ps1");
                File.WriteAllText(path, @"
Describe 'demo' {
    BeforeAll { $x = 2; $images = @(New-SimulatedImage -Width 32 -Height 32 -Count 2 -Seed 1) }
    BeforeEach { $y = $x + 1 }
    It 'sees BeforeAll and BeforeEach and the module' { $y | Should -Be 3; $images | Should -HaveCount 2 }
    It 'fails a wrong value' { $x | Should -Be 3 }
    It 'fails when nothing throws' { { 1 } | Should -Throw }
    It 'is skipped' -Skip { throw 'never' }
    It 'keeps non-terminating errors non-terminating' {
        Import-DiffractionImage -Path (Join-Path $TestDrive 'none.cbf') -ErrorAction SilentlyContinue -ErrorVariable bad
        $bad | Should -HaveCount 1
    }
    Context 'broken setup' {
        BeforeAll { throw 'setup broke' }
        It 'cannot run' { 1 | Should -Be 1 }
    }
}");
                var counts = RunPester(path);
                Assert.Equal(2, counts.Passed);
                // Two failed tests, and the test under the broken BeforeAll (Pester fails it, and fails the block).
                Assert.True(counts.Failed >= 3, $"failed {counts.Failed}");
                Assert.Equal(1, counts.Skipped);
            }
            finally { Directory.Delete(dir, true); }
        }

        [Fact]
        public void A_copyable_user_workflow_suite_ships_in_examples()
        {
            var suites = Directory.GetFiles(Path.Combine(_e.RepoRoot, "examples"), "*.Tests.ps1");
            Assert.NotEmpty(suites);
            foreach (var suite in suites)
            {
                var ast = ScriptCommandChecker.ParseFile(suite, out var errors);
                Assert.Empty(errors);
                Assert.Empty(ScriptCommandChecker.FromEngine(_e).Check(ast));
                Assert.NotEmpty(ItNames(ast));
            }
        }

        private sealed record PesterCounts(int Passed, int Failed, int Skipped);

        /// <summary>Runs tests/pester/Invoke-XtalPSPester.ps1 in a fresh runspace, as build.ps1 -Test does.</summary>
        private PesterCounts RunPester(string suite)
        {
            var previous = CultureInfo.CurrentCulture;
            CultureInfo.CurrentCulture = EngineFixture.Culture;
            var output = new StringWriter(CultureInfo.InvariantCulture);
            try
            {
                using var runner = new ScriptRunner(new TextHost(output, output, 160, EngineFixture.Culture), _e.ModulePath);
                using var ps = PowerShell.Create();
                ps.Runspace = runner.Runspace;
                ps.AddScript("& $args[0] -Path $args[1] -Output None")
                  .AddArgument(Path.Combine(_e.RepoRoot, "tests", "pester", "Invoke-XtalPSPester.ps1"))
                  .AddArgument(suite);
                var result = ps.Invoke();
                Assert.True(ps.Streams.Error.Count == 0, string.Join(Environment.NewLine, ps.Streams.Error) + output);
                var o = result.Single(r => r.Properties["Passed"] != null);
                return new PesterCounts(Convert.ToInt32(o.Properties["Passed"].Value, CultureInfo.InvariantCulture),
                    Convert.ToInt32(o.Properties["Failed"].Value, CultureInfo.InvariantCulture),
                    Convert.ToInt32(o.Properties["Skipped"].Value, CultureInfo.InvariantCulture));
            }
            finally { CultureInfo.CurrentCulture = previous; }
        }

        /// <summary>The names of the It blocks of a suite (each must be a real test).</summary>
        private static List<string> ItNames(Ast ast) =>
            ast.FindAll(a => a is CommandAst c && string.Equals(c.GetCommandName(), "It", StringComparison.OrdinalIgnoreCase), true)
               .Cast<CommandAst>().Select(c => c.CommandElements.Count > 1 ? c.CommandElements[1].Extent.Text : "").ToList();
    }
}
