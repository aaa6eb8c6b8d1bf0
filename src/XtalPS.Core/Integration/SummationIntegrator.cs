using System;
using XtalPS.Geometry;
using XtalPS.Extraction;
using XtalPS.Imaging;

namespace XtalPS.Integration
{
    /// <summary>The sum over a peak region less its background, with its counting-statistics σ.</summary>
    public readonly struct SummationResult
    {
        public SummationResult(double intensity, double sigma, int peakPixels, int maskedInPeak, double profileFraction)
        {
            Intensity = intensity; Sigma = sigma; PeakPixels = peakPixels; MaskedInPeak = maskedInPeak; ProfileFraction = profileFraction;
        }
        public double Intensity { get; }
        public double Sigma { get; }
        /// <summary>Usable peak pixels summed.</summary>
        public int PeakPixels { get; }
        public int MaskedInPeak { get; }
        /// <summary>The truncation correction applied (the recovered part of the profile), 1 when none.</summary>
        public double ProfileFraction { get; }
        public double IOverSigma => Sigma > 0 ? Intensity / Sigma : double.NaN;
    }

    /// <summary>
    /// Box summation with a planar background: the background offset either from the rim with a known tilt
    /// (IPLT PeakIntegration: tilt Px, Py from the Gaussian fit, offset from the rim, not the fit's C), or a full
    /// plane a + b·x + c·y fitted to the rim with MOSFLM-style outlier rejection (DIALS stills default).
    /// σ² = gain·Σ_peak d + n²·var(offset), i.e. Leslie (1999): var(I) = I + B·(1 + n_peak/n_bg) in photons.
    /// </summary>
    public static class SummationIntegrator
    {
        /// <summary>Background with a given tilt; the offset is the mean rim value less the tilt.</summary>
        public static bool RimOffset(PanelImage p, IntegrationBox box, double tiltX, double tiltY, double gain, out BackgroundPlane plane)
        {
            double sum = 0, sum2 = 0; int n = 0;
            int w = p.Width; var px = p.Pixels; var mask = p.Mask;
            for (int j = 0; j < box.Side; j++)
            {
                double y = box.Y0 + j + 0.5 - box.Y;
                int row = (box.Y0 + j) * w + box.X0;
                for (int i = 0; i < box.Side; i++)
                {
                    if (box.InPeak(i, j) || mask[row + i] == 0) continue;
                    double v = px[row + i] - tiltX * (box.X0 + i + 0.5 - box.X) - tiltY * y;
                    sum += v; sum2 += v * v; n++;
                }
            }
            if (n < 3) { plane = default; return false; }
            double mean = sum / n;
            double scatter = Math.Max(0, (sum2 - n * mean * mean) / (n - 1));
            double poisson = gain * Math.Max(mean, 1e-9);
            double ratio = scatter / Math.Max(poisson, 1e-12);
            plane = new BackgroundPlane(box.X, box.Y, mean, tiltX, tiltY, poisson / n, n, ratio);
            return true;
        }

