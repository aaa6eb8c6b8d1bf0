using System.Management.Automation;
using XtalPS.Internal;

namespace XtalPS.Commands
{
    /// <summary>
    /// Get-ProcessingSummary: what a campaign found, read from its chunk tables — hit rate, indexing rate, lattices per
    /// image, the cell distribution (unit-cell clustering), resolution and failures by error id; or, with -PerImage,
    /// one record per image. PowerShell 7 only.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "ProcessingSummary", DefaultParameterSetName = PathSet)]
    [OutputType("XtalPS.Campaigns.ProcessingSummary", "XtalPS.Campaigns.ImageRecord")]
    public sealed class GetProcessingSummaryCommand : PSCmdlet
    {
        private const string PathSet = "Path", LiteralSet = "LiteralPath";

        /// <summary>Campaign folders (wildcards).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = PathSet)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public string[] Path { get; set; } = new string[0];

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralSet)]
        [Alias("PSPath", "LP", "OutputFolder")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; } = new string[0];

        /// <summary>An image with at least this many spots is a hit.</summary>
        [Parameter]
        [ValidateRange(0, 1000000)]
        public int MinSpots { get; set; } = 20;

        /// <summary>Cells closer than this relative G6 distance are one cluster (as Measure-UnitCell -Threshold).</summary>
        [Parameter]
        [ValidateRange(0.001, 1.0)]
        public double ClusterThreshold { get; set; } = 0.05;

        /// <summary>One record per image (path, frame, spots, lattices, cell, resolution, reflections, error) instead of the summary.</summary>
        [Parameter] public SwitchParameter PerImage { get; set; }

        protected override void BeginProcessing() => CampaignEngine.Get(this);

        protected override void ProcessRecord()
        {
            bool literal = ParameterSetName == LiteralSet;
            foreach (var folder in PathResolver.ResolveFolders(this, literal ? LiteralPath : Path, literal))
                CampaignEngine.Get(this).Summarize(this, folder);
        }
    }
}
