using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using XtalPS.Geometry;
using XtalPS.Integration;
using XtalPS.Lattices;

namespace XtalPS.Formats
{
    /// <summary>
    /// CrystFEL stream files (<c>.stream</c>, CrystFEL's crystfel_stream(5) / indexamajig output): the geometry block,
    /// then one chunk per image with its header keys, the peak list and zero or more crystals, each with its cell,
    /// reciprocal axes and the reflections integrated on it. Read into chunk records and XtalPS reflection tables
    /// (one per crystal, with its lattice on the stream's detector).
    /// </summary>
    /// <remarks>
    /// CrystFEL's frame has the beam along +z; DIALS's along −z: a half turn about y (x → −x, z → −z) maps one onto the
    /// other, for reciprocal axes as for panel vectors. Reciprocal axes are in nm⁻¹ (÷10 for Å⁻¹), cells in nm.
    /// Peak and reflection positions are pixels of the data array ("slab") in streams of CrystFEL up to 0.9 and
    /// pixels of the panel in later ones; the reader tells them apart by the panels' data windows.
    /// </remarks>
    public static class CrystFelStream
    {
        public const long MaxFileBytes = 8L * 1024 * 1024 * 1024;
        private const double HcEvAngstrom = 12398.419843320026;

        public sealed class Peak
        {
            public double Fs, Ss, InverseDNm, Intensity;
            public string Panel = "";
        }

        public sealed class Crystal
        {
            /// <summary>Reciprocal axes in the DIALS frame, Å⁻¹.</summary>
            public Vec3 AStar, BStar, CStar;
            public string LatticeType = "triclinic", Centering = "P", UniqueAxis = "?";
            public double ProfileRadiusNm = double.NaN;
            public List<(int H, int K, int L, double I, double Sigma, double Peak, double Background, double Fs, double Ss, string Panel)> Reflections =
                new List<(int, int, int, double, double, double, double, double, double, string)>();
        }

        public sealed class Chunk
        {
            public string ImageFile = "";
            public string Event = "";
            public int Serial = -1;
            public Dictionary<string, string> Keys = new Dictionary<string, string>(StringComparer.Ordinal);
            public List<Peak> Peaks = new List<Peak>();
            public List<Crystal> Crystals = new List<Crystal>();
            public double PhotonEnergyEv => Keys.TryGetValue("photon_energy_eV", out var v) && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var e) ? e : double.NaN;
            /// <summary>average_camera_length in mm, NaN when absent.</summary>
            public double CameraLengthMm => Keys.TryGetValue("average_camera_length", out var v) && TryLeadingNumber(v, out var m) ? m * 1000 : double.NaN;
        }

        public sealed class Contents
        {
            public string GeometryText = "";
            public List<Chunk> Chunks = new List<Chunk>();
        }

        public static bool LooksLikeStream(string head) => head.StartsWith("CrystFEL stream format", StringComparison.Ordinal);

