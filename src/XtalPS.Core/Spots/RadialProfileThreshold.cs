using System;
using System.Collections.Generic;
using XtalPS.Geometry;
using XtalPS.Imaging;

namespace XtalPS.Spots
{
    /// <summary>
    /// Radial-profile threshold (DIALS's <c>radial_profile</c>, after peakfinder8 of Barty et al. 2014): pixels
    /// are binned by scattering angle 2θ over the whole detector; in each bin the threshold is
    /// median + n·IQR of the valid pixels (at least median + 2 when n·IQR ≤ 1). Needs no gain, so it suits
    /// electron diffraction and detectors whose gain is unknown. An optional 3×3 or 5×5 binomial blur
    /// (masked pixels left out) is applied before thresholding.
    /// </summary>
    public static class RadialProfileThreshold
    {
        /// <summary>Marks strong pixels of every panel; returns per-panel masks (1 = strong).</summary>
        public static byte[][] Apply(DiffractionImage image, double nSigma, int bins, int blur)
        {
            int np = image.PanelCount;
            var values = new float[np][];
            var binOf = new int[np][];
            double lo = double.MaxValue, hi = double.MinValue;
            var twoTheta = new double[np][];
            var beamDir = -image.Beam.Direction;
            for (int p = 0; p < np; p++)
            {
                var pi = image.PanelImages[p];
                values[p] = blur == 0 ? pi.Pixels : Blur(pi, blur);
                var panel = image.Detector.Panels[p];
                var tt = new double[pi.Pixels.Length];
                for (int y = 0; y < pi.Height; y++)
                {
                    var rowStart = panel.PixelToLab(0.5, y + 0.5);
                    var step = panel.FastAxis * panel.PixelSize;
                    for (int x = 0; x < pi.Width; x++)
                    {
                        var v = rowStart + step * x;
                        double c = v.Dot(beamDir) / v.Length;
                        double a = Math.Acos(Math.Max(-1, Math.Min(1, c)));
                        tt[y * pi.Width + x] = a;
                        if (pi.Mask[y * pi.Width + x] != 0) { if (a < lo) lo = a; if (a > hi) hi = a; }
                    }
                }
                twoTheta[p] = tt;
            }
            var strong = new byte[np][];
            if (lo > hi) { for (int p = 0; p < np; p++) strong[p] = new byte[image.PanelImages[p].Pixels.Length]; return strong; }
            double scale = bins / Math.Max(hi - lo, 1e-12);

            // Collect valid values per bin.
            var counts = new int[bins];
            for (int p = 0; p < np; p++)
            {
                var mask = image.PanelImages[p].Mask; var tt = twoTheta[p];
                var b = new int[tt.Length];
                for (int i = 0; i < tt.Length; i++)
                {
                    int k = Math.Min(bins - 1, (int)((tt[i] - lo) * scale));
                    if (k < 0) k = 0;
                    b[i] = k;
                    if (mask[i] != 0 && !float.IsNaN(values[p][i])) counts[k]++;
                }
                binOf[p] = b;
            }
            var perBin = new float[bins][];
            for (int k = 0; k < bins; k++) perBin[k] = new float[counts[k]];
            var fill = new int[bins];
            for (int p = 0; p < np; p++)
            {
                var mask = image.PanelImages[p].Mask; var v = values[p]; var b = binOf[p];
                for (int i = 0; i < v.Length; i++)
                    if (mask[i] != 0 && !float.IsNaN(v[i])) perBin[b[i]][fill[b[i]]++] = v[i];
            }
            var threshold = new double[bins];
            for (int k = 0; k < bins; k++)
            {
                var a = perBin[k];
                if (a.Length == 0) { threshold[k] = double.PositiveInfinity; continue; }
                Array.Sort(a);
                double q1 = Quantile(a, 0.25), med = Quantile(a, 0.5), q3 = Quantile(a, 0.75);
                double spread = nSigma * (q3 - q1);
                threshold[k] = spread <= 1 ? med + 2 : med + spread;
            }
            for (int p = 0; p < np; p++)
            {
                var mask = image.PanelImages[p].Mask; var v = values[p]; var b = binOf[p];
                var s = new byte[v.Length];
                for (int i = 0; i < v.Length; i++)
                    if (mask[i] != 0 && v[i] > threshold[b[i]] && !float.IsInfinity(v[i])) s[i] = 1;
                strong[p] = s;
            }
            return strong;
        }

        private static double Quantile(float[] sorted, double q)
        {
            double pos = q * (sorted.Length - 1);
            int i = (int)Math.Floor(pos);
            double f = pos - i;
            return i + 1 < sorted.Length ? sorted[i] * (1 - f) + sorted[i + 1] * f : sorted[i];
        }

        /// <summary>Separable binomial blur (1 2 1 or 1 4 6 4 1), renormalised over valid pixels.</summary>
        private static float[] Blur(PanelImage p, int size)
        {
            var k = size == 3 ? new double[] { 1, 2, 1 } : new double[] { 1, 4, 6, 4, 1 };
            int r = size / 2, w = p.Width, h = p.Height;
            var tmpV = new double[w * h]; var tmpW = new double[w * h];
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    double sv = 0, sw = 0;
                    for (int d = -r; d <= r; d++)
                    {
                        int xx = x + d;
                        if (xx < 0 || xx >= w) continue;
                        int i = y * w + xx;
                        if (p.Mask[i] == 0) continue;
                        sv += k[d + r] * p.Pixels[i]; sw += k[d + r];
                    }
                    tmpV[y * w + x] = sv; tmpW[y * w + x] = sw;
                }
            var result = new float[w * h];
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    double sv = 0, sw = 0;
                    for (int d = -r; d <= r; d++)
                    {
                        int yy = y + d;
                        if (yy < 0 || yy >= h) continue;
                        sv += k[d + r] * tmpV[yy * w + x]; sw += k[d + r] * tmpW[yy * w + x];
                    }
                    result[y * w + x] = sw > 0 ? (float)(sv / sw) : p.Pixels[y * w + x];
                }
            return result;
        }
    }
}
