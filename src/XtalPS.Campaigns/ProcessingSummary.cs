using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using XtalPS.Lattices;

namespace XtalPS.Campaigns
{
    /// <summary>How many images failed with one error id, and one of them as an example.</summary>
    public sealed class FailureCount
    {
        public string ErrorId { get; set; } = "";
        public int Images { get; set; }
        public string Example { get; set; } = "";
        public string Message { get; set; } = "";
        public override string ToString() => $"{ErrorId}: {Images}";
    }

    /// <summary>
    /// What a campaign found, for a crystallographer: hit rate (images with at least MinSpots spots), indexing rate
    /// (indexed hits over hits, as cctbx.xfel reports it), lattices per indexed image, the cell distribution (unit-cell
    /// clustering of the crystal lattices' cells), resolution, and failures by error id. Counts come from the chunk
    /// tables, so they are the same however the campaign was chunked or scheduled.
    /// </summary>
    public sealed class ProcessingSummary
    {
        /// <summary>Cells clustered at most (single linkage is quadratic); beyond it an even, deterministic sample in lattice order.</summary>
        public const int MaxClusteredCells = 3000;

        public string Campaign { get; set; } = "";
        public string Folder { get; set; } = "";
        public int Chunks { get; set; }
        public int CompletedChunks { get; set; }
        /// <summary>Files in the chunks that are complete (the campaign's whole list is FileCount).</summary>
        public int FileCount { get; set; }
        public int Images { get; set; }
        public int MinSpots { get; set; }
        public int Hits { get; set; }
        public double HitRate => Images == 0 ? double.NaN : (double)Hits / Images;
        /// <summary>Images with at least one lattice.</summary>
        public int Indexed { get; set; }
        /// <summary>Hits with at least one lattice, over hits.</summary>
        public int IndexedHits { get; set; }
        public double IndexingRate => Hits == 0 ? double.NaN : (double)IndexedHits / Hits;
        /// <summary>Images with at least one integrated reflection.</summary>
        public int Integrated { get; set; }
        public int Lattices { get; set; }
        public double LatticesPerImage => Indexed == 0 ? double.NaN : (double)Lattices / Indexed;
        /// <summary>Images with two lattices or more.</summary>
        public int MultiLatticeImages { get; set; }
        public long Reflections { get; set; }
        public double ReflectionsPerLattice => Lattices == 0 ? double.NaN : (double)Reflections / Lattices;
        /// <summary>Images with an error (their first error's id is counted in <see cref="Failures"/>).</summary>
        public int Failed { get; set; }
        public IReadOnlyList<FailureCount> Failures { get; set; } = Array.Empty<FailureCount>();
        /// <summary>The consensus cell and clusters of the crystal lattices' cells (null without crystal lattices).</summary>
        public UnitCellSummary? CellClusters { get; set; }
        public UnitCell? Cell => CellClusters?.ConsensusCell;
        public int CellsClustered { get; set; }
        /// <summary>Median over hits of the outermost spot's resolution, Å.</summary>
        public double MedianSpotDMin { get; set; } = double.NaN;
        /// <summary>Median over integrated images of the outermost reflection with I/σ ≥ 2, Å.</summary>
        public double MedianDMin { get; set; } = double.NaN;
        /// <summary>10th percentile (the best tenth) of the same, Å.</summary>
        public double BestDMin { get; set; } = double.NaN;
        /// <summary>Sum over images of the script's wall-clock seconds (the processing cost).</summary>
        public double ImageSeconds { get; set; }

