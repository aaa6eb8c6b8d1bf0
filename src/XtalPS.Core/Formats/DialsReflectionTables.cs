using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using XtalPS.Geometry;
using XtalPS.Imaging;
using XtalPS.Integration;
using XtalPS.Lattices;
using XtalPS.Spots;

namespace XtalPS.Formats
{
    /// <summary>
    /// XtalPS reflection tables to and from a DIALS pair (<c>.refl</c> + <c>.expt</c>): one experiment per lattice,
    /// whose identifier is the lattice's stable id, and one row per reflection with DIALS's column names, units and
    /// flag bits. Columns XtalPS has and DIALS does not (Gaussian fit values, the XtalPS flag word) travel as
    /// <c>xtalps.*</c> columns, which DIALS carries along untouched, so a table written and read back is the same.
    /// </summary>
    public static class DialsReflectionTables
    {
        /// <summary>The prefix of the columns only XtalPS reads.</summary>
        public const string OwnPrefix = "xtalps.";

        // Reflection fields written as DIALS columns; every other ReflectionFileColumns entry goes out as xtalps.LABEL.
        private static readonly HashSet<string> MappedLabels = new HashSet<string>(StringComparer.Ordinal)
        {
            "H", "K", "L", "M/ISYM", "BATCH", "I", "SIGI", "XDET", "YDET", "SIGXDET", "SIGYDET", "XPRED", "YPRED", "PANEL", "BG_INT", "D",
        };

        private static readonly HashSet<string> KnownColumns = new HashSet<string>(StringComparer.Ordinal)
        {
            "id", "miller_index", "panel", "flags", "xyzobs.px.value", "xyzobs.px.variance", "xyzcal.px", "intensity.sum.value",
            "intensity.sum.variance", "intensity.prf.value", "intensity.prf.variance", "background.mean", "d", "bbox", "n_signal",
        };

        /// <summary>The experiments and the one reflection table of a stream of XtalPS tables.</summary>
        public static (DialsReflectionFile Table, List<DialsExperiment> Experiments) FromTables(IEnumerable<ReflectionTable> tables)
        {
            var builder = new Builder();
            foreach (var t in tables) builder.Add(t);
            return builder.Build();
        }

        /// <summary>
        /// Gathers tables one at a time, keeping per row only what the columns need (no images), so a long pipeline
        /// into one .refl file does not hold every image's pixels.
        /// </summary>
        public sealed class Builder
        {
            private readonly List<DialsExperiment> _experiments = new List<DialsExperiment>();
            private readonly List<Row> _rows = new List<Row>();
            private readonly Dictionary<(string, int), int> _perImage = new Dictionary<(string, int), int>();

            private sealed class Row
            {
                public int Experiment;
                public Reflection Reflection = new Reflection();
                public bool Indexed;
                public Vec3 S1;
                public double DeltaPsi;
                public double PixelSize, PixelSizeSlow;
                /// <summary>A spot-finder spot (DIALS's "strong"): flags without the predicted and integrated bits.</summary>
                public bool Spot;
                /// <summary>The spot's pixel box (x0, x1, y0, y1 inclusive), or null to derive one from the box size.</summary>
                public int[]? Box;
                public int Signal;
            }
            private bool _spots;

            public int ExperimentCount => _experiments.Count;
            public int RowCount => _rows.Count;

