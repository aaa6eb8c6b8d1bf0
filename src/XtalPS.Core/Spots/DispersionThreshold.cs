using System;

namespace XtalPS.Spots
{
    /// <summary>
    /// DIALS's "dispersion" threshold (Winter et al. 2018, Acta Cryst D74:85, after XDS's COLSPOT): a pixel is
    /// strong when its local window (valid pixels only) is not Poisson background — m·Σc² − (Σc)² &gt;
    /// g·Σc·[(m−1) + σ_b·√(2(m−1))] — and the pixel itself stands out: m·c − Σc &gt; σ_s·√(g·Σc·m).
    /// </summary>
    public static class DispersionThreshold
    {
        /// <summary>Marks strong pixels (1) of output rows [r0, r1) in <paramref name="strong"/> (whole-panel layout).</summary>
        public static void Apply(ReadOnlySpan<float> pixels, ReadOnlySpan<byte> mask, int width, int height, int r0, int r1,
            DispersionParameters p, double gain, Span<byte> strong) => Apply(pixels, mask, width, height, r0, r1, p, gain, default, strong);

        /// <summary>As <see cref="Apply(ReadOnlySpan{float}, ReadOnlySpan{byte}, int, int, int, int, DispersionParameters, double, Span{byte})"/>
        /// with a per-pixel gain map (same layout as the pixels) instead of one gain, when it is not empty.</summary>
        public static void Apply(ReadOnlySpan<float> pixels, ReadOnlySpan<byte> mask, int width, int height, int r0, int r1,
            DispersionParameters p, double gain, ReadOnlySpan<float> gainMap, Span<byte> strong)
        {
            bool map = !gainMap.IsEmpty;
            int kx = p.KernelX;
            var sums = new BoxSums(width, height, p.KernelY, kx + 1);
            var factor = BoxSums.DispersionFactors(kx, p.KernelY, p.SigmaBackground);
            double ns = p.SigmaStrong, t = p.GlobalThreshold;
            int minLocal = Math.Max(2, p.MinLocal);
            var cm = sums.Count; var cx = sums.Sum; var cy = sums.SumSq;
            sums.Start(pixels, mask, r0);
            for (int row = r0; row < r1; row++)
            {
                sums.Advance(pixels, mask, row);
                var c = pixels.Slice(row * width, width);
                var valid = mask.Slice(row * width, width);
                var dst = strong.Slice(row * width, width);
                // Horizontal window slid along the row, fused with the test.
                // Columns are padded with kx + 1 zeros on each side: the window slides without edge tests.
                int pad = sums.Pad, m = 0; double x = 0, y = 0;
                for (int j = pad - kx; j < pad + kx; j++) { m += cm[j]; x += cx[j]; y += cy[j]; }
                for (int i = 0; i < width; i++)
                {
                    int enter = i + pad + kx, leave = i + pad - kx - 1;
                    m += cm[enter] - cm[leave]; x += cx[enter] - cx[leave]; y += cy[enter] - cy[leave];
                    byte flag = 0;
                    double v = c[i];
                    double g = map ? gainMap[row * width + i] : gain;
                    if (valid[i] != 0 && m >= minLocal && x >= 0 && v > t && v < BoxSums.Big
                        && m * y - x * x > g * x * factor[m]
                        && m * v - x > ns * Math.Sqrt(g * x * m))
                        flag = 1;
                    dst[i] = flag;
                }
            }
        }
    }
}
