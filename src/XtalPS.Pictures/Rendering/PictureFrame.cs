using System;

namespace XtalPS.Pictures
{
    /// <summary>
    /// The image area of a picture: a region of the picture plane (mm) drawn on a grid of square picture pixels.
    /// Picture pixel (i, j) covers [i, i+1) × [j, j+1) from the top-left corner; its centre lies at
    /// u = U0 + (i + ½)·Scale, v = V1 − (j + ½)·Scale.
    /// </summary>
    internal sealed class PictureFrame
    {
        public PictureFrame(double u0, double v0, double u1, double v1, int width, int height)
        {
            if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width));
            // Square pixels: widen the shorter side of the region about its centre.
            double s = Math.Max((u1 - u0) / width, (v1 - v0) / height);
            double uc = 0.5 * (u0 + u1), vc = 0.5 * (v0 + v1);
            U0 = uc - 0.5 * s * width; U1 = uc + 0.5 * s * width;
            V0 = vc - 0.5 * s * height; V1 = vc + 0.5 * s * height;
            Width = width; Height = height; Scale = s;
        }

        public double U0 { get; }
        public double V0 { get; }
        public double U1 { get; }
        public double V1 { get; }
        public int Width { get; }
        public int Height { get; }
        /// <summary>mm per picture pixel.</summary>
        public double Scale { get; }

        /// <summary>Distance (picture px) from the left edge of the image area.</summary>
        public double PixelX(double u) => (u - U0) / Scale;
        /// <summary>Distance (picture px) from the top edge of the image area.</summary>
        public double PixelY(double v) => (V1 - v) / Scale;

        public bool Contains(double u, double v) => u >= U0 && u <= U1 && v >= V0 && v <= V1;
    }
}
