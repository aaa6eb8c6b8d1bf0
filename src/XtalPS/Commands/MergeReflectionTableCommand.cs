using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using XtalPS.Formats;
using XtalPS.Geometry;
using XtalPS.Integration;
using XtalPS.Internal;
using XtalPS.Lattices;
using XtalPS.Merging;

namespace XtalPS.Commands
{
    /// <summary>
    /// Merge-ReflectionTable: integrated stills (one reflection table per lattice) to one merged data set per -SplitBy
    /// group, with scaling, partiality and post-refinement, error model, outlier rejection and statistics. The
    /// science is <see cref="ReflectionMerger"/>; this class gathers the tables into the compact store and reports.
    /// </summary>
    [Cmdlet(VerbsData.Merge, "ReflectionTable")]
    [OutputType(typeof(MergedReflectionTable))]
    public sealed class MergeReflectionTableCommand : PSCmdlet
    {
        private readonly ObservationStore _obs = new ObservationStore(1 << 16);
        private readonly LatticeTable _lattices = new LatticeTable();
        private readonly Dictionary<string, int> _perImage = new Dictionary<string, int>(StringComparer.Ordinal);
        private readonly List<string> _groupOfLattice = new List<string>();
        private SpaceGroup? _group;
        private UnitCell? _firstCell;
        private string _firstName = "";
        private ReferenceIntensities? _reference;
        private int _tables, _dropped, _lpCorrected;
        private bool _stop;

        /// <summary>Reflection tables from Invoke-PeakIntegration or Import-ReflectionTable (crystal lattices).</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        [ValidateNotNull]
        public ReflectionTable? InputObject { get; set; }

        /// <summary>The space group to merge in (default: the first table's).</summary>
        [Parameter(Position = 0)]
        [ArgumentCompleter(typeof(Completion.SpaceGroupCompleter))]
        public string? SpaceGroup { get; set; }

        /// <summary>A merged MTZ file to scale against (IMEAN/I or F columns; its FreeR_flag is kept).</summary>
        [Parameter] [ValidateNotNullOrEmpty] public string? Reference { get; set; }

        /// <summary>High-resolution limit, Å.</summary>
        [Parameter] [ValidateRange(0.3, 100.0)] public double DMin { get; set; } = double.NaN;

        /// <summary>A script block run for each table ($_ is the table) whose result names the table's group; each group
        /// is merged into its own data set after one shared scaling.</summary>
        [Parameter] public ScriptBlock? SplitBy { get; set; }

        /// <summary>PostRefine (default), Scale (G and B only) or MonteCarlo (plain average of scaled intensities).</summary>
        [Parameter] public MergeModel Model { get; set; } = MergeModel.PostRefine;

        /// <summary>Cycles of scaling / post-refinement against the merged reference.</summary>
        [Parameter] [ValidateRange(0, 50)] public int Cycles { get; set; } = 3;

        /// <summary>Observations recorded to a smaller fraction than this are not merged.</summary>
        [Parameter] [ValidateRange(0.0, 1.0)] public double MinPartiality { get; set; } = 0.2;

        /// <summary>Reject a lattice whose ΔCC½ is negative and this many robust standard deviations below the median of
        /// all lattices (Assmann et al. 2016); 0 keeps every lattice that passes the other tests.</summary>
        [Parameter] [ValidateRange(0.0, 100.0)] public double DeltaCCHalfCutoff { get; set; } = 6;

        /// <summary>Wavelength (Å) for tables that carry no beam (tables read from files of other programs).</summary>
        [Parameter] [ValidateRange(0.01, 100.0)] public double Wavelength { get; set; } = double.NaN;

        /// <summary>Skip the resolution of an indexing ambiguity: every still is known to be indexed consistently (for
        /// example, reindexed against a reference already).</summary>
        [Parameter] public SwitchParameter AssumeNoAmbiguity { get; set; }

