using ScottPlot;

namespace XtalPS.Pictures
{
    /// <summary>Overlay colours that stand out on a colour map: saturated darks on the white of Inverted, light and
    /// cyan-green tones on the black and reds of Grey and Heat.</summary>
    internal sealed class OverlayPalette
    {
        public Color Spot, Indexed, Prediction, Ring, Ice, Beam, Lattice, FitBox, BadRegion, Panel, Label, LabelBackground;

        public static OverlayPalette For(ColourMap map) => map == ColourMap.Inverted ? Light : Dark;

        private static readonly OverlayPalette Light = new OverlayPalette
        {
            Spot = Color.FromHex("#E6194B"), Indexed = Color.FromHex("#1E9E3C"), Prediction = Color.FromHex("#2F5BD8"),
            Ring = Color.FromHex("#E67E22"), Ice = Color.FromHex("#17A2B8"), Beam = Color.FromHex("#B0279B"),
            Lattice = Color.FromHex("#F58231"), FitBox = Color.FromHex("#008080"), BadRegion = Color.FromHex("#D35400"),
            Panel = Color.FromHex("#7F8C8D"), Label = Color.FromHex("#1D2733"), LabelBackground = Colors.White.WithAlpha(0.7),
        };

        private static readonly OverlayPalette Dark = new OverlayPalette
        {
            Spot = Color.FromHex("#00E5FF"), Indexed = Color.FromHex("#76FF03"), Prediction = Color.FromHex("#448AFF"),
            Ring = Color.FromHex("#FFFFFF"), Ice = Color.FromHex("#80DEEA"), Beam = Color.FromHex("#FFFFFF"),
            Lattice = Color.FromHex("#E040FB"), FitBox = Color.FromHex("#B388FF"), BadRegion = Color.FromHex("#FF9100"),
            Panel = Color.FromHex("#BDBDBD"), Label = Color.FromHex("#FFFFFF"), LabelBackground = Colors.Black.WithAlpha(0.55),
        };
    }
}
