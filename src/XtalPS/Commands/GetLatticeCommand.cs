using System;
using System.Management.Automation;
using XtalPS.Geometry;
using XtalPS.Imaging;
using XtalPS.Internal;
using XtalPS.Lattices;
using XtalPS.Spots;

namespace XtalPS.Commands
{
    /// <summary>Get-Lattice: spot lists (or images) → lattice models, streamed in input order.</summary>
    [Cmdlet(VerbsCommon.Get, "Lattice", DefaultParameterSetName = PlanarSet)]
    [OutputType(typeof(PlanarLattice))]
    public sealed class GetLatticeCommand : PSCmdlet, IDisposable
    {
        private const string PlanarSet = "Planar";
        private OrderedParallelRunner<SpotList, Lattice>? _runner;
        private PlanarSearchSettings? _planar;

        /// <summary>A SpotList from Find-BraggSpot, or a DiffractionImage (spots are then found with the defaults).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        public object? InputObject { get; set; }

        /// <summary>Find a planar 2D lattice (electron diffraction of 2D crystals).</summary>
        [Parameter(Mandatory = true, ParameterSetName = PlanarSet)]
        public SwitchParameter Planar { get; set; }

        /// <summary>Position of lattice point (0,0), px; with -A and -B, seeds the lattice by hand.</summary>
        [Parameter(ParameterSetName = PlanarSet)] [ValidateCount(2, 2)] public double[]? Origin { get; set; }
        [Parameter(ParameterSetName = PlanarSet)] [ValidateCount(2, 2)] public double[]? A { get; set; }
        [Parameter(ParameterSetName = PlanarSet)] [ValidateCount(2, 2)] public double[]? B { get; set; }

        /// <summary>Also fit IPLT's barrel and spiral distortion terms.</summary>
        [Parameter(ParameterSetName = PlanarSet)] public SwitchParameter FitDistortion { get; set; }

        /// <summary>Largest distance of fractional indices from integers for a spot to count as indexed.</summary>
        [Parameter] [ValidateRange(0.01, 0.5)] public double IndexTolerance { get; set; } = 0.2;

        /// <summary>Refuse lattices whose RMSD (px) is above this.</summary>
        [Parameter] [ValidateRange(0, 1000)] public double MaxRmsd { get; set; } = 2.0;

        /// <summary>Fewest indexed spots for a lattice.</summary>
        [Parameter] [ValidateRange(3, 1000000)] public int MinIndexed { get; set; } = 6;

        [Parameter] [ValidateRange(1, 256)] public int ThrottleLimit { get; set; } = 1;

        protected override void BeginProcessing()
        {
            if ((A == null) != (B == null))
                ThrowTerminatingError(ErrorRecords.InvalidArgument("Give both -A and -B to seed a lattice, or neither.", "IncompleteLatticeSeed", null));
            _planar = new PlanarSearchSettings
            {
                Origin = Origin != null ? Vec2.FromArray(Origin) : (Vec2?)null,
                A = A != null ? Vec2.FromArray(A) : (Vec2?)null,
                B = B != null ? Vec2.FromArray(B) : (Vec2?)null,
                FitDistortion = FitDistortion,
                IndexTolerance = IndexTolerance,
                MaxRmsd = MaxRmsd,
                MinIndexed = MinIndexed,
            };
            _runner = new OrderedParallelRunner<SpotList, Lattice>(ThrottleLimit, (spots, token) =>
            {
                token.ThrowIfCancellationRequested();
                return PlanarLatticeSearch.Find(spots, _planar);
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
                    WriteError(new ErrorRecord(e, e.ErrorId, ErrorCategory.InvalidData, image));
                    return;
                }
            }
            if (spots == null)
            {
                WriteError(ErrorRecords.InvalidArgument($"Get-Lattice takes SpotList objects (from Find-BraggSpot) or DiffractionImage objects, not {input?.GetType().Name ?? "null"}.", "UnexpectedInput", input));
                return;
            }
            WriteProgress(new ProgressRecord(3, "Get-Lattice", $"{spots.Image.Name}: {spots.Count} spots"));
            foreach (var r in _runner!.Add(spots)) Emit(r);
        }

        protected override void EndProcessing()
        {
            foreach (var r in _runner!.Drain()) Emit(r);
            WriteProgress(new ProgressRecord(3, "Get-Lattice", "Done") { RecordType = ProgressRecordType.Completed });
        }

        protected override void StopProcessing() => _runner?.Cancel();

        private void Emit(OrderedParallelRunner<SpotList, Lattice>.Result r)
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
            WriteVerbose($"{r.Input.Image.Name}: {r.Output.Summary}, {r.Output.IndexedCount} of {r.Input.Count} spots indexed, RMSD {r.Output.Rmsd:0.###} px");
            WriteObject(r.Output);
        }

        public void Dispose() => _runner?.Dispose();
    }
}
