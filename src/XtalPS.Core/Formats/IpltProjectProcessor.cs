using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using XtalPS.Extraction;
using XtalPS.Geometry;
using XtalPS.Imaging;
using XtalPS.Integration;
using XtalPS.Lattices;
using XtalPS.Spots;

namespace XtalPS.Formats
{
    /// <summary>What happened to one image folder of an IPLT project.</summary>
    public sealed class IpltImageResult
    {
        public string Name { get; internal set; } = "";
        public string Directory { get; internal set; } = "";
        /// <summary>Ran, UpToDate, Ignored or Failed.</summary>
        public string Extract { get; internal set; } = "";
        public string Integrate { get; internal set; } = "";
        /// <summary>Ran, UpToDate, NoCell (no untilted cell given), Ignored or Failed.</summary>
        public string Tilt { get; internal set; } = "";
        public int ReflectionCount { get; internal set; }
        /// <summary>Integrated reflections with I/σ ≥ 3.</summary>
        public int StrongCount { get; internal set; }
        public double TiltAngle { get; internal set; } = double.NaN;
        public double TiltAxis { get; internal set; } = double.NaN;
        public string Message { get; internal set; } = "";
        /// <summary>Files written in this run.</summary>
        public IReadOnlyList<string> Written => _written;
        internal readonly List<string> _written = new List<string>();
        /// <summary>The tilt step's result when it ran in this run.</summary>
        public LatticeTilt? LatticeTilt { get; internal set; }
        public override string ToString() => $"{Name}: extract {Extract}, integrate {Integrate}, tilt {Tilt}";

        /// <summary>The record of a folder whose processing failed.</summary>
        public static IpltImageResult Failed(IpltImageFolder folder, string message) => new IpltImageResult
        {
            Name = folder.Name, Directory = folder.Directory, Extract = "Failed", Integrate = "Failed", Tilt = "Failed", Message = message,
        };
    }

    /// <summary>Options of a project run.</summary>
    public sealed class IpltProcessingOptions
    {
        /// <summary>Parameters given explicitly (paths below DiffProcessing); they win over project.xml and info.xml.</summary>
        public Dictionary<string, string> ExplicitParameters { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
        /// <summary>Redo every step whatever the recorded hashes say.</summary>
        public bool Force { get; set; }
    }

    /// <summary>
    /// Runs IPLT's per-image diffraction steps on a project folder, make-like: lattice search and extraction
    /// (DiffExtract, NAME_ext.mtz), integration (DiffIntegrate, NAME_int.mtz) and, when an untilted cell is given,
    /// the tilt step (DiffTilt, NAME_tilt.mtz). Each step records in info.xml the hash of its effective parameters and
    /// inputs (<see cref="IpltProject.StepHash"/>) and reruns only when that hash changes, its output is missing, or
    /// on Force. A rerun extraction starts from the refined lattice of the previous run when the image is unchanged.
    /// Parameters read (paths below DiffProcessing): LatticeExtract/{BoxSize, BoxGrowAmount, BackgroundRimSize,
    /// Cycles, MinSigma, MaxSigma, MinAmplitudeSignificance, MaxChiSquare, Gain}, LatticeSearch/{IndexTolerance,
    /// MaxRmsd, FitDistortion}, Integrate/{Method, BoxSize, BoxGrowAmount, BackgroundRimSize}, Tilt/{CellA, CellB,
    /// CellGamma, CameraConstant, ScaleTolerance, IntensityCorrection}.
    /// </summary>
    public static class IpltProjectProcessor
    {
        private const string R = IpltProject.ResultsGroup;
        private static readonly string[] ExtractGroups = { "LatticeExtract", "LatticeSearch" };

