using System;
using System.Collections.Generic;
using System.Linq;
using XtalPS.Imaging;
using XtalPS.Integration;
using XtalPS.Lattices;
using XtalPS.Merging;
using XtalPS.Metrology;
using XtalPS.Spots;

namespace XtalPS.Pictures
{
    /// <summary>
    /// Reduces a stream of pipeline results to what the plots and the run report draw: one small record per image,
    /// the cells of the lattices, the measured reflections (d, I, σ), metrology results, cell summaries and warnings.
    /// Pixels are never kept, except for the few example images a report shows.
    /// </summary>
    /// <remarks>A new result type (merging statistics, campaign summaries) is one more case in <see cref="Add"/> that
    /// keeps its reduced data here, and one plot builder that draws it.</remarks>
    public sealed class RunCollector
    {
        /// <summary>Reflections kept exactly; beyond this a uniform sample of this size (fixed seed) stands for them.</summary>
        public const int ReflectionCapacity = 500_000;

        private readonly Dictionary<string, RunImageRecord> _byKey = new Dictionary<string, RunImageRecord>(StringComparer.Ordinal);
        private readonly List<RunImageRecord> _images = new List<RunImageRecord>();
        // Objects already counted, per image, held weakly: an object that is gone cannot come again.
        private readonly Dictionary<string, List<WeakReference>> _seen = new Dictionary<string, List<WeakReference>>(StringComparer.Ordinal);
        private readonly List<(int Image, UnitCell Cell)> _cells = new List<(int, UnitCell)>();
        private readonly List<(int Image, double A, double B, double Gamma)> _planarCells = new List<(int, double, double, double)>();
        private readonly List<double> _d = new List<double>(), _i = new List<double>(), _sigma = new List<double>();
        private long _reflectionsSeen;
        private ulong _sampler = 0x9E3779B97F4A7C15UL;
        private readonly List<MetrologyResult> _metrology = new List<MetrologyResult>();
        private readonly List<UnitCellSummary> _summaries = new List<UnitCellSummary>();
        private readonly List<MergedReflectionTable> _merged = new List<MergedReflectionTable>();
        private readonly List<RunWarning> _warnings = new List<RunWarning>();
        private readonly int _exampleCount;
        private readonly List<(string Key, object Holder, long Score)> _examples = new List<(string, object, long)>();

        /// <param name="exampleCount">How many example images (their richest object) to keep for pictures.</param>
        public RunCollector(int exampleCount = 0) { _exampleCount = Math.Max(0, exampleCount); }

        public IReadOnlyList<RunImageRecord> Images => _images;
        public IReadOnlyList<(int Image, UnitCell Cell)> Cells => _cells;
        public IReadOnlyList<(int Image, double A, double B, double Gamma)> PlanarCells => _planarCells;
        public IReadOnlyList<double> ReflectionD => _d;
        public IReadOnlyList<double> ReflectionIntensity => _i;
        public IReadOnlyList<double> ReflectionSigma => _sigma;
        /// <summary>Reflections seen in all (more than <see cref="ReflectionD"/> holds when sampled).</summary>
        public long ReflectionsSeen => _reflectionsSeen;
        public IReadOnlyList<MetrologyResult> MetrologyResults => _metrology;
        public IReadOnlyList<UnitCellSummary> UnitCellSummaries => _summaries;
        /// <summary>Merged data sets (their statistics and normalised deviations; no observations are kept).</summary>
        public IReadOnlyList<MergedReflectionTable> MergedDataSets => _merged;
        public IReadOnlyList<RunWarning> Warnings => _warnings;
        /// <summary>The kept example objects, best first.</summary>
        public IReadOnlyList<object> Examples => _examples.OrderByDescending(e => e.Score).Select(e => e.Holder).ToArray();

        /// <summary>True when the object is a result this collector reduces.</summary>
        public static bool Accepts(object? o) =>
            PictureInput.IsImageBound(o) || o is MetrologyResult || o is UnitCellSummary || o is MergedReflectionTable;

