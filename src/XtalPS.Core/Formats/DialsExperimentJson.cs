using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using XtalPS.Geometry;

namespace XtalPS.Formats
{
    /// <summary>
    /// DIALS/dxtbx experiment lists (<c>.expt</c>, <c>.json</c>) and bare detector dictionaries: the detector with its
    /// hierarchy, the beam, and the crystals as plain numbers. Writes experiment lists that dxtbx's
    /// ExperimentListFactory loads (one experiment: detector and, if given, beam).
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

        /// <summary>True when the text starts like a JSON object (after white space).</summary>
        public static bool LooksLikeJson(ReadOnlySpan<byte> head)
        {
            int i = 0;
            if (head.Length >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF) i = 3;
            while (i < head.Length && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n')) i++;
            return i < head.Length && head[i] == '{';
        }

        public static ExperimentGeometry Read(string path)
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new FileNotFoundException($"The file '{path}' does not exist.", path);
            if (info.Length > MaxFileBytes) throw new InvalidImageDataException(path, $"the file is {info.Length} bytes; the largest DIALS JSON read is {MaxFileBytes}.");
            return Parse(path, File.ReadAllText(path, Encoding.UTF8));
        }

        /// <summary>Parses the text of an experiment list or detector dictionary; <paramref name="path"/> names it in errors.</summary>
        public static ExperimentGeometry Parse(string path, string text)
        {
            JsonValue root;
            try { root = JsonValue.Parse(text); }
            catch (FormatException e) { throw new InvalidImageDataException(path, e.Message, e); }
            if (!root.IsObject) throw new InvalidImageDataException(path, "the JSON document is not an object; a DIALS experiment list or detector is.");
            var warnings = new List<string>();

            // A bare detector dictionary (dxtbx Detector.to_dict()).
            if (root["panels"] != null) return new ExperimentGeometry(path, "DIALS", ReadDetector(path, root, "detector"), null, null, warnings);

            var detectors = root["detector"];
            if (detectors == null || !detectors.IsArray || detectors.Items.Count == 0)
                throw new InvalidImageDataException(path, "no 'detector' list: this is not a DIALS experiment list with a detector.");
            int detectorIndex = 0, beamIndex = 0;
            var experiments = root["experiment"];
            if (experiments != null && experiments.IsArray && experiments.Items.Count > 0)
            {
                var first = experiments.Items[0];
                detectorIndex = IndexMember(path, first, "detector", detectors.Items.Count, 0);
                var beams0 = root["beam"];
                beamIndex = IndexMember(path, first, "beam", beams0 != null && beams0.IsArray ? beams0.Items.Count : 0, -1);
                var distinct = experiments.Items.Select(e => e.IsObject && e["detector"] is JsonValue d && d.IsNumber ? d.Number : 0).Distinct().Count();
                if (distinct > 1) warnings.Add($"the file holds {distinct} detectors; the one of the first experiment was read.");
            }
            var detector = ReadDetector(path, detectors.Items[detectorIndex], $"detector[{detectorIndex}]");

            Beam? beam = null;
            var beams = root["beam"];
            if (beams != null && beams.IsArray && beams.Items.Count > 0 && beamIndex >= 0)
                beam = ReadBeam(path, beams.Items[beamIndex], $"beam[{beamIndex}]");

            var crystals = new List<DialsCrystal>();
            var crystalList = root["crystal"];
            if (crystalList != null && crystalList.IsArray)
                for (int i = 0; i < crystalList.Items.Count; i++)
                    crystals.Add(ReadCrystal(path, crystalList.Items[i], $"crystal[{i}]"));
            return new ExperimentGeometry(path, "DIALS", detector, beam, crystals, warnings);
        }

        private static int IndexMember(string path, JsonValue experiment, string key, int count, int fallback)
        {
            var v = experiment.IsObject ? experiment[key] : null;
            if (v == null || v.IsNull) return fallback;
            if (!v.IsNumber || v.Number != Math.Floor(v.Number) || v.Number < 0 || v.Number >= count)
                throw new InvalidImageDataException(path, $"experiment[0].{key} = {Describe(v)} does not name one of the {count} {key} models.");
            return (int)v.Number;
        }

        // ---- reading ---------------------------------------------------------------------------------------------

