using System;
using System.Collections.Generic;

namespace XtalPS.Spots
{
    /// <summary>
    /// Turns a component's pixels into a spot the way DIALS's spot finder does: intensity-weighted centroid of the
    /// pixel centres (no background subtraction at this stage), its variance as the unbiased standard error squared
    /// plus 1/12 (the variance of a uniform position within one pixel), summed intensity in photons (ADU / gain, as
    /// DIALS reports it) with Poisson variance = |I|.
    /// The unbiased variance treats the pixel values as reliability weights: Σw·δ²·Σw / ((Σw)² − Σw²).
    /// </summary>
    internal static class SpotCentroid
    {
        public static BraggSpot Measure(int panel, ReadOnlySpan<float> pixels, int width, List<PixelRun> runs, int from, int to, double gain)
        {
            // Moments about a reference inside the spot (its first pixel) to keep the sums well conditioned.
            double refX = runs[from].X0 + 0.5, refY = runs[from].Y + 0.5;
            double sw = 0, sww = 0, swx = 0, swy = 0, swxx = 0, swyy = 0;
            // Weights in photons: the standard error of the centroid depends on the counting statistics.
            double toPhotons = 1 / gain;
            int n = 0, minX = int.MaxValue, maxX = -1, minY = int.MaxValue, maxY = -1;
            float peak = float.NegativeInfinity; int peakX = 0, peakY = 0;
            for (int r = from; r < to; r++)
            {
                var run = runs[r];
                int y = run.Y;
                double cy = y + 0.5 - refY;
                var row = pixels.Slice(y * width, width);
                for (int x = run.X0; x < run.X1; x++)
                {
                    double w = row[x] * toPhotons;
                    double cx = x + 0.5 - refX;
                    sw += w; sww += w * w; swx += w * cx; swy += w * cy; swxx += w * cx * cx; swyy += w * cy * cy;
                    if (row[x] > peak) { peak = row[x]; peakX = x; peakY = y; }
                }
                n += run.X1 - run.X0;
                if (run.X0 < minX) minX = run.X0;
                if (run.X1 - 1 > maxX) maxX = run.X1 - 1;
                if (y < minY) minY = y;
                if (y > maxY) maxY = y;
            }
            double mx, my, vx, vy;
            if (sw > 0)
            {
                double ox = swx / sw, oy = swy / sw;
                double dxx = Math.Max(0, swxx - sw * ox * ox), dyy = Math.Max(0, swyy - sw * oy * oy);
                double denominator = sw * sw - sww;
                vx = (denominator > 0 ? dxx / denominator : 0) + 1.0 / 12;
                vy = (denominator > 0 ? dyy / denominator : 0) + 1.0 / 12;
                mx = ox + refX; my = oy + refY;
            }
            else
            {
                mx = (minX + maxX + 1) / 2.0; my = (minY + maxY + 1) / 2.0;
                vx = vy = 1.0 / 12;
            }
            return new BraggSpot(panel, mx, my, vx, vy, sw, Math.Abs(sw), n, minX, maxX, minY, maxY, peak, peakX + 0.5, peakY + 0.5);
        }
    }
}
