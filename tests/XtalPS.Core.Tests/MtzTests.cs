using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using XtalPS.Extraction;
using XtalPS.Formats;
using XtalPS.Integration;
using XtalPS.Lattices;
using Xunit;
using Xunit.Abstractions;

namespace XtalPS.Core.Tests
{
    public class MtzTests
    {
        private readonly ITestOutputHelper _out;
        public MtzTests(ITestOutputHelper o) { _out = o; }

        [Fact]
        public void Reads_the_merged_5e5z_file_as_gemmi_documents_it()
        {
            var f = MtzReader.Read(SharedData.File_("real/mtz/5e5z.mtz"));
            Assert.Equal(8, f.Columns.Count);
            Assert.Equal(441, f.ReflectionCount);
            Assert.True(f.IsMerged);
            Assert.Equal(new[] { 9.643, 9.609, 19.029, 90, 101.224, 90 }, f.Cell.Select(v => Math.Round(v, 3)));
            Assert.Equal("P 1 21 1", f.SpaceGroupName);
            Assert.Equal(4, f.SpaceGroupNumber);
            Assert.Equal("", f.Title);
            Assert.Equal(new[] { "From cif2mtz 17/ 5/2019 12:15:14" }, f.History);
            Assert.Equal(new[] { 0, 0, 0, 0, 0 }, f.SortOrder);
            Assert.Equal(0.0028703967109323, f.MinReciprocalResolution, 12);
            Assert.Equal(0.3611701726913452, f.MaxReciprocalResolution, 12);
            Assert.Equal("H", f.Columns[0].Label);
            Assert.Equal('H', f.Columns[0].Type);
            Assert.Equal(new[] { "SIGFP", "SIGI" }, f.Columns.Where(c => c.Type == 'Q').Select(c => c.Label));
            var free = f.Columns[f.ColumnIndex("FREE")];
            Assert.Equal('I', free.Type);
            Assert.Equal(1, free.DatasetId);
            Assert.Equal(new[] { "0 HKL_base/HKL_base/HKL_base", "1 5e5z/5e5z/1" }, f.Datasets.Select(d => d.ToString()));
            // The values agree with the ranges the header states.
            for (int c = 0; c < f.Columns.Count; c++)
            {
                var vals = Enumerable.Range(0, f.ReflectionCount).Select(r => f[r, c]).Where(v => !float.IsNaN(v)).ToArray();
                Assert.Equal(f.Columns[c].Min, vals.Min(), 3);
                Assert.Equal(f.Columns[c].Max, vals.Max(), 3);
            }
            var tables = ReflectionFileReader.FromMtz(f);
            Assert.Equal(441, Assert.Single(tables).Count);
        }

        [Fact]
        public void Reads_the_unmerged_insulin_file_with_its_batch_headers()
        {
            var f = MtzReader.Read(SharedData.File_("real/mtz/insulin_unmerged_cutted_from_ccp4.mtz"));
            Assert.Equal(18, f.Columns.Count);
            Assert.Equal(13, f.ReflectionCount);
            Assert.Equal(45, f.Batches.Count);
            Assert.Equal(197, f.SpaceGroupNumber);
            Assert.Equal("I23", f.SpaceGroupName); // as the file spells it
            Assert.Equal(3, f.History.Count);
            Assert.Equal(0.979, f.Datasets.Single(d => d.Id == 1).Wavelength, 3);
            Assert.All(f.Batches, b => Assert.Equal(78.0043, b.Cell[0], 3));
            Assert.All(f.Batches, b => Assert.Equal(185, b.Ints[0]));
            Assert.Equal(Enumerable.Range(1, 45), f.Batches.Select(b => b.Number));
            int i = f.ColumnIndex("I");
            Assert.Equal(-19.7094, Enumerable.Range(0, 13).Min(r => f[r, i]), 3);
            Assert.Equal(1215.8, Enumerable.Range(0, 13).Max(r => f[r, f.ColumnIndex("XDET")]), 1);
            // One table per non-empty batch (12 of the 45 hold reflections).
            var tables = ReflectionFileReader.FromMtz(f);
            Assert.Equal(12, tables.Count);
            Assert.Equal(13, tables.Sum(t => t.Count));
        }

