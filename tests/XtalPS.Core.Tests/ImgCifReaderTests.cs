using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using XtalPS.Formats;
using XtalPS.Geometry;
using XtalPS.Imaging;
using Xunit;

namespace XtalPS.Core.Tests
{
    /// <summary>Full imgCIF/CBF (axis hierarchy, several arrays, packed) and miniCBF files against dxtbx's facts.</summary>
    public class ImgCifReaderTests
    {
        public static TheoryData<string> CbfImages => new TheoryData<string>
        {
            "sim/cspad/cspad_00000.cbf", "sim/cspad/cspad_00001.cbf", "sim/cspad/cspad_00002.cbf", "sim/cspad/cspad_00003.cbf",
            "sim/cspad/cspad_00004.cbf", "sim/cspad/cspad_00005.cbf", "sim/cspad/cspad_00006.cbf", "sim/cspad/cspad_00007.cbf",
            "real/cspad_thermolysin/idx-20130301060858601.cbf", "real/cspad_thermolysin/idx-20130301060858801.cbf",
            "real/rayonix/hit-20181213155134902.cbf",
            "real/eiger/dlsnxs2cbf_therm_0001.cbf.gz",
            "real/pilatus/l-cyst_01_00001.cbf", "real/pilatus/l-cyst_01_00002.cbf", "real/pilatus/l-cyst_01_00003.cbf",
            "real/pilatus/DLS_I23_P12M_thau_00001.cbf.gz",
        };

        [Theory]
        [MemberData(nameof(CbfImages))]
        public void Geometry_and_pixels_match_dxtbx(string relative)
        {
            var reference = SharedData.Dxtbx(relative);
            var image = DiffractionImageReader.ReadFrames(SharedData.File_(relative)).Single();
            var refPanels = reference.GetProperty("panels").EnumerateArray().ToList();
            Assert.Equal(reference.GetProperty("n_panels").GetInt32(), image.PanelCount);
            Assert.Equal(reference.GetProperty("wavelength_A").GetDouble(), image.Beam.Wavelength, 4);
            var dir = reference.GetProperty("beam_direction");
            Assert.True((image.Beam.Direction - V(dir)).Length < 1e-6);

            // Panels match one to one, whatever the order: each of ours has exactly one dxtbx panel with the
            // same size, pixel size and frame (origin within 1e-3 mm, axes within 1e-5).
            var used = new bool[refPanels.Count];
            for (int i = 0; i < image.PanelCount; i++)
            {
                var p = image.Detector.Panels[i];
                int match = -1;
                for (int j = 0; j < refPanels.Count; j++)
                {
                    if (used[j] || !SameFrame(p, refPanels[j])) continue;
                    match = j;
                    break;
                }
                Assert.True(match >= 0, $"{relative}: panel {i} ({p.Name}) at {p.Origin} fast {p.FastAxis} slow {p.SlowAxis} has no dxtbx counterpart.");
                used[match] = true;
                var r = refPanels[match];
                var size = r.GetProperty("size_fast_slow");
                Assert.Equal(size[0].GetInt32(), p.Width);
                Assert.Equal(size[1].GetInt32(), p.Height);
                var pixel = r.GetProperty("pixel_size_mm");
                Assert.Equal(pixel[0].GetDouble(), p.PixelSize, 6);
                Assert.Equal(pixel[1].GetDouble(), p.PixelSizeSlow, 6);

                // Pixel statistics over every raw value, independent of masks.
                var stats = RawStatistics(image.PanelImages[i].Pixels);
                Assert.Equal(r.GetProperty("sum_nonneg").GetDouble(), stats.SumNonNegative);
                Assert.Equal(r.GetProperty("n_negative").GetInt64(), stats.Negative);
                Assert.Equal(r.GetProperty("min").GetDouble(), stats.Min);
                Assert.Equal(r.GetProperty("max").GetDouble(), stats.Max);
            }
        }

        private static bool SameFrame(Panel p, JsonElement r) =>
            (p.Origin - V(r.GetProperty("origin_mm"))).Length < 1e-3
            && (p.FastAxis - V(r.GetProperty("fast_axis"))).Length < 1e-5
            && (p.SlowAxis - V(r.GetProperty("slow_axis"))).Length < 1e-5;

        private static Vec3 V(JsonElement e) => new Vec3(e[0].GetDouble(), e[1].GetDouble(), e[2].GetDouble());

        private static (double SumNonNegative, long Negative, double Min, double Max) RawStatistics(float[] pixels)
        {
            double sum = 0; long neg = 0; float min = float.PositiveInfinity, max = float.NegativeInfinity;
            foreach (var v in pixels)
            {
                if (v >= 0) sum += v; else neg++;
                if (v < min) min = v;
                if (v > max) max = v;
            }
            return (sum, neg, min, max);
        }

