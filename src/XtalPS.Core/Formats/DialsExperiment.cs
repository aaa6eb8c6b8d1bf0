using System;
using XtalPS.Geometry;

namespace XtalPS.Formats
{
    /// <summary>
    /// One experiment of a DIALS experiment list as XtalPS reads and writes it: the identifier that the reflection
    /// table's experiment ids point to, the detector and beam, the crystal (null for a spot-finding experiment), and
    /// the image it was measured on (file and 0-based frame; empty when the list names none).
    /// </summary>
    public sealed class DialsExperiment
    {
        public DialsExperiment(string identifier, DetectorModel detector, Beam? beam, DialsCrystal? crystal, string imagePath, int frame)
        {
            Identifier = identifier ?? "";
            Detector = detector ?? throw new ArgumentNullException(nameof(detector));
            Beam = beam;
            Crystal = crystal;
            ImagePath = imagePath ?? "";
            Frame = frame < 0 ? 0 : frame;
        }

        public string Identifier { get; }
        public DetectorModel Detector { get; }
        public Beam? Beam { get; }
        public DialsCrystal? Crystal { get; }
        /// <summary>The image file (as the list states it), or empty.</summary>
        public string ImagePath { get; }
        /// <summary>0-based frame within <see cref="ImagePath"/>.</summary>
        public int Frame { get; }

        public override string ToString() => $"{Identifier}: {(Crystal?.ToString() ?? "no crystal")} {ImagePath}{(Frame > 0 ? "#" + Frame : "")}";
    }
}
