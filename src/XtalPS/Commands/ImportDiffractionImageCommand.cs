using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using XtalPS.Formats;
using XtalPS.Geometry;
using XtalPS.Imaging;
using XtalPS.Internal;

namespace XtalPS.Commands
{
    /// <summary>Import-DiffractionImage: files → DiffractionImage objects, one per frame, streamed.</summary>
    [Cmdlet(VerbsData.Import, "DiffractionImage", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(DiffractionImage))]
    public sealed class ImportDiffractionImageCommand : PSCmdlet, IDisposable
    {
        private const string PathSet = "Path";
        private const string LiteralSet = "LiteralPath";
        private OrderedParallelRunner<string, List<DiffractionImage>>? _runner;
        private int _files;

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public string[] Path { get; set; } = Array.Empty<string>();

        [Parameter(Mandatory = true, ParameterSetName = LiteralSet, ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; } = Array.Empty<string>();

        /// <summary>Replaces the detector geometry read from the files.</summary>
        [Parameter]
        public DetectorModel? Detector { get; set; }

        /// <summary>Replaces the beam read from the files.</summary>
        [Parameter]
        public Beam? Beam { get; set; }

        /// <summary>0-based frames to read from multi-frame files (NeXus, MRC stacks, multi-page TIFF), in the
        /// order given: <c>-Frame 3</c>, <c>-Frame 0,5,7</c>, <c>-Frame (0..9)</c>, or a bare <c>-Frame 0..9</c>
        /// (which PowerShell passes as the text "0..9"). Every frame when omitted.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [FrameRangeTransformation]
        [ValidateRange(0, int.MaxValue)]
        public int[]? Frame { get; set; }

        /// <summary>ADU per photon for every panel, replacing the file's gain; it travels with the image (its detector
        /// model), so Find-BraggSpot, Invoke-LatticeExtract and Invoke-PeakIntegration all use it.</summary>
        [Parameter]
        [ValidateRange(1e-6, 1e6)]
        public double Gain { get; set; }

        /// <summary>Images processed at once; by default the cores this process may use (SLURM_CPUS_PER_TASK, XTALPS_CPUS, else the processor count). Every stage of a pipeline draws from that one budget, so the whole pipeline computes on that many threads; the output does not depend on it.</summary>
        [Parameter] [ValidateRange(1, 256)] public int ThrottleLimit { get; set; }

        protected override void BeginProcessing()
        {
            _runner = new OrderedParallelRunner<string, List<DiffractionImage>>(ThreadBudget.Throttle(this, ThrottleLimit), Read);
        }

        protected override void ProcessRecord()
        {
            bool literal = ParameterSetName == LiteralSet;
            // One argument at a time, so that errors and images come out in the order the paths were given.
            foreach (var argument in literal ? LiteralPath : Path)
                foreach (var file in PathResolver.Resolve(this, new[] { argument }, literal, WriteErrorInOrder))
                {
                    _files++;
                    WriteVerbose($"Reading {file}");
                    WriteProgress(new ProgressRecord(1, "Import-DiffractionImage", $"File {_files}: {System.IO.Path.GetFileName(file)}"));
                    foreach (var r in _runner!.Add(file)) Emit(r);
                }
        }

        /// <summary>A path that names no file: the files before it (still being read) are written first, as a serial run would.</summary>
        private void WriteErrorInOrder(ErrorRecord error)
        {
            foreach (var r in _runner!.Drain()) Emit(r);
            WriteError(error);
        }

        protected override void EndProcessing()
        {
            foreach (var r in _runner!.Drain()) Emit(r);
            WriteProgress(new ProgressRecord(1, "Import-DiffractionImage", "Done") { RecordType = ProgressRecordType.Completed });
        }

        protected override void StopProcessing() => _runner?.Cancel();

        private List<DiffractionImage> Read(string file, CancellationToken token)
        {
            var frames = new List<DiffractionImage>();
            var selection = Frame != null && Frame.Length > 0 ? new FrameSelection(Frame) : null;
            bool gain = MyInvocation.BoundParameters.ContainsKey(nameof(Gain));
            foreach (var frame in DiffractionImageReader.ReadFrames(file, selection))
            {
                token.ThrowIfCancellationRequested();
                var image = Detector != null || Beam != null ? ApplyOverrides(frame) : frame;
                frames.Add(gain ? image.WithGain(Gain, "Import-DiffractionImage -Gain") : image);
            }
            return frames;
        }

        private DiffractionImage ApplyOverrides(DiffractionImage frame)
        {
            if (Detector != null && (Detector.PanelCount != frame.PanelCount ||
                Detector.Panels.Zip(frame.PanelImages, (p, d) => p.Width == d.Width && p.Height == d.Height).Any(ok => !ok)))
                throw new InvalidImageDataException(frame.SourcePath, $"the -Detector model ({Detector.PanelCount} panels) does not match the file's panels ({frame.PanelCount}).");
            return frame.WithGeometry(Detector, Beam);
        }

        private void Emit(OrderedParallelRunner<string, List<DiffractionImage>>.Result r)
        {
            if (r.Error != null) { WriteError(ErrorRecords.FromReadException(r.Error, r.Input)); return; }
            foreach (var image in r.Output)
            {
                WriteVerbose($"{image}");
                WriteObject(image);
            }
        }

        public void Dispose() => _runner?.Dispose();

        /// <summary>Lets -Frame take the text "a..b" (argument mode does not evaluate the range operator) as well as numbers.</summary>
        private sealed class FrameRangeTransformationAttribute : ArgumentTransformationAttribute
        {
            public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
            {
                var items = LanguagePrimitives.GetEnumerable(inputData is PSObject p ? p.BaseObject : inputData)?.Cast<object>() ?? new[] { inputData };
                var frames = new List<int>();
                foreach (var raw in items)
                {
                    var item = raw is PSObject po ? po.BaseObject : raw;
                    if (item is string text && text.Contains(".."))
                    {
                        var parts = text.Split(new[] { ".." }, StringSplitOptions.None);
                        if (parts.Length != 2 || !int.TryParse(parts[0].Trim(), out int a) || !int.TryParse(parts[1].Trim(), out int b))
                            throw new ArgumentTransformationMetadataException($"'{text}' is not a frame range like 0..9.");
                        if (Math.Abs((long)b - a) > 10_000_000) throw new ArgumentTransformationMetadataException($"The range '{text}' is too long.");
                        for (long f = a; a <= b ? f <= b : f >= b; f += a <= b ? 1 : -1) frames.Add((int)f);
                    }
                    else frames.Add(LanguagePrimitives.ConvertTo<int>(item));
                }
                return frames.ToArray();
            }
        }
    }
}
