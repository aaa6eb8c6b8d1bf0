using System;
using System.Collections.Generic;
using System.Management.Automation;
using XtalPS.Geometry;
using XtalPS.Imaging;
using XtalPS.Internal;
using XtalPS.Lattices;
using XtalPS.Spots;

namespace XtalPS.Commands
{
    /// <summary>Get-Lattice: spot lists (or images) → lattice models, streamed in input order.</summary>
    [Cmdlet(VerbsCommon.Get, "Lattice", DefaultParameterSetName = CrystalSet)]
    [OutputType(typeof(PlanarLattice), typeof(CrystalLattice))]
    public sealed class GetLatticeCommand : PSCmdlet, IDisposable
    {
        private const string PlanarSet = "Planar";
        private const string CrystalSet = "Crystal";
        private OrderedParallelRunner<SpotList, Lattice[]>? _runner;
        private PlanarSearchSettings? _planar;
        private IndexingSettings? _crystal;

        /// <summary>A SpotList from Find-BraggSpot, or a DiffractionImage (spots are then found with the defaults).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        public object? InputObject { get; set; }

        /// <summary>Find a planar 2D lattice (electron diffraction of 2D crystals) instead of indexing a crystal.</summary>
        [Parameter(Mandatory = true, ParameterSetName = PlanarSet)]
        public SwitchParameter Planar { get; set; }

        /// <summary>Position of lattice point (0,0), px; with -A and -B, seeds the lattice by hand.</summary>
        [Parameter(ParameterSetName = PlanarSet)] [ValidateCount(2, 2)] public double[]? Origin { get; set; }
        [Parameter(ParameterSetName = PlanarSet)] [ValidateCount(2, 2)] public double[]? A { get; set; }
        [Parameter(ParameterSetName = PlanarSet)] [ValidateCount(2, 2)] public double[]? B { get; set; }

        /// <summary>Also fit IPLT's barrel and spiral distortion terms.</summary>
        [Parameter(ParameterSetName = PlanarSet)] public SwitchParameter FitDistortion { get; set; }

        /// <summary>The known unit cell a, b, c (Å), α, β, γ (°) of a crystal; without it the cell is searched for and lattices come out in P 1.</summary>
        [Parameter(ParameterSetName = CrystalSet)] [ValidateCount(6, 6)] public double[]? UnitCell { get; set; }

        /// <summary>Without -UnitCell: the longest cell edge looked for, Å (0 = estimated from the spots).</summary>
        [Parameter(ParameterSetName = CrystalSet)] [ValidateRange(0, 2000)] public double MaxCell { get; set; }

        /// <summary>Space group: Hermann–Mauguin symbol (with or without spaces), number 1–230, or Hall symbol.</summary>
        [Parameter(ParameterSetName = CrystalSet)]
        [ArgumentCompleter(typeof(Completion.SpaceGroupCompleter))]
        [ValidateNotNullOrEmpty]
        public string SpaceGroup { get; set; } = "P 1";

        /// <summary>Lattices to look for on each still (several crystals in the beam).</summary>
        [Parameter(ParameterSetName = CrystalSet)] [ValidateRange(1, 20)] public int MaxLattices { get; set; } = 1;

        /// <summary>Stills with fewer spots are not tried.</summary>
        [Parameter(ParameterSetName = CrystalSet)] [ValidateRange(3, 1000000)] public int MinSpots { get; set; } = 16;

        /// <summary>Use only spots with d ≥ DMin (Å) for indexing.</summary>
        [Parameter(ParameterSetName = CrystalSet)] [ValidateRange(0, double.MaxValue)] public double DMin { get; set; }

        /// <summary>Keep the cell as given instead of refining it with the orientation.</summary>
        [Parameter(ParameterSetName = CrystalSet)] public SwitchParameter FixCell { get; set; }

        /// <summary>Largest distance of fractional indices from integers for a spot to count as indexed (planar 0.2, crystal 0.3).</summary>
        [Parameter] [ValidateRange(0.01, 0.5)] public double IndexTolerance { get; set; }

