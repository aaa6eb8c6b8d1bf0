using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using XtalPS.Formats;
using XtalPS.Integration;
using XtalPS.Lattices;
using Xunit;
using Xunit.Abstractions;

namespace XtalPS.Module.Tests
{
    /// <summary>A test that needs DIALS: skipped with the reason when dials.show is missing, except in CI, where it runs and fails.</summary>
    public sealed class DialsFactAttribute : FactAttribute
    {
        public static string? Bin(string tool) => new[] { "/usr/bin/", "/usr/local/bin/" }.Select(d => d + tool).FirstOrDefault(File.Exists);

        public DialsFactAttribute()
        {
            if (Bin("dials.show") == null && !PictureTestKit.InCi)
                Skip = "DIALS is not installed (apt-get install dials); DIALS's own tools did not check our .expt/.refl";
        }
    }

    /// <summary>
    /// DIALS's own tools on what XtalPS writes: our pipeline (spots, known-cell indexing, summation integration) on the
    /// four simulated single-panel stills, exported as a .refl/.expt pair, must be read by dials.show with the same
    /// counts and refined by dials.refine (stills), whose crystals must stay close to ours.
    /// </summary>
    [Collection(EngineCollection.Name)]
    public class DialsToolsTests
    {
        private readonly EngineFixture _e;
        private readonly ITestOutputHelper _out;
        public DialsToolsTests(EngineFixture e, ITestOutputHelper output) { _e = e; _out = output; }

        private static (int Code, string Output) Run(string folder, string tool, params string[] args)
        {
            string exe = DialsFactAttribute.Bin(tool) ?? throw new InvalidOperationException($"{tool} is missing (CI installs DIALS: apt-get install dials)");
            var psi = new ProcessStartInfo(exe) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            // A generous watchdog against a hang, not a timing.
            if (!p.WaitForExit(600_000)) { p.Kill(true); throw new TimeoutException($"{tool} did not finish within 10 minutes"); }
            return (p.ExitCode, stdout.Result + stderr.Result);
        }

