using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using XtalPS.Integration;

namespace XtalPS.Benchmarks
{
    /// <summary>
    /// `accuracy [FOLDER]`: the stills pipeline's integrated intensities against the simulator's truth, scored as
    /// StillsAccuracyTests scores them (reflections per still, unrecorded fraction, NaN count, CC(I, truth) and SD of the
    /// z-scores over reflections with true SNR ≥ 5), so that a change made for speed can be checked for accuracy on every still.
    /// </summary>
    public static class StillsAccuracy
    {
        public static int Run(string[] args)
        {
            var files = StillsPipeline.Files(args.Length > 1 ? args[1] : Program.Data("sim/cspad"));
            var pipeline = new StillsPipeline();
            int total = 0, unrecorded = 0, nan = 0, stills = 0;
            var measured = new List<double>(); var truth = new List<double>(); var sigma = new List<double>();
            foreach (var f in files)
            {
                var t = pipeline.Run(f, File.ReadAllBytes(f), null);
                if (t == null) { Console.WriteLine($"{Path.GetFileName(f)}: not indexed"); continue; }
                stills++;
                using var doc = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(f, ".json")));
                double gain = doc.RootElement.GetProperty("image").GetProperty("gain_adu_per_photon").GetDouble();
                var r = doc.RootElement.GetProperty("reflections");
                var h = D(r, "h"); var k = D(r, "k"); var l = D(r, "l");
                var signal = D(r, "signal_photons"); var bg = D(r, "bg_photons_per_px"); var npx = D(r, "n_pixels");
                var bySignal = new Dictionary<(int, int, int), (double Signal, double Noise)>();
                for (int i = 0; i < h.Length; i++)
                {
                    var key = ((int)h[i], (int)k[i], (int)l[i]);
                    bySignal.TryGetValue(key, out var v);
                    bySignal[key] = (v.Signal + signal[i], v.Noise + signal[i] + bg[i] * Math.Max(1, npx[i]));
                }
                var op = Laue4mmm().OrderByDescending(o => t.Reflections.Count(x => bySignal.ContainsKey(o((x.H, x.K, x.L))))).First();
                foreach (var x in t.Reflections)
                {
                    total++;
                    if (double.IsNaN(x.Intensity) || double.IsNaN(x.Sigma)) { nan++; continue; }
                    bySignal.TryGetValue(op((x.H, x.K, x.L)), out var s);
                    if (s.Signal < 0.5) unrecorded++;
                    if (s.Signal > 0 && s.Signal / Math.Sqrt(s.Noise) >= 5) { measured.Add(x.Intensity / gain); truth.Add(s.Signal); sigma.Add(x.Sigma / gain); }
                }
            }
            int n = measured.Count;
            double mi = measured.Average(), ti = truth.Average(), sxy = 0, sxx = 0, syy = 0, stt = 0, smt = 0;
            for (int i = 0; i < n; i++) { sxy += (measured[i] - mi) * (truth[i] - ti); sxx += (measured[i] - mi) * (measured[i] - mi); syy += (truth[i] - ti) * (truth[i] - ti); stt += truth[i] * truth[i]; smt += measured[i] * truth[i]; }
            double cc = sxy / Math.Sqrt(sxx * syy), scale = smt / stt;
            var z = Enumerable.Range(0, n).Select(i => (measured[i] - scale * truth[i]) / sigma[i]).ToArray();
            double zm = z.Average(), sdz = Math.Sqrt(z.Sum(v => (v - zm) * (v - zm)) / (n - 1));
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
                "{0} stills: {1:0} reflections per still, {2:0.0} % unrecorded, {3} NaN, CC {4:0.00000}, SD(z) {5:0.00} over {6} with true SNR >= 5 (scale {7:0.000})",
                stills, total / (double)Math.Max(1, stills), 100.0 * unrecorded / Math.Max(1, total), nan, cc, sdz, n, scale));
            return 0;
        }

        private static double[] D(JsonElement e, string name) => e.GetProperty(name).EnumerateArray().Select(v => v.GetDouble()).ToArray();

        /// <summary>The 16 operators of Laue class 4/mmm on (h, k, l): the indexer may choose any of these settings.</summary>
        private static IEnumerable<Func<(int, int, int), (int, int, int)>> Laue4mmm()
        {
            foreach (bool swap in new[] { false, true })
                foreach (int sh in new[] { 1, -1 })
                    foreach (int sk in new[] { 1, -1 })
                        foreach (int sl in new[] { 1, -1 })
                            yield return m => { var (h, k, l) = m; if (swap) (h, k) = (k, h); return (sh * h, sk * k, sl * l); };
        }
    }
}
