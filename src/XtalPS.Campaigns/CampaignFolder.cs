using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using XtalPS.Formats;

namespace XtalPS.Campaigns
{
    /// <summary>
    /// The layout of a campaign folder:
    /// <code>
    /// campaign.json          what the campaign is and how it was run (CampaignManifest)
    /// files.txt              the image files, one full path a line, in the (ordinal) order chunks take them
    /// pipeline.ps1           the user's script as it was when the campaign started (what every chunk runs)
    /// chunks/chunk_NNNNNN.images.parquet, .lattices.parquet, .reflections.parquet, .done.json | .failed.json
    /// logs/                  each chunk's console output (local processes, Slurm tasks)
    /// slurm/                 the sbatch scripts
    /// </code>
    /// Chunk i holds files [i·ChunkSize, (i+1)·ChunkSize).
    /// </summary>
    public sealed class CampaignFolder
    {
        public const string ManifestName = "campaign.json", FilesName = "files.txt", ScriptName = "pipeline.ps1";

        public CampaignFolder(string path) { Path = System.IO.Path.GetFullPath(path); }

        public string Path { get; }
        public string ManifestPath => System.IO.Path.Combine(Path, ManifestName);
        public string FilesPath => System.IO.Path.Combine(Path, FilesName);
        public string ScriptPath => System.IO.Path.Combine(Path, ScriptName);
        public string ChunksFolder => System.IO.Path.Combine(Path, "chunks");
        public string LogsFolder => System.IO.Path.Combine(Path, "logs");
        public string SlurmFolder => System.IO.Path.Combine(Path, "slurm");
        public bool Exists => File.Exists(ManifestPath);

        public static string ChunkStem(int chunk) => "chunk_" + chunk.ToString("D6", CultureInfo.InvariantCulture);
        public string ChunkFile(int chunk, string kind) => System.IO.Path.Combine(ChunksFolder, $"{ChunkStem(chunk)}.{kind}.parquet");
        public string DonePath(int chunk) => System.IO.Path.Combine(ChunksFolder, ChunkStem(chunk) + ".done.json");
        public string FailedPath(int chunk) => System.IO.Path.Combine(ChunksFolder, ChunkStem(chunk) + ".failed.json");
        public string LocalLogPath(int chunk) => System.IO.Path.Combine(LogsFolder, ChunkStem(chunk) + ".log");

        public CampaignManifest ReadManifest() => CampaignManifest.Read(ManifestPath);

        /// <summary>The whole file list (Start-ProcessingJob and the summary); chunk runners use <see cref="ReadChunkFiles"/>.</summary>
        public List<string> ReadFiles() => File.ReadLines(FilesPath, Encoding.UTF8).Where(l => l.Length > 0).ToList();

        /// <summary>Files [chunk·size, (chunk+1)·size) of files.txt, read without holding the whole list.</summary>
        public List<string> ReadChunkFiles(int chunk, int chunkSize)
        {
            long first = (long)chunk * chunkSize;
            return File.ReadLines(FilesPath, Encoding.UTF8).Where(l => l.Length > 0).Skip((int)Math.Min(first, int.MaxValue)).Take(chunkSize).ToList();
        }

        public static byte[] FilesText(IReadOnlyList<string> files)
        {
            var sb = new StringBuilder();
            foreach (var f in files) sb.Append(f).Append('\n');
            return new UTF8Encoding(false).GetBytes(sb.ToString());
        }

        public void WriteFiles(byte[] text) => AtomicFile.Write(FilesPath, s => s.Write(text, 0, text.Length));

        /// <summary>The completion record of a chunk that is really complete for this campaign, else null.</summary>
        public ChunkRecord? CompletedRecord(int chunk, string campaignId)
        {
            var r = ChunkRecord.TryRead(DonePath(chunk));
            if (r == null || r.CampaignId != campaignId || r.Chunk != chunk || r.State != "Completed") return null;
            foreach (var f in r.Files)
            {
                var info = new FileInfo(System.IO.Path.Combine(ChunksFolder, f.Name));
                if (!info.Exists || info.Length != f.Bytes) return null;
            }
            return r.Files.Count == 3 ? r : null;
        }

        /// <summary>Removes what an earlier attempt at a chunk left: its completion or failure record first, then its
        /// tables and any temporary files of writes that were cut off.</summary>
        public void ClearChunk(int chunk)
        {
            if (!Directory.Exists(ChunksFolder)) return;
            TryDelete(DonePath(chunk));
            TryDelete(FailedPath(chunk));
            foreach (var kind in ChunkTables.Kinds) TryDelete(ChunkFile(chunk, kind));
            string stem = ChunkStem(chunk);
            foreach (var temp in Directory.EnumerateFiles(ChunksFolder, "." + stem + ".*.tmp")) TryDelete(temp);
        }

        /// <summary>Temporary files of cut-off writes anywhere in the chunk folder (a killed task leaves them).</summary>
        public int RemoveStaleTemporaryFiles()
        {
            if (!Directory.Exists(ChunksFolder)) return 0;
            int n = 0;
            foreach (var temp in Directory.EnumerateFiles(ChunksFolder, ".*.tmp")) if (TryDelete(temp)) n++;
            return n;
        }

        /// <summary>Deletes every chunk, log and Slurm file and the manifest (Start-ProcessingJob -Force on another campaign's folder).</summary>
        public void DeleteCampaign()
        {
            foreach (var dir in new[] { ChunksFolder, LogsFolder, SlurmFolder })
                if (Directory.Exists(dir)) Directory.Delete(dir, true);
            TryDelete(ManifestPath);
            TryDelete(FilesPath);
            TryDelete(ScriptPath);
        }

        private static bool TryDelete(string path)
        {
            try
            {
                if (!File.Exists(path)) return false;
                File.Delete(path);
                return true;
            }
            catch (IOException) { return false; }
            catch (UnauthorizedAccessException) { return false; }
        }
    }
}
