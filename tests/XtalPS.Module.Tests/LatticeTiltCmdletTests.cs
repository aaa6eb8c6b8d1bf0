using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Xml;
using XtalPS.Extraction;
using XtalPS.Formats;
using XtalPS.Lattices;
using Xunit;

namespace XtalPS.Module.Tests
{
    /// <summary>Measure-LatticeTilt and Invoke-IpltProject through the engine, against New-SimulatedImage's tilted-crystal truth.</summary>
    [Collection(EngineCollection.Name)]
    public class LatticeTiltCmdletTests
    {
        private readonly EngineFixture _e;
        public LatticeTiltCmdletTests(EngineFixture e) { _e = e; }

        [Fact]
        public void The_default_pipeline_measures_tilt_and_axis_and_writes_ZSTAR_to_MTZ()
        {
            string dir = Path.Combine(Path.GetTempPath(), "xtalps-tilt-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                var result = _e.InvokeOk(@"
                    $i = New-SimulatedImage -PlanarCell 62, 74, 103 -TiltAngle -32 -TiltAxis 64 -Taxa 20 -Width 768 -Height 768 -Seed 3
                    $t = $i | Find-BraggSpot | Get-Lattice -Planar | Invoke-LatticeExtract | Invoke-PeakIntegration | Measure-LatticeTilt -UnitCell 62, 74, 103
                    $t | Export-ReflectionTable -Path (Join-Path $args[0] 'tilt.mtz') | Out-Null
                    $t
                    Import-ReflectionTable (Join-Path $args[0] 'tilt.mtz')", dir);
                var tilt = (LatticeTilt)result[0].BaseObject;
                Assert.InRange(tilt.TiltAngle, 31.8, 32.2);
                Assert.InRange(TiltGeometry.Wrap180(tilt.TiltAxis - 64), -0.2, 0.2);
                Assert.True(tilt.TiltAngleSigma > 0 && tilt.TiltAngleSigma < 0.05, $"σ(θ) {tilt.TiltAngleSigma}");
                var back = (Integration.ReflectionTable)result[1].BaseObject;
                Assert.Equal(tilt.ReflectionTable.Count, back.Count);
                var a = tilt.ReflectionTable.Reflections.First(r => r.H == 3 && r.K == -2);
                var b = back.Reflections.First(r => r.H == 3 && r.K == -2 || r.H == -3 && r.K == 2);
                Assert.Equal(a.ZStar * (b.H == 3 ? 1 : -1), b.ZStar, 5);
                Assert.False(double.IsNaN(b.ZStarSigma));
                string text = _e.Render("New-SimulatedImage -PlanarCell 62, 74, 103 -TiltAngle 30 -TiltAxis 10 -Width 512 -Height 512 | Find-BraggSpot | Get-Lattice -Planar | Invoke-LatticeExtract | Measure-LatticeTilt -UnitCell 62, 74, 103");
                Assert.Contains("TLTAXIS", text);
                Assert.Contains("±30.0", text);
            }
            finally { Directory.Delete(dir, true); }
        }

        [Fact]
        public void A_cell_that_does_not_fit_is_TiltNotFound_and_a_bad_cell_stops()
        {
            _e.Invoke("New-SimulatedImage -PlanarCell 62, 74, 103 -TiltAngle 30 -Width 512 -Height 512 | Find-BraggSpot | Get-Lattice -Planar | Invoke-LatticeExtract | Measure-LatticeTilt -UnitCell 62, 74, 103 -CameraConstant 500", out var errors);
            Assert.Equal("TiltNotFound,XtalPS.Commands.MeasureLatticeTiltCommand", Assert.Single(errors).FullyQualifiedErrorId);
            var stop = _e.InvokeOk("try { @() | Measure-LatticeTilt -UnitCell 62, 74, 200; 'not stopped' } catch { $_.FullyQualifiedErrorId }");
            Assert.Equal("InvalidUnitCell,XtalPS.Commands.MeasureLatticeTiltCommand", Assert.Single(stop).BaseObject);
        }

