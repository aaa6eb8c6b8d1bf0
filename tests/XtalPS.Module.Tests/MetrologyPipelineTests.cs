using System;
using System.IO;
using System.Linq;
using XtalPS.Geometry;
using XtalPS.Lattices;
using XtalPS.Metrology;
using Xunit;

namespace XtalPS.Module.Tests
{
    /// <summary>The whole metrology workflow a user runs: spots → lattices on the nominal CSPAD geometry →
    /// Update-DetectorMetrology → index held-out stills with the refined detector.</summary>
    [Collection(EngineCollection.Name)]
    public class MetrologyPipelineTests
    {
        private readonly EngineFixture _e;
        private readonly Xunit.Abstractions.ITestOutputHelper _out;
        public MetrologyPipelineTests(EngineFixture e, Xunit.Abstractions.ITestOutputHelper output) { _e = e; _out = output; }

        /// <summary>
        /// Panel-centre (px) and in-plane rotation (°) RMS differences after removing the best rotation and shift about the
        /// beam fitted to the centres (the global rotation is not observable), as ../shared/tools/metrology_peer.py scores them.
        /// </summary>
        private static (double Centre, double Rotation) Score(DetectorModel a, DetectorModel b)
        {
            int n = a.PanelCount;
            var pa = a.Panels.Select(p => p.Centre).ToArray(); var pb = b.Panels.Select(p => p.Centre).ToArray();
            double cax = pa.Average(p => p.X), cay = pa.Average(p => p.Y), cbx = pb.Average(p => p.X), cby = pb.Average(p => p.Y);
            double sxx = 0, sxy = 0;
            for (int i = 0; i < n; i++)
            {
                double ax = pa[i].X - cax, ay = pa[i].Y - cay, bx = pb[i].X - cbx, by = pb[i].Y - cby;
                sxx += ax * bx + ay * by; sxy += ax * by - ay * bx;
            }
            double t = Math.Atan2(sxy, sxx), c = Math.Cos(t), s = Math.Sin(t), sum = 0, rot = 0;
            for (int i = 0; i < n; i++)
            {
                double ax = pa[i].X - cax, ay = pa[i].Y - cay;
                double dx = c * ax - s * ay + cbx - pb[i].X, dy = s * ax + c * ay + cby - pb[i].Y;
                sum += dx * dx + dy * dy;
                double d = Math.IEEERemainder(Math.Atan2(b.Panels[i].FastAxis.Y, b.Panels[i].FastAxis.X) - Math.Atan2(a.Panels[i].FastAxis.Y, a.Panels[i].FastAxis.X) - t, 2 * Math.PI);
                rot += d * d;
            }
            return (Math.Sqrt(sum / n) / a.Panels[0].PixelSize, Math.Sqrt(rot / n) * 180 / Math.PI);
        }

