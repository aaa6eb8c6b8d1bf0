using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ScottPlot;

namespace XtalPS.Pictures
{
    /// <summary>
    /// A run image by image (cctbx.xfel's run statistics, CrystFEL's hit-rate plots): spots per image with the hit
    /// threshold, lattices, indexed fraction and the resolution of the outermost spot, against image number.
    /// </summary>
    internal static class RunPlot
    {
        public static Figure Build(RunCollector data, PlotSettings settings)
        {
            var images = data.Images;
            double[] x = images.Select(i => (double)i.Number).ToArray();
            int withSpots = images.Count(i => i.Spots >= 0);
            int hits = images.Count(i => i.IsHit(settings.MinSpots));
            int indexedImages = images.Count(i => i.Lattices > 0);
            int lattices = images.Sum(i => i.Lattices);
            var plots = new List<Plot>();
            var counts = new Dictionary<string, int>();

            if (withSpots > 0)
            {
                var plot = PlotBuilders.NewPlot("", "", "spots");
                var hit = images.Where(i => i.IsHit(settings.MinSpots)).ToArray();
                var miss = images.Where(i => i.Spots >= 0 && !i.IsHit(settings.MinSpots)).ToArray();
                AddPoints(plot, hit.Select(i => (double)i.Number), hit.Select(i => (double)i.Spots), PlotBuilders.Primary, $"hit (≥ {settings.MinSpots} spots)");
                AddPoints(plot, miss.Select(i => (double)i.Number), miss.Select(i => (double)i.Spots), PlotBuilders.Muted, "no hit");
                var line = plot.Add.HorizontalLine(settings.MinSpots, 1, PlotBuilders.Secondary, LinePattern.Dashed);
                plot.ShowLegend(Alignment.UpperRight);
                plots.Add(plot);
                counts["Spots"] = withSpots;
            }
            if (lattices > 0 || images.Any(i => i.Reflections > 0))
            {
                var plot = PlotBuilders.NewPlot("", "", "lattices");
                AddPoints(plot, x, images.Select(i => (double)i.Lattices), PlotBuilders.Accent, "");
                plots.Add(plot);
                counts["Lattices"] = images.Count;

                var fraction = images.Where(i => !double.IsNaN(i.IndexedFraction)).ToArray();
                if (fraction.Length > 0)
                {
                    var f = PlotBuilders.NewPlot("", "", "indexed fraction");
                    AddPoints(f, fraction.Select(i => (double)i.Number), fraction.Select(i => i.IndexedFraction), PlotBuilders.Accent, "");
                    f.Axes.SetLimitsY(-0.02, 1.02);
                    plots.Add(f);
                    counts["IndexedFraction"] = fraction.Length;
                }
            }
            var resolved = images.Where(i => !double.IsNaN(i.DMin)).ToArray();
            if (resolved.Length > 0)
            {
                var plot = PlotBuilders.NewPlot("", "", "spot d min (Å)");
                AddPoints(plot, resolved.Select(i => (double)i.Number), resolved.Select(i => i.DMin), PlotBuilders.Secondary, "");
                plots.Add(plot);
                counts["Resolution"] = resolved.Length;
            }
            if (plots.Count == 0)
            {
                var plot = PlotBuilders.NewPlot("", "", "images");
                AddPoints(plot, x, x.Select(_ => 1.0), PlotBuilders.Muted, "");
                plots.Add(plot);
            }
            foreach (var p in plots)
            {
                p.Axes.SetLimitsX(0.5, Math.Max(1.5, images.Count + 0.5));
                PlotBuilders.IntegerTicks(p.Axes.Bottom);
            }
            foreach (var p in plots.Take(2)) if (p.Axes.Left.Label.Text != "indexed fraction") PlotBuilders.IntegerTicks(p.Axes.Left);
            plots[plots.Count - 1].XLabel("image");
            string title = settings.Title ?? string.Format(CultureInfo.InvariantCulture,
                "{0} images; {1} hits ({2:0.#} %); {3} lattices on {4} images ({5} of hits indexed)",
                images.Count, hits, images.Count > 0 ? 100.0 * hits / images.Count : 0, lattices, indexedImages,
                hits > 0 ? (100.0 * images.Count(i => i.IsHit(settings.MinSpots) && i.Lattices > 0) / hits).ToString("0.#", CultureInfo.InvariantCulture) + " %" : "none");
            plots[0].Title(title);
            plots[0].Axes.Title.Label.FontSize = 13;
            var figure = PlotBuilders.Grid(plots, plots.Count, 1, settings.Width, settings.Height > 0 ? settings.Height : 150 + 170 * plots.Count);
            foreach (var kv in counts) figure.Counts[kv.Key] = kv.Value;
            figure.Counts["Images"] = images.Count;
            figure.Counts["Hits"] = hits;
            figure.Description = title;
            return figure;
        }

        private static void AddPoints(Plot plot, IEnumerable<double> x, IEnumerable<double> y, Color colour, string legend)
        {
            var xs = x.ToArray();
            if (xs.Length == 0) return;
            var s = plot.Add.ScatterPoints(xs, y.ToArray(), colour);
            s.MarkerSize = xs.Length > 2000 ? 2 : xs.Length > 300 ? 3.5f : 5;
            s.LegendText = legend;
        }
    }
}
