using System;
using System.IO;
using XtalPS.Geometry;

namespace XtalPS.Imaging
{
    /// <summary>
    /// Where a frame came from and the geometry that explains it, without its pixels. Spot lists, lattices and
    /// reflection tables keep this after integration so that 10^4 stills do not hold 10^4 images; anything that
    /// needs the pixels again reads frame <see cref="Frame"/> of <see cref="Path"/>.
    /// </summary>
    public sealed class ImageSource
    {
        public ImageSource(string path, int frame, string format, DetectorModel detector, Beam beam, string gainSource = "", SimulationTruth? truth = null)
        {
            Path = path ?? "";
            Frame = frame;
            Format = format ?? "";
            Detector = detector ?? throw new ArgumentNullException(nameof(detector));
            Beam = beam ?? throw new ArgumentNullException(nameof(beam));
            GainSource = gainSource ?? "";
            Truth = truth;
        }

        /// <summary>Full path of the file (empty for simulated images, which cannot be read again).</summary>
        public string Path { get; }
        /// <summary>0-based frame index within the file.</summary>
        public int Frame { get; }
        /// <summary>The format the frame was read from, e.g. <c>miniCBF</c>.</summary>
        public string Format { get; }
        /// <summary>The detector the frame was recorded on, with the gain in force.</summary>
        public DetectorModel Detector { get; }
        public Beam Beam { get; }
        /// <summary>Who set the panels' gain when it is not the file's (e.g. <c>Find-BraggSpot -Gain</c>); empty = from the file.</summary>
        public string GainSource { get; }
        /// <summary>The known truth of a simulated image (which has no file to read again); null for real data.</summary>
        public SimulationTruth? Truth { get; }
        /// <summary>The same short name as <see cref="DiffractionImage.Name"/>.</summary>
        public string Name => DiffractionImage.NameOf(Path, Frame, Format);

        public override string ToString() => Name;
    }
}
