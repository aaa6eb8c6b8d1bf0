using System.Management.Automation;
using XtalPS.Internal;

namespace XtalPS.Commands
{
    /// <summary>
    /// Invoke-ProcessingChunk: runs one chunk of a campaign in this process — what every local process and Slurm array
    /// task runs, and how to redo or debug one chunk by hand. Writes the chunk's Parquet tables atomically, then its
    /// completion record. PowerShell 7 only.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "ProcessingChunk", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType("XtalPS.Campaigns.ChunkStatus")]
    public sealed class InvokeProcessingChunkCommand : PSCmdlet, System.IDisposable
    {
        private readonly System.Threading.CancellationTokenSource _stop = new System.Threading.CancellationTokenSource();

        /// <summary>Cancelled by Ctrl+C (StopProcessing): the chunk stops after the images in flight.</summary>
        internal System.Threading.CancellationToken Cancellation => _stop.Token;

        /// <summary>The campaign folder.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "LP", "OutputFolder", "Folder")]
        [ValidateNotNullOrEmpty]
        public string LiteralPath { get; set; } = "";

        /// <summary>The chunk's 0-based index.</summary>
        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        [Alias("Chunk")]
        [ValidateRange(0, int.MaxValue)]
        public int Index { get; set; }

        /// <summary>Images processed at once (default: SLURM_CPUS_PER_TASK, else the local scheduler's share, else the processor count).</summary>
        [Parameter]
        [ValidateRange(0, 1024)]
        public int ThrottleLimit { get; set; }

        protected override void BeginProcessing() => CampaignEngine.Get(this);

        protected override void ProcessRecord()
        {
            string folder = SessionState.Path.GetUnresolvedProviderPathFromPSPath(LiteralPath);
            CampaignEngine.Get(this).RunChunk(this, folder);
        }

        protected override void StopProcessing() => _stop.Cancel();

        public void Dispose() => _stop.Dispose();
    }
}
