using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;

namespace XtalPS.Campaigns
{
    /// <summary>
    /// -Scheduler Local: the chunks as parallel processes of the script host on this machine, at most ThrottleLimit
    /// at once, each told its share of the cores (XTALPS_CPUS = -CpusPerTask) so that together they never run more
    /// threads than the machine has. Each process's console output goes to logs/chunk_NNNNNN.log.
    /// </summary>
    internal sealed class LocalScheduler : IChunkScheduler
    {
        public const string CpusVariable = XtalPS.Internal.ThreadBudget.LocalShareVariable;

        private readonly CampaignFolder _folder;
        private readonly HostCommand _host;
        private readonly string _modulePath, _workingDirectory;
        private readonly int _throttle, _cpus;
        private readonly Queue<int> _queue;
        private readonly Dictionary<int, (Process Process, StreamWriter Log)> _running = new Dictionary<int, (Process, StreamWriter)>();
        private readonly HashSet<int> _gone = new HashSet<int>();
        private readonly object _gate = new object();
        private bool _stopped;

        public LocalScheduler(CampaignFolder folder, HostCommand host, string modulePath, string workingDirectory, IEnumerable<int> chunks, int throttle, int cpus)
        {
            _folder = folder; _host = host; _modulePath = modulePath; _workingDirectory = workingDirectory;
            _throttle = Math.Max(1, throttle); _cpus = Math.Max(1, cpus);
            _queue = new Queue<int>(chunks);
        }

        public string Name => "Local";

        public IReadOnlyDictionary<int, (TaskState State, string Where)> Poll(IReadOnlyCollection<int> chunks)
        {
            lock (_gate)
            {
                foreach (var (chunk, run) in _running.ToList())
                    if (run.Process.HasExited)
                    {
                        run.Process.WaitForExit();
                        run.Log.WriteLine($"# exit code {run.Process.ExitCode}");
                        run.Log.Dispose();
                        run.Process.Dispose();
                        _running.Remove(chunk);
                        _gone.Add(chunk);
                    }
                while (!_stopped && _running.Count < _throttle && _queue.Count > 0) Launch(_queue.Dequeue());
                var result = new Dictionary<int, (TaskState, string)>();
                var queued = new HashSet<int>(_queue);
                foreach (var c in chunks)
                {
                    if (_running.TryGetValue(c, out var run)) result[c] = (TaskState.Running, $"{Environment.MachineName}:{SafeId(run.Process)}");
                    else if (queued.Contains(c)) result[c] = (TaskState.Pending, "");
                    else result[c] = (TaskState.Gone, "");
                }
                return result;
            }
        }

        private void Launch(int chunk)
        {
            Directory.CreateDirectory(_folder.LogsFolder);
            var log = new StreamWriter(new FileStream(_folder.LocalLogPath(chunk), FileMode.Append, FileAccess.Write, FileShare.ReadWrite), new UTF8Encoding(false)) { AutoFlush = true };
            log.WriteLine($"# chunk {chunk} on {Environment.MachineName} at {DateTime.Now:yyyy-MM-dd HH:mm:ss}: {_host.Program} {string.Join(" ", _host.Arguments)}");
            var psi = _host.StartInfo(_folder.Path, chunk, _modulePath, _workingDirectory, _cpus);
            var p = new Process { StartInfo = psi, EnableRaisingEvents = false };
            void Write(string? line) { if (line == null) return; lock (log) { try { log.WriteLine(line); } catch (ObjectDisposedException) { } } }
            p.OutputDataReceived += (_, e) => Write(e.Data);
            p.ErrorDataReceived += (_, e) => Write(e.Data);
            try
            {
                p.Start();
                p.StandardInput.Close();
                p.BeginOutputReadLine();
                p.BeginErrorReadLine();
                _running[chunk] = (p, log);
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception || e is InvalidOperationException)
            {
                Write($"# could not start {_host.Program}: {e.Message}");
                log.Dispose();
                p.Dispose();
                _gone.Add(chunk);
            }
        }

        private static string SafeId(Process p) { try { return p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture); } catch (InvalidOperationException) { return "?"; } }

        public void Stop()
        {
            lock (_gate)
            {
                _stopped = true;
                _queue.Clear();
                foreach (var (_, run) in _running)
                    try { if (!run.Process.HasExited) run.Process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } catch (System.ComponentModel.Win32Exception) { }
            }
        }

        public string? LogPath(int chunk) => _folder.LocalLogPath(chunk);

        public void Dispose()
        {
            lock (_gate)
            {
                foreach (var (_, run) in _running) { try { run.Log.Dispose(); } catch (ObjectDisposedException) { } run.Process.Dispose(); }
                _running.Clear();
            }
        }
    }

    /// <summary>
    /// A local campaign seen from another process (Get-ProcessingJob): its chunks run only while the process that
    /// started them lives; when that process is gone, unfinished chunks are Missing until Start-ProcessingJob reruns them.
    /// </summary>
    internal sealed class DetachedLocalScheduler : IChunkScheduler
    {
        private readonly CampaignFolder _folder;
        private readonly Submission _submission;

        public DetachedLocalScheduler(CampaignFolder folder, Submission submission) { _folder = folder; _submission = submission; }

        public string Name => "Local";

        private bool DriverAlive()
        {
            if (_submission.Ended != null || _submission.Machine != Environment.MachineName || _submission.DriverProcessId is not int pid) return false;
            if (pid == Environment.ProcessId) return false;
            try { using var p = Process.GetProcessById(pid); return !p.HasExited; }
            catch (ArgumentException) { return false; }
            catch (InvalidOperationException) { return false; }
        }

        public IReadOnlyDictionary<int, (TaskState State, string Where)> Poll(IReadOnlyCollection<int> chunks)
        {
            bool alive = DriverAlive();
            var result = new Dictionary<int, (TaskState, string)>();
            foreach (var c in chunks)
                result[c] = alive && _submission.Chunks.Contains(c) ? (TaskState.Running, $"driven by {_submission.Machine}:{_submission.DriverProcessId}") : (TaskState.Gone, "");
            return result;
        }

        public void Stop() { }
        public string? LogPath(int chunk) => _folder.LocalLogPath(chunk);
        public void Dispose() { }
    }
}
