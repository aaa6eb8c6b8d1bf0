using System;

namespace XtalPS.Formats
{
    /// <summary>The usable-pixel mask of a raw frame: 1 where low &lt; value &lt; high (DIALS's trusted range,
    /// exclusive at both ends) and the value is finite, else 0.</summary>
    public static class TrustedRange
    {
        public static byte[] Mask(ReadOnlySpan<float> pixels, double low, double high)
        {
            var mask = new byte[pixels.Length];
            float lo = double.IsNegativeInfinity(low) ? float.NegativeInfinity : (float)low;
            float hi = double.IsPositiveInfinity(high) ? float.PositiveInfinity : (float)high;
            for (int i = 0; i < pixels.Length; i++)
            {
                float v = pixels[i];
                // NaN fails both comparisons; ±infinity fails one of them (or is excluded explicitly).
                mask[i] = v > lo && v < hi && !float.IsInfinity(v) ? (byte)1 : (byte)0;
            }
            return mask;
        }
    }
}
