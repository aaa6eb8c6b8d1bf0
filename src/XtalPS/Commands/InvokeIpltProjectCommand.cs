using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using XtalPS.Extraction;
using XtalPS.Formats;
using XtalPS.Integration;
using XtalPS.Internal;
using XtalPS.Lattices;

namespace XtalPS.Commands
{
    /// <summary>Invoke-IpltProject: IPLT's per-image diffraction steps over a project folder, with parameters and results in project.xml/info.xml.</summary>
    [Cmdlet(VerbsLifecycle.Invoke, "IpltProject", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(IpltImageResult))]
    public sealed class InvokeIpltProjectCommand : PSCmdlet, IDisposable
    {
        private readonly CancellationTokenSource _cancel = new CancellationTokenSource();

        /// <summary>The project folder (holding project.xml and one folder per image).</summary>
        [Parameter(Mandatory = true, Position = 0)] [ValidateNotNullOrEmpty] public string Path { get; set; } = "";

        /// <summary>Only image folders whose names match these wildcards.</summary>
        [Parameter] [SupportsWildcards] [ValidateNotNullOrEmpty] public string[]? Name { get; set; }

        /// <summary>Peak box half-size for extraction and integration (DiffProcessing LatticeExtract/BoxSize and Integrate/BoxSize).</summary>
        [Parameter] [ValidateRange(1, 50)] public int BoxSize { get; set; }
        [Parameter] [ValidateRange(0, 20)] public int BoxGrowAmount { get; set; }
        [Parameter] [ValidateRange(1, 20)] public int BackgroundRimSize { get; set; }
        /// <summary>Integrate/Method.</summary>
        [Parameter] public IntegrationMethod IntegrationMethod { get; set; }
        /// <summary>The untilted cell a, b (Å), γ (°) for the tilt step (Tilt/CellA, CellB, CellGamma).</summary>
        [Parameter] [ValidateCount(3, 3)] public double[]? UnitCell { get; set; }
        /// <summary>Tilt/CameraConstant, px·Å.</summary>
        [Parameter] [ValidateRange(1.0, 1e9)] public double CameraConstant { get; set; }
        /// <summary>Tilt/IntensityCorrection.</summary>
        [Parameter] public TiltIntensityCorrection IntensityCorrection { get; set; }
        /// <summary>Redo every step even when the recorded parameter and input hashes match.</summary>
        [Parameter] public SwitchParameter Force { get; set; }

        protected override void EndProcessing()
        {
            string root;
            IpltProject project;
            try
            {
                root = GetUnresolvedProviderPathFromPSPath(Path);
                project = IpltProject.Open(root);
            }
            catch (DirectoryNotFoundException e) { ThrowTerminatingError(new ErrorRecord(e, "IpltProjectNotFound", ErrorCategory.ObjectNotFound, Path)); return; }
            catch (InvalidDataException e) { ThrowTerminatingError(new ErrorRecord(e, "InvalidIpltInfo", ErrorCategory.InvalidData, Path)); return; }

            var options = new IpltProcessingOptions { Force = Force };
            var bound = MyInvocation.BoundParameters;
            string I(int v) => v.ToString(CultureInfo.InvariantCulture);
            string D(double v) => v.ToString("R", CultureInfo.InvariantCulture);
            if (bound.ContainsKey(nameof(BoxSize))) { options.ExplicitParameters["LatticeExtract/BoxSize"] = I(BoxSize); options.ExplicitParameters["Integrate/BoxSize"] = I(BoxSize); }
            if (bound.ContainsKey(nameof(BoxGrowAmount))) { options.ExplicitParameters["LatticeExtract/BoxGrowAmount"] = I(BoxGrowAmount); options.ExplicitParameters["Integrate/BoxGrowAmount"] = I(BoxGrowAmount); }
            if (bound.ContainsKey(nameof(BackgroundRimSize))) { options.ExplicitParameters["LatticeExtract/BackgroundRimSize"] = I(BackgroundRimSize); options.ExplicitParameters["Integrate/BackgroundRimSize"] = I(BackgroundRimSize); }
            if (bound.ContainsKey(nameof(IntegrationMethod))) options.ExplicitParameters["Integrate/Method"] = IntegrationMethod.ToString();
            if (UnitCell != null)
            {
                try { PlanarCell.FromArray(UnitCell); }
                catch (ArgumentException e) { ThrowTerminatingError(ErrorRecords.InvalidArgument(e.Message, "InvalidUnitCell", UnitCell)); }
                options.ExplicitParameters["Tilt/CellA"] = D(UnitCell[0]); options.ExplicitParameters["Tilt/CellB"] = D(UnitCell[1]); options.ExplicitParameters["Tilt/CellGamma"] = D(UnitCell[2]);
            }
            if (bound.ContainsKey(nameof(CameraConstant))) options.ExplicitParameters["Tilt/CameraConstant"] = D(CameraConstant);
            if (bound.ContainsKey(nameof(IntensityCorrection))) options.ExplicitParameters["Tilt/IntensityCorrection"] = IntensityCorrection.ToString();

            var patterns = Name?.Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToArray();
            var folders = project.ImageFolders().Where(f => patterns == null || patterns.Any(w => w.IsMatch(f.Name))).ToList();
            WriteVerbose($"{project.Root}: {folders.Count} image folder(s), {folders.Count(f => f.Ignored)} ignored; project.xml {(File.Exists(project.ProjectPath) ? "read" : "absent")}");
            for (int i = 0; i < folders.Count; i++)
            {
                var folder = folders[i];
                WriteProgress(new ProgressRecord(5, "Invoke-IpltProject", $"{folder.Name} ({i + 1} of {folders.Count})") { PercentComplete = 100 * i / Math.Max(1, folders.Count) });
                if (!folder.Ignored && !ShouldProcess(folder.Directory, "Run the IPLT diffraction steps that are out of date and write their results")) continue;
                try
                {
                    var r = IpltProjectProcessor.Process(project, folder, options, _cancel.Token);
                    WriteVerbose($"{r}{(r.Message.Length > 0 ? "; " + r.Message : "")}{(r.Written.Count > 0 ? "; wrote " + string.Join(", ", r.Written.Select(System.IO.Path.GetFileName)) : "")}");
                    WriteObject(r);
                }
                catch (OperationCanceledException) { throw new PipelineStoppedException(); }
                catch (Exception e) when (e is InvalidDataException || e is IOException || e is UnauthorizedAccessException || e is ArgumentException
                    || e is TiltGeometryException || e is LatticeSearchException || e is Spots.SpotFindingException || e is InvalidOperationException)
                {
                    string id = e is TiltGeometryException t ? t.ErrorId : e is LatticeSearchException l ? l.ErrorId : e is Spots.SpotFindingException sf ? sf.ErrorId : e is InvalidDataException ? "InvalidIpltInfo" : "IpltImageFailed";
                    WriteError(new ErrorRecord(e, id, ErrorCategory.InvalidResult, folder.Directory) { ErrorDetails = new ErrorDetails($"{folder.Name}: {e.Message}") });
                    WriteObject(IpltImageResult.Failed(folder, e.Message));
                }
            }
            WriteProgress(new ProgressRecord(5, "Invoke-IpltProject", "Done") { RecordType = ProgressRecordType.Completed });
        }

        protected override void StopProcessing() => _cancel.Cancel();

        public void Dispose() => _cancel.Dispose();
    }
}
