using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using XtalPS.Formats;
using XtalPS.Geometry;
using XtalPS.Imaging;
using Xunit;

namespace XtalPS.Module.Tests
{
    [Collection(EngineCollection.Name)]
    public class GeometryCmdletTests
    {
        private readonly EngineFixture _e;
        public GeometryCmdletTests(EngineFixture e) { _e = e; }

        private static string TempDir() => Directory.CreateTempSubdirectory("xtalps_geomod_").FullName;

        [Fact]
        public void Import_with_wildcards_reads_every_format_in_the_psgeom_folder()
        {
            var models = _e.InvokeOk("Import-DetectorModel -Path (Join-Path $args[0] 'real/geometry/psgeom_cspad/*.geom'), (Join-Path $args[0] 'real/geometry/psgeom_cspad/*.json'), (Join-Path $args[0] 'real/geometry/psgeom_cspad/*.data') -WarningAction SilentlyContinue", _e.SharedData)
                .Select(o => (DetectorModel)o.BaseObject).ToArray();
            // refgeom_crystfel.geom, refgeom_dials.json, refgeom_dials2.json, refgeom_psana.data
            Assert.Equal(new[] { 64, 64, 8, 64 }, models.Select(m => m.PanelCount).ToArray());
            Assert.Equal(new[] { "refgeom_crystfel", "AXIS_D0_R", "", "CSPAD" }, models.Select(m => m.Name).ToArray());
            // The same file twice and a non-geometry file: one error, stable id.
            _e.Invoke("Import-DetectorModel -Path (Join-Path $args[0] 'real/geometry/psgeom_cspad/refgeom_text.txt')", out var errors, _e.SharedData);
            Assert.Equal("InvalidImageData,XtalPS.Commands.ImportDetectorModelCommand", Assert.Single(errors).FullyQualifiedErrorId);
        }

        [Fact]
        public void IncludeBeam_emits_ExperimentGeometry_and_warnings_are_warnings()
        {
            var g = (ExperimentGeometry)Assert.Single(_e.InvokeOk("Import-DetectorModel -LiteralPath $args[0] -IncludeBeam", _e.Shared("sim/cspad/cspad_00000_truth.expt"))).BaseObject;
            Assert.Equal(1.3, g.Beam!.Wavelength, 12);
            Assert.Single(g.Crystals);
            var warnings = _e.InvokeOk("Import-DetectorModel $args[0] 3>&1 | Where-Object { $_ -is [System.Management.Automation.WarningRecord] } | ForEach-Object Message",
                _e.Shared("real/geometry/psgeom_cspad/refgeom_crystfel.geom"));
            Assert.Contains(warnings, w => w.ToString()!.Contains("clen"));
            var d = (DetectorModel)Assert.Single(_e.InvokeOk("Import-DetectorModel $args[0] -Distance 250 -WarningAction SilentlyContinue", _e.Shared("real/geometry/psgeom_cspad/refgeom_crystfel.geom"))).BaseObject;
            Assert.Equal(-(250 + 567.409), d.Panels[0].Origin.Z, 6); // clen from -Distance, plus the file's coffset 0.567409 m
        }

        [Fact]
        public void Bad_and_missing_files_are_non_terminating_errors()
        {
            var dir = TempDir();
            try
            {
                var bad = Path.Combine(dir, "a_bad.expt");
                File.WriteAllText(bad, File.ReadAllText(_e.Shared("sim/cspad/cspad_true_detector.json")).Substring(0, 3000));
                var good = Path.Combine(dir, "b_good.geom");
                File.Copy(_e.Shared("real/crystfel/geom/simple.geom"), good);
                var result = _e.Invoke("Import-DetectorModel -Path $args[0], $args[1], $args[2]", out var errors, bad, Path.Combine(dir, "c_missing.expt"), good);
                Assert.Equal(2, ((DetectorModel)Assert.Single(result).BaseObject).PanelCount);
                Assert.Equal(2, errors.Length);
                Assert.Equal("InvalidImageData,XtalPS.Commands.ImportDetectorModelCommand", errors[0].FullyQualifiedErrorId);
                Assert.Equal(bad, errors[0].TargetObject);
                Assert.Equal("FileNotFound,XtalPS.Commands.ImportDetectorModelCommand", errors[1].FullyQualifiedErrorId);
            }
            finally { Directory.Delete(dir, true); }
        }

