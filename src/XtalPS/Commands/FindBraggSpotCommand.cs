using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using XtalPS.Imaging;
using XtalPS.Internal;
using XtalPS.Spots;

namespace XtalPS.Commands
{
    /// <summary>Find-BraggSpot: strong pixels → spots, one SpotList per image, streamed in input order.</summary>
    [Cmdlet(VerbsCommon.Find, "BraggSpot", DefaultParameterSetName = "Default")]
    [OutputType(typeof(SpotList), typeof(BraggSpot))]
    public sealed class FindBraggSpotCommand : PSCmdlet, IDisposable
    {
        private OrderedParallelRunner<DiffractionImage, SpotFindingResult>? _runner;
        private SpotFindingSettings? _settings;
        private int _images;

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        public DiffractionImage? Image { get; set; }

        [Parameter] public SpotAlgorithm Algorithm { get; set; } = SpotAlgorithm.DispersionExtended;

        /// <summary>ADU per photon; by default each panel's gain as the image carries it (the file's, or Import-DiffractionImage -Gain).
        /// The spot list's image carries this gain on to indexing, extraction and integration.</summary>
        [Parameter] [ValidateRange(1e-6, 1e6)] public double Gain { get; set; }

        /// <summary>A per-pixel gain map: an image (e.g. from Import-DiffractionImage gain.tif) whose panels match the data's
        /// and whose pixel values are ADU per photon. Overrides -Gain.</summary>
        [Parameter] [ValidateNotNull] public DiffractionImage? GainMap { get; set; }

        /// <summary>Choose the global threshold of each image from its pixel histogram (DIALS's Auto).</summary>
        [Parameter] public SwitchParameter AutoGlobalThreshold { get; set; }

        /// <summary>Half-sizes of the local window (nx, ny); DIALS's default 3,3.</summary>
        [Parameter] [ValidateCount(2, 2)] public int[] KernelSize { get; set; } = { 3, 3 };

        [Parameter] [ValidateRange(0, 1000)] public double SigmaBackground { get; set; } = 6;
        [Parameter] [ValidateRange(0, 1000)] public double SigmaStrong { get; set; } = 3;
        [Parameter] [ValidateRange(2, 10000)] public int MinLocal { get; set; } = 2;

        /// <summary>Pixels at or below this never count as strong.</summary>
        [Parameter] [ValidateRange(0, double.MaxValue)] public double GlobalThreshold { get; set; }

        /// <summary>Fewest pixels per spot; default 3 for photon-counting detectors, 6 otherwise.</summary>
        [Parameter] [ValidateRange(1, 1000000)] public int MinSpotSize { get; set; }
        [Parameter] [ValidateRange(1, 10000000)] public int MaxSpotSize { get; set; } = 1000;
        /// <summary>Largest distance between a spot's brightest pixel and its centroid, px.</summary>
        [Parameter] [ValidateRange(0, 1000)] public double MaxSeparation { get; set; } = 2;

        /// <summary>Keep only spots with d ≥ DMin (Å).</summary>
        [Parameter] [ValidateRange(0, double.MaxValue)] public double DMin { get; set; }
        /// <summary>Keep only spots with d ≤ DMax (Å).</summary>
        [Parameter] [ValidateRange(0, double.MaxValue)] public double DMax { get; set; } = double.PositiveInfinity;

        /// <summary>Drop spots on the powder rings of hexagonal ice.</summary>
        [Parameter] public SwitchParameter FilterIceRings { get; set; }

        /// <summary>RadialProfile: n in median + n·IQR.</summary>
        [Parameter] [ValidateRange(0, 1000)] public double RadialSigma { get; set; } = 6;
        /// <summary>RadialProfile: Gaussian pre-blur, 0 (none), 3 or 5.</summary>
        [Parameter] [ValidateSet("0", "3", "5")] public string RadialBlur { get; set; } = "0";

        /// <summary>Emit each BraggSpot instead of one SpotList per image.</summary>
        [Parameter] public SwitchParameter AsSpots { get; set; }

        /// <summary>Images processed at once; by default the cores this process may use (SLURM_CPUS_PER_TASK, XTALPS_CPUS, else the processor count). Every stage of a pipeline draws from that one budget, so the whole pipeline computes on that many threads; the output does not depend on it.</summary>
        [Parameter] [ValidateRange(1, 256)] public int ThrottleLimit { get; set; }

