using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using XtalPS.Geometry;

namespace XtalPS.Imaging
{
    /// <summary>One frame of diffraction data: pixels per panel with masks, the detector and beam that
    /// explain them, and where it came from. The object the whole pipeline starts from.</summary>
    public sealed class DiffractionImage
    {
        public DiffractionImage(string sourcePath, int frameIndex, string format, DetectorModel detector, Beam beam,
            IEnumerable<PanelImage> panelImages, IReadOnlyDictionary<string, string>? header = null, SimulationTruth? truth = null,
            string gainSource = "")
        {
            GainSource = gainSource ?? "";
            SourcePath = sourcePath ?? "";
            FrameIndex = frameIndex;
            Format = format ?? "";
            Detector = detector ?? throw new ArgumentNullException(nameof(detector));
            Beam = beam ?? throw new ArgumentNullException(nameof(beam));
            PanelImages = (panelImages ?? throw new ArgumentNullException(nameof(panelImages))).ToArray();
            if (PanelImages.Count != detector.PanelCount)
                throw new ArgumentException($"The image has {PanelImages.Count} panels of pixels but the detector has {detector.PanelCount}.", nameof(panelImages));
            for (int i = 0; i < PanelImages.Count; i++)
            {
                var p = detector.Panels[i];
                if (PanelImages[i].Width != p.Width || PanelImages[i].Height != p.Height)
                    throw new ArgumentException($"Panel {i} is {PanelImages[i].Width}x{PanelImages[i].Height} px but the detector says {p.Width}x{p.Height}.", nameof(panelImages));
            }
            Header = header ?? new Dictionary<string, string>();
            Truth = truth;
        }

        /// <summary>Full path of the file the frame was read from (empty for simulated images).</summary>
        public string SourcePath { get; }
        /// <summary>0-based frame index within the file.</summary>
        public int FrameIndex { get; }
        /// <summary>The format the frame was read from, e.g. <c>miniCBF</c>, or <c>Simulated</c>.</summary>
        public string Format { get; }
        public DetectorModel Detector { get; }
        public Beam Beam { get; }
        public IReadOnlyList<PanelImage> PanelImages { get; }
        /// <summary>Header keys as the file states them (format-specific).</summary>
        public IReadOnlyDictionary<string, string> Header { get; }
        /// <summary>The known truth of a simulated image; null for real data.</summary>
        public SimulationTruth? Truth { get; }

        /// <summary>A short name for tables and error messages: the file name, and the frame when the file holds several.</summary>
        public string Name => NameOf(SourcePath, FrameIndex, Format);

        internal static string NameOf(string path, int frame, string format) => string.IsNullOrEmpty(path) ? $"{format}#{frame}" :
            frame == 0 ? Path.GetFileName(path) : $"{Path.GetFileName(path)}#{frame}";

        /// <summary>Who set the panels' gain when it is not the file's, e.g. <c>Import-DiffractionImage -Gain</c>; empty = the file's gain.</summary>
        public string GainSource { get; }

        private ImageSource? _source;
        /// <summary>The frame's file, frame index and geometry without its pixels (what later stages keep).</summary>
        public ImageSource Source => _source ??= new ImageSource(SourcePath, FrameIndex, Format, Detector, Beam, GainSource, Truth);

        /// <summary>
        /// The same pixels with every panel's gain (ADU per photon) set to <paramref name="gain"/>, and
        /// <paramref name="source"/> recorded as who set it. Spot finding, extraction and integration all read the gain
        /// from the detector model, so a gain given once reaches every later stage.
        /// </summary>
        public DiffractionImage WithGain(double gain, string source)
        {
            if (!(gain > 0) || double.IsInfinity(gain)) throw new ArgumentOutOfRangeException(nameof(gain), "The gain must be a positive number.");
            var detector = Detector.WithPanels(Detector.Panels.Select(p => p.WithGain(gain)));
            return new DiffractionImage(SourcePath, FrameIndex, Format, detector, Beam, PanelImages, Header, Truth, source);
        }

        public int PanelCount => PanelImages.Count;
        public double Wavelength => Beam.Wavelength;
        /// <summary>Total pixel count over all panels.</summary>
        public long PixelCount => PanelImages.Sum(p => (long)p.Pixels.Length);

        /// <summary>The same pixels seen through another detector model and/or beam (overrides, refined metrology).</summary>
        /// <remarks>A gain set explicitly (<see cref="GainSource"/>) stays in force on the new detector.</remarks>
        public DiffractionImage WithGeometry(DetectorModel? detector, Beam? beam)
        {
            var d = detector ?? Detector;
            if (GainSource.Length > 0 && detector != null)
                d = d.WithPanels(d.Panels.Select((p, i) => i < Detector.PanelCount && p.Gain != Detector.Panels[i].Gain ? p.WithGain(Detector.Panels[i].Gain) : p));
            return new DiffractionImage(SourcePath, FrameIndex, Format, d, beam ?? Beam, PanelImages, Header, Truth, GainSource);
        }

        /// <summary>The same frame with new panel masks.</summary>
        public DiffractionImage WithPanelImages(IEnumerable<PanelImage> panelImages) =>
            new DiffractionImage(SourcePath, FrameIndex, Format, Detector, Beam, panelImages, Header, Truth, GainSource);

        public override string ToString()
        {
            var p = PanelImages[0];
            return PanelImages.Count == 1
                ? string.Format(CultureInfo.InvariantCulture, "{0} ({1}, {2}x{3} px, λ {4:0.#####} Å)", Name, Format, p.Width, p.Height, Beam.Wavelength)
                : string.Format(CultureInfo.InvariantCulture, "{0} ({1}, {2} panels, λ {3:0.#####} Å)", Name, Format, PanelImages.Count, Beam.Wavelength);
        }
    }
}