        private static DetectorModel ReadDetector(string path, JsonValue d, string where)
        {
            if (!d.IsObject) throw new InvalidImageDataException(path, $"{where} is not an object.");
            var panelsJson = d["panels"];
            if (panelsJson == null || !panelsJson.IsArray || panelsJson.Items.Count == 0)
                throw new InvalidImageDataException(path, $"{where} has no 'panels' list.");
            if (panelsJson.Items.Count > MaxPanels) throw new InvalidImageDataException(path, $"{where} claims {panelsJson.Items.Count} panels.");
            int n = panelsJson.Items.Count;
            var globalPanels = new Panel?[n];
            var hierarchy = d["hierarchy"];
            DetectorGroup root;
            if (hierarchy == null || hierarchy.IsNull)
            {
                for (int i = 0; i < n; i++) globalPanels[i] = ReadPanel(path, panelsJson.Items[i], $"{where}.panels[{i}]", Frame.Identity);
                root = new DetectorGroup("", Vec3.Zero, Vec3.UnitX, Vec3.UnitY, panelIndices: Enumerable.Range(0, n));
            }
            else
            {
                root = ReadGroup(path, hierarchy, $"{where}.hierarchy", Frame.Identity, panelsJson, globalPanels, 0);
            }
            for (int i = 0; i < n; i++)
                if (globalPanels[i] == null) throw new InvalidImageDataException(path, $"{where}: panel {i} is not in the hierarchy.");
            return new DetectorModel(root.Name, globalPanels!, root);
        }

        private static DetectorGroup ReadGroup(string path, JsonValue node, string where, Frame parent, JsonValue panelsJson, Panel?[] panels, int depth)
        {
            if (!node.IsObject) throw new InvalidImageDataException(path, $"{where} is not an object.");
            var local = ReadFrame(path, node, where);
            var frame = parent.Compose(local);
            var groups = new List<DetectorGroup>();
            var indices = new List<int>();
            var children = node["children"];
            if (children != null && !children.IsNull)
            {
                if (!children.IsArray) throw new InvalidImageDataException(path, $"{where}.children is not a list.");
                for (int k = 0; k < children.Items.Count; k++)
                {
                    var c = children.Items[k];
                    string cw = $"{where}.children[{k}]";
                    if (c.IsObject && c["panel"] is JsonValue pi)
                    {
                        if (!pi.IsNumber || pi.Number != Math.Floor(pi.Number) || pi.Number < 0 || pi.Number >= panels.Length)
                            throw new InvalidImageDataException(path, $"{cw}.panel = {Describe(pi)} is not a panel index (0..{panels.Length - 1}).");
                        int i = (int)pi.Number;
                        if (panels[i] != null) throw new InvalidImageDataException(path, $"{cw}: panel {i} appears twice in the hierarchy.");
                        panels[i] = ReadPanel(path, panelsJson.Items[i], $"panels[{i}]", frame);
                        indices.Add(i);
                    }
                    else groups.Add(ReadGroup(path, c, cw, frame, panelsJson, panels, depth + 1));
                }
            }
            return new DetectorGroup(Str(node, "name"), frame.Origin, frame.Fast, frame.Slow, groups, indices);
        }