            /// <summary>Adds one table as one experiment; returns its experiment id.</summary>
            public int Add(ReflectionTable t)
            {
                var lattice = t.RefinedLattice as CrystalLattice ?? t.Lattice as CrystalLattice;
                if (lattice == null && (t.Lattice != null || t.RefinedLattice != null))
                    throw new ArgumentException($"{t.ImageName}: a planar (2D) lattice has no DIALS experiment; DIALS describes 3D crystals only.");
                var image = t.Image ?? t.Lattice?.Image;
                var detector = lattice?.Detector ?? image?.Detector
                    ?? throw new ArgumentException($"{t.ImageName}: the table has no detector (neither a lattice with geometry nor an image); a DIALS experiment needs one.");
                var beam = lattice?.Beam ?? image?.Beam;
                string path = image?.SourcePath ?? "";
                int frame = image?.FrameIndex ?? 0;
                var key = (path.Length > 0 ? path : t.ImageName, frame);
                _perImage.TryGetValue(key, out int latticeIndex);
                _perImage[key] = latticeIndex + 1;
                string id = Identifier(key.Item1, frame, latticeIndex);
                var crystal = lattice == null ? null : DialsCrystal.FromA(lattice.AMatrix, lattice.Symmetry?.Hall ?? " P 1");
                int experiment = _experiments.Count;
                _experiments.Add(new DialsExperiment(id, detector, beam, crystal, path, frame));
                foreach (var r in t.Reflections)
                {
                    // DIALS calls a row indexed when an observed centroid carries the index; predictions alone are not.
                    var row = new Row { Experiment = experiment, Reflection = r.Clone(), Indexed = lattice != null && !double.IsNaN(r.X) && !double.IsNaN(r.Y) && (r.H != 0 || r.K != 0 || r.L != 0) };
                    var panel = detector[Math.Min(Math.Max(r.Panel, 0), detector.PanelCount - 1)];
                    row.PixelSize = panel.PixelSize; row.PixelSizeSlow = panel.PixelSizeSlow;
                    row.S1 = new Vec3(double.NaN, double.NaN, double.NaN); row.DeltaPsi = double.NaN;
                    if (lattice != null && beam != null && row.Indexed && lattice.Predictor.TryPredict(lattice.AMatrix, r.H, r.K, r.L, out var p))
                    { row.S1 = p.S1; row.DeltaPsi = p.DeltaPsi; }
                    else if (beam != null)
                    {
                        bool predicted = !double.IsNaN(r.PredictedX) && !double.IsNaN(r.PredictedY);
                        double x = predicted ? r.PredictedX : r.X, y = predicted ? r.PredictedY : r.Y;
                        if (!double.IsNaN(x) && !double.IsNaN(y)) row.S1 = panel.PixelToS1(x, y, beam);
                    }
                    _rows.Add(row);
                }
                return experiment;
            }

            /// <summary>
            /// Adds one crystal lattice as one experiment (beam, detector, crystal, image) with its indexed spots as
            /// rows, as dials.index writes them: observed centroid and variance, Miller index, prediction, Δψ, the spot's
            /// box and summed intensity, flags indexed and strong. Spots the lattice did not index are not written
            /// (export the spot lists for DIALS's strong.refl). Returns the experiment id.
            /// </summary>
            public int Add(CrystalLattice lattice)
            {
                if (lattice == null) throw new ArgumentNullException(nameof(lattice));
                var source = lattice.Source;
                var detector = lattice.Detector ?? source?.Detector
                    ?? throw new ArgumentException($"{lattice.ImageName}: the lattice has no detector (no image and none given); a DIALS experiment needs one.");
                var beam = lattice.Beam ?? source?.Beam;
                int experiment = NewExperiment(lattice.ImageName, source?.Path ?? "", source?.Frame ?? 0, detector, beam,
                    DialsCrystal.FromA(lattice.AMatrix, lattice.Symmetry?.Hall ?? " P 1", double.IsNaN(lattice.Mosaicity) ? double.NaN : lattice.Mosaicity / 2));
                foreach (var s in lattice.IndexedSpots)
                {
                    var spot = s.Spot;
                    var r = SpotReflection(spot);
                    r.H = s.H; r.K = s.K; r.L = s.L;
                    r.PredictedX = s.PredictedX; r.PredictedY = s.PredictedY;
                    r.DeltaPsi = s.DeltaPsi;
                    var row = SpotRow(experiment, spot, r, detector);
                    row.Indexed = true;
                    row.DeltaPsi = s.DeltaPsi;
                    if (beam != null && lattice.Predictor.TryPredict(lattice.AMatrix, s.H, s.K, s.L, out var p)) row.S1 = p.S1;
                    _rows.Add(row);
                }
                return experiment;
            }

