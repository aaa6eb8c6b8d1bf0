using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using XtalPS.Geometry;
using XtalPS.Imaging;

namespace XtalPS.Formats
{
    /// <summary>
    /// Writes a detector (and optionally its pixels) as full imgCIF/CBF with an <c>_axis</c> hierarchy that
    /// <see cref="ImgCifReader"/> and dxtbx read back to the same geometry. Each <see cref="DetectorGroup"/> becomes
    /// a rotation axis (its frame relative to its parent as one axis-angle rotation, its origin as the axis
    /// offset); each panel gets a slow and a fast translation axis whose offset is the panel origin (the
    /// dxtbx convention: displacement 0 = outer corner of the first pixel). Pixels go out as one byte_offset
    /// array per panel (integer values only).
    /// </summary>
    public static class ImgCifWriter
    {
        private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

        /// <summary>The imgCIF text that describes <paramref name="detector"/> and <paramref name="beam"/>, without pixel data.</summary>
        public static string WriteHeader(DetectorModel detector, Beam beam, string blockName = "xtalps_geometry")
        {
            if (detector == null) throw new ArgumentNullException(nameof(detector));
            if (beam == null) throw new ArgumentNullException(nameof(beam));
            var layout = new Layout(detector);
            var sb = new StringBuilder();
            WriteText(sb, detector, beam, layout, blockName, headerOnly: true);
            return sb.ToString();
        }

        /// <summary>Writes the whole image (geometry and byte_offset pixels) atomically to <paramref name="path"/>.</summary>
        public static void Write(DiffractionImage image, string path) => AtomicFile.Write(path, s => Write(image, s));

        /// <summary>Writes the whole image (geometry and byte_offset pixels) to a stream.</summary>
        public static void Write(DiffractionImage image, Stream stream)
        {
            if (image == null) throw new ArgumentNullException(nameof(image));
            var detector = image.Detector;
            var layout = new Layout(detector);
            // Encode everything first so that a non-integer pixel fails before any byte is written.
            var payloads = new byte[detector.PanelCount][];
            var sizes = new int[detector.PanelCount];
            for (int i = 0; i < detector.PanelCount; i++)
            {
                var pixels = image.PanelImages[i].Pixels;
                var buffer = new byte[ByteOffsetCodec.MaxEncodedLength(pixels.Length)];
                sizes[i] = ByteOffsetCodec.Encode(pixels, buffer);
                payloads[i] = buffer;
            }
            var sb = new StringBuilder();
            string name = Path.GetFileNameWithoutExtension(image.Name.Length > 0 ? image.Name : "image");
            WriteText(sb, detector, image.Beam, layout, Token(name, "image"), headerOnly: false);
            Put(stream, sb.ToString());

            Put(stream, "loop_\r\n_array_data.array_id\r\n_array_data.binary_id\r\n_array_data.data\r\n");
            var md5 = MD5.Create();
            try
            {
                for (int i = 0; i < detector.PanelCount; i++)
                {
                    var p = detector.Panels[i];
                    string hash = Convert.ToBase64String(md5.ComputeHash(payloads[i], 0, sizes[i]));
                    var h = new StringBuilder();
                    h.Append(' ').Append(layout.ArrayIds[i]).Append(' ').Append((i + 1).ToString(Inv)).Append("\r\n;\r\n");
                    h.Append("--CIF-BINARY-FORMAT-SECTION--\r\n");
                    h.Append("Content-Type: application/octet-stream;\r\n     conversions=\"x-CBF_BYTE_OFFSET\"\r\n");
                    h.Append("Content-Transfer-Encoding: BINARY\r\n");
                    h.AppendFormat(Inv, "X-Binary-Size: {0}\r\nX-Binary-ID: {1}\r\n", sizes[i], i + 1);
                    h.Append("X-Binary-Element-Type: \"signed 32-bit integer\"\r\nX-Binary-Element-Byte-Order: LITTLE_ENDIAN\r\n");
                    h.Append("Content-MD5: ").Append(hash).Append("\r\n");
                    h.AppendFormat(Inv, "X-Binary-Number-of-Elements: {0}\r\n", (long)p.Width * p.Height);
                    h.AppendFormat(Inv, "X-Binary-Size-Fastest-Dimension: {0}\r\nX-Binary-Size-Second-Dimension: {1}\r\n", p.Width, p.Height);
                    h.Append("X-Binary-Size-Padding: 4095\r\n\r\n");
                    Put(stream, h.ToString());
                    stream.Write(CbfBinarySection.Marker.ToArray(), 0, 4);
                    stream.Write(payloads[i], 0, sizes[i]);
                    stream.Write(new byte[4095], 0, 4095);
                    Put(stream, "\r\n--CIF-BINARY-FORMAT-SECTION----\r\n;\r\n");
                }
            }
            finally { md5.Dispose(); }
            Put(stream, "\r\n");
        }

