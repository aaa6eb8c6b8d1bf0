using System;
using System.Collections.Generic;
using XtalPS.Geometry;
using XtalPS.Imaging;

namespace XtalPS.Formats
{
    /// <summary>
    /// Reads SMV images (ADSC CCDs and other detectors written in the ADSC style) the way dxtbx's
    /// FormatSMVADSC and FormatSMVTimePix_SU model them.
    /// </summary>
    /// <remarks>
    /// ADSC: the beam centre keys follow the Mosflm convention, so the beam sits BEAM_CENTER_Y mm along the fast
    /// axis and BEAM_CENTER_X mm along the slow axis; fast axis +x, slow −y, the panel at −DISTANCE along z.
    /// TWOTHETA is kept in the header but, as in dxtbx, does not move the detector. Pixels are the raw values
    /// (IMAGE_PEDESTAL is not subtracted); the trusted range is (−1, saturation) in raw units, the saturation
    /// being CCD_IMAGE_SATURATION when given, else the largest value of the pixel type.
    /// Stockholm TimePix (BEAMLINE=TimePix_SU, electron diffraction, RED software): the beam centre is in
    /// pixels, fast then slow. A 516×516 file (wide edge pixels split in three) is one panel; a 512×512 file
    /// with 55 µm pixels is the 2×2 chip array with its 165 µm edge pixels left out, i.e. four 254×254 panels
    /// placed at their physical positions.
    /// </remarks>
    public static class SmvReader
    {
        public static DiffractionImage Read(string path, byte[] file)
        {
            var h = SmvHeader.Parse(path, file);
            long width = h.Long(path, "SIZE1", -1), height = h.Long(path, "SIZE2", -1);
            if (width < 1 || height < 1 || width > 1 << 17 || height > 1 << 17)
                throw new InvalidImageDataException(path, $"SIZE1 x SIZE2 is {width} x {height}; both must lie in 1..{1 << 17}.");
            long dim = h.Long(path, "DIM", 2);
            if (dim != 2) throw new InvalidImageDataException(path, $"DIM is {dim}; only 2D SMV images are read.");
            string type = h.Get("TYPE", "unsigned_short").ToLowerInvariant();
            int bytes; bool unsigned;
            switch (type)
            {
                case "unsigned_short": bytes = 2; unsigned = true; break;
                case "signed_short": bytes = 2; unsigned = false; break;
                case "unsigned_int": case "unsigned_long": bytes = 4; unsigned = true; break;
                case "signed_int": case "signed_long": case "int": case "long": bytes = 4; unsigned = false; break;
                default: throw new InvalidImageDataException(path, $"the SMV pixel TYPE '{type}' is not supported.");
            }
            string order = h.Get("BYTE_ORDER", "little_endian").ToLowerInvariant();
            if (order != "little_endian" && order != "big_endian")
                throw new InvalidImageDataException(path, $"BYTE_ORDER is '{order}'.");
            long need = width * height * bytes;
            if (h.HeaderBytes + need > file.Length)
                throw new InvalidImageDataException(path, $"the header promises {width}x{height} {type} pixels ({need} bytes after {h.HeaderBytes} header bytes) but the file holds {file.Length} bytes (truncated file or lying header).");

            var all = new float[width * height];
            try
            {
                RawPixelCodec.Decode(new ReadOnlySpan<byte>(file, h.HeaderBytes, (int)need), all, bytes, unsigned, false, order == "little_endian");
            }
            catch (System.IO.InvalidDataException e) { throw new InvalidImageDataException(path, e.Message, e); }

            double pixel = h.Double(path, "PIXEL_SIZE", double.NaN);
            if (!(pixel > 0) || pixel > 100) throw new InvalidImageDataException(path, $"PIXEL_SIZE is {h.Get("PIXEL_SIZE", "missing")}; a positive size in mm is needed.");
            double distance = h.Double(path, "DISTANCE", 100);
            double wavelength = h.Double(path, "WAVELENGTH", 1.0);
            if (!(wavelength > 0)) throw new InvalidImageDataException(path, $"WAVELENGTH is {wavelength}.");
            double typeMax = bytes == 2 ? (unsigned ? 65535 : 32767) : (unsigned ? uint.MaxValue : int.MaxValue);
            var header = new Dictionary<string, string>(h.Keys);

            if (h.Get("BEAMLINE").Equals("TimePix_SU", StringComparison.OrdinalIgnoreCase))
                return TimePix(path, h, (int)width, (int)height, all, pixel, distance, wavelength, header);

            double saturation = Math.Min(h.Double(path, "CCD_IMAGE_SATURATION", typeMax), typeMax);
            double gain = h.Double(path, "GAIN", 1.0);
            double beamFastMm = h.Double(path, "BEAM_CENTER_Y", width * pixel / 2);
            double beamSlowMm = h.Double(path, "BEAM_CENTER_X", height * pixel / 2);
            const double underload = -1;
            var origin = new Vec3(-beamFastMm, beamSlowMm, -distance);
            string name = "Panel";
            var panel = new Panel(name, (int)width, (int)height, pixel, origin, Vec3.UnitX, -Vec3.UnitY, underload, saturation, gain > 0 ? gain : 1.0);
            var detector = new DetectorModel("SMV" + (h.Has("DETECTOR_SN") ? " " + h.Get("DETECTOR_SN") : ""), new[] { panel });
            var image = new PanelImage(0, (int)width, (int)height, all, TrustedRange.Mask(all, underload, saturation));
            return new DiffractionImage(path, 0, "SMV", detector, new Beam(wavelength), new[] { image }, header);
        }

