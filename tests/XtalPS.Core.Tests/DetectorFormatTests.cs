using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using XtalPS.Formats;
using XtalPS.Geometry;
using Xunit;

namespace XtalPS.Core.Tests
{
    /// <summary>DIALS JSON, CrystFEL .geom and psana .data readers and writers against truth files and each other.</summary>
    public class DetectorFormatTests
    {
        private const string Psgeom = "real/geometry/psgeom_cspad/";

        private static Vec3 V(JsonElement e) => new Vec3(e[0].GetDouble(), e[1].GetDouble(), e[2].GetDouble());

        /// <summary>Largest distance (px) between corresponding corners of two panels.</summary>
        internal static double CornerDistancePx(Panel a, Panel b)
        {
            var ca = a.Corners(); var cb = b.Corners();
            return Enumerable.Range(0, 4).Max(i => (ca[i] - cb[i]).Length) / a.PixelSize;
        }

        internal static double MaxCornerDistancePx(DetectorModel a, DetectorModel b)
        {
            Assert.Equal(a.PanelCount, b.PanelCount);
            return Enumerable.Range(0, a.PanelCount).Max(i => CornerDistancePx(a.Panels[i], b.Panels[i]));
        }

        private static void AssertSameFrames(DetectorModel a, DetectorModel b, double tolMm)
        {
            Assert.Equal(a.PanelCount, b.PanelCount);
            for (int i = 0; i < a.PanelCount; i++)
            {
                Assert.True((a[i].Origin - b[i].Origin).Length < tolMm, $"panel {i} origin {a[i].Origin} vs {b[i].Origin}");
                Assert.True((a[i].FastAxis - b[i].FastAxis).Length < 1e-12, $"panel {i} fast");
                Assert.True((a[i].SlowAxis - b[i].SlowAxis).Length < 1e-12, $"panel {i} slow");
                Assert.Equal(a[i].Width, b[i].Width);
                Assert.Equal(a[i].Height, b[i].Height);
                Assert.Equal(a[i].PixelSize, b[i].PixelSize, 12);
                Assert.Equal(a[i].PixelSizeSlow, b[i].PixelSizeSlow, 12);
            }
        }

        // ---- DIALS -------------------------------------------------------------------------------------------------

        [Theory]
        [InlineData("sim/cspad/cspad_true_detector.json", "panels_true")]
        [InlineData("sim/cspad/cspad_nominal_detector.json", "panels_nominal")]
        public void Dials_hierarchy_composes_to_the_truth_lab_frames(string file, string truthKey)
        {
            var g = DialsExperimentJson.Read(SharedData.File_(file));
            Assert.Null(g.Beam);
            var d = g.Detector;
            Assert.Equal(64, d.PanelCount);
            Assert.Equal(2, d.HierarchyDepth); // detector → quadrant → sensor → ASIC panels
            using var truth = SharedData.Json("sim/cspad/cspad_dataset.json");
            var panels = truth.RootElement.GetProperty(truthKey);
            for (int i = 0; i < 64; i++)
            {
                var t = panels[i];
                var expected = new Panel("t", 194, 185, 0.10992, V(t.GetProperty("origin_mm")), V(t.GetProperty("fast_axis")), V(t.GetProperty("slow_axis")));
                Assert.Equal(t.GetProperty("name").GetString(), d[i].Name);
                Assert.True(CornerDistancePx(expected, d[i]) < 1e-6, $"panel {i}: {CornerDistancePx(expected, d[i])} px");
                Assert.Equal(7.5, d[i].Gain);
                Assert.Equal(-1000, d[i].TrustedMin);
                Assert.Equal(2000000, d[i].TrustedMax);
            }
        }

        [Fact]
        public void Dials_nominal_detector_matches_dxtbx_reading_of_the_cbf()
        {
            var d = DialsExperimentJson.Read(SharedData.File_("sim/cspad/cspad_nominal_detector.json")).Detector;
            var panels = SharedData.Dxtbx("sim/cspad/cspad_00000.cbf").GetProperty("panels");
            Assert.Equal(64, panels.GetArrayLength());
            for (int i = 0; i < 64; i++)
            {
                var t = panels[i];
                var expected = new Panel("t", 194, 185, 0.10992, V(t.GetProperty("origin_mm")), V(t.GetProperty("fast_axis")), V(t.GetProperty("slow_axis")));
                Assert.True(CornerDistancePx(expected, d[i]) < 0.01, $"panel {i}: {CornerDistancePx(expected, d[i])} px");
            }
        }