        private static void Put(Stream s, string text)
        {
            var b = Encoding.ASCII.GetBytes(text);
            s.Write(b, 0, b.Length);
        }

        /// <summary>Axis and array names, and each group's orthonormal lab frame.</summary>
        private sealed class Layout
        {
            public readonly List<(DetectorGroup Group, string AxisId, DetectorGroup? Parent)> Groups = new List<(DetectorGroup, string, DetectorGroup?)>();
            public readonly Dictionary<DetectorGroup, Mat3> Frames = new Dictionary<DetectorGroup, Mat3>();
            public readonly Dictionary<DetectorGroup, string> AxisOf = new Dictionary<DetectorGroup, string>();
            public readonly string[] ArrayIds;
            public readonly DetectorGroup[] OwnerOf;

            public Layout(DetectorModel d)
            {
                var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "AXIS_SOURCE", "AXIS_GRAVITY" };
                OwnerOf = new DetectorGroup[d.PanelCount];
                void Visit(DetectorGroup g, DetectorGroup? parent, string path)
                {
                    string id = Unique(used, Token(g.Name, ""), "GROUP" + path);
                    Groups.Add((g, id, parent));
                    AxisOf[g] = id;
                    Frames[g] = Orthonormal(g.FastAxis, g.SlowAxis);
                    foreach (int i in g.PanelIndices) OwnerOf[i] = g;
                    for (int c = 0; c < g.Children.Count; c++) Visit(g.Children[c], g, path + "_" + c.ToString(Inv));
                }
                Visit(d.Hierarchy, null, "_0");
                ArrayIds = new string[d.PanelCount];
                for (int i = 0; i < d.PanelCount; i++)
                {
                    ArrayIds[i] = Unique(used, Token(d.Panels[i].Name, ""), "ARRAY_PANEL_" + i.ToString(Inv));
                    used.Add("AXIS_" + ArrayIds[i] + "_S");
                    used.Add("AXIS_" + ArrayIds[i] + "_F");
                }
            }

            private static string Unique(HashSet<string> used, string preferred, string fallback)
            {
                string id = preferred.Length > 0 && !used.Contains(preferred) ? preferred : fallback;
                int n = 1;
                string baseId = id;
                while (used.Contains(id)) id = baseId + "_" + (n++).ToString(Inv);
                used.Add(id);
                return id;
            }
        }

