using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Management.Automation;
using Xunit;

namespace XtalPS.Module.Tests
{
    /// <summary>Small things a new user met in the first hour: advice that cannot be followed, a cell and space
    /// group that cannot go together accepted with a warning and then failing every still.</summary>
    [Collection(EngineCollection.Name)]
    public sealed class FirstHourBugTests
    {
        private readonly EngineFixture _e;
        public FirstHourBugTests(EngineFixture e) { _e = e; }

        [Fact]
        public void A_mask_image_gets_no_gain_and_no_advice_to_pass_a_zero_gain()
        {
            var output = _e.Invoke("$i = New-SimulatedImage -Width 128 -Height 128 -A 16,1 -B -1,16 -Seed 5; " +
                                   "$p = $i.PanelImages[0].Pixels; for ($j = 0; $j -lt $p.Length; $j++) { $p[$j] = 1 }; " +
                                   "$i | Measure-DetectorGain 3>&1", out var errors);
            Assert.DoesNotContain(output, o => o.BaseObject is WarningRecord);
            Assert.DoesNotContain(output, o => o.BaseObject is XtalPS.Spots.GainEstimate);
            var error = Assert.Single(errors);
            Assert.StartsWith("NoCountingNoise,", error.FullyQualifiedErrorId);
            Assert.Contains("not an image of counts", error.ToString());
        }

        [Fact]
        public void A_hexagonal_cell_with_a_tetragonal_space_group_is_refused_before_any_still()
        {
            var output = _e.Invoke(
                "New-SimulatedImage -UnitCell 79.1,79.1,37.9,90,90,90 -SpaceGroup P43212 -Seed 3 | Find-BraggSpot | " +
                "Get-Lattice -UnitCell 79.1,79.1,37.9,90,90,120 -SpaceGroup P43212 3>&1", out var errors);
            Assert.Empty(output); // no lattice, and no "used as given" warning
            var error = Assert.Single(errors);
            Assert.StartsWith("InvalidCrystalSymmetry,", error.FullyQualifiedErrorId);
            Assert.Contains("does not have the symmetry of", error.ToString());
            // It stops the command: one error for the command, not one per still.
            var many = _e.Invoke("1..3 | ForEach-Object { New-SimulatedImage -UnitCell 79.1,79.1,37.9,90,90,90 -SpaceGroup P43212 -Seed $_ } | Find-BraggSpot | " +
                                 "Get-Lattice -UnitCell 79.1,79.1,37.9,90,90,120 -SpaceGroup P43212", out errors);
            Assert.Empty(many);
            Assert.Single(errors);
        }

        [Theory]
        [InlineData("Find-BraggSpot", 3)]
        [InlineData("Measure-DetectorGain", 3)]
        public void Self_contained_help_examples_print_what_the_help_shows(string page, int number)
        {
            // Examples that need no files: run the code, compare with the Output block (values and words; the
            // spacing of table columns depends on the width of the host).
            string text = File.ReadAllText(Path.Combine(_e.RepoRoot, "docs", page + ".md"));
            var m = Regex.Match(text, $@"### Example {number}:[^\n]*\n```powershell\n(?<code>.*?)```\s*```Output\n(?<out>.*?)```", RegexOptions.Singleline);
            Assert.True(m.Success, $"{page} example {number} has no code and output blocks");
            static string[] Words(string t) => t.Split('\n').Select(l => Regex.Replace(l.Trim(), @"\s+", " "))
                .Where(l => l.Length > 0 && !l.StartsWith("WARNING:", StringComparison.Ordinal)).ToArray();
            var shown = Words(_e.Render(m.Groups["code"].Value));
            Assert.Equal(Words(m.Groups["out"].Value), shown);
        }
    }
}