        /// <summary>Threads (default: SLURM_CPUS_PER_TASK, else XTALPS_CPUS, else the processor count); the result does not depend on it.</summary>
        [Parameter] [ValidateRange(0, 1024)] public int ThrottleLimit { get; set; }

        protected override void BeginProcessing()
        {
            if (SpaceGroup != null)
            {
                if (!Lattices.SpaceGroup.TryParse(SpaceGroup, out var g) || g == null)
                    ThrowTerminatingError(ErrorRecords.InvalidArgument($"'{SpaceGroup}' is not a space group XtalPS knows (give a Hermann–Mauguin symbol such as P43212, or a number).", "InvalidCrystalSymmetry", SpaceGroup));
                _group = g;
            }
            if (Reference != null)
            {
                string path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Reference);
                if (!File.Exists(path)) ThrowTerminatingError(ErrorRecords.FileNotFound(path));
                try { _reference = ReferenceIntensities.Read(path); }
                catch (Exception e) when (e is IOException || e is InvalidImageDataException || e is UnauthorizedAccessException)
                {
                    ThrowTerminatingError(ErrorRecords.FromReadException(e, path));
                }
                WriteVerbose($"Reference {path}: {_reference!.Intensities.Count} reflections from column {_reference.Column}, {_reference.SpaceGroup.Symbol}");
            }
        }

        protected override void ProcessRecord()
        {
            if (_stop) return;
            var table = InputObject!;
            _tables++;
            var lattice = (table.RefinedLattice ?? table.Lattice) as CrystalLattice;
            if (lattice == null)
            {
                WriteError(ErrorRecords.InvalidArgument($"{Describe(table)} has no crystal lattice (a planar lattice or a table without a cell); it is left out.", "NoCrystalLattice", table));
                return;
            }
            if (_group == null)
            {
                _group = lattice.Symmetry ?? Lattices.SpaceGroup.FromNumber(1);
                WriteVerbose($"Merging in {_group.Symbol}, the space group of the first table ({Describe(table)})");
                if (_group.Number == 1) WriteWarning("Merging in P 1 (the first table's space group); give -SpaceGroup to merge in the crystal's symmetry.");
            }
            if (_reference != null && _reference.SpaceGroup.LaueGroup != _group.LaueGroup)
            {
                ThrowTerminatingError(ErrorRecords.InvalidArgument($"The reference has Laue class {_reference.SpaceGroup.LaueGroup} ({_reference.SpaceGroup.Symbol}) but the data are merged in {_group.Symbol} ({_group.LaueGroup}).",
                    "ReferenceSymmetryMismatch", Reference));
            }
            var cell = lattice.UnitCell;
            if (!_group.IsCellCompatible(cell, 0.03, 3.0))
            {
                WriteError(ErrorRecords.InvalidArgument($"{Describe(table)}: its cell {cell} does not fit space group {_group.Symbol}; it is left out.", "IncompatibleSpaceGroup", table));
                return;
            }
            if (_firstCell == null) { _firstCell = cell; _firstName = Describe(table); }
            else if (!SimilarCell(_firstCell.Value, cell))
            {
                WriteError(ErrorRecords.InvalidArgument($"{Describe(table)}: its cell {cell} differs by more than 5% from that of {_firstName} ({_firstCell.Value}); it is left out.", "IncompatibleCell", table));
                return;
            }
            Vec3 s0;
            var beam = lattice.Beam ?? table.Image?.Beam;
            if (beam != null) s0 = beam.S0;
            else if (!double.IsNaN(Wavelength)) s0 = new Vec3(0, 0, -1 / Wavelength);
            else
            {
                WriteError(ErrorRecords.InvalidArgument($"{Describe(table)} carries no beam, so its partiality cannot be modelled; give -Wavelength. It is left out.", "NoBeam", table));
                return;
            }
            string key = GroupKey(table);
            string path = table.Image?.SourcePath is { Length: > 0 } p ? p : table.ImageName;
            int frame = table.Image?.FrameIndex ?? 0;
            string imageKey = path + "\n" + frame.ToString(CultureInfo.InvariantCulture);
            _perImage.TryGetValue(imageKey, out int latticeIndex);
            _perImage[imageKey] = latticeIndex + 1;
            var a = lattice.AMatrix;
            int first = _obs.Count;
            int index = _lattices.Add(XtalPS.Lattices.LatticeId.Of(path, frame, latticeIndex), $"{table.ImageName}#{latticeIndex}", a, s0, first, 0);
            _groupOfLattice.Add(key);
            int added = 0;
            foreach (var r in table.Reflections)
            {
                if (double.IsNaN(r.Intensity) || double.IsInfinity(r.Intensity) || !(r.Sigma > 0) || double.IsInfinity(r.Sigma) || (r.H == 0 && r.K == 0 && r.L == 0)) { _dropped++; continue; }
                var q = a * new Vec3(r.H, r.K, r.L);
                // Integration leaves I and σ uncorrected and records the Lorentz–polarisation factor; apply it here.
                double lp = r.LorentzPolarisation;
                if (lp > 0 && !double.IsInfinity(lp)) _lpCorrected++; else lp = 1;
                _obs.Add(index, r.H, r.K, r.L, r.Intensity * lp, r.Sigma * lp, q.LengthSquared);
                added++;
            }
            _lattices.SetObservationCount(index, added);
            if (added == 0) WriteWarning($"{Describe(table)} has no usable reflections (all have NaN intensity or zero σ).");
            if (_tables % 100 == 0)
                WriteProgress(new ProgressRecord(1, "Merge-ReflectionTable", $"Gathered {_lattices.Count} lattices, {_obs.Count} observations"));
        }

