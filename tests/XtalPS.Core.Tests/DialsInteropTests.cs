using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using XtalPS.Formats;
using XtalPS.Geometry;
using XtalPS.Integration;
using XtalPS.Lattices;
using XtalPS.Spots;
using Xunit;

namespace XtalPS.Core.Tests
{
    /// <summary>DIALS .refl/.expt and CrystFEL .stream/.hkl: byte-identical round trips of DIALS-written files, DIALS's
    /// counts reproduced, and our tables through each format and back.</summary>
    public class DialsInteropTests
    {
        private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", "dials_pairs", name);

        [Theory]
        [InlineData("integrated.refl")]
        [InlineData("indexed.refl")]   // with a shoebox column, kept as MessagePack
        [InlineData("strong.refl")]
        public void A_DIALS_written_table_read_and_written_again_is_byte_identical(string name)
        {
            var bytes = File.ReadAllBytes(Fixture(name));
            var file = DialsReflectionFile.Parse(name, bytes);
            Assert.Equal(bytes, file.ToBytes());
        }

        [Fact]
        public void The_shared_real_strong_refl_with_shoeboxes_round_trips_byte_identical()
        {
            var path = SharedData.File_("real/dials_files/strong.refl");
            var bytes = File.ReadAllBytes(path);
            var file = DialsReflectionFile.Parse(path, bytes);
            Assert.Equal(505, file.RowCount);
            Assert.Equal(bytes, file.ToBytes());
        }

        [Fact]
        public void Integrated_stills_process_output_reproduces_DIALS_counts_flags_and_crystal()
        {
            var items = DialsReflectionReader.Read(Fixture("integrated.refl")).ToList();
            var table = Assert.IsType<ReflectionTable>(Assert.Single(items).Item);
            Assert.Equal(121, table.Count);                             // dials: 121 rows, all integrated_sum
            Assert.Equal(121, table.Reflections.Count(r => !double.IsNaN(r.Intensity) && r.Sigma > 0));
            var lattice = Assert.IsType<CrystalLattice>(table.Lattice);
            Assert.Equal("P 43 21 2", lattice.SpaceGroup);
            Assert.Equal(79.1, lattice.UnitCell.A, 0);
            Assert.Equal(37.9, lattice.UnitCell.C, 0);
            Assert.Equal("still_00000.cbf", table.ImageName);
            // The first row as dials.show prints it: (-35, 14, 5), I 427.67, xyzcal.px (990.049, 37.287).
            var r = table.Reflections[0];
            Assert.Equal((-35, 14, 5), (r.H, r.K, r.L));
            Assert.Equal(427.67, r.Intensity, 2);
            Assert.Equal(990.049, r.PredictedX, 3);
            Assert.Equal(989.952, r.X, 3);
        }

        [Fact]
        public void Strong_spots_become_a_spot_list_on_their_image()
        {
            string folder = Directory.CreateTempSubdirectory("xtalps_strong_").FullName;
            try
            {
                File.Copy(Fixture("strong.refl"), Path.Combine(folder, "strong.refl"));
                var text = File.ReadAllText(Fixture("strong.expt")).Replace("/work/shared/data/", SharedData.Root.TrimEnd('/') + "/");
                File.WriteAllText(Path.Combine(folder, "strong.expt"), text);
                var spots = Assert.IsType<SpotList>(Assert.Single(DialsReflectionReader.Read(Path.Combine(folder, "strong.refl"))).Item);
                Assert.Equal(324, spots.Count);                         // dials.find_spots: "Saved 324 reflections"
                Assert.Equal("still_00000.cbf", spots.Image!.Name);
                Assert.All(spots.Spots, s => Assert.False(double.IsNaN(s.D)));
            }
            finally { Directory.Delete(folder, true); }
        }

        [Fact]
        public void A_strong_spot_experiment_whose_image_is_gone_is_one_clear_error()
        {
            string folder = Directory.CreateTempSubdirectory("xtalps_strong_").FullName;
            try
            {
                File.Copy(Fixture("strong.refl"), Path.Combine(folder, "strong.refl"));
                File.WriteAllText(Path.Combine(folder, "strong.expt"), File.ReadAllText(Fixture("strong.expt")).Replace("/work/shared/data/", "/nonexistent/"));
                var item = Assert.Single(DialsReflectionReader.Read(Path.Combine(folder, "strong.refl")));
                Assert.Null(item.Item);
                Assert.Contains("is gone", item.Error!.Message);
            }
            finally { Directory.Delete(folder, true); }
        }