        private static Panel ReadPanel(string path, JsonValue p, string where, Frame parent)
        {
            if (!p.IsObject) throw new InvalidImageDataException(path, $"{where} is not an object.");
            var frame = parent.Compose(ReadFrame(path, p, where));
            var size = Numbers(path, p, "image_size", 2, where);
            if (size[0] != Math.Floor(size[0]) || size[1] != Math.Floor(size[1]) || size[0] < 1 || size[1] < 1 || size[0] > MaxPanelSide || size[1] > MaxPanelSide)
                throw new InvalidImageDataException(path, $"{where}.image_size [{size[0]}, {size[1]}] is not a panel size (1..{MaxPanelSide} px).");
            var pixel = Numbers(path, p, "pixel_size", 2, where);
            if (!(pixel[0] > 0) || !(pixel[1] > 0) || pixel[0] > 1e4 || pixel[1] > 1e4)
                throw new InvalidImageDataException(path, $"{where}.pixel_size [{pixel[0]}, {pixel[1]}] must be positive millimetres.");
            double tmin = double.NegativeInfinity, tmax = double.PositiveInfinity;
            if (p["trusted_range"] != null && !p["trusted_range"]!.IsNull)
            {
                var t = Numbers(path, p, "trusted_range", 2, where, allowInfinite: true);
                tmin = t[0] <= -1e308 ? double.NegativeInfinity : t[0];
                tmax = t[1] >= 1e308 ? double.PositiveInfinity : t[1];
                if (double.IsNaN(tmin) || double.IsNaN(tmax)) throw new InvalidImageDataException(path, $"{where}.trusted_range holds NaN.");
            }
            double gain = OptionalNumber(path, p, "gain", 1.0, where);
            if (!(gain > 0)) throw new InvalidImageDataException(path, $"{where}.gain {gain} must be positive.");
            double thickness = OptionalNumber(path, p, "thickness", 0.0, where);
            if (thickness < 0) throw new InvalidImageDataException(path, $"{where}.thickness {thickness} is negative.");
            int width = (int)size[0], height = (int)size[1];
            var bad = new List<PixelRectangle>();
            var mask = p["mask"];
            if (mask != null && !mask.IsNull)
            {
                if (!mask.IsArray) throw new InvalidImageDataException(path, $"{where}.mask is not a list.");
                foreach (var m in mask.Items)
                {
                    if (!m.IsArray || m.Items.Count != 4 || m.Items.Any(v => !v.IsNumber || v.Number != Math.Floor(v.Number) || Math.Abs(v.Number) > int.MaxValue))
                        throw new InvalidImageDataException(path, $"{where}.mask entries must be four integers (f0, s0, f1, s1).");
                    int f0 = (int)m.Items[0].Number, s0 = (int)m.Items[1].Number, f1 = (int)m.Items[2].Number, s1 = (int)m.Items[3].Number;
                    if (f1 < f0 || s1 < s0) throw new InvalidImageDataException(path, $"{where}.mask entry ({f0}, {s0}, {f1}, {s1}) is not a rectangle.");
                    bad.Add(new PixelRectangle(f0, s0, f1, s1).ClipTo(width, height));
                }
            }
            PanelLayout? layout = null;
            var offset = p["raw_image_offset"];
            if (offset != null && offset.IsArray && offset.Items.Count == 2 && offset.Items.All(v => v.IsNumber && v.Number >= 0 && v.Number <= int.MaxValue && v.Number == Math.Floor(v.Number))
                && (offset.Items[0].Number != 0 || offset.Items[1].Number != 0))
                layout = new PanelLayout((int)offset.Items[0].Number, (int)offset.Items[1].Number);
            return new Panel(Str(p, "name"), width, height, pixel[0], frame.Origin, frame.Fast, frame.Slow, tmin, tmax, gain,
                pixel[1], thickness, Str(p, "material"), bad, layout);
        }

        private static Frame ReadFrame(string path, JsonValue node, string where)
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

        private static Beam ReadBeam(string path, JsonValue b, string where)
        {
            if (!b.IsObject) throw new InvalidImageDataException(path, $"{where} is not an object.");
            Vec3 direction;
            double wavelength = double.NaN;
            if (b["direction"] != null)
            {
                var d = Numbers(path, b, "direction", 3, where);
                direction = new Vec3(d[0], d[1], d[2]);
            }
            else if (b["s0"] != null)
            {
                var s0 = Numbers(path, b, "s0", 3, where);
                var v = new Vec3(s0[0], s0[1], s0[2]);
                direction = -v;
                if (v.Length > 0) wavelength = 1 / v.Length;
            }
            else throw new InvalidImageDataException(path, $"{where} has neither 'direction' nor 's0'.");
            if (direction.Length < 1e-12) throw new InvalidImageDataException(path, $"{where}: the beam direction is zero.");
            if (b["wavelength"] != null) wavelength = OptionalNumber(path, b, "wavelength", double.NaN, where);
            if (!(wavelength > 0) || double.IsInfinity(wavelength) || wavelength > 1e6)
                throw new InvalidImageDataException(path, $"{where}: the wavelength {wavelength} Å is not a positive number.");
            double pol = OptionalNumber(path, b, "polarization_fraction", 0.999, where);
            if (pol < 0 || pol > 1) throw new InvalidImageDataException(path, $"{where}: polarization_fraction {pol} is outside 0..1.");
            return new Beam(wavelength, direction, pol);
        }

