using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using XtalPS.Geometry;
using XtalPS.Imaging;

namespace XtalPS.Formats
{
    /// <summary>What the <c>_array_structure_list_axis.displacement</c> point of a panel is taken to be.</summary>
    public enum ImgCifOriginConvention
    {
        /// <summary>
        /// The outer corner of the first pixel, as dxtbx/DIALS read it (CBFlib's pixel (0,0)) and as the cctbx.xfel
        /// and dxtbx CBF writers write it. The default: it reproduces DIALS's geometry for every file we know.
        /// </summary>
        Dxtbx,
        /// <summary>The centre of the first pixel, as the imgCIF dictionary words it; the origin is then half a
        /// pixel back along fast and slow.</summary>
        PixelCentre,
    }

    /// <summary>The geometry an imgCIF header describes, and where each panel's pixels live.</summary>
    public sealed class ImgCifGeometry
    {
        internal ImgCifGeometry(DetectorModel detector, Beam beam, IReadOnlyList<ImgCifPanelSource> sources, ImgCifAxes axes, CifBlock block)
        {
            Detector = detector; Beam = beam; Sources = sources; Axes = axes; Block = block;
        }

        public DetectorModel Detector { get; }
        public Beam Beam { get; }
        /// <summary>Per panel (same order as <see cref="DetectorModel.Panels"/>): its array and window.</summary>
        public IReadOnlyList<ImgCifPanelSource> Sources { get; }
        public ImgCifAxes Axes { get; }
        /// <summary>The parsed CIF block.</summary>
        public CifBlock Block { get; }
    }

    /// <summary>Where a panel's pixels sit: an array (and its binary section) and a window of it.</summary>
    public sealed class ImgCifPanelSource
    {
        internal ImgCifPanelSource(string arrayId, int binaryIndex, int fastStart, int slowStart, int thirdIndex)
        {
            ArrayId = arrayId; BinaryIndex = binaryIndex; FastStart = fastStart; SlowStart = slowStart; ThirdIndex = thirdIndex;
        }

        public string ArrayId { get; }
        /// <summary>Index into the file's binary sections, −1 when the file holds no pixel data for the array.</summary>
        public int BinaryIndex { get; }
        /// <summary>0-based first column, row and section of the window.</summary>
        public int FastStart { get; }
        public int SlowStart { get; }
        public int ThirdIndex { get; }
    }

    /// <summary>
    /// Reads full imgCIF/CBF files whose geometry is an <c>_axis</c> hierarchy (DLS full CBF, cctbx.xfel CSPAD and
    /// Rayonix CBFs, dxtbx's multi-tile CBFs): one or several arrays, each one panel or cut into sections (a CSPAD
    /// quadrant array of 388×185×8 holds 16 ASICs of 194×185). Each panel's frame comes from chaining the axis
    /// transforms of its pixel axes up to the root; the detector hierarchy follows the branch points of the axis
    /// tree (detector → quadrant → sensor → ASIC for a CSPAD).
    /// </summary>
    public static class ImgCifReader
    {
        private static readonly Regex AxisTag = new Regex(@"(^|[\r\n])[ \t]*_axis\.", RegexOptions.CultureInvariant);
        private static readonly Regex BinaryPlaceholder = new Regex("\u0001BINARY (\\d+)\u0001", RegexOptions.CultureInvariant);

        /// <summary>Largest CIF text (outside the binary payloads) we parse.</summary>
        public const int MaxTextChars = 64 * 1024 * 1024;

        /// <summary>True when the CIF text describes its geometry with an <c>_axis</c> table.</summary>
        public static bool HasAxisTable(string cifText) => AxisTag.IsMatch(cifText);