        /// <summary>Three lattices on two images, with the values every column carries.</summary>
        internal static List<ReflectionTable> OurTables()
        {
            var detector = DetectorModel.SinglePanel("D", 1024, 1024, 0.172, 150, 514.3, 507.9);
            var beam = new Beam(1.3);
            var rng = new Random(3);
            var tables = new List<ReflectionTable>();
            for (int t = 0; t < 3; t++)
            {
                var u = Mat3.Rotation(new Vec3(0.3, 1, 0.2 * t).Normalized(), 0.4 + t);
                var lattice = CrystalLattice.FromOrientation(u, new UnitCell(79.1, 79.1, 37.9, 90, 90, 90), SpaceGroup.Parse("P43212"), detector, beam);
                var rows = lattice.Predict(2.5).Take(40).Select(p => new Reflection
                {
                    H = p.H, K = p.K, L = p.L, Panel = p.Panel, PredictedX = p.X, PredictedY = p.Y, X = p.X + 0.1, Y = p.Y - 0.2,
                    XSigma = 0.3, YSigma = 0.25, Intensity = rng.Next(-50, 5000), Sigma = rng.Next(5, 60), D = p.D,
                    IntegratedBackground = 3.5, Amplitude = 77, BoxSize = 5, PeakPixels = 30, BackgroundPixels = 90,
                    Flags = t == 1 ? ReflectionFlags.Weak | ReflectionFlags.Overloaded : ReflectionFlags.None, WellBehaved = t != 1,
                }).ToList();
                tables.Add(new ReflectionTable(null, lattice, null, rows, "Integrate", $"still_{t / 2:D5}.cbf"));
            }
            return tables;
        }

        [Fact]
        public void Our_tables_go_through_a_DIALS_pair_and_come_back_the_same()
        {
            string folder = Directory.CreateTempSubdirectory("xtalps_pair_").FullName;
            try
            {
                string path = Path.Combine(folder, "run.refl");
                var tables = OurTables();
                using (var w = ReflectionFileWriter.Create(path)) { foreach (var t in tables) w.Add(t); w.Complete(); }
                Assert.True(File.Exists(Path.Combine(folder, "run.expt")));
                var experiments = DialsExperimentJson.ReadExperiments(Path.Combine(folder, "run.expt"));
                Assert.Equal(3, experiments.Count);
                // One detector and one beam for three experiments: equal models are shared.
                var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "run.expt"))).RootElement;
                Assert.Equal(1, json.GetProperty("detector").GetArrayLength());
                Assert.Equal(1, json.GetProperty("beam").GetArrayLength());
                Assert.Equal(3, json.GetProperty("crystal").GetArrayLength());
                // Identifiers are the stable lattice ids: lattice 0 and 1 of still_00000, lattice 0 of still_00001.
                Assert.Equal(DialsReflectionTables.Identifier("still_00000.cbf", 0, 1), experiments[1].Identifier);
                Assert.Equal(DialsReflectionTables.Identifier("still_00001.cbf", 0, 0), experiments[2].Identifier);