            /// <summary>
            /// Adds one spot list as one experiment without a crystal (beam, detector, image) and its spots as rows,
            /// as dials.find_spots writes them: centroid and variance, box, summed intensity, signal pixel count, flag
            /// strong, Miller index (0, 0, 0). Returns the experiment id.
            /// </summary>
            public int Add(SpotList spots)
            {
                if (spots == null) throw new ArgumentNullException(nameof(spots));
                var source = spots.Source;
                int experiment = NewExperiment(source.Name, source.Path, source.Frame, source.Detector, source.Beam, null);
                foreach (var spot in spots.Spots)
                {
                    var row = SpotRow(experiment, spot, SpotReflection(spot), source.Detector);
                    if (!double.IsNaN(spot.X) && !double.IsNaN(spot.Y)) row.S1 = source.Detector[row.Reflection.Panel].PixelToS1(spot.X, spot.Y, source.Beam);
                    _rows.Add(row);
                }
                return experiment;
            }

            /// <summary>Counts one lattice already written on this image and frame (appending), so new ones get the next index.</summary>
            public void Reserve(string path, int frame)
            {
                var key = (path, frame);
                _perImage.TryGetValue(key, out int n);
                _perImage[key] = n + 1;
            }

            private int NewExperiment(string name, string path, int frame, DetectorModel detector, Beam? beam, DialsCrystal? crystal)
            {
                var key = (path.Length > 0 ? path : name, frame);
                _perImage.TryGetValue(key, out int latticeIndex);
                _perImage[key] = latticeIndex + 1;
                int experiment = _experiments.Count;
                _experiments.Add(new DialsExperiment(Identifier(key.Item1, frame, latticeIndex), detector, beam, crystal, path, frame));
                _spots = true;
                return experiment;
            }

            private static Reflection SpotReflection(BraggSpot spot) => new Reflection
            {
                Panel = spot.Panel, X = spot.X, Y = spot.Y,
                XSigma = spot.VarianceX >= 0 ? Math.Sqrt(spot.VarianceX) : double.NaN,
                YSigma = spot.VarianceY >= 0 ? Math.Sqrt(spot.VarianceY) : double.NaN,
                Intensity = spot.Intensity, Sigma = spot.IntensityVariance >= 0 ? Math.Sqrt(spot.IntensityVariance) : double.NaN,
                D = spot.D > 0 ? spot.D : double.NaN, PredictedX = double.NaN, PredictedY = double.NaN,
            };

            private static Row SpotRow(int experiment, BraggSpot spot, Reflection r, DetectorModel detector)
            {
                if (r.Panel < 0 || r.Panel >= detector.PanelCount)
                    throw new ArgumentException($"a spot is on panel {r.Panel}; the detector has {detector.PanelCount}.");
                var panel = detector[r.Panel];
                return new Row
                {
                    Experiment = experiment, Reflection = r, Spot = true, Box = new[] { spot.MinX, spot.MaxX, spot.MinY, spot.MaxY },
                    Signal = spot.PixelCount, PixelSize = panel.PixelSize, PixelSizeSlow = panel.PixelSizeSlow,
                    S1 = new Vec3(double.NaN, double.NaN, double.NaN), DeltaPsi = double.NaN,
                };
            }