        /// <summary>The file's text with every binary payload replaced by a placeholder naming its section.</summary>
        public static string TextWithoutPayloads(string path, byte[] file, IReadOnlyList<CbfBinarySection> sections)
        {
            long total = file.Length;
            foreach (var s in sections) total -= s.BinarySize + 4;
            if (total > MaxTextChars) throw new InvalidImageDataException(path, $"the CIF text is {total} characters; the largest XtalPS parses is {MaxTextChars}.");
            var sb = new StringBuilder((int)Math.Max(0, total) + 32 * sections.Count);
            int pos = 0;
            for (int k = 0; k < sections.Count; k++)
            {
                AppendLatin1(sb, file, pos, sections[k].MarkerOffset);
                sb.Append('\u0001').Append("BINARY ").Append(k.ToString(CultureInfo.InvariantCulture)).Append('\u0001');
                pos = (int)(sections[k].PayloadOffset + sections[k].BinarySize);
            }
            AppendLatin1(sb, file, pos, file.Length);
            return sb.ToString();
        }

        private static void AppendLatin1(StringBuilder sb, byte[] file, int from, int to)
        {
            for (int i = from; i < to; i++) sb.Append((char)file[i]);
        }

        /// <summary>Reads the image: geometry from the axis hierarchy, pixels from the binary sections.</summary>
        public static DiffractionImage Read(string path, byte[] file, ImgCifOriginConvention convention = ImgCifOriginConvention.Dxtbx)
        {
            var sections = CbfBinarySection.FindAll(path, file);
            var text = TextWithoutPayloads(path, file, sections);
            try { return Read(path, file, sections, text, convention); }
            catch (ArgumentException e) { throw new InvalidImageDataException(path, "the geometry is invalid: " + e.Message, e); }
        }

        /// <summary>Reads only the geometry (works for header-only files too).</summary>
        public static ImgCifGeometry ReadGeometry(string path, byte[] file, ImgCifOriginConvention convention = ImgCifOriginConvention.Dxtbx)
        {
            var sections = CbfBinarySection.FindAll(path, file);
            var text = TextWithoutPayloads(path, file, sections);
            return ReadGeometry(path, text, sections, convention);
        }

        internal static DiffractionImage Read(string path, byte[] file, List<CbfBinarySection> sections, string text, ImgCifOriginConvention convention)
        {
            var geometry = ReadGeometry(path, text, sections, convention);
            var detector = geometry.Detector;
            if (geometry.Sources.Any(s => s.BinaryIndex < 0))
                throw new InvalidImageDataException(path, sections.Count == 0
                    ? "the file holds the detector geometry only, no pixel data."
                    : "some arrays of the file have no pixel data.");

            // Overlapping or repeated windows must not multiply the memory a file can make us allocate.
            long panelPixels = detector.Panels.Sum(p => (long)p.Width * p.Height);
            long arrayPixels = geometry.Sources.Select(s => s.BinaryIndex).Distinct().Sum(i => sections[i].ElementCount);
            if (panelPixels > arrayPixels)
                throw new InvalidImageDataException(path, $"the panels claim {panelPixels} pixels but the arrays hold {arrayPixels}.");

            var images = new PanelImage[detector.PanelCount];
            foreach (var group in Enumerable.Range(0, detector.PanelCount).GroupBy(i => geometry.Sources[i].BinaryIndex))
            {
                var s = sections[group.Key];
                s.Validate(path);
                var members = group.ToArray();
                var first = detector.Panels[members[0]];
                var src0 = geometry.Sources[members[0]];
                bool whole = members.Length == 1 && src0.FastStart == 0 && src0.SlowStart == 0 && src0.ThirdIndex == 0
                    && first.Width == s.Fastest && (long)first.Width * first.Height == s.ElementCount;
                if (whole)
                {
                    var pixels = s.Decode(path, file);
                    images[members[0]] = new PanelImage(members[0], first.Width, first.Height, pixels,
                        CbfReader.TrustedMask(pixels, first.TrustedMin, first.TrustedMax));
                    continue;
                }
                var buffer = ArrayPool<float>.Shared.Rent((int)s.ElementCount);
                try
                {
                    var all = new Span<float>(buffer, 0, (int)s.ElementCount);
                    s.Decode(path, file, all);
                    foreach (int i in members)
                    {
                        var p = detector.Panels[i];
                        var src = geometry.Sources[i];
                        if (src.FastStart + p.Width > s.Fastest || src.SlowStart + p.Height > s.Second || src.ThirdIndex >= s.Third)
                            throw new InvalidImageDataException(path, $"panel {p.Name} lies outside its array {s.Fastest}x{s.Second}x{s.Third}.");
                        // Every row is copied in below, so the array need not be zeroed first.
#if NET
                        var pixels = GC.AllocateUninitializedArray<float>(p.Width * p.Height);
#else
                        var pixels = new float[p.Width * p.Height];
#endif
                        for (int y = 0; y < p.Height; y++)
                        {
                            long from = ((long)src.ThirdIndex * s.Second + src.SlowStart + y) * s.Fastest + src.FastStart;
                            all.Slice((int)from, p.Width).CopyTo(pixels.AsSpan(y * p.Width, p.Width));
                        }
                        images[i] = new PanelImage(i, p.Width, p.Height, pixels, CbfReader.TrustedMask(pixels, p.TrustedMin, p.TrustedMax));
                    }
                }
                finally { ArrayPool<float>.Shared.Return(buffer); }
            }

            var header = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
            {
                ["DataBlock"] = geometry.Block.Name,
                ["Arrays"] = geometry.Sources.Select(s => s.ArrayId).Distinct().Count().ToString(CultureInfo.InvariantCulture),
                ["OriginConvention"] = convention.ToString(),
            };
            var headerContents = geometry.Block["array_data"]?.Get(0, "header_contents");
            if (headerContents != null)
                foreach (var kv in MiniCbfHeader.Parse(headerContents).Keys)
                    if (!header.ContainsKey(kv.Key)) header[kv.Key] = kv.Value;
            return new DiffractionImage(path, 0, "imgCIF", detector, geometry.Beam, images, header);
        }

