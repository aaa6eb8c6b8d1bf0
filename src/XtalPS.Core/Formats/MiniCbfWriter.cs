using System;
using System.Globalization;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using XtalPS.Imaging;

namespace XtalPS.Formats
{
    /// <summary>
    /// Writes a single-panel image as a miniCBF with byte_offset compression and a PILATUS-style header that
    /// carries the geometry (pixel size, distance, beam centre, wavelength, count cutoff), so that our reader,
    /// dxtbx and other miniCBF readers recover it. Integer-valued pixels only.
    /// </summary>
    public static class MiniCbfWriter
    {
        public static void Write(DiffractionImage image, string path) => AtomicFile.Write(path, s => Write(image, s));

        public static void Write(DiffractionImage image, Stream stream)
        {
            if (image.PanelCount != 1) throw new ArgumentException("miniCBF holds one panel; this image has " + image.PanelCount + ".");
            var panel = image.Detector.Panels[0];
            var data = image.PanelImages[0];
            var buffer = new byte[ByteOffsetCodec.MaxEncodedLength(data.Pixels.Length)];
            int size = ByteOffsetCodec.Encode(data.Pixels, buffer);
            string md5;
            using (var h = MD5.Create()) md5 = Convert.ToBase64String(h.ComputeHash(buffer, 0, size));

            if (!image.Detector.TryBeamCentre(image.Beam, out _, out var beamPx)) beamPx = new Geometry.Vec2(panel.Width / 2.0, panel.Height / 2.0);
            double distance = Math.Abs(panel.Origin.Dot(panel.Normal));
            var inv = CultureInfo.InvariantCulture;
            var sb = new StringBuilder();
            string name = Path.GetFileNameWithoutExtension(image.Name.Length > 0 ? image.Name : "image");
            sb.Append("###CBF: VERSION 1.5, written by XtalPS\r\n\r\n");
            sb.Append("data_").Append(string.IsNullOrEmpty(name) ? "image" : name.Replace(' ', '_')).Append("\r\n\r\n");
            sb.Append("_array_data.header_convention \"PILATUS_1.2\"\r\n_array_data.header_contents\r\n;\r\n");
            sb.Append("# Detector: ").Append(panel.Name.Length > 0 ? panel.Name : "XtalPS").Append("\r\n");
            sb.AppendFormat(inv, "# Pixel_size {0:R}e-3 m x {1:R}e-3 m\r\n", panel.PixelSize, panel.PixelSizeSlow);
            if (panel.Thickness > 0) sb.AppendFormat(inv, "# {0} sensor, thickness {1:0.000000} m\r\n", panel.Material.Length > 0 ? panel.Material : "Silicon", panel.Thickness / 1000);
            if (!double.IsInfinity(panel.TrustedMax)) sb.AppendFormat(inv, "# Count_cutoff {0:R} counts\r\n", panel.TrustedMax);
            sb.AppendFormat(inv, "# Wavelength {0:R} A\r\n", image.Beam.Wavelength);
            sb.AppendFormat(inv, "# Detector_distance {0:R} m\r\n", distance / 1000);
            sb.AppendFormat(inv, "# Beam_xy ({0:R}, {1:R}) pixels\r\n", beamPx.X, beamPx.Y);
            sb.Append(";\r\n\r\n_array_data.data\r\n;\r\n--CIF-BINARY-FORMAT-SECTION--\r\n");
            sb.Append("Content-Type: application/octet-stream;\r\n     conversions=\"x-CBF_BYTE_OFFSET\"\r\n");
            sb.Append("Content-Transfer-Encoding: BINARY\r\n");
            sb.AppendFormat(inv, "X-Binary-Size: {0}\r\nX-Binary-ID: 1\r\n", size);
            sb.Append("X-Binary-Element-Type: \"signed 32-bit integer\"\r\nX-Binary-Element-Byte-Order: LITTLE_ENDIAN\r\n");
            sb.Append("Content-MD5: ").Append(md5).Append("\r\n");
            sb.AppendFormat(inv, "X-Binary-Number-of-Elements: {0}\r\n", data.Pixels.Length);
            sb.AppendFormat(inv, "X-Binary-Size-Fastest-Dimension: {0}\r\nX-Binary-Size-Second-Dimension: {1}\r\n", data.Width, data.Height);
            sb.Append("X-Binary-Size-Padding: 4095\r\n\r\n");
            var head = Encoding.ASCII.GetBytes(sb.ToString());
            stream.Write(head, 0, head.Length);
            stream.Write(new byte[] { 0x0C, 0x1A, 0x04, 0xD5 }, 0, 4);
            stream.Write(buffer, 0, size);
            stream.Write(new byte[4095], 0, 4095);
            var tail = Encoding.ASCII.GetBytes("\r\n--CIF-BINARY-FORMAT-SECTION----\r\n;\r\n\r\n");
            stream.Write(tail, 0, tail.Length);
        }
    }
}