                var back = ReflectionFileReader.Read(path);
                Assert.Equal(3, back.Count);
                for (int t = 0; t < 3; t++)
                {
                    var a = (CrystalLattice)tables[t].Lattice!; var b = Assert.IsType<CrystalLattice>(back[t].Lattice);
                    Assert.True(a.MisorientationTo(b) < 1e-9);
                    Assert.Equal(a.SpaceGroup, b.SpaceGroup);
                    Assert.Equal(tables[t].Count, back[t].Count);
                    for (int i = 0; i < tables[t].Count; i++)
                    {
                        var x = tables[t].Reflections[i]; var y = back[t].Reflections[i];
                        Assert.Equal((x.H, x.K, x.L, x.Panel), (y.H, y.K, y.L, y.Panel));
                        Assert.Equal(x.Intensity, y.Intensity, 9); Assert.Equal(x.Sigma, y.Sigma, 9);
                        Assert.Equal(x.X, y.X, 12); Assert.Equal(x.PredictedY, y.PredictedY, 12); Assert.Equal(x.XSigma, y.XSigma, 12);
                        Assert.Equal(x.Flags, y.Flags); Assert.Equal(x.WellBehaved, y.WellBehaved); Assert.Equal(x.Amplitude, y.Amplitude);
                        Assert.Equal(x.PeakPixels, y.PeakPixels); Assert.Equal(x.D, y.D, 12);
                    }
                }
                // DIALS's own flags: indexed, observed, integrated; XtalPS's Overloaded → DIALS overloaded.
                var file = DialsReflectionFile.Read(path);
                var flags = file["flags"]!;
                ulong f0 = (ulong)flags.Get(0), f1 = (ulong)flags.Get(tables[0].Count);
                Assert.Equal(DialsFlags.Predicted | DialsFlags.Observed | DialsFlags.Indexed | DialsFlags.IntegratedSum, f0);
                Assert.NotEqual(0UL, f1 & DialsFlags.Overloaded);
            }
            finally { Directory.Delete(folder, true); }
        }

        [Fact]
        public void A_planar_lattice_is_refused_for_a_DIALS_file_and_nothing_is_written()
        {
            string folder = Directory.CreateTempSubdirectory("xtalps_pair_").FullName;
            try
            {
                var planar = new PlanarLattice(new Vec2(10, 10), new Vec2(20, 0), new Vec2(0, 20));
                using var w = ReflectionFileWriter.Create(Path.Combine(folder, "p.refl"));
                Assert.Throws<ArgumentException>(() => w.Add(new ReflectionTable(null, planar, null, new[] { new Reflection() }, "Extract")));
                Assert.False(File.Exists(Path.Combine(folder, "p.refl")));
            }
            finally { Directory.Delete(folder, true); }
        }

        [Fact]
        public void The_real_CrystFEL_stream_reads_its_32_crystals()
        {
            var path = SharedData.File_("real/crystfel/test.stream");
            var contents = CrystFelStream.Read(path);
            Assert.Equal(70, contents.Chunks.Count);
            Assert.Equal(32, contents.Chunks.Sum(c => c.Crystals.Count));
            var tables = CrystFelStream.ToTables(path, contents);
            Assert.Equal(32, tables.Count);
            Assert.Equal(contents.Chunks.Sum(c => c.Crystals.Sum(x => x.Reflections.Count)), tables.Sum(t => t.Count));
            var cell = ((CrystalLattice)tables[0].Lattice!).UnitCell;   // the stream: 6.13532 12.19726 16.88165 nm
            Assert.InRange(cell.A, 61.0, 62.0); Assert.InRange(cell.B, 121.5, 122.5); Assert.InRange(cell.C, 168.3, 169.3);
            Assert.Equal('C', ((CrystalLattice)tables[0].Lattice!).Centring);
            // Positions are panel pixels: every reflection falls on its panel.
            var d = ((CrystalLattice)tables[0].Lattice!).Detector!;
            Assert.All(tables.SelectMany(t => t.Reflections), r => Assert.True(r.X >= -1 && r.X <= d.Panels[r.Panel].Width + 1 && r.Y >= -1 && r.Y <= d.Panels[r.Panel].Height + 1));
        }

        [Fact]
        public void Our_stream_reads_back_with_the_same_lattices_and_reflections()
        {
            string folder = Directory.CreateTempSubdirectory("xtalps_stream_").FullName;
            try
            {
                string path = Path.Combine(folder, "run.stream");
                var tables = OurTables();
                using (var w = ReflectionFileWriter.Create(path)) { foreach (var t in tables) w.Add(t); w.Complete(); }
                var back = ReflectionFileReader.Read(path);
                Assert.Equal(3, back.Count);
                for (int t = 0; t < 3; t++)
                {
                    Assert.True(((CrystalLattice)tables[t].Lattice!).MisorientationTo((CrystalLattice)back[t].Lattice!) < 1e-3);
                    Assert.Equal(tables[t].Count, back[t].Count);
                    for (int i = 0; i < tables[t].Count; i++)
                    {
                        var x = tables[t].Reflections[i]; var y = back[t].Reflections[i];
                        Assert.Equal((x.H, x.K, x.L), (y.H, y.K, y.L));
                        Assert.Equal(x.Intensity, y.Intensity, 2); Assert.Equal(x.Sigma, y.Sigma, 2);
                        Assert.True(Math.Abs(x.X - y.X) <= 0.05 && Math.Abs(x.Y - y.Y) <= 0.05);   // one decimal, as CrystFEL writes
                    }
                }
            }
            finally { Directory.Delete(folder, true); }
        }

        [Fact]
        public void A_merged_hkl_list_round_trips_and_unmerged_data_is_refused()
        {
            string folder = Directory.CreateTempSubdirectory("xtalps_hkl_").FullName;
            try
            {
                string path = Path.Combine(folder, "m.hkl");
                var merged = new ReflectionTable(null, null, null, OurTables()[0].Reflections.GroupBy(r => (r.H, r.K, r.L)).Select(g => g.First()), "Merge");
                using (var w = ReflectionFileWriter.Create(path)) { w.Add(merged); w.Complete(); }
                var (back, symmetry) = CrystFelHkl.Read(path);
                Assert.Equal("1", symmetry);
                Assert.Equal(merged.Count, back.Count);
                Assert.Equal(merged.Reflections[3].Intensity, back.Reflections[3].Intensity, 2);
                using var w2 = ReflectionFileWriter.Create(Path.Combine(folder, "u.hkl"));
                var twice = new ReflectionTable(null, null, null, merged.Reflections.Concat(merged.Reflections.Take(1)), "Integrate");
                Assert.Throws<ArgumentException>(() => w2.Add(twice));
            }
            finally { Directory.Delete(folder, true); }
        }
    }
}