        internal static ImgCifGeometry ReadGeometry(string path, string text, IReadOnlyList<CbfBinarySection> sections, ImgCifOriginConvention convention)
        {
            try
            {
                var blocks = CifText.Parse(text);
                var block = blocks.FirstOrDefault(b => b["axis"] != null)
                    ?? throw new InvalidImageDataException(path, "no data block has an _axis table.");
                return BuildGeometry(path, block, sections, convention);
            }
            catch (InvalidDataException e) { throw new InvalidImageDataException(path, "the CIF text is malformed: " + e.Message, e); }
            catch (FormatException e) { throw new InvalidImageDataException(path, e.Message, e); }
            catch (ArgumentException e) { throw new InvalidImageDataException(path, "the geometry is invalid: " + e.Message, e); }
        }

        private sealed class AxisRef
        {
            public AxisRef(ImgCifAxis axis, double displacement, double increment) { Axis = axis; Displacement = displacement; Increment = increment; }
            public ImgCifAxis Axis { get; }
            public double Displacement { get; }
            public double Increment { get; }
        }

        private static ImgCifGeometry BuildGeometry(string path, CifBlock block, IReadOnlyList<CbfBinarySection> sections, ImgCifOriginConvention convention)
        {
            var axes = ReadAxes(block);
            var frameId = FrameId(block);
            ApplySettings(block, axes, frameId);

            var arrayIds = ArrayIds(block);
            if (arrayIds.Count == 0) throw new FormatException("the file names no array (_array_structure_list / _diffrn_data_frame).");
            var binaryOf = BinarySectionOfArray(block, arrayIds, sections);

            var structure = block["array_structure_list"] ?? throw new FormatException("the file has no _array_structure_list.");
            var sectionTable = block["array_structure_list_section"];
            var axisSets = block["array_structure_list_axis"] ?? throw new FormatException("the file has no _array_structure_list_axis.");
            var intensities = block["array_intensities"];

            // Row indexes by id, so that hostile files with many rows cost linear time.
            var structureByArray = GroupRows(structure, "array_id");
            var intensitiesByArray = intensities == null ? null : GroupRows(intensities, "array_id");
            var axisSetRows = GroupRows(axisSets, "axis_set_id");
            var sectionStarts = new Dictionary<(string, int), int>();
            if (sectionTable != null)
                for (int r = 0; r < sectionTable.RowCount; r++)
                {
                    var sid = sectionTable.Get(r, "id");
                    double index = sectionTable.GetDouble(r, "index", 0);
                    if (sid == null || index < 1 || index > 3 || index != Math.Floor(index)) continue;
                    double start = sectionTable.GetDouble(r, "start", 1);
                    if (!(start >= 1 && start <= 1 << 20) || start != Math.Floor(start)) throw new FormatException($"section {sid} starts at {start}.");
                    var key = (sid.ToUpperInvariant(), (int)index);
                    if (!sectionStarts.ContainsKey(key)) sectionStarts[key] = (int)start - 1;
                }

            var panels = new List<Panel>();
            var sources = new List<ImgCifPanelSource>();
            var chains = new List<List<ImgCifAxis>>();
            foreach (var arrayId in arrayIds)
            {
                // Trusted range and gain of the array (dxtbx: undefined_value .. overload).
                double gain = 1, low = double.NegativeInfinity, high = double.PositiveInfinity;
                if (intensities != null)
                {
                    int row = FirstRow(intensitiesByArray!, arrayId);
                    if (row >= 0)
                    {
                        gain = intensities.GetDouble(row, "gain", 1);
                        if (!(gain > 0)) gain = 1;
                        low = intensities.GetDouble(row, "undefined_value", double.NegativeInfinity);
                        high = intensities.GetDouble(row, "overload", double.PositiveInfinity);
                    }
                }

                var rows = new List<int>();
                if (structureByArray.TryGetValue(arrayId, out var own)) rows.AddRange(own);
                if (arrayIds.Count == 1 && structureByArray.TryGetValue("", out var anonymous)) rows.AddRange(anonymous);
                var bySection = new Dictionary<string, List<int>>(StringComparer.OrdinalIgnoreCase);
                var sectionIds = new List<string>();
                var wholeRows = new List<int>();
                foreach (int r in rows)
                {
                    var sid = structure.Get(r, "array_section_id");
                    if (sid == null) { wholeRows.Add(r); continue; }
                    if (!bySection.TryGetValue(sid, out var list)) { bySection[sid] = list = new List<int>(); sectionIds.Add(sid); }
                    list.Add(r);
                }
                int binary = binaryOf[arrayId];

                if (sectionIds.Count == 0)
                {
                    var (fast, slow, width, height) = PixelAxes(structure, wholeRows, axisSets, axisSetRows, axes, arrayId);
                    AddPanel(arrayId, fast, slow, width, height, 0, 0, 0);
                }
                else
                {
                    if (sectionTable == null) throw new FormatException($"array {arrayId} has sections but no _array_structure_list_section.");
                    foreach (var sid in sectionIds)
                    {
                        var (fast, slow, width, height) = PixelAxes(structure, bySection[sid], axisSets, axisSetRows, axes, sid);
                        int Start(int index) => sectionStarts.TryGetValue((sid.ToUpperInvariant(), index), out int v) ? v : 0;
                        int f0 = Start(1), s0 = Start(2), t0 = Start(3);
                        AddPanel(sid, fast, slow, width, height, f0, s0, t0);
                    }
                }

                void AddPanel(string name, AxisRef fast, AxisRef slow, int width, int height, int f0, int s0, int t0)
                {
                    var chain = DeeperChain(axes, fast.Axis, slow.Axis);
                    double half = convention == ImgCifOriginConvention.PixelCentre ? -0.5 : 0;
                    Vec3 At(double i, double j) => ImgCifAxes.ToLab(chain, Vec3.Zero,
                        fast.Axis, fast.Displacement + i * fast.Increment, slow.Axis, slow.Displacement + j * slow.Increment);
                    var o = At(half, half);
                    var df = At(half + 1, half) - o;
                    var ds = At(half, half + 1) - o;
                    if (!(df.Length > 0) || !(ds.Length > 0)) throw new FormatException($"panel {name} has a zero pixel size.");
                    panels.Add(new Panel(name, width, height, df.Length, o, df, ds, low, high, gain, ds.Length));
                    sources.Add(new ImgCifPanelSource(arrayId, binary, f0, s0, t0));
                    chains.Add(chain);
                }
            }

            string detectorName = block["diffrn_detector"]?.Get(0, "id") ?? block["diffrn_detector"]?.Get(0, "type") ?? "imgCIF";
            var hierarchy = BuildHierarchy(detectorName, chains, axes);
            var detector = new DetectorModel(detectorName, panels, hierarchy);
            return new ImgCifGeometry(detector, ReadBeam(block, axes), sources, axes, block);
        }