        protected override void BeginProcessing()
        {
            _settings = new SpotFindingSettings
            {
                Algorithm = Algorithm,
                Dispersion = new DispersionParameters
                {
                    KernelX = KernelSize[0], KernelY = KernelSize[1], SigmaBackground = SigmaBackground,
                    SigmaStrong = SigmaStrong, MinLocal = MinLocal, GlobalThreshold = GlobalThreshold,
                },
                Gain = MyInvocation.BoundParameters.ContainsKey(nameof(Gain)) ? Gain : (double?)null,
                MinSpotSize = MyInvocation.BoundParameters.ContainsKey(nameof(MinSpotSize)) ? MinSpotSize : (int?)null,
                MaxSpotSize = MaxSpotSize,
                MaxSeparation = MaxSeparation,
                DMin = DMin,
                DMax = DMax,
                FilterIceRings = FilterIceRings,
                RadialSigma = RadialSigma,
                RadialBlur = int.Parse(RadialBlur, System.Globalization.CultureInfo.InvariantCulture),
                MaxDegreeOfParallelism = 1,
                AutoGlobalThreshold = AutoGlobalThreshold,
            };
            if (AutoGlobalThreshold && MyInvocation.BoundParameters.ContainsKey(nameof(GlobalThreshold)))
                ThrowTerminatingError(ErrorRecords.InvalidArgument("Give -GlobalThreshold or -AutoGlobalThreshold, not both.", "ConflictingThresholds", null));
            try
            {
                _settings.GainMap = GainMap?.PanelImages.Select(p => p.Pixels).ToArray();
                _settings.Validate();
            }
            catch (ArgumentException e) { ThrowTerminatingError(ErrorRecords.InvalidArgument(e.Message, "InvalidGainMap", GainMap)); }
            if (KernelSize[0] < 1 || KernelSize[1] < 1)
                ThrowTerminatingError(ErrorRecords.InvalidArgument("KernelSize values must be at least 1.", "InvalidKernelSize", KernelSize));
            if (DMin > DMax)
                ThrowTerminatingError(ErrorRecords.InvalidArgument($"-DMin {DMin} is larger than -DMax {DMax}.", "InvalidResolutionRange", null));
            WriteVerbose($"{Algorithm}: kernel {KernelSize[0]},{KernelSize[1]}, σ_b {SigmaBackground}, σ_s {SigmaStrong}, gain {(_settings.Gain?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "from the detector model")}");
            // Images in flight at once; one image also splits its panels and bands over the slots of the thread budget
            // that are idle when it starts (the last images of a run, a single large image), never more.
            int throttle = ThreadBudget.Throttle(this, ThrottleLimit);
            _runner = new OrderedParallelRunner<DiffractionImage, SpotFindingResult>(throttle, (image, token) =>
            {
                token.ThrowIfCancellationRequested();
                int extra = ThreadBudget.TryTakeExtra(throttle - 1);
                try { return SpotFinder.Find(image, extra == 0 ? _settings : _settings.WithParallelism(1 + extra), token); }
                finally { ThreadBudget.ReturnExtra(extra); }
            });
        }

        protected override void ProcessRecord()
        {
            _images++;
            var image = Image!;
            WriteProgress(new ProgressRecord(2, "Find-BraggSpot", $"Image {_images}: {image.Name}"));
            if (_settings!.Gain is double gain && GainMap == null)
            {
                var conflict = GainConflict.Describe(image, gain, "Find-BraggSpot");
                if (conflict != null) WriteWarning(conflict);
                image = image.WithGain(gain, "Find-BraggSpot -Gain");
            }
            foreach (var r in _runner!.Add(image)) Emit(r);
        }

        protected override void EndProcessing()
        {
            foreach (var r in _runner!.Drain()) Emit(r);
            WriteProgress(new ProgressRecord(2, "Find-BraggSpot", "Done") { RecordType = ProgressRecordType.Completed });
        }

        protected override void StopProcessing() => _runner?.Cancel();

        private void Emit(OrderedParallelRunner<DiffractionImage, SpotFindingResult>.Result r)
        {
            if (r.Error is SpotFindingException sfe)
            {
                WriteError(new ErrorRecord(sfe, sfe.ErrorId, ErrorCategory.InvalidData, r.Input));
                return;
            }
            if (r.Error != null)
            {
                WriteError(new ErrorRecord(r.Error, "SpotFindingFailed", ErrorCategory.InvalidOperation, r.Input));
                return;
            }
            var result = r.Output;
            foreach (var w in result.Warnings)
            {
                if (w.StartsWith("Global threshold chosen", StringComparison.Ordinal)) WriteVerbose($"{r.Input.Name}: {w}");
                else WriteWarning($"{r.Input.Name}: {w}");
            }
            WriteVerbose($"{r.Input.Name}: {result.StrongPixels} strong pixels, {result.Spots.Count} spots" +
                (double.IsNaN(result.Spots.DMin) ? "" : $", to {result.Spots.DMin:0.##} Å"));
            if (AsSpots) WriteObject(result.Spots.Spots, enumerateCollection: true);
            else WriteObject(result.Spots);
        }

        public void Dispose() => _runner?.Dispose();
    }
}
