using System.Collections.Generic;
using ScottPlot;
using SkiaSharp;

namespace XtalPS.Pictures
{
    /// <summary>
    /// Many closed or open outlines in data coordinates drawn with one paint (panel outlines, spot and fit boxes,
    /// bad regions): one ScottPlot plottable instead of thousands of polygons.
    /// </summary>
    internal sealed class PolylineLayer : IPlottable
    {
        private readonly List<(Coordinates[] Points, bool Closed)> _lines = new List<(Coordinates[], bool)>();

        public PolylineLayer(Color colour, float width, string legend = "")
        {
            Colour = colour; Width = width; LegendText = legend;
        }

        public Color Colour { get; }
        public float Width { get; }
        public string LegendText { get; }
        public bool Dashed { get; set; }
        public int Count => _lines.Count;
        public bool IsVisible { get; set; } = true;
        public IAxes Axes { get; set; } = new ScottPlot.Axes();

        public IEnumerable<LegendItem> LegendItems
        {
            get
            {
                if (LegendText.Length == 0 || _lines.Count == 0) yield break;
                yield return new LegendItem { LabelText = LegendText, LineColor = Colour, LineWidth = Width, MarkerShape = MarkerShape.OpenSquare, MarkerLineColor = Colour, MarkerSize = 9 };
            }
        }

        public void Add(Coordinates[] points, bool closed = true) { if (points.Length >= 2) _lines.Add((points, closed)); }

        public AxisLimits GetAxisLimits() => AxisLimits.NoLimits;

        public void Render(RenderPack rp)
        {
            using var paint = new SKPaint { Color = Colour.ToSKColor(), StrokeWidth = Width, IsStroke = true, IsAntialias = true };
            if (Dashed) paint.PathEffect = SKPathEffect.CreateDash(new[] { 6f, 4f }, 0);
            using var path = new SKPath();
            foreach (var (points, closed) in _lines)
            {
                var first = Axes.GetPixel(points[0]);
                path.MoveTo(first.X, first.Y);
                for (int i = 1; i < points.Length; i++)
                {
                    var p = Axes.GetPixel(points[i]);
                    path.LineTo(p.X, p.Y);
                }
                if (closed) path.Close();
            }
            rp.Canvas.DrawPath(path, paint);
        }
    }
}
