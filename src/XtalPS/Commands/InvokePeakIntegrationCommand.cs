using System;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using XtalPS.Extraction;
using XtalPS.Imaging;
using XtalPS.Integration;
using XtalPS.Internal;
using XtalPS.Lattices;

namespace XtalPS.Commands
{
    /// <summary>Invoke-PeakIntegration: intensities at the refined lattice positions (IPLT iplt_diff integrate; DIALS stills summation/profile fitting).</summary>
    [Cmdlet(VerbsLifecycle.Invoke, "PeakIntegration", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = TableSet)]
    [OutputType(typeof(ReflectionTable))]
    public sealed class InvokePeakIntegrationCommand : PSCmdlet, IDisposable
    {
        private const string TableSet = "Table", LatticeSet = "Lattice";
        private OrderedParallelRunner<object, (ReflectionTable Table, ProfileMosaic? Raw, ProfileMosaic? Corrected)>? _runner;
        private IntegrationSettings? _settings;
        private int _index;

        /// <summary>The output of Invoke-LatticeExtract.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = TableSet)]
        [ValidateNotNull]
        public ReflectionTable? InputObject { get; set; }

        /// <summary>A lattice with its image: extraction (default settings) runs first.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = LatticeSet)]
        [ValidateNotNull]
        public Lattice? Lattice { get; set; }

        /// <summary>Lattice input: fit–refine rounds of the extraction that runs first.</summary>
        [Parameter(ParameterSetName = LatticeSet)] [ValidateRange(1, 20)] public int Cycles { get; set; } = 2;
        /// <summary>Lattice input, crystal lattices: highest resolution predicted, Å.</summary>
        [Parameter(ParameterSetName = LatticeSet)] [ValidateRange(0.1, 1000)] public double DMin { get; set; }

        [Parameter] public IntegrationMethod Method { get; set; } = IntegrationMethod.Iplt;
        [Parameter] [ValidateRange(1, 50)] public int BoxSize { get; set; } = 6;
        [Parameter] [ValidateRange(0, 20)] public int BoxGrowAmount { get; set; } = 1;
        [Parameter] [ValidateRange(1, 20)] public int BackgroundRimSize { get; set; } = 2;
        /// <summary>Iplt: plain box sums, without the profile-based correction for the spot's tails.</summary>
        [Parameter] public SwitchParameter NoTruncationCorrection { get; set; }
        /// <summary>ADU per photon; default the gain the image carries (the file's, or -Gain given to Import-DiffractionImage,
        /// Find-BraggSpot or Invoke-LatticeExtract). A different explicit gain set earlier draws a warning; this one is used.</summary>
        [Parameter] [ValidateRange(1e-6, 1e6)] public double Gain { get; set; }
        /// <summary>Base name of the two debug mosaics: …1.tif (as measured) and …2.tif (background subtracted).</summary>
        [Parameter] [ValidateNotNullOrEmpty] public string? DebugImagePath { get; set; }
        /// <summary>Images processed at once; by default the cores this process may use (SLURM_CPUS_PER_TASK, XTALPS_CPUS, else the processor count). Every stage of a pipeline draws from that one budget, so the whole pipeline computes on that many threads; the output does not depend on it.</summary>
        [Parameter] [ValidateRange(1, 256)] public int ThrottleLimit { get; set; }

        protected override void BeginProcessing()
        {
            _settings = new IntegrationSettings
            {
                Method = Method, BoxSize = BoxSize, BoxGrowAmount = BoxGrowAmount, BackgroundRimSize = BackgroundRimSize,
                CorrectTruncation = !NoTruncationCorrection,
                Gain = MyInvocation.BoundParameters.ContainsKey(nameof(Gain)) ? Gain : (double?)null,
                BoxFromSpots = !MyInvocation.BoundParameters.ContainsKey(nameof(BoxSize)) && !MyInvocation.BoundParameters.ContainsKey(nameof(BoxGrowAmount)),
            };
            try { _settings.Validate(); }
            catch (ArgumentException e) { ThrowTerminatingError(ErrorRecords.InvalidArgument(e.Message, "InvalidIntegrationSettings", null)); }
            WriteVerbose(_settings.BoxFromSpots && Method != IntegrationMethod.Iplt
                ? $"{Method}: crystal stills get a peak box sized from their spots (at most {BoxSize + BoxGrowAmount} px half-size), rim {BackgroundRimSize} px"
                : $"{Method}: peak boxes {BoxSize}..{BoxSize + BoxGrowAmount} px half-size, rim {BackgroundRimSize} px");
            bool debug = DebugImagePath != null;
            var extractSettings = new ExtractionSettings
            {
                BoxSize = BoxSize, BoxGrowAmount = BoxGrowAmount, BackgroundRimSize = BackgroundRimSize, Gain = _settings.Gain, Cycles = Cycles,
                DMin = MyInvocation.BoundParameters.ContainsKey(nameof(DMin)) ? DMin : (double?)null,
            };
            _runner = new OrderedParallelRunner<object, (ReflectionTable, ProfileMosaic?, ProfileMosaic?)>(ThreadBudget.Throttle(this, ThrottleLimit), (input, token) =>
            {
                var table = input as ReflectionTable ?? LatticeGaussianFit.Extract(((LatticeInput)input).Image, ((LatticeInput)input).Lattice, extractSettings, cancel: token);
                ProfileMosaic? raw = debug ? new ProfileMosaic(2 * _settings.OuterHalfSize + 1) : null;
                ProfileMosaic? corrected = debug ? new ProfileMosaic(2 * _settings.OuterHalfSize + 1) : null;
                return (PeakIntegrator.Integrate(table, _settings, raw, corrected, token), raw, corrected);
            });
        }