        [Fact]
        public void Cspad_hierarchy_follows_the_axis_tree()
        {
            var image = DiffractionImageReader.ReadFrames(SharedData.File_("real/cspad_thermolysin/idx-20130301060858601.cbf")).Single();
            var h = image.Detector.Hierarchy;
            Assert.Equal(2, image.Detector.HierarchyDepth);         // detector → quadrants → sensors (→ ASIC panels)
            Assert.Equal(4, h.Children.Count);
            Assert.All(h.Children, q => Assert.Equal(8, q.Children.Count));
            Assert.All(h.Children.SelectMany(q => q.Children), s => Assert.Equal(2, s.PanelIndices.Count));
            Assert.Equal("FS_D0Q0", h.Children[0].Name);
            Assert.Equal("FS_D0Q0S0", h.Children[0].Children[0].Name);
            // The two ASICs of a sensor are 197 pixel pitches apart along their common fast axis (3-pixel gap).
            var s0 = h.Children[0].Children[0];
            var a0 = image.Detector.Panels[s0.PanelIndices[0]];
            var a1 = image.Detector.Panels[s0.PanelIndices[1]];
            Assert.Equal(197 * 0.10992, (a1.Origin - a0.Origin).Length, 6);
            Assert.True((a1.Origin - a0.Origin).Normalized().Dot(a0.FastAxis) > 0.999999);
            // The sensor frame sits midway between its ASICs' centres.
            var mid = (a0.Centre + a1.Centre) * 0.5;
            Assert.True((mid - s0.Origin).Length < 1e-6);
        }

        [Fact]
        public void Simulated_cspad_header_holds_the_nominal_geometry_and_trusted_range()
        {
            var truth = SharedData.Json("sim/cspad/cspad_00000.json").RootElement;
            var image = DiffractionImageReader.ReadFrames(SharedData.File_("sim/cspad/cspad_00000.cbf")).Single();
            var nominal = truth.GetProperty("detector").GetProperty("panels_nominal").EnumerateArray().ToList();
            Assert.Equal(64, image.PanelCount);
            for (int i = 0; i < 64; i++)
            {
                var p = image.Detector.Panels[i];
                var n = nominal.Single(x => x.GetProperty("index").GetInt32() == i);
                Assert.True((p.Origin - V(n.GetProperty("origin_mm"))).Length < 1e-9, $"panel {i}");
                Assert.True((p.FastAxis - V(n.GetProperty("fast_axis"))).Length < 1e-12);
                Assert.True((p.SlowAxis - V(n.GetProperty("slow_axis"))).Length < 1e-12);
            }
            var range = truth.GetProperty("image").GetProperty("trusted_range");
            Assert.All(image.Detector.Panels, p =>
            {
                Assert.Equal(range[0].GetDouble(), p.TrustedMin);
                Assert.Equal(range[1].GetDouble(), p.TrustedMax);
                Assert.Equal(truth.GetProperty("image").GetProperty("gain_adu_per_photon").GetDouble(), p.Gain);
            });
            Assert.Equal(4, image.Detector.Hierarchy.Children.Count);
            Assert.Equal(0, image.PanelImages.Sum(pi => pi.MaskedCount)); // all values inside (-1000, 2e6)
        }

        [Fact]
        public void Pilatus_full_cbf_masks_gaps_and_overloads()
        {
            var image = DiffractionImageReader.ReadFrames(SharedData.File_("real/pilatus/l-cyst_01_00001.cbf")).Single();
            var p = image.Detector.Panels[0];
            Assert.Equal(-1, p.TrustedMin);
            Assert.Equal(388705, p.TrustedMax);
            var pixels = image.PanelImages[0].Pixels;
            var mask = image.PanelImages[0].Mask;
            long gaps = 0;
            for (int i = 0; i < pixels.Length; i++)
            {
                if (pixels[i] < 0) { Assert.Equal(0, mask[i]); gaps++; }
                else Assert.Equal(1, mask[i]);
            }
            Assert.Equal(SharedData.Dxtbx("real/pilatus/l-cyst_01_00001.cbf").GetProperty("panels")[0].GetProperty("n_negative").GetInt64(), gaps);
            // The header's detector distance is the panel plane's distance, and 2θ = 30° tilts the panel normal.
            Assert.Equal(160.0, image.Detector.Distance, 6);
            Assert.Equal(30.0, p.Normal.AngleTo(-Vec3.UnitZ), 6);
            Assert.Equal("0.000320 m", image.Header["Silicon"].Split(',')[1].Replace("thickness", "").Trim());
        }

