using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.RegularExpressions;

namespace XtalPS.Formats
{
    /// <summary>
    /// The free-text header of a Pilatus/Eiger miniCBF (<c>_array_data.header_contents</c>, conventions
    /// PILATUS_1.2 / GENERIC_MINI): lines "# Key value…". Parses the keys that fix the geometry.
    /// </summary>
    public sealed class MiniCbfHeader
    {
        private static readonly Regex Number = new Regex(@"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", RegexOptions.CultureInvariant);

        public Dictionary<string, string> Keys { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        public string Detector { get; private set; } = "";
        /// <summary>Pixel size along fast and slow, mm.</summary>
        public double PixelSizeFast { get; private set; } = double.NaN;
        public double PixelSizeSlow { get; private set; } = double.NaN;
        public double Wavelength { get; private set; } = double.NaN;
        /// <summary>mm.</summary>
        public double Distance { get; private set; } = double.NaN;
        /// <summary>Beam centre in pixels (fast, slow).</summary>
        public double BeamX { get; private set; } = double.NaN;
        public double BeamY { get; private set; } = double.NaN;
        public double CountCutoff { get; private set; } = double.NaN;
        /// <summary>Sensor thickness, mm.</summary>
        public double Thickness { get; private set; }
        public string Material { get; private set; } = "";

        public static MiniCbfHeader Parse(string text)
        {
            var h = new MiniCbfHeader();
            foreach (var raw in text.Split('\n'))
            {
                var line = raw.Trim();
                if (!line.StartsWith("#", StringComparison.Ordinal)) continue;
                line = line.TrimStart('#').Trim();
                if (line.Length == 0) continue;
                int sp = line.IndexOf(' ');
                string key = (sp > 0 ? line.Substring(0, sp) : line).TrimEnd(':', '=');
                string value = sp > 0 ? line.Substring(sp + 1).Trim().TrimStart(':', '=').Trim() : "";
                if (!h.Keys.ContainsKey(key)) h.Keys[key] = value;
                var nums = Numbers(value);
                switch (key.ToLowerInvariant())
                {
                    case "detector": h.Detector = value; break;
                    case "pixel_size":
                        if (nums.Count >= 2) { h.PixelSizeFast = nums[0] * 1000; h.PixelSizeSlow = nums[1] * 1000; }
                        else if (nums.Count == 1) h.PixelSizeFast = h.PixelSizeSlow = nums[0] * 1000;
                        break;
                    case "wavelength": if (nums.Count > 0) h.Wavelength = nums[0]; break;
                    case "detector_distance": if (nums.Count > 0) h.Distance = nums[0] * 1000; break;
                    case "beam_xy": if (nums.Count >= 2) { h.BeamX = nums[0]; h.BeamY = nums[1]; } break;
                    case "count_cutoff": if (nums.Count > 0) h.CountCutoff = nums[0]; break;
                }
                int t = line.IndexOf("sensor, thickness", StringComparison.OrdinalIgnoreCase);
                if (t > 0)
                {
                    h.Material = line.Substring(0, t).Trim();
                    var tn = Numbers(line.Substring(t));
                    if (tn.Count > 0) h.Thickness = tn[0] * 1000;
                }
            }
            return h;
        }

        private static List<double> Numbers(string s)
        {
            var list = new List<double>();
            foreach (Match m in Number.Matches(s))
                if (double.TryParse(m.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double d)) list.Add(d);
            return list;
        }
    }
}
