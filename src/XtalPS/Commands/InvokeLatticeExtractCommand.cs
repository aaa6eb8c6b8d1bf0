using System;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using XtalPS.Extraction;
using XtalPS.Formats;
using XtalPS.Imaging;
using XtalPS.Integration;
using XtalPS.Internal;
using XtalPS.Lattices;

namespace XtalPS.Commands
{
    /// <summary>Invoke-LatticeExtract: Gaussian fits at every lattice point, lattice refinement (IPLT iplt_diff extract).</summary>
    [Cmdlet(VerbsLifecycle.Invoke, "LatticeExtract", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(ReflectionTable))]
    public sealed class InvokeLatticeExtractCommand : PSCmdlet, IDisposable
    {
        private OrderedParallelRunner<(Lattice Lattice, Imaging.DiffractionImage Image), (ReflectionTable Table, ProfileMosaic? Mosaic)>? _runner;
        private ExtractionSettings? _settings;
        private int _index;

        /// <summary>A lattice that knows its image (e.g. from lattice search, or a RefinedLattice).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        public Lattice? Lattice { get; set; }

        [Parameter] [ValidateRange(1, 50)] public int BoxSize { get; set; } = 6;
        [Parameter] [ValidateRange(0, 20)] public int BoxGrowAmount { get; set; } = 1;
        [Parameter] [ValidateRange(1, 20)] public int BackgroundRimSize { get; set; } = 2;
        /// <summary>Fit–refine rounds.</summary>
        [Parameter] [ValidateRange(1, 20)] public int Cycles { get; set; } = 2;
        [Parameter] [ValidateRange(0, 100)] public double MinSigma { get; set; } = 0.3;
        /// <summary>Largest Gaussian σ of a well-behaved fit; default BoxSize.</summary>
        [Parameter] [ValidateRange(0.01, 100)] public double MaxSigma { get; set; }
        [Parameter] [ValidateRange(0, 1e6)] public double MinAmplitudeSignificance { get; set; } = 3;
        [Parameter] [ValidateRange(0, 1e9)] public double MaxChiSquare { get; set; } = 5;
        /// <summary>ADU per photon; default the gain the image carries (the file's, or an earlier -Gain). A different explicit gain set
        /// earlier draws a warning; this one is used and travels on with the table.</summary>
        [Parameter] [ValidateRange(1e-6, 1e6)] public double Gain { get; set; }
        /// <summary>Crystal lattices: highest resolution predicted, Å; default the detector's corners.</summary>
        [Parameter] [ValidateRange(0.1, 1000)] public double DMin { get; set; }
        /// <summary>Write a mosaic of the fit boxes as a 32-bit float TIFF; with several images a pattern with {0}.</summary>
        [Parameter] [ValidateNotNullOrEmpty] public string? DebugImagePath { get; set; }
        /// <summary>Images processed at once; by default the cores this process may use (SLURM_CPUS_PER_TASK, XTALPS_CPUS, else the processor count). Every stage of a pipeline draws from that one budget, so the whole pipeline computes on that many threads; the output does not depend on it.</summary>
        [Parameter] [ValidateRange(1, 256)] public int ThrottleLimit { get; set; }

        protected override void BeginProcessing()
        {
            _settings = new ExtractionSettings
            {
                BoxSize = BoxSize, BoxGrowAmount = BoxGrowAmount, BackgroundRimSize = BackgroundRimSize, Cycles = Cycles,
                MinSigma = MinSigma, MaxSigma = MyInvocation.BoundParameters.ContainsKey(nameof(MaxSigma)) ? MaxSigma : (double?)null,
                MinAmplitudeSignificance = MinAmplitudeSignificance, MaxChiSquare = MaxChiSquare,
                Gain = MyInvocation.BoundParameters.ContainsKey(nameof(Gain)) ? Gain : (double?)null,
                DMin = MyInvocation.BoundParameters.ContainsKey(nameof(DMin)) ? DMin : (double?)null,
            };
            try { _settings.Validate(); }
            catch (ArgumentException e) { ThrowTerminatingError(ErrorRecords.InvalidArgument(e.Message, "InvalidExtractionSettings", null)); }
            WriteVerbose($"Fit box {2 * _settings.FitHalfSize + 1} px, {Cycles} cycle(s), well behaved: σ {MinSigma}–{_settings.EffectiveMaxSigma} px, A > {MinAmplitudeSignificance}σ, χ² ≤ {MaxChiSquare}");
            bool debug = DebugImagePath != null;
            int side = 2 * _settings.FitHalfSize + 1;
            _runner = new OrderedParallelRunner<(Lattice Lattice, Imaging.DiffractionImage Image), (ReflectionTable, ProfileMosaic?)>(ThreadBudget.Throttle(this, ThrottleLimit), (input, token) =>
            {
                var (lattice, image) = input;
                var table = LatticeGaussianFit.Extract(image, lattice, _settings, cancel: token);
                ProfileMosaic? mosaic = null;
                if (debug)
                {
                    mosaic = new ProfileMosaic(side);
                    foreach (var r in table.Reflections)
                    {
                        if (r.Panel < 0 || r.Panel >= image.PanelCount) { mosaic.AddEmpty(); continue; }
                        int h = _settings.FitHalfSize;
                        mosaic.Add(image.PanelImages[r.Panel], (int)Math.Floor(r.PredictedX) - h, (int)Math.Floor(r.PredictedY) - h);
                    }
                }
                return (table, mosaic);
            });
        }