        /// <summary>Reads the images (and lattices) tables of every complete chunk. With <paramref name="perImage"/> each
        /// image record is also handed over as it is read (the -PerImage stream).</summary>
        public static ProcessingSummary Read(CampaignFolder folder, int minSpots, double clusterThreshold, Action<ImageRecord>? perImage)
        {
            var manifest = folder.ReadManifest();
            var s = new ProcessingSummary { Campaign = manifest.Name, Folder = folder.Path, Chunks = manifest.ChunkCount, MinSpots = minSpots };
            var failures = new Dictionary<string, FailureCount>(StringComparer.Ordinal);
            var spotDMin = new List<double>();
            var dMin = new List<double>();
            var cells = new List<UnitCell>();
            var images = new ImageTable();
            var lattices = new LatticeTableCells();
            for (int c = 0; c < manifest.ChunkCount; c++)
            {
                var record = folder.CompletedRecord(c, manifest.Id);
                if (record == null) continue;
                s.CompletedChunks++;
                s.FileCount += Math.Min(manifest.ChunkSize, manifest.FileCount - c * manifest.ChunkSize);
                foreach (int rows in ChunkTables.ReadRowGroups(folder.ChunkFile(c, ChunkTables.Images), images))
                    for (int i = 0; i < rows; i++)
                    {
                        var r = images.Get(i);
                        perImage?.Invoke(r);
                        s.Images++;
                        s.ImageSeconds += r.Seconds;
                        bool hit = r.IsHit(minSpots);
                        if (hit) { s.Hits++; if (!double.IsNaN(r.SpotDMin)) spotDMin.Add(r.SpotDMin); }
                        if (r.Lattices > 0) { s.Indexed++; if (hit) s.IndexedHits++; }
                        if (r.Lattices > 1) s.MultiLatticeImages++;
                        if (r.Reflections > 0) { s.Integrated++; if (!double.IsNaN(r.DMin)) dMin.Add(r.DMin); }
                        s.Lattices += r.Lattices;
                        s.Reflections += r.Reflections;
                        if (r.ErrorId != null)
                        {
                            s.Failed++;
                            if (!failures.TryGetValue(r.ErrorId, out var f))
                                failures[r.ErrorId] = f = new FailureCount { ErrorId = r.ErrorId, Example = r.Name, Message = r.ErrorMessage ?? "" };
                            f.Images++;
                        }
                    }
                foreach (int rows in ChunkTables.ReadRowGroups(folder.ChunkFile(c, ChunkTables.Lattices), lattices))
                    for (int i = 0; i < rows; i++)
                        if (lattices.Cell(i) is UnitCell cell) cells.Add(cell);
            }
            s.Failures = failures.Values.OrderByDescending(f => f.Images).ThenBy(f => f.ErrorId, StringComparer.Ordinal).ToList();
            s.MedianSpotDMin = Quantile(spotDMin, 0.5);
            s.MedianDMin = Quantile(dMin, 0.5);
            s.BestDMin = Quantile(dMin, 0.1);
            if (cells.Count > 0)
            {
                var sample = cells.Count <= MaxClusteredCells ? cells
                    : Enumerable.Range(0, MaxClusteredCells).Select(k => cells[(int)((long)k * cells.Count / MaxClusteredCells)]).ToList();
                s.CellsClustered = sample.Count;
                s.CellClusters = UnitCellClustering.Summarize(sample, new UnitCellClusteringSettings { Threshold = clusterThreshold });
            }
            return s;
        }

        private static double Quantile(List<double> values, double q)
        {
            if (values.Count == 0) return double.NaN;
            values.Sort();
            double pos = q * (values.Count - 1);
            int lo = (int)Math.Floor(pos), hi = Math.Min(values.Count - 1, lo + 1);
            return values[lo] + (pos - lo) * (values[hi] - values[lo]);
        }

        public override string ToString() => string.Format(CultureInfo.InvariantCulture,
            "{0}: {1} images, {2} hits ({3:P1}), {4} indexed ({5:P1} of hits), {6} lattices, {7} reflections, {8} failed",
            Campaign, Images, Hits, HitRate, Indexed, IndexingRate, Lattices, Reflections, Failed);
    }

    /// <summary>The cell columns of a lattices table (the summary reads nothing else of it).</summary>
    internal sealed class LatticeTableCells : ColumnTable
    {
        private readonly Column<double> _a, _b, _c, _alpha, _beta, _gamma;

        public LatticeTableCells()
        {
            _a = Add<double>("a"); _b = Add<double>("b"); _c = Add<double>("c");
            _alpha = Add<double>("alpha"); _beta = Add<double>("beta"); _gamma = Add<double>("gamma");
        }

        public UnitCell? Cell(int row)
        {
            if (double.IsNaN(_a[row])) return null;
            try { return new UnitCell(_a[row], _b[row], _c[row], _alpha[row], _beta[row], _gamma[row]); }
            catch (ArgumentException) { return null; }
        }
    }
}
