using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using XtalPS.Commands;
using XtalPS.Internal;

namespace XtalPS.Campaigns
{
    /// <summary>The campaign cmdlets' work (they are thin classes in XtalPS.dll and call this through <see cref="ICampaignEngine"/>).</summary>
    internal sealed class CampaignEngine : ICampaignEngine
    {
        public bool IsCampaignFolder(string folder) => new CampaignFolder(folder).Exists;

        // ---------------- Start-ProcessingJob ----------------

        public void Start(StartProcessingJobCommand cmd, string[] resolved, string outputFolder)
        {
            var folder = new CampaignFolder(outputFolder);
            var files = resolved.Select(Path.GetFullPath).Distinct(StringComparer.Ordinal).OrderBy(f => f, StringComparer.Ordinal).ToList();
            var bad = files.FirstOrDefault(f => f.IndexOfAny(new[] { '\n', '\r' }) >= 0);
            if (bad != null) cmd.ThrowTerminatingError(ErrorRecords.InvalidArgument($"The file name '{bad}' holds a line break, which a campaign's file list cannot.", "InvalidPath", bad));

            string scriptPath = cmd.SessionState.Path.GetUnresolvedProviderPathFromPSPath(cmd.Script);
            if (!File.Exists(scriptPath))
                cmd.ThrowTerminatingError(new ErrorRecord(new FileNotFoundException($"The pipeline script '{cmd.Script}' does not exist.", scriptPath), "ScriptNotFound", ErrorCategory.ObjectNotFound, cmd.Script));
            var scriptBytes = File.ReadAllBytes(scriptPath);
            string? parameters = cmd.ScriptParameter == null || cmd.ScriptParameter.Count == 0 ? null : PSSerializer.Serialize(cmd.ScriptParameter, 4);
            string? geometry = null;
            if (!string.IsNullOrEmpty(cmd.Geometry))
            {
                geometry = cmd.SessionState.Path.GetUnresolvedProviderPathFromPSPath(cmd.Geometry);
                if (!File.Exists(geometry))
                    cmd.ThrowTerminatingError(new ErrorRecord(new FileNotFoundException($"The geometry file '{cmd.Geometry}' does not exist.", geometry), "FileNotFound", ErrorCategory.ObjectNotFound, cmd.Geometry));
            }
            string modulePath = ModulePath(cmd);
            var filesText = CampaignFolder.FilesText(files);
            var filesHash = CampaignManifest.Sha256Hex(filesText);
            var scriptHash = CampaignManifest.Sha256Hex(scriptBytes);
            int chunkCount = (files.Count + cmd.ChunkSize - 1) / cmd.ChunkSize;
            var manifest = new CampaignManifest
            {
                Id = CampaignManifest.ComputeId(filesHash, scriptHash, parameters, geometry, cmd.ChunkSize),
                Name = string.IsNullOrEmpty(cmd.Name) ? Path.GetFileName(folder.Path.TrimEnd(Path.DirectorySeparatorChar)) : cmd.Name!,
                Created = DateTime.UtcNow.ToString("o", CultureInfo.InvariantCulture),
                XtalPSVersion = typeof(CampaignEngine).Assembly.GetName().Version?.ToString() ?? "",
                FileCount = files.Count, FilesSha256 = filesHash,
                ScriptName = Path.GetFileName(scriptPath), ScriptSha256 = scriptHash, ScriptParameters = parameters, Geometry = geometry,
                ChunkSize = cmd.ChunkSize, ChunkCount = chunkCount,
                WorkingDirectory = cmd.SessionState.Path.CurrentFileSystemLocation.ProviderPath,
            };
            cmd.WriteVerbose($"{files.Count} image file(s) in {chunkCount} chunk(s) of up to {cmd.ChunkSize}; campaign {manifest.Id.Substring(0, 12)} ('{manifest.Name}')");

            // An existing campaign in the folder: the same one resumes, another one is refused unless -Force.
            if (folder.Exists)
            {
                CampaignManifest old;
                try { old = folder.ReadManifest(); }
                catch (Exception e) when (e is IOException || e is InvalidDataException || e is UnauthorizedAccessException)
                {
                    if (!cmd.Force) cmd.ThrowTerminatingError(new ErrorRecord(new IOException($"'{folder.ManifestPath}' cannot be read ({e.Message}); use -Force to start over in this folder.", e), "CampaignFolderInUse", ErrorCategory.ResourceExists, folder.Path));
                    old = manifest;
                }
                if (old.Id != manifest.Id)
                {
                    if (!cmd.Force)
                        cmd.ThrowTerminatingError(new ErrorRecord(new IOException(
                            $"The folder '{folder.Path}' holds another campaign ('{old.Name}', started {old.Created}); it differs in {string.Join(", ", old.Differences(manifest))}. " +
                            "Give another -OutputFolder, or -Force to delete that campaign's chunks and start over."), "CampaignFolderInUse", ErrorCategory.ResourceExists, folder.Path));
                    if (!cmd.ShouldProcess(folder.Path, $"Delete campaign '{old.Name}' ({old.ChunkCount} chunks) and start a new one")) return;
                    RefuseWhileRunning(cmd, folder, old);
                    cmd.WriteVerbose($"-Force: deleting campaign '{old.Name}' from {folder.Path}");
                    folder.DeleteCampaign();
                }
                else
                {
                    RefuseWhileRunning(cmd, folder, old);
                    manifest.Created = old.Created;
                    manifest.Submissions = old.Submissions;
                }
            }
            else if (Directory.Exists(folder.ChunksFolder) && Directory.EnumerateFileSystemEntries(folder.ChunksFolder).Any() && !cmd.Force)
            {
                cmd.ThrowTerminatingError(new ErrorRecord(new IOException($"The folder '{folder.Path}' has chunk files but no campaign.json; use -Force to delete them and start over."),
                    "CampaignFolderInUse", ErrorCategory.ResourceExists, folder.Path));
            }

            // Which chunks are complete already (resume), which to run.
            var reused = new List<ChunkStatus>();
            var toRun = new List<int>();
            for (int c = 0; c < chunkCount; c++)
            {
                var done = folder.CompletedRecord(c, manifest.Id);
                if (done != null) reused.Add(ChunkStatus.FromRecord(manifest.Name, folder.Path, done, reused: true));
                else toRun.Add(c);
            }
            if (reused.Count > 0) cmd.WriteVerbose($"Resuming: {reused.Count} chunk(s) complete from an earlier run, {toRun.Count} to run");

            string action = toRun.Count == 0 ? "Every chunk is complete: report them"
                : $"Run {toRun.Count} chunk(s) of {files.Count} file(s) with the {cmd.Scheduler} scheduler";
            if (!cmd.ShouldProcess(folder.Path, action)) return;

            Directory.CreateDirectory(folder.Path);
            Directory.CreateDirectory(folder.ChunksFolder);
            int stale = folder.RemoveStaleTemporaryFiles();
            if (stale > 0) cmd.WriteVerbose($"Removed {stale} temporary file(s) left by writes that were cut off");
            foreach (int c in toRun) folder.ClearChunk(c);
            folder.WriteFiles(filesText);
            Formats.AtomicFile.Write(folder.ScriptPath, s => s.Write(scriptBytes, 0, scriptBytes.Length));

            var submission = new Submission
            {
                Scheduler = cmd.Scheduler, Submitted = DateTime.UtcNow.ToString("o", CultureInfo.InvariantCulture), Chunks = toRun,
                CpusPerTask = cmd.CpusPerTask, ThrottleLimit = cmd.ThrottleLimit,
            };
            IChunkScheduler scheduler;
            HostCommand? host = null;
            if (toRun.Count > 0)
            {
                host = HostCommand.Find(modulePath, out string searched);
                if (host == null)
                    cmd.ThrowTerminatingError(new ErrorRecord(new FileNotFoundException(
                        $"No program to run chunks with: neither the XtalPS script host (XtalPS.Host) nor pwsh was found ({searched}). Set ${HostCommand.HostVariable} to XtalPS.Host or pwsh."),
                        "NoChunkHost", ErrorCategory.ObjectNotFound, null));
                cmd.WriteVerbose($"Chunks run with {host}");
            }
            if (cmd.Scheduler == "Slurm")
            {
                var options = new SlurmOptions
                {
                    Partition = cmd.Partition, Account = cmd.Account, Qos = cmd.Qos, TimeLimit = cmd.TimeLimit, Memory = cmd.Memory,
                    Constraint = cmd.Constraint, ExtraArguments = cmd.SbatchArgument?.ToList(),
                };
                submission.Slurm = options;
                submission.SlurmArrays = new List<SlurmArray>();
                if (toRun.Count > 0)
                {
                    manifest.Write(folder.ManifestPath);
                    try { submission.SlurmArrays = SlurmScheduler.Submit(folder, manifest, toRun, host!, modulePath, options, cmd.CpusPerTask, cmd.ThrottleLimit, cmd.WriteVerbose); }
                    catch (SlurmException e)
                    {
                        bool missing = SlurmClient.Sbatch == null;
                        cmd.ThrowTerminatingError(new ErrorRecord(new InvalidOperationException(missing ? e.Message : $"sbatch refused the job: {e.Message}", e),
                            missing ? "SlurmNotFound" : "SbatchRefused", missing ? ErrorCategory.ObjectNotFound : ErrorCategory.InvalidOperation, folder.Path));
                    }
                }
                manifest.Submissions.Add(submission);
                manifest.Write(folder.ManifestPath);
                scheduler = new SlurmScheduler(folder, manifest.Submissions.Where(s => s.SlurmArrays != null).SelectMany(s => s.SlurmArrays!));
            }
            else
            {
                int throttle = cmd.ThrottleLimit > 0 ? cmd.ThrottleLimit : Math.Max(1, Environment.ProcessorCount / cmd.CpusPerTask);
                submission.Machine = Environment.MachineName;
                submission.DriverProcessId = Environment.ProcessId;
                submission.ThrottleLimit = throttle;
                manifest.Submissions.Add(submission);
                manifest.Write(folder.ManifestPath);
                cmd.WriteVerbose($"Local: up to {throttle} process(es) at once, {cmd.CpusPerTask} thread(s) each; logs in {folder.LogsFolder}");
                scheduler = toRun.Count > 0
                    ? new LocalScheduler(folder, host!, modulePath, manifest.WorkingDirectory, toRun, throttle, cmd.CpusPerTask)
                    : new DetachedLocalScheduler(folder, submission);
            }
            string submitted = submission.Submitted;
            var job = new ProcessingJob(folder, manifest, scheduler, reused, toRun, TimeSpan.FromSeconds(cmd.PollInterval), cmd.MyInvocation.Line.Trim(),
                state => MarkEnded(folder, submitted, state));
            cmd.JobRepository.Add(job);
            job.StartJob();
            cmd.WriteObject(job);
        }

