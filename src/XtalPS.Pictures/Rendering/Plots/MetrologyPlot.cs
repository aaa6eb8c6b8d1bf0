using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ScottPlot;
using XtalPS.Geometry;
using XtalPS.Lattices;
using XtalPS.Metrology;

namespace XtalPS.Pictures
{
    /// <summary>
    /// What metrology did, as cctbx.xfel's detector_residuals shows it: on a map of the detector, every reflection's
    /// observed − predicted vector (magnified) before and after refinement, panels coloured by the panel group of the
    /// finest level refined, each panel's mean vector in black; below, the RMSD of every panel before and after.
    /// </summary>
    internal static class MetrologyPlot
    {
        private static readonly Color[] GroupColours = Color.FromHex(new[]
        {
            "#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#9467BD", "#8C564B", "#E377C2", "#7F7F7F", "#BCBD22", "#17BECF",
        });

        private sealed class Residual
        {
            public int Panel; public double X, Y, Dx, Dy;
        }

        public static Figure Build(RunCollector data, PlotSettings settings)
        {
            var result = data.MetrologyResults[data.MetrologyResults.Count - 1];
            var before = Residuals(result, refined: false);
            var after = Residuals(result, refined: true);
            var detector = result.Detector;
            var beam = result.Crystals.Count > 0 ? result.Crystals[0].Input.Beam : new Beam(1.0);
            var projection = new DetectorProjection(detector, beam);
            var groupOf = GroupOfPanels(detector, result.Levels.Count > 0 ? result.Levels[result.Levels.Count - 1].Level : 0);

            double rmsBefore = Rms(before), rmsAfter = Rms(after);
            double magnification = settings.Magnification;
            if (double.IsNaN(magnification))
            {
                double panelPx = detector.Panels.Average(p => Math.Min(p.Width, p.Height));
                magnification = rmsBefore > 0 ? Math.Max(1, Math.Round(0.25 * panelPx / rmsBefore)) : 100;
            }
            var mapBefore = Map(detector, projection, groupOf, before, magnification,
                string.Format(CultureInfo.InvariantCulture, "before: RMSD {0:0.###} px; residuals × {1:0.#}", rmsBefore, magnification));
            var mapAfter = Map(detector, projection, groupOf, after, magnification,
                string.Format(CultureInfo.InvariantCulture, "after: RMSD {0:0.###} px; residuals × {1:0.#}", rmsAfter, magnification));
            var bars = RmsdPerPanel(detector, before, after);

            string title = string.Format(CultureInfo.InvariantCulture,
                "{0}: {1} levels, {2} crystals, {3} reflections; residuals × {4:0.#}", detector.Name, result.LevelCount, result.Crystals.Count,
                after.Count, magnification);
            if (settings.Title != null) mapBefore.Title(settings.Title + "\n" + mapBefore.Axes.Title.Label.Text);
            var multi = new Multiplot(mapBefore);
            multi.AddPlot(mapAfter); multi.AddPlot(bars);
            var grid = new ScottPlot.MultiplotLayouts.CustomGrid();
            grid.Set(mapBefore, new GridCell(0, 0, 3, 2, 2, 1));
            grid.Set(mapAfter, new GridCell(0, 1, 3, 2, 2, 1));
            grid.Set(bars, new GridCell(2, 0, 3, 2, 1, 2));
            multi.Layout = grid;
            int width = settings.Width, height = settings.Height > 0 ? settings.Height : (int)(width * 0.95);
            var figure = new Figure(multi, new[] { mapBefore, mapAfter, bars }, width, height) { Description = title };
            figure.Counts["ResidualsBefore"] = before.Count;
            figure.Counts["ResidualsAfter"] = after.Count;
            figure.Counts["Panels"] = detector.PanelCount;
            return figure;
        }

        /// <summary>Observed − predicted per used reflection: after = the refined predictions, before = the input
        /// crystals predicted on the initial detector.</summary>
        private static List<Residual> Residuals(MetrologyResult result, bool refined)
        {
            var list = new List<Residual>();
            foreach (var crystal in result.Crystals)
            {
                var input = crystal.Input;
                StillsPredictor? predictor = refined ? null : new StillsPredictor(result.InitialDetector, input.Beam);
                for (int i = 0; i < input.Reflections.Count; i++)
                {
                    if (!crystal.Used[i]) continue;
                    var r = input.Reflections[i];
                    double px, py;
                    if (refined) { px = crystal.PredictedX[i]; py = crystal.PredictedY[i]; }
                    else
                    {
                        bool hit = predictor!.TryPredict(input.AMatrix, r.H, r.K, r.L, out var p);
                        if (!hit && p.S1.LengthSquared == 0) continue; // cannot reach the Ewald sphere
                        if (hit && p.Panel == r.Panel) { px = p.X; py = p.Y; }
                        else if (!predictor.TryRayToPanelPlane(p.S1, r.Panel, out px, out py)) continue;
                    }
                    if (double.IsNaN(px) || double.IsNaN(py)) continue;
                    list.Add(new Residual { Panel = r.Panel, X = r.X, Y = r.Y, Dx = r.X - px, Dy = r.Y - py });
                }
            }
            return list;
        }

