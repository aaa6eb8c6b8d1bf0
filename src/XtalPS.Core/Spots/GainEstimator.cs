using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using XtalPS.Imaging;

namespace XtalPS.Spots
{
    /// <summary>The gain (ADU per photon) estimated from one image.</summary>
    public sealed class GainEstimate
    {
        public GainEstimate(string image, double gain, int windows, double meanLevel, double panelGain)
        {
            Image = image; Gain = gain; Windows = windows; MeanLevel = meanLevel; PanelGain = panelGain;
        }
        public string Image { get; }
        /// <summary>Estimated ADU per photon.</summary>
        public double Gain { get; }
        /// <summary>Background windows that contributed.</summary>
        public int Windows { get; }
        /// <summary>Median background level (ADU) of those windows.</summary>
        public double MeanLevel { get; }
        /// <summary>The gain the image's detector model states.</summary>
        public double PanelGain { get; }
        /// <summary>Estimated over stated gain; far from 1 means spot finding with the stated gain will misbehave.</summary>
        public double Ratio => PanelGain > 0 ? Gain / PanelGain : double.NaN;
        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "{0}: gain {1:0.###} ({2} windows)", Image, Gain, Windows);
    }

    /// <summary>
    /// Estimates the detector gain from the index of dispersion (variance/mean) of background, after the idea of
    /// <c>dials.estimate_gain</c>: for photon counting scaled by g ADU per photon, background pixels have
    /// variance = g·mean. Non-overlapping 7×7 windows of valid pixels are measured; windows holding Bragg signal
    /// are a small minority and the median ignores them. The median of a sample variance ratio sits below its mean
    /// (a χ²_k/k variable with k = n − 1); that bias is divided out with Wilson–Hilferty's median (1 − 2/(9k))³.
    /// </summary>
    public static class GainEstimator
    {
        /// <summary>Fewest background windows for an estimate.</summary>
        public const int MinWindows = 200;

        public static GainEstimate Estimate(DiffractionImage image, int half = 3)
        {
            var ratios = new List<double>();
            var levels = new List<double>();
            int size = 2 * half + 1, k = size * size - 1;
            for (int p = 0; p < image.PanelCount; p++)
            {
                var pi = image.PanelImages[p];
                for (int y0 = 0; y0 + size <= pi.Height; y0 += size)
                    for (int x0 = 0; x0 + size <= pi.Width; x0 += size)
                    {
                        double s = 0, ss = 0; int n = 0;
                        for (int y = y0; y < y0 + size; y++)
                        {
                            int row = y * pi.Width;
                            for (int x = x0; x < x0 + size; x++)
                            {
                                if (pi.Mask[row + x] == 0) continue;
                                double v = pi.Pixels[row + x];
                                if (double.IsNaN(v) || Math.Abs(v) >= BoxSums.Big) continue;
                                s += v; ss += v * v; n++;
                            }
                        }
                        if (n < size * size) continue; // whole windows only: equal k for the bias correction
                        double mean = s / n;
                        if (!(mean > 0.5)) continue;
                        double variance = (ss - s * mean) / (n - 1);
                        ratios.Add(variance / mean);
                        levels.Add(mean);
                    }
            }
            double panelGain = image.Detector.Panels[0].Gain;
            // Fewer windows than this give a median too noisy to trust (a photon-starved Eiger frame has a few dozen).
            if (ratios.Count < MinWindows)
                throw new SpotFindingException("TooLittleBackground",
                    $"{image.Name}: only {ratios.Count} background windows hold counts (at least {MinWindows} are needed); the gain cannot be estimated from this image — use a frame with more background, or several frames.");
            // Windows touched by Bragg signal have dispersions far above the bulk: drop those beyond 4σ of the
            // χ²_k/k spread around the first median, then take the median again.
            double median = Median(ratios);
            double cut = median * (1 + 4 * Math.Sqrt(2.0 / k));
            var kept = new List<double>(ratios.Count);
            var keptLevels = new List<double>(ratios.Count);
            for (int i = 0; i < ratios.Count; i++)
                if (ratios[i] <= cut) { kept.Add(ratios[i]); keptLevels.Add(levels[i]); }
            if (kept.Count >= 10) { median = Median(kept); ratios = kept; levels = keptLevels; }
            // No spread at all (a mask, a flat field, a constant image): there is no counting noise to measure.
            if (!(median > 0))
                throw new SpotFindingException("NoCountingNoise",
                    $"{image.Name}: the background has no pixel-to-pixel spread (every window is constant), so this is not an image of counts (a mask or a flat field?) and no gain can be estimated from it.");
            double correction = Math.Pow(1 - 2.0 / (9 * k), 3);
            return new GainEstimate(image.Name, median / correction, ratios.Count, Median(levels), panelGain);
        }

        private static double Median(List<double> v)
        {
            var a = v.ToArray();
            Array.Sort(a);
            return a.Length % 2 == 1 ? a[a.Length / 2] : 0.5 * (a[a.Length / 2 - 1] + a[a.Length / 2]);
        }
    }
}