        /// <summary>Refuse lattices whose RMSD (px) is above this (planar 2, crystal 2.5 so that stills on an unrefined multi-panel detector pass).</summary>
        [Parameter] [ValidateRange(0, 1000)] public double MaxRmsd { get; set; }

        /// <summary>Fewest indexed spots for a lattice (planar 6, crystal 12).</summary>
        [Parameter] [ValidateRange(3, 1000000)] public int MinIndexed { get; set; }

        /// <summary>Images processed at once; by default the cores this process may use (SLURM_CPUS_PER_TASK, XTALPS_CPUS, else the processor count). Every stage of a pipeline draws from that one budget, so the whole pipeline computes on that many threads; the output does not depend on it.</summary>
        [Parameter] [ValidateRange(1, 256)] public int ThrottleLimit { get; set; }

        protected override void BeginProcessing()
        {
            bool Bound(string name) => MyInvocation.BoundParameters.ContainsKey(name);
            if (ParameterSetName == PlanarSet)
            {
                if ((A == null) != (B == null))
                    ThrowTerminatingError(ErrorRecords.InvalidArgument("Give both -A and -B to seed a lattice, or neither.", "IncompleteLatticeSeed", null));
                _planar = new PlanarSearchSettings
                {
                    Origin = Origin != null ? Vec2.FromArray(Origin) : (Vec2?)null,
                    A = A != null ? Vec2.FromArray(A) : (Vec2?)null,
                    B = B != null ? Vec2.FromArray(B) : (Vec2?)null,
                    FitDistortion = FitDistortion,
                };
                if (Bound(nameof(IndexTolerance))) _planar.IndexTolerance = IndexTolerance;
                if (Bound(nameof(MaxRmsd))) _planar.MaxRmsd = MaxRmsd;
                if (Bound(nameof(MinIndexed))) _planar.MinIndexed = MinIndexed;
                WriteVerbose($"Planar lattice search: tolerance {_planar.IndexTolerance}, RMSD limit {_planar.MaxRmsd} px");
            }
            else
            {
                if (UnitCell == null)
                {
                    // Unknown cell: indexing in P 1; a space group or a fixed cell would need the cell.
                    if (Bound(nameof(SpaceGroup)) || FixCell)
                        ThrowTerminatingError(ErrorRecords.InvalidArgument("-SpaceGroup and -FixCell need -UnitCell: without a known cell, stills are indexed in P 1 " +
                            "(find the lattice symmetry of many stills with Measure-UnitCell).", "UnitCellRequired", null));
                    _crystal = new IndexingSettings { MaxLattices = MaxLattices, MinSpots = MinSpots, DMin = DMin, MaxCell = MaxCell };
                }
                else
                {
                    Lattices.SpaceGroup group;
                    Lattices.UnitCell cell;
                    try
                    {
                        group = Lattices.SpaceGroup.Parse(SpaceGroup);
                        cell = Lattices.UnitCell.FromArray(UnitCell);
                    }
                    catch (Exception e) when (e is ArgumentException || e is FormatException || e is KeyNotFoundException)
                    {
                        ThrowTerminatingError(ErrorRecords.InvalidArgument(e.Message, "InvalidCrystalSymmetry", SpaceGroup));
                        return;
                    }
                    // Every still would fail against a cell the space group cannot have: refuse before reading any.
                    if (!group.IsCellCompatible(cell))
                    {
                        ThrowTerminatingError(ErrorRecords.InvalidArgument(
                            $"The cell {cell} does not have the symmetry of {group} ({group.LatticeSystem.ToString().ToLowerInvariant()}; the nearest such cell is {group.ConstrainCell(cell)}): " +
                            "give the cell in the space group's setting, or the space group that fits the cell.", "InvalidCrystalSymmetry", SpaceGroup));
                        return;
                    }
                    _crystal = new IndexingSettings
                    {
                        UnitCell = cell, SpaceGroup = group, MaxLattices = MaxLattices, MinSpots = MinSpots, DMin = DMin, RefineCell = !FixCell,
                    };
                }
                if (Bound(nameof(IndexTolerance))) _crystal.IndexTolerance = IndexTolerance;
                if (Bound(nameof(MaxRmsd))) _crystal.MaxRmsd = MaxRmsd;
                if (Bound(nameof(MinIndexed))) _crystal.MinIndexed = MinIndexed;
                _crystal.Validate();
                WriteVerbose(_crystal.UnitCell.HasValue
                    ? $"Known-cell indexing: {_crystal.SpaceGroup} {_crystal.UnitCell}, RMSD limit {_crystal.MaxRmsd} px, up to {MaxLattices} lattice(s) per still"
                    : $"Unknown-cell indexing (DPS 1D FFT search, P 1, Niggli setting), longest edge {(MaxCell > 0 ? MaxCell + " Å" : "estimated per still")}, RMSD limit {_crystal.MaxRmsd} px");
            }
            _runner = new OrderedParallelRunner<SpotList, Lattice[]>(ThreadBudget.Throttle(this, ThrottleLimit), (spots, token) =>
            {
                token.ThrowIfCancellationRequested();
                if (_planar != null) return new Lattice[] { PlanarLatticeSearch.Find(spots, _planar, token) };
                var result = CrystalIndexer.Index(spots, _crystal!, token);
                if (!result.Success) throw new LatticeSearchException(result.Failure.ToString(), $"{spots.Source.Name}: {result.Message}");
                return System.Linq.Enumerable.ToArray<Lattice>(result.Lattices);
            });
        }