        /// <summary>Refuses to start over or resume while chunks of the campaign still run (Slurm tasks in the queue, a live local driver).</summary>
        private static void RefuseWhileRunning(StartProcessingJobCommand cmd, CampaignFolder folder, CampaignManifest old)
        {
            foreach (var job in cmd.JobRepository.Jobs.OfType<ProcessingJob>())
                if (job.OutputFolder == folder.Path && !IsFinished(job.JobStateInfo.State))
                    cmd.ThrowTerminatingError(new ErrorRecord(new InvalidOperationException(
                        $"Job {job.Id} ('{job.Name}') is still running this campaign; Wait-Job or Stop-Job it first."), "CampaignRunning", ErrorCategory.ResourceBusy, folder.Path));
            var last = old.Submissions.LastOrDefault();
            if (last == null) return;
            if (last.Scheduler == "Slurm" && last.SlurmArrays != null && last.SlurmArrays.Count > 0 && SlurmClient.Find("squeue") != null)
            {
                Dictionary<string, (string State, string Reason)> queue;
                try { queue = SlurmClient.Queue(last.SlurmArrays.Select(a => a.JobId).ToList()); }
                catch (SlurmException) { return; }
                if (queue.Count > 0)
                    cmd.ThrowTerminatingError(new ErrorRecord(new InvalidOperationException(
                        $"{queue.Count} Slurm task(s) of this campaign are still queued or running ({string.Join(", ", queue.Keys.Take(5))}); " +
                        "wait for them (Get-ProcessingJob | Wait-Job) or Stop-Job them before starting it again."), "CampaignRunning", ErrorCategory.ResourceBusy, folder.Path));
            }
            else if (last.Scheduler == "Local" && last.Ended == null && last.Machine == Environment.MachineName && last.DriverProcessId is int pid && pid != Environment.ProcessId)
            {
                bool alive;
                try { using var p = Process.GetProcessById(pid); alive = !p.HasExited; }
                catch (ArgumentException) { alive = false; }
                if (alive)
                    cmd.ThrowTerminatingError(new ErrorRecord(new InvalidOperationException(
                        $"Process {pid} on this machine is still running this campaign's local chunks; wait for it or stop it first."), "CampaignRunning", ErrorCategory.ResourceBusy, folder.Path));
            }
        }

