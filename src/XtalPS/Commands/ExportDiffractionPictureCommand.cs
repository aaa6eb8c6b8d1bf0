using System;
using System.Linq;
using System.Management.Automation;
using XtalPS.Internal;
using XtalPS.Pictures;

namespace XtalPS.Commands
{
    /// <summary>Export-DiffractionPicture: an image and what was found on it as a PNG or SVG picture (PowerShell 7).</summary>
    [Cmdlet(VerbsData.Export, "DiffractionPicture", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(System.IO.FileInfo))]
    public sealed class ExportDiffractionPictureCommand : PSCmdlet
    {
        private readonly SceneCollector _scenes = new SceneCollector();
        private DiffractionPictureSettings? _settings;
        private PictureFormat _format;
        private int _index;

        /// <summary>The picture file (.png or .svg); with several images a pattern with {0} (running number) or {1} (image name).</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = "";

        /// <summary>Images, spot lists, lattices, reflection tables (and single spots after their image).</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        [ValidateNotNull]
        public PSObject? InputObject { get; set; }

        [Parameter] public ImageScaling Scaling { get; set; } = ImageScaling.Linear;

        [Parameter] public ColourMap ColourMap { get; set; } = ColourMap.Inverted;

        /// <summary>100 by default; larger saturates sooner (brighter spots), as in dials.image_viewer.</summary>
        [Parameter] [ValidateRange(1.0, 100000.0)] public double Brightness { get; set; } = 100;

        /// <summary>Overlays to draw besides the defaults.</summary>
        [Parameter] public PictureOverlay[]? Show { get; set; }

        /// <summary>Overlays not to draw.</summary>
        [Parameter] public PictureOverlay[]? Hide { get; set; }

        /// <summary>Resolution rings, Å; four rounded values by default.</summary>
        [Parameter] [ValidateNotNull] public double[]? ResolutionRing { get; set; }

        /// <summary>Region shown in mm in the detector plane (beam at 0): x min, y min, x max, y max.</summary>
        [Parameter] [ValidateCount(4, 4)] public double[]? Region { get; set; }

        /// <summary>Show only this panel (0-based).</summary>
        [Parameter] [ValidateRange(0, int.MaxValue)] public int Panel { get; set; } = -1;

        /// <summary>With -Panel: x0, y0, x1, y1 in that panel's pixels.</summary>
        [Parameter] [ValidateCount(4, 4)] public double[]? PixelRegion { get; set; }

        /// <summary>Highest resolution (Å) of predicted reflections; by default the corner of the picture.</summary>
        [Parameter] [ValidateRange(0.1, 1000.0)] public double DMin { get; set; } = double.NaN;

        /// <summary>The -BoxSize Invoke-LatticeExtract used, for the fit boxes drawn (6 by default, as there).</summary>
        [Parameter] [ValidateRange(1, 50)] public int FitBoxSize { get; set; } = 6;

        [Parameter] [ValidateRange(64, 16384)] public int Width { get; set; } = 1000;

        /// <summary>0 (default): the height that keeps millimetres square.</summary>
        [Parameter] [ValidateRange(0, 16384)] public int Height { get; set; }

        /// <summary>The bare image filling the picture: no axes, title, legend or colour bar.</summary>
        [Parameter] public SwitchParameter NoAxes { get; set; }

        [Parameter] public string? Title { get; set; }

        /// <summary>Overwrite existing files.</summary>
        [Parameter] public SwitchParameter Force { get; set; }

        /// <summary>Emit a FileInfo for every picture written.</summary>
        [Parameter] public SwitchParameter PassThru { get; set; }

        protected override void BeginProcessing()
        {
            PictureFiles.RequireDrawing(this);
            _format = PictureFiles.FormatOf(this, Path);
            var overlays = PictureOverlay.Default;
            var requested = PictureOverlay.None;
            foreach (var o in Show ?? Array.Empty<PictureOverlay>()) { overlays |= o; requested |= o; }
            foreach (var o in Hide ?? Array.Empty<PictureOverlay>()) overlays &= ~o;
            _settings = new DiffractionPictureSettings
            {
                Width = Width, Height = Height, Scaling = Scaling, ColourMap = ColourMap, Brightness = Brightness, Overlays = overlays, Requested = requested,
                ResolutionRings = ResolutionRing, Region = Region, Panel = Panel >= 0 ? Panel : (int?)null, PixelRegion = PixelRegion,
                Axes = !NoAxes, Title = Title, PredictionDMin = DMin, FitBoxSize = FitBoxSize,
            };
            try
            {
                _settings.Validate();
            }
            catch (ArgumentException e)
            {
                ThrowTerminatingError(new ErrorRecord(e, "InvalidPictureSettings", ErrorCategory.InvalidArgument, null));
            }
            var named = Enum.GetValues(typeof(PictureOverlay)).Cast<PictureOverlay>()
                .Where(o => o != PictureOverlay.None && o != PictureOverlay.Default && (overlays & o) == o).Select(o => o.ToString());
            WriteVerbose($"Drawing {Scaling} scaled, {ColourMap} colours, brightness {Brightness}; overlays: {string.Join(", ", named)}");
        }

        protected override void ProcessRecord()
        {
            object item = InputObject!.BaseObject;
            DiffractionScene? finished;
            try
            {
                finished = _scenes.Add(item);
            }
            catch (ArgumentException e)
            {
                WriteError(new ErrorRecord(e, "UnsupportedPictureInput", ErrorCategory.InvalidType, item));
                return;
            }
            if (finished != null) Draw(finished);
        }

        protected override void EndProcessing()
        {
            var last = _scenes.Finish();
            if (last != null) Draw(last);
            WriteProgress(new ProgressRecord(1, "Export-DiffractionPicture", "Done") { RecordType = ProgressRecordType.Completed });
        }

        private void Draw(DiffractionScene scene)
        {
            bool templated = Path.Contains("{0") || Path.Contains("{1");
            if (!templated && _index > 0)
            {
                WriteError(ErrorRecords.InvalidArgument($"Several images go to '{Path}'; give a pattern with {{0}} (running number) or {{1}} (image name), e.g. pictures/{{1}}.png.", "PathCollision", scene.Name));
                _index++;
                return;
            }
            string target = PictureFiles.Target(this, Path, _index, PictureFiles.SafeName(scene.Name));
            _index++;
            WriteProgress(new ProgressRecord(1, "Export-DiffractionPicture", $"Drawing {scene.Name}") { PercentComplete = -1 });
            PictureFiles.Write(this, target, Force, $"Draw {scene.Name} as {_format}",
                () => PictureRenderer.DrawImage(scene, _settings!, _format), scene.Name, PassThru);
        }
    }
}