        private static ImgCifAxes ReadAxes(CifBlock block)
        {
            var t = block["axis"]!;
            var list = new List<ImgCifAxis>();
            for (int r = 0; r < t.RowCount; r++)
            {
                string id = t.Get(r, "id") ?? throw new FormatException($"row {r + 1} of _axis has no id.");
                var v = new Vec3(t.GetDouble(r, "vector[1]", 0), t.GetDouble(r, "vector[2]", 0), t.GetDouble(r, "vector[3]", 0));
                var o = new Vec3(t.GetDouble(r, "offset[1]", 0), t.GetDouble(r, "offset[2]", 0), t.GetDouble(r, "offset[3]", 0));
                string type = t.Get(r, "type") ?? "general";
                if ((type.Equals("rotation", StringComparison.OrdinalIgnoreCase) || type.Equals("translation", StringComparison.OrdinalIgnoreCase)) && !(v.Length > 0))
                    throw new FormatException($"the {type} axis {id} has no direction.");
                list.Add(new ImgCifAxis(id, type, t.Get(r, "equipment") ?? "", t.Get(r, "depends_on"), v.Length > 0 ? v.Normalized() : v, o, t.Get(r, "equipment_component") ?? ""));
            }
            return new ImgCifAxes(list);
        }

        private static string? FrameId(CifBlock block)
        {
            var frames = block["diffrn_data_frame"];
            if (frames != null && frames.RowCount > 0) return frames.Get(0, "id");
            var scanFrame = block["diffrn_scan_frame"];
            return scanFrame != null && scanFrame.RowCount > 0 ? scanFrame.Get(0, "frame_id") : null;
        }

