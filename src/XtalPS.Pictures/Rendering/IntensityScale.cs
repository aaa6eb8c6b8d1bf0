using System;

namespace XtalPS.Pictures
{
    /// <summary>
    /// Maps pixel values to 0…1 for the colour map, from the valid pixels shown (masked pixels never set the scale,
    /// so one hot masked pixel cannot wash out the image). Zero counts map to 0 and negative values (read noise,
    /// pedestal subtraction) are clamped there.
    /// </summary>
    internal sealed class IntensityScale
    {
        /// <summary>Largest number of values the statistics are taken from (an even sample of the pixels shown).</summary>
        private const int SampleSize = 65536;

        private readonly ImageScaling _scaling;
        private readonly double _high, _logHigh, _gamma;
        private readonly float[] _sorted;

        private IntensityScale(ImageScaling scaling, double high, float[] sorted, double gamma)
        {
            _scaling = scaling; _high = high; _sorted = sorted; _gamma = gamma;
            _logHigh = Math.Log(1 + Math.Max(high, 1e-6));
        }

        /// <summary>The value that maps to 1 (Linear and Log).</summary>
        public double High => _high;

        /// <summary>The scale of the valid pixels in <paramref name="values"/> (state <see cref="ImageRaster.Valid"/>).</summary>
        public static IntensityScale From(float[] values, byte[] state, int count, ImageScaling scaling, double brightness)
        {
            int valid = 0;
            for (int k = 0; k < count; k++) if (state[k] == ImageRaster.Valid) valid++;
            int stride = Math.Max(1, (valid + SampleSize - 1) / SampleSize);
            var sample = new float[valid == 0 ? 0 : (valid + stride - 1) / stride];
            int seen = 0, taken = 0;
            for (int k = 0; k < count && taken < sample.Length; k++)
            {
                if (state[k] != ImageRaster.Valid) continue;
                if (seen++ % stride == 0) sample[taken++] = values[k];
            }
            Array.Sort(sample, 0, taken);
            double factor = 100.0 / brightness;
            double high;
            switch (scaling)
            {
                case ImageScaling.Linear:
                {
                    // Background b and its robust σ (half the 15.9–84.1 % range): b + 20σ saturates, so Poisson
                    // background sits near a fifth of the range and spots stand out at full strength.
                    double b = Quantile(sample, taken, 0.5);
                    double sigma = 0.5 * (Quantile(sample, taken, 0.841) - Quantile(sample, taken, 0.159));
                    if (!(sigma > 0)) sigma = Math.Max(Quantile(sample, taken, 0.999) - b, 1e-9);
                    high = (Math.Max(b, 0) + 20 * sigma) * factor;
                    break;
                }
                case ImageScaling.Log: high = (taken > 0 ? sample[taken - 1] : 1) * factor; break;
                default: high = 1; break;
            }
            if (!(high > 0)) high = 1;
            return new IntensityScale(scaling, high, sample.Length == taken ? sample : sample.AsSpan(0, taken).ToArray(), factor);
        }

        private static double Quantile(float[] sorted, int n, double q)
        {
            if (n == 0) return 1;
            double at = q * (n - 1);
            int lo = (int)Math.Floor(at), hi = Math.Min(n - 1, lo + 1);
            return sorted[lo] + (at - lo) * (sorted[hi] - sorted[lo]);
        }

        /// <summary>The scaled value in 0…1.</summary>
        public double Map(float value)
        {
            switch (_scaling)
            {
                case ImageScaling.Linear:
                    return value <= 0 ? 0 : Math.Min(1, value / _high);
                case ImageScaling.Log:
                    return value <= 0 ? 0 : Math.Min(1, Math.Log(1 + value) / _logHigh);
                default:
                {
                    if (_sorted.Length == 0 || value <= 0) return 0;
                    // Fraction of the sample at or below the value; brightness acts as a gamma.
                    int at = UpperBound(_sorted, value);
                    double f = (double)at / _sorted.Length;
                    return Math.Pow(f, _gamma);
                }
            }
        }

        private static int UpperBound(float[] sorted, float value)
        {
            int lo = 0, hi = sorted.Length;
            while (lo < hi)
            {
                int mid = (lo + hi) >> 1;
                if (sorted[mid] <= value) lo = mid + 1; else hi = mid;
            }
            return lo;
        }
    }
}