            public (DialsReflectionFile Table, List<DialsExperiment> Experiments) Build()
            {
                var rows = _rows;
                int n = rows.Count;
                double Zero(double v) => double.IsNaN(v) ? 0 : v;
                bool Observed(Reflection r) => !double.IsNaN(r.X) && !double.IsNaN(r.Y);
                bool Integrated(Reflection r) => !double.IsNaN(r.Intensity) && r.Sigma > 0;
                var columns = new List<DialsColumn>
                {
                    DialsColumn.FromNumbers("background.mean", "double", n, (i, c) => Zero(rows[i].Reflection.IntegratedBackground)),
                    DialsColumn.FromNumbers("bbox", "int6", n, (i, c) =>
                    {
                        var r = rows[i].Reflection;
                        // DIALS boxes are half-open: x0 ≤ x < x1.
                        var box = rows[i].Box;
                        if (box != null) return c switch { 0 => box[0], 1 => box[1] + 1, 2 => box[2], 3 => box[3] + 1, 4 => 0, _ => 1 };
                        double x = Observed(r) ? r.X : Zero(r.PredictedX), y = Observed(r) ? r.Y : Zero(r.PredictedY);
                        int half = Math.Max(r.BoxSize, 1);
                        return c switch { 0 => Math.Floor(x) - half, 1 => Math.Floor(x) + half + 1, 2 => Math.Floor(y) - half, 3 => Math.Floor(y) + half + 1, 4 => 0, _ => 1 };
                    }),
                    DialsColumn.FromNumbers("d", "double", n, (i, c) => Zero(rows[i].Reflection.D)),
                    DialsColumn.FromNumbers("delpsical.rad", "double", n, (i, c) => Zero(rows[i].DeltaPsi)),
                    DialsColumn.FromNumbers("entering", "bool", n, (i, c) => 0),
                    DialsColumn.FromNumbers("flags", "std::size_t", n, (i, c) =>
                    {
                        var r = rows[i].Reflection;
                        if (rows[i].Spot) return DialsFlags.Strong | DialsFlags.Observed | (rows[i].Indexed ? DialsFlags.Indexed | DialsFlags.Predicted : 0);
                        ulong f = DialsFlags.Predicted | DialsFlags.FromProblems(r.Flags);
                        if (Observed(r)) f |= DialsFlags.Observed;
                        if (rows[i].Indexed) f |= DialsFlags.Indexed;
                        if (Integrated(r)) f |= DialsFlags.IntegratedSum;
                        return f;
                    }),
                    DialsColumn.FromNumbers("id", "int", n, (i, c) => rows[i].Experiment),
                    DialsColumn.FromNumbers("intensity.sum.value", "double", n, (i, c) => Zero(rows[i].Reflection.Intensity)),
                    DialsColumn.FromNumbers("intensity.sum.variance", "double", n, (i, c) => { var s = rows[i].Reflection.Sigma; return double.IsNaN(s) ? 0 : s * s; }),
                    DialsColumn.FromNumbers("miller_index", "cctbx::miller::index<>", n, (i, c) => { var r = rows[i].Reflection; return c == 0 ? r.H : c == 1 ? r.K : r.L; }),
                    DialsColumn.FromNumbers("panel", "std::size_t", n, (i, c) => Math.Max(rows[i].Reflection.Panel, 0)),
                    DialsColumn.FromNumbers("s1", "vec3<double>", n, (i, c) => Zero(c == 0 ? rows[i].S1.X : c == 1 ? rows[i].S1.Y : rows[i].S1.Z)),
                    DialsColumn.FromNumbers("xyzcal.mm", "vec3<double>", n, (i, c) =>
                    {
                        var r = rows[i].Reflection;
                        return c == 0 ? Zero(r.PredictedX) * rows[i].PixelSize : c == 1 ? Zero(r.PredictedY) * rows[i].PixelSizeSlow : 0;
                    }),
                    DialsColumn.FromNumbers("xyzcal.px", "vec3<double>", n, (i, c) => { var r = rows[i].Reflection; return c == 0 ? Zero(r.PredictedX) : c == 1 ? Zero(r.PredictedY) : 0; }),
                    DialsColumn.FromNumbers("xyzobs.mm.value", "vec3<double>", n, (i, c) =>
                    {
                        var r = rows[i].Reflection;
                        return c == 0 ? Zero(r.X) * rows[i].PixelSize : c == 1 ? Zero(r.Y) * rows[i].PixelSizeSlow : 0;
                    }),
                    DialsColumn.FromNumbers("xyzobs.mm.variance", "vec3<double>", n, (i, c) =>
                    {
                        var r = rows[i].Reflection;
                        return c == 0 ? Variance(r.XSigma) * rows[i].PixelSize * rows[i].PixelSize : c == 1 ? Variance(r.YSigma) * rows[i].PixelSizeSlow * rows[i].PixelSizeSlow : 0;
                    }),
                    DialsColumn.FromNumbers("xyzobs.px.value", "vec3<double>", n, (i, c) => { var r = rows[i].Reflection; return c == 0 ? Zero(r.X) : c == 1 ? Zero(r.Y) : Observed(r) ? 0.5 : 0; }),
                    DialsColumn.FromNumbers("xyzobs.px.variance", "vec3<double>", n, (i, c) =>
                    {
                        var r = rows[i].Reflection;
                        return c == 0 ? Variance(r.XSigma) : c == 1 ? Variance(r.YSigma) : 1.0 / 12;
                    }),
                };
                // Spot rows carry the number of signal pixels, as dials.find_spots writes it.
                if (_spots) columns.Add(DialsColumn.FromNumbers("n_signal", "int", n, (i, c) => rows[i].Signal));
                foreach (var col in ReflectionFileColumns.All)
                {
                    if (MappedLabels.Contains(col.Label)) continue;
                    columns.Add(DialsColumn.FromNumbers(OwnPrefix + col.Label.ToLowerInvariant(), "double", n, (i, c) => col.Get(rows[i].Reflection)));
                }
                columns.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
                var identifiers = _experiments.Select((e, i) => new KeyValuePair<ulong, string>((ulong)i, e.Identifier));
                return (new DialsReflectionFile(n, identifiers, columns), _experiments.ToList());
            }
        }