        private static DialsCrystal ReadCrystal(string path, JsonValue c, string where)
        {
            if (!c.IsObject) throw new InvalidImageDataException(path, $"{where} is not an object.");
            Vec3 V(string key) { var v = Numbers(path, c, key, 3, where); return new Vec3(v[0], v[1], v[2]); }
            var a = V("real_space_a"); var b = V("real_space_b"); var cc = V("real_space_c");
            if (Math.Abs(a.Dot(b.Cross(cc))) < 1e-9) throw new InvalidImageDataException(path, $"{where}: the real-space vectors are coplanar.");
            return new DialsCrystal(a, b, cc, Str(c, "space_group_hall_symbol"));
        }

        private static double[] Numbers(string path, JsonValue node, string key, int count, string where, bool allowInfinite = false)
        {
            var v = node[key];
            if (v == null) throw new InvalidImageDataException(path, $"{where} has no '{key}'.");
            if (!v.IsArray || v.Items.Count != count || v.Items.Any(x => !x.IsNumber))
                throw new InvalidImageDataException(path, $"{where}.{key} must be a list of {count} numbers, not {Describe(v)}.");
            var r = v.Items.Select(x => x.Number).ToArray();
            if (r.Any(x => double.IsNaN(x) || (!allowInfinite && (double.IsInfinity(x) || Math.Abs(x) > 1e12))))
                throw new InvalidImageDataException(path, $"{where}.{key} holds a number out of range ({string.Join(", ", r)}).");
            return r;
        }

        private static double OptionalNumber(string path, JsonValue node, string key, double fallback, string where)
        {
            var v = node[key];
            if (v == null || v.IsNull) return fallback;
            if (!v.IsNumber || double.IsNaN(v.Number) || double.IsInfinity(v.Number))
                throw new InvalidImageDataException(path, $"{where}.{key} must be a finite number, not {Describe(v)}.");
            return v.Number;
        }

        private static string Str(JsonValue node, string key) => node[key] is JsonValue v && v.IsString ? v.Text : "";

        private static string Describe(JsonValue v) => v.Type switch
        {
            JsonValue.Kind.Number => v.Number.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            JsonValue.Kind.String => "\"" + (v.Text.Length > 20 ? v.Text.Substring(0, 20) + "…" : v.Text) + "\"",
            JsonValue.Kind.Array => $"a list of {v.Items.Count}",
            JsonValue.Kind.Object => "an object",
            _ => v.Type.ToString().ToLowerInvariant(),
        };

        // ---- writing ---------------------------------------------------------------------------------------------

        /// <summary>Writes an experiment list holding one experiment (detector, and beam if given), atomically.</summary>
        public static void Write(string path, DetectorModel detector, Beam? beam)
        {
            var text = ToJson(detector, beam);
            AtomicFile.Write(path, s => { var bytes = new UTF8Encoding(false).GetBytes(text); s.Write(bytes, 0, bytes.Length); });
        }

        /// <summary>The experiment-list JSON text for a detector and optional beam.</summary>
        public static string ToJson(DetectorModel detector, Beam? beam)
        {
            if (detector == null) throw new ArgumentNullException(nameof(detector));
            var w = new JsonTextWriter();
            w.BeginObject();
            w.Name("__id__"); w.String("ExperimentList");
            w.Name("experiment"); w.BeginArray();
            w.BeginObject();
            w.Name("__id__"); w.String("Experiment");
            w.Name("identifier"); w.String("");
            if (beam != null) { w.Name("beam"); w.Number(0L); }
            w.Name("detector"); w.Number(0L);
            w.EndObject();
            w.EndArray();
            w.Name("imageset"); w.BeginArray(); w.EndArray();
            w.Name("beam"); w.BeginArray();
            if (beam != null) WriteBeam(w, beam);
            w.EndArray();
            w.Name("detector"); w.BeginArray();
            WriteDetector(w, detector);
            w.EndArray();
            foreach (var empty in new[] { "goniometer", "scan", "crystal", "profile", "scaling_model" })
            {
                w.Name(empty); w.BeginArray(); w.EndArray();
            }
            w.EndObject();
            return w.ToString();
        }

