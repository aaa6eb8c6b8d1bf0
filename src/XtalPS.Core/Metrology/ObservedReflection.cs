using System.Globalization;

namespace XtalPS.Metrology
{
    /// <summary>One indexed reflection as metrology sees it: Miller index, panel and the observed centroid (px) with its variances.</summary>
    public readonly struct ObservedReflection
    {
        /// <summary>Variance (px²) used when an observation carries none: a centroid good to half a pixel.</summary>
        public const double DefaultVariance = 0.25;

        public ObservedReflection(int h, int k, int l, int panel, double x, double y, double varianceX = DefaultVariance, double varianceY = DefaultVariance)
        {
            H = h; K = k; L = l; Panel = panel; X = x; Y = y;
            VarianceX = varianceX > 0 && !double.IsInfinity(varianceX) ? varianceX : DefaultVariance;
            VarianceY = varianceY > 0 && !double.IsInfinity(varianceY) ? varianceY : DefaultVariance;
        }

        public int H { get; }
        public int K { get; }
        public int L { get; }
        /// <summary>Panel index in the detector.</summary>
        public int Panel { get; }
        /// <summary>Observed centroid along fast, px (first pixel centre 0.5).</summary>
        public double X { get; }
        /// <summary>Observed centroid along slow, px.</summary>
        public double Y { get; }
        /// <summary>Variance of <see cref="X"/>, px².</summary>
        public double VarianceX { get; }
        public double VarianceY { get; }

        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "({0},{1},{2}) panel {3} ({4:0.##}, {5:0.##})", H, K, L, Panel, X, Y);
    }
}
