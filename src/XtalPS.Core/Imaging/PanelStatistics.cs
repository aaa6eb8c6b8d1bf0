using System.Globalization;

namespace XtalPS.Imaging
{
    /// <summary>Pixel statistics of one panel over its unmasked pixels (Measure-DiffractionImage).</summary>
    public sealed class PanelStatistics
    {
        public PanelStatistics(string image, int panelIndex, string panel, int width, int height,
            double min, double max, double sum, long validCount, long maskedCount,
            double rawMin = double.NaN, double rawMax = double.NaN, double rawSumNonNegative = double.NaN, long negativeCount = 0)
        {
            Image = image; PanelIndex = panelIndex; Panel = panel; Width = width; Height = height;
            Min = min; Max = max; Sum = sum; ValidCount = validCount; MaskedCount = maskedCount;
            RawMin = rawMin; RawMax = rawMax; RawSumNonNegative = rawSumNonNegative; NegativeCount = negativeCount;
        }

        /// <summary>Name of the image (file and frame).</summary>
        public string Image { get; }
        public int PanelIndex { get; }
        /// <summary>Panel name.</summary>
        public string Panel { get; }
        public int Width { get; }
        public int Height { get; }
        /// <summary>Smallest unmasked value (NaN when every pixel is masked).</summary>
        public double Min { get; }
        /// <summary>Largest unmasked value (NaN when every pixel is masked).</summary>
        public double Max { get; }
        /// <summary>Sum of unmasked values, accumulated in double precision.</summary>
        public double Sum { get; }
        /// <summary>Sum / ValidCount.</summary>
        public double Mean => ValidCount > 0 ? Sum / ValidCount : double.NaN;
        public long ValidCount { get; }
        public long MaskedCount { get; }
        /// <summary>Smallest value over all pixels, masked or not (gap markers such as −1 and −2 included), as dxtbx reports it.</summary>
        public double RawMin { get; }
        /// <summary>Largest value over all pixels, masked or not.</summary>
        public double RawMax { get; }
        /// <summary>Sum of all values ≥ 0, masked or not (dxtbx's <c>sum_nonneg</c>), for cross-checking readers.</summary>
        public double RawSumNonNegative { get; }
        /// <summary>Pixels with a negative value, masked or not.</summary>
        public long NegativeCount { get; }

        /// <summary>Computes the statistics of one panel. Values that are NaN or infinite count as masked.</summary>
        public static PanelStatistics Compute(string image, string panelName, PanelImage p)
        {
            var px = p.Pixels; var mask = p.Mask;
            double sum = 0, rawSum = 0; float min = float.PositiveInfinity, max = float.NegativeInfinity;
            float rawMin = float.PositiveInfinity, rawMax = float.NegativeInfinity;
            long valid = 0, negative = 0;
            for (int i = 0; i < px.Length; i++)
            {
                float v = px[i];
                if (!float.IsNaN(v))
                {
                    if (v < rawMin) rawMin = v;
                    if (v > rawMax) rawMax = v;
                    if (v >= 0) rawSum += v; else negative++;
                }
                if (mask[i] == 0 || float.IsNaN(v) || float.IsInfinity(v)) continue;
                sum += v; valid++;
                if (v < min) min = v;
                if (v > max) max = v;
            }
            return new PanelStatistics(image, p.PanelIndex, panelName, p.Width, p.Height,
                valid > 0 ? min : double.NaN, valid > 0 ? max : double.NaN, sum, valid, px.Length - valid,
                rawMin <= rawMax ? rawMin : double.NaN, rawMin <= rawMax ? rawMax : double.NaN, rawSum, negative);
        }

        public override string ToString() => string.Format(CultureInfo.InvariantCulture,
            "{0} {1}: min {2} max {3} mean {4:0.###} sum {5}", Image, Panel, Min, Max, Mean, Sum);
    }
}
