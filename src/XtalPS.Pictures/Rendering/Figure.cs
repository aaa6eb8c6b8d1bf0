using System.Collections.Generic;
using ScottPlot;

namespace XtalPS.Pictures
{
    /// <summary>A drawn plot before encoding: one ScottPlot plot, or several in a grid, and what they hold.</summary>
    internal sealed class Figure
    {
        public Figure(Plot plot, int width, int height) { Plots = new[] { plot }; Single = plot; Width = width; Height = height; }

        public Figure(Multiplot multiplot, IReadOnlyList<Plot> plots, int width, int height) { Multi = multiplot; Plots = plots; Width = width; Height = height; }

        public Plot? Single { get; }
        public Multiplot? Multi { get; }
        /// <summary>Every plot of the figure, in the order drawn.</summary>
        public IReadOnlyList<Plot> Plots { get; }
        public int Width { get; }
        public int Height { get; }
        /// <summary>What was drawn, by series: data points, bars, values histogrammed.</summary>
        public Dictionary<string, int> Counts { get; } = new Dictionary<string, int>(System.StringComparer.Ordinal);
        public string Description { get; set; } = "";

        public byte[] Encode(PictureFormat format) =>
            Single != null ? PictureEncoder.Encode(Single, Width, Height, format) : PictureEncoder.Encode(Multi!, Width, Height, format);

        public RenderedPicture Render(PictureFormat format) => new RenderedPicture(Encode(format), format, Width, Height, Description, counts: Counts);
    }
}
