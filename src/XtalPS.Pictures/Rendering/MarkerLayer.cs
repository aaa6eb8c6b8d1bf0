using System;
using System.Collections.Generic;
using ScottPlot;
using SkiaSharp;

namespace XtalPS.Pictures
{
    /// <summary>
    /// Many markers of one shape, size and colour in data coordinates (spots, predictions, reflections, lattice
    /// points), drawn as one Skia path with one paint: a thousand spot circles cost one draw call, where a ScottPlot
    /// marker series draws each marker on its own.
    /// </summary>
    internal sealed class MarkerLayer : IPlottable
    {
        private readonly double[] _x, _y;

        public MarkerLayer(double[] x, double[] y, MarkerShape shape, float size, Color colour, float lineWidth = 1.5f, string legend = "")
        {
            if (x.Length != y.Length) throw new ArgumentException("The x and y coordinates differ in number.");
            if (shape != MarkerShape.OpenCircle && shape != MarkerShape.FilledCircle && shape != MarkerShape.OpenSquare &&
                shape != MarkerShape.Cross && shape != MarkerShape.Eks)
                throw new ArgumentOutOfRangeException(nameof(shape), shape, "A marker layer draws circles, squares, crosses and ×.");
            _x = x; _y = y; Shape = shape; Size = size; Colour = colour; LineWidth = lineWidth; LegendText = legend;
        }

        public MarkerShape Shape { get; }
        /// <summary>Marker diameter (circles) or side (squares, crosses), picture pixels.</summary>
        public float Size { get; }
        public Color Colour { get; }
        public float LineWidth { get; }
        public string LegendText { get; }
        public int Count => _x.Length;
        public bool IsVisible { get; set; } = true;
        public IAxes Axes { get; set; } = new ScottPlot.Axes();

        public IEnumerable<LegendItem> LegendItems
        {
            get
            {
                if (LegendText.Length == 0 || _x.Length == 0) yield break;
                yield return new LegendItem
                {
                    LabelText = LegendText, MarkerShape = Shape, MarkerSize = Math.Min(Size, 14), MarkerLineColor = Colour,
                    MarkerFillColor = Colour, MarkerLineWidth = Shape == MarkerShape.FilledCircle ? 0 : LineWidth,
                };
            }
        }

        public AxisLimits GetAxisLimits() => AxisLimits.NoLimits;

        /// <summary>Draw every marker as a path (for SVG, where a stamped bitmap would not scale).</summary>
        public bool Vector { get; set; }

        public void Render(RenderPack rp)
        {
            if (_x.Length == 0) return;
            if (Vector || _x.Length < StampThreshold) { RenderPath(rp.Canvas); return; }
            RenderStamps(rp.Canvas);
        }

        /// <summary>Below this many markers, stamping saves nothing worth the four stamps it draws first.</summary>
        private const int StampThreshold = 32;

        private SKPaint Paint() => new SKPaint
        {
            Color = Colour.ToSKColor(), StrokeWidth = LineWidth, IsStroke = Shape != MarkerShape.FilledCircle, IsAntialias = true,
        };

        private void RenderPath(SKCanvas canvas)
        {
            using var paint = Paint();
            using var path = new SKPath();
            for (int k = 0; k < _x.Length; k++)
            {
                var p = Axes.GetPixel(new Coordinates(_x[k], _y[k]));
                AddShape(path, p.X, p.Y);
            }
            canvas.DrawPath(path, paint);
        }

        private void AddShape(SKPath path, float x, float y)
        {
            float r = Size / 2;
            switch (Shape)
            {
                case MarkerShape.OpenCircle:
                case MarkerShape.FilledCircle:
                    path.AddCircle(x, y, r);
                    break;
                case MarkerShape.OpenSquare:
                    path.AddRect(new SKRect(x - r, y - r, x + r, y + r));
                    break;
                case MarkerShape.Cross:
                    path.MoveTo(x - r, y); path.LineTo(x + r, y);
                    path.MoveTo(x, y - r); path.LineTo(x, y + r);
                    break;
                default: // Eks
                    path.MoveTo(x - r, y - r); path.LineTo(x + r, y + r);
                    path.MoveTo(x - r, y + r); path.LineTo(x + r, y - r);
                    break;
            }
        }

        /// <summary>
        /// The marker drawn once, antialiased, at each of the four half-pixel offsets, then stamped at every point
        /// rounded to the nearest half pixel (at most a quarter pixel from the exact position along each axis).
        /// Rasterising a thousand small antialiased outlines costs Skia tens of milliseconds; copying a thousand
        /// small bitmaps costs well under one.
        /// </summary>
        private void RenderStamps(SKCanvas canvas)
        {
            int half = (int)Math.Ceiling(Size / 2 + LineWidth) + 1, side = 2 * half + 1;
            var stamps = new SKImage[4];
            try
            {
                using (var paint = Paint())
                    for (int phase = 0; phase < 4; phase++)
                    {
                        using var bitmap = new SKBitmap(new SKImageInfo(side, side, SKColorType.Rgba8888, SKAlphaType.Premul));
                        bitmap.Erase(SKColors.Transparent);
                        using (var stampCanvas = new SKCanvas(bitmap))
                        using (var path = new SKPath())
                        {
                            AddShape(path, half + 0.5f * (phase & 1), half + 0.5f * (phase >> 1));
                            stampCanvas.DrawPath(path, paint);
                        }
                        stamps[phase] = SKImage.FromBitmap(bitmap);
                    }
                for (int k = 0; k < _x.Length; k++)
                {
                    var p = Axes.GetPixel(new Coordinates(_x[k], _y[k]));
                    double qx = Math.Floor(p.X * 2 + 0.5) / 2, qy = Math.Floor(p.Y * 2 + 0.5) / 2;
                    double fx = Math.Floor(qx), fy = Math.Floor(qy);
                    int phase = (qx > fx ? 1 : 0) | (qy > fy ? 2 : 0);
                    canvas.DrawImage(stamps[phase], (float)(fx - half), (float)(fy - half));
                }
            }
            finally
            {
                foreach (var stamp in stamps) stamp?.Dispose();
            }
        }
    }
}