        [Fact]
        public void Dials_truth_experiment_has_detector_beam_and_crystal()
        {
            var g = DialsExperimentJson.Read(SharedData.File_("sim/cspad/cspad_00000_truth.expt"));
            var truthDetector = DialsExperimentJson.Read(SharedData.File_("sim/cspad/cspad_true_detector.json")).Detector;
            Assert.True(MaxCornerDistancePx(truthDetector, g.Detector) < 1e-9);
            Assert.NotNull(g.Beam);
            Assert.Equal(1.3, g.Beam!.Wavelength, 12);
            Assert.Equal(Vec3.UnitZ, g.Beam.Direction);
            var crystal = Assert.Single(g.Crystals);
            Assert.Equal("P 4nw 2abw", crystal.SpaceGroupHallSymbol.Trim());
            using var truth = SharedData.Json("sim/cspad/cspad_00000.json");
            var a = V(truth.RootElement.GetProperty("crystal").GetProperty("real_space_a"));
            Assert.True((crystal.RealSpaceA - a).Length < 1e-6);
            Assert.Equal(79.1 * 79.1 * 37.9, crystal.Volume, 1);
        }

        [Fact]
        public void Dials_real_experiment_lists_give_the_published_cells_and_wavelength()
        {
            var quartz = DialsExperimentJson.Read(SharedData.File_("real/dials_files/indexed.expt"));
            Assert.Equal(0.02508, quartz.Beam!.Wavelength, 5);
            var q = Assert.Single(quartz.Crystals);
            Assert.Equal(4.925, q.RealSpaceA.Length, 1);
            Assert.Equal(4.925, q.RealSpaceB.Length, 1);
            Assert.Equal(5.401, q.RealSpaceC.Length, 1);

            var cspad = DialsExperimentJson.Read(SharedData.File_("real/dials_files/cspad_refined_experiments_step6_level2_300.json"));
            Assert.Equal(64, cspad.Detector.PanelCount);
            Assert.Equal(300, cspad.Crystals.Count);
            // Per-crystal refined cells scatter by about ±0.5 Å around the published 93.25 93.25 130.64.
            Assert.Equal(93.25, cspad.Crystals.Average(c => c.RealSpaceA.Length), 0);
            Assert.Equal(130.64, cspad.Crystals.Average(c => c.RealSpaceC.Length), 0);
            foreach (var c in cspad.Crystals)
            {
                Assert.InRange(c.RealSpaceA.Length, 92.25, 94.25);
                Assert.InRange(c.RealSpaceC.Length, 129.64, 131.64);
                Assert.Equal(120, c.RealSpaceA.AngleTo(c.RealSpaceB), 0);
                Assert.Equal("P 61 2 (x,y,z+5/12)", c.SpaceGroupHallSymbol.Trim());
            }
        }