        [Theory]
        [InlineData("real/eiger/dlsnxs2cbf_therm_0001.cbf.gz")]
        [InlineData("real/pilatus/DLS_I23_P12M_thau_00001.cbf.gz")]
        [InlineData("sim/pilatus6m/still_00000.cbf")]
        public void MiniCbf_gaps_and_bad_pixels_are_masked(string relative)
        {
            var image = DiffractionImageReader.ReadFrames(SharedData.File_(relative)).Single();
            long masked = 0;
            for (int k = 0; k < image.PanelCount; k++)
            {
                var p = image.Detector.Panels[k];
                var pixels = image.PanelImages[k].Pixels;
                var mask = image.PanelImages[k].Mask;
                for (int i = 0; i < pixels.Length; i++)
                {
                    bool usable = pixels[i] > -1 && pixels[i] < p.TrustedMax;
                    Assert.Equal(usable ? 1 : 0, mask[i]);
                    if (pixels[i] < 0) Assert.Equal(0, mask[i]);
                }
                masked += image.PanelImages[k].MaskedCount;
            }
            var reference = SharedData.Dxtbx(relative).GetProperty("panels").EnumerateArray().ToList();
            Assert.True(masked >= reference.Sum(r => r.GetProperty("n_negative").GetInt64()));
        }

        [Fact]
        public void Header_only_files_give_geometry_and_fail_cleanly_as_images()
        {
            var path = SharedData.File_("real/cbf_headers/fel_test1.cbf");
            var e = Assert.Throws<InvalidImageDataException>(() => DiffractionImageReader.ReadFrames(path).ToList());
            Assert.Contains("no pixel data", e.Message);
            var geometry = ImgCifReader.ReadGeometry(path, File.ReadAllBytes(path));
            Assert.Equal(64, geometry.Detector.PanelCount);
            // This early cctbx.xfel file gives the 185-pixel dimension precedence 1: by the imgCIF dictionary (and
            // CBFlib) that one is the fastest, so its panels are 185 wide and 194 high, 0.11 mm pixels.
            Assert.All(geometry.Detector.Panels, p => { Assert.Equal(185, p.Width); Assert.Equal(194, p.Height); Assert.Equal(0.11, p.PixelSize, 9); });
            Assert.Equal(1.768552, geometry.Beam.Wavelength, 9);
            Assert.Equal(4, geometry.Detector.Hierarchy.Children.Count);
            // Every ASIC faces the beam.
            Assert.All(geometry.Detector.Panels, p => Assert.True(Math.Abs(p.Normal.Z) > 0.999));
            // Facts read by hand with dxtbx (DIALS 3.12, Debian): these files are not in dxtbx_reference.json.
            var a0 = geometry.Detector.Panels[geometry.Detector.IndexOf("ARRAY_D0Q0S0A0")];
            Assert.True((a0.Origin - new Vec3(-48.73759784769736, -2.9364649721070712, -171.0104)).Length < 1e-9);
            Assert.True((a0.FastAxis - new Vec3(0.9999825801262935, -0.005902494723510902, 0.0)).Length < 1e-12);
            Assert.True((a0.SlowAxis - new Vec3(0.005902494723509125, 0.9999825801262935, 0.0)).Length < 1e-12);

            var omega = DiffractionImageReader.ReadFrames(SharedData.File_("real/cbf_headers/omega_scan.cbf")).Single();
            Assert.Equal(487, omega.Detector.Panels[0].Width);
            Assert.Equal(619, omega.Detector.Panels[0].Height);
            Assert.Equal(0.68937, omega.Beam.Wavelength, 9);
            Assert.Equal(105.0, omega.Detector.Distance, 6);
            Assert.Equal(20.0, omega.Detector.Panels[0].Normal.AngleTo(-Vec3.UnitZ), 6);
            var op = omega.Detector.Panels[0];
            Assert.True((op.Origin - new Vec3(-41.8, -16.77645019827068, -117.84479461879063)).Length < 1e-9);
            Assert.True((op.FastAxis - new Vec3(0.0, 0.9396926207859121, 0.34202014332565883)).Length < 1e-12);
            Assert.True((op.SlowAxis - Vec3.UnitX).Length < 1e-12);
            var raw = omega.PanelImages[0].Pixels;
            Assert.Equal(15.0, raw.Where(v => v >= 0).Sum(v => (double)v));
            Assert.Equal(16592, raw.Count(v => v < 0));
            Assert.Equal(-2f, raw.Min());
            Assert.Equal(1f, raw.Max());
            Assert.Equal((-1.0, 1541621.0), (op.TrustedMin, op.TrustedMax));
        }

        [Fact]
        public void Pixel_centre_convention_moves_the_origin_half_a_pixel_back()
        {
            var path = SharedData.File_("real/rayonix/hit-20181213155134902.cbf");
            var bytes = File.ReadAllBytes(path);
            var a = ImgCifReader.ReadGeometry(path, bytes).Detector.Panels[0];
            var b = ImgCifReader.ReadGeometry(path, bytes, ImgCifOriginConvention.PixelCentre).Detector.Panels[0];
            var shift = a.Origin - b.Origin;
            Assert.True((shift - (a.FastAxis * a.PixelSize + a.SlowAxis * a.PixelSizeSlow) * 0.5).Length < 1e-12);
        }
    }
}
