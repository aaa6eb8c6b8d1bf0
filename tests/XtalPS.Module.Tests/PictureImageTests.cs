using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using SkiaSharp;
using XtalPS.Geometry;
using XtalPS.Imaging;
using XtalPS.Pictures;
using XtalPS.Spots;
using Xunit;

namespace XtalPS.Module.Tests
{
    /// <summary>
    /// Export-DiffractionPicture read back pixel by pixel: markers where the spots are on an assembled CSPAD, rings at
    /// their radii, the scalings' treatment of negative and masked pixels, and the cmdlet's manners.
    /// </summary>
    [Collection(EngineCollection.Name)]
    public class PictureImageTests
    {
        private readonly EngineFixture _e;
        public PictureImageTests(EngineFixture e) { _e = e; }

        private static readonly SKColor SpotRed = SKColor.Parse("#E6194B");
        private static readonly SKColor RingOrange = SKColor.Parse("#E67E22");

        private DiffractionImage Cspad() =>
            (DiffractionImage)_e.InvokeOk("Import-DiffractionImage -LiteralPath $args[0]", _e.Shared("sim/cspad/cspad_00000.cbf")).Single().BaseObject;

        /// <summary>Picture coordinates (mm) of a panel pixel, derived here from the geometry alone: the central projection
        /// onto the plane perpendicular to the beam (along −z) at the mean distance of the panel centres.</summary>
        private static (double U, double V) Project(DetectorModel detector, int panel, double x, double y)
        {
            double distance = detector.Panels.Average(p => -p.Centre.Z);
            var lab = detector.Panels[panel].PixelToLab(x, y);
            return (distance * lab.X / -lab.Z, distance * lab.Y / -lab.Z);
        }

        [Fact]
        public void Spot_markers_land_within_a_pixel_of_the_known_spots_on_an_assembled_CSPAD()
        {
            var image = Cspad();
            Assert.Equal(64, image.PanelCount);
            Assert.Equal(new Vec3(0, 0, 1), image.Beam.Direction);
            // The simulator's true centroids of the reflections: known spots, in each ASIC's own pixels.
            using var truth = JsonDocument.Parse(File.ReadAllText(_e.Shared("sim/cspad/cspad_00000.json")));
            var r = truth.RootElement.GetProperty("reflections");
            double[] Col(string name) => r.GetProperty(name).EnumerateArray().Select(v => v.GetDouble()).ToArray();
            var panel = Col("panel"); var x = Col("xcal_px"); var y = Col("ycal_px"); var signal = Col("signal_photons");
            var onArea = r.GetProperty("on_active_area").EnumerateArray().Select(v => v.GetBoolean()).ToArray();
            var spots = Enumerable.Range(0, panel.Length).Where(i => onArea[i] && signal[i] > 0)
                .Select(i => new BraggSpot((int)panel[i], x[i], y[i], 0.1, 0.1, signal[i], signal[i], 5, (int)x[i] - 1, (int)x[i] + 1, (int)y[i] - 1, (int)y[i] + 1, 0))
                .ToArray();
            Assert.True(spots.Length > 100, $"only {spots.Length} spots on the active area");
            var list = new SpotList(image, spots);

            string folder = PictureTestKit.TempFolder();
            string path = Path.Combine(folder, "cspad.png");
            _e.InvokeOk("$args[0] | Export-DiffractionPicture -Path $args[1] -NoAxes -Width 1000 -Height 1000 -Region -100,-100,100,100 -Hide ResolutionRings, BeamCentre, Mask, BadRegions",
                list, path);
            using var bitmap = PictureTestKit.Load(path);
            Assert.Equal(1000, bitmap.Width);
            Assert.Equal(1000, bitmap.Height);

            // 200 mm over 1000 px: 0.2 mm per picture pixel, the beam at the centre.
            var expected = spots.Select(s => { var (u, v) = Project(image.Detector, s.Panel, s.X, s.Y); return ((u + 100) / 0.2, (100 - v) / 0.2); }).ToArray();
            int checkedSpots = 0;
            for (int i = 0; i < expected.Length; i++)
            {
                var (ex, ey) = expected[i];
                if (ex < 15 || ey < 15 || ex > 985 || ey > 985) continue;
                // Only markers alone in their window: a neighbour's ring would pull the centroid.
                if (expected.Where((p, k) => k != i && Math.Abs(p.Item1 - ex) < 16 && Math.Abs(p.Item2 - ey) < 16).Any()) continue;
                var (cx, cy, n) = PictureTestKit.Centroid(bitmap, ex, ey, 8, PictureTestKit.Near(SpotRed, 70));
                Assert.True(n >= 8, $"no marker near spot {i} at ({ex:0.0}, {ey:0.0}) px");
                Assert.True(Math.Abs(cx - ex) <= 1 && Math.Abs(cy - ey) <= 1,
                    $"spot {i} on panel {spots[i].Panel}: marker centred at ({cx:0.00}, {cy:0.00}) px, spot at ({ex:0.00}, {ey:0.00}) px");
                checkedSpots++;
            }
            Assert.True(checkedSpots >= 50, $"only {checkedSpots} isolated spots were checked");
        }