        private static void WriteText(StringBuilder sb, DetectorModel d, Beam beam, Layout layout, string blockName, bool headerOnly)
        {
            string detId = Token(d.Name, "DETECTOR");
            sb.Append("###CBF: VERSION 1.5, written by XtalPS (full imgCIF, axis hierarchy)\r\n\r\n");
            sb.Append("data_").Append(blockName).Append("\r\n\r\n");
            sb.Append("_diffrn.id XTALPS\r\n_diffrn_source.diffrn_id XTALPS\r\n_diffrn_source.source unknown\r\n\r\n");
            sb.Append("_diffrn_radiation.diffrn_id XTALPS\r\n_diffrn_radiation.wavelength_id WAVELENGTH1\r\n_diffrn_radiation.probe x-ray\r\n");
            sb.AppendFormat(Inv, "_diffrn_radiation.polarizn_source_ratio {0}\r\n\r\n", R(beam.PolarizationFraction));
            sb.AppendFormat(Inv, "_diffrn_radiation_wavelength.id WAVELENGTH1\r\n_diffrn_radiation_wavelength.wavelength {0}\r\n_diffrn_radiation_wavelength.wt 1.0\r\n\r\n", R(beam.Wavelength));
            sb.Append("_diffrn_detector.diffrn_id XTALPS\r\n_diffrn_detector.id ").Append(detId).Append("\r\n");
            sb.Append("_diffrn_detector.type XtalPS\r\n");
            sb.AppendFormat(Inv, "_diffrn_detector.number_of_axes {0}\r\n\r\n", layout.Groups.Count + 2 * d.PanelCount);

            sb.Append("loop_\r\n_diffrn_detector_element.id\r\n_diffrn_detector_element.detector_id\r\n");
            for (int i = 0; i < d.PanelCount; i++) sb.Append(" ELE_").Append(layout.ArrayIds[i]).Append(' ').Append(detId).Append("\r\n");
            sb.Append("\r\nloop_\r\n_diffrn_data_frame.id\r\n_diffrn_data_frame.detector_element_id\r\n_diffrn_data_frame.array_id\r\n_diffrn_data_frame.binary_id\r\n");
            for (int i = 0; i < d.PanelCount; i++)
                sb.Append(" FRAME1 ELE_").Append(layout.ArrayIds[i]).Append(' ').Append(layout.ArrayIds[i]).Append(' ').Append((i + 1).ToString(Inv)).Append("\r\n");

            // Axes: source, gravity, one rotation per group, slow and fast translations per panel.
            var axes = new List<string[]>
            {
                new[] { "AXIS_SOURCE", "general", "source", ".", R(beam.Direction.X), R(beam.Direction.Y), R(beam.Direction.Z), ".", ".", ".", "." },
                new[] { "AXIS_GRAVITY", "general", "gravity", ".", "0", "-1", "0", ".", ".", ".", "." },
            };
            var settings = new List<(string Id, double Angle)>();
            var depthOf = new Dictionary<DetectorGroup, int>();
            foreach (var (g, id, parent) in layout.Groups)
            {
                int level = parent == null ? 0 : depthOf[parent] + 1;
                depthOf[g] = level;
                var pf = parent == null ? Mat3.Identity : layout.Frames[parent];
                var po = parent == null ? Vec3.Zero : parent.Origin;
                var rel = pf.Transpose() * layout.Frames[g];
                AxisAngle(rel, out var axis, out double angle);
                var offset = pf.Transpose() * (g.Origin - po);
                axes.Add(new[] { id, "rotation", "detector", parent == null ? "." : layout.AxisOf[parent],
                    R(axis.X), R(axis.Y), R(axis.Z), R(offset.X), R(offset.Y), R(offset.Z), "detector_level_" + level.ToString(Inv) });
                settings.Add((id, angle * 180 / Math.PI));
            }
            for (int i = 0; i < d.PanelCount; i++)
            {
                var p = d.Panels[i];
                var g = layout.OwnerOf[i];
                var gf = layout.Frames[g];
                var o = gf.Transpose() * (p.Origin - g.Origin);
                var s = gf.Transpose() * p.SlowAxis;
                var f = gf.Transpose() * p.FastAxis;
                string a = layout.ArrayIds[i], comp = "detector_level_" + (depthOf[g] + 1).ToString(Inv);
                axes.Add(new[] { "AXIS_" + a + "_S", "translation", "detector", layout.AxisOf[g], R(s.X), R(s.Y), R(s.Z), R(o.X), R(o.Y), R(o.Z), comp });
                axes.Add(new[] { "AXIS_" + a + "_F", "translation", "detector", "AXIS_" + a + "_S", R(f.X), R(f.Y), R(f.Z), "0", "0", "0", comp });
                settings.Add(("AXIS_" + a + "_S", 0));
                settings.Add(("AXIS_" + a + "_F", 0));
            }
            sb.Append("\r\nloop_\r\n_axis.id\r\n_axis.type\r\n_axis.equipment\r\n_axis.depends_on\r\n_axis.vector[1]\r\n_axis.vector[2]\r\n_axis.vector[3]\r\n")
              .Append("_axis.offset[1]\r\n_axis.offset[2]\r\n_axis.offset[3]\r\n_axis.equipment_component\r\n");
            foreach (var row in axes) sb.Append(' ').Append(string.Join(" ", row)).Append("\r\n");

            sb.Append("\r\nloop_\r\n_diffrn_scan_frame_axis.axis_id\r\n_diffrn_scan_frame_axis.frame_id\r\n_diffrn_scan_frame_axis.angle\r\n_diffrn_scan_frame_axis.displacement\r\n");
            sb.Append(" AXIS_SOURCE FRAME1 0 0\r\n AXIS_GRAVITY FRAME1 0 0\r\n");
            foreach (var (id, angle) in settings) sb.Append(' ').Append(id).Append(" FRAME1 ").Append(R(angle)).Append(" 0\r\n");

            sb.Append("\r\nloop_\r\n_array_structure_list.array_id\r\n_array_structure_list.index\r\n_array_structure_list.dimension\r\n")
              .Append("_array_structure_list.precedence\r\n_array_structure_list.direction\r\n_array_structure_list.axis_set_id\r\n");
            for (int i = 0; i < d.PanelCount; i++)
            {
                string a = layout.ArrayIds[i];
                sb.AppendFormat(Inv, " {0} 1 {1} 1 increasing AXIS_{0}_F\r\n {0} 2 {2} 2 increasing AXIS_{0}_S\r\n", a, d.Panels[i].Width, d.Panels[i].Height);
            }
            sb.Append("\r\nloop_\r\n_array_structure_list_axis.axis_set_id\r\n_array_structure_list_axis.axis_id\r\n")
              .Append("_array_structure_list_axis.displacement\r\n_array_structure_list_axis.displacement_increment\r\n");
            for (int i = 0; i < d.PanelCount; i++)
            {
                string a = layout.ArrayIds[i];
                sb.Append(" AXIS_").Append(a).Append("_F AXIS_").Append(a).Append("_F 0 ").Append(R(d.Panels[i].PixelSize)).Append("\r\n");
                sb.Append(" AXIS_").Append(a).Append("_S AXIS_").Append(a).Append("_S 0 ").Append(R(d.Panels[i].PixelSizeSlow)).Append("\r\n");
            }
            sb.Append("\r\nloop_\r\n_array_intensities.array_id\r\n_array_intensities.binary_id\r\n_array_intensities.linearity\r\n")
              .Append("_array_intensities.gain\r\n_array_intensities.gain_esd\r\n_array_intensities.overload\r\n_array_intensities.undefined_value\r\n");
            for (int i = 0; i < d.PanelCount; i++)
            {
                var p = d.Panels[i];
                sb.Append(' ').Append(layout.ArrayIds[i]).Append(' ').Append((i + 1).ToString(Inv)).Append(" linear ").Append(R(p.Gain)).Append(" 0 ")
                  .Append(double.IsInfinity(p.TrustedMax) ? "." : R(p.TrustedMax)).Append(' ')
                  .Append(double.IsInfinity(p.TrustedMin) ? "." : R(p.TrustedMin)).Append("\r\n");
            }
            sb.Append("\r\nloop_\r\n_array_structure.id\r\n_array_structure.encoding_type\r\n_array_structure.compression_type\r\n_array_structure.byte_order\r\n");
            for (int i = 0; i < d.PanelCount; i++) sb.Append(' ').Append(layout.ArrayIds[i]).Append(" 'signed 32-bit integer' byte_offset little_endian\r\n");
            sb.Append("\r\n");
            if (headerOnly)
            {
                sb.Append("loop_\r\n_array_data.array_id\r\n_array_data.binary_id\r\n_array_data.data\r\n");
                for (int i = 0; i < d.PanelCount; i++) sb.Append(' ').Append(layout.ArrayIds[i]).Append(' ').Append((i + 1).ToString(Inv)).Append(" .\r\n");
                sb.Append("\r\n");
            }
        }

