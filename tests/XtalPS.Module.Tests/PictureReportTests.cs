using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace XtalPS.Module.Tests
{
    /// <summary>Export-RunReport: a self-contained page with the summary, warnings passed in, plots and example pictures,
    /// opened in headless Chromium without console errors.</summary>
    [Collection(EngineCollection.Name)]
    public class PictureReportTests
    {
        private readonly EngineFixture _e;
        public PictureReportTests(EngineFixture e) { _e = e; }

        private string Report(string folder)
        {
            string path = Path.Combine(folder, "report.html");
            _e.InvokeOk(@"
                $images = New-SimulatedImage -Width 384 -Height 384 -Count 3 -Seed 21
                $spots = $images | Find-BraggSpot
                $tables = $spots | Get-Lattice -Planar | Invoke-LatticeExtract
                Import-DiffractionImage -LiteralPath (Join-Path $args[0] 'missing.cbf') -ErrorAction SilentlyContinue -ErrorVariable failed
                $spots + $tables + $failed | Export-RunReport -Path $args[1] -Title 'Planar test run' -ExampleCount 2", folder, path);
            return path;
        }

        [Fact]
        public void The_report_holds_the_summary_the_warnings_passed_in_the_plots_and_the_examples_all_embedded()
        {
            string html = File.ReadAllText(Report(PictureTestKit.TempFolder()));
            Assert.Contains("<title>Planar test run</title>", html);
            Assert.Matches(@"<th>Images</th><td>3</td>", html);
            Assert.Contains("<code>FileNotFound</code>", html);
            Assert.Contains("missing.cbf", html);
            // Run, unit-cell (planar), I/σ and Wilson plots, and two example images: every picture inline.
            Assert.Equal(6, Regex.Matches(html, "<img ").Count);
            Assert.Equal(6, Regex.Matches(html, "src=\"data:image/png;base64,").Count);
            Assert.DoesNotMatch(@"src=""(?!data:)", html); // nothing loaded from beside the file
        }

        [ChromiumFact]
        public void The_report_opens_in_headless_Chromium_without_console_errors_and_is_not_blank()
        {
            Assert.True(PictureTestKit.Chromium != null, "chromium is missing (CI installs it: apt-get install chromium)");
            string folder = PictureTestKit.TempFolder();
            string path = Report(folder);
            string screenshot = Path.Combine(folder, "report.png");
            var (code, _, log) = PictureTestKit.RunChromium(path, "--screenshot=" + screenshot, "--window-size=1280,2000");
            Assert.True(code == 0, $"chromium exited {code}:\n{log}");
            var console = log.Split('\n').Where(l => l.Contains(":CONSOLE", StringComparison.Ordinal)).ToArray();
            Assert.True(console.Length == 0, "console messages:\n" + string.Join("\n", console));
            var (_, dom, _) = PictureTestKit.RunChromium(path, "--dump-dom");
            Assert.Contains("data-pictures=\"6 pictures, 0 failed\"", dom);

            using var bitmap = PictureTestKit.Load(screenshot);
            int dark = 0, coloured = 0, n = 0;
            for (int j = 0; j < bitmap.Height; j += 4)
                for (int i = 0; i < bitmap.Width; i += 4)
                {
                    var c = bitmap.GetPixel(i, j);
                    n++;
                    if (c.Red + c.Green + c.Blue < 300) dark++;
                    if (Math.Max(c.Red, Math.Max(c.Green, c.Blue)) - Math.Min(c.Red, Math.Min(c.Green, c.Blue)) > 60) coloured++;
                }
            Assert.True(dark > n / 200, $"the screenshot is blank: {dark} dark samples of {n}");
            Assert.True(coloured > n / 500, $"the screenshot shows no plot colours: {coloured} of {n}");
        }

        [ChromiumFact]
        public void The_console_check_sees_a_picture_that_does_not_load()
        {
            Assert.True(PictureTestKit.Chromium != null, "chromium is missing (CI installs it: apt-get install chromium)");
            // The report's own check, in a page whose picture is broken: the test above can fail.
            string html = File.ReadAllText(Report(PictureTestKit.TempFolder()));
            int at = html.IndexOf("base64,", StringComparison.Ordinal) + 7;
            string broken = Path.Combine(PictureTestKit.TempFolder(), "broken.html");
            File.WriteAllText(broken, html.Substring(0, at) + "AAAA" + html.Substring(html.IndexOf('"', at)));
            var (_, _, log) = PictureTestKit.RunChromium(broken, "--screenshot=" + Path.Combine(Path.GetDirectoryName(broken)!, "b.png"), "--window-size=800,600");
            Assert.Contains(log.Split('\n'), l => l.Contains(":CONSOLE", StringComparison.Ordinal) && l.Contains("did not load", StringComparison.Ordinal));
        }
    }
}