        [Theory]
        [InlineData("sim/cspad/cspad_true_detector.json")]
        [InlineData("real/dials_files/cspad_refined_experiments_step6_level2_300.json")]
        [InlineData(Psgeom + "refgeom_dials.json")]
        [InlineData(Psgeom + "refgeom_dials2.json")]
        [InlineData("real/dials_files/indexed.expt")]
        public void Dials_write_then_read_round_trips_within_1e9_mm(string file)
        {
            var g = DialsExperimentJson.Read(SharedData.File_(file));
            var text = DialsExperimentJson.ToJson(g.Detector, g.Beam);
            using (var doc = JsonDocument.Parse(text)) // valid JSON to an independent parser, with dxtbx's keys
            {
                var root = doc.RootElement;
                Assert.Equal("ExperimentList", root.GetProperty("__id__").GetString());
                Assert.Equal(0, root.GetProperty("experiment")[0].GetProperty("detector").GetInt32());
                var p0 = root.GetProperty("detector")[0].GetProperty("panels")[0];
                foreach (var key in new[] { "name", "type", "fast_axis", "slow_axis", "origin", "image_size", "pixel_size", "trusted_range", "thickness", "material", "mu", "mask", "gain", "pedestal", "px_mm_strategy", "raw_image_offset", "identifier" })
                    Assert.True(p0.TryGetProperty(key, out _), key);
            }
            var back = DialsExperimentJson.Parse("roundtrip.expt", text);
            AssertSameFrames(g.Detector, back.Detector, 1e-9);
            Assert.Equal(g.Detector.HierarchyDepth, back.Detector.HierarchyDepth);
            for (int i = 0; i < g.Detector.PanelCount; i++)
            {
                Assert.Equal(g.Detector[i].Name, back.Detector[i].Name);
                Assert.Equal(g.Detector[i].TrustedMin, back.Detector[i].TrustedMin);
                Assert.Equal(g.Detector[i].TrustedMax, back.Detector[i].TrustedMax);
                Assert.Equal(g.Detector[i].Gain, back.Detector[i].Gain);
                Assert.Equal(g.Detector[i].BadRegions, back.Detector[i].BadRegions);
            }
            if (g.Beam != null)
            {
                Assert.Equal(g.Beam.Wavelength, back.Beam!.Wavelength);
                Assert.Equal(g.Beam.Direction, back.Beam.Direction);
            }
        }

        [Fact]
        public void Dials_writer_keeps_masks_infinite_trusted_ranges_and_offsets()
        {
            var p = new Panel("A", 100, 50, 0.075, new Vec3(-3, 2, -100), new Vec3(1, 0.01, 0), new Vec3(0, -1, 0.02),
                badRegions: new[] { new PixelRectangle(2, 3, 5, 7) }, layout: new PanelLayout(100, 0));
            var d = new DetectorModel("D", new[] { p, p.WithLayout(null).WithFrame(new Vec3(5, 2, -100), Vec3.UnitX, -Vec3.UnitY) });
            var back = DialsExperimentJson.Parse("x.expt", DialsExperimentJson.ToJson(d, new Beam(0.9))).Detector;
            Assert.Equal(new PixelRectangle(2, 3, 5, 7), Assert.Single(back[0].BadRegions));
            Assert.True(double.IsNegativeInfinity(back[0].TrustedMin));
            Assert.True(double.IsPositiveInfinity(back[0].TrustedMax));
            Assert.Equal(new PanelLayout(100, 0), back[0].Layout);
            Assert.Null(back[1].Layout);
            AssertSameFrames(d, back, 1e-12);
        }

        // ---- CrystFEL ----------------------------------------------------------------------------------------------

        [Fact]
        public void CrystFel_cspad_reads_windows_rigid_groups_and_frame()
        {
            var g = CrystFelGeometry.Read(SharedData.File_(Psgeom + "refgeom_crystfel.geom"));
            var d = g.Detector;
            Assert.Equal(64, d.PanelCount);
            Assert.Equal("q0a1", d[1].Name);
            Assert.Equal(new PanelLayout(194, 0, -1, "/entry_1/data_1/data"), d[1].Layout);
            Assert.Equal(new PanelLayout(1358, 1295, -1, "/entry_1/data_1/data"), d[63].Layout);
            Assert.Equal(1000 / 9097.52, d[0].PixelSize, 6); // |fs| is 1 to 1e-7 in the file
            // detector → 4 quadrants → 8 two-by-ones → 2 ASICs, from rigid_group_collection_quadrants/asics
            Assert.Equal(2, d.HierarchyDepth);
            Assert.Equal(4, d.Hierarchy.Children.Count);
            Assert.All(d.Hierarchy.Children, q => Assert.Equal(8, q.Children.Count));
            Assert.Equal(new[] { 0, 1 }, d.Hierarchy.Children[0].Children[0].PanelIndices);
            // q0a0: corner (449.861, −32.5139) px, fs = −0.002384x +0.999997y; CrystFEL x → −x.
            Assert.Equal(-449.861 / 9097.52 * 1000, d[0].Origin.X, 9);
            Assert.Equal(-32.5139 / 9097.52 * 1000, d[0].Origin.Y, 9);
            Assert.Equal(-0.567409 * 1000, d[0].Origin.Z, 9); // clen is an HDF5 path: coffset only
            Assert.Equal(0.002384, d[0].FastAxis.X, 5);
            Assert.Null(g.Beam);
            Assert.Contains(g.Warnings, w => w.Contains("clen"));
            Assert.Contains(g.Warnings, w => w.Contains("adu_per_eV"));
        }

