using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Reflection;
using System.Text;
using XtalPS.Lattices;

namespace XtalPS.Pictures
{
    /// <summary>
    /// A run as one self-contained HTML page (every picture embedded, no file or network beside it): a summary table,
    /// warnings, the plots the results allow, a few example images with their overlays, and the images one by one.
    /// </summary>
    internal static class RunReport
    {
        private const int MaxImageRows = 2000;

        public static string Write(RunCollector data, RunReportSettings settings, IList<RunWarning> problems)
        {
            var html = new StringBuilder(1 << 16);
            var ci = CultureInfo.InvariantCulture;
            string version = typeof(RunReport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "";
            int plus = version.IndexOf('+');
            if (plus > 0) version = version.Substring(0, plus);

            html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
            html.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
            html.Append("<meta name=\"generator\" content=\"XtalPS ").Append(E(version)).Append("\">\n");
            html.Append("<title>").Append(E(settings.Title)).Append("</title>\n<style>\n").Append(Style).Append("</style>\n</head>\n<body>\n");
            html.Append("<header><h1>").Append(E(settings.Title)).Append("</h1><p class=\"meta\">XtalPS ").Append(E(version))
                .Append(" · written ").Append(DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", ci)).Append("</p></header>\n");

            var warnings = Warnings(data, settings).Concat(data.Warnings).ToList();
            var plots = new List<(string Caption, string Png)>();
            foreach (var kind in PlotCatalogue.Available(data))
            {
                try
                {
                    var figure = PlotBuilders.Build(kind, data, settings.Plots);
                    plots.Add((Caption(kind, figure.Description), Convert.ToBase64String(figure.Encode(PictureFormat.Png))));
                }
                catch (Exception e) when (e is PictureException || e is ArgumentException || e is InvalidOperationException)
                {
                    var w = new RunWarning("PlotFailed", $"The {kind} plot could not be drawn: {e.Message}", kind.ToString());
                    problems.Add(w); warnings.Add(w);
                }
            }
            var examples = new List<(string Caption, string Png)>();
            foreach (var holder in data.Examples)
            {
                var scene = new DiffractionScene(PictureInput.KeyOf(holder));
                scene.Add(holder);
                try
                {
                    var picture = DiffractionPictureBuilder.Draw(scene, settings.Pictures, PictureFormat.Png);
                    examples.Add((picture.Description, Convert.ToBase64String(picture.Bytes)));
                }
                catch (PictureException e)
                {
                    var w = new RunWarning(e.ErrorId, e.Message, scene.Name);
                    problems.Add(w); warnings.Add(w);
                }
            }

            html.Append("<section id=\"summary\"><h2>Summary</h2>\n<table class=\"summary\">\n");
            foreach (var (name, value) in Summary(data, settings)) html.Append("<tr><th>").Append(E(name)).Append("</th><td>").Append(E(value)).Append("</td></tr>\n");
            html.Append("</table></section>\n");

            html.Append("<section id=\"warnings\"><h2>Warnings</h2>\n");
            if (warnings.Count == 0) html.Append("<p class=\"ok\">None.</p>\n");
            else
            {
                html.Append("<ul class=\"warnings\">\n");
                foreach (var group in warnings.GroupBy(w => (w.Id, w.Message)).Take(200))
                {
                    var first = group.First();
                    html.Append("<li><code>").Append(E(first.Id)).Append("</code> ");
                    var targets = group.Select(w => w.Target).Where(t => t.Length > 0).Distinct().ToArray();
                    if (targets.Length > 0)
                        html.Append("<span class=\"target\">").Append(E(string.Join(", ", targets.Take(5)))).Append(targets.Length > 5 ? $" and {targets.Length - 5} more" : "").Append("</span>: ");
                    html.Append(E(first.Message)).Append("</li>\n");
                }
                html.Append("</ul>\n");
            }
            html.Append("</section>\n");

            if (plots.Count > 0)
            {
                html.Append("<section id=\"plots\"><h2>Plots</h2>\n");
                foreach (var (caption, png) in plots) Figure(html, caption, png);
                html.Append("</section>\n");
            }
            if (examples.Count > 0)
            {
                html.Append("<section id=\"examples\"><h2>Example images</h2>\n<div class=\"examples\">\n");
                foreach (var (caption, png) in examples) Figure(html, caption, png);
                html.Append("</div></section>\n");
            }
            if (data.Images.Count > 0)
            {
                html.Append("<section id=\"images\"><details><summary>Images one by one (").Append(data.Images.Count.ToString(ci));
                if (data.Images.Count > MaxImageRows) html.Append(", the first ").Append(MaxImageRows.ToString(ci)).Append(" listed");
                html.Append(")</summary>\n<table class=\"images\"><thead><tr><th>#</th><th>image</th><th>spots</th><th>hit</th><th>lattices</th><th>indexed</th><th>d min (Å)</th><th>reflections</th></tr></thead><tbody>\n");
                foreach (var r in data.Images.Take(MaxImageRows))
                {
                    html.Append("<tr><td>").Append(r.Number.ToString(ci)).Append("</td><td>").Append(E(r.Name)).Append("</td><td>")
                        .Append(r.Spots >= 0 ? r.Spots.ToString(ci) : "–").Append("</td><td>").Append(r.IsHit(settings.Plots.MinSpots) ? "yes" : "")
                        .Append("</td><td>").Append(r.Lattices.ToString(ci)).Append("</td><td>").Append(r.Indexed.ToString(ci)).Append("</td><td>")
                        .Append(PlotBuilders.F(r.DMin, "0.00")).Append("</td><td>").Append(r.Reflections.ToString(ci)).Append("</td></tr>\n");
                }
                html.Append("</tbody></table></details></section>\n");
            }
            // Reports a picture the browser could not decode on the console, where a test (or a reader) sees it.
            html.Append("<script>\nwindow.addEventListener('load', function () {\n  var bad = 0;\n")
                .Append("  for (var i = 0; i < document.images.length; i++) {\n    var im = document.images[i];\n")
                .Append("    if (!im.complete || im.naturalWidth === 0) { bad++; console.error('XtalPS report: picture ' + (i + 1) + ' did not load: ' + im.alt); }\n  }\n")
                .Append("  document.body.setAttribute('data-pictures', document.images.length + ' pictures, ' + bad + ' failed');\n});\n</script>\n");
            html.Append("</body>\n</html>\n");
            return html.ToString();
        }

        private static void Figure(StringBuilder html, string caption, string png)
        {
            html.Append("<figure><img alt=\"").Append(E(caption)).Append("\" src=\"data:image/png;base64,").Append(png)
                .Append("\"><figcaption>").Append(E(caption)).Append("</figcaption></figure>\n");
        }

        private static string Caption(PlotKind kind, string description)
        {
            switch (kind)
            {
                case PlotKind.Run: return "Run: " + description;
                case PlotKind.UnitCell: return "Unit cells: " + description;
                case PlotKind.Metrology: return "Metrology: " + description;
                case PlotKind.IOverSigma: return "Signal: " + description;
                case PlotKind.Wilson: return "Wilson plot: " + description;
                case PlotKind.Merging: return "Merging: " + description;
                case PlotKind.NormalProbability: return "Error model: " + description;
                default: return description;
            }
        }

        private static IEnumerable<(string, string)> Summary(RunCollector data, RunReportSettings settings)
        {
            var ci = CultureInfo.InvariantCulture;
            var images = data.Images;
            int minSpots = settings.Plots.MinSpots;
            if (images.Count > 0)
            {
                int hits = images.Count(i => i.IsHit(minSpots));
                int withSpots = images.Count(i => i.Spots >= 0);
                yield return ("Images", images.Count.ToString(ci));
                if (withSpots > 0)
                {
                    yield return ($"Hits (≥ {minSpots} spots)", string.Format(ci, "{0} ({1:0.#} %)", hits, 100.0 * hits / images.Count));
                    yield return ("Median spots on hits", PlotBuilders.F(PlotBuilders.Median(images.Where(i => i.IsHit(minSpots)).Select(i => (double)i.Spots)), "0"));
                    yield return ("Median outermost spot", PlotBuilders.F(PlotBuilders.Median(images.Select(i => i.DMin)), "0.00") + " Å");
                }
                int lattices = images.Sum(i => i.Lattices), indexed = images.Count(i => i.Lattices > 0);
                if (lattices > 0)
                {
                    yield return ("Lattices", string.Format(ci, "{0} on {1} images", lattices, indexed));
                    if (hits > 0) yield return ("Hits indexed", string.Format(ci, "{0:0.#} %", 100.0 * images.Count(i => i.IsHit(minSpots) && i.Lattices > 0) / hits));
                    yield return ("Median indexed fraction", PlotBuilders.F(PlotBuilders.Median(images.Where(i => i.Lattices > 0).Select(i => i.IndexedFraction)), "0.00"));
                }
            }
            if (data.ReflectionsSeen > 0)
            {
                var ios = Enumerable.Range(0, data.ReflectionD.Count).Select(k => data.ReflectionIntensity[k] / data.ReflectionSigma[k]);
                yield return ("Reflections measured", data.ReflectionsSeen.ToString(ci));
                yield return ("Median I/σ(I)", PlotBuilders.F(PlotBuilders.Median(ios), "0.0"));
            }
            foreach (var s in data.UnitCellSummaries)
                yield return ("Consensus cell", string.Format(ci, "{0} ({1} of {2} cells; σ {3}); {4}", s.ConsensusCell, s.ClusterSize, s.CellCount, s.Spread, s.BestBravais.Symbol));
            if (data.UnitCellSummaries.Count == 0 && data.Cells.Count > 0)
            {
                var median = new UnitCell(
                    PlotBuilders.Median(data.Cells.Select(c => c.Cell.A)), PlotBuilders.Median(data.Cells.Select(c => c.Cell.B)), PlotBuilders.Median(data.Cells.Select(c => c.Cell.C)),
                    PlotBuilders.Median(data.Cells.Select(c => c.Cell.Alpha)), PlotBuilders.Median(data.Cells.Select(c => c.Cell.Beta)), PlotBuilders.Median(data.Cells.Select(c => c.Cell.Gamma)));
                yield return ("Median cell (as indexed)", median.ToString());
            }
            foreach (var m in data.MetrologyResults)
                yield return ("Metrology " + m.Detector.Name, string.Format(ci, "{0} levels, {1} crystals; RMSD x {2:0.###} → {3:0.###} px, y {4:0.###} → {5:0.###} px",
                    m.LevelCount, m.Crystals.Count, m.RmsdXBefore, m.RmsdXAfter, m.RmsdYBefore, m.RmsdYAfter));
            foreach (var m in data.MergedDataSets)
                yield return ("Merged" + (m.Name.Length > 0 ? " " + m.Name : ""), string.Format(ci,
                    "{0} unique to {1:0.00} Å from {2} lattices ({3} rejected); completeness {4:0.0} %, multiplicity {5:0.0}, CC½ {6:0.000}, ⟨I/σ(I)⟩ {7:0.0}; {8} {9}",
                    m.Count, m.DMin, m.LatticesUsed, m.Statistics.LatticesRejected, m.Completeness, m.Multiplicity, m.CCHalf, m.MeanIOverSigma,
                    m.SpaceGroup.Symbol, m.UnitCell));
        }

        /// <summary>Figures out of the usual range, worth a second look.</summary>
        private static IEnumerable<RunWarning> Warnings(RunCollector data, RunReportSettings settings)
        {
            var ci = CultureInfo.InvariantCulture;
            var images = data.Images;
            int minSpots = settings.Plots.MinSpots;
            int withSpots = images.Count(i => i.Spots >= 0);
            int hits = images.Count(i => i.IsHit(minSpots));
            if (withSpots > 0 && hits == 0)
                yield return new RunWarning("NoHits", $"No image has {minSpots} spots or more: check the spot-finding threshold, the gain and the mask.", "");
            int lattices = images.Sum(i => i.Lattices);
            int hitsIndexed = images.Count(i => i.IsHit(minSpots) && i.Lattices > 0);
            if (hits > 0 && lattices > 0 && hitsIndexed < 0.2 * hits)
                yield return new RunWarning("FewHitsIndexed", string.Format(ci, "Only {0} of {1} hits were indexed: check the cell, the geometry (beam centre, distance) and the spot list.", hitsIndexed, hits), "");
            foreach (var s in data.UnitCellSummaries)
                if (s.ClusterSize < 0.5 * s.CellCount)
                    yield return new RunWarning("CellsSplit", string.Format(ci, "The largest cell cluster holds {0} of {1} cells: several crystal forms or misindexed lattices.", s.ClusterSize, s.CellCount), "");
            foreach (var m in data.MetrologyResults)
            {
                double after = Math.Sqrt(0.5 * (m.RmsdXAfter * m.RmsdXAfter + m.RmsdYAfter * m.RmsdYAfter));
                if (after > 1) yield return new RunWarning("MetrologyRmsdHigh", string.Format(ci, "The RMSD after metrology is {0:0.##} px: more than a pixel.", after), m.Detector.Name);
            }
            if (data.ReflectionsSeen > data.ReflectionD.Count)
                yield return new RunWarning("ReflectionsSampled", string.Format(ci, "{0} reflections were measured; the plots show a uniform sample of {1}.", data.ReflectionsSeen, data.ReflectionD.Count), "");
        }

        private static string E(string? s) => WebUtility.HtmlEncode(s ?? "");

        private const string Style = @"body { font-family: 'DejaVu Sans', 'Segoe UI', Helvetica, Arial, sans-serif; margin: 0 auto; max-width: 1200px; padding: 1em 2em; color: #1d2733; background: #fff; }
header { border-bottom: 3px solid #2f5bd8; margin-bottom: 1em; }
h1 { margin: 0.2em 0; font-size: 1.7em; }
h2 { font-size: 1.3em; border-bottom: 1px solid #d8dee6; padding-bottom: 0.2em; margin-top: 1.6em; }
.meta { color: #5c6b7a; margin: 0 0 0.6em 0; }
table { border-collapse: collapse; }
table.summary th { text-align: left; padding: 0.25em 1.5em 0.25em 0; font-weight: 600; vertical-align: top; }
table.summary td { padding: 0.25em 0; }
table.images { font-size: 0.9em; margin-top: 0.5em; }
table.images th, table.images td { padding: 0.15em 0.7em; border-bottom: 1px solid #eef1f5; text-align: right; }
table.images td:nth-child(2), table.images th:nth-child(2) { text-align: left; }
ul.warnings li { margin: 0.3em 0; }
ul.warnings code { background: #fff3e0; color: #a04000; padding: 0 0.3em; border-radius: 3px; }
.target { font-weight: 600; }
.ok { color: #1e7e34; }
figure { margin: 1em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #e3e8ee; }
figcaption { color: #3c4a58; font-size: 0.92em; margin-top: 0.3em; }
.examples { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 1em; }
summary { cursor: pointer; font-weight: 600; }
";
    }
}
