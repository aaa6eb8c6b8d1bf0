using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace XtalPS.Campaigns
{
    /// <summary>
    /// -Scheduler Slurm: the chunks as sbatch --array tasks (split into several arrays when a chunk index would reach
    /// the cluster's MaxArraySize; task id = chunk − offset), with the user's partition, account, qos, time limit,
    /// cpus-per-task, memory, constraint and extra arguments. One squeue call per poll covers every task; Stop-Job
    /// is scancel. Each task's output goes to logs/slurm-JOB_TASK.out.
    /// </summary>
    internal sealed class SlurmScheduler : IChunkScheduler
    {
        private readonly CampaignFolder _folder;
        private readonly List<SlurmArray> _arrays;

        public SlurmScheduler(CampaignFolder folder, IEnumerable<SlurmArray> arrays)
        {
            _folder = folder;
            _arrays = arrays.ToList();
        }

        public string Name => "Slurm";
        public IReadOnlyList<string> JobIds => _arrays.Select(a => a.JobId).ToList();

        /// <summary>Writes the batch scripts and submits one array per group of chunks. sbatch's refusal is a
        /// <see cref="SlurmException"/> carrying its message verbatim; arrays submitted before it are cancelled.</summary>
        public static List<SlurmArray> Submit(CampaignFolder folder, CampaignManifest manifest, IReadOnlyCollection<int> chunks, HostCommand host,
            string modulePath, SlurmOptions options, int cpusPerTask, int throttle, Action<string> verbose)
        {
            if (SlurmClient.Sbatch == null)
                throw new SlurmException("sbatch", "Slurm's sbatch is not on PATH on this machine, so no job array can be submitted here. " +
                    "Run the campaign on this machine with -Scheduler Local, or start it from a Slurm login node.");
            int max = SlurmClient.MaxArraySize();
            var groups = SlurmClient.SplitArrays(chunks, max);
            verbose($"MaxArraySize {max}: {chunks.Count} chunk(s) in {groups.Count} array job(s)");
            Directory.CreateDirectory(folder.SlurmFolder);
            Directory.CreateDirectory(folder.LogsFolder);
            var arrays = new List<SlurmArray>();
            try
            {
                foreach (var (offset, tasks) in groups)
                {
                    string script = Path.Combine(folder.SlurmFolder, $"array_{offset:D6}.sh");
                    var text = BatchScript(folder, manifest, host, modulePath, offset);
                    Formats.AtomicFile.Write(script, s => { var b = new UTF8Encoding(false).GetBytes(text); s.Write(b, 0, b.Length); });
                    string spec = SlurmClient.ArraySpec(tasks) + (throttle > 0 ? "%" + throttle.ToString(CultureInfo.InvariantCulture) : "");
                    var args = new List<string>
                    {
                        "--job-name=xtalps-" + manifest.Name,
                        "--array=" + spec,
                        "--output=" + Path.Combine(folder.LogsFolder, "slurm-%A_%a.out"),
                        "--chdir=" + (Directory.Exists(manifest.WorkingDirectory) ? manifest.WorkingDirectory : folder.Path),
                        "--cpus-per-task=" + cpusPerTask.ToString(CultureInfo.InvariantCulture),
                        "--ntasks=1",
                    };
                    if (!string.IsNullOrEmpty(options.Partition)) args.Add("--partition=" + options.Partition);
                    if (!string.IsNullOrEmpty(options.Account)) args.Add("--account=" + options.Account);
                    if (!string.IsNullOrEmpty(options.Qos)) args.Add("--qos=" + options.Qos);
                    if (!string.IsNullOrEmpty(options.TimeLimit)) args.Add("--time=" + options.TimeLimit);
                    if (!string.IsNullOrEmpty(options.Memory)) args.Add("--mem=" + options.Memory);
                    if (!string.IsNullOrEmpty(options.Constraint)) args.Add("--constraint=" + options.Constraint);
                    if (options.ExtraArguments != null) args.AddRange(options.ExtraArguments);
                    args.Add(script);
                    verbose("sbatch " + string.Join(" ", args));
                    string id = SlurmClient.Submit(args);
                    verbose($"Slurm job {id}: chunks {offset} + [{SlurmClient.ArraySpec(tasks)}]");
                    arrays.Add(new SlurmArray { JobId = id, Offset = offset, Array = spec });
                }
            }
            catch (SlurmException)
            {
                try { SlurmClient.Cancel(arrays.Select(a => a.JobId)); } catch (SlurmException) { }
                throw;
            }
            return arrays;
        }

        private static string BatchScript(CampaignFolder folder, CampaignManifest manifest, HostCommand host, string modulePath, int offset)
        {
            var sb = new StringBuilder();
            sb.Append("#!/bin/bash\n");
            sb.Append($"# XtalPS campaign '{manifest.Name}' ({manifest.Id.Substring(0, 12)}): chunk = {offset} + SLURM_ARRAY_TASK_ID\n");
            sb.Append("export ").Append(HostCommand.FolderVariable).Append('=').Append(HostCommand.ShellQuote(folder.Path)).Append('\n');
            sb.Append("export ").Append(HostCommand.ChunkVariable).Append("=$((").Append(offset.ToString(CultureInfo.InvariantCulture)).Append(" + SLURM_ARRAY_TASK_ID))\n");
            sb.Append("export ").Append(HostCommand.ModuleVariable).Append('=').Append(HostCommand.ShellQuote(Path.Combine(modulePath, "XtalPS.psd1"))).Append('\n');
            sb.Append("echo \"# chunk $").Append(HostCommand.ChunkVariable).Append(" on $(hostname) at $(date '+%F %T'), job ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\"\n");
            sb.Append("exec ").Append(host.ShellLine()).Append('\n');
            return sb.ToString();
        }

        public IReadOnlyDictionary<int, (TaskState State, string Where)> Poll(IReadOnlyCollection<int> chunks)
        {
            var queue = SlurmClient.Queue(JobIds);
            var result = new Dictionary<int, (TaskState, string)>();
            foreach (var c in chunks)
            {
                var array = ArrayOf(c);
                if (array == null) { result[c] = (TaskState.Gone, ""); continue; }
                string key = array.JobId + "_" + (c - array.Offset).ToString(CultureInfo.InvariantCulture);
                if (queue.TryGetValue(key, out var q))
                {
                    var state = q.State is "PENDING" or "REQUEUED" or "REQUEUE_HOLD" or "SUSPENDED" or "CONFIGURING" ? TaskState.Pending : TaskState.Running;
                    result[c] = (state, key + (state == TaskState.Pending && q.Reason.Length > 0 && q.Reason != "None" ? $" ({q.Reason})" : ""));
                }
                else result[c] = (TaskState.Gone, key);
            }
            return result;
        }

        private SlurmArray? ArrayOf(int chunk)
        {
            // Later arrays (a resubmission) take precedence over earlier ones for the same chunk.
            for (int i = _arrays.Count - 1; i >= 0; i--)
            {
                var a = _arrays[i];
                int task = chunk - a.Offset;
                if (task >= 0 && Covers(a.Array, task)) return a;
            }
            return null;
        }

        private static bool Covers(string spec, int task)
        {
            foreach (var part in spec.Split('%')[0].Split(','))
            {
                var ends = part.Split('-');
                if (!int.TryParse(ends[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int a)) continue;
                int b = a;
                if (ends.Length > 1 && !int.TryParse(ends[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out b)) continue;
                if (task >= a && task <= b) return true;
            }
            return false;
        }

        public void Stop() => SlurmClient.Cancel(JobIds);

        public string? LogPath(int chunk)
        {
            var a = ArrayOf(chunk);
            return a == null ? null : Path.Combine(_folder.LogsFolder, $"slurm-{a.JobId}_{chunk - a.Offset}.out");
        }

        public void Dispose() { }
    }
}