        /// <summary>Reduces one pipeline object.</summary>
        /// <exception cref="ArgumentException">The object is not a pipeline result that pictures know.</exception>
        public void Add(object o)
        {
            switch (o)
            {
                case MetrologyResult m:
                    if (!_metrology.Any(x => ReferenceEquals(x, m))) _metrology.Add(m);
                    return;
                case UnitCellSummary s:
                    if (!_summaries.Any(x => ReferenceEquals(x, s))) _summaries.Add(s);
                    return;
                case MergedReflectionTable merged:
                    if (!_merged.Any(x => ReferenceEquals(x, merged))) _merged.Add(merged);
                    return;
            }
            if (!PictureInput.IsImageBound(o))
                throw new ArgumentException($"A {o?.GetType().Name ?? "null"} is not a result that pictures draw: pipe images, spot lists, lattices, reflection tables, metrology results, cell summaries or merged data sets.");
            string key = PictureInput.KeyOf(o);
            if (key.Length == 0) key = "object:" + _images.Count;
            if (!_byKey.TryGetValue(key, out var record))
            {
                record = new RunImageRecord(_images.Count + 1, key, PictureInput.NameOf(o));
                _byKey.Add(key, record);
                _images.Add(record);
                _seen.Add(key, new List<WeakReference>());
            }
            var seen = _seen[key];
            bool FirstTime(object x)
            {
                seen.RemoveAll(w => !w.IsAlive);
                if (seen.Any(w => ReferenceEquals(w.Target, x))) return false;
                seen.Add(new WeakReference(x));
                return true;
            }
            if (!FirstTime(o)) return;

            int spots = PictureInput.SpotCountOf(o);
            if (spots > record.Spots) record.Spots = spots;
            double dmin = PictureInput.SpotDMinOf(o);
            if (!double.IsNaN(dmin) && !(dmin >= record.DMin)) record.DMin = dmin;
            foreach (var lattice in PictureInput.LatticesOf(o))
            {
                // A table's lattice and its refined lattice are one lattice, counted once.
                bool isNew = ReferenceEquals(lattice, o) || FirstTime(lattice);
                if (o is ReflectionTable t && t.RefinedLattice != null && !ReferenceEquals(t.RefinedLattice, lattice)) isNew &= FirstTime(t.RefinedLattice);
                if (!isNew) continue;
                record.Lattices++;
                record.Indexed += lattice.IndexedCount;
                switch (lattice)
                {
                    case CrystalLattice c: _cells.Add((record.Number, c.UnitCell)); break;
                    case PlanarLattice p: _planarCells.Add((record.Number, p.A.Length, p.B.Length, p.Gamma)); break;
                }
            }
            if (o is ReflectionTable table)
            {
                foreach (var r in PictureInput.MeasuredReflections(table))
                {
                    record.Reflections++;
                    if (double.IsNaN(r.D) || double.IsInfinity(r.D)) continue;
                    AddReflection(r.D, r.I, r.Sigma);
                }
            }
            Consider(key, o, record);
        }

        /// <summary>Adds a warning (a pipeline error passed in, or a note of the caller).</summary>
        public void AddWarning(RunWarning warning) { if (warning != null) _warnings.Add(warning); }

        // Reservoir sampling (Vitter's algorithm R) keeps a uniform sample once the capacity is reached.
        private void AddReflection(double d, double i, double sigma)
        {
            _reflectionsSeen++;
            if (_d.Count < ReflectionCapacity) { _d.Add(d); _i.Add(i); _sigma.Add(sigma); return; }
            _sampler ^= _sampler << 13; _sampler ^= _sampler >> 7; _sampler ^= _sampler << 17;
            long slot = (long)(_sampler % (ulong)_reflectionsSeen);
            if (slot < ReflectionCapacity) { _d[(int)slot] = d; _i[(int)slot] = i; _sigma[(int)slot] = sigma; }
        }

        // Keeps the richest object of the best images: lattices and indexed spots first, then spots.
        private void Consider(string key, object o, RunImageRecord record)
        {
            if (_exampleCount == 0 || PictureInput.ImageOf(o) == null && string.IsNullOrEmpty(PictureInput.SourceOf(o).Path)) return;
            long score = (long)record.Lattices * 1_000_000_000L + (long)record.Indexed * 100_000L + Math.Max(0, record.Spots);
            int at = _examples.FindIndex(e => e.Key == key);
            if (at >= 0)
            {
                var held = _examples[at].Holder;
                _examples[at] = (key, PictureInput.Richness(o) >= PictureInput.Richness(held) ? o : held, score);
                return;
            }
            if (_examples.Count < _exampleCount) { _examples.Add((key, o, score)); return; }
            int worst = 0;
            for (int k = 1; k < _examples.Count; k++) if (_examples[k].Score < _examples[worst].Score) worst = k;
            if (score > _examples[worst].Score) _examples[worst] = (key, o, score);
        }
    }
}
