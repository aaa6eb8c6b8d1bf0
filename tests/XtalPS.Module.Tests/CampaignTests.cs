using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using XtalPS.Formats;
using XtalPS.Integration;
using Xunit;

namespace XtalPS.Module.Tests
{
    /// <summary>
    /// Processing campaigns on the local scheduler, through the engine: chunks as real XtalPS.Host processes, the job in
    /// Get-Job / Wait-Job / Receive-Job / Stop-Job, resume, gathering, the summary, and the bad input the issue lists.
    /// </summary>
    [Collection(EngineCollection.Name)]
    public class CampaignTests : IDisposable
    {
        private readonly EngineFixture _e;
        private readonly string _dir;

        /// <summary>A pipeline any user might write: spots, known-cell indexing, summation integration (to 3 Å, fast).</summary>
        public const string Pipeline =
            "$input | Find-BraggSpot | Get-Lattice -UnitCell 79.1,79.1,37.9,90,90,90 -SpaceGroup P43212 | Invoke-PeakIntegration -Method Summation -DMin 3 -Cycles 1\n";

        public CampaignTests(EngineFixture e)
        {
            _e = e;
            _dir = Directory.CreateTempSubdirectory("xtalps-campaign").FullName;
        }

        public void Dispose()
        {
            _e.InvokeOk("Get-Job | Where-Object PSJobTypeName -eq XtalPSCampaign | Remove-Job -Force");
            try { Directory.Delete(_dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }

        /// <summary>Simulated stills written as miniCBF files (made once per test run; deterministic by seed).</summary>
        public static string Stills(EngineFixture e, int count)
        {
            string dir = Path.Combine(Path.GetTempPath(), $"xtalps-campaign-stills-{count}");
            lock (typeof(CampaignTests))
            {
                if (Directory.Exists(dir) && Directory.GetFiles(dir, "*.cbf").Length == count) return dir;
                Directory.CreateDirectory(dir);
                e.InvokeOk(@"param($dir, $n)
                    $i = 0
                    New-SimulatedImage -UnitCell 79.1,79.1,37.9,90,90,90 -SpaceGroup P43212 -RandomOrientation -Seed 7 -Count $n -Width 512 -Height 512 -DMin 3 |
                        ForEach-Object { Export-DiffractionImage -Image $_ -Path (Join-Path $dir ('still_{0:D5}.cbf' -f $i)) -Force; $i++ }", dir, count);
                return dir;
            }
        }

        private string Script(string name, string text)
        {
            string path = Path.Combine(_dir, name);
            File.WriteAllText(path, text);
            return path;
        }

        /// <summary>Starts a local campaign and waits for it; returns what Receive-Job gave.</summary>
        private List<object> RunLocal(string images, string script, string folder, int chunkSize, int throttle, string extra = "")
        {
            var output = _e.InvokeOk($@"param($images, $script, $folder)
                $job = Start-ProcessingJob -Path (Join-Path $images '*.cbf') -Script $script -OutputFolder $folder -ChunkSize {chunkSize} -ThrottleLimit {throttle} -PollInterval 0.5 {extra}
                $null = $job | Wait-Job -Timeout 900
                $job | Receive-Job", images, script, folder);
            return output.Select(o => o.BaseObject).ToList();
        }

        private static string[] Statuses(IEnumerable<object> received) =>
            received.Where(o => o.GetType().Name == "ChunkStatus").Select(o => $"{Get(o, "Chunk")}:{Get(o, "State")}{((bool)Get(o, "Reused")! ? "*" : "")}").ToArray();

        private static object? Get(object o, string property) => o.GetType().GetProperty(property)!.GetValue(o);

        private byte[] GatheredMtz(string folder)
        {
            string mtz = folder + ".mtz";
            _e.InvokeOk("Import-ReflectionTable -LiteralPath $args[0] | Export-ReflectionTable -Path $args[1] -Force", folder, mtz);
            return File.ReadAllBytes(mtz);
        }

        /// <summary>The merged reflections of a gathered campaign, one line per reflection with every value in round-trip form.</summary>
        private List<string> MergedData(string folder)
        {
            var merged = (XtalPS.Merging.MergedReflectionTable)_e.InvokeOk(
                "Import-ReflectionTable -LiteralPath $args[0] | Merge-ReflectionTable -SpaceGroup P43212 -Wavelength 1.3", folder).Single().BaseObject;
            var d = merged.Data;
            return Enumerable.Range(0, d.Count).Select(i => string.Join(" ", d.H[i], d.K[i], d.L[i], d.Multiplicity[i], d.FreeR[i],
                d.Intensity[i].ToString("R", CultureInfo.InvariantCulture), d.Sigma[i].ToString("R", CultureInfo.InvariantCulture),
                d.IHalf1[i].ToString("R", CultureInfo.InvariantCulture), d.IHalf2[i].ToString("R", CultureInfo.InvariantCulture))).ToList();
        }

        [Fact]
        public void One_process_and_three_chunks_in_two_processes_gather_to_the_same_MTZ_bytes_and_summary()
        {
            string images = Stills(_e, 12);
            string script = Script("pipeline.ps1", Pipeline);
            string one = Path.Combine(_dir, "one"), three = Path.Combine(_dir, "three");

            var a = RunLocal(images, script, one, 100, 1);
            var b = RunLocal(images, script, three, 5, 2);
            // Receive-Job: one status per chunk and the summary, never the tables.
            Assert.Equal(new[] { "0:Completed" }, Statuses(a));
            Assert.Equal(new[] { "0:Completed", "1:Completed", "2:Completed" }, Statuses(b).OrderBy(s => s));
            Assert.DoesNotContain(a.Concat(b), o => o is ReflectionTable);
            Assert.Single(a, o => o.GetType().Name == "ProcessingSummary");

            var mtzOne = GatheredMtz(one);
            Assert.Equal(mtzOne, GatheredMtz(three));
            // Merged from the gathered chunks: the same structure factors to the last bit, however the campaign ran.
            var mergedOne = MergedData(one);
            Assert.True(mergedOne.Count > 100, $"only {mergedOne.Count} merged reflections");
            Assert.Equal(mergedOne, MergedData(three));

            var summaries = _e.InvokeOk("Get-ProcessingSummary -LiteralPath $args[0], $args[1]", one, three).Select(o => o.BaseObject).ToArray();
            string Counts(object s) => string.Join(",", new[] { "Images", "Hits", "IndexedHits", "Integrated", "Lattices", "Reflections", "Failed" }.Select(p => Get(s, p)));
            Assert.Equal(Counts(summaries[0]), Counts(summaries[1]));
            Assert.Equal(12, (int)Get(summaries[0], "Images")!);
            Assert.Equal(12, (int)Get(summaries[0], "IndexedHits")!);

            // Nothing is lost on the way: the gathered reflections are those of the same pipeline run in this session.
            string direct = Path.Combine(_dir, "direct.mtz");
            _e.InvokeOk("param($images, $script, $mtz) Get-ChildItem (Join-Path $images '*.cbf') | Sort-Object FullName | ForEach-Object { Import-DiffractionImage -LiteralPath $_.FullName | & $script } | Export-ReflectionTable -Path $mtz",
                images, script, direct);
            var d = MtzReader.Read(direct);
            var g = MtzReader.Read(Path.Combine(_dir, "one.mtz"));
            Assert.Equal(d.ReflectionCount, g.ReflectionCount);
            foreach (var label in new[] { "H", "K", "L", "M/ISYM", "BATCH", "I", "SIGI", "XDET", "YDET", "BG_INT", "FLAGS" })
            {
                int cd = d.ColumnIndex(label), cg = g.ColumnIndex(label);
                for (int row = 0; row < d.ReflectionCount; row++)
                    Assert.Equal(BitConverter.SingleToInt32Bits(d[row, cd]), BitConverter.SingleToInt32Bits(g[row, cg]));
            }

            // The job's own view and the summary's table view show what identifies them.
            string text = _e.Render($"Get-ProcessingSummary -LiteralPath '{three}' | Format-Table | Out-String -Width 160");
            Assert.Contains("three", text);
            Assert.Contains("79.1", text);
        }

        [Fact]
        public void Rerunning_resumes_redoes_only_incomplete_chunks_and_never_takes_a_partial_file_for_complete()
        {
            string images = Stills(_e, 12);
            string script = Script("pipeline.ps1", Pipeline);
            string folder = Path.Combine(_dir, "resume");
            RunLocal(images, script, folder, 4, 2);
            var reference = GatheredMtz(folder);
            string chunks = Path.Combine(folder, "chunks");

            // Chunk 1: a write cut off by a kill (a temporary file, no completion record). Chunk 2: its record says one
            // size, the file on disk is truncated. Both must be redone; chunk 0 is reused.
            File.Delete(Path.Combine(chunks, "chunk_000001.done.json"));
            File.WriteAllText(Path.Combine(chunks, ".chunk_000001.reflections.parquet.0badf00d.tmp"), "half a file");
            string reflections2 = Path.Combine(chunks, "chunk_000002.reflections.parquet");
            var bytes = File.ReadAllBytes(reflections2);
            File.WriteAllBytes(reflections2, bytes.Take(bytes.Length / 2).ToArray());

            var summary = _e.InvokeOk("Get-ProcessingSummary -LiteralPath $args[0] -WarningVariable w -WarningAction SilentlyContinue; $w.Count", folder);
            Assert.Equal(1, (int)summary.Last().BaseObject);

            var again = RunLocal(images, script, folder, 4, 2);
            Assert.Equal(new[] { "0:Completed*", "1:Completed", "2:Completed" }, Statuses(again).OrderBy(s => s));
            Assert.Empty(Directory.GetFiles(chunks, "*.tmp"));
            Assert.Equal(reference, GatheredMtz(folder));
        }

        [Fact]
        public void A_folder_that_holds_another_campaign_is_refused_unless_Force()
        {
            string images = Stills(_e, 12);
            string folder = Path.Combine(_dir, "taken");
            RunLocal(images, Script("a.ps1", Pipeline), folder, 100, 1, "-Name first");
            string other = Script("b.ps1", Pipeline.Replace("-Cycles 1", "-Cycles 2"));

            _e.Invoke("param($i, $s, $f) Start-ProcessingJob -Path (Join-Path $i '*.cbf') -Script $s -OutputFolder $f", out var errors, images, other, folder);
            var error = Assert.Single(errors);
            Assert.Equal("CampaignFolderInUse,XtalPS.Commands.StartProcessingJobCommand", error.FullyQualifiedErrorId);
            Assert.Contains("the script's text", error.Exception.Message);
            Assert.Contains("-Force", error.Exception.Message);

            // -WhatIf with -Force deletes nothing.
            _e.InvokeOk("param($i, $s, $f) Start-ProcessingJob -Path (Join-Path $i '*.cbf') -Script $s -OutputFolder $f -Force -WhatIf", images, other, folder);
            Assert.True(File.Exists(Path.Combine(folder, "chunks", "chunk_000000.done.json")));

            var received = RunLocal(images, other, folder, 100, 1, "-Force -Name second");
            Assert.Equal(new[] { "0:Completed" }, Statuses(received));
            Assert.Equal("second", (string)_e.InvokeOk("(Get-ProcessingSummary -LiteralPath $args[0]).Campaign", folder).Single().BaseObject);
        }

        [Fact]
        public void Images_that_fail_are_recorded_with_their_error_id_and_the_chunk_completes()
        {
            string good = Stills(_e, 12);
            string images = Path.Combine(_dir, "mixed");
            Directory.CreateDirectory(images);
            foreach (var f in Directory.GetFiles(good, "*.cbf").OrderBy(f => f, StringComparer.Ordinal).Take(4)) File.Copy(f, Path.Combine(images, Path.GetFileName(f)));
            File.WriteAllText(Path.Combine(images, "still_broken.cbf"), "###CBF: not really\n");
            // The script throws on one image and indexes another with a cell that does not fit.
            string script = Script("picky.ps1",
                "process {\n" +
                "  if ($_.Name -eq 'still_00001.cbf') { throw 'this image is cursed' }\n" +
                "  if ($_.Name -eq 'still_00002.cbf') { $_ | Find-BraggSpot | Get-Lattice -UnitCell 79.1,79.1,37.9,90,90,90 -SpaceGroup P43212 -MinIndexed 100000 | Invoke-PeakIntegration -Method Summation -DMin 3 -Cycles 1; return }\n" +
                "  $_ | " + Pipeline.Replace("$input | ", "") +
                "}\n");
            var received = RunLocal(images, script, Path.Combine(_dir, "bad"), 100, 1);
            Assert.Equal(new[] { "0:Completed" }, Statuses(received));
            var status = received.Single(o => o.GetType().Name == "ChunkStatus");
            Assert.Equal(3, (int)Get(status, "FailedImages")!);

            var records = _e.InvokeOk("Get-ProcessingSummary -LiteralPath $args[0] -PerImage", Path.Combine(_dir, "bad")).Select(o => o.BaseObject).ToList();
            Assert.Equal(5, records.Count);
            var byName = records.ToDictionary(r => (string)Get(r, "Name")!, r => r);
            Assert.Equal("InvalidImageData", Get(byName["still_broken.cbf"], "ErrorId"));
            Assert.Equal(-1, (int)Get(byName["still_broken.cbf"], "Frame")!);
            Assert.Equal("ScriptThrew", Get(byName["still_00001.cbf"], "ErrorId"));
            Assert.Contains("cursed", (string)Get(byName["still_00001.cbf"], "ErrorMessage")!);
            Assert.NotNull(Get(byName["still_00002.cbf"], "ErrorId"));
            Assert.True((int)Get(byName["still_00002.cbf"], "Spots")! > 20, "the spot count travels with the indexing error");
            Assert.Null(Get(byName["still_00003.cbf"], "ErrorId"));
            Assert.True((int)Get(byName["still_00003.cbf"], "Reflections")! > 50);

            var summary = _e.InvokeOk("Get-ProcessingSummary -LiteralPath $args[0]", Path.Combine(_dir, "bad")).Single().BaseObject;
            Assert.Equal(3, (int)Get(summary, "Failed")!);
            var failures = ((System.Collections.IEnumerable)Get(summary, "Failures")!).Cast<object>().Select(f => (string)Get(f, "ErrorId")!).ToList();
            Assert.Contains("InvalidImageData", failures);
            Assert.Contains("ScriptThrew", failures);

            // A script that makes no tables: the chunk completes and says so.
            var none = RunLocal(images, Script("none.ps1", "$input | Find-BraggSpot\n"), Path.Combine(_dir, "none"), 100, 1);
            var noneStatus = none.Single(o => o.GetType().Name == "ChunkStatus");
            Assert.Equal("Completed", Get(noneStatus, "State")!.ToString());
            Assert.Contains("no reflection tables", (string)Get(noneStatus, "Message")!);
            Assert.Empty(_e.InvokeOk("Import-ReflectionTable -LiteralPath $args[0]", Path.Combine(_dir, "none")));
        }

        [Fact]
        public void Stop_Job_kills_the_chunk_processes_and_a_later_process_finds_the_campaign_and_resumes_it()
        {
            string images = Stills(_e, 12);
            string hold = Path.Combine(_dir, "hold");
            File.WriteAllText(hold, "");
            string script = Script("slow.ps1", $"process {{ if ($_.Name -eq 'still_00005.cbf') {{ while (Test-Path '{hold}') {{ Start-Sleep -Milliseconds 200 }} }}; $_ | {Pipeline.Replace("$input | ", "")}}}\n");
            string folder = Path.Combine(_dir, "stopped");
            var states = _e.InvokeOk(@"param($images, $script, $folder)
                $job = Start-ProcessingJob -Path (Join-Path $images '*.cbf') -Script $script -OutputFolder $folder -ChunkSize 4 -ThrottleLimit 2 -PollInterval 0.5
                (Get-Job -Id $job.Id).PSJobTypeName
                # Chunk 0 completes, chunk 1 waits on the hold file.
                $deadline = (Get-Date).AddMinutes(10)
                while ($job.CompletedChunks -lt 1 -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 300 }
                $job.CompletedChunks
                $job | Stop-Job
                $job.JobStateInfo.State.ToString()
                @($job.Chunks | ForEach-Object { '{0}:{1}' -f $_.Chunk, $_.State })", images, script, folder).Select(o => o.BaseObject.ToString()).ToList();
            Assert.Equal("XtalPSCampaign", states[0]);
            Assert.Equal("Stopped", states[2]);
            Assert.Contains("1:Stopped", states);
            Assert.False(File.Exists(Path.Combine(folder, "chunks", "chunk_000001.done.json")));
            File.Delete(hold);

            // A later PowerShell process (the xtalps host) finds the campaign from its folder alone.
            string later = RunHost($"Get-ProcessingJob -LiteralPath '{folder}' | Format-Table Name, State, CompletedChunks, ChunkCount -HideTableHeaders | Out-String -Width 200");
            Assert.Matches(@"stopped\s+(Failed|Completed)\s+[12]\s+3", later);

            var resumed = RunLocal(images, script, folder, 4, 2);
            Assert.Contains("0:Completed*", Statuses(resumed));
            Assert.Contains("1:Completed", Statuses(resumed));
            Assert.Equal(12, (int)Get(_e.InvokeOk("Get-ProcessingSummary -LiteralPath $args[0]", folder).Single().BaseObject, "Images")!);
        }

        [Fact]
        public void Without_Slurm_the_error_names_the_local_scheduler()
        {
            string images = Stills(_e, 12);
            var errors = _e.InvokeOk(@"param($images, $script, $folder)
                $path = $env:PATH
                try {
                    $env:PATH = '/nonexistent'
                    Start-ProcessingJob -Path (Join-Path $images '*.cbf') -Script $script -OutputFolder $folder -Scheduler Slurm -ErrorAction Stop
                } catch { $_.FullyQualifiedErrorId; $_.Exception.Message } finally { $env:PATH = $path }",
                images, Script("p.ps1", Pipeline), Path.Combine(_dir, "noslurm")).Select(o => o.BaseObject.ToString()).ToArray();
            Assert.Equal("SlurmNotFound,XtalPS.Commands.StartProcessingJobCommand", errors[0]);
            Assert.Contains("-Scheduler Local", errors[1]);
        }

        [Fact]
        public void Job_arrays_split_at_MaxArraySize_and_chunk_lists_compress_to_Slurm_syntax()
        {
            var text = _e.InvokeOk(@"
                [XtalPS.Campaigns.SlurmClient]::ArraySpec([int[]](0, 1, 2, 3, 7, 9, 10, 11))
                [XtalPS.Campaigns.SlurmClient]::SplitArrays([int[]](0..2500), 1001) | ForEach-Object { '{0}:{1}-{2}' -f $_.Item1, $_.Item2[0], $_.Item2[-1] }
                [XtalPS.Campaigns.SlurmClient]::SplitArrays([int[]](5, 1003), 1001) | ForEach-Object { '{0}:{1}' -f $_.Item1, ($_.Item2 -join ',') }")
                .Select(o => o.BaseObject.ToString()).ToArray();
            Assert.Equal(new[] { "0-3,7,9-11", "0:0-1000", "1001:0-1000", "2002:0-498", "0:5", "1001:2" }, text);
        }

        [Fact]
        public void Lattice_ids_are_stable_and_differ_by_path_frame_and_index()
        {
            var ids = _e.InvokeOk(@"
                [XtalPS.Campaigns.LatticeIdentity]::Of('/data/run7/a.cbf', 0, 0)
                [XtalPS.Campaigns.LatticeIdentity]::Of('/data/run7/a.cbf', 0, 0)
                [XtalPS.Campaigns.LatticeIdentity]::Of('/data/run7/a.cbf', 0, 1)
                [XtalPS.Campaigns.LatticeIdentity]::Of('/data/run7/a.cbf', 1, 0)
                [XtalPS.Campaigns.LatticeIdentity]::Of('/data/run7/b.cbf', 0, 0)").Select(o => (long)o.BaseObject).ToArray();
            Assert.Equal(ids[0], ids[1]);
            Assert.Equal(4, ids.Distinct().Count());
        }

        /// <summary>Runs command text in a separate xtalps host process; returns its output.</summary>
        private string RunHost(string command)
        {
            string repo = _e.RepoRoot;
            string dll = new[] { "Release", "Debug" }.Select(c => Path.Combine(repo, "src", "XtalPS.Host", "bin", c, "net10.0", "XtalPS.Host.dll"))
                .Where(File.Exists).OrderByDescending(File.GetLastWriteTimeUtc).First();
            var psi = new System.Diagnostics.ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
            { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { dll, "-Module", _e.ModulePath, "-Width", "200", "-Command", command }) psi.ArgumentList.Add(a);
            using var p = System.Diagnostics.Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEndAsync();
            var error = p.StandardError.ReadToEndAsync();
            Assert.True(p.WaitForExit(120_000), "the host did not finish");
            return output.Result + error.Result;
        }
    }
}