        /// <summary>Notes in campaign.json that the job driving a run has finished (so a later process knows nothing runs).</summary>
        private static void MarkEnded(CampaignFolder folder, string submitted, JobState state)
        {
            var m = folder.ReadManifest();
            var s = m.Submissions.LastOrDefault(x => x.Submitted == submitted);
            if (s == null || s.Ended != null) return;
            s.Ended = DateTime.UtcNow.ToString("o", CultureInfo.InvariantCulture);
            s.Outcome = state.ToString();
            m.Write(folder.ManifestPath);
        }

        private static bool IsFinished(JobState s) => s == JobState.Completed || s == JobState.Failed || s == JobState.Stopped;

        /// <summary>The folder of the XtalPS module these cmdlets come from (what chunk processes import).</summary>
        private static string ModulePath(PSCmdlet cmd) =>
            cmd.MyInvocation.MyCommand.Module?.ModuleBase
            ?? Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(ICampaignEngine).Assembly.Location) ?? ".", ".."));

        // ---------------- Get-ProcessingJob ----------------

        public void Get(GetProcessingJobCommand cmd, string path)
        {
            var folder = new CampaignFolder(path);
            var manifest = ReadManifest(cmd, folder);
            if (manifest == null) return;
            foreach (var existing in cmd.JobRepository.Jobs.OfType<ProcessingJob>())
                if (existing.OutputFolder == folder.Path && existing.CampaignId == manifest.Id && !IsFinished(existing.JobStateInfo.State))
                {
                    cmd.WriteVerbose($"{folder.Path}: job {existing.Id} of this session runs it");
                    cmd.WriteObject(existing);
                    return;
                }
            var done = new List<ChunkStatus>();
            var open = new List<int>();
            for (int c = 0; c < manifest.ChunkCount; c++)
            {
                var r = folder.CompletedRecord(c, manifest.Id);
                if (r != null) done.Add(ChunkStatus.FromRecord(manifest.Name, folder.Path, r, reused: false));
                else open.Add(c);
            }
            var last = manifest.Submissions.LastOrDefault();
            IChunkScheduler scheduler = last?.Scheduler == "Slurm"
                ? new SlurmScheduler(folder, manifest.Submissions.Where(s => s.SlurmArrays != null).SelectMany(s => s.SlurmArrays!))
                : new DetachedLocalScheduler(folder, last ?? new Submission { Scheduler = "Local" });
            cmd.WriteVerbose($"{folder.Path}: campaign '{manifest.Name}', {done.Count}/{manifest.ChunkCount} chunk(s) complete, last run with {scheduler.Name}" +
                (scheduler is SlurmScheduler s2 ? $" (jobs {string.Join(", ", s2.JobIds)})" : ""));
            var job = new ProcessingJob(folder, manifest, scheduler, done, open, TimeSpan.FromSeconds(cmd.PollInterval), $"Get-ProcessingJob '{folder.Path}'");
            cmd.JobRepository.Add(job);
            job.StartJob();
            cmd.WriteObject(job);
        }

        // ---------------- Get-ProcessingSummary ----------------

        public void Summarize(GetProcessingSummaryCommand cmd, string path)
        {
            var folder = new CampaignFolder(path);
            var manifest = ReadManifest(cmd, folder);
            if (manifest == null) return;
            try
            {
                int n = 0;
                var summary = ProcessingSummary.Read(folder, cmd.MinSpots, cmd.ClusterThreshold, cmd.PerImage ? r =>
                {
                    cmd.WriteObject(r);
                    if (++n % 1000 == 0) cmd.WriteProgress(new ProgressRecord(1, "Get-ProcessingSummary", $"{n} images") { PercentComplete = -1 });
                } : null);
                if (summary.CompletedChunks < summary.Chunks)
                    cmd.WriteWarning($"{summary.Chunks - summary.CompletedChunks} of {summary.Chunks} chunks of '{manifest.Name}' are not complete; the figures cover the {summary.CompletedChunks} that are.");
                cmd.WriteVerbose($"{summary.Images} images in {summary.CompletedChunks} chunk(s); {summary.Hits} hits with ≥ {cmd.MinSpots} spots; {summary.Lattices} lattices" +
                    (summary.CellClusters != null ? $"; {summary.CellsClustered} cells clustered into {summary.CellClusters.ClusterCount}" : ""));
                if (!cmd.PerImage) cmd.WriteObject(summary);
            }
            catch (Exception e) when (e is IOException || e is InvalidDataException || e is UnauthorizedAccessException)
            {
                cmd.WriteError(new ErrorRecord(e, "InvalidCampaignData", ErrorCategory.InvalidData, folder.Path));
            }
        }

        // ---------------- Invoke-ProcessingChunk ----------------

        public void RunChunk(InvokeProcessingChunkCommand cmd, string path)
        {
            var folder = new CampaignFolder(path);
            var manifest = ReadManifest(cmd, folder);
            if (manifest == null) return;
            if (cmd.Index >= manifest.ChunkCount)
            {
                cmd.WriteError(ErrorRecords.InvalidArgument($"Campaign '{manifest.Name}' has chunks 0 to {manifest.ChunkCount - 1}; there is no chunk {cmd.Index}.", "NoSuchChunk", cmd.Index));
                return;
            }
            if (!cmd.ShouldProcess($"{folder.Path}, chunk {cmd.Index}", "Run the pipeline script and write the chunk's tables")) return;
            int threads = cmd.ThrottleLimit > 0 ? cmd.ThrottleLimit : XtalPS.Internal.ThreadBudget.Default();
            var runner = new ChunkRunner(folder, manifest, cmd.Index, threads, ModulePath(cmd));
            try
            {
                var status = runner.Run(cmd.WriteVerbose,
                    (done, total, name) => cmd.WriteProgress(new ProgressRecord(1, $"Chunk {cmd.Index} of {manifest.Name}", $"{done}/{total} files: {name}")
                    { PercentComplete = (int)(100.0 * done / total), RecordType = done == total ? ProgressRecordType.Completed : ProgressRecordType.Processing }),
                    cmd.Cancellation);
                cmd.WriteVerbose($"Chunk {cmd.Index}: {status.Images} images, {status.Lattices} lattices, {status.Reflections} reflections, {status.FailedImages} failed, {status.Seconds:0.0} s");
                if (status.Message != null) cmd.WriteWarning($"Chunk {cmd.Index}: {status.Message}");
                cmd.WriteObject(status);
            }
            catch (OperationCanceledException) when (cmd.Cancellation.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
            catch (Exception e) when (!(e is PipelineStoppedException) && !(e is OutOfMemoryException))
            {
                cmd.ThrowTerminatingError(new ErrorRecord(e, "ChunkFailed", ErrorCategory.OperationStopped, cmd.Index));
            }
        }

        // ---------------- Import-ReflectionTable on a campaign folder ----------------

        public void ImportTables(PSCmdlet cmd, string path)
        {
            var folder = new CampaignFolder(path);
            var manifest = ReadManifest(cmd, folder);
            if (manifest == null) return;
            int missing = 0, tables = 0;
            try
            {
                foreach (var g in CampaignReader.Tables(folder, (c, n) => missing++))
                {
                    var o = PSObject.AsPSObject(g.Table);
                    o.Properties.Add(new PSNoteProperty("ImagePath", g.Lattice.Path));
                    o.Properties.Add(new PSNoteProperty("Frame", g.Lattice.Frame));
                    o.Properties.Add(new PSNoteProperty("LatticeIndex", g.Lattice.LatticeIndex));
                    o.Properties.Add(new PSNoteProperty("LatticeId", g.Lattice.LatticeId));
                    o.Properties.Add(new PSNoteProperty("Indexed", g.Indexed));
                    o.Properties.Add(new PSNoteProperty("Chunk", g.Chunk));
                    cmd.WriteObject(o);
                    if (++tables % 500 == 0)
                        cmd.WriteProgress(new ProgressRecord(1, "Import-ReflectionTable", $"{manifest.Name}: {tables} tables, chunk {g.Chunk + 1}/{manifest.ChunkCount}")
                        { PercentComplete = (int)(100.0 * g.Chunk / Math.Max(1, manifest.ChunkCount)) });
                }
            }
            catch (Exception e) when (e is IOException || e is InvalidDataException || e is UnauthorizedAccessException)
            {
                cmd.WriteError(new ErrorRecord(e, "InvalidCampaignData", ErrorCategory.InvalidData, folder.Path));
            }
            cmd.WriteVerbose($"{folder.Path}: {tables} table(s) from {manifest.ChunkCount - missing} chunk(s)");
            if (missing > 0)
                cmd.WriteWarning($"{missing} of {manifest.ChunkCount} chunks of '{manifest.Name}' are not complete and were left out; rerun Start-ProcessingJob to finish them.");
        }

        private static CampaignManifest? ReadManifest(PSCmdlet cmd, CampaignFolder folder)
        {
            if (!folder.Exists)
            {
                cmd.WriteError(new ErrorRecord(new FileNotFoundException($"'{folder.Path}' is not a campaign folder (it has no {CampaignFolder.ManifestName}).", folder.ManifestPath),
                    "NotACampaignFolder", ErrorCategory.ObjectNotFound, folder.Path));
                return null;
            }
            try { return folder.ReadManifest(); }
            catch (Exception e) when (e is IOException || e is InvalidDataException || e is UnauthorizedAccessException)
            {
                cmd.WriteError(new ErrorRecord(e, "InvalidCampaignData", ErrorCategory.InvalidData, folder.Path));
                return null;
            }
        }
    }
}
