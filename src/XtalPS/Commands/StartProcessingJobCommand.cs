using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using XtalPS.Internal;

namespace XtalPS.Commands
{
    /// <summary>
    /// Start-ProcessingJob: runs a pipeline script over many image files in chunks — as parallel local processes or as
    /// a Slurm job array — writing one set of Parquet tables per chunk into the output folder, and returns a job that
    /// Get-Job, Wait-Job, Receive-Job and Stop-Job know. Rerunning with the same folder resumes. PowerShell 7 only.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Start, "ProcessingJob", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType("XtalPS.Campaigns.ProcessingJob")]
    public sealed class StartProcessingJobCommand : PSCmdlet
    {
        private const string PathSet = "Path", LiteralSet = "LiteralPath";
        private readonly List<string> _files = new List<string>();

        /// <summary>Image files (wildcards); frames of multi-frame files stay together in one chunk.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public string[] Path { get; set; } = new string[0];

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralSet)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; } = new string[0];

        /// <summary>The pipeline script (.ps1) run once per image with the image as its pipeline input.</summary>
        [Parameter(Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string Script { get; set; } = "";

        /// <summary>Parameters splatted to the script on every image.</summary>
        [Parameter]
        public Hashtable? ScriptParameter { get; set; }

        /// <summary>The campaign folder: chunk tables, logs, campaign.json.</summary>
        [Parameter(Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string OutputFolder { get; set; } = "";

        [Parameter]
        [ValidateSet("Local", "Slurm")]
        public string Scheduler { get; set; } = "Local";

        /// <summary>Image files per chunk (one local process or one array task each).</summary>
        [Parameter]
        [ValidateRange(1, 10000000)]
        public int ChunkSize { get; set; } = 1000;

        /// <summary>Local: processes at once (default: the processor count over -CpusPerTask). Slurm: array tasks at once (0 = no limit).</summary>
        [Parameter]
        [ValidateRange(0, 100000)]
        public int ThrottleLimit { get; set; }

        /// <summary>Cores per chunk: sbatch --cpus-per-task, and the threads each local process uses.</summary>
        [Parameter]
        [ValidateRange(1, 1024)]
        public int CpusPerTask { get; set; } = 1;

        /// <summary>A detector model file (.expt, .geom, …) applied to every image, as Import-DiffractionImage -Detector.</summary>
        [Parameter]
        public string? Geometry { get; set; }

        /// <summary>The job's name (default: the output folder's name).</summary>
        [Parameter]
        public string? Name { get; set; }

        [Parameter] public string? Partition { get; set; }
        [Parameter] public string? Account { get; set; }
        [Parameter] public string? Qos { get; set; }
        /// <summary>sbatch --time, e.g. 01:00:00.</summary>
        [Parameter] public string? TimeLimit { get; set; }
        /// <summary>sbatch --mem, e.g. 4G.</summary>
        [Parameter] public string? Memory { get; set; }
        [Parameter] public string? Constraint { get; set; }
        /// <summary>Further sbatch arguments, passed as given.</summary>
        [Parameter] public string[]? SbatchArgument { get; set; }

        /// <summary>Seconds between status polls (one squeue call per poll on Slurm).</summary>
        [Parameter]
        [ValidateRange(0.1, 3600)]
        public double PollInterval { get; set; } = 2;

        /// <summary>Start over in a folder that holds a different campaign (its chunk files are deleted).</summary>
        [Parameter] public SwitchParameter Force { get; set; }

        protected override void BeginProcessing() => CampaignEngine.Get(this);

        protected override void ProcessRecord()
        {
            bool literal = ParameterSetName == LiteralSet;
            _files.AddRange(PathResolver.Resolve(this, literal ? LiteralPath : Path, literal));
        }

        protected override void EndProcessing()
        {
            if (_files.Count == 0)
            {
                ThrowTerminatingError(ErrorRecords.InvalidArgument("No image files to process.", "NoImages", null));
                return;
            }
            string folder;
            try { folder = PathResolver.ResolveOutput(this, OutputFolder); }
            catch (Exception e) when (e is ArgumentException || e is PSArgumentException || e is NotSupportedException)
            {
                ThrowTerminatingError(ErrorRecords.InvalidArgument(e.Message, "InvalidPath", OutputFolder));
                return;
            }
            CampaignEngine.Get(this).Start(this, _files.ToArray(), folder);
        }
    }
}
