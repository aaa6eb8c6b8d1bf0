using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ScottPlot;

namespace XtalPS.Pictures
{
    /// <summary>
    /// Measured intensities against resolution: I/σ(I) per reflection with its mean in shells of equal reciprocal
    /// volume (as dials.report and aimless bin), and the Wilson plot, ln⟨I⟩ against sin²θ/λ² in shells with the B
    /// factor of a straight-line fit beyond 4.5 Å (Wilson 1942, Nature 150:152; the range of Popov &amp; Bourenkov 2003,
    /// Acta Cryst D59:1145). Intensities are unmerged, and for stills partial, so the B factor is a guide.
    /// </summary>
    internal static class ResolutionPlots
    {
        private const int MaxScatterPoints = 20000;

        public static Figure IOverSigma(RunCollector data, PlotSettings settings)
        {
            var (d, i, s) = Valid(data);
            var q2 = d.Select(x => 1 / (x * x)).ToArray();
            var ios = i.Zip(s, (a, b) => a / b).ToArray();
            var plot = PlotBuilders.NewPlot("", "resolution (Å)", "I/σ(I)");
            int stride = Math.Max(1, (q2.Length + MaxScatterPoints - 1) / MaxScatterPoints);
            var xs = q2.Where((_, k) => k % stride == 0).ToArray();
            var ys = ios.Where((_, k) => k % stride == 0).ToArray();
            var scatter = plot.Add.ScatterPoints(xs, ys, PlotBuilders.Muted.WithAlpha(0.5));
            scatter.MarkerSize = xs.Length > 5000 ? 2 : 3;
            scatter.LegendText = stride > 1 ? $"reflections (1 in {stride})" : "reflections";

            var shells = EqualVolumeShells(d, settings.Shells);
            var sx = new List<double>(); var sy = new List<double>();
            foreach (var (lo, hi) in shells)
            {
                var inShell = Enumerable.Range(0, d.Length).Where(k => d[k] <= lo && d[k] > hi).ToArray();
                if (inShell.Length == 0) continue;
                double dMid = Math.Pow(0.5 * (Math.Pow(lo, -3) + Math.Pow(hi, -3)), -1.0 / 3);
                sx.Add(1 / (dMid * dMid)); sy.Add(inShell.Average(k => ios[k]));
            }
            var mean = plot.Add.Scatter(sx.ToArray(), sy.ToArray(), PlotBuilders.Primary);
            mean.LineWidth = 2; mean.MarkerSize = 6; mean.LegendText = "⟨I/σ(I)⟩ in shells";
            plot.Add.HorizontalLine(0, 1, Colors.Black.WithAlpha(0.4));
            ResolutionTicks(plot, d.Min(), d.Max(), square: true);
            var sorted = ios.OrderBy(v => v).ToArray();
            double top = sorted[(int)(0.995 * (sorted.Length - 1))], bottom = Math.Min(-3, sorted[(int)(0.005 * (sorted.Length - 1))]);
            plot.Axes.SetLimitsY(bottom, Math.Max(top, sy.DefaultIfEmpty(1).Max()) * 1.1);
            plot.ShowLegend(Alignment.UpperRight);
            string title = settings.Title ?? string.Format(CultureInfo.InvariantCulture, "I/σ(I) of {0} reflections; {1:0.##}–{2:0.##} Å",
                data.ReflectionsSeen, d.Max(), d.Min());
            plot.Title(title);
            var figure = new Figure(plot, settings.Width, settings.Height > 0 ? settings.Height : (int)(settings.Width * 0.6)) { Description = title };
            figure.Counts["Reflections"] = d.Length;
            figure.Counts["Shells"] = sx.Count;
            return figure;
        }

