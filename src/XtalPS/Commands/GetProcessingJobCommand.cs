using System.Management.Automation;
using XtalPS.Internal;

namespace XtalPS.Commands
{
    /// <summary>
    /// Get-ProcessingJob: the job of a campaign folder, found again by a later PowerShell process (a Slurm campaign
    /// from the login node tomorrow); it joins Get-Job, and Wait-Job, Receive-Job and Stop-Job work on it. PowerShell 7 only.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "ProcessingJob", DefaultParameterSetName = PathSet)]
    [OutputType("XtalPS.Campaigns.ProcessingJob")]
    public sealed class GetProcessingJobCommand : PSCmdlet
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

        /// <summary>Seconds between status polls (one squeue call per poll on Slurm).</summary>
        [Parameter]
        [ValidateRange(0.1, 3600)]
        public double PollInterval { get; set; } = 2;

        protected override void BeginProcessing() => CampaignEngine.Get(this);

        protected override void ProcessRecord()
        {
            bool literal = ParameterSetName == LiteralSet;
            foreach (var folder in PathResolver.ResolveFolders(this, literal ? LiteralPath : Path, literal))
                CampaignEngine.Get(this).Get(this, folder);
        }
    }
}