        internal static ReflectionTable[] IntegratedTables(int images)
        {
            var list = new ReflectionTable[images];
            for (int k = 0; k < images; k++)
            {
                var image = SimulatorExtractionTests.Simulate(20 + k, 5000, 1);
                var t = (Simulation.PlanarSimulationTruth)image.Truth!;
                var ext = LatticeGaussianFit.Extract(image, new PlanarLattice(t.Origin, t.A, t.B, image), new ExtractionSettings { Cycles = 1 });
                list[k] = PeakIntegrator.Integrate(ext, new IntegrationSettings());
            }
            return list;
        }

        [Theory]
        [InlineData(false, false)]
        [InlineData(true, false)]
        [InlineData(false, true)]
        public void Round_trips_our_tables_in_either_byte_order_and_header_offset_form(bool bigEndian, bool longOffset)
        {
            var tables = IntegratedTables(2);
            string dir = Directory.CreateTempSubdirectory("xtalps-mtz").FullName;
            try
            {
                string path = Path.Combine(dir, "run_int.mtz");
                using (var w = new MtzWriter(path) { BigEndian = bigEndian, LongHeaderOffset = longOffset })
                {
                    foreach (var t in tables) w.Add(t);
                    w.Complete();
                }
                Assert.Single(Directory.GetFiles(dir)); // the scratch file is gone
                var f = MtzReader.Read(path);
                Assert.Equal(bigEndian, f.BigEndian);
                Assert.Equal(tables.Sum(t => t.Count), f.ReflectionCount);
                Assert.Equal(new[] { 1, 2 }, f.Batches.Select(b => b.Number));
                Assert.Equal(0.02508, f.Batches[0].Wavelength, 5);
                Assert.Equal("P 1", f.SpaceGroupName);
                var back = ReflectionFileReader.FromMtz(f);
                Assert.Equal(2, back.Count);
                for (int k = 0; k < 2; k++)
                {
                    Assert.Equal("Imported Integrate", back[k].Stage);
                    var a = tables[k].Reflections; var b = back[k].Reflections;
                    Assert.Equal(a.Count, b.Count);
                    for (int i = 0; i < a.Count; i++)
                    {
                        Assert.Equal((a[i].H, a[i].K, a[i].L, a[i].Flags, a[i].WellBehaved), (b[i].H, b[i].K, b[i].L, b[i].Flags, b[i].WellBehaved));
                        Assert.Equal((float)a[i].Intensity, (float)b[i].Intensity);
                        Assert.Equal((float)a[i].X, (float)b[i].X);
                        Assert.Equal((float)a[i].IntercalatedBackground, (float)b[i].IntercalatedBackground);
                    }
                }
                // Appending keeps the old batches and numbers the new one after them.
                using (var w = ReflectionFileWriter.Create(path, append: true)) { w.Add(tables[0]); w.Complete(); }
                var f2 = MtzReader.Read(path);
                Assert.Equal(new[] { 1, 2, 3 }, f2.Batches.Select(b => b.Number));
                Assert.Equal(2 * tables[0].Count + tables[1].Count, f2.ReflectionCount);
            }
            finally { Directory.Delete(dir, true); }
        }