        [Fact]
        public void CrystFel_single_panel_files_give_beam_distance_gain_and_bad_regions()
        {
            var eiger = CrystFelGeometry.Read(SharedData.File_("real/crystfel/geom/Eiger16M-binning2-nativefiles.geom"));
            Assert.Equal(12398.419843320026 / 22000, eiger.Beam!.Wavelength, 12);
            var p = Assert.Single(eiger.Detector.Panels);
            Assert.Equal(2070, p.Width);
            Assert.Equal(2167, p.Height);
            Assert.Equal(-100, p.Origin.Z, 9);
            Assert.Equal(1000.0 / 13333.3 * 1000, p.Origin.X, 9);   // corner_x −1000 px → +x in DIALS
            Assert.Equal(-1000.0 / 13333.3 * 1000, p.Origin.Y, 9);
            Assert.Equal(-Vec3.UnitX, p.FastAxis);                  // fs = x in CrystFEL is −x in DIALS
            // bad_v0: fs 1030..1039 × ss 0..2166; bad_h0..h2: fs 0..2069 × 37 rows each.
            long expected = 10L * 2167 + 3L * 2070 * 37;
            Assert.Equal(4, p.BadRegions.Count);
            // The regions overlap where the vertical one crosses the three horizontal ones.
            var union = new bool[p.Width * p.Height];
            foreach (var r in p.BadRegions)
                for (int j = r.SlowMin; j < r.SlowMax; j++) for (int i = r.FastMin; i < r.FastMax; i++) union[j * p.Width + i] = true;
            long crossings = 3L * 10 * 37;
            Assert.Equal(expected - crossings, union.LongCount(b => b));

            var jf = CrystFelGeometry.Read(SharedData.File_("real/crystfel/geom/jf-swissfel-16M.geom"));
            Assert.Equal(12398.419843320026 / 4570, jf.Beam!.Wavelength, 9);
            Assert.True(Math.Abs(jf.Detector[0].Origin.Z + 95.3) < 1, $"{jf.Detector[0].Origin.Z}");
            Assert.Equal(1.0, jf.Detector[0].Gain);

            var dec = CrystFelGeometry.Read(SharedData.File_("real/crystfel/geom/lcls-dec.geom"));
            Assert.Contains(dec.Warnings, w => w.Contains("lab coordinates"));
            Assert.Equal(2, dec.Detector.PanelCount);
        }

        [Theory]
        [InlineData(Psgeom + "refgeom_crystfel.geom")]
        [InlineData("real/crystfel/geom/cspad-cxiformat.geom")]
        [InlineData("real/crystfel/geom/cspad-single.geom")]
        [InlineData("real/crystfel/geom/jf-swissfel-16M.geom")]
        [InlineData("real/crystfel/geom/pilatus.geom")]
        [InlineData("real/crystfel/geom/simple.geom")]
        [InlineData("real/crystfel/geom/lcls-xpp-estimate.geom")]
        public void CrystFel_write_then_read_round_trips_within_1e9_mm(string file)
        {
            var g = CrystFelGeometry.Read(SharedData.File_(file), distanceMm: 100);
            var text = CrystFelGeometry.ToText(g.Detector, g.Beam);
            var back = CrystFelGeometry.Parse("roundtrip.geom", text);
            AssertSameFrames(g.Detector, back.Detector, 1e-9);
            for (int i = 0; i < g.Detector.PanelCount; i++)
            {
                Assert.Equal(g.Detector[i].Layout!.FastOffset, back.Detector[i].Layout!.FastOffset);
                Assert.Equal(g.Detector[i].Layout!.SlowOffset, back.Detector[i].Layout!.SlowOffset);
                Assert.Equal(g.Detector[i].BadRegions, back.Detector[i].BadRegions);
                Assert.Equal(g.Detector[i].Gain, back.Detector[i].Gain, 12);
                Assert.Equal(g.Detector[i].TrustedMax, back.Detector[i].TrustedMax);
            }
            Assert.Equal(g.Detector.HierarchyDepth, back.Detector.HierarchyDepth);
            if (g.Beam != null) Assert.Equal(g.Beam.Wavelength, back.Beam!.Wavelength, 12);
        }

