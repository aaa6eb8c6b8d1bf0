using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using XtalPS.Geometry;

namespace XtalPS.Formats
{
    /// <summary>
    /// LCLS psana geometry tables (<c>geometry/*.data</c>, the PSCalib GeometryAccess format) for the CSPAD: rows
    /// "PARENT IND OBJECT IND X0 Y0 Z0 ROT_Z ROT_Y ROT_X TILT_Z TILT_Y TILT_X" (µm, degrees), each placing an object
    /// in its parent's frame, with SENS2X1:V1 sensors (185 × 388 px, two ASICs of 194 columns) as leaves.
    /// </summary>
    /// <remarks>
    /// Transform of an object (PSCalib GeometryObject): p_parent = Rx(θx)·Ry(θy)·Rz(θz)·p + (X0, Y0, Z0) with
    /// θ = ROT + TILT, each a right-handed rotation about the parent's axis, applied z first. In the 2×1 sensor frame
    /// pixel centres sit at x = ±(219.84 + 109.92·k) µm for the two halves (the two middle columns are 274.8 µm wide)
    /// and y = (92 − row)·109.92 µm; as in DIALS/cctbx each ASIC becomes a regular 194 × 185 grid, so the ASICs' first
    /// corners lie at x = −195.5 and +1.5 pixel pitches (197 pitches apart) and y = +92.5 pitches, fast +x, slow −y.
    /// Frames: psgeom (the LCLS geometry library) maps psana x → −x to reach CrystFEL's lab frame and keeps y and z
    /// (z along the beam, so IP → RAIL → CSPAD at Z0 = 1 m puts the detector 1 m downstream); CrystFEL → DIALS negates
    /// x and z; together psana (x, y, z) → DIALS (x, y, −z). Checked against psgeom's own basis-grid export of the same
    /// table (positions to 0.01 px).
    /// </remarks>
    public static class PsanaGeometry
    {
        public const long MaxFileBytes = 16L * 1024 * 1024;
        public const int MaxObjects = 100000;
        public const double PixelPitchUm = 109.92;
        public const double WidePixelUm = 274.8;
        public const int AsicWidth = 194, AsicHeight = 185;

        public static bool LooksLikePsana(string head)
        {
            int rows = 0;
            foreach (var raw in head.Split('\n').Take(200))
            {
                var line = raw.Trim();
                if (line.Length == 0 || line[0] == '#') continue;
                var f = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                if (f.Length != 13 || !int.TryParse(f[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out _)) return false;
                rows++;
            }
            return rows > 0;
        }

        public static ExperimentGeometry Read(string path, double? distanceMm = null)
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new FileNotFoundException($"The file '{path}' does not exist.", path);
            if (info.Length > MaxFileBytes) throw new InvalidImageDataException(path, $"the file is {info.Length} bytes; the largest psana geometry read is {MaxFileBytes}.");
            return Parse(path, File.ReadAllText(path, Encoding.UTF8), distanceMm);
        }

        private sealed class GeoObject
        {
            public string Parent = "", Name = "";
            public int ParentIndex, Index, Line;
            public Vec3 Translation;
            public Mat3 Rotation = Mat3.Identity;
            public List<GeoObject> Children = new List<GeoObject>();
            public GeoObject? Up;
            public string Key => Name + "#" + Index.ToString(CultureInfo.InvariantCulture);
            public string ParentKey => Parent + "#" + ParentIndex.ToString(CultureInfo.InvariantCulture);
        }

