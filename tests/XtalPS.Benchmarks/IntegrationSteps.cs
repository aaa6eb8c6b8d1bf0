using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using XtalPS.Extraction;
using XtalPS.Integration;
using XtalPS.Lattices;

namespace XtalPS.Benchmarks
{
    /// <summary>
    /// `integrate [FOLDER]`: where the stills integration stage spends its time — prediction, the Gaussian fits of each
    /// extraction cycle, lattice refinement and the summation pass — as median thread CPU ms per still over 5 passes.
    /// </summary>
    public static class IntegrationSteps
    {
        public static int Run(string[] args)
        {
            var files = StillsPipeline.Files(args.Length > 1 ? args[1] : Program.Data("sim/cspad"));
            var pipeline = new StillsPipeline();
            var inputs = files.Select(f => { var im = StillsPipeline.Decode(f, File.ReadAllBytes(f)); return (im, pipeline.Index(pipeline.FindSpots(im))); })
                .Where(p => p.Item2 != null).ToArray();
            var settings = new ExtractionSettings();
            var integration = new IntegrationSettings { Method = IntegrationMethod.Summation, BoxFromSpots = true };
            var steps = new[] { "predict", "fit", "refine", "extract", "summation", "whole" };
            var times = steps.Select(_ => new List<double>()).ToArray();
            int predictions = 0, fitted = 0;
            for (int pass = 0; pass < 6; pass++)
                foreach (var (image, lattice) in inputs)
                {
                    var t = new double[steps.Length];
                    double last = ThreadCpu.Milliseconds();
                    double Lap() { double now = ThreadCpu.Milliseconds(), d = now - last; last = now; return d; }
                    var fitter = new GaussianPeakFitter(settings.FitHalfSize, settings.BackgroundRimSize);
                    Lattice current = lattice!;
                    var refiner = new CrystalLatticeRefiner { RefineCell = settings.RefineCell };
                    Gaussian2DModel? hint = null;
                    var extent = lattice!.SpotExtent.IsDefined ? lattice.SpotExtent : null;
                    for (int cycle = 0; cycle < settings.Cycles; cycle++)
                    {
                        var points = LatticePrediction.Predict(current, image, settings.DMin, extent);
                        fitter.MinSignificance = settings.ScreenSignificance(lattice, cycle == settings.Cycles - 1);
                        t[0] += Lap();
                        var refl = LatticeGaussianFit.FitAll(image, points, settings, fitter, hint);
                        t[1] += Lap();
                        var good = refl.Where(r => r.WellBehaved).ToList();
                        current = refiner.Refine(current, good);
                        hint = LatticeGaussianFit.MedianShape(good);
                        t[2] += Lap();
                        if (pass == 0) { predictions += points.Count; fitted += refl.Count(r => !double.IsNaN(r.X) || (r.Flags & ReflectionFlags.FitFailed) != 0); }
                    }
                    var extracted = LatticeGaussianFit.Extract(image, lattice!, settings);
                    t[3] = Lap();
                    PeakIntegrator.Integrate(extracted, integration);
                    t[4] = Lap();
                    t[5] = t[3] + t[4];
                    if (pass == 0) continue;
                    for (int k = 0; k < steps.Length; k++) times[k].Add(t[k]);
                }
            Console.WriteLine($"{inputs.Length} indexed stills; per still {predictions / (double)inputs.Length:0} predictions and {fitted / (double)inputs.Length:0} fits over all cycles");
            Console.WriteLine(string.Join("  ", steps.Select((s, k) => string.Format(CultureInfo.InvariantCulture, "{0} {1:0.00}", s, Median(times[k])))) + " ms/still");
            return 0;
        }

        private static double Median(List<double> v)
        {
            var a = v.OrderBy(x => x).ToArray();
            return a.Length == 0 ? double.NaN : a[a.Length / 2];
        }
    }
}