        public static IpltImageResult Process(IpltProject project, IpltImageFolder folder, IpltProcessingOptions options, CancellationToken cancel = default)
        {
            var result = new IpltImageResult { Name = folder.Name, Directory = folder.Directory };
            if (folder.Ignored)
            {
                result.Extract = result.Integrate = result.Tilt = "Ignored";
                result.Message = "an 'ignore' file is present";
                return result;
            }
            if (folder.ImagePath == null) throw new FileNotFoundException($"{folder.Name}: the folder holds no image file named {folder.Name}.* (or exactly one image file).");
            var info = IpltInfo.LoadOrCreate(folder.InfoPath);
            var p = project.EffectiveParameters(info, options.ExplicitParameters);

            string imageHash = IpltProject.FileHash(folder.ImagePath);
            string extractHash = IpltProject.StepHash("Extract", p, ExtractGroups, new[] { imageHash });
            string integrateHash = IpltProject.StepHash("Integrate", p, new[] { "Integrate" }, new[] { extractHash });
            PlanarCell? cell = CellOf(p);
            string? tiltHash = cell.HasValue ? IpltProject.StepHash("Tilt", p, new[] { "Tilt" }, new[] { integrateHash }) : null;
            string extPath = folder.OutputPath("ext"), intPath = folder.OutputPath("int"), tiltPath = folder.OutputPath("tilt");

            bool extractStale = options.Force || info.GetValue(R + "/DiffExtract/InputHash") != extractHash || !File.Exists(extPath);
            bool integrateStale = extractStale || info.GetValue(R + "/DiffIntegrate/InputHash") != integrateHash || !File.Exists(intPath);
            bool tiltStale = tiltHash != null && (integrateStale || info.GetValue(R + "/DiffTilt/InputHash") != tiltHash || !File.Exists(tiltPath));
            result.Extract = extractStale ? "Ran" : "UpToDate";
            result.Integrate = integrateStale ? "Ran" : "UpToDate";
            result.Tilt = tiltHash == null ? "NoCell" : tiltStale ? "Ran" : "UpToDate";
            if (!extractStale && !integrateStale && !tiltStale)
            {
                result.ReflectionCount = Int(info.GetValue(R + "/DiffIntegrate/Reflections"));
                result.StrongCount = Int(info.GetValue(R + "/DiffIntegrate/Strong"));
                result.TiltAngle = Dbl(info.GetValue(R + "/DiffTilt/TLTANG"));
                result.TiltAxis = Dbl(info.GetValue(R + "/DiffTilt/TLTAXIS"));
                return result;
            }

            var image = DiffractionImageReader.ReadFrames(folder.ImagePath).First();
            cancel.ThrowIfCancellationRequested();

            // Extraction.
            ReflectionTable ext;
            PlanarLattice? previous = info.GetValue(R + "/DiffExtract/ImageHash") == imageHash ? StoredLattice(info, image) : null;
            if (extractStale)
            {
                Lattice start;
                if (previous != null) { start = previous; result.Message = "extraction started from the previous refined lattice"; }
                else
                {
                    var spots = SpotFinder.Find(image, new SpotFindingSettings()).Spots;
                    start = PlanarLatticeSearch.Find(spots, new PlanarSearchSettings
                    {
                        IndexTolerance = Get(p, "LatticeSearch/IndexTolerance", 0.2),
                        MaxRmsd = Get(p, "LatticeSearch/MaxRmsd", 2.0),
                        FitDistortion = Get(p, "LatticeSearch/FitDistortion", false),
                    });
                }
                var es = new ExtractionSettings
                {
                    BoxSize = Get(p, "LatticeExtract/BoxSize", 6),
                    BoxGrowAmount = Get(p, "LatticeExtract/BoxGrowAmount", 1),
                    BackgroundRimSize = Get(p, "LatticeExtract/BackgroundRimSize", 2),
                    Cycles = Get(p, "LatticeExtract/Cycles", 2),
                    MinSigma = Get(p, "LatticeExtract/MinSigma", 0.3),
                    MaxSigma = p.ContainsKey("LatticeExtract/MaxSigma") ? Get(p, "LatticeExtract/MaxSigma", 0.0) : (double?)null,
                    MinAmplitudeSignificance = Get(p, "LatticeExtract/MinAmplitudeSignificance", 3.0),
                    MaxChiSquare = Get(p, "LatticeExtract/MaxChiSquare", 5.0),
                    Gain = p.ContainsKey("LatticeExtract/Gain") ? Get(p, "LatticeExtract/Gain", 1.0) : (double?)null,
                };
                es.Validate();
                ext = LatticeGaussianFit.Extract(image, start, es, cancel: cancel);
                WriteTable(extPath, ext); result._written.Add(extPath);
                var refined = (ext.RefinedLattice ?? ext.Lattice) as PlanarLattice;
                string g = R + "/DiffExtract";
                info.Remove(g);
                info.SetValue(g + "/InputHash", extractHash, "string");
                info.SetValue(g + "/ImageHash", imageHash, "string");
                info.SetValue(g + "/Output", Path.GetFileName(extPath), "string");
                info.SetValue(g + "/StartLattice", previous != null ? "previous" : "search", "string");
                info.SetValue(g + "/Reflections", ext.Count.ToString(CultureInfo.InvariantCulture), "int");
                info.SetValue(g + "/WellBehaved", ext.WellBehavedCount.ToString(CultureInfo.InvariantCulture), "int");
                if (refined != null)
                {
                    info.SetValue(g + "/RefinedLattice/Origin", V(refined.Origin), "vec2");
                    info.SetValue(g + "/RefinedLattice/A", V(refined.A), "vec2");
                    info.SetValue(g + "/RefinedLattice/B", V(refined.B), "vec2");
                    info.SetValue(g + "/RefinedLattice/BarrelDistortion", F(refined.BarrelDistortion), "float");
                    info.SetValue(g + "/RefinedLattice/SpiralDistortion", F(refined.SpiralDistortion), "float");
                    info.SetValue(g + "/RefinedLattice/Rmsd", F(refined.Rmsd), "float");
                }
                WriteParameters(info, g, p, ExtractGroups);
                info.Save(folder.InfoPath);
            }
            else ext = ReadTable(extPath, image, StoredLattice(info, image), LatticeGaussianFit.Stage);
            cancel.ThrowIfCancellationRequested();

            // Integration.
            ReflectionTable integ;
            if (integrateStale)
            {
                var method = p.TryGetValue("Integrate/Method", out var m) ? ParseEnum<IntegrationMethod>("Integrate/Method", m) : IntegrationMethod.Iplt;
                var s = new IntegrationSettings
                {
                    Method = method,
                    BoxSize = Get(p, "Integrate/BoxSize", 6),
                    BoxGrowAmount = Get(p, "Integrate/BoxGrowAmount", 1),
                    BackgroundRimSize = Get(p, "Integrate/BackgroundRimSize", 2),
                };
                s.Validate();
                integ = PeakIntegrator.Integrate(ext, s, null, null, cancel);
                WriteTable(intPath, integ); result._written.Add(intPath);
                string g = R + "/DiffIntegrate";
                info.Remove(g);
                info.SetValue(g + "/InputHash", integrateHash, "string");
                info.SetValue(g + "/Output", Path.GetFileName(intPath), "string");
                info.SetValue(g + "/Reflections", integ.Reflections.Count(r => !double.IsNaN(r.Intensity)).ToString(CultureInfo.InvariantCulture), "int");
                info.SetValue(g + "/Strong", integ.Reflections.Count(r => r.IOverSigma >= 3).ToString(CultureInfo.InvariantCulture), "int");
                WriteParameters(info, g, p, new[] { "Integrate" });
                info.Save(folder.InfoPath);
            }
            else integ = ReadTable(intPath, image, ext.RefinedLattice ?? ext.Lattice, PeakIntegrator.Stage);
            result.ReflectionCount = integ.Reflections.Count(r => !double.IsNaN(r.Intensity));
            result.StrongCount = integ.Reflections.Count(r => r.IOverSigma >= 3);

            // Tilt.
            if (tiltStale)
            {
                var ts = new LatticeTiltSettings
                {
                    Cell = cell!.Value,
                    CameraConstant = p.ContainsKey("Tilt/CameraConstant") ? Get(p, "Tilt/CameraConstant", 0.0) : double.NaN,
                    ScaleTolerance = Get(p, "Tilt/ScaleTolerance", 0.05),
                    IntensityCorrection = p.TryGetValue("Tilt/IntensityCorrection", out var ic) ? ParseEnum<TiltIntensityCorrection>("Tilt/IntensityCorrection", ic) : TiltIntensityCorrection.BeamLimited,
                };
                var tilt = LatticeTilt.Apply(integ, ts);
                WriteTable(tiltPath, tilt.ReflectionTable); result._written.Add(tiltPath);
                var geo = tilt.Geometry;
                string g = R + "/DiffTilt";
                info.Remove(g);
                info.SetValue(g + "/InputHash", tiltHash!, "string");
                info.SetValue(g + "/Output", Path.GetFileName(tiltPath), "string");
                info.SetValue(g + "/TLTAXIS", F(geo.TiltAxis), "float");
                info.SetValue(g + "/TLTANG", F(geo.TiltAngle), "float");
                info.SetValue(g + "/TAXA", F(geo.Taxa), "float");
                info.SetValue(g + "/TLTAXA", F(geo.Tltaxa), "float");
                info.SetValue(g + "/TLTAXISSigma", F(geo.TiltAxisSigma), "float");
                info.SetValue(g + "/TLTANGSigma", F(geo.TiltAngleSigma), "float");
                info.SetValue(g + "/Hand", geo.Hand.ToString(CultureInfo.InvariantCulture), "int");
                info.SetValue(g + "/CameraConstant", F(geo.Scale), "float");
                info.SetValue(g + "/IntensityFactor", F(tilt.IntensityFactor), "float");
                WriteParameters(info, g, p, new[] { "Tilt" });
                info.Save(folder.InfoPath);
                result.LatticeTilt = tilt;
            }
            result.TiltAngle = Dbl(info.GetValue(R + "/DiffTilt/TLTANG"));
            result.TiltAxis = Dbl(info.GetValue(R + "/DiffTilt/TLTAXIS"));
            if (!cell.HasValue) { result.TiltAngle = double.NaN; result.TiltAxis = double.NaN; }
            return result;
        }

