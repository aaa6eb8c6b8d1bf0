using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using XtalPS.Geometry;

namespace XtalPS.Formats
{
    /// <summary>
    /// DIALS/dxtbx experiment lists (<c>.expt</c>, <c>.json</c>) and bare detector dictionaries: the detector with its
    /// hierarchy, the beam, the crystals and the image sets, read and written with System.Text.Json. Writes experiment
    /// lists that dxtbx's ExperimentListFactory loads: one experiment per lattice with its crystal and image, detectors
    /// and beams shared between experiments whose models are equal.
    /// </summary>
    /// <remarks>
    /// In these files every hierarchy node and panel stores its frame (origin, fast, slow) in the frame of its
    /// parent: global = parent origin + [parent fast, parent slow, parent normal] · local (dxtbx's panel frames).
    /// Our <see cref="DetectorModel"/> holds global (lab) frames; the reader composes, the writer decomposes.
    /// </remarks>
    public static class DialsExperimentJson
    {
        /// <summary>Largest file we parse (the 300-crystal refined CSPAD list is a few MB).</summary>
        public const long MaxFileBytes = 256L * 1024 * 1024;
        /// <summary>Largest panel side we accept, px.</summary>
        public const int MaxPanelSide = 1 << 16;
        public const int MaxPanels = 1 << 16;
        /// <summary>Deepest nesting read (a detector hierarchy is a few levels).</summary>
        public const int MaxDepth = 64;

        /// <summary>True when the text starts like a JSON object (after white space).</summary>
        public static bool LooksLikeJson(ReadOnlySpan<byte> head)
        {
            int i = 0;
            if (head.Length >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF) i = 3;
            while (i < head.Length && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n')) i++;
            return i < head.Length && head[i] == '{';
        }

        public static ExperimentGeometry Read(string path) => Parse(path, ReadText(path));

        /// <summary>Every experiment of a list, with its own detector, beam, crystal and image.</summary>
        public static List<DialsExperiment> ReadExperiments(string path) => ParseExperiments(path, ReadText(path));

        private static string ReadText(string path)
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new FileNotFoundException($"The file '{path}' does not exist.", path);
            if (info.Length > MaxFileBytes) throw new InvalidImageDataException(path, $"the file is {info.Length} bytes; the largest DIALS JSON read is {MaxFileBytes}.");
            return File.ReadAllText(path, Encoding.UTF8);
        }

