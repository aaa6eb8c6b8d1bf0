using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Xunit;

namespace XtalPS.Module.Tests
{
    /// <summary>
    /// A test that needs a running Slurm cluster (tests/slurm/start-cluster.sh starts a one-node one). Without one it
    /// is reported as skipped with the reason — except in CI (CI=true), where .ci/run starts the cluster and a
    /// missing cluster must fail the run, not pass it.
    /// </summary>
    public sealed class SlurmFactAttribute : FactAttribute
    {
        public SlurmFactAttribute()
        {
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)) return;
            string? why = SlurmCluster.WhyNotReady();
            if (why != null) Skip = $"No Slurm cluster here ({why}); start one with: sudo bash tests/slurm/start-cluster.sh";
        }
    }

    public static class SlurmCluster
    {
        /// <summary>Null when sinfo shows an idle (or busy) node, else the reason.</summary>
        public static string? WhyNotReady()
        {
            try
            {
                var psi = new ProcessStartInfo("sinfo", "-h -o %T") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                using var p = Process.Start(psi);
                if (p == null) return "sinfo did not start";
                string output = p.StandardOutput.ReadToEnd(), error = p.StandardError.ReadToEnd();
                if (!p.WaitForExit(15000)) { p.Kill(); return "sinfo did not answer"; }
                if (p.ExitCode != 0) return "sinfo: " + error.Trim();
                var states = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(s => s.Trim()).ToArray();
                return states.Any(s => s.StartsWith("idle") || s.StartsWith("mix") || s.StartsWith("alloc")) ? null : $"no usable node (sinfo: {string.Join(", ", states)})";
            }
            catch (System.ComponentModel.Win32Exception) { return "sinfo is not installed"; }
        }
    }

    /// <summary>
    /// The campaign on a real Slurm cluster: a job array of four tasks over 40 simulated stills (split in two arrays
    /// because the test cluster's MaxArraySize is 3), one task cancelled with scancel while it runs, the campaign
    /// resumed, and the gathered reflections byte-identical (as MTZ) to a one-process run; sbatch's refusal verbatim.
    /// </summary>
    [Collection(EngineCollection.Name)]
    public class SlurmCampaignTests : IDisposable
    {
        private readonly EngineFixture _e;
        private readonly string _dir;

        public SlurmCampaignTests(EngineFixture e)
        {
            _e = e;
            // Slurm tasks run as other processes, possibly as another user: a folder they can all write.
            _dir = Path.Combine(Path.GetTempPath(), "xtalps-slurm-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            Directory.CreateDirectory(_dir);
        }

        public void Dispose()
        {
            _e.InvokeOk("Get-Job | Where-Object PSJobTypeName -eq XtalPSCampaign | Remove-Job -Force");
            try { Directory.Delete(_dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }

        [SlurmFact]
        public void A_cancelled_task_is_resumed_and_the_gathered_result_equals_a_one_process_run()
        {
            string images = CampaignTests.Stills(_e, 40);
            string hold = Path.Combine(_dir, "hold");
            File.WriteAllText(hold, "");
            // still_00025 is in chunk 2: it waits while the hold file exists, so its task is cancelled mid-way.
            string script = Path.Combine(_dir, "pipeline.ps1");
            File.WriteAllText(script, $"process {{ if ($_.Name -eq 'still_00025.cbf') {{ while (Test-Path '{hold}') {{ Start-Sleep -Milliseconds 200 }} }}; $_ | " +
                CampaignTests.Pipeline.Replace("$input | ", "") + "}\n");
            string one = Path.Combine(_dir, "one"), slurm = Path.Combine(_dir, "slurm");

            var result = _e.InvokeOk(@"param($images, $script, $one, $slurm, $hold)
                $ErrorActionPreference = 'Stop'
                $job = Start-ProcessingJob -Path (Join-Path $images '*.cbf') -Script $script -OutputFolder $slurm -Scheduler Slurm -ChunkSize 10 -TimeLimit 00:30:00 -PollInterval 1
                'arrays=' + $job.SlurmJobIds.Count
                # Wait for chunks 0, 1 and 3, and for chunk 2's task to be running and writing.
                $deadline = (Get-Date).AddMinutes(20)
                while ((Get-Date) -lt $deadline) {
                    $c = $job.Chunks
                    $tmp = @(Get-ChildItem -Force -LiteralPath (Join-Path $slurm 'chunks') -Filter '.chunk_000002.*.tmp').Count
                    if ($job.CompletedChunks -eq 3 -and $c[2].State -eq 'Running' -and $tmp -gt 0) { break }
                    Start-Sleep -Milliseconds 500
                }
                'running=' + $job.Chunks[2].State
                $task = $job.Chunks[2].Where
                & scancel $task
                $null = $job | Wait-Job -Timeout 300
                'state=' + $job.JobStateInfo.State
                $failed = $job.Chunks[2]
                'chunk2=' + $failed.State
                'message=' + $failed.Message
                $received = @($job | Receive-Job -ErrorVariable chunkErrors -ErrorAction SilentlyContinue)
                'errors=' + (@($chunkErrors | ForEach-Object FullyQualifiedErrorId) -join ';')
                'done2=' + (Test-Path (Join-Path $slurm 'chunks/chunk_000002.done.json'))
                'partial2=' + @(Get-ChildItem -Force -LiteralPath (Join-Path $slurm 'chunks') -Filter '.chunk_000002.*.tmp').Count

                # Resume: the same command again, the hold lifted.
                Remove-Item -LiteralPath $hold
                $again = Start-ProcessingJob -Path (Join-Path $images '*.cbf') -Script $script -OutputFolder $slurm -Scheduler Slurm -ChunkSize 10 -TimeLimit 00:30:00 -PollInterval 1
                $null = $again | Wait-Job -Timeout 900
                'resumed=' + $again.JobStateInfo.State
                'statuses=' + ((@($again | Receive-Job) | Where-Object { $_ -is [XtalPS.Campaigns.ChunkStatus] } | Sort-Object Chunk | ForEach-Object { '{0}:{1}{2}' -f $_.Chunk, $_.State, $(if ($_.Reused) { '*' }) }) -join ',')
                'partialAfter=' + @(Get-ChildItem -Force -LiteralPath (Join-Path $slurm 'chunks') -Filter '*.tmp').Count

                # The same images and script in one local process.
                $ref = Start-ProcessingJob -Path (Join-Path $images '*.cbf') -Script $script -OutputFolder $one -ChunkSize 1000 -ThrottleLimit 1 -CpusPerTask 2 -PollInterval 1
                $null = $ref | Wait-Job -Timeout 900
                'one=' + $ref.JobStateInfo.State
                Import-ReflectionTable -LiteralPath $one | Export-ReflectionTable -Path ""$one.mtz""
                Import-ReflectionTable -LiteralPath $slurm | Export-ReflectionTable -Path ""$slurm.mtz""
                'same=' + ((Get-FileHash ""$one.mtz"").Hash -eq (Get-FileHash ""$slurm.mtz"").Hash)
                $a = Get-ProcessingSummary -LiteralPath $one; $b = Get-ProcessingSummary -LiteralPath $slurm
                'counts=' + (($a, $b | ForEach-Object { '{0}/{1}/{2}/{3}/{4}' -f $_.Images, $_.Hits, $_.IndexedHits, $_.Lattices, $_.Reflections }) -join ' ')",
                images, script, one, slurm, hold).Select(o => o.BaseObject.ToString()!).ToList();
            string Value(string key) => result.Single(l => l.StartsWith(key + "=", StringComparison.Ordinal)).Substring(key.Length + 1);

            Assert.Equal("2", Value("arrays"));
            Assert.Equal("Running", Value("running"));
            Assert.Equal("Failed", Value("state"));
            Assert.Equal("Failed", Value("chunk2"));
            Assert.Contains("CANCELLED", Value("message"));
            Assert.Contains("ChunkFailed", Value("errors"));
            Assert.Equal("False", Value("done2"));
            Assert.NotEqual("0", Value("partial2"));
            Assert.Equal("Completed", Value("resumed"));
            Assert.Equal("0:Completed*,1:Completed*,2:Completed,3:Completed*", Value("statuses"));
            Assert.Equal("0", Value("partialAfter"));
            Assert.Equal("Completed", Value("one"));
            Assert.Equal("True", Value("same"));
            var counts = Value("counts").Split(' ');
            Assert.Equal(counts[0], counts[1]);
            Assert.StartsWith("40/40/40/40/", counts[0]);
        }

        [SlurmFact]
        public void Sbatch_refusing_the_job_is_an_error_with_its_own_words()
        {
            string images = CampaignTests.Stills(_e, 12);
            string script = Path.Combine(_dir, "p.ps1");
            File.WriteAllText(script, CampaignTests.Pipeline);
            var r = _e.InvokeOk(@"param($images, $script, $folder)
                try { Start-ProcessingJob -Path (Join-Path $images '*.cbf') -Script $script -OutputFolder $folder -Scheduler Slurm -Partition no_such_partition -ErrorAction Stop }
                catch { $_.FullyQualifiedErrorId; $_.Exception.Message }", images, script, Path.Combine(_dir, "refused")).Select(o => o.BaseObject.ToString()!).ToArray();
            Assert.Equal("SbatchRefused,XtalPS.Commands.StartProcessingJobCommand", r[0]);
            Assert.Contains("sbatch: error:", r[1]);
            Assert.Contains("partition", r[1], StringComparison.OrdinalIgnoreCase);
        }
    }
}
