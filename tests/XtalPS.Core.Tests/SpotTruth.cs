using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using XtalPS.Spots;

namespace XtalPS.Core.Tests
{
    /// <summary>Scores a spot list against a simulated still's truth (xcal/ycal: centroid of the noise-free signal).</summary>
    public sealed class SpotScore
    {
        public int TruthStrong { get; init; }
        public int FoundStrong { get; init; }
        public int Spots { get; init; }
        public int SpotsMatched { get; init; }
        public double MedianError { get; init; }
        public double Recall => TruthStrong == 0 ? double.NaN : (double)FoundStrong / TruthStrong;
        public double Precision => Spots == 0 ? double.NaN : (double)SpotsMatched / Spots;
        public override string ToString() => $"recall {Recall:0.000} ({FoundStrong}/{TruthStrong}) precision {Precision:0.000} ({SpotsMatched}/{Spots}) median error {MedianError:0.000} px";

        /// <summary>Truth reflections on the active area with SNR = S/√(S + n·bg) ≥ minSnr count for recall; a spot is a
        /// true positive when it lies within <paramref name="radius"/> px of any reflection's noise-free centroid on its
        /// panel — including reflections whose predicted centre falls just off the active area but whose signal
        /// reaches it (CSPAD ASIC edges), which are real spots.</summary>
        public static SpotScore Of(SpotList spots, string truthJson, double minSnr = 5, double radius = 2)
        {
            using var doc = SharedData.Json(truthJson);
            var r = doc.RootElement.GetProperty("reflections");
            double[] D(string k) => r.GetProperty(k).EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Number ? e.GetDouble() : double.NaN).ToArray();
            var x = D("xcal_px"); var y = D("ycal_px"); var s = D("signal_photons"); var n = D("n_pixels"); var bg = D("bg_photons_per_px");
            var panel = r.GetProperty("panel").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var onArea = r.GetProperty("on_active_area").EnumerateArray().Select(e => e.GetBoolean()).ToArray();
            var byPanel = spots.Spots.GroupBy(p => p.Panel).ToDictionary(g => g.Key, g => g.ToArray());
            int truthStrong = 0, found = 0;
            var errors = new List<double>();
            var matchedSpots = new HashSet<BraggSpot>();
            foreach (var sp in spots.Spots)
                for (int i = 0; i < x.Length; i++)
                    if (panel[i] == sp.Panel && !double.IsNaN(x[i]) && Math.Sqrt((sp.X - x[i]) * (sp.X - x[i]) + (sp.Y - y[i]) * (sp.Y - y[i])) <= radius)
                    { matchedSpots.Add(sp); break; }
            for (int i = 0; i < x.Length; i++)
            {
                if (!onArea[i] || double.IsNaN(x[i])) continue;
                BraggSpot? best = null; double bestD = double.MaxValue;
                if (byPanel.TryGetValue(panel[i], out var list))
                    foreach (var sp in list)
                    {
                        double d = Math.Sqrt((sp.X - x[i]) * (sp.X - x[i]) + (sp.Y - y[i]) * (sp.Y - y[i]));
                        if (d < bestD) { bestD = d; best = sp; }
                    }
                bool hit = best != null && bestD <= radius;
                double snr = s[i] > 0 ? s[i] / Math.Sqrt(s[i] + n[i] * bg[i]) : 0;
                if (snr >= minSnr)
                {
                    truthStrong++;
                    if (hit) { found++; errors.Add(bestD); }
                }
            }
            errors.Sort();
            return new SpotScore
            {
                TruthStrong = truthStrong, FoundStrong = found, Spots = spots.Count, SpotsMatched = matchedSpots.Count,
                MedianError = errors.Count == 0 ? double.NaN : errors[errors.Count / 2],
            };
        }
    }
}