        protected override void ProcessRecord()
        {
            var input = InputObject is PSObject ps ? ps.BaseObject : InputObject;
            SpotList? spots = input as SpotList;
            if (spots == null && input is DiffractionImage image)
            {
                try
                {
                    var found = SpotFinder.Find(image, new SpotFindingSettings());
                    WriteVerbose($"{image.Name}: found {found.Spots.Count} spots with the default spot finder");
                    spots = found.Spots;
                }
                catch (SpotFindingException e)
                {
                    WriteErrorInOrder(new ErrorRecord(e, e.ErrorId, ErrorCategory.InvalidData, image));
                    return;
                }
            }
            if (spots == null)
            {
                WriteErrorInOrder(ErrorRecords.InvalidArgument($"Get-Lattice takes SpotList objects (from Find-BraggSpot) or DiffractionImage objects, not {input?.GetType().Name ?? "null"}.", "UnexpectedInput", input));
                return;
            }
            WriteProgress(new ProgressRecord(3, "Get-Lattice", $"{spots.Source.Name}: {spots.Count} spots"));
            foreach (var r in _runner!.Add(spots)) Emit(r);
        }

        /// <summary>An error about this input: the results of earlier inputs still in flight are written first, as a serial run would.</summary>
        private void WriteErrorInOrder(ErrorRecord error)
        {
            foreach (var r in _runner!.Drain()) Emit(r);
            WriteError(error);
        }

        protected override void EndProcessing()
        {
            foreach (var r in _runner!.Drain()) Emit(r);
            WriteProgress(new ProgressRecord(3, "Get-Lattice", "Done") { RecordType = ProgressRecordType.Completed });
        }

        protected override void StopProcessing() => _runner?.Cancel();

        private void Emit(OrderedParallelRunner<SpotList, Lattice[]>.Result r)
        {
            if (r.Error is LatticeSearchException le)
            {
                WriteError(new ErrorRecord(le, le.ErrorId, ErrorCategory.InvalidResult, r.Input));
                return;
            }
            if (r.Error != null)
            {
                WriteError(new ErrorRecord(r.Error, "LatticeSearchFailed", ErrorCategory.InvalidOperation, r.Input));
                return;
            }
            foreach (var lattice in r.Output)
            {
                WriteVerbose($"{r.Input.Source.Name}: {lattice.Summary}, {lattice.IndexedCount} of {r.Input.Count} spots indexed, RMSD {lattice.Rmsd:0.###} px");
                WriteObject(lattice);
            }
        }

        public void Dispose() => _runner?.Dispose();
    }
}