        /// <summary>
        /// Plane a + b·x + c·y through the rim by least squares, repeatedly dropping pixels more than
        /// <paramref name="rejection"/> Poisson σ from it (after MOSFLM's background outlier rejection).
        /// </summary>
        public static bool RobustPlane(PanelImage p, IntegrationBox box, double gain, double rejection, out BackgroundPlane plane)
        {
            int side = box.Side;
            Span<byte> use = side * side <= 16384 ? stackalloc byte[side * side] : new byte[side * side];
            int w = p.Width; var px = p.Pixels; var mask = p.Mask;
            for (int j = 0; j < side; j++)
                for (int i = 0; i < side; i++)
                    use[j * side + i] = (byte)(!box.InPeak(i, j) && mask[(box.Y0 + j) * w + box.X0 + i] != 0 ? 1 : 0);
            double c = 0, bx = 0, by = 0; int n = 0;
            for (int round = 0; round < 6; round++)
            {
                double s1 = 0, su = 0, sv = 0, suu = 0, svv = 0, suv = 0, sd = 0, sud = 0, svd = 0;
                for (int j = 0; j < side; j++)
                {
                    double v = box.Y0 + j + 0.5 - box.Y;
                    int row = (box.Y0 + j) * w + box.X0;
                    for (int i = 0; i < side; i++)
                    {
                        if (use[j * side + i] == 0) continue;
                        double u = box.X0 + i + 0.5 - box.X, d = px[row + i];
                        s1++; su += u; sv += v; suu += u * u; svv += v * v; suv += u * v; sd += d; sud += u * d; svd += v * d;
                    }
                }
                n = (int)s1;
                if (n < 4) { plane = default; return false; }
                if (!Symmetric3.Solve(s1, su, sv, suu, suv, svv, sd, sud, svd, out c, out bx, out by)) { c = sd / s1; bx = by = 0; }
                int rejected = 0;
                for (int j = 0; j < side; j++)
                {
                    double v = box.Y0 + j + 0.5 - box.Y;
                    int row = (box.Y0 + j) * w + box.X0;
                    for (int i = 0; i < side; i++)
                    {
                        if (use[j * side + i] == 0) continue;
                        double u = box.X0 + i + 0.5 - box.X, m = c + bx * u + by * v;
                        if (Math.Abs(px[row + i] - m) > rejection * Math.Sqrt(gain * Math.Max(m, 1))) { use[j * side + i] = 0; rejected++; }
                    }
                }
                if (rejected == 0) break;
            }
            // Scatter of the kept pixels about the plane against the Poisson expectation.
            double ss = 0; int kept = 0;
            for (int j = 0; j < side; j++)
            {
                double v = box.Y0 + j + 0.5 - box.Y;
                int row = (box.Y0 + j) * w + box.X0;
                for (int i = 0; i < side; i++)
                {
                    if (use[j * side + i] == 0) continue;
                    double u = box.X0 + i + 0.5 - box.X, r = px[row + i] - (c + bx * u + by * v);
                    ss += r * r; kept++;
                }
            }
            if (kept < 4) { plane = default; return false; }
            double poisson = gain * Math.Max(c, 1e-9);
            double scatter = ss / Math.Max(1, kept - 3);
            double ratio = scatter / Math.Max(poisson, 1e-12);
            plane = new BackgroundPlane(box.X, box.Y, c, bx, by, poisson / kept, kept, ratio);
            return true;
        }

        /// <summary>
        /// Σ over the usable peak pixels of (d − b). With a <paramref name="profile"/> (unit volume, at the spot centre)
        /// the sum and σ are divided by the profile's recovered fraction: its sum over the usable peak pixels less
        /// n_peak times its mean over the background pixels (what the rim offset absorbs).
        /// </summary>
        public static SummationResult Sum(PanelImage p, IntegrationBox box, BackgroundPlane plane, double gain, Gaussian2DModel? profile = null)
        {
            int w = p.Width; var px = p.Pixels; var mask = p.Mask;
            double sumD = 0, sumB = 0, profPeak = 0, profRim = 0; int nPeak = 0, masked = 0, nRim = 0;
            bool prof = profile.HasValue && profile.Value.IsProper;
            var g = profile.GetValueOrDefault();
            for (int j = 0; j < box.Side; j++)
            {
                double y = box.Y0 + j + 0.5;
                int row = (box.Y0 + j) * w + box.X0;
                for (int i = 0; i < box.Side; i++)
                {
                    bool inPeak = box.InPeak(i, j);
                    double x = box.X0 + i + 0.5;
                    if (mask[row + i] == 0) { if (inPeak) masked++; continue; }
                    if (inPeak)
                    {
                        sumD += px[row + i]; sumB += plane.At(x, y); nPeak++;
                        if (prof) profPeak += g.Peak(x, y);
                    }
                    else
                    {
                        nRim++;
                        if (prof) profRim += g.Peak(x, y);
                    }
                }
            }
            double intensity = sumD - sumB;
            double variance = gain * Math.Max(sumD, 0) + (double)nPeak * nPeak * plane.OffsetVariance;
            double fraction = 1;
            if (prof && nRim > 0)
            {
                fraction = profPeak - nPeak * profRim / nRim;
                if (!(fraction > 0.05)) fraction = 1;
            }
            return new SummationResult(intensity / fraction, Math.Sqrt(variance) / fraction, nPeak, masked, fraction);
        }
    }
}