        [Fact]
        public void Export_then_Import_round_trips_through_the_pipeline_within_1e9_mm()
        {
            var dir = TempDir();
            try
            {
                var expt = Path.Combine(dir, "cspad.expt");
                var geom = Path.Combine(dir, "cspad.geom");
                var files = _e.InvokeOk(@"
                    $g = Import-DetectorModel -LiteralPath $args[0] -IncludeBeam
                    $g | Export-DetectorModel -Path $args[1] -PassThru
                    $g | Export-DetectorModel -Path $args[2] -PassThru", _e.Shared("sim/cspad/cspad_00000_truth.expt"), expt, geom);
                Assert.Equal(2, files.Count);
                var original = (ExperimentGeometry)_e.InvokeOk("Import-DetectorModel -LiteralPath $args[0] -IncludeBeam", _e.Shared("sim/cspad/cspad_00000_truth.expt"))[0].BaseObject;
                foreach (var f in new[] { expt, geom })
                {
                    var back = (ExperimentGeometry)Assert.Single(_e.InvokeOk("Import-DetectorModel -LiteralPath $args[0] -IncludeBeam", f)).BaseObject;
                    Assert.Equal(64, back.Detector.PanelCount);
                    for (int i = 0; i < 64; i++)
                        Assert.True((back.Detector[i].Origin - original.Detector[i].Origin).Length < 1e-9, $"{f} panel {i}");
                    Assert.Equal(1.3, back.Beam!.Wavelength, 9);
                }
                // Existing file without -Force: error, file untouched; with -Force: rewritten.
                var before = File.ReadAllText(expt);
                _e.Invoke("Import-DetectorModel $args[0] | Export-DetectorModel -Path $args[1]", out var errors, _e.Shared("real/crystfel/geom/simple.geom"), expt);
                Assert.Equal("FileExists,XtalPS.Commands.ExportDetectorModelCommand", Assert.Single(errors).FullyQualifiedErrorId);
                Assert.Equal(before, File.ReadAllText(expt));
                _e.InvokeOk("Import-DetectorModel $args[0] | Export-DetectorModel -Path $args[1] -Force", _e.Shared("real/crystfel/geom/simple.geom"), expt);
                Assert.NotEqual(before, File.ReadAllText(expt));
                Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
            }
            finally { Directory.Delete(dir, true); }
        }

        [Fact]
        public void Export_WhatIf_writes_nothing_and_images_export_their_geometry()
        {
            var dir = TempDir();
            try
            {
                var target = Path.Combine(dir, "x.geom");
                _e.InvokeOk("Import-DetectorModel $args[0] | Export-DetectorModel -Path $args[1] -WhatIf", _e.Shared("sim/cspad/cspad_true_detector.json"), target);
                Assert.False(File.Exists(target));
                Assert.Empty(Directory.GetFiles(dir));
                var fromImage = Path.Combine(dir, "image.expt");
                _e.InvokeOk("New-SimulatedImage -Width 64 -Height 64 | Export-DetectorModel -Path $args[0]", fromImage);
                var g = (ExperimentGeometry)_e.InvokeOk("Import-DetectorModel $args[0] -IncludeBeam", fromImage)[0].BaseObject;
                Assert.Equal(64, g.Detector[0].Width);
                Assert.NotNull(g.Beam);
                var two = _e.Invoke("Import-DetectorModel $args[0], $args[0] | Export-DetectorModel -Path $args[1]", out var errors, fromImage, Path.Combine(dir, "same.expt"));
                Assert.Equal("PathCollision,XtalPS.Commands.ExportDetectorModelCommand", Assert.Single(errors).FullyQualifiedErrorId);
            }
            finally { Directory.Delete(dir, true); }
        }

        [Fact]
        public void Add_ImageMask_masks_the_predicted_pixel_counts_through_the_pipeline()
        {
            // 128×128 simulated image: a 10×20 rectangle on panel 0 plus a circle of radius 5 centred on a pixel corner
            // (pixel centres at half-integer offsets within 5 px: 80) that does not touch the rectangle.
            var stats = _e.InvokeOk("New-SimulatedImage -Width 128 -Height 128 | Add-ImageMask -Rectangle 10,10,20,30 -Circle 80,80,5 -Panel 0 | Measure-DiffractionImage")
                .Select(o => (PanelStatistics)o.BaseObject).ToArray();
            long circle = 0;
            for (int j = 0; j < 128; j++) for (int i = 0; i < 128; i++) { double dx = i + 0.5 - 80, dy = j + 0.5 - 80; if (dx * dx + dy * dy <= 25) circle++; }
            Assert.Equal(80, circle);
            Assert.Equal(10 * 20 + circle, Assert.Single(stats).MaskedCount);
            var two = _e.InvokeOk("New-SimulatedImage -Width 64 -Height 64 | Add-ImageMask -Rectangle (0,0,2,2),(10,10,12,13) | Measure-DiffractionImage");
            Assert.Equal(4 + 6, ((PanelStatistics)two[0].BaseObject).MaskedCount);
            // The input image is not changed.
            var result = _e.InvokeOk("$i = New-SimulatedImage -Width 64 -Height 64; $m = $i | Add-ImageMask -Rectangle 0,0,8,8; $i.PanelImages[0].MaskedCount; $m.PanelImages[0].MaskedCount; [object]::ReferenceEquals($i.PanelImages[0].Pixels, $m.PanelImages[0].Pixels)");
            Assert.Equal(new object[] { 0, 64, true }, result.Select(o => o.BaseObject).ToArray());
        }

        [Fact]
        public void Add_ImageMask_resolution_and_errors()
        {
            var n = _e.InvokeOk("New-SimulatedImage -Width 256 -Height 256 | Add-ImageMask -Resolution 0,1e9 | Measure-DiffractionImage");
            Assert.Equal(256 * 256, ((PanelStatistics)n[0].BaseObject).MaskedCount);
            _e.Invoke("New-SimulatedImage -Width 64 -Height 64 | Add-ImageMask -Rectangle 1,2,3", out var errors);
            Assert.Equal("InvalidMaskShape,XtalPS.Commands.AddImageMaskCommand", Assert.Single(errors).FullyQualifiedErrorId);
            var ok = _e.Invoke("New-SimulatedImage -Width 64 -Height 64 -Count 2 | Add-ImageMask -Rectangle 0,0,1,1 -Panel 3", out errors);
            Assert.Empty(ok);
            Assert.Equal(2, errors.Length);
            Assert.All(errors, e => Assert.Equal("PanelOutOfRange,XtalPS.Commands.AddImageMaskCommand", e.FullyQualifiedErrorId));
            _e.Invoke("New-SimulatedImage -Width 64 -Height 64 | Add-ImageMask", out errors);
            Assert.Equal("NoMaskGiven,XtalPS.Commands.AddImageMaskCommand", Assert.Single(errors).FullyQualifiedErrorId);
        }

        [Fact]
        public void Add_ImageMask_MaskFile_masks_the_zero_pixels()
        {
            var dir = TempDir();
            try
            {
                var usable = Enumerable.Repeat(1f, 64 * 64).ToArray();
                for (int i = 0; i < 37; i++) usable[i * 97 % usable.Length] = 0;
                var maskImage = new DiffractionImage("", 0, "Test", DetectorModel.SinglePanel("M", 64, 64, 0.172, 100, 32, 32), new Beam(1),
                    new[] { new PanelImage(0, 64, 64, usable) });
                var file = Path.Combine(dir, "mask.cbf");
                XtalPS.Formats.MiniCbfWriter.Write(maskImage, file);
                var stats = _e.InvokeOk("New-SimulatedImage -Width 64 -Height 64 | Add-ImageMask -MaskFile $args[0] | Measure-DiffractionImage", file);
                Assert.Equal(37, ((PanelStatistics)stats[0].BaseObject).MaskedCount);
                _e.Invoke("New-SimulatedImage -Width 32 -Height 32 | Add-ImageMask -MaskFile $args[0]", out var errors, file);
                Assert.Equal("MaskSizeMismatch,XtalPS.Commands.AddImageMaskCommand", Assert.Single(errors).FullyQualifiedErrorId);
            }
            finally { Directory.Delete(dir, true); }
        }

        [Fact]
        public void Table_views_render_for_detector_and_experiment_geometry()
        {
            var text = _e.Render($"Import-DetectorModel -LiteralPath '{_e.Shared("sim/cspad/cspad_00000_truth.expt")}' -IncludeBeam");
            Assert.Contains("Format", text);
            Assert.Contains("cspad_00000_truth.expt", text);
            Assert.Contains("DIALS", text);
            Assert.Contains("1.3", text);
            var d = _e.Render($"Import-DetectorModel -LiteralPath '{_e.Shared("sim/cspad/cspad_true_detector.json")}'");
            Assert.Contains("Levels", d);
            Assert.Contains("64", d);
        }
    }
}
