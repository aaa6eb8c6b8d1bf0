using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace XtalPS.Campaigns
{
    /// <summary>
    /// A campaign as a PowerShell job: Get-Job lists it, Wait-Job waits for every chunk, Receive-Job gives one
    /// <see cref="ChunkStatus"/> per chunk as it finishes (and an error per failed chunk) and the
    /// <see cref="ProcessingSummary"/> at the end — never the tables themselves (Import-ReflectionTable reads those) —
    /// and Stop-Job stops the processes or cancels the Slurm tasks. A chunk counts as complete only by its files.
    /// </summary>
    public sealed class ProcessingJob : Job2
    {
        private readonly CampaignFolder _folder;
        private readonly CampaignManifest _manifest;
        private readonly IChunkScheduler _scheduler;
        private readonly ChunkStatus[] _chunks;
        private readonly TimeSpan _poll;
        private readonly object _gate = new object();
        private readonly int _minSpots;
        private readonly Action<JobState>? _onFinished;
        private Timer? _timer;
        private bool _polling, _stopRequested, _finished;
        // Set once the final job state is published: Stop-Job returns only after it, whichever thread finishes.
        private readonly ManualResetEventSlim _published = new ManualResetEventSlim(false);
        private string _status = "";
        private int _lastProgress = -1;

        internal ProcessingJob(CampaignFolder folder, CampaignManifest manifest, IChunkScheduler scheduler, IEnumerable<ChunkStatus> reused,
            IEnumerable<int> active, TimeSpan poll, string command, Action<JobState>? onFinished = null, int minSpots = 20)
            : base(command, manifest.Name)
        {
            _folder = folder; _manifest = manifest; _scheduler = scheduler; _poll = poll; _minSpots = minSpots; _onFinished = onFinished;
            PSJobTypeName = "XtalPSCampaign";
            _chunks = Enumerable.Range(0, manifest.ChunkCount)
                .Select(i => new ChunkStatus { Campaign = manifest.Name, Folder = folder.Path, Chunk = i, State = ChunkState.Missing }).ToArray();
            foreach (var r in reused)
            {
                _chunks[r.Chunk] = r;
                Output.Add(PSObject.AsPSObject(r));
            }
            foreach (var c in active) _chunks[c].State = ChunkState.Pending;
        }

        public string OutputFolder => _folder.Path;
        public string CampaignId => _manifest.Id;
        public string Scheduler => _scheduler.Name;
        public int ChunkCount => _chunks.Length;
        public int FileCount => _manifest.FileCount;
        public int CompletedChunks { get { lock (_gate) return _chunks.Count(c => c.State == ChunkState.Completed); } }
        public int FailedChunks { get { lock (_gate) return _chunks.Count(c => c.State == ChunkState.Failed || c.State == ChunkState.Missing); } }
        public int RunningChunks { get { lock (_gate) return _chunks.Count(c => c.State == ChunkState.Running); } }
        public int PendingChunks { get { lock (_gate) return _chunks.Count(c => c.State == ChunkState.Pending); } }
        /// <summary>The Slurm array jobs (empty for a local campaign).</summary>
        public IReadOnlyList<string> SlurmJobIds => (_scheduler as SlurmScheduler)?.JobIds ?? Array.Empty<string>();
        /// <summary>A snapshot of every chunk's state.</summary>
        public IReadOnlyList<ChunkStatus> Chunks { get { lock (_gate) return _chunks.Select(Copy).ToArray(); } }

        public override string StatusMessage { get { lock (_gate) return _status; } }
        public override bool HasMoreData => Output.Count > 0 || Error.Count > 0 || Progress.Count > 0 || Warning.Count > 0;
        public override string Location => _scheduler.Name == "Slurm" ? "slurm" : Environment.MachineName;

        /// <summary>Starts the job: one poll at once (so the job reports real states when it is returned, and local
        /// processes start now), then one every poll interval.</summary>
        public override void StartJob()
        {
            lock (_gate)
            {
                if (JobStateInfo.State != JobState.NotStarted) return;
                SetJobState(JobState.Running);
            }
            Poll();
            lock (_gate) if (!_finished) _timer = new Timer(_ => Poll(), null, _poll, _poll);
        }

        public override void StartJobAsync() { StartJob(); OnStartJobCompleted(new AsyncCompletedEventArgs(null, false, null)); }

        private void Poll()
        {
            lock (_gate)
            {
                if (_polling || _finished) return;
                _polling = true;
            }
            try { PollOnce(); }
            catch (Exception e) when (!(e is OutOfMemoryException))
            {
                lock (_gate) _status = $"status poll failed ({e.Message}); trying again";
            }
            finally { lock (_gate) _polling = false; }
        }

        private void PollOnce()
        {
            List<int> open;
            lock (_gate) open = _chunks.Where(c => !c.IsFinished).Select(c => c.Chunk).ToList();
            var states = open.Count > 0 ? _scheduler.Poll(open) : new Dictionary<int, (TaskState, string)>();
            var finishedNow = new List<(ChunkStatus Status, ErrorRecord? Error)>();
            foreach (int c in open)
            {
                // The files decide completion; the scheduler only says whether anything still runs the chunk.
                var done = _folder.CompletedRecord(c, _manifest.Id);
                if (done != null)
                {
                    var s = ChunkStatus.FromRecord(_manifest.Name, _folder.Path, done, reused: false);
                    lock (_gate) _chunks[c] = s;
                    finishedNow.Add((s, null));
                    continue;
                }
                var (state, where) = states.TryGetValue(c, out var st) ? st : (TaskState.Gone, "");
                if (state == TaskState.Gone)
                {
                    var failed = ChunkRecord.TryRead(_folder.FailedPath(c));
                    bool stopped;
                    lock (_gate) stopped = _stopRequested;
                    var s = Copy(_chunks[c]);
                    s.State = stopped ? ChunkState.Stopped : failed != null || where.Length > 0 || _scheduler is LocalScheduler ? ChunkState.Failed : ChunkState.Missing;
                    s.Where = failed?.SlurmTask ?? (where.Length > 0 ? where : s.Where);
                    s.Message = failed?.Message ?? LogTail(_scheduler.LogPath(c)) ?? (s.State == ChunkState.Missing
                        ? "not complete, and nothing runs it: rerun Start-ProcessingJob with this folder to resume"
                        : "the chunk ended without completing");
                    lock (_gate) _chunks[c] = s;
                    ErrorRecord? error = s.State == ChunkState.Stopped ? null : new ErrorRecord(
                        new InvalidOperationException($"Chunk {c} of campaign '{_manifest.Name}' {(s.State == ChunkState.Missing ? "is missing" : "failed")}: {s.Message}"),
                        s.State == ChunkState.Missing ? "ChunkMissing" : "ChunkFailed", ErrorCategory.OperationStopped, s);
                    finishedNow.Add((s, error));
                }
                else lock (_gate) { _chunks[c].State = state == TaskState.Running ? ChunkState.Running : ChunkState.Pending; _chunks[c].Where = where; }
            }
            foreach (var (s, e) in finishedNow.OrderBy(f => f.Status.Chunk))
            {
                Output.Add(PSObject.AsPSObject(s));
                if (e != null) Error.Add(e);
            }
            bool allDone;
            int complete, failedCount, running;
            lock (_gate)
            {
                complete = _chunks.Count(x => x.State == ChunkState.Completed);
                failedCount = _chunks.Count(x => x.State == ChunkState.Failed || x.State == ChunkState.Missing);
                running = _chunks.Count(x => x.State == ChunkState.Running);
                allDone = _chunks.All(x => x.IsFinished);
                _status = $"{complete}/{_chunks.Length} chunks complete, {running} running, {failedCount} failed";
            }
            if (complete != _lastProgress)
            {
                _lastProgress = complete;
                Progress.Add(new ProgressRecord(1, $"Campaign {_manifest.Name}", _status)
                {
                    PercentComplete = _chunks.Length == 0 ? 100 : (int)(100.0 * complete / _chunks.Length),
                    RecordType = allDone ? ProgressRecordType.Completed : ProgressRecordType.Processing,
                });
            }
            if (allDone) Finish();
        }

        private void Finish()
        {
            bool stopped;
            lock (_gate)
            {
                if (_finished) return;
                _finished = true;
                stopped = _stopRequested;
                _timer?.Dispose();
                _timer = null;
            }
            try
            {
                if (_chunks.Any(c => c.State == ChunkState.Completed))
                    Output.Add(PSObject.AsPSObject(ProcessingSummary.Read(_folder, _minSpots, 0.05, null)));
            }
            catch (Exception e) when (e is IOException || e is InvalidDataException || e is UnauthorizedAccessException)
            {
                Warning.Add(new WarningRecord($"The summary of '{_folder.Path}' could not be read: {e.Message}"));
            }
            _scheduler.Dispose();
            var state = stopped ? JobState.Stopped : _chunks.All(c => c.State == ChunkState.Completed) ? JobState.Completed : JobState.Failed;
            try { _onFinished?.Invoke(state); }
            catch (Exception e) when (e is IOException || e is InvalidDataException || e is UnauthorizedAccessException)
            {
                Warning.Add(new WarningRecord($"'{_folder.ManifestPath}' could not be updated: {e.Message}"));
            }
            SetJobState(state);
            _published.Set();
        }

        public override void StopJob() => StopJob(false, "");

        public override void StopJob(bool force, string reason)
        {
            bool already;
            lock (_gate)
            {
                already = _finished;
                if (!already) _stopRequested = true;
            }
            if (already) { WaitPublished(); return; }
            SetJobState(JobState.Stopping);
            try { _scheduler.Stop(); }
            catch (SlurmException e) { Error.Add(new ErrorRecord(e, "ScancelFailed", ErrorCategory.OperationStopped, this)); }
            // Poll until nothing runs any more; chunks that finished meanwhile keep their files.
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (DateTime.UtcNow < until)
            {
                Poll();
                bool finishing;
                lock (_gate) finishing = _finished;
                if (finishing) { WaitPublished(); return; }
                Thread.Sleep(200);
            }
            lock (_gate) foreach (var c in _chunks.Where(c => !c.IsFinished)) c.State = ChunkState.Stopped;
            Finish();
            WaitPublished();
        }

        // Another thread may be inside Finish (reading the summary) when Stop-Job arrives: wait for its state.
        private void WaitPublished() => _published.Wait(TimeSpan.FromSeconds(120));

        public override void StopJobAsync() => StopJobAsync(false, "");

        public override void StopJobAsync(bool force, string reason)
        {
            Task.Run(() =>
            {
                Exception? error = null;
                try { StopJob(force, reason); } catch (Exception e) { error = e; }
                OnStopJobCompleted(new AsyncCompletedEventArgs(error, false, null));
            });
        }

        public override void SuspendJob() => throw new NotSupportedException("A campaign cannot be suspended; Stop-Job it and rerun Start-ProcessingJob to resume.");
        public override void SuspendJobAsync() => SuspendJob();
        public override void SuspendJob(bool force, string reason) => SuspendJob();
        public override void SuspendJobAsync(bool force, string reason) => SuspendJob();
        public override void ResumeJob() => throw new NotSupportedException("To resume a campaign, rerun Start-ProcessingJob with the same output folder.");
        public override void ResumeJobAsync() => ResumeJob();
        public override void UnblockJob() => throw new NotSupportedException("A campaign is never blocked.");
        public override void UnblockJobAsync() => UnblockJob();

        /// <summary>The last lines of a chunk's log (what sbatch or the process said as it died).</summary>
        private static string? LogTail(string? path)
        {
            try
            {
                if (path == null || !File.Exists(path)) return null;
                using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                long start = Math.Max(0, fs.Length - 2000);
                fs.Seek(start, SeekOrigin.Begin);
                var text = new StreamReader(fs).ReadToEnd();
                var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0).TakeLast(4).ToArray();
                return lines.Length == 0 ? null : $"{string.Join(" | ", lines)} (log {path})";
            }
            catch (IOException) { return null; }
            catch (UnauthorizedAccessException) { return null; }
        }

        private static ChunkStatus Copy(ChunkStatus s) => new ChunkStatus
        {
            Campaign = s.Campaign, Folder = s.Folder, Chunk = s.Chunk, State = s.State, Reused = s.Reused, Files = s.Files, Images = s.Images,
            Lattices = s.Lattices, Reflections = s.Reflections, FailedImages = s.FailedImages, Seconds = s.Seconds, Where = s.Where, Message = s.Message,
        };

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                lock (_gate) { _timer?.Dispose(); _timer = null; }
                if (!_finished) _scheduler.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