        [Fact]
        public void Resolution_rings_are_drawn_at_D_tan_two_theta_around_the_beam()
        {
            var image = Cspad();
            string path = Path.Combine(PictureTestKit.TempFolder(), "rings.png");
            _e.InvokeOk("$args[0] | Export-DiffractionPicture -Path $args[1] -NoAxes -Width 1000 -Height 1000 -Region -100,-100,100,100 -ResolutionRing 4, 2.5 -Hide BeamCentre, Mask, BadRegions",
                image, path);
            using var bitmap = PictureTestKit.Load(path);
            double distance = image.Detector.Panels.Average(p => -p.Centre.Z);
            var isRing = PictureTestKit.Near(RingOrange, 50);
            foreach (double d in new[] { 4.0, 2.5 })
            {
                double twoTheta = 2 * Math.Asin(image.Wavelength / (2 * d));
                double expected = distance * Math.Tan(twoTheta) / 0.2;
                var radii = new List<double>();
                for (int j = 0; j < bitmap.Height; j++)
                    for (int i = 0; i < bitmap.Width; i++)
                    {
                        double dx = i + 0.5 - 500, dy = 500 - (j + 0.5);
                        double rr = Math.Sqrt(dx * dx + dy * dy);
                        if (Math.Abs(rr - expected) > 6) continue;
                        double angle = Math.Atan2(dy, dx) * 180 / Math.PI;
                        if (angle > 25 && angle < 65) continue; // the ring's label
                        if (isRing(bitmap.GetPixel(i, j))) radii.Add(rr);
                    }
                Assert.True(radii.Count > 200, $"the {d} Å ring left only {radii.Count} pixels near radius {expected:0.0} px");
                radii.Sort();
                double median = radii[radii.Count / 2];
                Assert.True(Math.Abs(median - expected) <= 1, $"the {d} Å ring lies at {median:0.00} px; D·tan 2θ gives {expected:0.00} px");
            }
        }

        /// <summary>A 64×64 panel with 0.1 mm pixels at 100 mm, seen one picture pixel per detector pixel.</summary>
        private static DiffractionImage Ramp(out float[] pixels, out byte[] mask)
        {
            pixels = new float[64 * 64];
            mask = new byte[64 * 64];
            for (int j = 0; j < 64; j++)
                for (int i = 0; i < 64; i++)
                {
                    int k = j * 64 + i;
                    pixels[k] = j < 4 ? -50 : i * j;       // negative rows at the top
                    mask[k] = 1;
                    if (i >= 40 && i < 50 && j >= 10 && j < 20) { pixels[k] = 1e9f; mask[k] = 0; } // a hot masked block
                }
            pixels[30 * 64 + 5] = float.NaN; // a "valid" NaN is shown as masked
            var detector = DetectorModel.SinglePanel("ramp", 64, 64, 0.1, 100, 32, 32);
            return new DiffractionImage("", 0, "Test", detector, new Beam(1.0), new[] { new PanelImage(0, 64, 64, pixels, mask) });
        }

