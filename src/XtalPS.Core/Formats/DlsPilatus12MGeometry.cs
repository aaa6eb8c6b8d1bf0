using System;
using System.Linq;
using XtalPS.Geometry;
using XtalPS.Imaging;

namespace XtalPS.Formats
{
    /// <summary>
    /// The PILATUS 12M of Diamond beamline I23 (S/N 120-0100): 24 rows of modules on a cylinder around the
    /// sample, stored as one 2463×5071 miniCBF image whose rows of 195 pixels are separated by 17-pixel gaps.
    /// The header cannot say this; the instrument model below is the one dxtbx uses
    /// (FormatCBFMiniPilatusDLS12M): a cylinder of radius 250 mm about the lab x axis, row j tilted by
    /// (−12.2 + 7.903/2 + j·(7.903 + 0.441))°, each row's first pixel 184.9 mm along −fast and 16.8 mm along
    /// −slow from the foot of its normal; the whole set shifted by the header's beam centre against the nominal
    /// one (1075, 2594) px and moved −Detector_distance along z.
    /// </summary>
    public static class DlsPilatus12MGeometry
    {
        public const int Rows = 24;
        public const int Width = 2463;
        public const int RowHeight = 195;
        public const int RowPitch = RowHeight + 17;
        public const int ImageHeight = Rows * RowPitch - 17;
        private const double Pixel = 0.172, Radius = 250.0, HalfWidthMm = 184.9, SlowInsetMm = 16.8;
        private const double FirstRowDeg = -12.2 + 0.5 * 7.903, RowStepDeg = 7.903 + 0.441;
        private const double NominalBeamX = 1075, NominalBeamY = 2594;

        /// <summary>True for a header of this detector with the full 2463×5071 image.</summary>
        public static bool Describes(MiniCbfHeader header, int fast, int slow) =>
            fast == Width && slow == ImageHeight
            && header.Detector.IndexOf("PILATUS", StringComparison.OrdinalIgnoreCase) >= 0
            && header.Detector.IndexOf("S/N 120-0100", StringComparison.OrdinalIgnoreCase) >= 0;

        /// <summary>The 24-row detector for a header (beam centre, distance, sensor) and a trusted range.</summary>
        public static DetectorModel Build(MiniCbfHeader header, double trustedMin, double trustedMax)
        {
            double beamX = double.IsNaN(header.BeamX) ? NominalBeamX : header.BeamX;
            double beamY = double.IsNaN(header.BeamY) ? NominalBeamY : header.BeamY;
            double distance = double.IsNaN(header.Distance) ? 0 : header.Distance;
            // The frame all rows hang from: fast −x, slow +y, normal −z.
            var rootFast = -Vec3.UnitX;
            var rootSlow = Vec3.UnitY;
            var rootNormal = rootFast.Cross(rootSlow);
            var rootOrigin = -distance * Vec3.UnitZ + Pixel * (NominalBeamX - beamX) * rootFast + Pixel * (NominalBeamY - beamY) * rootSlow;
            Vec3 ToLab(Vec3 v) => rootFast * v.X + rootSlow * v.Y + rootNormal * v.Z;

            var panels = new Panel[Rows];
            for (int j = 0; j < Rows; j++)
            {
                double a = (FirstRowDeg + j * RowStepDeg) * Math.PI / 180;
                var fast = Vec3.UnitX;
                var slow = new Vec3(0, Math.Sin(a), Math.Cos(a));
                var normal = fast.Cross(slow);
                var origin = Radius * normal - HalfWidthMm * fast - SlowInsetMm * slow;
                panels[j] = new Panel($"row-{j:00}", Width, RowHeight, Pixel, rootOrigin + ToLab(origin), ToLab(fast), ToLab(slow),
                    trustedMin, trustedMax, 1.0, Pixel, header.Thickness, header.Material.Length > 0 ? header.Material : "Si");
            }
            var root = new DetectorGroup("PILATUS 12M", rootOrigin, rootFast, rootSlow, panelIndices: Enumerable.Range(0, Rows));
            return new DetectorModel("PILATUS 12M", panels, root);
        }

        /// <summary>Cuts the stored image into the 24 rows (the gaps between them are dropped).</summary>
        public static PanelImage[] Split(float[] image, DetectorModel detector)
        {
            var rows = new PanelImage[Rows];
            for (int j = 0; j < Rows; j++)
            {
                var pixels = new float[Width * RowHeight];
                Array.Copy(image, (long)j * RowPitch * Width, pixels, 0, pixels.Length);
                var p = detector.Panels[j];
                rows[j] = new PanelImage(j, Width, RowHeight, pixels, CbfReader.TrustedMask(pixels, p.TrustedMin, p.TrustedMax));
            }
            return rows;
        }
    }
}
