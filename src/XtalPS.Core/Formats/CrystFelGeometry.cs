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
    /// CrystFEL geometry files (<c>.geom</c>, crystfel_geometry(5)): panels as windows of a data array
    /// (min/max_fs/ss), corner_x/y and fs/ss step vectors in pixels, res, clen/coffset, gains, max_adu, bad regions
    /// and rigid groups (which become the detector hierarchy).
    /// </summary>
    /// <remarks>
    /// CrystFEL's lab frame has +z along the beam and +y up; DIALS's has the beam along −z and +y up. The two differ
    /// by a half turn about y: x → −x, z → −z. A CrystFEL position (pixels) is corner + fs·fsvec + ss·ssvec, in
    /// metres after dividing by res; z = clen + coffset (+ the z parts of the step vectors). Step vectors are not
    /// normalised by CrystFEL, so their length scales the pixel pitch. Each panel's data window is kept as
    /// <see cref="Panel.Layout"/>.
    /// </remarks>
    public static class CrystFelGeometry
    {
        public const long MaxFileBytes = 64L * 1024 * 1024;
        public const int MaxPanelSide = 1 << 16;
        public const int MaxPanels = 1 << 16;
        private const double HcEvAngstrom = 12398.419843320026;

        /// <summary>True when the text looks like a .geom: key = value lines, some of them panel/key = value.</summary>
        public static bool LooksLikeGeom(string head)
        {
            int keyed = 0;
            foreach (var raw in head.Split('\n').Take(400))
            {
                var line = StripComment(raw).Trim();
                if (line.Length == 0) continue;
                int eq = line.IndexOf('=');
                if (eq <= 0) return false;
                var key = line.Substring(0, eq).Trim();
                if (key.EndsWith("/min_fs", StringComparison.Ordinal) || key.EndsWith("/corner_x", StringComparison.Ordinal) || key == "res" || key == "clen") keyed++;
            }
            return keyed > 0;
        }

        public static ExperimentGeometry Read(string path, double? distanceMm = null)
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new FileNotFoundException($"The file '{path}' does not exist.", path);
            if (info.Length > MaxFileBytes) throw new InvalidImageDataException(path, $"the file is {info.Length} bytes; the largest .geom read is {MaxFileBytes}.");
            return Parse(path, File.ReadAllText(path, Encoding.UTF8), distanceMm);
        }

        private sealed class PanelEntry
        {
            public string Name = "";
            public Dictionary<string, string> Keys = new Dictionary<string, string>(StringComparer.Ordinal);
            public Dictionary<string, string> Defaults = new Dictionary<string, string>(StringComparer.Ordinal);
            public int Line;
        }

        /// <summary>Parses .geom text. <paramref name="distanceMm"/> replaces clen when clen is an HDF5 path (or absent).</summary>
        public static ExperimentGeometry Parse(string path, string text, double? distanceMm = null)
        {
            var globals = new Dictionary<string, string>(StringComparer.Ordinal);
            var panels = new List<PanelEntry>();
            var byName = new Dictionary<string, PanelEntry>(StringComparer.Ordinal);
            var bad = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
            var badOrder = new List<string>();
            var rigidGroups = new List<KeyValuePair<string, string[]>>();
            var collections = new List<KeyValuePair<string, string[]>>();
            var warnings = new List<string>();

            var lines = text.Split('\n');
            for (int ln = 0; ln < lines.Length; ln++)
            {
                var line = StripComment(lines[ln]).Trim();
                if (line.Length == 0) continue;
                int eq = line.IndexOf('=');
                if (eq <= 0) throw new InvalidImageDataException(path, $"line {ln + 1} is not 'key = value': '{Short(line)}'.");
                var key = line.Substring(0, eq).Trim();
                var value = line.Substring(eq + 1).Trim();
                if (key.StartsWith("rigid_group_collection_", StringComparison.Ordinal))
                    collections.Add(new KeyValuePair<string, string[]>(key.Substring("rigid_group_collection_".Length), SplitList(value)));
                else if (key.StartsWith("rigid_group_", StringComparison.Ordinal))
                    rigidGroups.Add(new KeyValuePair<string, string[]>(key.Substring("rigid_group_".Length), SplitList(value)));
                else if (key.IndexOf('/') > 0)
                {
                    int slash = key.IndexOf('/');
                    var owner = key.Substring(0, slash);
                    var sub = key.Substring(slash + 1).Trim();
                    if (owner.StartsWith("bad", StringComparison.Ordinal))
                    {
                        if (!bad.TryGetValue(owner, out var b)) { bad[owner] = b = new Dictionary<string, string>(StringComparer.Ordinal); badOrder.Add(owner); }
                        b[sub] = value;
                        continue;
                    }
                    if (!byName.TryGetValue(owner, out var p))
                    {
                        if (panels.Count >= MaxPanels) throw new InvalidImageDataException(path, $"more than {MaxPanels} panels.");
                        p = new PanelEntry { Name = owner, Line = ln + 1, Defaults = new Dictionary<string, string>(globals, StringComparer.Ordinal) };
                        byName[owner] = p;
                        panels.Add(p);
                    }
                    p.Keys[sub] = value;
                }
                else globals[key] = value;
            }
            if (panels.Count == 0) throw new InvalidImageDataException(path, "no panels (no 'name/min_fs = …' lines): not a CrystFEL geometry file.");

            string? Get(PanelEntry p, string key) =>
                p.Keys.TryGetValue(key, out var v) ? v : p.Defaults.TryGetValue(key, out v) ? v : globals.TryGetValue(key, out v) ? v : null;

            // Beam: photon_energy (eV) or wavelength, when they are numbers rather than HDF5 paths.
            Beam? beam = null;
            double photonEnergy = double.NaN;
            if (globals.TryGetValue("photon_energy", out var pe) && TryQuantity(pe, out var e, out var eu))
            {
                photonEnergy = eu == "kev" ? e * 1000 : e;
                if (!(photonEnergy > 0) || photonEnergy > 1e9) throw new InvalidImageDataException(path, $"photon_energy = {pe} is not a positive energy.");
                beam = new Beam(HcEvAngstrom / photonEnergy);
            }
            else if (globals.TryGetValue("wavelength", out var wl) && TryQuantity(wl, out var w, out var wu))
            {
                double a = wu == "m" ? w * 1e10 : wu == "nm" ? w * 10 : w;
                if (!(a > 0) || a > 1e6) throw new InvalidImageDataException(path, $"wavelength = {wl} is not a positive wavelength.");
                beam = new Beam(a);
                photonEnergy = HcEvAngstrom / a;
            }
            else if (globals.ContainsKey("photon_energy") || globals.ContainsKey("wavelength"))
                warnings.Add("the photon energy is read from the data files (an HDF5 path); no beam is known.");

            var built = new List<Panel>();
            bool clenWarned = false, gainWarned = false;
            foreach (var p in panels)
            {
                string where = $"panel '{p.Name}' (line {p.Line})";
                int minFs = Int(path, Get(p, "min_fs"), where, "min_fs"), maxFs = Int(path, Get(p, "max_fs"), where, "max_fs");
                int minSs = Int(path, Get(p, "min_ss"), where, "min_ss"), maxSs = Int(path, Get(p, "max_ss"), where, "max_ss");
                if (minFs < 0 || minSs < 0 || maxFs < minFs || maxSs < minSs || maxFs - minFs >= MaxPanelSide || maxSs - minSs >= MaxPanelSide)
                    throw new InvalidImageDataException(path, $"{where}: fs {minFs}..{maxFs}, ss {minSs}..{maxSs} is not a panel window.");
                int width = maxFs - minFs + 1, height = maxSs - minSs + 1;
                double res = Number(path, Get(p, "res"), where, "res");
                if (!(res > 0) || res > 1e9) throw new InvalidImageDataException(path, $"{where}: res {res} must be a positive number of pixels per metre.");
                var fs = Vector(path, Get(p, "fs"), where, "fs");
                var ss = Vector(path, Get(p, "ss"), where, "ss");
                if (fs.Length < 1e-9 || ss.Length < 1e-9 || fs.Normalized().Cross(ss.Normalized()).Length < 1e-6)
                    throw new InvalidImageDataException(path, $"{where}: the fs and ss vectors are zero or parallel.");
                double cx = Number(path, Get(p, "corner_x"), where, "corner_x"), cy = Number(path, Get(p, "corner_y"), where, "corner_y");
                if (Math.Abs(cx) > 1e9 || Math.Abs(cy) > 1e9) throw new InvalidImageDataException(path, $"{where}: the corner is out of range.");

                double clenM;
                var clenText = Get(p, "clen");
                if (clenText != null && TryQuantity(clenText, out var clen, out var cu))
                    clenM = cu == "mm" ? clen / 1000 : clen;
                else
                {
                    clenM = (distanceMm ?? 0) / 1000;
                    if (distanceMm == null && !clenWarned)
                    {
                        warnings.Add(clenText == null ? "no clen: the detector is placed at the sample (use -Distance)." :
                            $"clen is read from the data files ({clenText}); the detector is placed at coffset only (use -Distance).");
                        clenWarned = true;
                    }
                }
                double coffset = 0;
                var co = Get(p, "coffset");
                if (co != null) coffset = Number(path, co, where, "coffset");
                double zM = clenM + coffset;
                if (Math.Abs(zM) > 1e3) throw new InvalidImageDataException(path, $"{where}: the camera length {zM} m is out of range.");

                double pixelFast = fs.Length / res * 1000, pixelSlow = ss.Length / res * 1000; // mm
                // CrystFEL → DIALS: x → −x, z → −z.
                var origin = new Vec3(-cx / res * 1000, cy / res * 1000, -zM * 1000);
                var fast = new Vec3(-fs.X, fs.Y, -fs.Z).Normalized();
                var slow = new Vec3(-ss.X, ss.Y, -ss.Z).Normalized();

                double gain = 1;
                var app = Get(p, "adu_per_photon");
                var ape = Get(p, "adu_per_eV");
                if (app != null) gain = Number(path, app, where, "adu_per_photon");
                else if (ape != null)
                {
                    double perEv = Number(path, ape, where, "adu_per_eV");
                    if (!double.IsNaN(photonEnergy)) gain = perEv * photonEnergy;
                    else if (!gainWarned) { warnings.Add("adu_per_eV is given but the photon energy is not: the gain is left at 1 ADU per photon."); gainWarned = true; }
                }
                if (!(gain > 0) || double.IsInfinity(gain)) throw new InvalidImageDataException(path, $"{where}: the gain {gain} must be positive.");
                double maxAdu = double.PositiveInfinity;
                var ma = Get(p, "max_adu");
                if (ma != null) maxAdu = Number(path, ma, where, "max_adu");

                var rects = new List<PixelRectangle>();
                var noIndex = Get(p, "no_index");
                if (noIndex != null && (noIndex.Trim() == "1" || noIndex.Trim().Equals("true", StringComparison.OrdinalIgnoreCase)))
                    rects.Add(new PixelRectangle(0, 0, width, height));
                foreach (var name in badOrder)
                {
                    var b = bad[name];
                    if (!b.ContainsKey("min_fs") && !b.ContainsKey("max_fs") && !b.ContainsKey("min_ss") && !b.ContainsKey("max_ss")) continue;
                    if (b.TryGetValue("panel", out var only) && only.Trim() != p.Name) continue;
                    string bw = $"bad region '{name}'";
                    int bf0 = Int(path, b.TryGetValue("min_fs", out var v1) ? v1 : null, bw, "min_fs"), bf1 = Int(path, b.TryGetValue("max_fs", out var v2) ? v2 : null, bw, "max_fs");
                    int bs0 = Int(path, b.TryGetValue("min_ss", out var v3) ? v3 : null, bw, "min_ss"), bs1 = Int(path, b.TryGetValue("max_ss", out var v4) ? v4 : null, bw, "max_ss");
                    if (bf1 < bf0 || bs1 < bs0) throw new InvalidImageDataException(path, $"{bw} is not a rectangle.");
                    // Data-array coordinates (inclusive) → this panel's pixels (half-open).
                    var r = new PixelRectangle(bf0 - minFs, bs0 - minSs, (int)Math.Min(int.MaxValue, (long)bf1 - minFs + 1), (int)Math.Min(int.MaxValue, (long)bs1 - minSs + 1)).ClipTo(width, height);
                    if (r.PixelCount > 0) rects.Add(r);
                }

                int arrayIndex = -1;
                foreach (var kv in p.Keys.Concat(p.Defaults).Concat(globals))
                    if (kv.Key.StartsWith("dim", StringComparison.Ordinal) && int.TryParse(kv.Value.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int fixedIndex))
                    { arrayIndex = fixedIndex; break; }
                var layout = new PanelLayout(minFs, minSs, arrayIndex, Get(p, "data") ?? "");

                built.Add(new Panel(p.Name, width, height, pixelFast, origin, fast, slow, double.NegativeInfinity, maxAdu, gain,
                    pixelSlow, 0, "", rects, layout));
            }
            foreach (var name in badOrder)
                if (bad[name].ContainsKey("min_x") || bad[name].ContainsKey("max_x") || bad[name].ContainsKey("min_y") || bad[name].ContainsKey("max_y"))
                    warnings.Add($"bad region '{name}' is given in lab coordinates (min_x…); it is not applied (add it with Add-ImageMask).");

            string detectorName = Path.GetFileNameWithoutExtension(path);
            var hierarchy = BuildHierarchy(detectorName, built, rigidGroups, collections, warnings);
            return new ExperimentGeometry(path, "CrystFEL", new DetectorModel(detectorName, built, hierarchy), beam, null, warnings);
        }

        /// <summary>
        /// Rigid groups → a tree: collections (or, without collections, the groups themselves) are placed largest first,
        /// each group under the smallest node that contains all its panels. Groups that straddle a sibling are skipped.
        /// </summary>
        private static DetectorGroup BuildHierarchy(string name, List<Panel> panels, List<KeyValuePair<string, string[]>> groups,
            List<KeyValuePair<string, string[]>> collections, List<string> warnings)
        {
            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < panels.Count; i++) index[panels[i].Name] = i;
            var groupSets = new Dictionary<string, SortedSet<int>>(StringComparer.Ordinal);
            foreach (var g in groups)
            {
                var set = new SortedSet<int>();
                foreach (var member in g.Value)
                {
                    if (index.TryGetValue(member, out int pi)) set.Add(pi);
                    else warnings.Add($"rigid group '{g.Key}' names an unknown panel '{member}'.");
                }
                if (set.Count > 0) groupSets[g.Key] = set;
            }
            var order = new List<string>();
            if (collections.Count > 0)
            {
                foreach (var c in collections.OrderByDescending(c => c.Value.Where(groupSets.ContainsKey).Select(g => groupSets[g].Count).DefaultIfEmpty(0).Average()))
                    foreach (var g in c.Value)
                        if (groupSets.ContainsKey(g) && !order.Contains(g)) order.Add(g);
            }
            else order.AddRange(groupSets.Keys.OrderByDescending(k => groupSets[k].Count));

            var root = new Node(name, new SortedSet<int>(Enumerable.Range(0, panels.Count)));
            foreach (var g in order)
            {
                var set = groupSets[g];
                var host = root;
                while (true)
                {
                    var inner = host.Children.FirstOrDefault(c => c.Panels.IsSupersetOf(set));
                    if (inner == null) break;
                    host = inner;
                }
                if (host.Panels.SetEquals(set)) continue;
                if (host.Children.Any(c => c.Panels.Overlaps(set))) { warnings.Add($"rigid group '{g}' overlaps another group without containing it; it is left out of the hierarchy."); continue; }
                host.Children.Add(new Node(g, set));
            }
            return root.ToGroup(panels, true);
        }

        private sealed class Node
        {
            public Node(string name, SortedSet<int> panels) { Name = name; Panels = panels; }
            public string Name { get; }
            public SortedSet<int> Panels { get; }
            public List<Node> Children { get; } = new List<Node>();

            public DetectorGroup ToGroup(List<Panel> panels, bool isRoot)
            {
                var direct = Panels.Where(i => !Children.Any(c => c.Panels.Contains(i))).ToArray();
                var kids = Children.Select(c => c.ToGroup(panels, false)).ToArray();
                // The group's frame: the centroid of its panels' centres, with the axes of its first panel (the root: lab x and −y).
                var centre = Panels.Aggregate(Vec3.Zero, (acc, i) => acc + panels[i].Centre) / Panels.Count;
                var first = panels[Panels.Min];
                return isRoot
                    ? new DetectorGroup(Name, centre, Vec3.UnitX, -Vec3.UnitY, kids, direct)
                    : new DetectorGroup(Name, centre, first.FastAxis, first.SlowAxis, kids, direct);
            }
        }

        // ---- writing ---------------------------------------------------------------------------------------------

        public static void Write(string path, DetectorModel detector, Beam? beam)
        {
            var text = ToText(detector, beam);
            AtomicFile.Write(path, s => { var bytes = new UTF8Encoding(false).GetBytes(text); s.Write(bytes, 0, bytes.Length); });
        }

        /// <summary>The .geom text: every panel with its window, corner, step vectors (with z), res, coffset and gain;
        /// bad regions per panel; the hierarchy as rigid groups and one collection per level.</summary>
        public static string ToText(DetectorModel detector, Beam? beam)
        {
            if (detector == null) throw new ArgumentNullException(nameof(detector));
            var inv = CultureInfo.InvariantCulture;
            var names = UniqueNames(detector.Panels.Select(p => p.Name), "p");
            var sb = new StringBuilder();
            sb.Append("; CrystFEL geometry written by XtalPS from detector '").Append(detector.Name.Replace('\n', ' ')).Append("'\n");
            sb.Append("; Lab frame: +z along the beam, +y up (XtalPS/DIALS x and z negated). Lengths in metres, positions in pixels.\n\n");
            double clen = -detector.Panels[0].Origin.Z / 1000;
            sb.AppendFormat(inv, "clen = {0}\n", R(clen));
            if (beam != null) sb.AppendFormat(inv, "photon_energy = {0}\n", R(beam.EnergyEv));
            bool anyPath = detector.Panels.Any(p => p.Layout != null && p.Layout.DataPath.Length > 0);
            bool anyIndex = detector.Panels.Any(p => p.Layout != null && p.Layout.ArrayIndex >= 0);
            if (anyPath || anyIndex)
            {
                sb.Append("dim0 = %\n");
                if (anyIndex) sb.Append("dim2 = ss\ndim3 = fs\n"); else sb.Append("dim1 = ss\ndim2 = fs\n");
            }
            sb.Append('\n');

            bool allLaid = detector.Panels.All(p => p.Layout != null);
            int stackedSs = 0;
            for (int i = 0; i < detector.PanelCount; i++)
            {
                var p = detector.Panels[i];
                string n = names[i];
                int minFs, minSs;
                if (allLaid) { minFs = p.Layout!.FastOffset; minSs = p.Layout.SlowOffset; }
                else { minFs = 0; minSs = stackedSs; stackedSs += p.Height; }
                double res = 1000 / p.PixelSize;
                double slowScale = p.PixelSizeSlow / p.PixelSize;
                sb.AppendFormat(inv, "{0}/min_fs = {1}\n{0}/max_fs = {2}\n{0}/min_ss = {3}\n{0}/max_ss = {4}\n", n, minFs, minFs + p.Width - 1, minSs, minSs + p.Height - 1);
                if (allLaid && p.Layout!.DataPath.Length > 0) sb.AppendFormat(inv, "{0}/data = {1}\n", n, p.Layout.DataPath);
                if (allLaid && p.Layout!.ArrayIndex >= 0) sb.AppendFormat(inv, "{0}/dim1 = {1}\n", n, p.Layout.ArrayIndex);
                sb.AppendFormat(inv, "{0}/res = {1}\n", n, R(res));
                sb.AppendFormat(inv, "{0}/fs = {1}x {2}y {3}z\n", n, S(-p.FastAxis.X), S(p.FastAxis.Y), S(-p.FastAxis.Z));
                sb.AppendFormat(inv, "{0}/ss = {1}x {2}y {3}z\n", n, S(-p.SlowAxis.X * slowScale), S(p.SlowAxis.Y * slowScale), S(-p.SlowAxis.Z * slowScale));
                sb.AppendFormat(inv, "{0}/corner_x = {1}\n", n, R(-p.Origin.X / 1000 * res));
                sb.AppendFormat(inv, "{0}/corner_y = {1}\n", n, R(p.Origin.Y / 1000 * res));
                sb.AppendFormat(inv, "{0}/coffset = {1}\n", n, R(-p.Origin.Z / 1000 - clen));
                sb.AppendFormat(inv, "{0}/adu_per_photon = {1}\n", n, R(p.Gain));
                if (!double.IsInfinity(p.TrustedMax) && !double.IsNaN(p.TrustedMax)) sb.AppendFormat(inv, "{0}/max_adu = {1}\n", n, R(p.TrustedMax));
                sb.Append('\n');
            }

            int badCount = 0;
            for (int i = 0; i < detector.PanelCount; i++)
            {
                var p = detector.Panels[i];
                int minFs = allLaid ? p.Layout!.FastOffset : 0;
                int minSs = allLaid ? p.Layout!.SlowOffset : detector.Panels.Take(i).Sum(q => q.Height);
                foreach (var r in p.BadRegions)
                {
                    if (r.PixelCount == 0) continue;
                    string b = "bad_xtalps_" + (badCount++).ToString(inv);
                    sb.AppendFormat(inv, "{0}/min_fs = {1}\n{0}/max_fs = {2}\n{0}/min_ss = {3}\n{0}/max_ss = {4}\n{0}/panel = {5}\n\n",
                        b, minFs + r.FastMin, minFs + r.FastMax - 1, minSs + r.SlowMin, minSs + r.SlowMax - 1, names[i]);
                }
            }

            // Hierarchy → rigid groups (every group below the root) and one collection per level.
            var levels = new List<List<(string Name, DetectorGroup Group)>>();
            var used = new HashSet<string>(names, StringComparer.Ordinal);
            void Walk(DetectorGroup g, int level)
            {
                foreach (var c in g.Children)
                {
                    while (levels.Count <= level) levels.Add(new List<(string, DetectorGroup)>());
                    string gn = SafeName(c.Name);
                    if (gn.Length == 0 || !used.Add(gn)) { gn = $"g{level}_{levels[level].Count}"; while (!used.Add(gn)) gn += "_"; }
                    levels[level].Add((gn, c));
                    Walk(c, level + 1);
                }
            }
            Walk(detector.Hierarchy, 0);
            for (int l = 0; l < levels.Count; l++)
                foreach (var (gn, g) in levels[l])
                    sb.AppendFormat(inv, "rigid_group_{0} = {1}\n", gn, string.Join(",", g.AllPanelIndices().Select(i => names[i])));
            if (levels.Count > 0) sb.Append('\n');
            for (int l = 0; l < levels.Count; l++)
                sb.AppendFormat(inv, "rigid_group_collection_level{0} = {1}\n", l + 1, string.Join(",", levels[l].Select(x => x.Name)));
            return sb.ToString();
        }

        private static string[] UniqueNames(IEnumerable<string> names, string prefix)
        {
            var result = new List<string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            int i = 0;
            foreach (var raw in names)
            {
                string n = SafeName(raw);
                if (n.Length == 0 || n.StartsWith("bad", StringComparison.Ordinal) || n.StartsWith("rigid_group", StringComparison.Ordinal) || !seen.Add(n))
                {
                    n = prefix + i.ToString(CultureInfo.InvariantCulture);
                    while (!seen.Add(n)) n += "_";
                }
                result.Add(n);
                i++;
            }
            return result.ToArray();
        }

        private static string SafeName(string name)
        {
            var sb = new StringBuilder();
            foreach (char c in name ?? "") if (char.IsLetterOrDigit(c) || c == '_' || c == '-' || c == '.') sb.Append(c);
            return sb.ToString();
        }

        private static string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        private static string S(double v) => (v < 0 || (v == 0 && 1 / v < 0) ? "-" : "+") + Math.Abs(v).ToString("R", CultureInfo.InvariantCulture);

        // ---- parsing helpers -------------------------------------------------------------------------------------

        private static string StripComment(string line)
        {
            int c = line.IndexOf(';');
            return (c >= 0 ? line.Substring(0, c) : line).TrimEnd('\r');
        }

        private static string Short(string s) => s.Length > 40 ? s.Substring(0, 40) + "…" : s;

        private static string[] SplitList(string value) =>
            value.Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries).Select(s => s.Trim()).Where(s => s.Length > 0).ToArray();

        /// <summary>A number with an optional unit word (m, mm, eV, keV, A): "95.3 mm", "67.8e-3", "4570 eV". False for HDF5 paths.</summary>
        private static bool TryQuantity(string text, out double value, out string unit)
        {
            var parts = text.Trim().Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
            unit = parts.Length > 1 ? parts[1].ToLowerInvariant() : "";
            if (parts.Length == 0 || parts.Length > 2 || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out value) || double.IsNaN(value) || double.IsInfinity(value))
            {
                value = double.NaN;
                return false;
            }
            return true;
        }

        private static double Number(string path, string? text, string where, string key)
        {
            if (text == null) throw new InvalidImageDataException(path, $"{where} has no {key}.");
            if (!TryQuantity(text, out var v, out _) || Math.Abs(v) > 1e15)
                throw new InvalidImageDataException(path, $"{where}: {key} = '{Short(text)}' is not a number.");
            return v;
        }

        private static int Int(string path, string? text, string where, string key)
        {
            double v = Number(path, text, where, key);
            if (v != Math.Floor(v) || v < -1e9 || v > 1e9) throw new InvalidImageDataException(path, $"{where}: {key} = {text} is not a whole number.");
            return (int)v;
        }

        /// <summary>"-0.002384x +0.999997y", "x", "-y", "0.5x -0.2y +0.01z" → a vector (CrystFEL frame, pixel units).</summary>
        private static Vec3 Vector(string path, string? text, string where, string key)
        {
            if (text == null) throw new InvalidImageDataException(path, $"{where} has no {key}.");
            var s = text.Replace(" ", "").Replace("\t", "");
            double[] c = new double[3];
            bool[] seen = new bool[3];
            int i = 0;
            while (i < s.Length)
            {
                int start = i;
                if (s[i] == '+' || s[i] == '-') i++;
                while (i < s.Length && (char.IsDigit(s[i]) || s[i] == '.' || s[i] == 'e' || s[i] == 'E' || ((s[i] == '+' || s[i] == '-') && (s[i - 1] == 'e' || s[i - 1] == 'E')))) i++;
                if (i >= s.Length) throw new InvalidImageDataException(path, $"{where}: {key} = '{Short(text)}' is not a vector like '-0.0024x +0.99999y'.");
                char axis = char.ToLowerInvariant(s[i]);
                int k = axis == 'x' ? 0 : axis == 'y' ? 1 : axis == 'z' ? 2 : -1;
                var num = s.Substring(start, i - start);
                double v;
                if (num == "" || num == "+") v = 1;
                else if (num == "-") v = -1;
                else if (!double.TryParse(num, NumberStyles.Float, CultureInfo.InvariantCulture, out v) || double.IsNaN(v) || Math.Abs(v) > 1e6) k = -1;
                if (k < 0 || seen[k]) throw new InvalidImageDataException(path, $"{where}: {key} = '{Short(text)}' is not a vector like '-0.0024x +0.99999y'.");
                seen[k] = true;
                c[k] = v;
                i++;
            }
            return new Vec3(c[0], c[1], c[2]);
        }
    }
}