        /// <summary>Axis settings of the frame: <c>_diffrn_scan_frame_axis</c>, else the scan's start values.</summary>
        private static void ApplySettings(CifBlock block, ImgCifAxes axes, string? frameId)
        {
            var scan = block["diffrn_scan_axis"];
            if (scan != null)
                for (int r = 0; r < scan.RowCount; r++)
                {
                    var id = scan.Get(r, "axis_id");
                    if (id == null || !axes.Contains(id)) continue;
                    axes[id].Angle = scan.GetDouble(r, "angle_start", 0);
                    axes[id].Displacement = scan.GetDouble(r, "displacement_start", 0);
                }
            var frame = block["diffrn_scan_frame_axis"];
            if (frame == null) return;
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            for (int r = 0; r < frame.RowCount; r++)
            {
                var id = frame.Get(r, "axis_id");
                if (id == null || !axes.Contains(id)) continue;
                var f = frame.Get(r, "frame_id");
                if (frameId != null && f != null && !f.Equals(frameId, StringComparison.OrdinalIgnoreCase)) continue;
                if (!seen.Add(id)) continue;
                axes[id].Angle = frame.GetDouble(r, "angle", 0);
                axes[id].Displacement = frame.GetDouble(r, "displacement", 0);
            }
        }

        private static List<string> ArrayIds(CifBlock block)
        {
            var ids = new List<string>();
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            void Add(CifTable? t, string item)
            {
                if (t == null) return;
                for (int r = 0; r < t.RowCount; r++)
                {
                    var id = t.Get(r, item);
                    if (id != null && seen.Add(id)) ids.Add(id);
                }
            }
            Add(block["diffrn_data_frame"], "array_id");
            if (ids.Count == 0) Add(block["array_structure_list"], "array_id");
            if (ids.Count == 0) Add(block["array_data"], "array_id");
            if (ids.Count == 0) Add(block["array_structure"], "id");
            return ids;
        }