        private SKBitmap Draw(DiffractionImage image, string arguments)
        {
            string path = Path.Combine(PictureTestKit.TempFolder(), "ramp.png");
            _e.InvokeOk("$args[0] | Export-DiffractionPicture -Path $args[1] -NoAxes -Width 64 -Height 64 -Region -3.2,-3.2,3.2,3.2 " + arguments, image, path);
            return PictureTestKit.Load(path);
        }

        [Fact]
        public void Log_scaling_maps_negative_pixels_to_zero_and_masked_pixels_to_the_mask_colour_without_letting_them_set_the_scale()
        {
            var image = Ramp(out var pixels, out _);
            using var bitmap = Draw(image, "-Scaling Log -ColourMap Grey -Hide ResolutionRings, BeamCentre");
            double top = Math.Log(1 + 63.0 * 63.0); // the largest valid pixel, 3969 counts; the masked 1e9 must not count
            for (int j = 0; j < 64; j++)
                for (int i = 0; i < 64; i++)
                {
                    var c = bitmap.GetPixel(i, j);
                    float v = pixels[j * 64 + i];
                    bool masked = (i >= 40 && i < 50 && j >= 10 && j < 20) || float.IsNaN(v);
                    if (masked)
                    {
                        Assert.True(c.Red == 120 && c.Green == 160 && c.Blue == 220, $"masked pixel ({i}, {j}) is {c}");
                        continue;
                    }
                    int expected = v <= 0 ? 0 : (int)(Math.Min(1, Math.Log(1 + v) / top) * 255 + 0.5);
                    Assert.True(c.Red == c.Green && c.Green == c.Blue, $"pixel ({i}, {j}) is not grey: {c}");
                    Assert.True(Math.Abs(c.Red - expected) <= 1, $"pixel ({i}, {j}) = {v}: grey {c.Red}, log scaling gives {expected}");
                }
            Assert.Equal(255, bitmap.GetPixel(63, 63).Red);
            Assert.Equal(0, bitmap.GetPixel(10, 2).Red);
        }

        [Fact]
        public void Without_the_mask_overlay_masked_pixels_take_the_zero_colour_and_inverted_maps_zero_to_white()
        {
            var image = Ramp(out _, out _);
            using var bitmap = Draw(image, "-Scaling Log -Hide Mask, ResolutionRings, BeamCentre");
            Assert.Equal(new SKColor(255, 255, 255), bitmap.GetPixel(45, 15)); // masked, shown as zero counts
            Assert.Equal(new SKColor(255, 255, 255), bitmap.GetPixel(10, 2));  // negative
            Assert.Equal(new SKColor(0, 0, 0), bitmap.GetPixel(63, 63));        // the largest value, black on white
        }

        [Fact]
        public void Linear_and_equalised_scalings_rise_with_the_counts_and_ignore_the_hot_masked_block()
        {
            var image = Ramp(out var pixels, out _);
            foreach (var scaling in new[] { "Linear", "Equalised" })
            {
                using var bitmap = Draw(image, "-ColourMap Grey -Hide ResolutionRings, BeamCentre -Scaling " + scaling);
                // Along the diagonal the counts rise (i·i): so must the grey levels, and the top must reach white.
                int previous = -1;
                for (int i = 4; i < 64; i++)
                {
                    if (i >= 10 && i < 20) continue;
                    int grey = bitmap.GetPixel(i, i).Red;
                    Assert.True(grey >= previous, $"{scaling}: pixel ({i}, {i}) grey {grey} < {previous}");
                    previous = grey;
                }
                Assert.Equal(0, bitmap.GetPixel(10, 2).Red);
                Assert.True(bitmap.GetPixel(5, 5).Red < 128, $"{scaling}: a low pixel is already {bitmap.GetPixel(5, 5).Red}");
                if (scaling == "Equalised") { Assert.Equal(255, bitmap.GetPixel(63, 63).Red); continue; }
                // Linear: 1 at the median plus 20 robust σ (half the 15.9–84.1 % range) of the valid pixels; the
                // masked block of 1e9 is not among them.
                var valid = Enumerable.Range(0, 64 * 64).Where(k => !(k % 64 >= 40 && k % 64 < 50 && k / 64 >= 10 && k / 64 < 20) && !float.IsNaN(pixels[k]))
                    .Select(k => (double)pixels[k]).OrderBy(v => v).ToArray();
                double Q(double q) { double at = q * (valid.Length - 1); int lo = (int)at; return valid[lo] + (at - lo) * (valid[Math.Min(lo + 1, valid.Length - 1)] - valid[lo]); }
                double high = Q(0.5) + 20 * 0.5 * (Q(0.841) - Q(0.159));
                foreach (var (i, j) in new[] { (63, 63), (30, 30), (8, 8) })
                {
                    int expected = (int)(Math.Min(1, pixels[j * 64 + i] / high) * 255 + 0.5);
                    Assert.True(Math.Abs(bitmap.GetPixel(i, j).Red - expected) <= 1, $"Linear: pixel ({i}, {j}) grey {bitmap.GetPixel(i, j).Red}, expected {expected}");
                }
            }
        }