        // ---- cross-format agreement --------------------------------------------------------------------------------

        [Fact]
        public void Dials_and_CrystFel_readers_agree_on_every_asic_corner_for_the_same_geometry()
        {
            // The same CSPAD written by us in each format, read back by the other reader: 0.01 px.
            var dials = DialsExperimentJson.Read(SharedData.File_(Psgeom + "refgeom_dials.json")).Detector;
            var viaGeom = CrystFelGeometry.Parse("x.geom", CrystFelGeometry.ToText(dials, null)).Detector;
            Assert.True(MaxCornerDistancePx(dials, viaGeom) < 0.01);
            var crystfel = CrystFelGeometry.Read(SharedData.File_(Psgeom + "refgeom_crystfel.geom")).Detector;
            var viaJson = DialsExperimentJson.Parse("x.expt", DialsExperimentJson.ToJson(crystfel, null)).Detector;
            Assert.True(MaxCornerDistancePx(crystfel, viaJson) < 0.01);
            var truth = DialsExperimentJson.Read(SharedData.File_("sim/cspad/cspad_true_detector.json")).Detector;
            Assert.True(MaxCornerDistancePx(truth, CrystFelGeometry.Parse("t.geom", CrystFelGeometry.ToText(truth, null)).Detector) < 0.01);
        }

        [Fact]
        public void Psgeom_crystfel_and_dials_files_are_two_metrologies_of_one_detector()
        {
            // psgeom's refgeom_crystfel.geom (geoptimiser-refined) and refgeom_dials.json are NOT the same numbers: measured
            // corner differences reach ~15 px. What must hold is the layout and frame: same ASIC order, each ASIC within
            // 20 px and 1° of its counterpart. A reader that forgot CrystFEL's x → −x would be ~900 px off.
            var crystfel = CrystFelGeometry.Read(SharedData.File_(Psgeom + "refgeom_crystfel.geom")).Detector;
            var dials = DialsExperimentJson.Read(SharedData.File_(Psgeom + "refgeom_dials.json")).Detector;
            var inPlane = crystfel.Panels.Select(p => p.WithFrame(new Vec3(p.Origin.X, p.Origin.Y, dials[0].Origin.Z), p.FastAxis, p.SlowAxis)).ToArray();
            double worst = 0;
            for (int i = 0; i < 64; i++)
            {
                double dxy = Enumerable.Range(0, 4).Max(k =>
                {
                    var a = inPlane[i].Corners()[k]; var b = dials[i].Corners()[k];
                    return Math.Sqrt((a.X - b.X) * (a.X - b.X) + (a.Y - b.Y) * (a.Y - b.Y)) / dials[i].PixelSize;
                });
                worst = Math.Max(worst, dxy);
                Assert.True(inPlane[i].FastAxis.AngleTo(dials[i].FastAxis) < 1.0, $"ASIC {i} fast axes differ by {inPlane[i].FastAxis.AngleTo(dials[i].FastAxis)}°");
            }
            Assert.InRange(worst, 1, 20);
        }

