using System;

namespace XtalPS.Pictures
{
    /// <summary>Colour look-up tables (256 entries, RGBA bytes in memory order) and the colours of masked and empty areas.</summary>
    internal static class ColourMaps
    {
        public const int Levels = 256;

        /// <summary>RGBA as a little-endian uint (R in the low byte), the layout of SkiaSharp's Rgba8888.</summary>
        public static uint Rgba(int r, int g, int b) => (uint)(r | g << 8 | b << 16 | 0xFF << 24);

        public static uint[] Table(ColourMap map)
        {
            var lut = new uint[Levels];
            for (int i = 0; i < Levels; i++)
            {
                double t = i / (double)(Levels - 1);
                switch (map)
                {
                    case ColourMap.Grey: { int g = (int)Math.Round(255 * t); lut[i] = Rgba(g, g, g); break; }
                    case ColourMap.Inverted: { int g = (int)Math.Round(255 * (1 - t)); lut[i] = Rgba(g, g, g); break; }
                    default:
                    {
                        // Black → red → yellow → white, in equal thirds.
                        int r = (int)Math.Round(255 * Math.Min(1, 3 * t));
                        int g = (int)Math.Round(255 * Math.Min(1, Math.Max(0, 3 * t - 1)));
                        int b = (int)Math.Round(255 * Math.Min(1, Math.Max(0, 3 * t - 2)));
                        lut[i] = Rgba(r, g, b);
                        break;
                    }
                }
            }
            return lut;
        }

        /// <summary>Masked pixels: a light steel blue, apart from every colour of the maps.</summary>
        public static readonly uint MaskColour = Rgba(120, 160, 220);

        /// <summary>Where no panel is (gaps between ASICs, outside the detector).</summary>
        public static uint EmptyColour(ColourMap map) => map == ColourMap.Inverted ? Rgba(200, 200, 200) : Rgba(60, 60, 60);
    }
}
