using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using ScottPlot;
using ScottPlot.Plottables;
using XtalPS.Geometry;
using XtalPS.Imaging;
using XtalPS.Integration;
using XtalPS.Lattices;
using XtalPS.Merging;
using XtalPS.Metrology;
using XtalPS.Pictures;
using XtalPS.Spots;
using Xunit;

namespace XtalPS.Module.Tests
{
    /// <summary>The plots hold their data: bars that add up to the input, one point per image, shell means and the Wilson B
    /// recomputed here; the metrology map through the engine; the Windows PowerShell build refuses to draw.</summary>
    [Collection(EngineCollection.Name)]
    public class PicturePlotTests
    {
        private readonly EngineFixture _e;
        public PicturePlotTests(EngineFixture e) { _e = e; }

        private static double Gauss(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());

        private static IEnumerable<BarPlot> Bars(Plot plot) => plot.GetPlottables().OfType<BarPlot>();

        private static DiffractionImage TinyImage(string path) =>
            new DiffractionImage(path, 0, "Test", DetectorModel.SinglePanel("d", 16, 16, 0.1, 100, 8, 8), new Beam(1.0), new[] { new PanelImage(0, 16, 16, new float[256]) });

        [Fact]
        public void Unit_cell_histograms_count_every_lattice_and_set_the_largest_cluster_apart()
        {
            var rnd = new Random(5);
            var lattices = new List<CrystalLattice>();
            for (int i = 0; i < 25; i++)
                lattices.Add(CrystalLattice.FromOrientation(Mat3.Rotation(new Vec3(1, 2, 3).Normalized(), i * 0.1),
                    new UnitCell(79.1 + 0.2 * Gauss(rnd), 79.1 + 0.2 * Gauss(rnd), 37.9 + 0.1 * Gauss(rnd), 90, 90, 90), "P 1"));
            for (int i = 0; i < 12; i++)
                lattices.Add(CrystalLattice.FromOrientation(Mat3.Rotation(new Vec3(3, 1, 2).Normalized(), i * 0.1),
                    new UnitCell(52 + 0.2 * Gauss(rnd), 61 + 0.2 * Gauss(rnd), 70 + 0.2 * Gauss(rnd), 90, 90, 90), "P 1"));
            var summary = UnitCellClustering.Summarize(lattices);
            Assert.Equal(25, summary.ClusterSize);

            var data = new RunCollector();
            foreach (var l in lattices) data.Add(l);
            data.Add(summary);
            var figure = PlotBuilders.Build(PlotKind.UnitCell, data, new PlotSettings());
            Assert.Equal(6, figure.Plots.Count);
            foreach (var plot in figure.Plots)
            {
                var bars = Bars(plot).ToArray();
                Assert.Equal(37, (int)Math.Round(bars.SelectMany(b => b.Bars).Sum(b => b.Value - b.ValueBase)));
                var cluster = Assert.Single(bars, b => b.LegendText == "largest cluster");
                Assert.Equal(25, (int)Math.Round(cluster.Bars.Sum(b => b.Value - b.ValueBase)));
                Assert.Single(plot.GetPlottables().OfType<VerticalLine>()); // the consensus
            }
            Assert.Equal(37, figure.Counts["a"]);
            Assert.Equal(37, figure.Counts["Cells"]);
        }