        public static Figure Wilson(RunCollector data, PlotSettings settings)
        {
            var (d, i, _) = Valid(data);
            // sin²θ/λ² = 1/(4d²), in shells of equal width.
            var s2 = d.Select(x => 1 / (4 * x * x)).ToArray();
            double lo = s2.Min(), hi = s2.Max();
            int n = settings.Shells;
            var xs = new List<double>(); var ys = new List<double>();
            for (int b = 0; b < n; b++)
            {
                double a = lo + (hi - lo) * b / n, c = lo + (hi - lo) * (b + 1) / n;
                var inShell = Enumerable.Range(0, s2.Length).Where(k => s2[k] >= a && (s2[k] < c || b == n - 1 && s2[k] <= c)).ToArray();
                if (inShell.Length < 3) continue;
                double mean = inShell.Average(k => i[k]);
                if (!(mean > 0)) continue;
                xs.Add(inShell.Average(k => s2[k])); ys.Add(Math.Log(mean));
            }
            var plot = PlotBuilders.NewPlot("", "resolution (Å)", "ln⟨I⟩");
            var points = plot.Add.Scatter(xs.ToArray(), ys.ToArray(), PlotBuilders.Primary);
            points.LineWidth = 1; points.MarkerSize = 6; points.LegendText = "shells";
            // Straight line over the shells beyond 4.5 Å (all shells when fewer than three lie there).
            double limit = 1 / (4 * 4.5 * 4.5);
            var fitIdx = Enumerable.Range(0, xs.Count).Where(k => xs[k] >= limit).ToArray();
            if (fitIdx.Length < 3) fitIdx = Enumerable.Range(0, xs.Count).ToArray();
            double bFactor = double.NaN;
            if (fitIdx.Length >= 2)
            {
                double mx = fitIdx.Average(k => xs[k]), my = fitIdx.Average(k => ys[k]);
                double sxx = fitIdx.Sum(k => (xs[k] - mx) * (xs[k] - mx)), sxy = fitIdx.Sum(k => (xs[k] - mx) * (ys[k] - my));
                if (sxx > 0)
                {
                    double slope = sxy / sxx, intercept = my - slope * mx;
                    bFactor = -slope / 2;
                    double x0 = fitIdx.Min(k => xs[k]), x1 = fitIdx.Max(k => xs[k]);
                    var line = plot.Add.Line(x0, intercept + slope * x0, x1, intercept + slope * x1);
                    line.LineColor = PlotBuilders.Secondary; line.LineWidth = 2; line.LinePattern = LinePattern.Dashed;
                    line.LegendText = string.Format(CultureInfo.InvariantCulture, "fit: B = {0:0.#} Å²", bFactor);
                }
            }
            ResolutionTicks(plot, d.Min(), d.Max(), square: false);
            plot.ShowLegend(Alignment.UpperRight);
            string title = settings.Title ?? string.Format(CultureInfo.InvariantCulture, "Wilson plot of {0} unmerged reflections{1}",
                data.ReflectionsSeen, double.IsNaN(bFactor) ? "" : string.Format(CultureInfo.InvariantCulture, "; B = {0:0.#} Å²", bFactor));
            plot.Title(title);
            var figure = new Figure(plot, settings.Width, settings.Height > 0 ? settings.Height : (int)(settings.Width * 0.6)) { Description = title };
            figure.Counts["Reflections"] = d.Length;
            figure.Counts["Shells"] = xs.Count;
            return figure;
        }

        private static (double[] D, double[] I, double[] Sigma) Valid(RunCollector data)
        {
            var keep = Enumerable.Range(0, data.ReflectionD.Count)
                .Where(k => data.ReflectionD[k] > 0 && !double.IsInfinity(data.ReflectionD[k]) && data.ReflectionSigma[k] > 0 && !double.IsNaN(data.ReflectionIntensity[k]))
                .ToArray();
            if (keep.Length == 0) throw new PictureException(PictureException.NoPlotDataId, "No reflection has a resolution, an intensity and a positive σ.");
            return (keep.Select(k => data.ReflectionD[k]).ToArray(), keep.Select(k => data.ReflectionIntensity[k]).ToArray(), keep.Select(k => data.ReflectionSigma[k]).ToArray());
        }

        /// <summary>Shells (d high, d low) of equal width in 1/d³: equal reciprocal-space volume, so similar counts.</summary>
        internal static List<(double Low, double High)> EqualVolumeShells(double[] d, int count)
        {
            double dMax = d.Max(), dMin = d.Min();
            double v0 = Math.Pow(dMax, -3) * 0.999999, v1 = Math.Pow(dMin, -3);
            var shells = new List<(double, double)>();
            for (int b = 0; b < count; b++)
            {
                double a = v0 + (v1 - v0) * b / count, c = v0 + (v1 - v0) * (b + 1) / count;
                shells.Add((Math.Pow(a, -1.0 / 3), b == count - 1 ? dMin * 0.999999 : Math.Pow(c, -1.0 / 3)));
            }
            return shells;
        }

        /// <summary>Bottom-axis ticks labelled in Å at rounded resolutions, placed at 1/d² (or 1/(4d²)).</summary>
        internal static void ResolutionTicks(Plot plot, double dMin, double dMax, bool square)
        {
            var candidates = new[] { 50, 20, 10, 8, 6, 5, 4, 3.5, 3, 2.5, 2.2, 2, 1.8, 1.6, 1.5, 1.4, 1.3, 1.2, 1.1, 1.0, 0.9, 0.8 };
            var ticks = new ScottPlot.TickGenerators.NumericManual();
            double factor = square ? 1 : 0.25;
            double xMin = factor / (dMax * dMax), xMax = factor / (dMin * dMin);
            double lastX = double.NegativeInfinity;
            foreach (double c in candidates)
            {
                double x = factor / (c * c);
                if (x < xMin - 1e-12 || x > xMax * 1.05) continue;
                if (x - lastX < (xMax - xMin) / 12) continue; // keep labels apart
                ticks.AddMajor(x, c.ToString("0.0#", CultureInfo.InvariantCulture));
                lastX = x;
            }
            plot.Axes.Bottom.TickGenerator = ticks;
        }
    }
}