        [GemmiFact]
        public void Gemmi_reads_our_columns_and_rows()
        {
            var tables = IntegratedTables(2);
            string dir = Directory.CreateTempSubdirectory("xtalps-gemmi").FullName;
            try
            {
                string path = Path.Combine(dir, "run_int.mtz");
                using (var w = new MtzWriter(path)) { foreach (var t in tables) w.Add(t); w.Complete(); }
                var (code, text) = Gemmi.Run($"mtz \"{path}\"");
                _out.WriteLine(text);
                Assert.Equal(0, code);
                Assert.Contains($"Number of Reflections = {tables.Sum(t => t.Count)}", text);
                Assert.Contains($"Number of Columns = {ReflectionFileColumns.All.Count}", text);
                Assert.Contains("Number of Batches = 2", text);
                Assert.Contains("Space Group: P1", text.Replace("P 1", "P1"));
                foreach (var c in ReflectionFileColumns.All)
                    Assert.Matches(@"(?m)^" + System.Text.RegularExpressions.Regex.Escape(c.Label) + @"\s+" + c.MtzType + @"\s", text);
            }
            finally { Directory.Delete(dir, true); }
        }

        [Fact]
        public void Csv_round_trips_and_tiff_has_a_float_header()
        {
            var tables = IntegratedTables(2);
            string dir = Directory.CreateTempSubdirectory("xtalps-csv").FullName;
            try
            {
                string csv = Path.Combine(dir, "r.csv");
                using (var w = ReflectionFileWriter.Create(csv)) { foreach (var t in tables) w.Add(t); w.Complete(); }
                var back = ReflectionFileReader.Read(csv);
                Assert.Equal(tables.Select(t => t.Count), back.Select(t => t.Count));
                Assert.Equal(tables[1].Reflections.Select(r => r.Intensity), back[1].Reflections.Select(r => r.Intensity));
                string json = Path.Combine(dir, "r.json");
                using (var w = ReflectionFileWriter.Create(json)) { foreach (var t in tables) w.Add(t); w.Complete(); }
                using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(json));
                Assert.Equal(2, doc.RootElement.GetProperty("tables").GetArrayLength());
                Assert.Equal(tables[0].Count, doc.RootElement.GetProperty("tables")[0].GetProperty("rows").GetArrayLength());

                string tif = Path.Combine(dir, "m.tif");
                TiffWriter.Write(new float[] { 1, 2, 3, 4, 5, float.NaN }, 3, 2, tif);
                var b = File.ReadAllBytes(tif);
                Assert.True(TiffImage.Looks(b));
                var frame = TiffImage.ReadFrames(tif, b).Single().PanelImages[0];
                Assert.Equal((3, 2), (frame.Width, frame.Height));
                Assert.Equal(new float[] { 1, 2, 3, 4, 5 }, frame.Pixels.Take(5));
                Assert.Equal(0, frame.Mask[5]); // NaN is read back masked
            }
            finally { Directory.Delete(dir, true); }
        }

        [Fact]
        public void Corrupt_mtz_files_throw_InvalidImageData()
        {
            var good = File.ReadAllBytes(SharedData.File_("real/mtz/5e5z.mtz"));
            Assert.Throws<InvalidImageDataException>(() => MtzReader.Parse(new byte[10], "x"));
            Assert.Throws<InvalidImageDataException>(() => MtzReader.Parse(good.Take(2000).ToArray(), "x"));
            var bad = (byte[])good.Clone();
            BitConverter.GetBytes(int.MaxValue).CopyTo(bad, 4);
            Assert.Throws<InvalidImageDataException>(() => MtzReader.Parse(bad, "x"));
            bad = (byte[])good.Clone();
            bad[8] = 0x77;
            Assert.Throws<InvalidImageDataException>(() => MtzReader.Parse(bad, "x"));
            // Truncate every header record in turn: no crash, no hang, only InvalidImageData (or a smaller table).
            int header = 4 * (BitConverter.ToInt32(good, 4) - 1);
            var rng = new Random(3);
            for (int k = 0; k < 200; k++)
            {
                bad = (byte[])good.Clone();
                int at = header + rng.Next(good.Length - header);
                bad[at] = (byte)rng.Next(256);
                try { MtzReader.Parse(bad, "x"); } catch (InvalidImageDataException) { }
            }
        }
    }
}