        protected override void ProcessRecord()
        {
            object input;
            if (ParameterSetName == LatticeSet)
            {
                var lattice = Lattice!;
                var image = LatticePixels.Resolve(lattice, out var problem);
                if (image == null) { WriteErrorInOrder(ErrorRecords.InvalidArgument(problem ?? "The lattice has no image to integrate.", "LatticeHasNoImage", lattice)); return; }
                if (!LatticePrediction.CanPredict(lattice))
                {
                    WriteErrorInOrder(new ErrorRecord(new NotSupportedException($"The {lattice.Kind.ToString().ToLowerInvariant()} lattice has no detector and beam to predict its reflections on."),
                        "LatticePredictionUnavailable", ErrorCategory.InvalidArgument, lattice));
                    return;
                }
                input = new LatticeInput(lattice, WithStageGain(image));
            }
            else
            {
                var table = InputObject!;
                if (table.Image == null)
                {
                    WriteErrorInOrder(ErrorRecords.InvalidArgument($"The reflection table ({table.Stage}) has no image; integrate the output of Invoke-LatticeExtract.", "TableHasNoImage", table));
                    return;
                }
                var staged = WithStageGain(table.Image);
                input = ReferenceEquals(staged, table.Image) ? table : new ReflectionTable(staged, table.Lattice, table.RefinedLattice, table.Reflections, table.Stage);
            }
            WriteProgress(new ProgressRecord(4, "Invoke-PeakIntegration", $"Image {_index + 1}"));
            foreach (var r in _runner!.Add(input)) Emit(r);
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
            WriteProgress(new ProgressRecord(4, "Invoke-PeakIntegration", "Done") { RecordType = ProgressRecordType.Completed });
        }

        protected override void StopProcessing() => _runner?.Cancel();

        private void Emit(OrderedParallelRunner<object, (ReflectionTable Table, ProfileMosaic? Raw, ProfileMosaic? Corrected)>.Result r)
        {
            int index = _index++;
            if (r.Error != null)
            {
                WriteError(new ErrorRecord(r.Error, "IntegrationFailed", ErrorCategory.InvalidOperation, r.Input is LatticeInput li ? li.Lattice : r.Input));
                return;
            }
            var table = r.Output.Table;
            int measured = table.Reflections.Count(x => !double.IsNaN(x.Intensity));
            int clean = table.Reflections.Count(x => !double.IsNaN(x.Intensity) && x.Flags == ReflectionFlags.None);
            WriteVerbose(string.Format(CultureInfo.InvariantCulture, "{0}: {1} of {2} reflections integrated, {3} without flags, {4} with I/σ ≥ 3",
                table.ImageName, measured, table.Count, clean, table.Reflections.Count(x => x.IOverSigma >= 3)));
            if ((table.Lattice ?? table.RefinedLattice) is CrystalLattice crystal)
            {
                var model = crystal.SpotExtent;
                if (model.IsDefined) WriteVerbose($"{table.ImageName}: spot extent {model}; peak box half-size {table.Reflections.Select(x => x.BoxSize).DefaultIfEmpty(0).Max()} px");
                else WriteWarning($"{table.ImageName}: {crystal.IndexedSpots.Count} indexed spots are too few to model the spot extent (need {SpotExtentModel.MinSpots}); " +
                    "its reflections were predicted with the fixed Δψ window and have no partiality.");
            }
            if (r.Output.Raw != null) DebugImage.Write(this, DebugImagePath!, index, "1", r.Output.Raw);
            if (r.Output.Corrected != null) DebugImage.Write(this, DebugImagePath!, index, "2", r.Output.Corrected);
            WriteObject(table);
        }

        /// <summary>The image with this stage's explicit -Gain, warning when an earlier stage set another.</summary>
        private Imaging.DiffractionImage WithStageGain(Imaging.DiffractionImage image)
        {
            if (!(_settings!.Gain is double gain)) return image;
            var conflict = GainConflict.Describe(image, gain, "Invoke-PeakIntegration");
            if (conflict != null) WriteWarning(conflict);
            return image.WithGain(gain, "Invoke-PeakIntegration -Gain");
        }

        public void Dispose() => _runner?.Dispose();

        private sealed class LatticeInput
        {
            public LatticeInput(Lattice lattice, Imaging.DiffractionImage image) { Lattice = lattice; Image = image; }
            public Lattice Lattice { get; }
            public Imaging.DiffractionImage Image { get; }
        }
    }
}
