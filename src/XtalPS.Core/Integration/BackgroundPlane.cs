using System;
using XtalPS.Imaging;

namespace XtalPS.Integration
{
    /// <summary>A local background plane b(x, y) = Offset + TiltX·(x − X) + TiltY·(y − Y) around a reflection at (X, Y).</summary>
    public readonly struct BackgroundPlane
    {
        public BackgroundPlane(double x, double y, double offset, double tiltX, double tiltY, double offsetVariance, int pixels, double scatterRatio)
        {
            X = x; Y = y; Offset = offset; TiltX = tiltX; TiltY = tiltY; OffsetVariance = offsetVariance; Pixels = pixels; ScatterRatio = scatterRatio;
        }
        public double X { get; }
        public double Y { get; }
        /// <summary>Background at (X, Y), per pixel.</summary>
        public double Offset { get; }
        public double TiltX { get; }
        public double TiltY { get; }
        /// <summary>Poisson variance of <see cref="Offset"/> (gain·offset / pixels).</summary>
        public double OffsetVariance { get; }
        /// <summary>Background pixels the plane rests on.</summary>
        public int Pixels { get; }
        /// <summary>The rim's scatter about the plane over its Poisson expectation (≈ 1 for a good background).</summary>
        public double ScatterRatio { get; }

        /// <summary>The plane at a pixel centre.</summary>
        public double At(double x, double y) => Offset + TiltX * (x - X) + TiltY * (y - Y);
    }

    /// <summary>A square box around a reflection: an inner peak region of half-size PeakHalf inside a rim, both centred on the pixel that contains (X, Y).</summary>
    public readonly struct IntegrationBox
    {
        public IntegrationBox(double x, double y, int peakHalf, int rim)
        {
            X = x; Y = y; PeakHalf = peakHalf; Half = peakHalf + rim;
            X0 = (int)Math.Floor(x) - Half; Y0 = (int)Math.Floor(y) - Half;
        }
        public double X { get; }
        public double Y { get; }
        public int PeakHalf { get; }
        public int Half { get; }
        /// <summary>First pixel column of the box.</summary>
        public int X0 { get; }
        /// <summary>First pixel row of the box.</summary>
        public int Y0 { get; }
        public int Side => 2 * Half + 1;
        public bool Fits(PanelImage p) => !double.IsNaN(X) && !double.IsNaN(Y) && X0 >= 0 && Y0 >= 0 && X0 + Side <= p.Width && Y0 + Side <= p.Height;
        /// <summary>Whether box pixel (i, j) (0-based within the box) is in the peak region.</summary>
        public bool InPeak(int i, int j) => Math.Abs(i - Half) <= PeakHalf && Math.Abs(j - Half) <= PeakHalf;
    }
}
