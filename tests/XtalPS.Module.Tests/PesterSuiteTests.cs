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
    /// tests/pester holds Pester 5 suites of user workflows for machines with pwsh and Pester. Pester cannot be
    /// installed here, so: every suite must parse, may only call XtalPS commands and parameters that exist, and
    /// must pass when run by MiniPester (a small Pester stand-in) in a fresh runspace with the built module.
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

        [Theory]
        [MemberData(nameof(Suites))]
        public void A_suite_passes_under_MiniPester(string suite)
        {
            string path = Path.Combine(PesterFolder, suite);
            var results = RunMiniPester(path);
            var expected = ItNames(ScriptCommandChecker.ParseFile(path, out _));
            var failed = results.Where(r => r.Result != "Passed").ToList();
            Assert.True(failed.Count == 0, string.Join(Environment.NewLine, failed.Select(f => $"{f.Result}: {f.Name}: {f.Message}")));
            Assert.Equal(expected.Count, results.Count);
        }

        [Fact]
        public void MiniPester_reports_failed_assertions_and_failed_setup()
        {
            var dir = Directory.CreateTempSubdirectory("xtalps_minipester_").FullName;
            try
            {
                string path = Path.Combine(dir, "Demo.Tests.ps1");
                File.WriteAllText(path, @"
Describe 'demo' {
    BeforeAll { $x = 2 }
    BeforeEach { $y = $x + 1 }
    It 'sees BeforeAll and BeforeEach' { $y | Should -Be 3; @(1, 2) | Should -Be @(1, 2); $TestDrive | Should -Not -BeNullOrEmpty }
    It 'fails a wrong value' { $x | Should -Be 3 }
    It 'fails a wrong count' { @(1, 2, 3) | Should -HaveCount 2 }
    It 'fails when nothing throws' { { 1 } | Should -Throw }
    It 'passes Throw with PassThru' { $e = { throw 'boom' } | Should -Throw -PassThru; $e.Exception.Message | Should -BeExactly 'boom' }
    It 'is skipped' -Skip { throw 'never' }
    Context 'broken setup' {
        BeforeAll { throw 'setup broke' }
        It 'cannot run' { 1 | Should -Be 1 }
    }
}");
                var results = RunMiniPester(path).ToDictionary(r => r.Name.Split(" > ").Last(), r => r);
                Assert.Equal(7, results.Count);
                Assert.Equal("Passed", results["sees BeforeAll and BeforeEach"].Result);
                Assert.Equal("Failed", results["fails a wrong value"].Result);
                Assert.Contains("Expected -Be 3", results["fails a wrong value"].Message);
                Assert.Equal("Failed", results["fails a wrong count"].Result);
                Assert.Equal("Failed", results["fails when nothing throws"].Result);
                Assert.Equal("Passed", results["passes Throw with PassThru"].Result);
                Assert.Equal("Skipped", results["is skipped"].Result);
                Assert.Equal("Failed", results["cannot run"].Result);
                Assert.Contains("setup broke", results["cannot run"].Message);
            }
            finally { Directory.Delete(dir, true); }
        }

        private sealed record TestResult(string Name, string Result, string Message);

        /// <summary>The names of the It blocks of a suite (what MiniPester must report, one result each).</summary>
        private static List<string> ItNames(Ast ast) =>
            ast.FindAll(a => a is CommandAst c && string.Equals(c.GetCommandName(), "It", StringComparison.OrdinalIgnoreCase), true)
               .Cast<CommandAst>().Select(c => c.CommandElements.Count > 1 ? c.CommandElements[1].Extent.Text : "").ToList();

        /// <summary>Runs a suite in a fresh runspace with the module imported, as pwsh would for Invoke-Pester.</summary>
        private List<TestResult> RunMiniPester(string suite)
        {
            var previous = CultureInfo.CurrentCulture;
            CultureInfo.CurrentCulture = EngineFixture.Culture;
            var output = new StringWriter(CultureInfo.InvariantCulture);
            try
            {
                using var runner = new ScriptRunner(new TextHost(output, output, 160, EngineFixture.Culture), _e.ModulePath);
                using var ps = PowerShell.Create();
                ps.Runspace = runner.Runspace;
                ps.AddScript(". $args[0]; Invoke-MiniPester -Path $args[1]")
                  .AddArgument(Path.Combine(_e.RepoRoot, "tests", "XtalPS.Module.Tests", "MiniPester.ps1"))
                  .AddArgument(suite);
                var results = ps.Invoke().Select(o => new TestResult(
                    (string)o.Properties["Name"].Value, (string)o.Properties["Result"].Value, (string)o.Properties["Message"].Value)).ToList();
                // Errors outside any It (the file itself did not load) become one failed result.
                foreach (var error in ps.Streams.Error)
                    results.Add(new TestResult("(outside It)", "Failed", error + " " + error.InvocationInfo?.PositionMessage));
                return results;
            }
            finally { CultureInfo.CurrentCulture = previous; }
        }
    }
}