        protected override void EndProcessing()
        {
            if (_stop) return;
            if (_lattices.Count == 0 || _group == null)
            {
                WriteError(ErrorRecords.InvalidArgument("Merge-ReflectionTable received no reflection tables it could merge.", "NoReflectionTables", null));
                return;
            }
            WriteVerbose($"{_lpCorrected} of {_obs.Count} observations corrected by their Lorentz–polarisation factor (the rest carry none and are used as they are)");
            if (_dropped > 0) WriteWarning($"{_dropped} reflections with NaN intensity or σ ≤ 0 were left out.");
            if (_lattices.Count == 1) WriteWarning("Only one lattice: the data are scaled to themselves and CC½ cannot be computed (both half-sets need lattices).");
            var names = _groupOfLattice.Distinct(StringComparer.Ordinal).OrderBy(n => n, StringComparer.Ordinal).ToList();
            for (int i = 0; i < _lattices.Count; i++) _lattices.Group[i] = names.IndexOf(_groupOfLattice[i]);
            int threads = ThrottleLimit > 0 ? ThrottleLimit : XtalPS.Internal.ThreadBudget.Default();
            var settings = new MergeSettings
            {
                SpaceGroup = _group, DMin = DMin, Model = Model, Cycles = Cycles, MinPartiality = MinPartiality, DeltaCCHalfCutoff = DeltaCCHalfCutoff,
                ResolveAmbiguity = !AssumeNoAmbiguity, Reference = _reference?.Intensities, FreeRFlags = _reference?.FreeRFlags, GroupNames = names, MaxDegreeOfParallelism = threads,
            };
            WriteVerbose($"Merging {_obs.Count} observations of {_lattices.Count} lattices in {_group.Symbol} ({Model}, {Cycles} cycles, {threads} threads)");
            int step = 0, steps = Model == MergeModel.MonteCarlo ? 3 : Cycles + 3 + names.Count;
            var progress = new Reporter(text =>
            {
                WriteVerbose(text);
                WriteProgress(new ProgressRecord(1, "Merge-ReflectionTable", text) { PercentComplete = Math.Min(99, 100 * ++step / Math.Max(1, steps)) });
            });
            MergeResult result;
            try { result = new ReflectionMerger(settings).Merge(_obs, _lattices, progress); }
            catch (OutOfMemoryException e) { ThrowTerminatingError(new ErrorRecord(e, "MergeOutOfMemory", ErrorCategory.ResourceUnavailable, null)); return; }
            WriteProgress(new ProgressRecord(1, "Merge-ReflectionTable", "Done") { RecordType = ProgressRecordType.Completed });
            var provenance = Provenance(settings);
            for (int g = 0; g < result.DataSets.Count; g++)
            {
                var lattices = new List<MergedLattice>();
                for (int i = 0; i < _lattices.Count; i++)
                {
                    if (names.Count > 1 && _lattices.Group[i] != g) continue;
                    lattices.Add(new MergedLattice
                    {
                        LatticeId = _lattices.Id[i], Name = _lattices.Name[i], Group = names[_lattices.Group[i]], Observations = _lattices.ObservationCount[i],
                        Scale = _lattices.Scale[i], BFactor = _lattices.BFactor[i], RotationX = _lattices.RotationX[i] * 180 / Math.PI,
                        RotationY = _lattices.RotationY[i] * 180 / Math.PI, RlpWidth = _lattices.RlpWidth[i], Mosaicity = _lattices.Mosaicity[i] * 180 / Math.PI, Correlation = _lattices.Correlation[i], DeltaCCHalf = _lattices.DeltaCCHalf[i],
                        Rejected = _lattices.Rejected[i], Rejection = _lattices.Rejection[i] ?? "", HalfSet = _lattices.HalfSet(i),
                        Reindexing = _lattices.Reindexing[i],
                    });
                }
                foreach (var l in lattices.Where(l => l.Rejected).Take(20)) WriteVerbose($"Rejected {l.Name}: {l.Rejection}");
                WriteObject(new MergedReflectionTable(result.DataSets[g], result.Statistics[g], lattices, provenance));
            }
        }

