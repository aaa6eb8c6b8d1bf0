using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;

namespace XtalPS.Campaigns
{
    /// <summary>
    /// campaign.json: what a campaign is (its files, script, parameters, chunk size — hashed into <see cref="Id"/>) and
    /// how it was run (one <see cref="Submission"/> per Start-ProcessingJob), so that any later process can find the
    /// job again, resume it, or gather it.
    /// </summary>
    public sealed class CampaignManifest
    {
        public const string FormatName = "xtalps-campaign/1";

        public string Format { get; set; } = FormatName;
        /// <summary>SHA-256 (hex) over the identity fields below: two runs with the same Id compute the same thing.</summary>
        public string Id { get; set; } = "";
        public string Name { get; set; } = "";
        public string Created { get; set; } = "";
        public string XtalPSVersion { get; set; } = "";
        public int FileCount { get; set; }
        public string FilesSha256 { get; set; } = "";
        public string ScriptName { get; set; } = "";
        public string ScriptSha256 { get; set; } = "";
        /// <summary>The script's parameters, PowerShell CliXml (null when none).</summary>
        public string? ScriptParameters { get; set; }
        public string? Geometry { get; set; }
        public int ChunkSize { get; set; }
        public int ChunkCount { get; set; }
        /// <summary>Where Start-ProcessingJob ran: the script's working folder on every node.</summary>
        public string WorkingDirectory { get; set; } = "";
        public List<Submission> Submissions { get; set; } = new List<Submission>();

        public static string ComputeId(string filesSha256, string scriptSha256, string? parameters, string? geometry, int chunkSize)
        {
            var text = new StringBuilder(FormatName).Append('\n').Append(filesSha256).Append('\n').Append(scriptSha256).Append('\n')
                .Append(Sha256Hex(Encoding.UTF8.GetBytes(parameters ?? ""))).Append('\n').Append(geometry ?? "").Append('\n').Append(chunkSize);
            return Sha256Hex(Encoding.UTF8.GetBytes(text.ToString()));
        }

        public static string Sha256Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes)).ToLowerInvariant();

        /// <summary>What differs between this campaign and another with the same folder (for the refusal message).</summary>
        public List<string> Differences(CampaignManifest other)
        {
            var d = new List<string>();
            if (FilesSha256 != other.FilesSha256) d.Add($"the image files ({FileCount} before, {other.FileCount} now, or other names)");
            if (ScriptSha256 != other.ScriptSha256) d.Add("the script's text");
            if ((ScriptParameters ?? "") != (other.ScriptParameters ?? "")) d.Add("-ScriptParameter");
            if ((Geometry ?? "") != (other.Geometry ?? "")) d.Add("-Geometry");
            if (ChunkSize != other.ChunkSize) d.Add($"-ChunkSize ({ChunkSize} before, {other.ChunkSize} now)");
            return d;
        }

        public static CampaignManifest Read(string path)
        {
            CampaignManifest? m;
            try { m = CampaignJson.Read<CampaignManifest>(path); }
            catch (JsonException e) { throw new InvalidDataException($"'{path}' is not a campaign manifest: {e.Message}", e); }
            if (m == null || m.Format != FormatName || m.Id.Length == 0)
                throw new InvalidDataException($"'{path}' is not a campaign manifest of format {FormatName}.");
            return m;
        }

        public void Write(string path) => CampaignJson.Write(path, this);
    }

    /// <summary>One Start-ProcessingJob run of a campaign: which chunks it ran, where, and the scheduler's handles.</summary>
    public sealed class Submission
    {
        public string Scheduler { get; set; } = "";
        public string Submitted { get; set; } = "";
        /// <summary>The chunks this run started (the rest were complete already).</summary>
        public List<int> Chunks { get; set; } = new List<int>();
        /// <summary>The machine and process that drive a local run (local chunks start only while it lives).</summary>
        public string? Machine { get; set; }
        public int? DriverProcessId { get; set; }
        public List<SlurmArray>? SlurmArrays { get; set; }
        public SlurmOptions? Slurm { get; set; }
        public int CpusPerTask { get; set; } = 1;
        public int ThrottleLimit { get; set; }
        /// <summary>When the job that drove this run finished (a local run's chunks start only before then), and how.</summary>
        public string? Ended { get; set; }
        public string? Outcome { get; set; }
    }

    /// <summary>One sbatch --array submission: chunk = Offset + SLURM_ARRAY_TASK_ID.</summary>
    public sealed class SlurmArray
    {
        public string JobId { get; set; } = "";
        public int Offset { get; set; }
        public string Array { get; set; } = "";
    }

    /// <summary>The sbatch options of a Slurm run.</summary>
    public sealed class SlurmOptions
    {
        public string? Partition { get; set; }
        public string? Account { get; set; }
        public string? Qos { get; set; }
        public string? TimeLimit { get; set; }
        public string? Memory { get; set; }
        public string? Constraint { get; set; }
        public List<string>? ExtraArguments { get; set; }
    }
}
