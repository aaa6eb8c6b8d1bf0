using System;
using System.Linq;
using SkiaSharp;

namespace XtalPS.Pictures
{
    /// <summary>A debug mosaic of profile boxes (the TIFF of Invoke-LatticeExtract and Invoke-PeakIntegration) as a PNG:
    /// grey from the 0.5th to the 99.5th percentile of its values, empty boxes dark blue, each pixel drawn as a square.</summary>
    internal static class MosaicPicture
    {
        public static byte[] Png(float[] pixels, int width, int height, int magnification)
        {
            if (pixels.Length != width * height) throw new ArgumentException("The mosaic does not match its size.");
            var finite = pixels.Where(v => !float.IsNaN(v) && !float.IsInfinity(v)).OrderBy(v => v).ToArray();
            double lo = finite.Length > 0 ? finite[(int)(0.005 * (finite.Length - 1))] : 0;
            double hi = finite.Length > 0 ? finite[(int)(0.995 * (finite.Length - 1))] : 1;
            if (!(hi > lo)) hi = lo + 1;
            int m = Math.Max(1, magnification);
            using var bitmap = new SKBitmap(new SKImageInfo(width * m, height * m, SKColorType.Rgba8888, SKAlphaType.Opaque));
            for (int j = 0; j < height; j++)
                for (int i = 0; i < width; i++)
                {
                    float v = pixels[j * width + i];
                    SKColor c;
                    if (float.IsNaN(v) || float.IsInfinity(v)) c = new SKColor(30, 40, 90);
                    else { byte g = (byte)Math.Round(255 * Math.Min(1, Math.Max(0, (v - lo) / (hi - lo)))); c = new SKColor(g, g, g); }
                    for (int b = 0; b < m; b++)
                        for (int a = 0; a < m; a++) bitmap.SetPixel(i * m + a, j * m + b, c);
                }
            using var image = SKImage.FromBitmap(bitmap);
            using var data = image.Encode(SKEncodedImageFormat.Png, 100);
            return data.ToArray();
        }
    }
}
