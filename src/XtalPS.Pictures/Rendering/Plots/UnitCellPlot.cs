using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ScottPlot;
using XtalPS.Lattices;

namespace XtalPS.Pictures
{
    /// <summary>
    /// Histograms of the cell parameters of indexed lattices (cctbx.xfel's and CrystFEL cell_explorer's first look at a
    /// run): a, b, c, α, β, γ for crystal lattices, |a|, |b| and γ for planar ones. With a cell summary from
    /// Measure-UnitCell the cells of its largest cluster are drawn apart from the rest and its consensus cell is
    /// marked, every cell then in its Niggli-reduced setting, the one the clustering compares.
    /// </summary>
    internal static class UnitCellPlot
    {
        private static readonly string[] CrystalNames = { "a", "b", "c", "α", "β", "γ" };

        public static Figure Build(RunCollector data, PlotSettings settings)
        {
            var summary = data.UnitCellSummaries.LastOrDefault();
            var cells = data.Cells.Select(c => c.Cell).ToList();
            if (cells.Count == 0 && summary != null) cells = summary.Lattices.Select(l => l.UnitCell).ToList();
            if (cells.Count == 0) return Planar(data, settings);

            bool reduce = summary != null;
            var members = new HashSet<UnitCell>(summary?.Lattices.Select(l => l.UnitCell) ?? Enumerable.Empty<UnitCell>());
            var shown = cells.Select(c => (Cell: reduce ? NiggliReduction.Reduce(c) : c, Member: members.Contains(c))).ToList();
            var consensus = summary?.ConsensusCell;
            var plots = new List<Plot>();
            var figureCounts = new Dictionary<string, int>();
            for (int p = 0; p < 6; p++)
            {
                string unit = p < 3 ? "Å" : "°";
                var values = shown.Select(s => s.Cell.ToArray()[p]).ToArray();
                double? line = consensus?.ToArray()[p];
                var edges = PlotBuilders.BinEdges(values, line.HasValue ? new[] { line.Value } : new double[0]);
                var inCluster = PlotBuilders.Count(shown.Where(s => s.Member).Select(s => s.Cell.ToArray()[p]), edges);
                var others = PlotBuilders.Count(shown.Where(s => !s.Member).Select(s => s.Cell.ToArray()[p]), edges);
                string panelTitle = line.HasValue
                    ? string.Format(CultureInfo.InvariantCulture, "{0} = {1:0.###} ± {2:0.###} {3} (consensus)", CrystalNames[p], line.Value, summary!.StandardDeviations[p], unit)
                    : string.Format(CultureInfo.InvariantCulture, "{0}: median {1:0.###} {2}", CrystalNames[p], PlotBuilders.Median(values), unit);
                var plot = PlotBuilders.NewPlot(panelTitle, $"{CrystalNames[p]} ({unit}){(reduce ? ", Niggli setting" : "")}", p % 3 == 0 ? "lattices" : "");
                plot.Axes.Title.Label.FontSize = 12;
                // Two colours only when the plot holds both members of the largest cluster and other cells.
                if (inCluster.Sum() == 0) { inCluster = others; others = new int[others.Length]; }
                AddStacked(plot, edges, inCluster, others, others.Sum() > 0);
                if (line.HasValue) plot.Add.VerticalLine(line.Value, 2, PlotBuilders.Secondary, LinePattern.Dashed);
                PlotBuilders.IntegerTicks(plot.Axes.Left);
                plot.Axes.Margins(0.03, 0.03, 0, 0.12);
                plots.Add(plot);
                figureCounts[CrystalNames[p]] = inCluster.Sum() + others.Sum();
            }
            string title = summary != null
                ? string.Format(CultureInfo.InvariantCulture, "{0} cells; largest cluster {1} ({2} clusters); consensus {3}; {4}",
                    cells.Count, summary.ClusterSize, summary.ClusterCount, summary.ConsensusCell, summary.BestBravais.Symbol)
                : string.Format(CultureInfo.InvariantCulture, "Unit cells of {0} lattices", cells.Count);
            if (settings.Title != null) plots[0].Title(settings.Title);
            var figure = PlotBuilders.Grid(plots, 2, 3, settings.Width, settings.Height > 0 ? settings.Height : (int)(settings.Width * 0.62));
            foreach (var kv in figureCounts) figure.Counts[kv.Key] = kv.Value;
            figure.Counts["Cells"] = cells.Count;
            figure.Description = title;
            return figure;
        }

        private static Figure Planar(RunCollector data, PlotSettings settings)
        {
            var cells = data.PlanarCells;
            var plots = new List<Plot>();
            var figureCounts = new Dictionary<string, int>();
            var names = new[] { "|a| (px)", "|b| (px)", "γ (°)" };
            for (int p = 0; p < 3; p++)
            {
                var values = cells.Select(c => p == 0 ? c.A : p == 1 ? c.B : c.Gamma).ToArray();
                var edges = PlotBuilders.BinEdges(values, new double[0]);
                var counts = PlotBuilders.Count(values, edges);
                var plot = PlotBuilders.NewPlot(string.Format(CultureInfo.InvariantCulture, "{0}: median {1:0.##}", names[p], PlotBuilders.Median(values)), names[p], p == 0 ? "lattices" : "");
                plot.Axes.Title.Label.FontSize = 12;
                AddStacked(plot, edges, counts, new int[counts.Length], false);
                PlotBuilders.IntegerTicks(plot.Axes.Left);
                plot.Axes.Margins(0.03, 0.03, 0, 0.12);
                plots.Add(plot);
                figureCounts[names[p].Split(' ')[0]] = counts.Sum();
            }
            string title = string.Format(CultureInfo.InvariantCulture, "Planar lattices of {0} images", cells.Count);
            if (settings.Title != null) plots[0].Title(settings.Title);
            var figure = PlotBuilders.Grid(plots, 1, 3, settings.Width, settings.Height > 0 ? settings.Height : (int)(settings.Width * 0.36));
            foreach (var kv in figureCounts) figure.Counts[kv.Key] = kv.Value;
            figure.Counts["Cells"] = cells.Count;
            figure.Description = title;
            return figure;
        }

        private static void AddStacked(Plot plot, double[] edges, int[] first, int[] second, bool clustered)
        {
            double width = edges[1] - edges[0];
            var bars = new List<Bar>();
            var rest = new List<Bar>();
            for (int b = 0; b < first.Length; b++)
            {
                double centre = edges[b] + width / 2;
                if (first[b] > 0)
                    bars.Add(new Bar { Position = centre, Value = first[b], ValueBase = 0, Size = width * 0.95, FillColor = PlotBuilders.Primary, LineWidth = 0 });
                if (second[b] > 0)
                    rest.Add(new Bar { Position = centre, Value = first[b] + second[b], ValueBase = first[b], Size = width * 0.95, FillColor = PlotBuilders.Muted, LineWidth = 0 });
            }
            if (bars.Count > 0)
            {
                var p = plot.Add.Bars(bars.ToArray());
                if (clustered) p.LegendText = "largest cluster";
            }
            if (rest.Count > 0)
            {
                var p = plot.Add.Bars(rest.ToArray());
                p.LegendText = clustered ? "other clusters" : "";
            }
            if (clustered) { plot.ShowLegend(Alignment.UpperRight); plot.Legend.FontSize = 10; }
        }
    }
}
