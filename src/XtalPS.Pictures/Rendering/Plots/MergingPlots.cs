using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using MathNet.Numerics.Distributions;
using ScottPlot;
using XtalPS.Merging;

namespace XtalPS.Pictures
{
    /// <summary>
    /// A merged data set as aimless and dials.merge report it: CC½ and CC* (Karplus &amp; Diederichs 2012, Science
    /// 336:1030), Rsplit (White et al. 2012, J. Appl. Cryst. 45:335) with Rmeas and Rpim, completeness, multiplicity and
    /// ⟨I/σ(I)⟩ in the merge's resolution shells; and the normal probability plot of the normalised deviations that
    /// tells whether the error model's σ are right (Howell &amp; Smith 1992, J. Appl. Cryst. 25:81).
    /// </summary>
    internal static class MergingPlots
    {
        private const int MaxProbabilityPoints = 2000;
        private static readonly Color[] SetColours = { PlotBuilders.Primary, PlotBuilders.Secondary, PlotBuilders.Accent, Color.FromHex("#F58231"), Color.FromHex("#911EB4"), Color.FromHex("#42D4F4") };

        public static Figure Statistics(RunCollector data, PlotSettings settings)
        {
            var sets = data.MergedDataSets.Where(m => m.Statistics.Shells.Count > 0).ToArray();
            if (sets.Length == 0) throw new PictureException(PictureException.NoPlotDataId, "No merged data set has statistics in resolution shells.");
            double dMin = sets.Min(m => m.Statistics.Shells.Min(s => s.DMin)), dMax = sets.Max(m => m.Statistics.Shells.Max(s => s.DMax));
            var panels = new List<(string Label, Func<ShellStatistics, double>[] Values, string[] Names, double? Top)>
            {
                ("CC", new Func<ShellStatistics, double>[] { s => s.CCHalf, s => s.CCStar }, new[] { "CC½", "CC*" }, 1.02),
                ("R (%)", new Func<ShellStatistics, double>[] { s => s.RSplit, s => s.RMeas, s => s.RPim }, new[] { "Rsplit", "Rmeas", "Rpim" }, null),
                ("completeness (%)", new Func<ShellStatistics, double>[] { s => s.Completeness }, new[] { "completeness" }, 102),
                ("multiplicity", new Func<ShellStatistics, double>[] { s => s.Multiplicity }, new[] { "multiplicity" }, null),
                ("⟨I/σ(I)⟩", new Func<ShellStatistics, double>[] { s => s.MeanIOverSigma }, new[] { "⟨I/σ(I)⟩" }, null),
            };
            if (sets.Any(m => m.Statistics.Shells.Any(s => !double.IsNaN(s.CCAno))))
                panels.Add(("CCano", new Func<ShellStatistics, double>[] { s => s.CCAno }, new[] { "CCano" }, 1.02));
            var plots = new List<Plot>();
            int points = 0;
            foreach (var panel in panels)
            {
                var plot = PlotBuilders.NewPlot("", "resolution (Å)", panel.Label);
                for (int k = 0; k < sets.Length; k++)
                {
                    var shells = sets[k].Statistics.Shells;
                    // Each shell at the 1/d² of its middle in reciprocal volume.
                    var x = shells.Select(s => Math.Pow(0.5 * (Math.Pow(s.DMax, -3) + Math.Pow(s.DMin, -3)), 2.0 / 3)).ToArray();
                    for (int v = 0; v < panel.Values.Length; v++)
                    {
                        var ys = shells.Select(panel.Values[v]).ToArray();
                        var keep = Enumerable.Range(0, ys.Length).Where(i => !double.IsNaN(ys[i]) && !double.IsInfinity(ys[i])).ToArray();
                        if (keep.Length == 0) continue;
                        var line = plot.Add.Scatter(keep.Select(i => x[i]).ToArray(), keep.Select(i => ys[i]).ToArray(), SetColours[k % SetColours.Length]);
                        line.LineWidth = 2; line.MarkerSize = 5;
                        if (v > 0) line.LinePattern = v == 1 ? LinePattern.Dashed : LinePattern.Dotted;
                        string set = sets.Length > 1 ? (sets[k].Name.Length > 0 ? sets[k].Name : "set " + (k + 1)) + " " : "";
                        if (panel.Values.Length > 1 || sets.Length > 1) line.LegendText = set + panel.Names[v];
                        points += keep.Length;
                    }
                }
                if (panel.Label == "CC") plot.Add.HorizontalLine(0.3, 1, Colors.Black.WithAlpha(0.35), LinePattern.Dotted);
                ResolutionPlots.ResolutionTicks(plot, dMin, dMax, square: true);
                // One resolution axis for every panel, even where a statistic is missing in the outer shells.
                double x0 = 1 / (dMax * dMax), x1 = 1 / (dMin * dMin), margin = 0.03 * (x1 - x0);
                plot.Axes.SetLimitsX(x0 - margin, x1 + margin);
                if (panel.Top.HasValue) plot.Axes.SetLimitsY(panel.Label == "CC" ? Math.Min(0, LowestValue(sets, panel.Values)) - 0.02 : 0, panel.Top.Value);
                if (panel.Values.Length > 1 || sets.Length > 1) plot.ShowLegend(Alignment.LowerLeft);
                plots.Add(plot);
            }
            var first = sets[0];
            // Two short lines: the title sits over the first panel, half the figure wide.
            string title = settings.Title ?? string.Format(CultureInfo.InvariantCulture, "{0}{1} unique to {2:0.00} Å from {3} lattices\nCC½ {4:0.000}, completeness {5:0.0} %",
                sets.Length > 1 ? sets.Length + " data sets; first: " : "", first.Count, first.DMin, first.LatticesUsed, first.CCHalf, first.Completeness);
            plots[0].Title(title);
            plots[0].Axes.Title.Label.FontSize = 14;
            int width = settings.Width, height = settings.Height > 0 ? settings.Height : (int)(settings.Width * 1.05);
            var figure = PlotBuilders.Grid(plots, (plots.Count + 1) / 2, 2, width, height);
            figure.Description = title.Replace("\n", "; ");
            figure.Counts["DataSets"] = sets.Length;
            figure.Counts["Shells"] = sets.Sum(m => m.Statistics.Shells.Count);
            figure.Counts["Panels"] = plots.Count;
            figure.Counts["Points"] = points;
            return figure;
        }