        private static JsonDocument Document(string path, string text)
        {
            try
            {
                return JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = MaxDepth, CommentHandling = JsonCommentHandling.Skip });
            }
            catch (JsonException e)
            {
                string why = e.Message.IndexOf("depth", StringComparison.OrdinalIgnoreCase) >= 0 && text.TrimEnd().Length > 0 && e.Message.IndexOf("maximum", StringComparison.OrdinalIgnoreCase) >= 0
                    ? $"the nesting is deeper than {MaxDepth} levels."
                    : e.BytePositionInLine.HasValue && e.LineNumber.HasValue && IsAtEnd(text, e.LineNumber.Value, e.BytePositionInLine.Value)
                        ? "the JSON text ends too early."
                        : $"not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): a malformed value, or a number out of range (NaN and Infinity are not JSON).";
                throw new InvalidImageDataException(path, why, e);
            }
        }

        /// <summary>True when a parse error sits at the end of the text (a truncated file).</summary>
        private static bool IsAtEnd(string text, long line, long bytePosition)
        {
            var lines = text.Split('\n');
            if (line < lines.Length - 1) return false;
            if (line >= lines.Length) return true;
            return bytePosition >= Encoding.UTF8.GetByteCount(lines[line].TrimEnd());
        }

        /// <summary>Parses the text of an experiment list or detector dictionary; <paramref name="path"/> names it in errors.</summary>
        public static ExperimentGeometry Parse(string path, string text)
        {
            using var doc = Document(path, text);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new InvalidImageDataException(path, "the JSON document is not an object; a DIALS experiment list or detector is.");
            var warnings = new List<string>();

            // A bare detector dictionary (dxtbx Detector.to_dict()).
            if (Member(root, "panels").HasValue) return new ExperimentGeometry(path, "DIALS", ReadDetector(path, root, "detector"), null, null, warnings);

            var detectors = ModelList(path, root, "detector", required: true);
            int detectorIndex = 0, beamIndex = 0;
            var beams = ModelList(path, root, "beam", required: false);
            var experiments = Member(root, "experiment");
            if (experiments is JsonElement ex && ex.ValueKind == JsonValueKind.Array && ex.GetArrayLength() > 0)
            {
                var first = ex[0];
                detectorIndex = IndexMember(path, first, "detector", detectors.Count, 0, "experiment[0]");
                beamIndex = IndexMember(path, first, "beam", beams.Count, -1, "experiment[0]");
                var distinct = ex.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Object && Member(e, "detector") is JsonElement d && d.ValueKind == JsonValueKind.Number ? d.GetDouble() : 0).Distinct().Count();
                if (distinct > 1) warnings.Add($"the file holds {distinct} detectors; the one of the first experiment was read.");
            }
            var detector = ReadDetector(path, detectors[detectorIndex], $"detector[{detectorIndex}]");
            Beam? beam = beams.Count > 0 && beamIndex >= 0 ? ReadBeam(path, beams[beamIndex], $"beam[{beamIndex}]") : null;
            var crystals = new List<DialsCrystal>();
            var crystalList = ModelList(path, root, "crystal", required: false);
            for (int i = 0; i < crystalList.Count; i++) crystals.Add(ReadCrystal(path, crystalList[i], $"crystal[{i}]"));
            return new ExperimentGeometry(path, "DIALS", detector, beam, crystals, warnings);
        }

        /// <summary>Parses every experiment of a list; models shared between experiments are read once and shared.</summary>
        public static List<DialsExperiment> ParseExperiments(string path, string text)
        {
            using var doc = Document(path, text);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new InvalidImageDataException(path, "the JSON document is not an object; a DIALS experiment list is.");
            var list = Member(root, "experiment");
            if (!(list is JsonElement experiments) || experiments.ValueKind != JsonValueKind.Array)
                throw new InvalidImageDataException(path, "no 'experiment' list: this is not a DIALS experiment list.");
            var detectors = ModelList(path, root, "detector", required: true);
            var beams = ModelList(path, root, "beam", required: false);
            var crystals = ModelList(path, root, "crystal", required: false);
            var imagesets = ModelList(path, root, "imageset", required: false);
            var scans = ModelList(path, root, "scan", required: false);
            var detectorModels = new DetectorModel?[detectors.Count];
            var beamModels = new Beam?[beams.Count];
            var crystalModels = new DialsCrystal?[crystals.Count];
            var result = new List<DialsExperiment>();
            int i = 0;
            foreach (var e in experiments.EnumerateArray())
            {
                string where = $"experiment[{i++}]";
                if (e.ValueKind != JsonValueKind.Object) throw new InvalidImageDataException(path, $"{where} is not an object.");
                int d = IndexMember(path, e, "detector", detectors.Count, -1, where);
                if (d < 0) throw new InvalidImageDataException(path, $"{where} names no detector.");
                int b = IndexMember(path, e, "beam", beams.Count, -1, where);
                int c = IndexMember(path, e, "crystal", crystals.Count, -1, where);
                int s = IndexMember(path, e, "imageset", imagesets.Count, -1, where);
                var detector = detectorModels[d] ??= ReadDetector(path, detectors[d], $"detector[{d}]");
                var beam = b < 0 ? null : beamModels[b] ??= ReadBeam(path, beams[b], $"beam[{b}]");
                var crystal = c < 0 ? null : crystalModels[c] ??= ReadCrystal(path, crystals[c], $"crystal[{c}]");
                string image = ""; int frame = 0;
                int scan = IndexMember(path, e, "scan", scans.Count, -1, where);
                if (s >= 0) (image, frame) = ReadImage(path, imagesets[s], $"imageset[{s}]", scan >= 0 ? scans[scan] : (JsonElement?)null);
                result.Add(new DialsExperiment(Str(e, "identifier"), detector, beam, crystal, image, frame));
            }
            return result;
        }

        /// <summary>The first image of an image set and its frame (single_file_indices for multi-image files).</summary>
        private static (string Path, int Frame) ReadImage(string path, JsonElement set, string where, JsonElement? scan)
        {
            if (set.ValueKind != JsonValueKind.Object) throw new InvalidImageDataException(path, $"{where} is not an object.");
            string image = "";
            if (Member(set, "images") is JsonElement images && images.ValueKind == JsonValueKind.Array && images.GetArrayLength() > 0)
            {
                if (images[0].ValueKind != JsonValueKind.String) throw new InvalidImageDataException(path, $"{where}.images holds a value that is not a file name.");
                image = images[0].GetString() ?? "";
            }
            else if (Member(set, "template") is JsonElement t && t.ValueKind == JsonValueKind.String)
            {
                // An image sequence names its files by a template (still_#####.cbf): the first image of its scan.
                image = t.GetString() ?? "";
                int first = 1;
                if (scan is JsonElement sc && Member(sc, "image_range") is JsonElement range && range.ValueKind == JsonValueKind.Array && range.GetArrayLength() == 2
                    && range[0].ValueKind == JsonValueKind.Number && range[0].TryGetInt32(out int f0) && f0 >= 0) first = f0;
                int hashes = image.Count(ch => ch == '#');
                if (hashes > 0 && hashes <= 12)
                {
                    int at = image.IndexOf('#');
                    if (image.Substring(at, hashes) == new string('#', hashes))
                        image = image.Substring(0, at) + first.ToString("D" + hashes, System.Globalization.CultureInfo.InvariantCulture) + image.Substring(at + hashes);
                }
            }
            int frame = 0;
            if (Member(set, "single_file_indices") is JsonElement idx && idx.ValueKind == JsonValueKind.Array && idx.GetArrayLength() > 0)
            {
                if (!idx[0].TryGetInt32(out frame) || frame < 0) throw new InvalidImageDataException(path, $"{where}.single_file_indices holds a value that is not a frame index.");
            }
            return (image, frame);
        }

        private static List<JsonElement> ModelList(string path, JsonElement root, string key, bool required)
        {
            var v = Member(root, key);
            if (v is JsonElement a && a.ValueKind == JsonValueKind.Array && a.GetArrayLength() > 0) return a.EnumerateArray().ToList();
            if (required) throw new InvalidImageDataException(path, $"no '{key}' list: this is not a DIALS experiment list with a {key}.");
            return new List<JsonElement>();
        }

        private static JsonElement? Member(JsonElement node, string key) =>
            node.ValueKind == JsonValueKind.Object && node.TryGetProperty(key, out var v) ? v : (JsonElement?)null;

        private static int IndexMember(string path, JsonElement experiment, string key, int count, int fallback, string where)
        {
            var v = Member(experiment, key);
            if (v == null || v.Value.ValueKind == JsonValueKind.Null) return fallback;
            if (v.Value.ValueKind != JsonValueKind.Number || !v.Value.TryGetInt32(out int i) || i < 0 || i >= count)
                throw new InvalidImageDataException(path, $"{where}.{key} = {Describe(v.Value)} does not name one of the {count} {key} models.");
            return i;
        }

        // ---- reading ---------------------------------------------------------------------------------------------

        private static DetectorModel ReadDetector(string path, JsonElement d, string where)
        {
            if (d.ValueKind != JsonValueKind.Object) throw new InvalidImageDataException(path, $"{where} is not an object.");
            var panelsJson = Member(d, "panels");
            if (!(panelsJson is JsonElement pj) || pj.ValueKind != JsonValueKind.Array || pj.GetArrayLength() == 0)
                throw new InvalidImageDataException(path, $"{where} has no 'panels' list.");
            int n = pj.GetArrayLength();
            if (n > MaxPanels) throw new InvalidImageDataException(path, $"{where} claims {n} panels.");
            var panelList = pj.EnumerateArray().ToList();
            var globalPanels = new Panel?[n];
            var hierarchy = Member(d, "hierarchy");
            DetectorGroup root;
            if (hierarchy == null || hierarchy.Value.ValueKind == JsonValueKind.Null)
            {
                for (int i = 0; i < n; i++) globalPanels[i] = ReadPanel(path, panelList[i], $"{where}.panels[{i}]", Frame.Identity);
                root = new DetectorGroup("", Vec3.Zero, Vec3.UnitX, Vec3.UnitY, panelIndices: Enumerable.Range(0, n));
            }
            else
            {
                root = ReadGroup(path, hierarchy.Value, $"{where}.hierarchy", Frame.Identity, panelList, globalPanels, 0);
            }
            for (int i = 0; i < n; i++)
                if (globalPanels[i] == null) throw new InvalidImageDataException(path, $"{where}: panel {i} is not in the hierarchy.");
            return new DetectorModel(root.Name, globalPanels!, root);
        }

        private static DetectorGroup ReadGroup(string path, JsonElement node, string where, Frame parent, List<JsonElement> panelsJson, Panel?[] panels, int depth)
        {
            if (node.ValueKind != JsonValueKind.Object) throw new InvalidImageDataException(path, $"{where} is not an object.");
            var local = ReadFrame(path, node, where);
            var frame = parent.Compose(local);
            var groups = new List<DetectorGroup>();
            var indices = new List<int>();
            var children = Member(node, "children");
            if (children != null && children.Value.ValueKind != JsonValueKind.Null)
            {
                if (children.Value.ValueKind != JsonValueKind.Array) throw new InvalidImageDataException(path, $"{where}.children is not a list.");
                int k = 0;
                foreach (var c in children.Value.EnumerateArray())
                {
                    string cw = $"{where}.children[{k++}]";
                    if (Member(c, "panel") is JsonElement pi)
                    {
                        if (pi.ValueKind != JsonValueKind.Number || !pi.TryGetInt32(out int i) || i < 0 || i >= panels.Length)
                            throw new InvalidImageDataException(path, $"{cw}.panel = {Describe(pi)} is not a panel index (0..{panels.Length - 1}).");
                        if (panels[i] != null) throw new InvalidImageDataException(path, $"{cw}: panel {i} appears twice in the hierarchy.");
                        panels[i] = ReadPanel(path, panelsJson[i], $"panels[{i}]", frame);
                        indices.Add(i);
                    }
                    else groups.Add(ReadGroup(path, c, cw, frame, panelsJson, panels, depth + 1));
                }
            }
            return new DetectorGroup(Str(node, "name"), frame.Origin, frame.Fast, frame.Slow, groups, indices);
        }

        private static Panel ReadPanel(string path, JsonElement p, string where, Frame parent)
        {
            if (p.ValueKind != JsonValueKind.Object) throw new InvalidImageDataException(path, $"{where} is not an object.");
            var frame = parent.Compose(ReadFrame(path, p, where));
            var size = Numbers(path, p, "image_size", 2, where);
            if (size[0] != Math.Floor(size[0]) || size[1] != Math.Floor(size[1]) || size[0] < 1 || size[1] < 1 || size[0] > MaxPanelSide || size[1] > MaxPanelSide)
                throw new InvalidImageDataException(path, $"{where}.image_size [{size[0]}, {size[1]}] is not a panel size (1..{MaxPanelSide} px).");
            var pixel = Numbers(path, p, "pixel_size", 2, where);
            if (!(pixel[0] > 0) || !(pixel[1] > 0) || pixel[0] > 1e4 || pixel[1] > 1e4)
                throw new InvalidImageDataException(path, $"{where}.pixel_size [{pixel[0]}, {pixel[1]}] must be positive millimetres.");
            double tmin = double.NegativeInfinity, tmax = double.PositiveInfinity;
            if (Member(p, "trusted_range") is JsonElement tr && tr.ValueKind != JsonValueKind.Null)
            {
                var t = Numbers(path, p, "trusted_range", 2, where, allowInfinite: true);
                tmin = t[0] <= -1e308 ? double.NegativeInfinity : t[0];
                tmax = t[1] >= 1e308 ? double.PositiveInfinity : t[1];
            }
            double gain = OptionalNumber(path, p, "gain", 1.0, where);
            if (!(gain > 0)) throw new InvalidImageDataException(path, $"{where}.gain {gain} must be positive.");
            double thickness = OptionalNumber(path, p, "thickness", 0.0, where);
            if (thickness < 0) throw new InvalidImageDataException(path, $"{where}.thickness {thickness} is negative.");
            int width = (int)size[0], height = (int)size[1];
            var bad = new List<PixelRectangle>();
            if (Member(p, "mask") is JsonElement mask && mask.ValueKind != JsonValueKind.Null)
            {
                if (mask.ValueKind != JsonValueKind.Array) throw new InvalidImageDataException(path, $"{where}.mask is not a list.");
                foreach (var m in mask.EnumerateArray())
                {
                    var v = new int[4];
                    if (m.ValueKind != JsonValueKind.Array || m.GetArrayLength() != 4
                        || m.EnumerateArray().Select((x, j) => x.ValueKind == JsonValueKind.Number && x.TryGetInt32(out v[j])).Any(ok => !ok))
                        throw new InvalidImageDataException(path, $"{where}.mask entries must be four integers (f0, s0, f1, s1).");
                    if (v[2] < v[0] || v[3] < v[1]) throw new InvalidImageDataException(path, $"{where}.mask entry ({v[0]}, {v[1]}, {v[2]}, {v[3]}) is not a rectangle.");
                    bad.Add(new PixelRectangle(v[0], v[1], v[2], v[3]).ClipTo(width, height));
                }
            }
            PanelLayout? layout = null;
            if (Member(p, "raw_image_offset") is JsonElement offset && offset.ValueKind == JsonValueKind.Array && offset.GetArrayLength() == 2
                && offset[0].ValueKind == JsonValueKind.Number && offset[1].ValueKind == JsonValueKind.Number
                && offset[0].TryGetInt32(out int ox) && offset[1].TryGetInt32(out int oy) && ox >= 0 && oy >= 0 && (ox != 0 || oy != 0))
                layout = new PanelLayout(ox, oy);
            return new Panel(Str(p, "name"), width, height, pixel[0], frame.Origin, frame.Fast, frame.Slow, tmin, tmax, gain,
                pixel[1], thickness, Str(p, "material"), bad, layout);
        }

        private static Frame ReadFrame(string path, JsonElement node, string where)
        {
            var o = Numbers(path, node, "origin", 3, where);
            var f = Numbers(path, node, "fast_axis", 3, where);
            var s = Numbers(path, node, "slow_axis", 3, where);
            var fast = new Vec3(f[0], f[1], f[2]);
            var slow = new Vec3(s[0], s[1], s[2]);
            if (fast.Length < 1e-9 || slow.Length < 1e-9 || fast.Normalized().Cross(slow.Normalized()).Length < 1e-6)
                throw new InvalidImageDataException(path, $"{where}: the fast and slow axes are zero or parallel.");
            return new Frame(new Vec3(o[0], o[1], o[2]), fast.Normalized(), slow.Normalized());
        }

        private static Beam ReadBeam(string path, JsonElement b, string where)
        {
            if (b.ValueKind != JsonValueKind.Object) throw new InvalidImageDataException(path, $"{where} is not an object.");
            Vec3 direction;
            double wavelength = double.NaN;
            if (Member(b, "direction") != null)
            {
                var d = Numbers(path, b, "direction", 3, where);
                direction = new Vec3(d[0], d[1], d[2]);
            }
            else if (Member(b, "s0") != null)
            {
                var s0 = Numbers(path, b, "s0", 3, where);
                var v = new Vec3(s0[0], s0[1], s0[2]);
                direction = -v;
                if (v.Length > 0) wavelength = 1 / v.Length;
            }
            else throw new InvalidImageDataException(path, $"{where} has neither 'direction' nor 's0'.");
            if (direction.Length < 1e-12) throw new InvalidImageDataException(path, $"{where}: the beam direction is zero.");
            if (Member(b, "wavelength") != null) wavelength = OptionalNumber(path, b, "wavelength", double.NaN, where);
            if (!(wavelength > 0) || double.IsInfinity(wavelength) || wavelength > 1e6)
                throw new InvalidImageDataException(path, $"{where}: the wavelength {wavelength} Å is not a positive number.");
            double pol = OptionalNumber(path, b, "polarization_fraction", 0.999, where);
            if (pol < 0 || pol > 1) throw new InvalidImageDataException(path, $"{where}: polarization_fraction {pol} is outside 0..1.");
            return new Beam(wavelength, direction, pol);
        }

        private static DialsCrystal ReadCrystal(string path, JsonElement c, string where)
        {
            if (c.ValueKind != JsonValueKind.Object) throw new InvalidImageDataException(path, $"{where} is not an object.");
            Vec3 V(string key) { var v = Numbers(path, c, key, 3, where); return new Vec3(v[0], v[1], v[2]); }
            var a = V("real_space_a"); var b = V("real_space_b"); var cc = V("real_space_c");
            if (Math.Abs(a.Dot(b.Cross(cc))) < 1e-9) throw new InvalidImageDataException(path, $"{where}: the real-space vectors are coplanar.");
            double mosaic = OptionalNumber(path, c, "ML_half_mosaicity_deg", double.NaN, where);
            double domain = OptionalNumber(path, c, "ML_domain_size_ang", double.NaN, where);
            return new DialsCrystal(a, b, cc, Str(c, "space_group_hall_symbol"), mosaic, domain);
        }

        private static double[] Numbers(string path, JsonElement node, string key, int count, string where, bool allowInfinite = false)
        {
            var v = Member(node, key);
            if (v == null) throw new InvalidImageDataException(path, $"{where} has no '{key}'.");
            var a = v.Value;
            if (a.ValueKind != JsonValueKind.Array || a.GetArrayLength() != count || a.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.Number))
                throw new InvalidImageDataException(path, $"{where}.{key} must be a list of {count} numbers, not {Describe(a)}.");
            var r = new double[count];
            int i = 0;
            foreach (var x in a.EnumerateArray())
            {
                if (!x.TryGetDouble(out r[i]) || double.IsNaN(r[i]) || (!allowInfinite && (double.IsInfinity(r[i]) || Math.Abs(r[i]) > 1e12)))
                    throw new InvalidImageDataException(path, $"{where}.{key} holds a number out of range ({x.GetRawText()}).");
                i++;
            }
            return r;
        }

        private static double OptionalNumber(string path, JsonElement node, string key, double fallback, string where)
        {
            var v = Member(node, key);
            if (v == null || v.Value.ValueKind == JsonValueKind.Null) return fallback;
            if (v.Value.ValueKind != JsonValueKind.Number || !v.Value.TryGetDouble(out double d) || double.IsNaN(d) || double.IsInfinity(d))
                throw new InvalidImageDataException(path, $"{where}.{key} must be a finite number, not {Describe(v.Value)}.");
            return d;
        }

        private static string Str(JsonElement node, string key) => Member(node, key) is JsonElement v && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";

        private static string Describe(JsonElement v) => v.ValueKind switch
        {
            JsonValueKind.Number => v.GetRawText(),
            JsonValueKind.String => "\"" + ((v.GetString() ?? "").Length > 20 ? v.GetString()!.Substring(0, 20) + "…" : v.GetString()) + "\"",
            JsonValueKind.Array => $"a list of {v.GetArrayLength()}",
            JsonValueKind.Object => "an object",
            _ => v.ValueKind.ToString().ToLowerInvariant(),
        };

        // ---- writing ---------------------------------------------------------------------------------------------

        /// <summary>Writes an experiment list holding one experiment (detector, and beam if given), atomically.</summary>
        public static void Write(string path, DetectorModel detector, Beam? beam) => WriteText(path, ToJson(detector, beam));

        /// <summary>Writes an experiment list of the given experiments, atomically.</summary>
        public static void Write(string path, IReadOnlyList<DialsExperiment> experiments) => WriteText(path, ToJson(experiments));

        private static void WriteText(string path, string text) =>
            AtomicFile.Write(path, s => { var bytes = new UTF8Encoding(false).GetBytes(text); s.Write(bytes, 0, bytes.Length); });

        /// <summary>The experiment-list JSON text for a detector and optional beam.</summary>
        public static string ToJson(DetectorModel detector, Beam? beam)
        {
            if (detector == null) throw new ArgumentNullException(nameof(detector));
            return ToJson(new[] { new DialsExperiment("", detector, beam, null, "", 0) });
        }

        /// <summary>
        /// The experiment-list JSON of several experiments. A detector or beam is written once and shared by every
        /// experiment whose model is equal to it (the same JSON), not only the same object; crystals and image sets
        /// are one per experiment, as dials.stills_process writes them.
        /// </summary>
        public static string ToJson(IReadOnlyList<DialsExperiment> experiments)
        {
            if (experiments == null) throw new ArgumentNullException(nameof(experiments));
            var detectors = new List<string>(); var detectorIndex = new Dictionary<string, int>(StringComparer.Ordinal);
            var beams = new List<string>(); var beamIndex = new Dictionary<string, int>(StringComparer.Ordinal);
            var modelOf = new Dictionary<object, int>(SameObject.Instance);
            int Share(object model, Func<string> json, List<string> list, Dictionary<string, int> index)
            {
                if (modelOf.TryGetValue(model, out int known)) return known;
                string text = json();
                if (!index.TryGetValue(text, out int i)) { i = list.Count; list.Add(text); index[text] = i; }
                modelOf[model] = i;
                return i;
            }
            var rows = new List<(int Detector, int Beam)>();
            foreach (var e in experiments)
                rows.Add((Share(e.Detector, () => Fragment(w => WriteDetector(w, e.Detector)), detectors, detectorIndex),
                          e.Beam == null ? -1 : Share(e.Beam, () => Fragment(w => WriteBeam(w, e.Beam)), beams, beamIndex)));

            var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                w.WriteStartObject();
                w.WriteString("__id__", "ExperimentList");
                w.WriteStartArray("experiment");
                int crystal = 0, imageset = 0;
                for (int i = 0; i < experiments.Count; i++)
                {
                    var e = experiments[i];
                    w.WriteStartObject();
                    w.WriteString("__id__", "Experiment");
                    w.WriteString("identifier", e.Identifier);
                    if (rows[i].Beam >= 0) w.WriteNumber("beam", rows[i].Beam);
                    w.WriteNumber("detector", rows[i].Detector);
                    if (e.Crystal != null) w.WriteNumber("crystal", crystal++);
                    if (e.ImagePath.Length > 0) w.WriteNumber("imageset", imageset++);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartArray("imageset");
                foreach (var e in experiments.Where(e => e.ImagePath.Length > 0)) WriteImageSet(w, e);
                w.WriteEndArray();
                w.WriteStartArray("beam");
                foreach (var b in beams) w.WriteRawValue(b, skipInputValidation: true);
                w.WriteEndArray();
                w.WriteStartArray("detector");
                foreach (var d in detectors) w.WriteRawValue(d, skipInputValidation: true);
                w.WriteEndArray();
                foreach (var empty in new[] { "goniometer", "scan" }) { w.WriteStartArray(empty); w.WriteEndArray(); }
                w.WriteStartArray("crystal");
                foreach (var e in experiments.Where(e => e.Crystal != null)) WriteCrystal(w, e.Crystal!);
                w.WriteEndArray();
                foreach (var empty in new[] { "profile", "scaling_model" }) { w.WriteStartArray(empty); w.WriteEndArray(); }
                w.WriteEndObject();
            }
            return Encoding.UTF8.GetString(buffer.ToArray());
        }

        /// <summary>The JSON text of one model, written alone so equal models can be found by their text.</summary>
        private static string Fragment(Action<Utf8JsonWriter> write)
        {
            var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })) write(w);
            return Encoding.UTF8.GetString(buffer.ToArray());
        }

        private static void WriteImageSet(Utf8JsonWriter w, DialsExperiment e)
        {
            w.WriteStartObject();
            w.WriteString("__id__", "ImageSet");
            w.WriteStartArray("images"); w.WriteStringValue(e.ImagePath); w.WriteEndArray();
            // dxtbx reads one frame of a multi-image file (HDF5, …) through single_file_indices.
            if (e.Frame > 0) { w.WriteStartArray("single_file_indices"); w.WriteNumberValue(e.Frame); w.WriteEndArray(); }
            foreach (var key in new[] { "mask", "gain", "pedestal", "dx", "dy" }) w.WriteNull(key);
            w.WriteStartObject("params"); w.WriteEndObject();
            w.WriteEndObject();
        }

        private static void WriteCrystal(Utf8JsonWriter w, DialsCrystal c)
        {
            w.WriteStartObject();
            bool mosaic = !double.IsNaN(c.HalfMosaicityDegrees) && !double.IsNaN(c.DomainSizeAngstrom);
            w.WriteString("__id__", mosaic ? "MosaicCrystalSauter2014" : "crystal");
            Numbers(w, "real_space_a", c.RealSpaceA.X, c.RealSpaceA.Y, c.RealSpaceA.Z);
            Numbers(w, "real_space_b", c.RealSpaceB.X, c.RealSpaceB.Y, c.RealSpaceB.Z);
            Numbers(w, "real_space_c", c.RealSpaceC.X, c.RealSpaceC.Y, c.RealSpaceC.Z);
            w.WriteString("space_group_hall_symbol", c.SpaceGroupHallSymbol);
            if (mosaic)
            {
                w.WriteNumber("ML_half_mosaicity_deg", c.HalfMosaicityDegrees);
                w.WriteNumber("ML_domain_size_ang", c.DomainSizeAngstrom);
            }
            w.WriteEndObject();
        }

        private static void WriteBeam(Utf8JsonWriter w, Beam beam)
        {
            w.WriteStartObject();
            Numbers(w, "direction", beam.Direction.X, beam.Direction.Y, beam.Direction.Z);
            Number(w, "wavelength", beam.Wavelength);
            Number(w, "divergence", 0.0);
            Number(w, "sigma_divergence", 0.0);
            Numbers(w, "polarization_normal", 0.0, 1.0, 0.0);
            Number(w, "polarization_fraction", beam.PolarizationFraction);
            Number(w, "flux", 0.0);
            Number(w, "transmission", 1.0);
            w.WriteEndObject();
        }

        private static void WriteDetector(Utf8JsonWriter w, DetectorModel detector)
        {
            w.WriteStartObject();
            w.WritePropertyName("hierarchy");
            WriteGroup(w, detector, detector.Hierarchy, Frame.Identity);
            w.WriteStartArray("panels");
            var parents = new Frame[detector.PanelCount];
            AssignParents(detector.Hierarchy, Frame.Identity, parents);
            for (int i = 0; i < detector.PanelCount; i++) WritePanel(w, detector.Panels[i], parents[i]);
            w.WriteEndArray();
            w.WriteEndObject();
        }

        private static void AssignParents(DetectorGroup g, Frame parent, Frame[] parents)
        {
            var frame = new Frame(g.Origin, g.FastAxis, g.SlowAxis);
            foreach (var c in g.Children) AssignParents(c, frame, parents);
            foreach (var i in g.PanelIndices) parents[i] = frame;
        }

        private static void WriteGroup(Utf8JsonWriter w, DetectorModel detector, DetectorGroup g, Frame parent)
        {
            var frame = new Frame(g.Origin, g.FastAxis, g.SlowAxis);
            var local = parent.ToLocal(frame);
            w.WriteStartObject();
            WriteFrameAndDefaults(w, g.Name, "", local, 0, 0, 0, 0, 0, 0, 1.0, 0, "", Array.Empty<PixelRectangle>(), null);
            w.WriteStartArray("children");
            foreach (var c in g.Children) WriteGroup(w, detector, c, frame);
            foreach (var i in g.PanelIndices)
            {
                w.WriteStartObject(); w.WriteNumber("panel", i); w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }

        private static void WritePanel(Utf8JsonWriter w, Panel p, Frame parent)
        {
            var local = parent.ToLocal(new Frame(p.Origin, p.FastAxis, p.SlowAxis));
            w.WriteStartObject();
            WriteFrameAndDefaults(w, p.Name, "SENSOR_PAD", local, p.Width, p.Height, p.PixelSize, p.PixelSizeSlow,
                p.TrustedMin, p.TrustedMax, p.Gain, p.Thickness, p.Material, p.BadRegions, p.Layout);
            w.WriteEndObject();
        }

        private static void WriteFrameAndDefaults(Utf8JsonWriter w, string name, string type, Frame local, int width, int height,
            double px, double py, double tmin, double tmax, double gain, double thickness, string material,
            IReadOnlyList<PixelRectangle> mask, PanelLayout? layout)
        {
            w.WriteString("name", name);
            w.WriteString("type", type);
            Numbers(w, "fast_axis", local.Fast.X, local.Fast.Y, local.Fast.Z);
            Numbers(w, "slow_axis", local.Slow.X, local.Slow.Y, local.Slow.Z);
            Numbers(w, "origin", local.Origin.X, local.Origin.Y, local.Origin.Z);
            Integers(w, "raw_image_offset", layout?.FastOffset ?? 0, layout?.SlowOffset ?? 0);
            Integers(w, "image_size", width, height);
            Numbers(w, "pixel_size", px, py);
            Numbers(w, "trusted_range", tmin, tmax);
            Number(w, "thickness", thickness);
            w.WriteString("material", material);
            Number(w, "mu", 0.0);
            w.WriteString("identifier", "");
            w.WriteStartArray("mask");
            foreach (var r in mask)
            {
                w.WriteStartArray();
                w.WriteNumberValue(r.FastMin); w.WriteNumberValue(r.SlowMin); w.WriteNumberValue(r.FastMax); w.WriteNumberValue(r.SlowMax);
                w.WriteEndArray();
            }
            w.WriteEndArray();
            Number(w, "gain", gain);
            Number(w, "pedestal", 0.0);
            w.WriteStartObject("px_mm_strategy"); w.WriteString("type", "SimplePxMmStrategy"); w.WriteEndObject();
        }

        /// <summary>JSON has no infinities: ±∞ (open trusted ranges) are written as ±double.MaxValue, read back as ±∞.</summary>
        private static double Finite(double v)
        {
            if (double.IsNaN(v)) throw new ArgumentException("JSON cannot hold NaN.");
            return double.IsPositiveInfinity(v) ? double.MaxValue : double.IsNegativeInfinity(v) ? double.MinValue : v;
        }

        private static void Number(Utf8JsonWriter w, string name, double v) => w.WriteNumber(name, Finite(v));

        private static void Numbers(Utf8JsonWriter w, string name, params double[] values)
        {
            w.WriteStartArray(name);
            foreach (var v in values) w.WriteNumberValue(Finite(v));
            w.WriteEndArray();
        }

        private static void Integers(Utf8JsonWriter w, string name, params int[] values)
        {
            w.WriteStartArray(name);
            foreach (var v in values) w.WriteNumberValue(v);
            w.WriteEndArray();
        }

        /// <summary>Models compared by reference (the text comparison decides equality; this only saves writing twice).</summary>
        private sealed class SameObject : IEqualityComparer<object>
        {
            public static readonly SameObject Instance = new SameObject();
            public new bool Equals(object? x, object? y) => ReferenceEquals(x, y);
            public int GetHashCode(object o) => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(o);
        }

        /// <summary>An origin and two unit axes; composes and decomposes dxtbx-style parent/child frames.</summary>
        private readonly struct Frame
        {
            public Frame(Vec3 origin, Vec3 fast, Vec3 slow) { Origin = origin; Fast = fast; Slow = slow; }
            public Vec3 Origin { get; }
            public Vec3 Fast { get; }
            public Vec3 Slow { get; }
            public static Frame Identity => new Frame(Vec3.Zero, Vec3.UnitX, Vec3.UnitY);
            private Mat3 Basis => Mat3.FromColumns(Fast, Slow, Fast.Cross(Slow).Normalized());

            /// <summary>The global frame of a child whose frame in this one is <paramref name="local"/>.</summary>
            public Frame Compose(Frame local)
            {
                var m = Basis;
                return new Frame(Origin + m * local.Origin, (m * local.Fast).Normalized(), (m * local.Slow).Normalized());
            }

            /// <summary>The frame of <paramref name="global"/> expressed in this one.</summary>
            public Frame ToLocal(Frame global)
            {
                var inv = Basis.Inverse();
                return new Frame(inv * (global.Origin - Origin), inv * global.Fast, inv * global.Slow);
            }
        }
    }
}