        [Fact]
        public void An_IPLT_project_runs_reads_its_parameters_writes_results_and_reruns_only_what_changed()
        {
            string root = Path.Combine(Path.GetTempPath(), "xtalps-iplt-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(root);
            try
            {
                _e.InvokeOk(@"
                    foreach ($n in 'a', 'b', 'skip') {
                        $d = New-Item -ItemType Directory (Join-Path $args[0] $n)
                        New-SimulatedImage -PlanarCell 62, 74, 103 -TiltAngle 25 -TiltAxis 40 -Taxa 10 -Width 512 -Height 512 -Seed 9 |
                            Export-DiffractionImage -Path (Join-Path $d ""$n.cbf"") | Out-Null
                    }
                    New-Item -ItemType File (Join-Path $args[0] 'skip/ignore') | Out-Null
                    Set-Content (Join-Path $args[0] 'project.xml') '<?xml version=""1.0""?><EMDataInfo><Keep value=""1"" type=""int""/><DiffProcessing><LatticeExtract><BoxSize value=""5"" type=""int""/></LatticeExtract><Tilt><CellA value=""62"" type=""float""/><CellB value=""74"" type=""float""/><CellGamma value=""103"" type=""float""/></Tilt></DiffProcessing></EMDataInfo>'
                    Set-Content (Join-Path $args[0] 'b/info.xml') '<?xml version=""1.0""?><ImageInfo><Note value=""mine"" type=""string""/><DiffProcessing><LatticeExtract><BoxSize value=""7"" type=""int""/></LatticeExtract></DiffProcessing></ImageInfo>'", root);
                var first = _e.InvokeOk("Invoke-IpltProject $args[0]", root).Select(o => (IpltImageResult)o.BaseObject).ToList();
                Assert.Equal(new[] { "a", "b", "skip" }, first.Select(r => r.Name));
                Assert.Equal(new[] { "Ran", "Ran", "Ignored" }, first.Select(r => r.Tilt));
                foreach (var r in first.Take(2))
                {
                    Assert.InRange(r.TiltAngle, 24.8, 25.2);
                    Assert.InRange(r.TiltAxis, 39.8, 40.2);
                    Assert.True(r.StrongCount > 100);
                    foreach (var suffix in new[] { "ext", "int", "tilt" }) Assert.True(File.Exists(Path.Combine(root, r.Name, $"{r.Name}_{suffix}.mtz")));
                }
                Assert.False(File.Exists(Path.Combine(root, "skip", "info.xml")));
                // Parameters: project for a, the image's own for b; b's root element and foreign items survive.
                var a = Xml(Path.Combine(root, "a", "info.xml"));
                Assert.Equal("5", a.SelectSingleNode("/*/DiffProcessingResults/DiffExtract/Parameters/LatticeExtract/BoxSize/@value")!.Value);
                Assert.NotNull(a.SelectSingleNode("/*/DiffProcessingResults/DiffExtract/RefinedLattice/A/@value"));
                Assert.NotNull(a.SelectSingleNode("/*/DiffProcessingResults/DiffTilt/TLTAXIS/@value"));
                var b = Xml(Path.Combine(root, "b", "info.xml"));
                Assert.Equal("ImageInfo", b.DocumentElement!.Name);
                Assert.Equal("mine", b.SelectSingleNode("/ImageInfo/Note/@value")!.Value);
                Assert.Equal("7", b.SelectSingleNode("/*/DiffProcessingResults/DiffExtract/Parameters/LatticeExtract/BoxSize/@value")!.Value);

                // Nothing changed: nothing runs, even after the files are touched.
                foreach (var f in Directory.GetFiles(root, "*", SearchOption.AllDirectories)) File.SetLastWriteTimeUtc(f, DateTime.UtcNow.AddMinutes(5));
                var second = _e.InvokeOk("Invoke-IpltProject $args[0]", root).Select(o => (IpltImageResult)o.BaseObject).ToList();
                Assert.All(second.Take(2), r => Assert.Equal("UpToDate|UpToDate|UpToDate", $"{r.Extract}|{r.Integrate}|{r.Tilt}"));
                Assert.All(second.Take(2), r => Assert.Empty(r.Written));

                // A tilt parameter of one image: only its tilt step; an explicit box: extraction again, from the refined lattice.
                var bPath = Path.Combine(root, "b", "info.xml");
                var bx = Xml(bPath);
                var tiltGroup = bx.CreateElement("Tilt"); var ic = bx.CreateElement("IntensityCorrection");
                ic.SetAttribute("value", "None"); ic.SetAttribute("type", "string"); tiltGroup.AppendChild(ic);
                bx.SelectSingleNode("/ImageInfo/DiffProcessing")!.AppendChild(tiltGroup);
                bx.Save(bPath);
                var third = _e.InvokeOk("Invoke-IpltProject $args[0] -Name a, b", root).Select(o => (IpltImageResult)o.BaseObject).ToList();
                Assert.Equal("UpToDate|UpToDate|UpToDate", $"{third[0].Extract}|{third[0].Integrate}|{third[0].Tilt}");
                Assert.Equal("UpToDate|UpToDate|Ran", $"{third[1].Extract}|{third[1].Integrate}|{third[1].Tilt}");
                Assert.Equal(1.0, third[1].LatticeTilt!.IntensityFactor);
                var fourth = (IpltImageResult)Assert.Single(_e.InvokeOk("Invoke-IpltProject $args[0] -Name a -BoxSize 6", root)).BaseObject;
                Assert.Equal("Ran|Ran|Ran", $"{fourth.Extract}|{fourth.Integrate}|{fourth.Tilt}");
                Assert.Contains("previous refined lattice", fourth.Message);
                var forced = (IpltImageResult)Assert.Single(_e.InvokeOk("Invoke-IpltProject $args[0] -Name a -BoxSize 6 -Force", root)).BaseObject;
                Assert.Equal("Ran|Ran|Ran", $"{forced.Extract}|{forced.Integrate}|{forced.Tilt}");

                // A broken info.xml is a non-terminating InvalidIpltInfo; the other image still runs.
                File.WriteAllText(bPath, "<ImageInfo><DiffProcessing>");
                var rows = _e.Invoke("Invoke-IpltProject $args[0] -Name a, b -BoxSize 6", out var errors, root).Select(o => (IpltImageResult)o.BaseObject).ToList();
                Assert.Equal("InvalidIpltInfo,XtalPS.Commands.InvokeIpltProjectCommand", Assert.Single(errors).FullyQualifiedErrorId);
                Assert.Equal(new[] { "UpToDate", "Failed" }, rows.Select(r => r.Extract));
                var missing = _e.InvokeOk("try { Invoke-IpltProject (Join-Path $args[0] 'nope'); 'not stopped' } catch { $_.FullyQualifiedErrorId }", root);
                Assert.Equal("IpltProjectNotFound,XtalPS.Commands.InvokeIpltProjectCommand", Assert.Single(missing).BaseObject);
            }
            finally { Directory.Delete(root, true); }
        }

        [Fact]
        public void Merge_LatticeLine_pools_tilted_p2_patterns_and_writes_the_merged_reflections()
        {
            string dir = Path.Combine(Path.GetTempPath(), "xtalps-merge-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                var result = _e.InvokeOk(@"
                    0..3 | ForEach-Object { New-SimulatedImage -PlanarCell 62, 74, 103 -PlaneGroup p2 -TiltAngle (12 + 10 * $_) -TiltAxis (20 * $_) -Taxa (40 * $_) -Width 512 -Height 512 -Seed (60 + $_) } |
                        Find-BraggSpot | Get-Lattice -Planar | Invoke-LatticeExtract | Invoke-PeakIntegration | Measure-LatticeTilt -UnitCell 62, 74, 103 -WarningAction SilentlyContinue |
                        Merge-LatticeLine -UnitCell 62, 74, 103 -PlaneGroup p2 -Path (Join-Path $args[0] 'merged.mtz') -CurvePath (Join-Path $args[0] 'curves.csv')
                    (Import-ReflectionTable (Join-Path $args[0] 'merged.mtz')).Count", dir);
                var merged = (Merging.LatticeLineMergeResult)result[0].BaseObject;
                Assert.Equal(4, merged.Scales.Length);
                // (Four patterns are too few for good scales; the core test checks them on twenty.)
                Assert.All(merged.Scales, s => Assert.True(s > 0));
                Assert.True(merged.Curves.Count > 100 && merged.Reflections.Count > 100, $"{merged.Curves.Count} lines, {merged.Reflections.Count} reflections");
                Assert.Equal(merged.Reflections.Count, (int)result[1].BaseObject);
                Assert.StartsWith("H,K,ZSTAR,I,SIGI,NOBS", File.ReadAllText(Path.Combine(dir, "curves.csv")));
                _e.Invoke("New-SimulatedImage -Width 256 -Height 256 | Find-BraggSpot | Get-Lattice -Planar | Invoke-LatticeExtract | Merge-LatticeLine -UnitCell 62, 74, 103", out var errors);
                Assert.Contains(errors, x => x.FullyQualifiedErrorId.StartsWith("NoZStar,", StringComparison.Ordinal));
                Assert.Contains(errors, x => x.FullyQualifiedErrorId.StartsWith("InvalidMergeInput,", StringComparison.Ordinal));
                // A plane group whose lattice the cell is not is refused with the reason.
                var tables = _e.InvokeOk(@"
                    0..2 | ForEach-Object { New-SimulatedImage -PlanarCell 62, 74, 103 -TiltAngle (12 + 10 * $_) -TiltAxis (20 * $_) -Width 384 -Height 384 -Seed (70 + $_) } |
                        Find-BraggSpot | Get-Lattice -Planar | Invoke-LatticeExtract | Invoke-PeakIntegration | Measure-LatticeTilt -UnitCell 62, 74, 103 -WarningAction SilentlyContinue");
                _e.Invoke("$args[0] | Merge-LatticeLine -UnitCell 62, 74, 103 -PlaneGroup p222", out var rectangular, tables);
                Assert.Contains(rectangular, x => x.FullyQualifiedErrorId.StartsWith("InvalidMergeInput,", StringComparison.Ordinal) && x.Exception.Message.Contains("rectangular cell"));
                _e.Invoke("$args[0] | Merge-LatticeLine -UnitCell 70, 71, 120 -PlaneGroup P3", out var trigonal, tables);
                Assert.Contains(trigonal, x => x.Exception.Message.Contains("hexagonal cell"));
                _e.Invoke("New-SimulatedImage -PlanarCell 62, 74, 103 -PlaneGroup p4 -TiltAngle 10", out var simulation);
                Assert.Contains(simulation, x => x.FullyQualifiedErrorId.StartsWith("InvalidSimulationSettings,", StringComparison.Ordinal) && x.Exception.Message.Contains("square cell"));
            }
            finally { Directory.Delete(dir, true); }
        }

        private static XmlDocument Xml(string path) { var d = new XmlDocument(); d.Load(path); return d; }
    }
}
