using System;
using System.Buffers;

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
            DispersionParameters p, double gain, Span<byte> strong)
        {
            int kx = p.KernelX, ky = p.KernelY;
            var sums = new BoxSums(width, height, kx, ky);
            var m = ArrayPool<int>.Shared.Rent(width);
            var x = ArrayPool<double>.Shared.Rent(width);
            var y = ArrayPool<double>.Shared.Rent(width);
            try
            {
                double nb = p.SigmaBackground, ns = p.SigmaStrong, t = p.GlobalThreshold;
                int minLocal = Math.Max(2, p.MinLocal);
                sums.Start(pixels, mask, r0, squares: true);
                for (int row = r0; row < r1; row++)
                {
                    sums.Row(pixels, mask, row, m, x, y);
                    var c = pixels.Slice(row * width, width);
                    var valid = mask.Slice(row * width, width);
                    var dst = strong.Slice(row * width, width);
                    for (int i = 0; i < width; i++)
                    {
                        dst[i] = 0;
                        double v = c[i];
                        int mm = m[i];
                        double sx = x[i];
                        if (valid[i] == 0 || mm < minLocal || sx < 0 || !(v > t)) continue;
                        double a = mm * y[i] - sx * sx;
                        double cb = gain * sx * (mm - 1 + nb * Math.Sqrt(2.0 * (mm - 1)));
                        double b = mm * v - sx;
                        double d = ns * Math.Sqrt(gain * sx * mm);
                        if (a > cb && b > d) dst[i] = 1;
                    }
                }
            }
            finally
            {
                ArrayPool<int>.Shared.Return(m); ArrayPool<double>.Shared.Return(x); ArrayPool<double>.Shared.Return(y);
            }
        }
    }
}
