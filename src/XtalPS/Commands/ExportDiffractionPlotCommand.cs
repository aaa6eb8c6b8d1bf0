using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using XtalPS.Internal;
using XtalPS.Pictures;

namespace XtalPS.Commands
{
    /// <summary>Export-DiffractionPlot: unit-cell histograms, run plots, metrology residual maps, I/σ and Wilson plots, merging statistics and the normal probability plot (PowerShell 7).</summary>
    [Cmdlet(VerbsData.Export, "DiffractionPlot", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(System.IO.FileInfo))]
    public sealed class ExportDiffractionPlotCommand : PSCmdlet
    {
        private readonly RunCollector _data = new RunCollector();
        private PictureFormat _format;
        private int _inputs;

        /// <summary>The plot file (.png or .svg); with several kinds a pattern with {0} (the kind).</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = "";

        /// <summary>Images, spot lists, lattices, reflection tables, metrology results, cell summaries, merged data sets.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        [ValidateNotNull]
        public PSObject? InputObject { get; set; }

        /// <summary>The plots to draw; by default the one the input is most specific to.</summary>
        [Parameter] [ValidateNotNullOrEmpty] public PlotKind[]? Kind { get; set; }

        [Parameter] [ValidateRange(200, 16384)] public int Width { get; set; } = 1000;

        /// <summary>0 (default): the kind's own proportions.</summary>
        [Parameter] [ValidateRange(0, 16384)] public int Height { get; set; }

        [Parameter] public string? Title { get; set; }

        /// <summary>An image with at least this many spots is a hit (run plot).</summary>
        [Parameter] [ValidateRange(0, int.MaxValue)] public int MinSpots { get; set; } = 20;

        /// <summary>Magnification of metrology residuals; by default the RMSD before refinement is drawn as a quarter of a panel.</summary>
        [Parameter] [ValidateRange(0.001, 1e9)] public double Magnification { get; set; } = double.NaN;

        /// <summary>Resolution shells of the I/σ and Wilson plots.</summary>
        [Parameter] [ValidateRange(2, 200)] public int Shells { get; set; } = 20;

        [Parameter] public SwitchParameter Force { get; set; }

        [Parameter] public SwitchParameter PassThru { get; set; }

        protected override void BeginProcessing()
        {
            PictureFiles.RequireDrawing(this);
            _format = PictureFiles.FormatOf(this, Path);
        }

        protected override void ProcessRecord()
        {
            object item = InputObject!.BaseObject;
            try
            {
                _data.Add(item);
                _inputs++;
            }
            catch (ArgumentException e)
            {
                WriteError(new ErrorRecord(e, "UnsupportedPictureInput", ErrorCategory.InvalidType, item));
            }
        }

        protected override void EndProcessing()
        {
            if (_inputs == 0) return;
            var settings = new PlotSettings { Width = Width, Height = Height, Title = Title, MinSpots = MinSpots, Magnification = Magnification, Shells = Shells };
            IReadOnlyList<PlotKind> kinds = Kind ?? new[] { Preferred() };
            if (kinds.Count > 1 && !Path.Contains("{0"))
            {
                ThrowTerminatingError(ErrorRecords.InvalidArgument($"Several plot kinds go to '{Path}'; give a pattern with {{0}} for the kind, e.g. plots/{{0}}.png.", "PathCollision", Path));
                return;
            }
            if (Kind == null) WriteVerbose($"Drawing a {kinds[0]} plot (the input's most specific; -Kind chooses another: {string.Join(", ", PlotCatalogue.Available(_data))}).");
            int done = 0;
            foreach (var kind in kinds.Distinct())
            {
                WriteProgress(new ProgressRecord(1, "Export-DiffractionPlot", $"Drawing the {kind} plot") { PercentComplete = 100 * done++ / kinds.Count });
                string target = PictureFiles.Target(this, Path, kind, kind.ToString());
                PictureFiles.Write(this, target, Force, $"Draw a {kind} plot of {_inputs} objects",
                    () => PictureRenderer.DrawPlot(kind, _data, settings, _format), kind, PassThru);
            }
            WriteProgress(new ProgressRecord(1, "Export-DiffractionPlot", "Done") { RecordType = ProgressRecordType.Completed });
        }

        // The plot an input is most specific to: a merged data set, a metrology result, a cell summary, measured reflections, lattices, else the run.
        private PlotKind Preferred()
        {
            if (_data.MergedDataSets.Count > 0) return PlotKind.Merging;
            if (_data.MetrologyResults.Count > 0) return PlotKind.Metrology;
            if (_data.UnitCellSummaries.Count > 0) return PlotKind.UnitCell;
            if (_data.ReflectionD.Count > 0) return PlotKind.IOverSigma;
            if (_data.Cells.Count + _data.PlanarCells.Count > 1 && _data.Images.All(i => i.Spots < 0 || i.Lattices > 0)) return PlotKind.UnitCell;
            return PlotKind.Run;
        }
    }
}