        [DialsFact]
        public void DIALS_reads_and_refines_the_pair_our_stills_pipeline_exports()
        {
            string folder = Directory.CreateTempSubdirectory("xtalps_dials_").FullName;
            try
            {
                string refl = Path.Combine(folder, "run.refl");
                var tables = _e.InvokeOk(
                    "Import-DiffractionImage (Join-Path $args[0] 'sim/single1024/*.cbf') | Find-BraggSpot | " +
                    "Get-Lattice -UnitCell 79.1,79.1,37.9,90,90,90 -SpaceGroup P43212 | Invoke-PeakIntegration -Method Summation | " +
                    "Export-ReflectionTable $args[1] -PassThru | Out-Null; Import-ReflectionTable $args[1]", _e.SharedData, refl)
                    .Select(o => (ReflectionTable)o.BaseObject).ToArray();
                Assert.Equal(4, tables.Length);
                int rows = tables.Sum(t => t.Count);

                var show = Run(folder, "dials.show", "run.expt", "run.refl");
                Assert.True(show.Code == 0, show.Output);
                Assert.Contains($"Reflection list contains {rows} reflections", show.Output);
                Assert.Equal(4, Regex.Matches(show.Output, @"^Experiment \d+:", RegexOptions.Multiline).Count);

                var refine = Run(folder, "dials.refine", "run.expt", "run.refl");
                Assert.True(refine.Code == 0, refine.Output);
                var refined = DialsExperimentJson.ReadExperiments(Path.Combine(folder, "refined.expt"));
                Assert.Equal(4, refined.Count);
                for (int i = 0; i < 4; i++)
                {
                    var ours = (CrystalLattice)tables[i].Lattice!;
                    var theirs = new CrystalLattice(refined[i].Crystal!.A, SpaceGroup.FromHall(refined[i].Crystal!.SpaceGroupHallSymbol));
                    double degrees = ours.MisorientationTo(theirs);
                    _out.WriteLine($"experiment {i}: {tables[i].Count} rows; DIALS-refined crystal {theirs.UnitCell} is {degrees:0.0000}° from ours {ours.UnitCell}");
                    Assert.True(degrees < 0.1, $"experiment {i}: dials.refine moved the crystal {degrees}°");
                    Assert.Equal(ours.UnitCell.A, theirs.UnitCell.A, 0);
                }
                var nref = Regex.Match(refine.Output, @"\|\s+0 \|\s+(\d+) \|");
                _out.WriteLine($"dials.refine used {nref.Groups[1].Value} of {rows} rows");
                Assert.True(nref.Success && int.Parse(nref.Groups[1].Value) > rows / 4, refine.Output);
            }
            finally { Directory.Delete(folder, true); }
        }
        /// <summary>
        /// Spot lists and lattices as they leave Find-BraggSpot and Get-Lattice: dials.index must take our strong.refl
        /// (with the known cell; the sequences indexer, because Debian's DIALS lacks the xfel extension its stills
        /// indexer needs) and find our crystal, and dials.refine must refine our indexed pair without moving it.
        /// </summary>
        [DialsFact]
        public void DIALS_indexes_the_strong_spots_we_export_and_refines_the_lattices_we_export()
        {
            string folder = Directory.CreateTempSubdirectory("xtalps_dials_").FullName;
            try
            {
                var ours = (CrystalLattice)_e.InvokeOk(
                    "$s = Import-DiffractionImage (Join-Path $args[0] 'sim/single1024/still_00002.cbf') | Find-BraggSpot; " +
                    "$s | Export-ReflectionTable (Join-Path $args[1] 'strong.refl'); " +
                    "$s | Get-Lattice -UnitCell 79.1,79.1,37.9,90,90,90 -SpaceGroup P43212 | Export-ReflectionTable (Join-Path $args[1] 'indexed.refl') -PassThru | Out-Null; " +
                    "$s | Get-Lattice -UnitCell 79.1,79.1,37.9,90,90,90 -SpaceGroup P43212", _e.SharedData, folder).Single().BaseObject;
                int spots = ours.Spots!.Count;

                var show = Run(folder, "dials.show", "strong.expt", "strong.refl");
                Assert.True(show.Code == 0, show.Output);
                Assert.Contains($"Reflection list contains {spots} reflections", show.Output);

                var index = Run(folder, "dials.index", "strong.expt", "strong.refl", "indexing.known_symmetry.space_group=P43212",
                    "indexing.known_symmetry.unit_cell=79.1,79.1,37.9,90,90,90", "stills.indexer=sequences",
                    "output.experiments=dials_indexed.expt", "output.reflections=dials_indexed.refl");
                Assert.True(index.Code == 0, index.Output);
                var theirs = (ReflectionTable)_e.InvokeOk("Import-ReflectionTable (Join-Path $args[0] 'dials_indexed.refl')", folder).Single().BaseObject;
                double degrees = ours.MisorientationTo((CrystalLattice)theirs.Lattice!);
                _out.WriteLine($"dials.index: {theirs.Count} of {spots} spots indexed, {((CrystalLattice)theirs.Lattice!).UnitCell}, {degrees:0.0000}° from ours ({ours.IndexedCount} indexed, {ours.UnitCell})");
                Assert.True(degrees < 0.15, $"dials.index found a crystal {degrees}° from ours");
                Assert.True(theirs.Count >= 0.9 * ours.IndexedCount, $"dials.index indexed {theirs.Count}, we {ours.IndexedCount}");

                var refine = Run(folder, "dials.refine", "indexed.expt", "indexed.refl");
                Assert.True(refine.Code == 0, refine.Output);
                var refined = DialsExperimentJson.ReadExperiments(Path.Combine(folder, "refined.expt")).Single();
                double moved = ours.MisorientationTo(new CrystalLattice(refined.Crystal!.A, SpaceGroup.FromHall(refined.Crystal!.SpaceGroupHallSymbol)));
                _out.WriteLine($"dials.refine on our indexed pair moved the crystal {moved:0.0000}°");
                Assert.True(moved < 0.1, $"dials.refine moved the crystal {moved}°");
            }
            finally { Directory.Delete(folder, true); }
        }
    }
}
