using System;
using XtalPS.Imaging;

namespace XtalPS.Spots
{
    /// <summary>
    /// Automatic global threshold (DIALS's <c>global_threshold=Auto</c>, after DISTL: Zhang et al. 2006, J Appl Cryst
    /// 39:112): count the valid pixels above t_i = ⌊1.5^i⌋ for i = 1…19; on the curve of log(count) against i find
    /// the elbow — the point farthest from the chord joining its ends — and step two points towards lower
    /// thresholds. Pixels at or below the result can never be strong, which cuts noise on images with a bright,
    /// structured background.
    /// </summary>
    public static class GlobalThreshold
    {
        public static double Estimate(DiffractionImage image)
        {
            const int steps = 19;
            var thresholds = new double[steps];
            for (int i = 0; i < steps; i++) thresholds[i] = Math.Floor(Math.Pow(1.5, i + 1));
            var counts = new long[steps];
            foreach (var p in image.PanelImages)
            {
                var px = p.Pixels; var mask = p.Mask;
                for (int k = 0; k < px.Length; k++)
                {
                    if (mask[k] == 0) continue;
                    float v = px[k];
                    if (!(v > thresholds[0])) continue;
                    // Thresholds grow geometrically: count v in every bin it exceeds.
                    for (int i = 0; i < steps && v > thresholds[i]; i++) counts[i]++;
                }
            }
            // The elbow of log(count + 1) against the step index.
            var y = new double[steps];
            for (int i = 0; i < steps; i++) y[i] = Math.Log(counts[i] + 1.0);
            int last = steps - 1;
            while (last > 1 && counts[last] == 0 && counts[last - 1] == 0) last--;
            double x0 = 0, y0 = y[0], x1 = last, y1 = y[last];
            double len = Math.Sqrt((x1 - x0) * (x1 - x0) + (y1 - y0) * (y1 - y0));
            int elbow = 0; double best = -1;
            for (int i = 0; i <= last; i++)
            {
                double d = len > 0 ? Math.Abs((y1 - y0) * i - (x1 - x0) * y[i] + x1 * y0 - y1 * x0) / len : 0;
                if (d > best) { best = d; elbow = i; }
            }
            int pick = Math.Max(0, elbow - 2);
            return thresholds[pick];
        }
    }
}