        /// <summary>Round-trip number text.</summary>
        private static string R(double v) => (v + 0.0).ToString("R", Inv);

        /// <summary>A CIF token from a name: white space, quotes and other awkward characters become '_'.</summary>
        private static string Token(string name, string fallback)
        {
            if (string.IsNullOrEmpty(name)) return fallback;
            var sb = new StringBuilder(name.Length);
            foreach (char c in name) sb.Append(c > ' ' && c < 127 && c != '\'' && c != '"' && c != '#' && c != '$' && c != ';' && c != '[' && c != ']' ? c : '_');
            var t = sb.ToString();
            if (t.StartsWith("_", StringComparison.Ordinal) || t.StartsWith("data_", StringComparison.OrdinalIgnoreCase) || t.StartsWith("loop_", StringComparison.OrdinalIgnoreCase)) t = "X" + t;
            return t;
        }

        /// <summary>The right-handed orthonormal frame [fast, slow', normal] of a (possibly slightly skewed) pair of axes.</summary>
        private static Mat3 Orthonormal(Vec3 fast, Vec3 slow)
        {
            var f = fast.Normalized();
            var s = slow - f * slow.Dot(f);
            if (s.Length < 1e-12) s = Math.Abs(f.X) < 0.9 ? Vec3.UnitX - f * f.X : Vec3.UnitY - f * f.Y;
            s = s.Normalized();
            return Mat3.FromColumns(f, s, f.Cross(s));
        }