        public static ExperimentGeometry Parse(string path, string text, double? distanceMm = null)
        {
            var objects = new Dictionary<string, List<GeoObject>>(StringComparer.Ordinal);
            var placed = new HashSet<string>(StringComparer.Ordinal);
            var list = new List<GeoObject>();
            var lines = text.Split('\n');
            for (int ln = 0; ln < lines.Length; ln++)
            {
                var line = lines[ln].Trim();
                if (line.Length == 0 || line[0] == '#') continue;
                var f = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                if (f.Length != 13) throw new InvalidImageDataException(path, $"line {ln + 1} has {f.Length} fields; a psana geometry row has 13.");
                if (!int.TryParse(f[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int pi) || !int.TryParse(f[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out int oi) || pi < 0 || oi < 0)
                    throw new InvalidImageDataException(path, $"line {ln + 1}: the object indices are not whole numbers.");
                var v = new double[9];
                for (int k = 0; k < 9; k++)
                    if (!double.TryParse(f[4 + k], NumberStyles.Float, CultureInfo.InvariantCulture, out v[k]) || double.IsNaN(v[k]) || Math.Abs(v[k]) > 1e9)
                        throw new InvalidImageDataException(path, $"line {ln + 1}: '{f[4 + k]}' is not a number.");
                const double deg = Math.PI / 180;
                var o = new GeoObject
                {
                    Parent = f[0], ParentIndex = pi, Name = f[2], Index = oi, Line = ln + 1,
                    Translation = new Vec3(v[0], v[1], v[2]),
                    Rotation = Mat3.Rotation(Vec3.UnitX, (v[5] + v[8]) * deg) * Mat3.Rotation(Vec3.UnitY, (v[4] + v[7]) * deg) * Mat3.Rotation(Vec3.UnitZ, (v[3] + v[6]) * deg),
                };
                if (!placed.Add(o.ParentKey + "/" + o.Key)) throw new InvalidImageDataException(path, $"line {ln + 1}: {o.Name} {o.Index} in {o.Parent} {o.ParentIndex} is defined twice.");
                if (list.Count >= MaxObjects) throw new InvalidImageDataException(path, $"more than {MaxObjects} objects.");
                if (!objects.TryGetValue(o.Key, out var same)) objects[o.Key] = same = new List<GeoObject>();
                same.Add(o);
                list.Add(o);
            }
            if (list.Count == 0) throw new InvalidImageDataException(path, "no geometry rows: not a psana geometry file.");

            // Link parents; objects whose parent is not itself placed hang from an implicit top object.
            var tops = new Dictionary<string, GeoObject>(StringComparer.Ordinal);
            foreach (var o in list)
            {
                if (objects.TryGetValue(o.ParentKey, out var candidates))
                {
                    // Leaf names repeat under different parents (SENS2X1:V1 0 in every quadrant); a parent must be unique.
                    if (candidates.Count > 1) throw new InvalidImageDataException(path, $"line {o.Line}: the parent {o.Parent} {o.ParentIndex} is defined {candidates.Count} times.");
                    o.Up = candidates[0];
                    candidates[0].Children.Add(o);
                }
                else
                {
                    if (!tops.TryGetValue(o.ParentKey, out var top)) tops[o.ParentKey] = top = new GeoObject { Name = o.Parent, Index = o.ParentIndex, Translation = Vec3.Zero };
                    o.Up = top;
                    top.Children.Add(o);
                }
            }
            if (tops.Count != 1) throw new InvalidImageDataException(path, $"the objects hang from {tops.Count} separate top objects ({string.Join(", ", tops.Keys)}); one tree is expected.");
            foreach (var o in list)
            {
                // A cycle would never reach the top object.
                int steps = 0;
                for (var u = o.Up; u != null; u = u.Up) if (++steps > list.Count + 1) throw new InvalidImageDataException(path, $"line {o.Line}: the parent links form a loop.");
            }
            var root = tops.Values.Single();

            var panels = new List<Panel>();
            var warnings = new List<string>();
            int sensorCounter = 0;
            // psana (µm, z along the beam) → DIALS (mm, z towards the source).
            Vec3 Point(Vec3 um) => new Vec3(um.X / 1000, um.Y / 1000, -um.Z / 1000);
            Vec3 Axis(Vec3 v) => new Vec3(v.X, v.Y, -v.Z);

            DetectorGroup Build(GeoObject node, Mat3 parentR, Vec3 parentT, int depth)
            {
                if (depth > 32) throw new InvalidImageDataException(path, "the object tree is deeper than 32 levels.");
                var r = parentR * node.Rotation;
                var t = parentT + parentR * node.Translation;
                var groups = new List<DetectorGroup>();
                var indices = new List<int>();
                foreach (var child in node.Children.OrderBy(c => c.Index))
                {
                    if (child.Children.Count > 0) { groups.Add(Build(child, r, t, depth + 1)); continue; }
                    if (child.Name != "SENS2X1:V1")
                        throw new InvalidImageDataException(path, $"line {child.Line}: sensor type {child.Name} is not supported (only the CSPAD SENS2X1:V1).");
                    var cr = r * child.Rotation;
                    var ct = t + r * child.Translation;
                    int sensor = sensorCounter++;
                    var sensorPanels = new List<int>();
                    for (int a = 0; a < 2; a++)
                    {
                        double cornerX = a == 0 ? -(193 * PixelPitchUm + WidePixelUm - PixelPitchUm / 2) - PixelPitchUm / 2 : WidePixelUm - PixelPitchUm;
                        var corner = new Vec3(cornerX, 92.5 * PixelPitchUm, 0);
                        var origin = Point(ct + cr * corner);
                        var fast = Axis(cr * Vec3.UnitX);
                        var slow = Axis(cr * -Vec3.UnitY);
                        bool inQuad = node.Name.StartsWith("QUAD", StringComparison.Ordinal);
                        string name = inQuad ? $"q{node.Index}a{2 * child.Index + a}" : $"s{sensor}a{a}";
                        var layout = inQuad
                            ? new PanelLayout(node.Index * 2 * AsicWidth + a * AsicWidth, child.Index * AsicHeight)
                            : new PanelLayout(a * AsicWidth, 0, sensor);
                        sensorPanels.Add(panels.Count);
                        panels.Add(new Panel(name, AsicWidth, AsicHeight, PixelPitchUm / 1000, origin, fast, slow, layout: layout));
                    }
                    groups.Add(new DetectorGroup($"{child.Name} {child.Index}", Point(ct), Axis(cr * Vec3.UnitX), Axis(cr * -Vec3.UnitY), panelIndices: sensorPanels));
                }
                return new DetectorGroup($"{node.Name} {node.Index}", Point(t), Axis(r * Vec3.UnitX), Axis(r * -Vec3.UnitY), groups, indices);
            }

            var hierarchy = Build(root, Mat3.Identity, Vec3.Zero, 0);
            if (panels.Count == 0) throw new InvalidImageDataException(path, "no sensors in the table.");
            // The detector name: the object right above the quadrants/sensors' tree top that is not IP or RAIL.
            var named = root;
            while ((named.Name == "IP" || named.Name == "RAIL") && named.Children.Count == 1) named = named.Children[0];
            string detectorName = named.Name.Split(':')[0];
            var model = new DetectorModel(detectorName, panels, hierarchy);
            double meanZ = panels.Average(p => p.Centre.Z);
            if (distanceMm != null)
                model = Shift(model, new Vec3(0, 0, -distanceMm.Value - meanZ));
            else if (Math.Abs(meanZ) < 1)
                warnings.Add("the table places the detector at the sample (no IP/RAIL distance): use -Distance.");
            return new ExperimentGeometry(path, "psana", model, null, null, warnings);
        }

        /// <summary>The same detector moved rigidly by <paramref name="delta"/> (mm).</summary>
        private static DetectorModel Shift(DetectorModel d, Vec3 delta)
        {
            DetectorGroup Move(DetectorGroup g) => new DetectorGroup(g.Name, g.Origin + delta, g.FastAxis, g.SlowAxis, g.Children.Select(Move), g.PanelIndices);
            return new DetectorModel(d.Name, d.Panels.Select(p => p.WithFrame(p.Origin + delta, p.FastAxis, p.SlowAxis)), Move(d.Hierarchy));
        }
    }
}