        public static Contents Read(string path)
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new FileNotFoundException($"The file '{path}' does not exist.", path);
            if (info.Length > MaxFileBytes) throw new InvalidImageDataException(path, $"the file is {info.Length} bytes; the largest stream read is {MaxFileBytes}.");
            using var reader = new StreamReader(path, Encoding.UTF8);
            return Parse(path, reader);
        }

        public static Contents Parse(string path, TextReader reader)
        {
            var c = new Contents();
            string? line = reader.ReadLine();
            int lineNo = 1;
            if (line == null || !LooksLikeStream(line)) throw new InvalidImageDataException(path, "not a CrystFEL stream (no 'CrystFEL stream format' first line).");
            var geometry = new StringBuilder();
            Chunk? chunk = null; Crystal? crystal = null;
            string section = "";
            string Where() => $"line {lineNo}";
            while ((line = reader.ReadLine()) != null)
            {
                lineNo++;
                switch (line.Trim())
                {
                    case "----- Begin geometry file -----": section = "geometry"; continue;
                    case "----- End geometry file -----": section = ""; continue;
                    case "----- Begin unit cell -----": section = "cell"; continue;
                    case "----- End unit cell -----": section = ""; continue;
                    case "----- Begin chunk -----":
                        if (chunk != null) throw new InvalidImageDataException(path, $"{Where()}: a chunk begins inside another.");
                        chunk = new Chunk(); section = "chunk"; continue;
                    case "----- End chunk -----":
                        if (chunk == null || crystal != null) throw new InvalidImageDataException(path, $"{Where()}: a chunk ends that did not begin (or inside a crystal).");
                        c.Chunks.Add(chunk); chunk = null; section = ""; continue;
                    case "Peaks from peak search":
                        if (chunk == null) throw new InvalidImageDataException(path, $"{Where()}: a peak list outside a chunk.");
                        section = "peaks"; reader.ReadLine(); lineNo++; continue;
                    case "End of peak list": section = "chunk"; continue;
                    case "--- Begin crystal":
                        if (chunk == null || crystal != null) throw new InvalidImageDataException(path, $"{Where()}: a crystal outside a chunk.");
                        crystal = new Crystal(); section = "crystal"; continue;
                    case "--- End crystal":
                        if (chunk == null || crystal == null) throw new InvalidImageDataException(path, $"{Where()}: a crystal ends that did not begin.");
                        chunk.Crystals.Add(crystal); crystal = null; section = "chunk"; continue;
                    case "Reflections measured after indexing":
                        if (crystal == null) throw new InvalidImageDataException(path, $"{Where()}: reflections outside a crystal.");
                        section = "reflections"; reader.ReadLine(); lineNo++; continue;
                    case "End of reflections": section = "crystal"; continue;
                }
                switch (section)
                {
                    case "geometry": geometry.Append(line).Append('\n'); break;
                    case "chunk": ChunkLine(path, Where(), chunk!, line); break;
                    case "peaks": chunk!.Peaks.Add(PeakLine(path, Where(), line)); break;
                    case "crystal": CrystalLine(path, Where(), crystal!, line); break;
                    case "reflections": crystal!.Reflections.Add(ReflectionLine(path, Where(), line)); break;
                }
            }
            if (chunk != null) throw new InvalidImageDataException(path, "the stream ends inside a chunk.");
            c.GeometryText = geometry.ToString();
            return c;
        }

        private static void ChunkLine(string path, string where, Chunk chunk, string line)
        {
            if (line.StartsWith("Image filename: ", StringComparison.Ordinal)) { chunk.ImageFile = line.Substring(16).Trim(); return; }
            if (line.StartsWith("Event: ", StringComparison.Ordinal)) { chunk.Event = line.Substring(7).Trim(); return; }
            if (line.StartsWith("Image serial number: ", StringComparison.Ordinal))
            {
                if (!int.TryParse(line.Substring(21).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out chunk.Serial))
                    throw new InvalidImageDataException(path, $"{where}: the image serial number is not an integer.");
                return;
            }
            int eq = line.IndexOf(" = ", StringComparison.Ordinal);
            if (eq > 0) chunk.Keys[line.Substring(0, eq).Trim()] = line.Substring(eq + 3).Trim();
        }

        private static Peak PeakLine(string path, string where, string line)
        {
            var f = Fields(line);
            if (f.Length != 5) throw new InvalidImageDataException(path, $"{where}: a peak line has {f.Length} fields, not 5 (fs ss 1/d intensity panel).");
            return new Peak { Fs = Num(path, where, f[0]), Ss = Num(path, where, f[1]), InverseDNm = Num(path, where, f[2]), Intensity = Num(path, where, f[3]), Panel = f[4] };
        }

        private static void CrystalLine(string path, string where, Crystal crystal, string line)
        {
            var f = Fields(line);
            if (f.Length == 0) return;
            if ((f[0] == "astar" || f[0] == "bstar" || f[0] == "cstar") && f.Length >= 5 && f[1] == "=")
            {
                // nm⁻¹ in CrystFEL's frame → Å⁻¹ in DIALS's (x → −x, z → −z).
                var v = new Vec3(-Num(path, where, f[2]) / 10, Num(path, where, f[3]) / 10, -Num(path, where, f[4]) / 10);
                if (f[0] == "astar") crystal.AStar = v; else if (f[0] == "bstar") crystal.BStar = v; else crystal.CStar = v;
                return;
            }
            int eq = line.IndexOf(" = ", StringComparison.Ordinal);
            if (eq <= 0) return;
            string key = line.Substring(0, eq).Trim(), value = line.Substring(eq + 3).Trim();
            switch (key)
            {
                case "lattice_type": crystal.LatticeType = value; break;
                case "centering": crystal.Centering = value; break;
                case "unique_axis": crystal.UniqueAxis = value; break;
                case "profile_radius": if (TryLeadingNumber(value, out var r)) crystal.ProfileRadiusNm = r; break;
            }
        }

        private static (int, int, int, double, double, double, double, double, double, string) ReflectionLine(string path, string where, string line)
        {
            var f = Fields(line);
            if (f.Length != 10) throw new InvalidImageDataException(path, $"{where}: a reflection line has {f.Length} fields, not 10 (h k l I σ(I) peak background fs ss panel).");
            int I(string s) => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v
                : throw new InvalidImageDataException(path, $"{where}: '{s}' is not a Miller index.");
            return (I(f[0]), I(f[1]), I(f[2]), Num(path, where, f[3]), Num(path, where, f[4]), Num(path, where, f[5]), Num(path, where, f[6]),
                Num(path, where, f[7]), Num(path, where, f[8]), f[9]);
        }

        private static string[] Fields(string line) => line.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);

        private static double Num(string path, string where, string s)
        {
            if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && !double.IsInfinity(v)) return v;
            throw new InvalidImageDataException(path, $"{where}: '{(s.Length > 20 ? s.Substring(0, 20) + "…" : s)}' is not a number.");
        }

        private static bool TryLeadingNumber(string s, out double v)
        {
            var first = s.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
            return double.TryParse(first, NumberStyles.Float, CultureInfo.InvariantCulture, out v) && !double.IsNaN(v) && !double.IsInfinity(v);
        }

        /// <summary>
        /// One reflection table per crystal: its lattice (A from the reciprocal axes; the lowest space group of the
        /// stated lattice type and centring) on the stream's detector at the chunk's camera length and the chunk's
        /// photon energy, and its reflections with positions in panel pixels.
        /// </summary>
        public static List<ReflectionTable> ToTables(string path, Contents contents)
        {
            var tables = new List<ReflectionTable>();
            var detectors = new Dictionary<double, DetectorModel?>();
            int batch = 0;
            foreach (var chunk in contents.Chunks)
            {
                batch++;
                if (chunk.Crystals.Count == 0) continue;
                var detector = DetectorOf(path, contents, chunk, detectors);
                var beam = BeamOf(chunk);
                var byName = PanelIndex(detector);
                bool slab = detector != null && IsSlab(detector, byName, chunk);
                string name = Path.GetFileName(chunk.ImageFile) + (chunk.Event.Length > 0 ? " " + chunk.Event : "");
                foreach (var x in chunk.Crystals)
                {
                    var a = Mat3.FromColumns(x.AStar, x.BStar, x.CStar);
                    if (Math.Abs(a.Determinant) < 1e-15) throw new InvalidImageDataException(path, $"chunk {batch} ({name}): a crystal has coplanar reciprocal axes.");
                    var lattice = new CrystalLattice(a, LowestGroup(x.LatticeType, x.Centering, x.UniqueAxis), detector: detector, beam: beam);
                    var reflections = new List<Reflection>(x.Reflections.Count);
                    foreach (var r in x.Reflections)
                    {
                        int panel = byName.TryGetValue(r.Panel, out int p) ? p : -1;
                        var offset = slab && panel >= 0 ? detector!.Panels[panel].Layout : null;
                        double fx = r.Fs - (offset?.FastOffset ?? 0), fy = r.Ss - (offset?.SlowOffset ?? 0);
                        reflections.Add(new Reflection
                        {
                            H = r.H, K = r.K, L = r.L, Panel = Math.Max(panel, 0), Intensity = r.I, Sigma = r.Sigma,
                            Amplitude = r.Peak, IntegratedBackground = r.Background, X = fx, Y = fy, PredictedX = fx, PredictedY = fy,
                            D = lattice.UnitCell.D(r.H, r.K, r.L), Batch = batch, WellBehaved = r.Sigma > 0,
                        });
                    }
                    tables.Add(new ReflectionTable(null, lattice, null, reflections, ReflectionFileReader.Stage, name));
                }
            }
            return tables;
        }

        /// <summary>The stream's detector at the chunk's camera length (cached by length); null without a usable geometry block.</summary>
        internal static DetectorModel? DetectorOf(string path, Contents contents, Chunk chunk, Dictionary<double, DetectorModel?> cache)
        {
            double distance = chunk.CameraLengthMm;
            if (cache.TryGetValue(distance, out var detector)) return detector;
            detector = null;
            if (contents.GeometryText.Trim().Length > 0)
            {
                try
                {
                    if (double.IsNaN(distance)) detector = CrystFelGeometry.Parse(path, contents.GeometryText).Detector;
                    else
                    {
                        // average_camera_length is the panels' mean clen + coffset (CrystFEL adds coffset to the clen it
                        // reads from the data), while the geometry takes the stream's value in place of clen alone: the
                        // detector at clen 0 gives the mean coffset, which is taken off.
                        var atZero = CrystFelGeometry.Parse(path, contents.GeometryText, 0).Detector;
                        double meanOffset = atZero.Panels.Average(p => -p.Origin.Z);
                        detector = CrystFelGeometry.Parse(path, contents.GeometryText, distance - meanOffset).Detector;
                    }
                }
                catch (InvalidImageDataException) { detector = null; }
            }
            cache[distance] = detector;
            return detector;
        }

        /// <summary>The chunk's beam from its photon energy (along the DIALS beam direction); null without one.</summary>
        internal static Beam? BeamOf(Chunk chunk)
        {
            double ev = chunk.PhotonEnergyEv;
            return ev > 0 ? new Beam(HcEvAngstrom / ev, Vec3.UnitZ) : null;
        }

        internal static Dictionary<string, int> PanelIndex(DetectorModel? detector)
        {
            var byName = new Dictionary<string, int>(StringComparer.Ordinal);
            if (detector != null) for (int i = 0; i < detector.PanelCount; i++) byName[detector.Panels[i].Name] = i;
            return byName;
        }

        /// <summary>True when positions are data-array (slab) pixels: some fall outside [0, panel size) but all inside their panels' windows.</summary>
        internal static bool IsSlab(DetectorModel detector, Dictionary<string, int> byName, Chunk chunk)
        {
            bool outsidePanel = false, insideWindow = true;
            void Check(double fs, double ss, string panelName)
            {
                if (!byName.TryGetValue(panelName, out int i)) return;
                var p = detector.Panels[i];
                int ox = p.Layout?.FastOffset ?? 0, oy = p.Layout?.SlowOffset ?? 0;
                if (fs >= p.Width || ss >= p.Height) outsidePanel = true;
                if (fs < ox - 1 || ss < oy - 1 || fs > ox + p.Width + 1 || ss > oy + p.Height + 1) insideWindow = false;
            }
            foreach (var pk in chunk.Peaks) Check(pk.Fs, pk.Ss, pk.Panel);
            foreach (var x in chunk.Crystals) foreach (var r in x.Reflections) Check(r.Fs, r.Ss, r.Panel);
            return outsidePanel && insideWindow;
        }

        /// <summary>The space group of lowest symmetry with this lattice type and centring (CrystFEL states no space group).</summary>
        public static SpaceGroup LowestGroup(string latticeType, string centering, string uniqueAxis)
        {
            char c = centering.Length > 0 ? char.ToUpperInvariant(centering[0]) : 'P';
            string symbol = latticeType switch
            {
                "monoclinic" => uniqueAxis == "c" ? $"{c} 1 1 2" : uniqueAxis == "a" ? $"{c} 2 1 1" : $"{c} 1 2 1",
                "orthorhombic" => $"{c} 2 2 2",
                "tetragonal" => $"{c} 4",
                "rhombohedral" => "R 3:R",
                "hexagonal" => c == 'R' ? "R 3" : "P 3",
                "cubic" => $"{c} 2 3",
                _ => "P 1",
            };
            return SpaceGroup.TryParse(symbol, out var g) && g != null ? g : SpaceGroup.FromNumber(1);
        }
    }
}
