using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace XtalPS.Campaigns
{
    /// <summary>
    /// chunk_NNNNNN.done.json, written last (atomically) when a chunk completes: the campaign it belongs to and the
    /// size and SHA-256 of each table file. A chunk counts as complete only when this record exists, names the same
    /// campaign, and every file it lists is there with its recorded size — so a task killed half-way (which can leave
    /// temporary files, never a final file) is never taken for complete. chunk_NNNNNN.failed.json holds why a chunk failed.
    /// </summary>
    public sealed class ChunkRecord
    {
        public const string FormatName = "xtalps-campaign-chunk/1";

        public string Format { get; set; } = FormatName;
        public string CampaignId { get; set; } = "";
        public int Chunk { get; set; }
        /// <summary>Completed or Failed.</summary>
        public string State { get; set; } = "";
        public List<ChunkFile> Files { get; set; } = new List<ChunkFile>();
        /// <summary>Image files in the chunk.</summary>
        public int ImageFiles { get; set; }
        public int Images { get; set; }
        public int Lattices { get; set; }
        public long Reflections { get; set; }
        public int FailedImages { get; set; }
        public double Seconds { get; set; }
        public int Threads { get; set; }
        public string Machine { get; set; } = "";
        public int ProcessId { get; set; }
        /// <summary>The Slurm job and array task that ran the chunk ("123_4"), when Slurm did.</summary>
        public string? SlurmTask { get; set; }
        public string Started { get; set; } = "";
        public string Finished { get; set; } = "";
        public string? Message { get; set; }

        /// <summary>The record at <paramref name="path"/>, or null when it is missing or unreadable.</summary>
        public static ChunkRecord? TryRead(string path)
        {
            try
            {
                if (!File.Exists(path)) return null;
                var r = CampaignJson.Read<ChunkRecord>(path);
                return r != null && r.Format == FormatName ? r : null;
            }
            catch (IOException) { return null; }
            catch (JsonException) { return null; }
            catch (System.UnauthorizedAccessException) { return null; }
        }

        public void Write(string path) => CampaignJson.Write(path, this);
    }

    public sealed class ChunkFile
    {
        public string Name { get; set; } = "";
        public long Bytes { get; set; }
        public string Sha256 { get; set; } = "";
    }
}
