using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ScottPlot;

namespace XtalPS.Pictures
{
    /// <summary>The plot catalogue of the drawing build: one builder per <see cref="PlotKind"/>, and the style they share.</summary>
    internal static class PlotBuilders
    {
        public static readonly Color Primary = Color.FromHex("#2F5BD8");
        public static readonly Color Secondary = Color.FromHex("#E6194B");
        public static readonly Color Muted = Color.FromHex("#9AA5B1");
        public static readonly Color Accent = Color.FromHex("#1E9E3C");

        public static Figure Build(PlotKind kind, RunCollector data, PlotSettings settings)
        {
            switch (kind)
            {
                case PlotKind.UnitCell: return UnitCellPlot.Build(data, settings);
                case PlotKind.Run: return RunPlot.Build(data, settings);
                case PlotKind.Metrology: return MetrologyPlot.Build(data, settings);
                case PlotKind.IOverSigma: return ResolutionPlots.IOverSigma(data, settings);
                case PlotKind.Wilson: return ResolutionPlots.Wilson(data, settings);
                case PlotKind.Merging: return MergingPlots.Statistics(data, settings);
                case PlotKind.NormalProbability: return MergingPlots.NormalProbability(data, settings);
                default: throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown plot kind.");
            }
        }

        public static RenderedPicture Draw(PlotKind kind, RunCollector data, PlotSettings settings, PictureFormat format) =>
            Build(kind, data, settings).Render(format);

        /// <summary>A plot with the shared look: sans-serif text, light grid.</summary>
        public static Plot NewPlot(string title, string xLabel, string yLabel)
        {
            var plot = new Plot();
            plot.Font.Set("DejaVu Sans");
            if (title.Length > 0) { plot.Title(title); plot.Axes.Title.Label.FontSize = 14; }
            plot.XLabel(xLabel);
            plot.YLabel(yLabel);
            plot.Axes.Bottom.Label.FontSize = 13;
            plot.Axes.Left.Label.FontSize = 13;
            plot.Grid.MajorLineColor = Colors.Black.WithAlpha(0.08);
            return plot;
        }

        /// <summary>Counts on an axis: whole-number ticks only.</summary>
        public static void IntegerTicks(IAxis axis) =>
            axis.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };

        /// <summary>Puts several plots in a grid of <paramref name="rows"/> × <paramref name="columns"/>, with an overall title in the first.</summary>
        public static Figure Grid(IReadOnlyList<Plot> plots, int rows, int columns, int width, int height)
        {
            // A new Multiplot holds one empty plot of its own: start it from the first plot instead.
            var multi = new Multiplot(plots[0]);
            foreach (var p in plots.Skip(1)) multi.AddPlot(p);
            multi.Layout = new ScottPlot.MultiplotLayouts.Grid(rows, columns);
            return new Figure(multi, plots, width, height);
        }

        /// <summary>Equal-width bins over the values (and any extra values that must fall inside, such as a consensus line).</summary>
        public static double[] BinEdges(IReadOnlyCollection<double> values, IEnumerable<double> mustInclude, int? binCount = null)
        {
            var all = values.Concat(mustInclude).Where(v => !double.IsNaN(v) && !double.IsInfinity(v)).ToArray();
            double min = all.Length > 0 ? all.Min() : 0, max = all.Length > 0 ? all.Max() : 1;
            if (max - min < 1e-9 * Math.Max(1, Math.Abs(max))) { double half = Math.Max(0.005 * Math.Abs(max), 0.01); min -= half; max += half; }
            int n = binCount ?? Math.Max(10, Math.Min(60, (int)Math.Round(2 * Math.Sqrt(Math.Max(1, values.Count)))));
            double pad = (max - min) * 0.04;
            min -= pad; max += pad;
            var edges = new double[n + 1];
            for (int i = 0; i <= n; i++) edges[i] = min + (max - min) * i / n;
            return edges;
        }

        /// <summary>How many values fall in each bin (the last bin includes its upper edge).</summary>
        public static int[] Count(IEnumerable<double> values, double[] edges)
        {
            var counts = new int[edges.Length - 1];
            double width = edges[1] - edges[0];
            foreach (var v in values)
            {
                if (double.IsNaN(v)) continue;
                int b = (int)Math.Floor((v - edges[0]) / width);
                if (b == counts.Length && v <= edges[edges.Length - 1] + 1e-9 * width) b--;
                if (b >= 0 && b < counts.Length) counts[b]++;
            }
            return counts;
        }

        public static double Median(IEnumerable<double> values)
        {
            var v = values.Where(x => !double.IsNaN(x)).OrderBy(x => x).ToArray();
            if (v.Length == 0) return double.NaN;
            return v.Length % 2 == 1 ? v[v.Length / 2] : 0.5 * (v[v.Length / 2 - 1] + v[v.Length / 2]);
        }

        public static string F(double v, string format) => double.IsNaN(v) ? "–" : v.ToString(format, CultureInfo.InvariantCulture);
    }
}
