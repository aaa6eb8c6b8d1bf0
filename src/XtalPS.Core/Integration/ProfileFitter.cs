using System;
using XtalPS.Extraction;
using XtalPS.Imaging;

namespace XtalPS.Integration
{
    /// <summary>
    /// Profile fitting of one reflection (Diamond 1969; Kabsch 1988; DIALS's stills profile fitting): with a known
    /// profile p (unit volume) and background b, iterate I ← Σ(d − b)·p/v / Σp²/v with v = gain·(b + I·p) until I
    /// settles; σ² = 1/Σ(p²/v) plus the background offset's share.
    /// </summary>
    /// <remarks>
    /// The profile comes from Gaussian fits sampled at pixel centres, whose covariance is the spot's plus the
    /// pixel's own 1/12 px²; p is therefore built as the pixel integral (3×3 sub-samples) of the Gaussian with
    /// that 1/12 px² taken out, which matches pixel-integrated spots to a small fraction of a percent.
    /// </remarks>
    public static class ProfileFitter
    {
        /// <summary>Returns false when it does not converge in <paramref name="maxIterations"/> (the caller falls back to summation).</summary>
        public static bool Fit(PanelImage p, IntegrationBox box, BackgroundPlane plane, Gaussian2DModel profile, double gain,
            double start, int maxIterations, out double intensity, out double sigma)
        {
            intensity = double.NaN; sigma = double.NaN;
            int side = box.Side, n = side * side;
            Span<double> prof = n <= 4096 ? stackalloc double[n] : new double[n];
            if (!PixelProfile(box, profile, prof)) return false;
            int w = p.Width; var px = p.Pixels; var mask = p.Mask;
            double I = double.IsNaN(start) ? 0 : start;
            for (int it = 0; it < maxIterations; it++)
            {
                double num = 0, den = 0, sp = 0;
                for (int j = 0; j < side; j++)
                {
                    double y = box.Y0 + j + 0.5;
                    int row = (box.Y0 + j) * w + box.X0;
                    for (int i = 0; i < side; i++)
                    {
                        if (!box.InPeak(i, j) || mask[row + i] == 0) continue;
                        double pk = prof[j * side + i], b = plane.At(box.X0 + i + 0.5, y);
                        double v = gain * Math.Max(b + I * pk, 1e-3);
                        num += (px[row + i] - b) * pk / v;
                        den += pk * pk / v;
                        sp += pk / v;
                    }
                }
                if (!(den > 0)) return false;
                double next = num / den;
                double s2 = 1 / den + plane.OffsetVariance * (sp / den) * (sp / den);
                bool done = Math.Abs(next - I) <= 1e-3 * Math.Sqrt(s2);
                I = next;
                if (done) { intensity = I; sigma = Math.Sqrt(s2); return true; }
            }
            return false;
        }

        /// <summary>Pixel integrals over the peak region of the unit-volume profile with the pixel's 1/12 px² removed.</summary>
        internal static bool PixelProfile(IntegrationBox box, Gaussian2DModel profile, Span<double> prof)
        {
            // Covariance of the profile, less the pixel box-car's 1/12 px² on each axis.
            double det = profile.InvXX * profile.InvYY - profile.InvXY * profile.InvXY;
            if (!(det > 0)) return false;
            double sxx = profile.InvYY / det - 1.0 / 12, syy = profile.InvXX / det - 1.0 / 12, sxy = -profile.InvXY / det;
            double cdet = sxx * syy - sxy * sxy;
            if (!(sxx > 0.01 && syy > 0.01 && cdet > 1e-4))
            { sxx = profile.InvYY / det; syy = profile.InvXX / det; sxy = -profile.InvXY / det; cdet = sxx * syy - sxy * sxy; }
            double ixx = syy / cdet, iyy = sxx / cdet, ixy = -sxy / cdet;
            double norm = 1 / (2 * Math.PI * Math.Sqrt(cdet)) / 9;
            int side = box.Side;
            for (int j = 0; j < side; j++)
                for (int i = 0; i < side; i++)
                {
                    if (!box.InPeak(i, j)) { prof[j * side + i] = 0; continue; }
                    double sum = 0;
                    for (int sj = 0; sj < 3; sj++)
                    {
                        double dy = box.Y0 + j + (sj + 0.5) / 3 - profile.Y0;
                        for (int si = 0; si < 3; si++)
                        {
                            double dx = box.X0 + i + (si + 0.5) / 3 - profile.X0;
                            sum += Math.Exp(-0.5 * (ixx * dx * dx + 2 * ixy * dx * dy + iyy * dy * dy));
                        }
                    }
                    prof[j * side + i] = sum * norm;
                }
            return true;
        }
    }
}