        /// <summary>
        /// The headline check, on data our code did not make: the 8 shared simulated CSPAD stills (../shared/tools/simulate_stills.py,
        /// a per-pixel forward model; nominal geometry in the CBF headers, every ASIC truly moved 0.2–2 px and turned ≤ 0.5°),
        /// through our own spot finder and indexer with defaults, no truth anywhere but the score. Measured: panel centres
        /// 1.76 → 0.13 px RMS, rotations 0.33 → 0.10° (after removing the global rotation and shift); the thresholds leave
        /// room for that and no more: 8 stills (about 40 reflections per ASIC) support 0.2 px and 0.13°, not the 0.05 px
        /// that 20 stills approach. The lattices are made pixel-free first, as integration hands them on.
        /// </summary>
        [Fact]
        public void Spot_finder_lattices_of_the_8_shared_stills_recover_the_true_panels_with_defaults()
        {
            var folder = _e.Shared("sim/cspad");
            var output = _e.InvokeOk(@"
                $cell = 79.1, 79.1, 37.9, 90, 90, 90
                $lattices = Get-ChildItem $args[0] -Filter 'cspad_0*.cbf' | Sort-Object Name | ForEach-Object FullName |
                    Import-DiffractionImage | Find-BraggSpot | Get-Lattice -UnitCell $cell -SpaceGroup P43212 | ForEach-Object { $_.WithoutPixels() }
                $lattices | Update-DetectorMetrology -HierarchyLevel 3 -PassThru -WarningVariable w -WarningAction SilentlyContinue
                $global:metrologyWarnings = $w", folder);
            var result = output.Select(o => o.BaseObject).OfType<MetrologyResult>().Single();
            var passed = output.Select(o => o.BaseObject).OfType<CrystalLattice>().ToArray();
            var truth = (DetectorModel)_e.InvokeOk("Import-DetectorModel -Path $args[0]", Path.Combine(folder, "cspad_true_detector.json")).Single().BaseObject;
            var before = Score(result.InitialDetector, truth);
            var after = Score(result.Detector, truth);
            _out.WriteLine($"panel centres {before.Centre:0.###} → {after.Centre:0.###} px RMS, rotations {before.Rotation:0.###} → {after.Rotation:0.###}°");
            _out.WriteLine(string.Join(Environment.NewLine, result.OutOfPlaneFixed.Take(4)));
            Assert.Equal(8, passed.Length);
            Assert.True(result.Complete, result.StopReason);
            Assert.True(before.Centre > 1.5 && before.Rotation > 0.3);
            Assert.True(after.Centre < 0.2, $"panel centres {after.Centre} px RMS");
            Assert.True(after.Rotation < 0.13, $"rotations {after.Rotation}° RMS");
            // Δψ RMSD on the lattices passed on, and one report row per panel with its reflections.
            Assert.All(passed, p => Assert.True(p.DeltaPsiRms > 0 && p.DeltaPsiRms < 0.02, $"{p.DeltaPsiRms}"));
            Assert.Equal(64, result.Panels.Count);
            Assert.True(result.Panels.Sum(p => p.Reflections) > 2000);
            Assert.True(result.Panels.Average(p => p.RmsdAfter) < 0.6 * result.Panels.Average(p => p.RmsdBefore));
        }

        [Fact]
        public void Lattices_on_the_same_layout_but_another_geometry_are_refused_as_DetectorMismatch()
        {
            var folder = _e.Shared("sim/cspad");
            _e.Invoke(@"
                $folder = $args[0]
                $cell = 79.1, 79.1, 37.9, 90, 90, 90
                $trueDetector = Import-DetectorModel -Path (Join-Path $folder 'cspad_true_detector.json')
                $a = 0, 1 | ForEach-Object { Join-Path $folder ('cspad_{0:D5}.cbf' -f $_) } | Import-DiffractionImage | Find-BraggSpot | Get-Lattice -UnitCell $cell -SpaceGroup P43212
                $moved = Join-Path $folder 'cspad_00002.cbf' | Import-DiffractionImage -Detector $trueDetector
                $other = [XtalPS.Lattices.CrystalLattice]::new($a[1].AMatrix, 'P 43 21 2', $moved, $null, $a[1].IndexedSpots)
                @($a[0], $other, $a[1]) | Update-DetectorMetrology -HierarchyLevel 0", out var errors, folder);
            Assert.Equal("DetectorMismatch", Assert.Single(errors).FullyQualifiedErrorId.Split(',')[0]);
            Assert.Contains("another geometry", errors[0].Exception.Message);
        }

        [Fact]
        public void Refined_geometry_indexes_held_out_stills_with_lower_RMSD()
        {
            var folder = _e.Shared("sim/cspad");
            var result = _e.InvokeOk(@"
                $folder = $args[0]
                $cell = 79.1, 79.1, 37.9, 90, 90, 90
                $train = 0..5 | ForEach-Object { Join-Path $folder ('cspad_{0:D5}.cbf' -f $_) }
                $test = 6, 7 | ForEach-Object { Join-Path $folder ('cspad_{0:D5}.cbf' -f $_) }
                $metrology = $train | Import-DiffractionImage | Find-BraggSpot | Get-Lattice -UnitCell $cell -SpaceGroup P43212 | Update-DetectorMetrology
                $metrology
                $test | Import-DiffractionImage | Find-BraggSpot | Get-Lattice -UnitCell $cell -SpaceGroup P43212
                $test | Import-DiffractionImage -Detector $metrology.Detector | Find-BraggSpot | Get-Lattice -UnitCell $cell -SpaceGroup P43212", folder);
            var metrology = (MetrologyResult)result[0].BaseObject;
            Assert.True(metrology.RmsdXAfter < 0.5 * metrology.RmsdXBefore, $"{metrology.RmsdXBefore} → {metrology.RmsdXAfter}");
            var nominal = result.Skip(1).Take(2).Select(o => (CrystalLattice)o.BaseObject).ToArray();
            var refined = result.Skip(3).Take(2).Select(o => (CrystalLattice)o.BaseObject).ToArray();
            for (int i = 0; i < 2; i++)
            {
                Assert.True(refined[i].Rmsd < 0.6 * nominal[i].Rmsd, $"still {6 + i}: nominal {nominal[i].Rmsd:0.###} px, refined {refined[i].Rmsd:0.###} px");
                Assert.True(refined[i].IndexedCount >= 0.95 * nominal[i].IndexedCount);
            }
        }
    }
}
