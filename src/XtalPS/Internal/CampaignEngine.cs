using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;
using XtalPS.Commands;

namespace XtalPS.Internal
{
    /// <summary>
    /// What the campaign cmdlets ask of XtalPS.Campaigns.dll. The cmdlets here only declare parameters; the work
    /// (Parquet chunk files, schedulers, the Job2 object) lives in that net10.0 assembly, which is loaded from
    /// bin/campaigns on PowerShell 7 only, so Windows PowerShell 5.1 still loads the module and gets a clear refusal.
    /// </summary>
    internal interface ICampaignEngine
    {
        void Start(StartProcessingJobCommand command, string[] files, string outputFolder);
        void Get(GetProcessingJobCommand command, string folder);
        void Summarize(GetProcessingSummaryCommand command, string folder);
        void RunChunk(InvokeProcessingChunkCommand command, string folder);
        /// <summary>True when the folder holds a campaign (its campaign.json).</summary>
        bool IsCampaignFolder(string folder);
        /// <summary>Streams every complete chunk's reflection tables, in lattice order, to the cmdlet's output.</summary>
        void ImportTables(PSCmdlet command, string folder);
    }

    internal static class CampaignEngine
    {
        public const string ErrorId = "CampaignsNeedPowerShell7";
        private static ICampaignEngine? _engine;
        private static string? _failure;
        private static readonly object Gate = new object();

        /// <summary>The engine, or null with the reason (Windows PowerShell 5.1, or the assembly missing).</summary>
        public static ICampaignEngine? TryGet(out string reason)
        {
            lock (Gate)
            {
                if (_engine == null && _failure == null) Load();
                reason = _failure ?? "";
                return _engine;
            }
        }

        /// <summary>The engine, or a terminating error naming what is missing.</summary>
        public static ICampaignEngine Get(PSCmdlet command)
        {
            var engine = TryGet(out string reason);
            if (engine != null) return engine;
            command.ThrowTerminatingError(new ErrorRecord(new PlatformNotSupportedException(
                $"{command.MyInvocation.MyCommand.Name} needs PowerShell 7 (.NET 10): {reason}"), ErrorId, ErrorCategory.NotEnabled, null));
            throw new InvalidOperationException(reason); // not reached: ThrowTerminatingError throws
        }

        private static void Load()
        {
            if (RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal))
            {
                _failure = "processing campaigns (Parquet chunk files, Slurm and local jobs) run on PowerShell 7 only; this is Windows PowerShell " +
                    "on .NET Framework. Install PowerShell 7 (pwsh) and import XtalPS there.";
                return;
            }
            string here = Path.GetDirectoryName(typeof(CampaignEngine).Assembly.Location) ?? ".";
            string path = Path.Combine(here, "campaigns", "XtalPS.Campaigns.dll");
            if (!File.Exists(path))
            {
                _failure = $"the campaign assembly '{path}' is missing; rebuild the module (dotnet build src/XtalPS.Campaigns).";
                return;
            }
            try
            {
                var assembly = Assembly.LoadFrom(path);
                var type = assembly.GetType("XtalPS.Campaigns.CampaignEngine", throwOnError: true)!;
                _engine = (ICampaignEngine)Activator.CreateInstance(type)!;
            }
            catch (Exception e) when (e is IOException || e is BadImageFormatException || e is TypeLoadException || e is InvalidCastException
                                      || e is MissingMethodException || e is TargetInvocationException || e is FileLoadException)
            {
                _failure = $"the campaign assembly '{path}' could not be loaded: {e.Message}";
            }
        }
    }
}