        protected override void StopProcessing() => _stop = true;

        private List<string> Provenance(MergeSettings s)
        {
            var inv = CultureInfo.InvariantCulture;
            string version = typeof(ReflectionMerger).Assembly.GetName().Version?.ToString() ?? "";
            var list = new List<string>
            {
                $"From XtalPS {version} Merge-ReflectionTable, {DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", inv)} UTC",
                string.Format(inv, "SpaceGroup {0} Model {1} Cycles {2} MinPartiality {3} DMin {4}", s.SpaceGroup.CompactSymbol, s.Model, s.Cycles, s.MinPartiality, double.IsNaN(s.DMin) ? "all" : s.DMin.ToString(inv)),
                string.Format(inv, "{0} lattices, {1} observations{2}", _lattices.Count, _obs.Count, Reference != null ? ", reference " + System.IO.Path.GetFileName(Reference) : ""),
            };
            string line = MyInvocation.Line?.Trim() ?? "";
            if (line.Length > 0) list.Add("Command: " + line);
            return list;
        }

        private string GroupKey(ReflectionTable table)
        {
            if (SplitBy == null) return "";
            var result = SplitBy.InvokeWithContext(null, new List<PSVariable> { new PSVariable("_", table) });
            return string.Join(" ", result.Where(o => o != null).Select(o => Convert.ToString(o.BaseObject, CultureInfo.InvariantCulture)));
        }

        private static string Describe(ReflectionTable t) => t.ImageName.Length > 0 ? $"Table of {t.ImageName}" : "A table without an image name";

        private static bool SimilarCell(UnitCell a, UnitCell b) =>
            Math.Abs(a.A - b.A) < 0.05 * a.A && Math.Abs(a.B - b.B) < 0.05 * a.B && Math.Abs(a.C - b.C) < 0.05 * a.C
            && Math.Abs(a.Alpha - b.Alpha) < 5 && Math.Abs(a.Beta - b.Beta) < 5 && Math.Abs(a.Gamma - b.Gamma) < 5;

        /// <summary>Progress reports from the merger, called on the pipeline thread.</summary>
        private sealed class Reporter : IProgress<string>
        {
            private readonly Action<string> _report;
            public Reporter(Action<string> report) => _report = report;
            public void Report(string value) => _report(value);
        }
    }
}