        [Fact]
        public void The_run_plot_has_one_point_per_image_and_splits_hits_at_the_threshold()
        {
            var data = new RunCollector();
            var counts = Enumerable.Range(0, 30).Select(i => (i * 7) % 45).ToArray();
            for (int i = 0; i < counts.Length; i++)
            {
                var image = TinyImage($"/data/frame_{i:D3}.cbf");
                data.Add(new SpotList(image, Enumerable.Range(0, counts[i]).Select(k => new BraggSpot(0, 1 + k % 14, 1 + k / 14, 0.1, 0.1, 10, 10, 3, 1, 1, 1, 1, 1))));
            }
            var figure = PlotBuilders.Build(PlotKind.Run, data, new PlotSettings { MinSpots = 20 });
            var spotsPlot = figure.Plots[0];
            var series = spotsPlot.GetPlottables().OfType<Scatter>().ToDictionary(s => s.LegendText, s => s.Data.GetScatterPoints().ToArray());
            var hits = series["hit (≥ 20 spots)"];
            var misses = series["no hit"];
            Assert.Equal(counts.Count(c => c >= 20), hits.Length);
            Assert.Equal(30, hits.Length + misses.Length);
            Assert.All(hits, p => Assert.Equal(counts[(int)p.X - 1], (int)p.Y));
            Assert.Equal(counts.Count(c => c >= 20), figure.Counts["Hits"]);
        }

        private static RunCollector Reflections(int n, double bFactor, int seed, out double[] d, out double[] i, out double[] sigma)
        {
            // Wilson statistics: acentric intensities are exponential about Σ(s) = k·exp(−2B·s²), s² = 1/(4d²); d evenly in reciprocal volume.
            var rnd = new Random(seed);
            d = new double[n]; i = new double[n]; sigma = new double[n];
            var list = new List<Reflection>();
            for (int k = 0; k < n; k++)
            {
                double q3 = Math.Pow(1 / 20.0, 3) + rnd.NextDouble() * (Math.Pow(1 / 1.6, 3) - Math.Pow(1 / 20.0, 3));
                d[k] = 1 / Math.Cbrt(q3);
                double mean = 1000 * Math.Exp(-2 * bFactor / (4 * d[k] * d[k]));
                i[k] = -mean * Math.Log(1 - rnd.NextDouble());
                sigma[k] = Math.Sqrt(i[k] + 10);
                list.Add(new Reflection { H = k, D = d[k], Intensity = i[k], Sigma = sigma[k], X = 5, Y = 5 });
            }
            var data = new RunCollector();
            data.Add(new ReflectionTable(TinyImage("/data/x.cbf"), null, null, list, "Integrate"));
            return data;
        }

        [Fact]
        public void The_I_over_sigma_plot_holds_every_reflection_and_the_mean_of_each_equal_volume_shell()
        {
            var data = Reflections(6000, 20, 11, out var d, out var i, out var sigma);
            var figure = PlotBuilders.Build(PlotKind.IOverSigma, data, new PlotSettings { Shells = 10 });
            var scatters = figure.Plots[0].GetPlottables().OfType<Scatter>().ToArray();
            var points = scatters.Single(s => s.LegendText == "reflections").Data.GetScatterPoints();
            Assert.Equal(6000, points.Count);
            var means = scatters.Single(s => s.LegendText.StartsWith("⟨I/σ(I)⟩", StringComparison.Ordinal)).Data.GetScatterPoints().Select(p => p.Y).ToArray();
            // Ten shells of equal width in 1/d³ between the lowest and highest resolution.
            double v0 = Math.Pow(d.Max(), -3), v1 = Math.Pow(d.Min(), -3);
            var expected = new List<double>();
            for (int b = 0; b < 10; b++)
            {
                double lo = v0 + (v1 - v0) * b / 10, hi = v0 + (v1 - v0) * (b + 1) / 10;
                var inShell = Enumerable.Range(0, d.Length).Where(k => Math.Pow(d[k], -3) >= lo && (Math.Pow(d[k], -3) < hi || b == 9)).ToArray();
                expected.Add(inShell.Average(k => i[k] / sigma[k]));
            }
            Assert.Equal(10, means.Length);
            for (int b = 0; b < 10; b++) Assert.True(Math.Abs(means[b] - expected[b]) < 1e-9 * Math.Max(1, Math.Abs(expected[b])), $"shell {b}: {means[b]} against {expected[b]}");
        }