        /// <summary>The untilted cell from Tilt/CellA, CellB, CellGamma, or null when not all three are given.</summary>
        public static PlanarCell? CellOf(IReadOnlyDictionary<string, string> p)
        {
            if (!p.ContainsKey("Tilt/CellA") || !p.ContainsKey("Tilt/CellB") || !p.ContainsKey("Tilt/CellGamma")) return null;
            try { return new PlanarCell(Get(p, "Tilt/CellA", 0.0), Get(p, "Tilt/CellB", 0.0), Get(p, "Tilt/CellGamma", 0.0)); }
            catch (ArgumentException e) { throw new InvalidDataException("DiffProcessing/Tilt: " + e.Message, e); }
        }

        private static void WriteParameters(IpltInfo info, string group, IReadOnlyDictionary<string, string> p, string[] groups)
        {
            foreach (var kv in p)
                if (groups.Any(g => kv.Key.StartsWith(g + "/", StringComparison.Ordinal)))
                    info.SetValue(group + "/Parameters/" + kv.Key, kv.Value, "string");
        }

        private static PlanarLattice? StoredLattice(IpltInfo info, DiffractionImage image)
        {
            string g = R + "/DiffExtract/RefinedLattice";
            var o = Vec(info.GetValue(g + "/Origin")); var a = Vec(info.GetValue(g + "/A")); var b = Vec(info.GetValue(g + "/B"));
            if (o == null || a == null || b == null || Math.Abs(a.Value.Cross(b.Value)) < 1e-9) return null;
            double kb = Dbl(info.GetValue(g + "/BarrelDistortion")), ks = Dbl(info.GetValue(g + "/SpiralDistortion"));
            return new PlanarLattice(o.Value, a.Value, b.Value, image, null, 0, Dbl(info.GetValue(g + "/Rmsd")),
                double.IsNaN(kb) ? 0 : kb, double.IsNaN(ks) ? 0 : ks);
        }