        private static double Rms(List<Residual> list) =>
            list.Count == 0 ? double.NaN : Math.Sqrt(list.Sum(r => r.Dx * r.Dx + r.Dy * r.Dy) / list.Count);

        private static int[] GroupOfPanels(DetectorModel detector, int level)
        {
            var group = new int[detector.PanelCount];
            var groups = detector.Hierarchy.GroupsAtLevel(Math.Min(Math.Max(1, level), Math.Max(1, detector.HierarchyDepth)));
            if (detector.HierarchyDepth == 0) return group;
            for (int g = 0; g < groups.Count; g++)
                foreach (int p in groups[g].AllPanelIndices()) group[p] = g;
            return group;
        }

        private static Plot Map(DetectorModel detector, DetectorProjection projection, int[] groupOf, List<Residual> residuals, double magnification, string title)
        {
            var plot = PlotBuilders.NewPlot(title, "x (mm)", "y (mm)");
            plot.Axes.SquareUnits();
            var outlines = new Dictionary<int, PolylineLayer>();
            var vectors = new Dictionary<int, PolylineLayer>();
            for (int p = 0; p < detector.PanelCount; p++)
            {
                var colour = GroupColours[groupOf[p] % GroupColours.Length];
                if (!outlines.TryGetValue(groupOf[p], out var layer)) outlines[groupOf[p]] = layer = new PolylineLayer(colour, 1.2f);
                var panel = detector.Panels[p];
                var corners = new List<Coordinates>();
                foreach (var (x, y) in new[] { (0.0, 0.0), (panel.Width, 0.0), (panel.Width, panel.Height), (0.0, panel.Height) })
                    if (projection.TryProject(p, x, y, out double u, out double v)) corners.Add(new Coordinates(u, v));
                layer.Add(corners.ToArray());
            }
            foreach (var r in residuals)
            {
                if (r.Panel < 0 || r.Panel >= detector.PanelCount) continue;
                if (!TryVector(detector, projection, r.Panel, r.X, r.Y, r.Dx * magnification, r.Dy * magnification, out var a, out var b)) continue;
                int g = groupOf[r.Panel];
                if (!vectors.TryGetValue(g, out var layer)) vectors[g] = layer = new PolylineLayer(GroupColours[g % GroupColours.Length].WithAlpha(0.55), 0.8f);
                layer.Add(new[] { a, b }, closed: false);
            }
            foreach (var layer in outlines.Values) plot.Add.Plottable(layer);
            foreach (var layer in vectors.Values) plot.Add.Plottable(layer);
            // The mean vector of each panel: the systematic shift metrology corrects.
            var means = new PolylineLayer(Colors.Black, 2.2f);
            foreach (var byPanel in residuals.GroupBy(r => r.Panel))
            {
                var panel = detector.Panels[byPanel.Key];
                double mx = byPanel.Average(r => r.Dx), my = byPanel.Average(r => r.Dy);
                if (TryVector(detector, projection, byPanel.Key, panel.Width / 2.0, panel.Height / 2.0, mx * magnification, my * magnification, out var a, out var b))
                    means.Add(new[] { a, b }, closed: false);
            }
            plot.Add.Plottable(means);
            var limits = new AxisLimits(projection.Bounds()[0], projection.Bounds()[2], projection.Bounds()[1], projection.Bounds()[3]);
            plot.Axes.SetLimits(limits.Expanded(Math.Max(limits.HorizontalSpan, limits.VerticalSpan) * 0.05, Math.Max(limits.HorizontalSpan, limits.VerticalSpan) * 0.05));
            return plot;
        }

        private static bool TryVector(DetectorModel detector, DetectorProjection projection, int panel, double x, double y, double dx, double dy,
            out Coordinates start, out Coordinates end)
        {
            start = end = default;
            if (!projection.TryProject(panel, x, y, out double u0, out double v0)) return false;
            if (!projection.TryProject(panel, x + dx, y + dy, out double u1, out double v1)) return false;
            start = new Coordinates(u0, v0); end = new Coordinates(u1, v1);
            return true;
        }

        private static Plot RmsdPerPanel(DetectorModel detector, List<Residual> before, List<Residual> after)
        {
            var plot = PlotBuilders.NewPlot("RMSD per panel", "panel", "RMSD (px)");
            var b = new List<Bar>(); var a = new List<Bar>();
            for (int p = 0; p < detector.PanelCount; p++)
            {
                var pb = before.Where(r => r.Panel == p).ToList();
                var pa = after.Where(r => r.Panel == p).ToList();
                if (pb.Count > 0) b.Add(new Bar { Position = p - 0.2, Value = Rms(pb), Size = 0.4, FillColor = PlotBuilders.Muted, LineWidth = 0 });
                if (pa.Count > 0) a.Add(new Bar { Position = p + 0.2, Value = Rms(pa), Size = 0.4, FillColor = PlotBuilders.Primary, LineWidth = 0 });
            }
            if (b.Count > 0) plot.Add.Bars(b.ToArray()).LegendText = "before";
            if (a.Count > 0) plot.Add.Bars(a.ToArray()).LegendText = "after";
            plot.ShowLegend(Alignment.UpperRight);
            plot.Axes.Margins(0.03, 0.03, 0, 0.12);
            return plot;
        }
    }
}