        /// <summary>Array id → index of its binary section (−1 when the file has no pixels for it).</summary>
        private static Dictionary<string, int> BinarySectionOfArray(CifBlock block, List<string> arrayIds, IReadOnlyList<CbfBinarySection> sections)
        {
            var map = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            foreach (var id in arrayIds) map[id] = -1;
            var data = block["array_data"];
            if (data != null)
                for (int r = 0; r < data.RowCount; r++)
                {
                    var value = data.Get(r, "data");
                    if (value == null) continue;
                    var m = BinaryPlaceholder.Match(value);
                    if (!m.Success) continue;
                    int k = int.Parse(m.Groups[1].Value, NumberStyles.Integer, CultureInfo.InvariantCulture);
                    if (k < 0 || k >= sections.Count) continue;
                    var id = data.Get(r, "array_id") ?? (arrayIds.Count == 1 ? arrayIds[0] : null);
                    if (id == null) throw new FormatException("an _array_data row has no array_id in a file of several arrays.");
                    if (!map.ContainsKey(id)) throw new FormatException($"_array_data names array {id}, which no other table describes.");
                    if (map[id] >= 0) throw new FormatException($"array {id} has pixel data twice.");
                    map[id] = k;
                }
            if (map.Values.Distinct().Count(v => v >= 0) != map.Values.Count(v => v >= 0))
                throw new FormatException("two arrays share one binary section.");
            return map;
        }

        /// <summary>Row numbers by the value of <paramref name="item"/> (case-insensitive; absent values under "").</summary>
        private static Dictionary<string, List<int>> GroupRows(CifTable t, string item)
        {
            var map = new Dictionary<string, List<int>>(StringComparer.OrdinalIgnoreCase);
            for (int r = 0; r < t.RowCount; r++)
            {
                var key = t.Get(r, item) ?? "";
                if (!map.TryGetValue(key, out var list)) map[key] = list = new List<int>();
                list.Add(r);
            }
            return map;
        }

        /// <summary>The first row for an id, else the first row without an id, else −1.</summary>
        private static int FirstRow(Dictionary<string, List<int>> rows, string id) =>
            rows.TryGetValue(id, out var own) ? own[0] : rows.TryGetValue("", out var any) ? any[0] : -1;

        /// <summary>The fast and slow pixel axes (precedence 1 and 2) of an array or array section.</summary>
        private static (AxisRef fast, AxisRef slow, int width, int height) PixelAxes(CifTable structure, List<int> rows, CifTable axisSets,
            Dictionary<string, List<int>> axisSetRows, ImgCifAxes axes, string what)
        {
            int fastRow = -1, slowRow = -1;
            foreach (int r in rows)
            {
                double prec = structure.GetDouble(r, "precedence", structure.GetDouble(r, "index", 0));
                if (prec == 1) fastRow = r;
                else if (prec == 2) slowRow = r;
            }
            if (fastRow < 0 || slowRow < 0) throw new FormatException($"{what} does not name its fast and slow dimensions in _array_structure_list.");
            int Dim(int r)
            {
                double d = structure.GetDouble(r, "dimension", 0);
                if (!(d >= 1 && d <= 1 << 20) || d != Math.Floor(d)) throw new FormatException($"{what} has a dimension of {d}.");
                return (int)d;
            }
            AxisRef Ref(int r)
            {
                string set = structure.Get(r, "axis_set_id") ?? throw new FormatException($"{what} has a dimension without an axis set.");
                int ar = axisSetRows.TryGetValue(set, out var setRows) ? setRows[0] : -1;
                if (ar < 0) throw new FormatException($"the axis set {set} is not in _array_structure_list_axis.");
                var axis = axes[axisSets.Get(ar, "axis_id") ?? set];
                double inc = axisSets.GetDouble(ar, "displacement_increment", double.NaN);
                if (double.IsNaN(inc) || inc == 0) throw new FormatException($"the axis set {set} has no displacement_increment (pixel size).");
                if (string.Equals(structure.Get(r, "direction"), "decreasing", StringComparison.OrdinalIgnoreCase)) inc = -inc;
                return new AxisRef(axis, axisSets.GetDouble(ar, "displacement", 0), inc);
            }
            return (Ref(fastRow), Ref(slowRow), Dim(fastRow), Dim(slowRow));
        }