        /// <summary>A centroid variance from its σ; DIALS refinement weights by 1/variance, so an unknown σ becomes
        /// the variance of a uniform pixel (1/12 px²) rather than zero.</summary>
        private static double Variance(double sigma) => double.IsNaN(sigma) || !(sigma > 0) ? 1.0 / 12 : sigma * sigma;

        /// <summary>What one experiment of a DIALS pair becomes: an indexed table, a spot list, or an error for it.</summary>
        public sealed class ImportedItem
        {
            public ImportedItem(DialsExperiment? experiment, object? item, Exception? error) { Experiment = experiment; Item = item; Error = error; }
            public DialsExperiment? Experiment { get; }
            /// <summary>A <see cref="ReflectionTable"/> (the experiment has a crystal) or a <see cref="SpotList"/> (strong spots).</summary>
            public object? Item { get; }
            public Exception? Error { get; }
        }

        /// <summary>
        /// Rows grouped by experiment id: an experiment with a crystal and indexed rows becomes a reflection table
        /// whose lattice is a <see cref="CrystalLattice"/> on the experiment's detector and beam; one without (strong
        /// spots) becomes a <see cref="SpotList"/> on its image, which <paramref name="loadImage"/> reads again from the
        /// file and frame the experiment names. Without an experiment list, rows become tables without a lattice.
        /// Rows with experiment id −1 (the spots dials.index left unindexed) are skipped when there is an experiment list.
        /// </summary>
        public static IEnumerable<ImportedItem> ToItems(string path, DialsReflectionFile file, IReadOnlyList<DialsExperiment>? experiments,
            Func<DialsExperiment, DiffractionImage> loadImage)
        {
            // Columns XtalPS interprets must hold numbers of a fixed-size type (a damaged type name makes them opaque).
            foreach (var c in file.Columns)
                if (c.Data == null && (c.Name.StartsWith(OwnPrefix, StringComparison.Ordinal) || KnownColumns.Contains(c.Name)))
                    throw new InvalidImageDataException(path, $"the column '{c.Name}' has the type '{c.Type}', which holds no numbers.");
            var idColumn = file["id"];
            var groups = new SortedDictionary<int, List<int>>();
            for (int i = 0; i < file.RowCount; i++)
            {
                int id = idColumn == null ? 0 : (int)idColumn.Get(i);
                if (!groups.TryGetValue(id, out var list)) groups[id] = list = new List<int>();
                list.Add(i);
            }
            var miller = file["miller_index"];
            foreach (var g in groups)
            {
                // DIALS gives the spots indexing left over experiment id −1; they belong to no experiment and are not read.
                if (g.Key < 0 && experiments != null) continue;
                DialsExperiment? e = null;
                if (experiments != null)
                {
                    // Ids point to experiments through the identifier map when there is one, else by position.
                    int index = g.Key;
                    var ident = file.Identifiers.FirstOrDefault(p => (long)p.Key == g.Key).Value;
                    if (ident != null)
                    {
                        int byName = -1;
                        for (int k = 0; k < experiments.Count; k++) if (experiments[k].Identifier == ident) { byName = k; break; }
                        if (byName >= 0) index = byName;
                    }
                    if (index < 0 || index >= experiments.Count)
                    {
                        yield return new ImportedItem(null, null, new InvalidImageDataException(path, $"{g.Value.Count} reflections have experiment id {g.Key}, which the experiment list does not hold."));
                        continue;
                    }
                    e = experiments[index];
                }
                bool indexed = miller != null && g.Value.Any(i => miller.Get(i, 0) != 0 || miller.Get(i, 1) != 0 || miller.Get(i, 2) != 0);
                ImportedItem item;
                try
                {
                    if (e != null && (e.Crystal == null || !indexed)) item = new ImportedItem(e, Spots(path, file, g.Value, e, loadImage(e)), null);
                    else item = new ImportedItem(e, Table(path, file, g.Key, g.Value, e), null);
                }
                catch (Exception ex) when (ex is InvalidImageDataException || ex is IOException || ex is UnauthorizedAccessException)
                {
                    item = new ImportedItem(e, null, ex);
                }
                catch (Exception ex) when (ex is ArgumentException || ex is FormatException || ex is InvalidOperationException)
                {
                    // Numbers no model can hold (a singular setting matrix, …) are bad data in the file.
                    item = new ImportedItem(e, null, new InvalidImageDataException(path, $"experiment id {g.Key}: {ex.Message}", ex));
                }
                yield return item;
            }
        }