        [Fact]
        public void Psana_reader_matches_psgeom_basis_grid_of_the_same_file()
        {
            // cspad_psf.txt is psgeom's basis-grid export (p = first pixel centre, s and f = pixel steps, µm, psana frame)
            // of refgeom_psana.data. Its ASIC-0 grids carry psana's true pixel positions (first column centre 195 pitches
            // from the 2×1 centre, the wide middle pixels included); its ASIC-1 p is placed 194 pitches after ASIC 0, i.e.
            // without the 3-pitch wide-pixel gap, so ASIC 1 must sit exactly 3 pitches further along f than psf says.
            var g = PsanaGeometry.Read(SharedData.File_(Psgeom + "refgeom_psana.data"));
            var d = g.Detector;
            Assert.Equal(64, d.PanelCount);
            Assert.Equal("CSPAD", d.Name);
            Assert.Empty(g.Warnings);
            Assert.Equal(1000, d.Distance, 0);
            var rows = File.ReadAllLines(SharedData.File_(Psgeom + "cspad_psf.txt"))
                .Select(l => l.Trim()).Where(l => l.Length > 0 && l[0] != '#')
                .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray())
                .ToArray();
            Assert.Equal(64, rows.Length);
            for (int asic = 0; asic < 64; asic++)
            {
                var r = rows[asic];
                var f = new Vec3(r[6], r[7], r[8]);
                var p = (new Vec3(r[0], r[1], r[2]) + (asic % 2 == 1 ? f * 3 : Vec3.Zero)) / 1000; // mm
                var ours = d[asic].PixelToLab(0.5, 0.5);
                double dx = (ours.X - p.X) / 0.10992, dy = (ours.Y - p.Y) / 0.10992, dz = (-ours.Z - p.Z) / 0.10992;
                Assert.True(Math.Abs(dx) < 0.01 && Math.Abs(dy) < 0.01, $"ASIC {asic}: first pixel off by ({dx:0.####}, {dy:0.####}) px");
                // Out of plane the two programs differ at the 1e-3 level: psgeom composes the small ROT_Y/ROT_X tilts with
                // the opposite sense to PSCalib (whose GeometryObject we follow), which moves a pixel 20 mm from the
                // 2×1 centre by up to ~1 px in z. In-plane positions do not depend on it (cos 0.14° = 1 − 3e-6).
                Assert.True(Math.Abs(dz) < 1.5, $"ASIC {asic}: height off by {dz:0.####} px");
                var s = new Vec3(r[3], r[4], r[5]);
                Assert.True(Math.Abs(f.X / f.Length - d[asic].FastAxis.X) < 1e-5 && Math.Abs(f.Y / f.Length - d[asic].FastAxis.Y) < 1e-5, $"ASIC {asic} fast axis");
                Assert.True(Math.Abs(s.X / s.Length - d[asic].SlowAxis.X) < 1e-5 && Math.Abs(s.Y / s.Length - d[asic].SlowAxis.Y) < 1e-5, $"ASIC {asic} slow axis");
                Assert.Equal(109.92, f.Length, 2);
            }
            for (int sensor = 0; sensor < 32; sensor++)
                Assert.Equal(197 * 0.10992, (d[2 * sensor + 1].Origin - d[2 * sensor].Origin).Length, 9);
            Assert.Equal(new PanelLayout(194, 185 * 0), d[1].Layout);
            Assert.Equal(new PanelLayout(3 * 388 + 194, 7 * 185), d[63].Layout);
            Assert.Equal(4, d.HierarchyDepth); // IP → RAIL → CSPAD → quadrants → 2×1s → ASICs
            Assert.Equal(100, PsanaGeometry.Read(SharedData.File_(Psgeom + "refgeom_psana.data"), 100).Detector.Panels.Average(p => -p.Centre.Z), 9);
        }

        [Fact]
        public void Psana_and_other_readers_agree_through_our_writers()
        {
            var psana = PsanaGeometry.Read(SharedData.File_(Psgeom + "refgeom_psana.data"), 100).Detector;
            Assert.True(MaxCornerDistancePx(psana, DialsExperimentJson.Parse("a.expt", DialsExperimentJson.ToJson(psana, null)).Detector) < 0.01);
            Assert.True(MaxCornerDistancePx(psana, CrystFelGeometry.Parse("a.geom", CrystFelGeometry.ToText(psana, null)).Detector) < 0.01);
        }

        [Theory]
        [InlineData(Psgeom + "refgeom_psana.data", DetectorModelReader.Kind.Psana)]
        [InlineData(Psgeom + "refgeom_crystfel.geom", DetectorModelReader.Kind.CrystFel)]
        [InlineData(Psgeom + "refgeom_dials.json", DetectorModelReader.Kind.Dials)]
        public void Formats_are_recognised_by_content_too(string file, DetectorModelReader.Kind kind)
        {
            var dir = Directory.CreateTempSubdirectory("xtalps_geo_").FullName;
            try
            {
                var renamed = Path.Combine(dir, "geometry.txt");
                File.Copy(SharedData.File_(file), renamed);
                Assert.Equal(kind, DetectorModelReader.Detect(renamed));
                Assert.Equal(64, DetectorModelReader.Read(renamed).Detector.PanelCount);
            }
            finally { Directory.Delete(dir, true); }
        }
    }
}