        private static DiffractionImage TimePix(string path, SmvHeader h, int width, int height, float[] all,
            double pixel, double distance, double wavelength, Dictionary<string, string> header)
        {
            const double underload = -1, overload = 65535, thickness = 0.3;
            double bx = h.Double(path, "BEAM_CENTER_X", width / 2.0), by = h.Double(path, "BEAM_CENTER_Y", height / 2.0);
            var beam = new Beam(wavelength, Vec3.UnitZ, 0.5);
            if (!(width == 512 && height == 512 && Math.Abs(pixel - 0.055) < 1e-9))
            {
                var origin = new Vec3(-bx * pixel, by * pixel, -distance);
                var panel = new Panel("Panel", width, height, pixel, origin, Vec3.UnitX, -Vec3.UnitY, underload, overload, 1.0, thickness: thickness, material: "Si");
                var image = new PanelImage(0, width, height, all, TrustedRange.Mask(all, underload, overload));
                return new DiffractionImage(path, 0, "SMV TimePix", new DetectorModel("TimePix_SU", new[] { panel }), beam, new[] { image }, header);
            }

            // 2×2 Timepix chips of 256 px; the outermost pixel on each side of a chip is three pixels wide. The
            // beam centre (px in the file) is converted to mm over those widths; each chip becomes a panel of its
            // 254×254 normal pixels.
            double bxMm = ChipAxisMm(bx, pixel), byMm = ChipAxisMm(by, pixel);
            var root = new Vec3(-bxMm, byMm, -distance);
            var starts = new[] { 1, 257 };
            var panels = new List<Panel>();
            var images = new List<PanelImage>();
            for (int chipY = 0; chipY < 2; chipY++)
                for (int chipX = 0; chipX < 2; chipX++)
                {
                    int x0 = starts[chipX], y0 = starts[chipY], index = panels.Count;
                    const int n = 254;
                    var origin = root + Vec3.UnitX * ChipAxisMm(x0, pixel) - Vec3.UnitY * ChipAxisMm(y0, pixel);
                    panels.Add(new Panel("Panel" + index, n, n, pixel, origin, Vec3.UnitX, -Vec3.UnitY, underload, overload, 1.0, thickness: thickness, material: "Si"));
                    var px = new float[n * n];
                    for (int y = 0; y < n; y++) Array.Copy(all, (y0 + y) * width + x0, px, y * n, n);
                    images.Add(new PanelImage(index, n, n, px, TrustedRange.Mask(px, underload, overload)));
                }
            var detector = new DetectorModel("TimePix_SU", panels,
                new DetectorGroup("TimePix_SU", root, Vec3.UnitX, -Vec3.UnitY, panelIndices: new[] { 0, 1, 2, 3 }));
            return new DiffractionImage(path, 0, "SMV TimePix", detector, beam, images, header);
        }

        /// <summary>Millimetres from the detector edge to file pixel coordinate <paramref name="p"/> along one axis
        /// of a 2-chip TimePix row, where file pixels 0, 255, 256 and 511 are three pixels wide.</summary>
        private static double ChipAxisMm(double p, double pixel)
        {
            double mm = 0;
            int whole = (int)Math.Floor(Math.Max(0, Math.Min(p, 512)));
            for (int i = 0; i < whole; i++) mm += Width(i);
            if (whole < 512) mm += (p - whole) * Width(whole);
            return mm * pixel;

            static double Width(int i) => i == 0 || i == 255 || i == 256 || i == 511 ? 3 : 1;
        }
    }
}
