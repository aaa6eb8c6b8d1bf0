using System;

namespace XtalPS.Spots
{
    /// <summary>
    /// Running box sums over a (2·kx+1)×(2·ky+1) window, row after row: the number of included pixels, their sum
    /// and their sum of squares. Column sums are updated as the window slides down (one add and one subtract per
    /// pixel) and row windows come from a prefix sum, so each output row costs O(width) whatever the kernel size —
    /// the same numbers DIALS gets from double-precision summed-area tables over the whole image, with two passes
    /// over memory instead of a table of 24 bytes per pixel. For integer-valued images every sum is exact.
    /// Pixels are included when <c>include[i] != 0</c> and |value| is below 2^24 (DIALS's limit; NaN never).
    /// </summary>
    internal sealed class BoxSums
    {
        public const float Big = 1 << 24;

        private readonly int _width, _height, _kx, _ky;
        private readonly int[] _colM;
        private readonly double[] _colX, _colY;
        private readonly int[] _preM;
        private readonly double[] _preX, _preY;
        private int _row = int.MinValue;
        private int _firstIncluded;
        private bool _squares;

        public BoxSums(int width, int height, int kx, int ky)
        {
            _width = width; _height = height; _kx = kx; _ky = ky;
            _colM = new int[width]; _colX = new double[width]; _colY = new double[width];
            _preM = new int[width + 1]; _preX = new double[width + 1]; _preY = new double[width + 1];
        }

        /// <summary>Window sums for output row <paramref name="y"/>; rows must be asked for in increasing order
        /// after <see cref="Start"/>. <paramref name="y2"/> is filled only when squares were requested.</summary>
        public void Row(ReadOnlySpan<float> pixels, ReadOnlySpan<byte> include, int y, Span<int> m, Span<double> x, Span<double> y2)
        {
            if (y != _row + 1) throw new InvalidOperationException("Rows must be taken in order.");
            _row = y;
            int add = y + _ky, sub = y - _ky - 1;
            if (add < _height) Accumulate(pixels, include, add, +1);
            if (sub >= _firstIncluded) Accumulate(pixels, include, sub, -1);

            // Prefix sums of the column sums, then window differences.
            int w = _width;
            _preM[0] = 0; _preX[0] = 0; _preY[0] = 0;
            int am = 0; double ax = 0, ay = 0;
            for (int i = 0; i < w; i++)
            {
                am += _colM[i]; ax += _colX[i];
                _preM[i + 1] = am; _preX[i + 1] = ax;
            }
            if (_squares)
                for (int i = 0; i < w; i++) { ay += _colY[i]; _preY[i + 1] = ay; }
            for (int i = 0; i < w; i++)
            {
                int lo = i - _kx; if (lo < 0) lo = 0;
                int hi = i + _kx + 1; if (hi > w) hi = w;
                m[i] = _preM[hi] - _preM[lo];
                x[i] = _preX[hi] - _preX[lo];
            }
            if (_squares)
                for (int i = 0; i < w; i++)
                {
                    int lo = i - _kx; if (lo < 0) lo = 0;
                    int hi = i + _kx + 1; if (hi > w) hi = w;
                    y2[i] = _preY[hi] - _preY[lo];
                }
        }

        /// <summary>Primes the column sums so that the next call to <see cref="Row"/> may ask for <paramref name="firstRow"/>.</summary>
        public void Start(ReadOnlySpan<float> pixels, ReadOnlySpan<byte> include, int firstRow, bool squares)
        {
            _squares = squares;
            Array.Clear(_colM, 0, _colM.Length); Array.Clear(_colX, 0, _colX.Length); Array.Clear(_colY, 0, _colY.Length);
            int from = Math.Max(0, firstRow - _ky), to = Math.Min(_height - 1, firstRow + _ky - 1);
            for (int r = from; r <= to; r++) Accumulate(pixels, include, r, +1);
            _firstIncluded = from;
            _row = firstRow - 1;
        }

        private void Accumulate(ReadOnlySpan<float> pixels, ReadOnlySpan<byte> include, int row, int sign)
        {
            var p = pixels.Slice(row * _width, _width);
            var inc = include.Slice(row * _width, _width);
            var cm = _colM; var cx = _colX; var cy = _colY;
            if (sign > 0)
            {
                for (int i = 0; i < p.Length; i++)
                {
                    float v = p[i];
                    if (inc[i] != 0 && v < Big && v > -Big) { cm[i]++; cx[i] += v; if (_squares) cy[i] += (double)v * v; }
                }
            }
            else
            {
                for (int i = 0; i < p.Length; i++)
                {
                    float v = p[i];
                    if (inc[i] != 0 && v < Big && v > -Big) { cm[i]--; cx[i] -= v; if (_squares) cy[i] -= (double)v * v; }
                }
            }
        }
    }
}
