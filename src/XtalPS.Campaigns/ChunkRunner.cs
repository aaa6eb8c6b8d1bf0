using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading;
using System.Threading.Tasks;
using Parquet;

namespace XtalPS.Campaigns
{
    /// <summary>
    /// Runs one chunk in this process: the user's script once per image, on up to N images at once (N worker
    /// runspaces, each with the module imported and every XtalPS cmdlet held to one thread, so the chunk never runs
    /// more than N threads), and writes the chunk's three tables — reflections streamed as row groups in lattice
    /// order while later files are still being processed — then its completion record. An image whose script throws
    /// gets its error recorded and the chunk goes on. Anything that stops the chunk itself leaves no final file and a
    /// failure record.
    /// </summary>
    internal sealed class ChunkRunner
    {
        private readonly CampaignFolder _folder;
        private readonly CampaignManifest _manifest;
        private readonly int _chunk;
        private readonly int _threads;
        private readonly string _modulePath;

        public ChunkRunner(CampaignFolder folder, CampaignManifest manifest, int chunk, int threads, string modulePath)
        {
            _folder = folder; _manifest = manifest; _chunk = chunk; _threads = Math.Max(1, threads); _modulePath = modulePath;
        }

        public ChunkStatus Run(Action<string> verbose, Action<int, int, string> progress, CancellationToken cancel)
        {
            var started = DateTime.UtcNow;
            var clock = Stopwatch.StartNew();
            var files = _folder.ReadChunkFiles(_chunk, _manifest.ChunkSize);
            if (files.Count == 0)
                throw new ArgumentOutOfRangeException(nameof(_chunk), $"Chunk {_chunk} is beyond the campaign's {_manifest.ChunkCount} chunks.");
            Directory.CreateDirectory(_folder.ChunksFolder);
            _folder.ClearChunk(_chunk);
            int firstFile = _chunk * _manifest.ChunkSize;
            int workers = Math.Min(_threads, files.Count);
            verbose($"Chunk {_chunk}: {files.Count} file(s) ({Path.GetFileName(files[0])} … {Path.GetFileName(files[^1])}), {workers} worker(s)");

            var slots = files.Select(_ => new TaskCompletionSource<List<ImageOutcome>>(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
            int next = -1, written = 0;
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            var workerTasks = new List<Task>();
            var images = new ImageTable();
            var lattices = new LatticeTable();
            int imageCount = 0, latticeCount = 0, failed = 0;
            long reflectionCount = 0;
            var record = new ChunkRecord
            {
                CampaignId = _manifest.Id, Chunk = _chunk, Threads = workers, Machine = Environment.MachineName,
                ProcessId = Environment.ProcessId, SlurmTask = SlurmTask(), Started = started.ToString("o", CultureInfo.InvariantCulture),
            };
            try
            {
                for (int w = 0; w < workers; w++)
                {
                    workerTasks.Add(Task.Factory.StartNew(() =>
                    {
                        using var worker = new ScriptWorker(_modulePath, _folder.ScriptPath, _manifest);
                        while (!stop.IsCancellationRequested)
                        {
                            int i = Interlocked.Increment(ref next);
                            if (i >= files.Count) break;
                            // Keep within a window of the writer so finished files never pile up in memory.
                            while (i - Volatile.Read(ref written) > 4 * workers && !stop.IsCancellationRequested) Thread.Sleep(5);
                            try { slots[i].TrySetResult(worker.Process(_chunk, firstFile + i, files[i], stop.Token)); }
                            catch (Exception e) { slots[i].TrySetException(e); stop.Cancel(); }
                        }
                    }, stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default).ContinueWith(t =>
                    {
                        // A worker that cannot even start (the module does not import) fails every file it would have taken.
                        if (t.Exception != null) { foreach (var s in slots) s.TrySetException(t.Exception.InnerException ?? t.Exception); stop.Cancel(); }
                        else if (t.IsCanceled) foreach (var s in slots) s.TrySetCanceled();
                    }, TaskScheduler.Default));
                }

                var reflectionsPath = _folder.ChunkFile(_chunk, ChunkTables.Reflections);
                Formats.AtomicFile.Write(reflectionsPath, stream =>
                {
                    var rows = new ReflectionRows();
                    var writer = Task.Run(() => ParquetWriter.CreateAsync(rows.Schema, stream, ChunkTables.Options)).GetAwaiter().GetResult();
                    try
                    {
                        writer.CustomMetadata = ChunkTables.Metadata(_manifest.Id, _chunk, ChunkTables.Reflections);
                        for (int i = 0; i < files.Count; i++)
                        {
                            List<ImageOutcome> outcome;
                            try { outcome = slots[i].Task.GetAwaiter().GetResult(); }
                            catch (TaskCanceledException) { cancel.ThrowIfCancellationRequested(); throw; }
                            foreach (var o in outcome)
                            {
                                images.Add(o.Record);
                                imageCount++;
                                if (o.Record.Failed) failed++;
                                foreach (var l in o.Lattices) { lattices.Add(l); latticeCount++; }
                                foreach (var (id, r) in o.Reflections)
                                {
                                    rows.Add(id, r);
                                    reflectionCount++;
                                    if (rows.Rows >= ChunkTables.ReflectionRowGroup)
                                        Task.Run(() => rows.FlushAsync(writer)).GetAwaiter().GetResult();
                                }
                            }
                            slots[i] = null!;
                            Volatile.Write(ref written, i + 1);
                            progress(i + 1, files.Count, Path.GetFileName(files[i]));
                        }
                        if (rows.Rows > 0 || reflectionCount == 0)
                            Task.Run(async () =>
                            {
                                if (rows.Rows > 0) await rows.FlushAsync(writer).ConfigureAwait(false);
                                else { using var rg = writer.CreateRowGroup(); foreach (var c in rows.Columns) await c.WriteAsync(rg).ConfigureAwait(false); }
                            }).GetAwaiter().GetResult();
                    }
                    finally { Task.Run(() => writer.DisposeAsync().AsTask()).GetAwaiter().GetResult(); }
                });
                Task.WaitAll(workerTasks.ToArray());

                ChunkTables.WriteAll(_folder.ChunkFile(_chunk, ChunkTables.Lattices), lattices, ChunkTables.Metadata(_manifest.Id, _chunk, ChunkTables.Lattices));
                ChunkTables.WriteAll(_folder.ChunkFile(_chunk, ChunkTables.Images), images, ChunkTables.Metadata(_manifest.Id, _chunk, ChunkTables.Images));

                foreach (var kind in new[] { ChunkTables.Images, ChunkTables.Lattices, ChunkTables.Reflections })
                {
                    var path = _folder.ChunkFile(_chunk, kind);
                    record.Files.Add(new ChunkFile { Name = Path.GetFileName(path), Bytes = new FileInfo(path).Length, Sha256 = Sha256(path) });
                }
                record.State = "Completed";
                record.ImageFiles = files.Count; record.Images = imageCount; record.Lattices = latticeCount; record.Reflections = reflectionCount; record.FailedImages = failed;
                record.Seconds = clock.Elapsed.TotalSeconds;
                record.Finished = DateTime.UtcNow.ToString("o", CultureInfo.InvariantCulture);
                if (reflectionCount == 0)
                    record.Message = latticeCount == 0
                        ? "the script produced no reflection tables and no lattices for any image of this chunk"
                        : "the script produced lattices but no reflection tables (does it end with Invoke-PeakIntegration?)";
                record.Write(_folder.DonePath(_chunk));
                return ChunkStatus.FromRecord(_manifest.Name, _folder.Path, record, reused: false);
            }
            catch (Exception e)
            {
                stop.Cancel();
                try { Task.WaitAll(workerTasks.ToArray(), TimeSpan.FromSeconds(30)); } catch (AggregateException) { }
                var inner = e is AggregateException a && a.InnerException != null ? a.InnerException : e;
                foreach (var kind in ChunkTables.Kinds) TryDelete(_folder.ChunkFile(_chunk, kind));
                record.State = "Failed";
                record.Seconds = clock.Elapsed.TotalSeconds;
                record.Finished = DateTime.UtcNow.ToString("o", CultureInfo.InvariantCulture);
                record.Message = cancel.IsCancellationRequested ? "stopped before the chunk was complete" : inner.Message;
                try { record.Write(_folder.FailedPath(_chunk)); } catch (IOException) { } catch (UnauthorizedAccessException) { }
                if (inner != e) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(inner).Throw();
                throw;
            }
        }

        private static string? SlurmTask()
        {
            string? job = Environment.GetEnvironmentVariable("SLURM_ARRAY_JOB_ID"), task = Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_ID");
            if (!string.IsNullOrEmpty(job) && !string.IsNullOrEmpty(task)) return job + "_" + task;
            string? plain = Environment.GetEnvironmentVariable("SLURM_JOB_ID");
            return string.IsNullOrEmpty(plain) ? null : plain;
        }

        private static string Sha256(string path)
        {
            using var s = File.OpenRead(path);
            return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(s)).ToLowerInvariant();
        }

        private static void TryDelete(string path)
        {
            try { if (File.Exists(path)) File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>One runspace that imports the module once and runs the campaign's script on image after image.</summary>
    internal sealed class ScriptWorker : IDisposable
    {
        private const string Setup = @"
param($module, $location, $parameters, $geometry)
Import-Module -Name $module -ErrorAction Stop
if ($location -and (Test-Path -LiteralPath $location -PathType Container)) { Set-Location -LiteralPath $location }
# Images run side by side in several of these runspaces: each XtalPS cmdlet stays on one thread.
$global:PSDefaultParameterValues['*:ThrottleLimit'] = 1
$global:XtalPSCampaignParameters = if ($parameters) { [System.Management.Automation.PSSerializer]::Deserialize($parameters) } else { @{} }
if ($global:XtalPSCampaignParameters -isnot [hashtable]) { $global:XtalPSCampaignParameters = [hashtable]$global:XtalPSCampaignParameters }
$global:XtalPSCampaignImport = @{}
if ($geometry) {
    $g = Import-DetectorModel -LiteralPath $geometry -IncludeBeam -ErrorAction Stop
    $global:XtalPSCampaignImport.Detector = $g.Detector
    if ($g.Beam) { $global:XtalPSCampaignImport.Beam = $g.Beam }
}";
        private const string ImportFile = @"param($file) $p = $global:XtalPSCampaignImport; Import-DiffractionImage -LiteralPath $file @p";
        private const string RunImage = @"param($image, $script) $p = $global:XtalPSCampaignParameters; $image | & $script @p";

        private readonly Runspace _runspace;
        private readonly PowerShell _ps;
        private readonly string _script;

        public ScriptWorker(string modulePath, string scriptPath, CampaignManifest manifest)
        {
            var iss = InitialSessionState.CreateDefault2();
            if (OperatingSystem.IsWindows()) iss.ExecutionPolicy = Microsoft.PowerShell.ExecutionPolicy.Bypass;
            _runspace = RunspaceFactory.CreateRunspace(iss);
            _runspace.Open();
            _ps = PowerShell.Create();
            _ps.Runspace = _runspace;
            _script = scriptPath;
            _ps.AddScript(Setup).AddArgument(modulePath).AddArgument(manifest.WorkingDirectory).AddArgument(manifest.ScriptParameters).AddArgument(manifest.Geometry);
            _ps.Invoke();
            if (_ps.Streams.Error.Count > 0) throw new InvalidOperationException("The chunk's worker could not start: " + _ps.Streams.Error[0]);
        }

        /// <summary>Every image of one file through the script; one outcome per frame (or one for an unreadable file).</summary>
        public List<ImageOutcome> Process(int chunk, int fileIndex, string file, CancellationToken cancel)
        {
            var outcomes = new List<ImageOutcome>();
            var clock = Stopwatch.StartNew();
            Reset();
            _ps.AddScript(ImportFile).AddArgument(file);
            var frames = Invoke(out var importErrors);
            var images = frames.Select(f => f.BaseObject).OfType<Imaging.DiffractionImage>().ToList();
            frames.Clear();
            if (images.Count == 0 || importErrors.Count > 0)
                outcomes.Add(ImageOutcome.Unreadable(chunk, fileIndex, file, importErrors, clock.Elapsed.TotalSeconds));
            for (int k = 0; k < images.Count; k++)
            {
                cancel.ThrowIfCancellationRequested();
                var image = images[k];
                images[k] = null!;
                clock.Restart();
                Reset();
                _ps.AddScript(RunImage).AddArgument(image).AddArgument(_script);
                var output = Invoke(out var errors);
                outcomes.Add(ImageOutcome.FromScript(chunk, fileIndex, file, image.FrameIndex, output, errors, clock.Elapsed.TotalSeconds));
            }
            return outcomes;
        }

        private void Reset()
        {
            _ps.Commands.Clear();
            _ps.Streams.ClearStreams();
        }

        /// <summary>Runs the pipeline; a terminating error (a throw in the script) becomes the last error, not an exception.</summary>
        private List<PSObject> Invoke(out List<ErrorRecord> errors)
        {
            // Output goes to a collection of our own so that what the script wrote before a throw is kept.
            var output = new PSDataCollection<PSObject>();
            errors = new List<ErrorRecord>();
            try { _ps.Invoke(null, output); }
            catch (RuntimeException e) when (!(e is PipelineStoppedException))
            {
                errors.AddRange(_ps.Streams.Error);
                errors.Add(e.ErrorRecord);
                return output.ToList();
            }
            errors.AddRange(_ps.Streams.Error);
            return output.ToList();
        }

        public void Dispose()
        {
            _ps.Dispose();
            _runspace.Dispose();
        }
    }
}