        [Fact]
        public void Several_images_go_to_one_picture_each_named_by_the_pattern_and_plain_names_collide()
        {
            string folder = PictureTestKit.TempFolder();
            var written = _e.InvokeOk("New-SimulatedImage -Width 256 -Height 256 -Count 3 -Seed 7 | Find-BraggSpot | Export-DiffractionPicture -Path (Join-Path $args[0] 'frame_{0:D2}.png') -Width 400 -PassThru", folder);
            Assert.Equal(3, written.Count);
            Assert.All(new[] { "frame_00.png", "frame_01.png", "frame_02.png" }, n => Assert.True(File.Exists(Path.Combine(folder, n)), n));
            _e.Invoke("New-SimulatedImage -Width 256 -Height 256 -Count 2 -Seed 7 | Export-DiffractionPicture -Path (Join-Path $args[0] 'one.png') -Width 400", out var errors, folder);
            Assert.Equal("PathCollision", Assert.Single(errors).FullyQualifiedErrorId.Split(',')[0]);
            Assert.True(File.Exists(Path.Combine(folder, "one.png")));
            _e.Invoke("New-SimulatedImage -Width 256 -Height 256 -Seed 7 | Export-DiffractionPicture -Path (Join-Path $args[0] 'one.png') -Width 400", out errors, folder);
            Assert.Equal("FileExists", Assert.Single(errors).FullyQualifiedErrorId.Split(',')[0]);
            _e.InvokeOk("New-SimulatedImage -Width 256 -Height 256 -Seed 7 | Export-DiffractionPicture -Path (Join-Path $args[0] 'whatif.png') -WhatIf", folder);
            Assert.False(File.Exists(Path.Combine(folder, "whatif.png")));
        }

