using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using XtalPS.Integration;
using XtalPS.Lattices;
using Xunit;
using Xunit.Abstractions;

namespace XtalPS.Module.Tests
{
    /// <summary>
    /// Integration of CSPAD stills through the default pipeline (our spots, our indexing with the known cell, summation)
    /// scored against the simulator's truth (<c>signal_photons</c> per reflection): what a user gets, on data our code did
    /// not make. Goals of issue 11: at most 20 % of the integrated reflections unrecorded (true signal &lt; 0.5 photons),
    /// no NaN, CC(I, truth) at least DIALS's, SD of the z-scores 0.8–1.2 over reflections with true SNR ≥ 5.
    /// </summary>
    [Collection(EngineCollection.Name)]
    public class StillsAccuracyTests
    {
        /// <summary>dials.stills_process (3.12, known cell, indexing.stills.indexer=sequences) on the 8 stills of
        /// sim/cspad, scored the same way (see the issue note for the command).</summary>
        private const double DialsCc = 0.9973;
        private readonly EngineFixture _e;
        private readonly ITestOutputHelper _out;
        public StillsAccuracyTests(EngineFixture e, ITestOutputHelper output) { _e = e; _out = output; }

        private static double[] D(JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();

        /// <summary>The 16 operators of Laue class 4/mmm on (h, k, l): the indexer may choose any of these settings.</summary>
        private static IEnumerable<Func<(int, int, int), (int, int, int)>> Laue4mmm()
        {
            foreach (bool swap in new[] { false, true })
                foreach (int sh in new[] { 1, -1 })
                    foreach (int sk in new[] { 1, -1 })
                        foreach (int sl in new[] { 1, -1 })
                            yield return m => { var (h, k, l) = m; if (swap) (h, k) = (k, h); return (sh * h, sk * k, sl * l); };
        }

        [Fact]
        public void Cspad_stills_through_the_default_pipeline_match_the_truth()
        {
            var files = Enumerable.Range(0, 3).Select(i => _e.Shared($"sim/cspad/cspad_{i:D5}.cbf")).ToArray();
            var tables = _e.InvokeOk(@"$args[0] | Import-DiffractionImage | Find-BraggSpot |
                Get-Lattice -UnitCell 79.1,79.1,37.9,90,90,90 -SpaceGroup P43212 | Invoke-PeakIntegration -Method Summation", (object)files)
                .Select(o => (ReflectionTable)o.BaseObject).ToArray();
            Assert.Equal(files.Length, tables.Length);
            int total = 0, unrecorded = 0, nan = 0;
            var measured = new List<double>(); var truth = new List<double>(); var sigma = new List<double>();
            foreach (var t in tables)
            {
                Assert.Null(t.Image);
                var lattice = (CrystalLattice)t.Lattice!;
                // The simulated crystal: blocks of 20 cells (760–1580 Å along c and a), 0.05° RMS mosaic rotations.
                _out.WriteLine($"{t.ImageName}: {lattice.SpotExtent}");
                Assert.InRange(lattice.MosaicSpread, 0, 0.5);
                Assert.InRange(lattice.DomainSize, 400, 4000);
                string json = Path.ChangeExtension(t.Source!.Path, ".json");
                using var doc = JsonDocument.Parse(File.ReadAllText(json));
                double gain = doc.RootElement.GetProperty("image").GetProperty("gain_adu_per_photon").GetDouble();
                var r = doc.RootElement.GetProperty("reflections");
                var h = D(r.GetProperty("h")); var k = D(r.GetProperty("k")); var l = D(r.GetProperty("l"));
                var signal = D(r.GetProperty("signal_photons")); var bg = D(r.GetProperty("bg_photons_per_px")); var npx = D(r.GetProperty("n_pixels"));
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
                    Assert.InRange(x.Partiality, 0, 1);
                    Assert.True(x.LorentzPolarisation >= 1 && x.LorentzPolarisation < 2);
                    Assert.False(double.IsNaN(x.DeltaPsi) || double.IsNaN(x.ExcitationError));
                    bySignal.TryGetValue(op((x.H, x.K, x.L)), out var s);
                    if (s.Signal < 0.5) unrecorded++;
                    if (s.Signal > 0 && s.Signal / Math.Sqrt(s.Noise) >= 5)
                    {
                        measured.Add(x.Intensity / gain); truth.Add(s.Signal); sigma.Add(x.Sigma / gain);
                    }
                }
            }
            int n = measured.Count;
            double mi = measured.Average(), ti = truth.Average(), sxy = 0, sxx = 0, syy = 0, stt = 0, smt = 0;
            for (int i = 0; i < n; i++) { sxy += (measured[i] - mi) * (truth[i] - ti); sxx += (measured[i] - mi) * (measured[i] - mi); syy += (truth[i] - ti) * (truth[i] - ti); stt += truth[i] * truth[i]; smt += measured[i] * truth[i]; }
            double cc = sxy / Math.Sqrt(sxx * syy), scale = smt / stt;
            var z = Enumerable.Range(0, n).Select(i => (measured[i] - scale * truth[i]) / sigma[i]).ToArray();
            double zm = z.Average(), sdz = Math.Sqrt(z.Sum(v => (v - zm) * (v - zm)) / (n - 1));
            double fraction = (double)unrecorded / total;
            _out.WriteLine($"{tables.Length} stills: {total / (double)tables.Length:0} reflections per still, {100 * fraction:0.0} % unrecorded, {nan} NaN, " +
                $"CC {cc:0.00000} and SD(z) {sdz:0.00} over {n} with true SNR ≥ 5 (scale {scale:0.000})");
            Assert.Equal(0, nan);
            Assert.True(fraction <= 0.20, $"{100 * fraction:0.0} % unrecorded");
            Assert.True(n > 300, $"{n} strong reflections");
            Assert.True(cc >= DialsCc, $"CC {cc}");
            Assert.InRange(sdz, 0.8, 1.2);
        }
    }
}
