using System;
using System.Collections.Generic;
using System.IO;

namespace XtalPS.Pictures
{
    /// <summary>The file formats pictures are written in.</summary>
    public enum PictureFormat
    {
        Png,
        /// <summary>Vector drawing; the pixels of a diffraction image are embedded in it as a PNG.</summary>
        Svg,
    }

    /// <summary>A drawn picture: the encoded file and where things landed on it.</summary>
    public sealed class RenderedPicture
    {
        public RenderedPicture(byte[] bytes, PictureFormat format, int width, int height, string description,
            double[]? dataArea = null, double[]? region = null, IReadOnlyDictionary<string, int>? counts = null)
        {
            Bytes = bytes ?? throw new ArgumentNullException(nameof(bytes));
            Format = format; Width = width; Height = height; Description = description ?? "";
            DataArea = dataArea ?? new double[] { 0, 0, width, height };
            Region = region ?? Array.Empty<double>();
            Counts = counts ?? new Dictionary<string, int>();
        }

        public byte[] Bytes { get; }
        public PictureFormat Format { get; }
        public int Width { get; }
        public int Height { get; }
        /// <summary>One line on what the picture shows (for -Verbose and the report).</summary>
        public string Description { get; }
        /// <summary>The image area of a diffraction picture, px: left, top, right, bottom (the whole picture without axes).</summary>
        public IReadOnlyList<double> DataArea { get; }
        /// <summary>The detector region it shows, mm in the picture plane: x min, y min, x max, y max (empty for plots).</summary>
        public IReadOnlyList<double> Region { get; }
        /// <summary>What was drawn, by overlay or series name: how many markers, bars, rings, …</summary>
        public IReadOnlyDictionary<string, int> Counts { get; }

        /// <summary>The format a file name asks for (.png or .svg), or null.</summary>
        public static PictureFormat? FormatOf(string path)
        {
            string ext = Path.GetExtension(path ?? "").ToLowerInvariant();
            return ext == ".png" ? PictureFormat.Png : ext == ".svg" ? PictureFormat.Svg : (PictureFormat?)null;
        }
    }
}
