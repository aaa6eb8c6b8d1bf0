using System;
using System.Globalization;
using System.IO;
using System.Linq;
using XtalPS.Host;
using Xunit;

namespace XtalPS.Module.Tests
{
    /// <summary>
    /// Default table views never cut what identifies a row (file names, CSPAD panel names) nor a number
    /// (floating-point min/max); a wider host (-Width) gives the other columns room too.
    /// </summary>
    [Collection(EngineCollection.Name)]
    public sealed class FormatViewWidthTests : IDisposable
    {
        private const string LongName = "lysozyme_run7_chip3_position_0012_series_0004_00001_with_a_long_name.cbf";
        private readonly EngineFixture _e;
        private readonly string _dir;

        public FormatViewWidthTests(EngineFixture e)
        {
            _e = e;
            _dir = Directory.CreateTempSubdirectory("xtalps_views_").FullName;
            _e.InvokeOk("New-SimulatedImage -Width 128 -Height 128 -A 16,1 -B -1,16 -Seed 5 | Export-DiffractionImage -Path $args[0]", Path.Combine(_dir, LongName));
        }

        public void Dispose() => Directory.Delete(_dir, true);

        private string RenderAt(int width, string script)
        {
            var output = new StringWriter(CultureInfo.InvariantCulture);
            using var runner = new ScriptRunner(new TextHost(output, output, width, EngineFixture.Culture), _e.ModulePath);
            var previous = CultureInfo.CurrentCulture;
            CultureInfo.CurrentCulture = EngineFixture.Culture;
            try { Assert.Equal(0, runner.Run(script)); }
            finally { CultureInfo.CurrentCulture = previous; }
            return output.ToString();
        }

        [Fact]
        public void Cspad_panel_names_are_shown_whole()
        {
            var text = _e.Render($"Import-DiffractionImage -LiteralPath '{_e.Shared("real/cspad_thermolysin/idx-20130301060858601.cbf")}' | Measure-DiffractionImage");
            Assert.DoesNotContain("…", text);
            foreach (var name in new[] { "ARRAY_D0Q0S0A0", "ARRAY_D0Q3S7A1" }) Assert.Contains(name, text);
        }

        [Fact]
        public void Long_file_names_are_shown_whole_in_every_view_that_names_an_image()
        {
            string path = Path.Combine(_dir, LongName);
            foreach (var pipeline in new[]
            {
                "Import-DiffractionImage -LiteralPath $p",
                "Import-DiffractionImage -LiteralPath $p | Measure-DiffractionImage",
                "Import-DiffractionImage -LiteralPath $p | Find-BraggSpot",
                "Import-DiffractionImage -LiteralPath $p | Find-BraggSpot | Get-Lattice -Planar",
                "Import-DiffractionImage -LiteralPath $p | Find-BraggSpot | Get-Lattice -Planar | Invoke-PeakIntegration",
            })
            {
                var text = _e.Render($"$p = '{path}'; {pipeline}");
                Assert.True(text.Contains(LongName) && !text.Contains("…"), pipeline + Environment.NewLine + text);
            }
        }

        [Fact]
        public void Floating_point_min_and_max_are_not_cut()
        {
            var text = _e.Render("$i = New-SimulatedImage -Width 64 -Height 48 -A 12,0 -B 0,12 -Seed 4; $i.PanelImages[0].Pixels[0] = -12345.678; " +
                                 "$i.PanelImages[0].Pixels[1] = 1.23456789e7; $i | Measure-DiffractionImage");
            Assert.Contains("-12345.68", text);
            Assert.Contains("1.234568E+07", text);
            Assert.DoesNotContain("…", text);
        }

        [Fact]
        public void A_narrow_host_keeps_the_name_whole_and_a_wide_one_shows_every_column()
        {
            string script = $"Import-DiffractionImage -LiteralPath '{Path.Combine(_dir, LongName)}' | Measure-DiffractionImage";
            var narrow = RenderAt(80, script);
            Assert.Contains(LongName, narrow);
            Assert.DoesNotContain("Masked", narrow); // no room: pwsh leaves out the columns that do not fit
            var wide = RenderAt(200, script);
            Assert.Contains(LongName, wide);
            Assert.Contains("Masked", wide);
            Assert.DoesNotContain("…", narrow + wide);
        }
    }
}
