using System;

namespace XtalPS.Spots
{
    /// <summary>
    /// Column sums for a window of 2·ky+1 rows that slides down a panel: per column, the number of included pixels,
    /// their sum and their sum of squares. Moving to the next row costs one add and one subtract per pixel; the
    /// caller slides the horizontal part of the window along the row itself (fused with its test), so a box
    /// statistic costs O(1) per pixel whatever the kernel — the numbers DIALS gets from double-precision
    /// summed-area tables, without a 24-byte-per-pixel table. Integer-valued images give exact sums.
    /// Pixels are included when their mask byte is non-zero and |value| &lt; 2^24 (DIALS's limit; never NaN).
    /// </summary>
    internal sealed class BoxSums
    {
        public const float Big = 1 << 24;

        private readonly int _width, _height, _ky;
        private int _row = int.MinValue, _firstIncluded;

        /// <param name="width">Panel width in pixels.</param>
        /// <param name="height">Panel height in pixels.</param>
        /// <param name="ky">Half-height of the box (rows above and below the centre).</param>
        /// <param name="pad">Zero columns kept on each side (at least kx + 1), so the caller's horizontal window can
        /// slide over the whole row without edge tests: column c of the panel is element c + Pad.</param>
        public BoxSums(int width, int height, int ky, int pad = 0)
        {
            _width = width; _height = height; _ky = ky; Pad = pad;
            Count = new int[width + 2 * pad];
            Sum = new double[width + 2 * pad];
            SumSq = new double[width + 2 * pad];
        }

        public int Pad { get; }
        public int[] Count { get; }
        public double[] Sum { get; }
        public double[] SumSq { get; }

        /// <summary>Primes the sums so that <see cref="Advance"/> may move to <paramref name="firstRow"/>.</summary>
        public void Start(ReadOnlySpan<float> pixels, ReadOnlySpan<byte> include, int firstRow)
        {
            Array.Clear(Count, 0, Count.Length); Array.Clear(Sum, 0, Sum.Length); Array.Clear(SumSq, 0, SumSq.Length);
            int from = Math.Max(0, firstRow - _ky), to = Math.Min(_height - 1, firstRow + _ky - 1);
            for (int r = from; r <= to; r++) Add(pixels, include, r);
            _firstIncluded = from;
            _row = firstRow - 1;
        }

        /// <summary>Column sums for rows y−ky … y+ky (clipped); rows must come in increasing order.</summary>
        public void Advance(ReadOnlySpan<float> pixels, ReadOnlySpan<byte> include, int y)
        {
            if (y != _row + 1) throw new InvalidOperationException("Rows must be taken in order.");
            _row = y;
            int add = y + _ky, sub = y - _ky - 1;
            bool adding = add < _height, subtracting = sub >= _firstIncluded;
            if (adding && subtracting) Slide(pixels, include, add, sub);
            else if (adding) Add(pixels, include, add);
            else if (subtracting) Subtract(pixels, include, sub);
        }

        /// <summary>Adds one row and removes another in a single pass (pointers: every index is inside the rows).</summary>
        private unsafe void Slide(ReadOnlySpan<float> pixels, ReadOnlySpan<byte> include, int addRow, int subRow)
        {
            var pa = pixels.Slice(addRow * _width, _width); var ia = include.Slice(addRow * _width, _width);
            var ps = pixels.Slice(subRow * _width, _width); var isub = include.Slice(subRow * _width, _width);
            fixed (float* a0 = pa, b0 = ps)
            fixed (byte* ai = ia, bi = isub)
            fixed (int* cm0 = Count)
            fixed (double* cx0 = Sum, cy0 = SumSq)
            {
                int* cm = cm0 + Pad; double* cx = cx0 + Pad, cy = cy0 + Pad;
                for (int i = 0; i < _width; i++)
                {
                    float a = a0[i], b = b0[i];
                    if (ai[i] != 0 && a < Big && a > -Big) { cm[i]++; cx[i] += a; cy[i] += (double)a * a; }
                    if (bi[i] != 0 && b < Big && b > -Big) { cm[i]--; cx[i] -= b; cy[i] -= (double)b * b; }
                }
            }
        }

        private void Add(ReadOnlySpan<float> pixels, ReadOnlySpan<byte> include, int row)
        {
            var p = pixels.Slice(row * _width, _width);
            var inc = include.Slice(row * _width, _width);
            var cm = Count.AsSpan(Pad, _width); var cx = Sum.AsSpan(Pad, _width); var cy = SumSq.AsSpan(Pad, _width);
            for (int i = 0; i < p.Length; i++)
            {
                float v = p[i];
                if (inc[i] != 0 && v < Big && v > -Big) { cm[i]++; cx[i] += v; cy[i] += (double)v * v; }
            }
        }

        private void Subtract(ReadOnlySpan<float> pixels, ReadOnlySpan<byte> include, int row)
        {
            var p = pixels.Slice(row * _width, _width);
            var inc = include.Slice(row * _width, _width);
            var cm = Count.AsSpan(Pad, _width); var cx = Sum.AsSpan(Pad, _width); var cy = SumSq.AsSpan(Pad, _width);
            for (int i = 0; i < p.Length; i++)
            {
                float v = p[i];
                if (inc[i] != 0 && v < Big && v > -Big) { cm[i]--; cx[i] -= v; cy[i] -= (double)v * v; }
            }
        }

        /// <summary>√(2(m−1)) for every possible window count m, so the dispersion test needs no square root.</summary>
        public static double[] DispersionFactors(int kx, int ky, double sigmaBackground)
        {
            int n = (2 * kx + 1) * (2 * ky + 1);
            var f = new double[n + 1];
            for (int m = 1; m <= n; m++) f[m] = m - 1 + sigmaBackground * Math.Sqrt(2.0 * (m - 1));
            return f;
        }
    }
}