        [Fact]
        public void Spot_lists_lattices_and_tables_of_one_image_make_one_picture_and_unknown_input_is_an_error_per_item()
        {
            string folder = PictureTestKit.TempFolder();
            var result = _e.Invoke(@"
                $spots = New-SimulatedImage -Width 384 -Height 384 -Seed 3 | Find-BraggSpot
                $lattice = $spots | Get-Lattice -Planar
                $table = $lattice | Invoke-LatticeExtract
                $spots, $lattice, 'not a picture', $table | Export-DiffractionPicture -Path (Join-Path $args[0] '{1}.svg') -Show MillerIndices -PassThru -Verbose 4>&1", out var errors, folder);
            Assert.Equal("UnsupportedPictureInput", Assert.Single(errors).FullyQualifiedErrorId.Split(',')[0]);
            var files = result.Select(o => o.BaseObject).OfType<FileInfo>().ToArray();
            // The string is reported and skipped; the spot list, lattice and table of the one image make one picture.
            var file = Assert.Single(files);
            Assert.EndsWith(".svg", file.Name);
            string svg = File.ReadAllText(file.FullName);
            Assert.Contains("<svg", svg);
            Assert.Contains("data:image/png;base64,", svg); // the pixels, embedded
            var verbose = string.Join("\n", result.Select(o => o.BaseObject).OfType<System.Management.Automation.VerboseRecord>().Select(v => v.Message));
            Assert.Contains("LatticePoints", verbose);
            Assert.Contains("FitBoxes", verbose);
        }

        [Fact]
        public void A_table_without_an_image_and_an_image_whose_file_is_gone_are_reported_by_id()
        {
            string folder = PictureTestKit.TempFolder();
            _e.Invoke(@"
                $table = New-SimulatedImage -Width 384 -Height 384 -Seed 3 | Find-BraggSpot | Get-Lattice -Planar | Invoke-LatticeExtract
                $table | Export-ReflectionTable -Path (Join-Path $args[0] 't.csv')
                Import-ReflectionTable -LiteralPath (Join-Path $args[0] 't.csv') | Export-DiffractionPicture -Path (Join-Path $args[0] 't.png')", out var errors, folder);
            var error = Assert.Single(errors);
            Assert.Equal("PictureNeedsImage", error.FullyQualifiedErrorId.Split(',')[0]);
            Assert.False(File.Exists(Path.Combine(folder, "t.png")));

            // An object that keeps only the file and frame of its image: the pixels are re-read, or the file is named as gone.
            string copy = Path.Combine(folder, "still.cbf");
            File.Copy(_e.Shared("sim/single1024/still_00000.cbf"), copy);
            var scene = DiffractionScene.ForFile(copy, 0, "still.cbf");
            Assert.Equal(1024, scene.ResolveImage().PanelImages[0].Width);
            File.Delete(copy);
            var gone = Assert.Throws<PictureException>(() => PictureRenderer.DrawImage(DiffractionScene.ForFile(copy, 0, "still.cbf"), new DiffractionPictureSettings(), PictureFormat.Png));
            Assert.Equal(PictureException.ImageMissingId, gone.ErrorId);
            Assert.Contains(copy, gone.Message);
            Assert.Contains("gone", gone.Message);
        }

        [Fact]
        public void Colour_maps_scalings_overlays_and_plot_kinds_complete_on_tab()
        {
            string[] Complete(string line) =>
                _e.InvokeOk("(TabExpansion2 -inputScript $args[0] -cursorColumn $args[0].Length).CompletionMatches.CompletionText", line)
                    .Select(o => o.BaseObject.ToString()!).ToArray();
            Assert.Equal(new[] { "Grey", "Heat", "Inverted" }, Complete("Export-DiffractionPicture x.png -ColourMap ").OrderBy(s => s));
            Assert.Equal(new[] { "Equalised", "Linear", "Log" }, Complete("Export-DiffractionPicture x.png -Scaling ").OrderBy(s => s));
            Assert.Contains("IceRings", Complete("Export-DiffractionPicture x.png -Show "));
            Assert.Contains("PanelOutlines", Complete("Export-DiffractionPicture x.png -Show Pa"));
            Assert.Equal(Enum.GetNames(typeof(PlotKind)).OrderBy(s => s), Complete("Export-DiffractionPlot x.png -Kind ").OrderBy(s => s));
        }

        [Fact]
        public void Spot_lists_fed_to_the_run_collector_do_not_keep_their_images_alive()
        {
            var collector = new RunCollector();
            var weak = new List<WeakReference>();
            void Feed()
            {
                for (int n = 0; n < 40; n++)
                {
                    var pixels = new float[256 * 256];
                    var image = new DiffractionImage("/data/run/frame_" + n + ".cbf", 0, "Test", DetectorModel.SinglePanel("d", 256, 256, 0.1, 100, 128, 128), new Beam(1.0),
                        new[] { new PanelImage(0, 256, 256, pixels) });
                    var spots = new SpotList(image, Enumerable.Range(0, 25).Select(i => new BraggSpot(0, i, i, 0.1, 0.1, 10, 10, 3, i, i, i, i, 1)));
                    collector.Add(spots);
                    weak.Add(new WeakReference(image));
                }
            }
            Feed();
            GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
            Assert.Equal(40, collector.Images.Count);
            Assert.All(collector.Images, r => Assert.Equal(25, r.Spots));
            Assert.Equal(0, weak.Count(w => w.IsAlive));
        }
    }
}