        private static double LowestValue(IEnumerable<MergedReflectionTable> sets, Func<ShellStatistics, double>[] values) =>
            sets.SelectMany(m => m.Statistics.Shells).SelectMany(s => values.Select(f => f(s))).Where(v => !double.IsNaN(v)).DefaultIfEmpty(0).Min();

        public static Figure NormalProbability(RunCollector data, PlotSettings settings)
        {
            var sets = data.MergedDataSets.Where(m => m.Statistics.NormalDeviations.Count >= 10).ToArray();
            if (sets.Length == 0) throw new PictureException(PictureException.NoPlotDataId, "No merged data set has reflections measured more than once.");
            var plot = PlotBuilders.NewPlot("", "expected normal quantile", "normalised deviation δ");
            double extent = 0;
            int total = 0;
            var fits = new List<string>();
            for (int k = 0; k < sets.Length; k++)
            {
                var d = sets[k].Statistics.NormalDeviations;
                int n = d.Count;
                total += n;
                // Expected quantiles of n draws from N(0, 1) at the plotting positions (i + ½)/n.
                var expected = new double[n];
                for (int i = 0; i < n; i++) expected[i] = Normal.InvCDF(0, 1, (i + 0.5) / n);
                // Slope and intercept of the straight central part (|expected| < 1), as aimless reports them.
                var central = Enumerable.Range(0, n).Where(i => Math.Abs(expected[i]) < 1).ToArray();
                double slope = double.NaN, intercept = double.NaN;
                if (central.Length >= 2)
                {
                    double mx = central.Average(i => expected[i]), my = central.Average(i => d[i]);
                    double sxx = central.Sum(i => (expected[i] - mx) * (expected[i] - mx)), sxy = central.Sum(i => (expected[i] - mx) * (d[i] - my));
                    if (sxx > 0) { slope = sxy / sxx; intercept = my - slope * mx; }
                }
                int stride = Math.Max(1, (n + MaxProbabilityPoints - 1) / MaxProbabilityPoints);
                var idx = Enumerable.Range(0, n).Where(i => i % stride == 0 || i == n - 1).ToArray();
                var points = plot.Add.ScatterPoints(idx.Select(i => expected[i]).ToArray(), idx.Select(i => d[i]).ToArray(), SetColours[k % SetColours.Length].WithAlpha(0.7));
                points.MarkerSize = 3;
                string name = sets.Length > 1 ? (sets[k].Name.Length > 0 ? sets[k].Name : "set " + (k + 1)) + ": " : "";
                string fit = string.Format(CultureInfo.InvariantCulture, "{0}slope {1:0.00}, intercept {2:0.00}", name, slope, intercept);
                points.LegendText = fit + (stride > 1 ? $" (1 in {stride} of {n})" : $" ({n})");
                fits.Add(fit);
                extent = Math.Max(extent, Math.Max(Math.Abs(expected[0]), Math.Abs(expected[n - 1])));
            }
            extent = Math.Max(extent, 1);
            var ideal = plot.Add.Line(-extent, -extent, extent, extent);
            ideal.LineColor = Colors.Black.WithAlpha(0.5); ideal.LineWidth = 1.5f; ideal.LinePattern = LinePattern.Dashed;
            ideal.LegendText = "ideal: slope 1 through 0";
            // Far outliers would squash the line; show the range the expected quantiles span, with a margin.
            double lo = Math.Max(sets.Min(m => m.Statistics.NormalDeviations[0]), -3 * extent), hi = Math.Min(sets.Max(m => m.Statistics.NormalDeviations[m.Statistics.NormalDeviations.Count - 1]), 3 * extent);
            plot.Axes.SetLimitsY(Math.Min(lo, -extent) * 1.05, Math.Max(hi, extent) * 1.05);
            plot.ShowLegend(Alignment.UpperLeft);
            string title = settings.Title ?? string.Format(CultureInfo.InvariantCulture, "Normal probability plot of {0} normalised deviations; {1}", total, string.Join("; ", fits));
            plot.Title(title);
            var figure = new Figure(plot, settings.Width, settings.Height > 0 ? settings.Height : (int)(settings.Width * 0.75)) { Description = title };
            figure.Counts["Deviations"] = total;
            figure.Counts["DataSets"] = sets.Length;
            return figure;
        }
    }
}
