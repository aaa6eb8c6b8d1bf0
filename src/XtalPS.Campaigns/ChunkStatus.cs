using System.Globalization;

namespace XtalPS.Campaigns
{
    public enum ChunkState
    {
        /// <summary>Waiting for a process or a Slurm task.</summary>
        Pending,
        Running,
        /// <summary>Its tables and completion record are written.</summary>
        Completed,
        /// <summary>The chunk runner failed, or its task ended without completing the chunk (killed, cancelled, out of time).</summary>
        Failed,
        /// <summary>Not complete and nothing is running it (the process that drove it is gone): rerun Start-ProcessingJob.</summary>
        Missing,
        /// <summary>Stopped by Stop-Job.</summary>
        Stopped,
    }

    /// <summary>The state of one chunk of a campaign: what Receive-Job emits per chunk, and what Invoke-ProcessingChunk returns.</summary>
    public sealed class ChunkStatus
    {
        public string Campaign { get; set; } = "";
        public string Folder { get; set; } = "";
        public int Chunk { get; set; }
        public ChunkState State { get; set; }
        /// <summary>True when the chunk was complete from an earlier run and was not redone.</summary>
        public bool Reused { get; set; }
        public int Files { get; set; }
        public int Images { get; set; }
        public int Lattices { get; set; }
        public long Reflections { get; set; }
        public int FailedImages { get; set; }
        public double Seconds { get; set; }
        /// <summary>Where it ran: the machine and process, or the Slurm job_task.</summary>
        public string Where { get; set; } = "";
        public string? Message { get; set; }

        public bool IsFinished => State == ChunkState.Completed || State == ChunkState.Failed || State == ChunkState.Missing || State == ChunkState.Stopped;

        public static ChunkStatus FromRecord(string campaign, string folder, ChunkRecord r, bool reused) => new ChunkStatus
        {
            Campaign = campaign, Folder = folder, Chunk = r.Chunk, State = r.State == "Completed" ? ChunkState.Completed : ChunkState.Failed,
            Reused = reused, Files = r.ImageFiles, Images = r.Images, Lattices = r.Lattices, Reflections = r.Reflections, FailedImages = r.FailedImages,
            Seconds = r.Seconds, Where = r.SlurmTask ?? $"{r.Machine}:{r.ProcessId}", Message = r.Message,
        };

        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "{0} chunk {1}: {2}, {3} images, {4} lattices, {5} reflections",
            Campaign, Chunk, State, Images, Lattices, Reflections);
    }
}