        private static ReflectionTable Table(string path, DialsReflectionFile file, int id, List<int> rows, DialsExperiment? e)
        {
            CrystalLattice? lattice = null;
            if (e?.Crystal != null)
            {
                SpaceGroup? group = null;
                try { if (e.Crystal.SpaceGroupHallSymbol.Trim().Length > 0) group = SpaceGroup.FromHall(e.Crystal.SpaceGroupHallSymbol); }
                catch (FormatException) { group = null; }
                double mosaicity = double.IsNaN(e.Crystal.HalfMosaicityDegrees) ? double.NaN : 2 * e.Crystal.HalfMosaicityDegrees;
                lattice = new CrystalLattice(e.Crystal.A, group, mosaicity: mosaicity, detector: e.Detector, beam: e.Beam);
            }
            var miller = file["miller_index"]; var panel = file["panel"]; var flags = file["flags"];
            var obs = file["xyzobs.px.value"]; var obsVar = file["xyzobs.px.variance"]; var cal = file["xyzcal.px"];
            var sum = file["intensity.sum.value"]; var sumVar = file["intensity.sum.variance"];
            var prf = file["intensity.prf.value"]; var prfVar = file["intensity.prf.variance"];
            var background = file["background.mean"]; var d = file["d"];
            var own = ReflectionFileColumns.All.Where(c => !MappedLabels.Contains(c.Label))
                .Select(c => (Column: c, Data: file[OwnPrefix + c.Label.ToLowerInvariant()])).Where(p => p.Data != null).ToArray();
            var reflections = new List<Reflection>(rows.Count);
            foreach (int i in rows)
            {
                ulong f = flags == null ? DialsFlags.Observed : (ulong)flags.Get(i);
                var r = new Reflection { Batch = id + 1 };
                if (miller != null) { r.H = (int)miller.Get(i, 0); r.K = (int)miller.Get(i, 1); r.L = (int)miller.Get(i, 2); }
                if (panel != null) r.Panel = (int)panel.Get(i);
                // Integrated rows carry their centroid without the observed bit; (0, 0, 0) marks "not measured".
                bool observed = obs != null && ((f & DialsFlags.Observed) != 0 || obs.Get(i, 0) != 0 || obs.Get(i, 1) != 0 || obs.Get(i, 2) != 0);
                if (observed)
                {
                    r.X = obs!.Get(i, 0); r.Y = obs.Get(i, 1);
                    if (obsVar != null) { r.XSigma = Math.Sqrt(Math.Max(0, obsVar.Get(i, 0))); r.YSigma = Math.Sqrt(Math.Max(0, obsVar.Get(i, 1))); }
                }
                r.PredictedX = cal != null ? cal.Get(i, 0) : double.NaN;
                r.PredictedY = cal != null ? cal.Get(i, 1) : double.NaN;
                bool usePrf = prf != null && prfVar != null && (f & DialsFlags.IntegratedPrf) != 0;
                if (usePrf) { r.Intensity = prf!.Get(i); r.Sigma = Math.Sqrt(Math.Max(0, prfVar!.Get(i))); }
                else if (sum != null && sumVar != null) { r.Intensity = sum.Get(i); r.Sigma = Math.Sqrt(Math.Max(0, sumVar.Get(i))); }
                if (background != null) r.IntegratedBackground = background.Get(i);
                if (d != null && d.Get(i) > 0) r.D = d.Get(i);
                else if (lattice != null && (r.H != 0 || r.K != 0 || r.L != 0)) r.D = lattice.UnitCell.D(r.H, r.K, r.L);
                r.Flags = DialsFlags.ToProblems(f);
                r.WellBehaved = (f & (DialsFlags.IntegratedSum | DialsFlags.IntegratedPrf)) != 0 && r.Flags == ReflectionFlags.None;
                foreach (var (column, data) in own) column.Set(r, data!.Get(i));
                reflections.Add(r);
            }
            string name = e == null || e.ImagePath.Length == 0 ? Path.GetFileName(path) + "#" + id
                : e.Frame == 0 ? Path.GetFileName(e.ImagePath) : $"{Path.GetFileName(e.ImagePath)}#{e.Frame}";
            return new ReflectionTable(null, lattice, null, reflections, ReflectionFileReader.Stage, name);
        }