        /// <summary>The chain from whichever pixel axis depends on the other, up to the root.</summary>
        private static List<ImgCifAxis> DeeperChain(ImgCifAxes axes, ImgCifAxis fast, ImgCifAxis slow)
        {
            var fromFast = axes.Chain(fast.Id);
            if (fromFast.Contains(slow)) return fromFast;
            var fromSlow = axes.Chain(slow.Id);
            if (fromSlow.Contains(fast)) return fromSlow;
            throw new FormatException($"the pixel axes {fast.Id} and {slow.Id} do not depend on one another.");
        }

        private static Beam ReadBeam(CifBlock block, ImgCifAxes axes)
        {
            double wavelength = double.NaN;
            var w = block["diffrn_radiation_wavelength"];
            if (w != null && w.RowCount > 0)
            {
                var wantedId = block["diffrn_radiation"]?.Get(0, "wavelength_id");
                int row = wantedId != null ? w.RowsWhere("id", wantedId).DefaultIfEmpty(0).First() : 0;
                wavelength = w.GetDouble(row, "wavelength", double.NaN);
            }
            if (double.IsNaN(wavelength))
            {
                var contents = block["array_data"]?.Get(0, "header_contents");
                if (contents != null) wavelength = MiniCbfHeader.Parse(contents).Wavelength;
            }
            if (double.IsNaN(wavelength)) wavelength = 1.0;
            if (!(wavelength > 0) || wavelength > 1e6) throw new FormatException($"the wavelength is {wavelength} Å.");
            var source = axes.All.FirstOrDefault(a => a.Equipment.Equals("source", StringComparison.OrdinalIgnoreCase) && a.Vector.Length > 0);
            return new Beam(wavelength, source != null ? source.Vector : Vec3.UnitZ);
        }

        /// <summary>
        /// Groups from the branch points of the axis tree: an axis above the panels that leads to two or more
        /// different axes below it becomes a <see cref="DetectorGroup"/> whose frame is that axis' frame.
        /// A single panel (or panels with no common branch) gives the flat default hierarchy.
        /// </summary>
        private static DetectorGroup? BuildHierarchy(string name, List<List<ImgCifAxis>> chains, ImgCifAxes axes)
        {
            if (chains.Count < 2) return null;
            var below = new Dictionary<ImgCifAxis, HashSet<ImgCifAxis>>();
            foreach (var chain in chains)
                for (int i = 1; i < chain.Count; i++)
                {
                    if (!below.TryGetValue(chain[i], out var set)) below[chain[i]] = set = new HashSet<ImgCifAxis>();
                    set.Add(chain[i - 1]);
                }
            bool IsBranch(ImgCifAxis a) => below.TryGetValue(a, out var s) && s.Count >= 2;
            // Each panel's branch ancestors, root first.
            var paths = chains.Select(c => Enumerable.Reverse(c).Where(IsBranch).ToList()).ToList();
            if (paths.Any(p => p.Count == 0)) return null;
            var roots = paths.Select(p => p[0]).Distinct().ToList();
            if (roots.Count != 1) return null;

            DetectorGroup Build(ImgCifAxis node, int depth, IEnumerable<int> panelIdx)
            {
                var idx = panelIdx.ToList();
                var direct = idx.Where(i => paths[i].Count == depth + 1).ToList();
                var children = idx.Where(i => paths[i].Count > depth + 1)
                    .GroupBy(i => paths[i][depth + 1])
                    .Select(g => Build(g.Key, depth + 1, g))
                    .ToList();
                var chain = axes.Chain(node.Id);
                var origin = ImgCifAxes.ToLab(chain, Vec3.Zero);
                var rot = ImgCifAxes.Rotation(chain);
                return new DetectorGroup(depth == 0 ? name : node.Id, origin, rot * Vec3.UnitX, rot * Vec3.UnitY, children, direct);
            }
            return Build(roots[0], 0, Enumerable.Range(0, chains.Count));
        }
    }
}