        private static void WriteTable(string path, ReflectionTable table)
        {
            using var w = ReflectionFileWriter.Create(path);
            w.Add(table);
            w.Complete();
        }

        private static ReflectionTable ReadTable(string path, DiffractionImage image, Lattice? lattice, string stage)
        {
            var tables = ReflectionFileReader.Read(path);
            if (tables.Count != 1) throw new InvalidDataException($"'{path}' holds {tables.Count} images; a project step output holds one.");
            return new ReflectionTable(image, lattice, lattice, tables[0].Reflections, stage);
        }

        private static string V(Vec2 v) => string.Format(CultureInfo.InvariantCulture, "({0:R},{1:R})", v.X, v.Y);
        private static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);

        private static Vec2? Vec(string? s)
        {
            if (s == null) return null;
            var parts = s.Trim().TrimStart('(').TrimEnd(')').Split(',');
            if (parts.Length != 2) return null;
            if (double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var x)
                && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var y)) return new Vec2(x, y);
            return null;
        }

        private static double Dbl(string? s) => s != null && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN;
        private static int Int(string? s) => s != null && int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0;

        private static T ParseEnum<T>(string key, string value) where T : struct =>
            Enum.TryParse<T>(value, true, out var e) ? e : throw new InvalidDataException($"DiffProcessing/{key}: '{value}' is not one of {string.Join(", ", Enum.GetNames(typeof(T)))}.");

        private static int Get(IReadOnlyDictionary<string, string> p, string key, int fallback)
        {
            if (!p.TryGetValue(key, out var s)) return fallback;
            return int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw new InvalidDataException($"DiffProcessing/{key}: '{s}' is not an integer.");
        }

        private static double Get(IReadOnlyDictionary<string, string> p, string key, double fallback)
        {
            if (!p.TryGetValue(key, out var s)) return fallback;
            return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && !double.IsNaN(v) ? v : throw new InvalidDataException($"DiffProcessing/{key}: '{s}' is not a number.");
        }

        private static bool Get(IReadOnlyDictionary<string, string> p, string key, bool fallback)
        {
            if (!p.TryGetValue(key, out var s)) return fallback;
            if (s == "1" || s.Equals("true", StringComparison.OrdinalIgnoreCase)) return true;
            if (s == "0" || s.Equals("false", StringComparison.OrdinalIgnoreCase)) return false;
            throw new InvalidDataException($"DiffProcessing/{key}: '{s}' is not true or false.");
        }
    }
}