        private static SpotList Spots(string path, DialsReflectionFile file, List<int> rows, DialsExperiment e, DiffractionImage image)
        {
            var obs = file["xyzobs.px.value"] ?? throw new InvalidImageDataException(path, "the table has no xyzobs.px.value column; spots need their centroids.");
            var obsVar = file["xyzobs.px.variance"]; var panel = file["panel"]; var bbox = file["bbox"];
            var sum = file["intensity.sum.value"]; var sumVar = file["intensity.sum.variance"]; var signal = file["n_signal"];
            var spots = new List<BraggSpot>(rows.Count);
            foreach (int i in rows)
            {
                int p = panel == null ? 0 : (int)panel.Get(i);
                if (p < 0 || p >= image.Detector.PanelCount) throw new InvalidImageDataException(path, $"row {i} is on panel {p}; the detector has {image.Detector.PanelCount}.");
                double x = obs.Get(i, 0), y = obs.Get(i, 1);
                int x0 = bbox != null ? (int)bbox.Get(i, 0) : (int)Math.Floor(x), x1 = bbox != null ? (int)bbox.Get(i, 1) - 1 : (int)Math.Floor(x);
                int y0 = bbox != null ? (int)bbox.Get(i, 2) : (int)Math.Floor(y), y1 = bbox != null ? (int)bbox.Get(i, 3) - 1 : (int)Math.Floor(y);
                int pixels = signal != null ? (int)signal.Get(i) : Math.Max(1, (x1 - x0 + 1) * (y1 - y0 + 1));
                var spot = new BraggSpot(p, x, y, obsVar?.Get(i, 0) ?? double.NaN, obsVar?.Get(i, 1) ?? double.NaN,
                    sum?.Get(i) ?? double.NaN, sumVar?.Get(i) ?? double.NaN, pixels, x0, x1, y0, y1, double.NaN);
                spots.Add(spot.WithGeometry(image.Detector[p], image.Beam));
            }
            return new SpotList(image, spots, "DIALS");
        }

        /// <summary>The stable lattice id (<see cref="Lattices.LatticeId"/>) as a DIALS experiment identifier: 16 hex digits.</summary>
        public static string Identifier(string path, int frame, int latticeIndex) =>
            unchecked((ulong)Lattices.LatticeId.Of(path, frame, latticeIndex)).ToString("x16", CultureInfo.InvariantCulture);
    }
}
