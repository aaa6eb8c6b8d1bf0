using System;
using System.Collections.Generic;
using XtalPS.Imaging;

namespace XtalPS.Integration
{
    /// <summary>
    /// The profile boxes of one image laid side by side in a grid (IPLT's tmp_integrate1/2.tif debug images):
    /// tiles of a fixed side in reflection order, separated by one NaN pixel.
    /// </summary>
    public sealed class ProfileMosaic
    {
        private readonly List<float[]> _tiles = new List<float[]>();

        public ProfileMosaic(int tileSide)
        {
            if (tileSide < 1 || tileSide > 1024) throw new ArgumentOutOfRangeException(nameof(tileSide));
            TileSide = tileSide;
        }

        public int TileSide { get; }
        public int Count => _tiles.Count;

        /// <summary>Adds the box at pixel (x0, y0); <paramref name="background"/> (optional) is subtracted at each pixel centre. Off-panel and masked pixels are NaN.</summary>
        public void Add(PanelImage p, int x0, int y0, Func<double, double, double>? background = null)
        {
            var t = new float[TileSide * TileSide];
            for (int j = 0; j < TileSide; j++)
                for (int i = 0; i < TileSide; i++)
                {
                    int x = x0 + i, y = y0 + j;
                    float v = float.NaN;
                    if (x >= 0 && y >= 0 && x < p.Width && y < p.Height && p.Mask[y * p.Width + x] != 0)
                    {
                        v = p.Pixels[y * p.Width + x];
                        if (background != null) v = (float)(v - background(x + 0.5, y + 0.5));
                    }
                    t[j * TileSide + i] = v;
                }
            _tiles.Add(t);
        }

        /// <summary>Adds an empty (NaN) tile, keeping the tiles aligned with the reflection list.</summary>
        public void AddEmpty()
        {
            var t = new float[TileSide * TileSide];
            t.AsSpan().Fill(float.NaN);
            _tiles.Add(t);
        }

        /// <summary>The mosaic: ⌈√n⌉ tiles per row; returns its pixels and size.</summary>
        public float[] Render(out int width, out int height)
        {
            int n = Math.Max(1, _tiles.Count);
            int cols = (int)Math.Ceiling(Math.Sqrt(n));
            int rows = (n + cols - 1) / cols;
            int step = TileSide + 1;
            width = cols * step - 1; height = rows * step - 1;
            var img = new float[width * height];
            img.AsSpan().Fill(float.NaN);
            for (int t = 0; t < _tiles.Count; t++)
            {
                int cx = t % cols * step, cy = t / cols * step;
                for (int j = 0; j < TileSide; j++)
                    Array.Copy(_tiles[t], j * TileSide, img, (cy + j) * width + cx, TileSide);
            }
            return img;
        }
    }
}