        [Fact]
        public void The_Wilson_fit_recovers_the_B_factor_of_Wilson_distributed_intensities()
        {
            var data = Reflections(40000, 25, 3, out _, out _, out _);
            var figure = PlotBuilders.Build(PlotKind.Wilson, data, new PlotSettings());
            var fit = figure.Plots[0].GetPlottables().OfType<LinePlot>().Single();
            double slope = (fit.End.Y - fit.Start.Y) / (fit.End.X - fit.Start.X);
            Assert.InRange(-slope / 2, 23.5, 26.5);
            Assert.Contains("B = ", fit.LegendText);
        }

        [Fact]
        public void The_metrology_map_draws_every_used_reflection_before_and_after_and_the_after_RMSD_is_the_crystals()
        {
            string folder = PictureTestKit.TempFolder();
            var result = _e.InvokeOk(@"
                $data, $out = $args
                $cell = 79.1, 79.1, 37.9, 90, 90, 90
                $m = 0..2 | ForEach-Object { Join-Path $data ('cspad_{0:D5}.cbf' -f $_) } | Import-DiffractionImage | Find-BraggSpot |
                    Get-Lattice -UnitCell $cell -SpaceGroup P43212 | Update-DetectorMetrology
                $m
                $m | Export-DiffractionPlot -Path (Join-Path $out 'metrology.svg') -PassThru", _e.Shared("sim/cspad"), folder);
            var metrology = (MetrologyResult)result[0].BaseObject;
            var file = (FileInfo)result[1].BaseObject;
            Assert.Contains("<svg", File.ReadAllText(file.FullName));

            var data = new RunCollector();
            data.Add(metrology);
            var figure = PlotBuilders.Build(PlotKind.Metrology, data, new PlotSettings());
            int used = metrology.Crystals.Sum(c => c.Used.Count(u => u));
            Assert.Equal(used, figure.Counts["ResidualsAfter"]);
            Assert.True(figure.Counts["ResidualsBefore"] >= used * 0.95, $"{figure.Counts["ResidualsBefore"]} of {used} predicted before refinement");
            // The after map's RMSD is the crystals' own: √(Σ n·RMSD² / Σ n).
            double rms = Math.Sqrt(metrology.Crystals.Sum(c => c.ReflectionsUsed * c.Rmsd * c.Rmsd) / metrology.Crystals.Sum(c => c.ReflectionsUsed));
            string title = figure.Plots[1].Axes.Title.Label.Text;
            Assert.Contains(rms.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + " px", title);
            var bars = Bars(figure.Plots[2]).ToDictionary(b => b.LegendText);
            Assert.True(bars["after"].Bars.Average(b => b.Value) < bars["before"].Bars.Average(b => b.Value));
        }

        [Fact]
        public void Plot_kind_follows_the_input_and_a_kind_without_data_is_an_error()
        {
            string folder = PictureTestKit.TempFolder();
            var written = _e.InvokeOk(@"
                $spots = New-SimulatedImage -Width 256 -Height 256 -Count 3 -Seed 2 | Find-BraggSpot
                $spots | Export-DiffractionPlot -Path (Join-Path $args[0] 'run.png') -PassThru
                $spots | Export-DiffractionPlot -Path (Join-Path $args[0] '{0}.png') -Kind Run, Wilson -PassThru -ErrorAction SilentlyContinue -ErrorVariable failed
                $failed", folder);
            Assert.Equal("run.png", ((FileInfo)written[0].BaseObject).Name);
            Assert.Equal("Run.png", ((FileInfo)written[1].BaseObject).Name);
            var error = (System.Management.Automation.ErrorRecord)written[2].BaseObject;
            Assert.Equal("NoPlotData", error.FullyQualifiedErrorId.Split(',')[0]);
            Assert.False(File.Exists(Path.Combine(folder, "Wilson.png")));
        }

        private static MergedReflectionTable SyntheticMerge(string name, double[] ccHalf, double[] deviations)
        {
            var shells = ccHalf.Select((cc, b) => new ShellStatistics
            {
                DMax = 1 / Math.Cbrt(0.001 + 0.01 * b), DMin = 1 / Math.Cbrt(0.001 + 0.01 * (b + 1)),
                Observations = 900 - 50 * b, Unique = 100, Possible = 110 + 5 * b, MeanIOverSigma = 12 - b, CCHalf = cc, RSplit = 5 + 4 * b, RMeas = 8 + 5 * b, RPim = 3 + 2 * b,
            }).ToArray();
            var statistics = new MergingStatistics { Shells = shells, Overall = shells[0], LatticesUsed = 40, NormalDeviations = deviations.OrderBy(v => v).ToArray() };
            var data = new MergedReflections(0) { Name = name, SpaceGroup = SpaceGroup.Parse("P43212"), Cell = new UnitCell(79.1, 79.1, 37.9, 90, 90, 90) };
            return new MergedReflectionTable(data, statistics, Array.Empty<MergedLattice>(), Array.Empty<string>());
        }

        [Fact]
        public void The_merging_plot_draws_every_shell_statistic_of_every_data_set()
        {
            var cc = new[] { 0.99, 0.97, 0.9, 0.75, 0.5, 0.31, 0.12 };
            var data = new RunCollector();
            data.Add(SyntheticMerge("", cc, new double[] { 0, 1, -1 }));
            data.Add(SyntheticMerge("dark", cc.Select(v => v * 0.9).ToArray(), new double[] { 0, 1, -1 }));
            Assert.Equal(new[] { PlotKind.Merging }, PlotCatalogue.Available(data)); // three deviations are too few for a probability plot
            var figure = PlotBuilders.Build(PlotKind.Merging, data, new PlotSettings());
            Assert.Equal(5, figure.Plots.Count); // CC, R, completeness, multiplicity, ⟨I/σ⟩ (no CCano without anomalous pairs)
            Assert.Equal(14, figure.Counts["Shells"]);
            var ccSeries = figure.Plots[0].GetPlottables().OfType<Scatter>().ToDictionary(s => s.LegendText, s => s.Data.GetScatterPoints().ToArray());
            Assert.Equal(cc, ccSeries["set 1 CC½"].Select(p => p.Y));
            Assert.Equal(cc.Select(v => Math.Round(v * 0.9, 12)), ccSeries["dark CC½"].Select(p => Math.Round(p.Y, 12)));
            // CC* = √(2CC½/(1+CC½)) (Karplus & Diederichs 2012).
            Assert.Equal(Math.Sqrt(2 * 0.99 / 1.99), ccSeries["set 1 CC*"][0].Y, 12);
            // The shells run outwards: 1/d² grows, and completeness is Unique/Possible in per cent.
            var x = ccSeries["set 1 CC½"].Select(p => p.X).ToArray();
            Assert.True(x.Zip(x.Skip(1), (a, b) => b > a).All(v => v));
            var completeness = figure.Plots[2].GetPlottables().OfType<Scatter>().First().Data.GetScatterPoints().Select(p => p.Y).ToArray();
            Assert.Equal(100.0 * 100 / 110, completeness[0], 9);
        }

        [Fact]
        public void The_normal_probability_plot_recovers_the_spread_of_the_deviations()
        {
            // Deviations 1.5 times too large for their σ: the central slope must come out near 1.5, with every deviation kept in the count.
            var rnd = new Random(11);
            var deviations = Enumerable.Range(0, 8000).Select(_ => 1.5 * Gauss(rnd) + 0.2).ToArray();
            var data = new RunCollector();
            data.Add(SyntheticMerge("", new[] { 0.9, 0.5 }, deviations));
            Assert.Contains(PlotKind.NormalProbability, PlotCatalogue.Available(data));
            var figure = PlotBuilders.Build(PlotKind.NormalProbability, data, new PlotSettings());
            Assert.Equal(8000, figure.Counts["Deviations"]);
            var points = figure.Plots[0].GetPlottables().OfType<Scatter>().Single();
            var p = points.Data.GetScatterPoints().ToArray();
            Assert.Equal(2001, p.Length); // 1 in 4, and the last
            Assert.True(p.Zip(p.Skip(1), (a, b) => b.X > a.X && b.Y >= a.Y).All(v => v));
            var m = System.Text.RegularExpressions.Regex.Match(points.LegendText, @"slope ([0-9.]+), intercept (-?[0-9.]+)");
            Assert.True(m.Success, points.LegendText);
            Assert.InRange(double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 1.42, 1.58);
            Assert.InRange(double.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), 0.12, 0.28);
            Assert.Single(figure.Plots[0].GetPlottables().OfType<ScottPlot.Plottables.LinePlot>()); // the ideal line
        }

        [Fact]
        public void A_merged_data_set_from_the_pipeline_draws_its_statistics_and_error_model()
        {
            string folder = PictureTestKit.TempFolder();
            var result = _e.InvokeOk(@"
                $merged = Import-DiffractionImage -Path (Join-Path $args[0] '*.cbf') | Find-BraggSpot |
                    Get-Lattice -UnitCell 79.1, 79.1, 37.9, 90, 90, 90 -SpaceGroup P43212 | Invoke-PeakIntegration |
                    Merge-ReflectionTable -SpaceGroup P43212
                $merged
                $merged | Export-DiffractionPlot -Path (Join-Path $args[1] 'merging.png') -PassThru
                $merged | Export-DiffractionPlot -Path (Join-Path $args[1] '{0}.svg') -Kind NormalProbability -PassThru",
                Path.Combine(_e.SharedData, "sim", "single1024"), folder);
            var merged = (MergedReflectionTable)result[0].BaseObject;
            var deviations = merged.Statistics.NormalDeviations;
            Assert.True(deviations.Count > 100, $"{deviations.Count} deviations"); // four stills: few reflections twice
            Assert.True(deviations.Zip(deviations.Skip(1), (a, b) => b >= a).All(v => v));
            // Under the fitted error model the deviations have about unit spread (robustly: the interquartile range of N(0,1) is 1.35).
            double iqr = deviations[3 * deviations.Count / 4] - deviations[deviations.Count / 4];
            Assert.InRange(iqr, 1.0, 1.7);
            var png = (FileInfo)result[1].BaseObject;
            Assert.Equal("merging.png", png.Name);
            Assert.True(png.Length > 10_000);
            var svg = File.ReadAllText(((FileInfo)result[2].BaseObject).FullName);
            Assert.Contains("<svg", svg);
            Assert.Contains("Normal probability", svg);
        }

        [Fact]
        public void The_build_for_Windows_PowerShell_refuses_to_draw_and_says_why()
        {
            string desktop = Path.Combine(_e.ModulePath, "bin", "desktop");
            var context = new AssemblyLoadContext("desktop-pictures", isCollectible: true);
            context.Resolving += (c, name) =>
            {
                string file = Path.Combine(desktop, name.Name + ".dll");
                return File.Exists(file) ? c.LoadFromAssemblyPath(file) : null;
            };
            try
            {
                var assembly = context.LoadFromAssemblyPath(Path.Combine(desktop, "XtalPS.Pictures.dll"));
                Assert.Contains(".NETStandard", assembly.GetCustomAttribute<System.Runtime.Versioning.TargetFrameworkAttribute>()!.FrameworkName);
                var renderer = assembly.GetType("XtalPS.Pictures.PictureRenderer")!;
                Assert.False((bool)renderer.GetProperty("IsAvailable")!.GetValue(null)!);
                Assert.Contains("PowerShell 7", (string)renderer.GetProperty("UnavailableReason")!.GetValue(null)!);
                var draw = renderer.GetMethod("DrawMosaic")!;
                var thrown = Assert.Throws<TargetInvocationException>(() => draw.Invoke(null, new object[] { new float[4], 2, 2, 1 })).InnerException!;
                Assert.Equal("PicturesNeedPowerShell7", (string)thrown.GetType().GetProperty("ErrorId")!.GetValue(thrown)!);
            }
            finally { context.Unload(); }
        }
    }
}