        /// <summary>Axis and angle (radians) of a proper rotation matrix, via its unit quaternion (Shepperd's method).</summary>
        private static void AxisAngle(Mat3 m, out Vec3 axis, out double angle)
        {
            double tr = m.M11 + m.M22 + m.M33, w, x, y, z;
            if (tr > 0)
            {
                double s = Math.Sqrt(tr + 1) * 2;
                w = s / 4; x = (m.M32 - m.M23) / s; y = (m.M13 - m.M31) / s; z = (m.M21 - m.M12) / s;
            }
            else if (m.M11 > m.M22 && m.M11 > m.M33)
            {
                double s = Math.Sqrt(1 + m.M11 - m.M22 - m.M33) * 2;
                w = (m.M32 - m.M23) / s; x = s / 4; y = (m.M12 + m.M21) / s; z = (m.M13 + m.M31) / s;
            }
            else if (m.M22 > m.M33)
            {
                double s = Math.Sqrt(1 + m.M22 - m.M11 - m.M33) * 2;
                w = (m.M13 - m.M31) / s; x = (m.M12 + m.M21) / s; y = s / 4; z = (m.M23 + m.M32) / s;
            }
            else
            {
                double s = Math.Sqrt(1 + m.M33 - m.M11 - m.M22) * 2;
                w = (m.M21 - m.M12) / s; x = (m.M13 + m.M31) / s; y = (m.M23 + m.M32) / s; z = s / 4;
            }
            var v = new Vec3(x, y, z);
            double len = v.Length;
            if (len < 1e-15) { axis = Vec3.UnitZ; angle = 0; return; }
            axis = v / len;
            angle = 2 * Math.Atan2(len, w);
        }
    }
}