        private static void WriteBeam(JsonTextWriter w, Beam beam)
        {
            w.BeginObject();
            w.Name("direction"); w.Numbers(beam.Direction.X, beam.Direction.Y, beam.Direction.Z);
            w.Name("wavelength"); w.Number(beam.Wavelength);
            w.Name("divergence"); w.Number(0.0);
            w.Name("sigma_divergence"); w.Number(0.0);
            w.Name("polarization_normal"); w.Numbers(0.0, 1.0, 0.0);
            w.Name("polarization_fraction"); w.Number(beam.PolarizationFraction);
            w.Name("flux"); w.Number(0.0);
            w.Name("transmission"); w.Number(1.0);
            w.EndObject();
        }

        private static void WriteDetector(JsonTextWriter w, DetectorModel detector)
        {
            w.BeginObject();
            w.Name("hierarchy");
            WriteGroup(w, detector, detector.Hierarchy, Frame.Identity);
            w.Name("panels"); w.BeginArray();
            var parents = new Frame[detector.PanelCount];
            AssignParents(detector.Hierarchy, Frame.Identity, parents);
            for (int i = 0; i < detector.PanelCount; i++) WritePanel(w, detector.Panels[i], parents[i]);
            w.EndArray();
            w.EndObject();
        }

        private static void AssignParents(DetectorGroup g, Frame parent, Frame[] parents)
        {
            var frame = new Frame(g.Origin, g.FastAxis, g.SlowAxis);
            foreach (var c in g.Children) AssignParents(c, frame, parents);
            foreach (var i in g.PanelIndices) parents[i] = frame;
        }

        private static void WriteGroup(JsonTextWriter w, DetectorModel detector, DetectorGroup g, Frame parent)
        {
            var frame = new Frame(g.Origin, g.FastAxis, g.SlowAxis);
            var local = parent.ToLocal(frame);
            w.BeginObject();
            WriteFrameAndDefaults(w, g.Name, "", local, 0, 0, 0, 0, 0, 0, 1.0, 0, "", Array.Empty<PixelRectangle>(), null);
            w.Name("children"); w.BeginArray();
            foreach (var c in g.Children) WriteGroup(w, detector, c, frame);
            foreach (var i in g.PanelIndices)
            {
                w.BeginObject(); w.Name("panel"); w.Number((long)i); w.EndObject();
            }
            w.EndArray();
            w.EndObject();
        }

        private static void WritePanel(JsonTextWriter w, Panel p, Frame parent)
        {
            var local = parent.ToLocal(new Frame(p.Origin, p.FastAxis, p.SlowAxis));
            w.BeginObject();
            WriteFrameAndDefaults(w, p.Name, "SENSOR_PAD", local, p.Width, p.Height, p.PixelSize, p.PixelSizeSlow,
                p.TrustedMin, p.TrustedMax, p.Gain, p.Thickness, p.Material, p.BadRegions, p.Layout);
            w.EndObject();
        }

        private static void WriteFrameAndDefaults(JsonTextWriter w, string name, string type, Frame local, int width, int height,
            double px, double py, double tmin, double tmax, double gain, double thickness, string material,
            IReadOnlyList<PixelRectangle> mask, PanelLayout? layout)
        {
            w.Name("name"); w.String(name);
            w.Name("type"); w.String(type);
            w.Name("fast_axis"); w.Numbers(local.Fast.X, local.Fast.Y, local.Fast.Z);
            w.Name("slow_axis"); w.Numbers(local.Slow.X, local.Slow.Y, local.Slow.Z);
            w.Name("origin"); w.Numbers(local.Origin.X, local.Origin.Y, local.Origin.Z);
            w.Name("raw_image_offset"); w.Integers(layout?.FastOffset ?? 0, layout?.SlowOffset ?? 0);
            w.Name("image_size"); w.Integers(width, height);
            w.Name("pixel_size"); w.Numbers(px, py);
            w.Name("trusted_range"); w.Numbers(tmin, tmax);
            w.Name("thickness"); w.Number(thickness);
            w.Name("material"); w.String(material);
            w.Name("mu"); w.Number(0.0);
            w.Name("identifier"); w.String("");
            w.Name("mask"); w.BeginArray();
            foreach (var r in mask) w.Integers(r.FastMin, r.SlowMin, r.FastMax, r.SlowMax);
            w.EndArray();
            w.Name("gain"); w.Number(gain);
            w.Name("pedestal"); w.Number(0.0);
            w.Name("px_mm_strategy"); w.BeginObject(); w.Name("type"); w.String("SimplePxMmStrategy"); w.EndObject();
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
