using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Text;
using XtalPS.Internal;
using XtalPS.Pictures;

namespace XtalPS.Commands
{
    /// <summary>Export-RunReport: a self-contained HTML report of a processing run (PowerShell 7).</summary>
    [Cmdlet(VerbsData.Export, "RunReport", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(System.IO.FileInfo))]
    public sealed class ExportRunReportCommand : PSCmdlet
    {
        private RunCollector? _data;
        private int _inputs;

        /// <summary>The report file (.html).</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = "";

        /// <summary>Results of the run, and the errors or warnings it wrote (-ErrorVariable, -WarningVariable).</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        [ValidateNotNull]
        public PSObject? InputObject { get; set; }

        [Parameter] [ValidateNotNullOrEmpty] public string Title { get; set; } = "XtalPS run report";

        /// <summary>Example images drawn with their overlays (the images with most lattices, indexed spots and spots).</summary>
        [Parameter] [ValidateRange(0, 50)] public int ExampleCount { get; set; } = 4;

        /// <summary>An image with at least this many spots is a hit.</summary>
        [Parameter] [ValidateRange(0, int.MaxValue)] public int MinSpots { get; set; } = 20;

        [Parameter] public SwitchParameter Force { get; set; }

        [Parameter] public SwitchParameter PassThru { get; set; }

        protected override void BeginProcessing()
        {
            PictureFiles.RequireDrawing(this);
            if (!Path.EndsWith(".html", StringComparison.OrdinalIgnoreCase) && !Path.EndsWith(".htm", StringComparison.OrdinalIgnoreCase))
                ThrowTerminatingError(new ErrorRecord(new ArgumentException($"'{Path}' does not end in .html; a run report is an HTML page."), "UnknownPictureFormat", ErrorCategory.InvalidArgument, Path));
            _data = new RunCollector(ExampleCount);
        }

        protected override void ProcessRecord()
        {
            object item = InputObject!.BaseObject;
            switch (item)
            {
                case ErrorRecord error:
                    string id = error.FullyQualifiedErrorId ?? "";
                    int comma = id.IndexOf(',');
                    _data!.AddWarning(new RunWarning(comma > 0 ? id.Substring(0, comma) : id, error.Exception?.Message ?? error.ToString(), Describe(error.TargetObject)));
                    return;
                case WarningRecord warning:
                    _data!.AddWarning(new RunWarning("Warning", warning.Message, ""));
                    return;
            }
            try
            {
                _data!.Add(item);
                _inputs++;
            }
            catch (ArgumentException e)
            {
                WriteError(new ErrorRecord(e, "UnsupportedPictureInput", ErrorCategory.InvalidType, item));
            }
        }

        protected override void EndProcessing()
        {
            string target = PathResolver.ResolveOutput(this, Path);
            var settings = new RunReportSettings { Title = Title, ExampleCount = ExampleCount };
            settings.Plots.MinSpots = MinSpots;
            var problems = new List<RunWarning>();
            WriteProgress(new ProgressRecord(1, "Export-RunReport", $"Drawing the report of {_data!.Images.Count} images") { PercentComplete = -1 });
            bool written = PictureFiles.Write(this, target, Force, $"Write a run report of {_inputs} results",
                () =>
                {
                    string html = PictureRenderer.WriteReport(_data, settings, problems);
                    var bytes = new UTF8Encoding(false).GetBytes(html);
                    return new RenderedPicture(bytes, PictureFormat.Png, 0, 0,
                        $"{_data.Images.Count} images, {PlotCatalogue.Available(_data).Count} plots, {_data.Examples.Count} example pictures, {_data.Warnings.Count} warnings passed in");
                }, target, PassThru);
            foreach (var p in problems) WriteWarning($"{p.Id}: {p.Target}: {p.Message}");
            WriteProgress(new ProgressRecord(1, "Export-RunReport", "Done") { RecordType = ProgressRecordType.Completed });
        }

        private static string Describe(object? target)
        {
            switch (target)
            {
                case null: return "";
                case PSObject ps: return Describe(ps.BaseObject);
                default:
                    string name = PictureInput.NameOf(target);
                    return name.Length > 0 ? name : target.ToString() ?? "";
            }
        }
    }
}
