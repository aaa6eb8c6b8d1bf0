using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using XtalPS.Host;
using Xunit;

namespace XtalPS.Module.Tests
{
    /// <summary>Every script in examples/ (but the Pester suites) runs through the script host (as the README tells users to) without errors.</summary>
    [Collection(EngineCollection.Name)]
    public class ExampleScriptTests
    {
        public static IEnumerable<object[]> Scripts() =>
            Directory.GetFiles(Path.Combine(EngineFixture.FindRepoRoot(), "examples"), "*.ps1")
                .Where(f => !f.EndsWith(".Tests.ps1", System.StringComparison.OrdinalIgnoreCase)) // Pester suites: build.ps1 -Test runs them
                .OrderBy(f => f, System.StringComparer.Ordinal)
                .Select(f => new object[] { Path.GetFileName(f) });

        [Theory]
        [MemberData(nameof(Scripts))]
        public void Example_runs_through_the_host_without_errors(string script)
        {
            var root = EngineFixture.FindRepoRoot();
            var output = new StringWriter(CultureInfo.InvariantCulture);
            var errors = new StringWriter(CultureInfo.InvariantCulture);
            var host = new TextHost(output, errors, 160, EngineFixture.Culture);
            using var runner = new ScriptRunner(host, Path.Combine(root, "module", "XtalPS"));
            int code = runner.Run(ScriptRunner.ScriptInvocation(Path.Combine(root, "examples", script), new string[0]));
            Assert.True(code == 0, $"{script} exited {code}:\n{errors}\n{output}");
            Assert.False(string.IsNullOrWhiteSpace(output.ToString()), $"{script} printed nothing");
        }

        [Fact]
        public void Quickstart_prints_the_bundled_image_and_its_statistics()
        {
            var root = EngineFixture.FindRepoRoot();
            var output = new StringWriter(CultureInfo.InvariantCulture);
            var host = new TextHost(output, new StringWriter(), 160, EngineFixture.Culture);
            using var runner = new ScriptRunner(host, Path.Combine(root, "module", "XtalPS"));
            Assert.Equal(0, runner.Run(ScriptRunner.ScriptInvocation(Path.Combine(root, "examples", "Quickstart.ps1"), new string[0])));
            var text = output.ToString();
            Assert.Matches(@"lattice2d_demo\.cbf\s+miniCBF\s+1\s+384x384", text);
            Assert.Matches(@"lattice2d_demo\.cbf\s+\S+\s+384\s+384\s+\d+\s+\d+", text);
        }
    }
}