        protected override void ProcessRecord()
        {
            var lattice = Lattice!;
            var image = LatticePixels.Resolve(lattice, out var problem);
            if (image == null)
            {
                WriteErrorInOrder(ErrorRecords.InvalidArgument(problem ?? "The lattice has no image to extract from.", "LatticeHasNoImage", lattice));
                return;
            }
            if (_settings!.Gain is double gain)
            {
                var conflict = GainConflict.Describe(image, gain, "Invoke-LatticeExtract");
                if (conflict != null) WriteWarning(conflict);
                image = image.WithGain(gain, "Invoke-LatticeExtract -Gain");
            }
            if (!LatticePrediction.CanPredict(lattice))
            {
                WriteErrorInOrder(new ErrorRecord(new NotSupportedException($"The {lattice.Kind.ToString().ToLowerInvariant()} lattice has no detector and beam to predict its reflections on."),
                    "LatticePredictionUnavailable", ErrorCategory.InvalidArgument, lattice));
                return;
            }
            WriteProgress(new ProgressRecord(3, "Invoke-LatticeExtract", $"Image {_index + 1}: {lattice.ImageName}"));
            foreach (var r in _runner!.Add((lattice, image))) Emit(r);
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
            WriteProgress(new ProgressRecord(3, "Invoke-LatticeExtract", "Done") { RecordType = ProgressRecordType.Completed });
        }

        protected override void StopProcessing() => _runner?.Cancel();

        private void Emit(OrderedParallelRunner<(Lattice Lattice, Imaging.DiffractionImage Image), (ReflectionTable Table, ProfileMosaic? Mosaic)>.Result r)
        {
            int index = _index++;
            if (r.Error != null)
            {
                WriteError(new ErrorRecord(r.Error, r.Error is ArgumentException ? "InvalidLattice" : "ExtractionFailed", ErrorCategory.InvalidOperation, r.Input.Lattice));
                return;
            }
            var table = r.Output.Table;
            WriteVerbose(string.Format(CultureInfo.InvariantCulture, "{0}: {1} reflections predicted, {2} well behaved; refined lattice rmsd {3:0.###} px from {4} centres{5}",
                table.ImageName, table.Count, table.WellBehavedCount, table.RefinedLattice?.Rmsd ?? double.NaN, table.RefinedLattice?.IndexedCount ?? 0,
                table.RefinedLattice is CrystalLattice c ? ", cell " + c.UnitCell : ""));
            if (r.Output.Mosaic != null) DebugImage.Write(this, DebugImagePath!, index, "", r.Output.Mosaic);
            WriteObject(table);
        }

        public void Dispose() => _runner?.Dispose();
    }

    /// <summary>Writes debug mosaics for the extract and integrate cmdlets (honours -WhatIf; failures are non-terminating).</summary>
    internal static class DebugImage
    {
        /// <summary>The file for image <paramref name="index"/>: {0} in the pattern is the image number; <paramref name="suffix"/> goes before the extension.</summary>
        public static void Write(PSCmdlet cmdlet, string pattern, int index, string suffix, ProfileMosaic mosaic)
        {
            string target;
            try
            {
                string name = pattern.Contains("{0") ? string.Format(CultureInfo.InvariantCulture, pattern, index) : pattern;
                if (!name.EndsWith(".tif", StringComparison.OrdinalIgnoreCase) && !name.EndsWith(".tiff", StringComparison.OrdinalIgnoreCase)
                    && !name.EndsWith(".png", StringComparison.OrdinalIgnoreCase)) name += ".tif";
                if (suffix.Length > 0) name = Path.Combine(Path.GetDirectoryName(name) ?? "", Path.GetFileNameWithoutExtension(name) + suffix + Path.GetExtension(name));
                target = PathResolver.ResolveOutput(cmdlet, name);
            }
            catch (FormatException e)
            {
                cmdlet.WriteError(new ErrorRecord(e, "BadPathPattern", ErrorCategory.InvalidArgument, pattern));
                return;
            }
            if (!cmdlet.ShouldProcess(target, $"Write a debug mosaic of {mosaic.Count} profile boxes")) return;
            try
            {
                var px = mosaic.Render(out int w, out int h);
                if (target.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
                {
                    // A PNG to look at (PowerShell 7): grey scaled, each pixel a 4×4 square.
                    var png = XtalPS.Pictures.PictureRenderer.DrawMosaic(px, w, h);
                    AtomicFile.Write(target, s => s.Write(png, 0, png.Length));
                }
                else TiffWriter.Write(px, w, h, target);
                cmdlet.WriteVerbose($"Wrote {target} ({w}x{h} px)");
            }
            catch (XtalPS.Pictures.PictureException e)
            {
                cmdlet.WriteError(PictureFiles.FromPictureException(e, target));
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                cmdlet.WriteError(ErrorRecords.WriteFailed(e, target));
            }
        }
    }
}
