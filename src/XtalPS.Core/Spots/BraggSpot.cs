using System;
using System.Globalization;
using XtalPS.Geometry;

namespace XtalPS.Spots
{
    /// <summary>A connected group of strong pixels on one panel: centroid, variance, summed intensity, extent.</summary>
    /// <remarks>Coordinates in pixels, DIALS convention (first pixel centre 0.5). Geometry-derived values
    /// (<see cref="LabPosition"/>, <see cref="D"/>, <see cref="ReciprocalVector"/>) are NaN when no geometry is known.</remarks>
    public sealed class BraggSpot
    {
        public BraggSpot(int panel, double x, double y, double varianceX, double varianceY, double intensity, double intensityVariance,
            int pixelCount, int minX, int maxX, int minY, int maxY, double peakValue, double peakX = double.NaN, double peakY = double.NaN)
        {
            Panel = panel; X = x; Y = y; VarianceX = varianceX; VarianceY = varianceY;
            Intensity = intensity; IntensityVariance = intensityVariance; PixelCount = pixelCount;
            MinX = minX; MaxX = maxX; MinY = minY; MaxY = maxY; PeakValue = peakValue; PeakX = peakX; PeakY = peakY;
            LabPosition = new Vec3(double.NaN, double.NaN, double.NaN);
            ReciprocalVector = LabPosition;
            D = double.NaN;
        }

        /// <summary>Panel index.</summary>
        public int Panel { get; }
        /// <summary>Centroid along fast, px.</summary>
        public double X { get; }
        /// <summary>Centroid along slow, px.</summary>
        public double Y { get; }
        /// <summary>Variance of the centroid along fast: standard error² + 1/12 (px²).</summary>
        public double VarianceX { get; }
        public double VarianceY { get; }
        /// <summary>Summed counts over the spot's pixels, in photons (ADU divided by the gain).</summary>
        public double Intensity { get; }
        public double IntensityVariance { get; }
        /// <summary>I/σ(I).</summary>
        public double IOverSigma => IntensityVariance > 0 ? Intensity / Math.Sqrt(IntensityVariance) : double.NaN;
        public int PixelCount { get; }
        /// <summary>Bounding box, inclusive pixel indices.</summary>
        public int MinX { get; }
        public int MaxX { get; }
        public int MinY { get; }
        public int MaxY { get; }
        /// <summary>Largest pixel value in the spot.</summary>
        public double PeakValue { get; }
        /// <summary>Centre of the brightest pixel, px.</summary>
        public double PeakX { get; }
        public double PeakY { get; }
        /// <summary>Distance between the brightest pixel's centre and the centroid, px.</summary>
        public double PeakSeparation => Math.Sqrt((PeakX - X) * (PeakX - X) + (PeakY - Y) * (PeakY - Y));
        /// <summary>Lab position of the centroid, mm.</summary>
        public Vec3 LabPosition { get; private set; }
        /// <summary>Resolution of the centroid, Å.</summary>
        public double D { get; private set; }
        /// <summary>Reciprocal-space vector s1 − s0 of the centroid, 1/Å.</summary>
        public Vec3 ReciprocalVector { get; private set; }

        /// <summary>Fills the geometry-derived values from the panel and beam.</summary>
        public BraggSpot WithGeometry(Panel panel, Beam beam)
        {
            LabPosition = panel.PixelToLab(X, Y);
            ReciprocalVector = panel.PixelToReciprocal(X, Y, beam);
            double q = ReciprocalVector.Length;
            D = q > 0 ? 1 / q : double.PositiveInfinity;
            return this;
        }

        public override string ToString() => string.Format(CultureInfo.InvariantCulture,
            "panel {0} ({1:0.##}, {2:0.##}) I={3:0.#} n={4}{5}", Panel, X, Y, Intensity, PixelCount,
            double.IsNaN(D) ? "" : string.Format(CultureInfo.InvariantCulture, " d={0:0.##} Å", D));
    }
}
