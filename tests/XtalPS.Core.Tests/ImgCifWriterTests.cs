using System;
using System.IO;
using System.Linq;
using System.Text;
using XtalPS.Formats;
using XtalPS.Geometry;
using XtalPS.Imaging;
using Xunit;

namespace XtalPS.Core.Tests
{
    public class ImgCifWriterTests
    {
        [Theory]
        [InlineData("sim/cspad/cspad_00000.cbf")]
        [InlineData("real/cspad_thermolysin/idx-20130301060858601.cbf")]
        [InlineData("real/pilatus/l-cyst_01_00001.cbf")]
        public void Image_round_trips_geometry_hierarchy_and_pixels(string relative)
        {
            var original = DiffractionImageReader.ReadFrames(SharedData.File_(relative)).Single();
            var path = Path.Combine(Path.GetTempPath(), "xtalps_imgcif_" + Guid.NewGuid().ToString("N") + ".cbf");
            try
            {
                ImgCifWriter.Write(original, path);
                var back = DiffractionImageReader.ReadFrames(path).Single();
                Assert.Equal("imgCIF", back.Format);
                AssertSameGeometry(original.Detector, back.Detector);
                Assert.Equal(original.Beam.Wavelength, back.Beam.Wavelength);
                Assert.True((original.Beam.Direction - back.Beam.Direction).Length < 1e-15);
                for (int i = 0; i < original.PanelCount; i++)
                {
                    Assert.Equal(original.PanelImages[i].Pixels, back.PanelImages[i].Pixels);
                    Assert.Equal(original.PanelImages[i].Mask, back.PanelImages[i].Mask);
                }
            }
            finally { File.Delete(path); }
        }

        [Fact]
        public void Header_alone_round_trips_the_geometry()
        {
            var original = DiffractionImageReader.ReadFrames(SharedData.File_("sim/cspad/cspad_00003.cbf")).Single();
            string header = ImgCifWriter.WriteHeader(original.Detector, original.Beam);
            var geometry = ImgCifReader.ReadGeometry("header.cbf", Encoding.ASCII.GetBytes(header));
            AssertSameGeometry(original.Detector, geometry.Detector);
            Assert.Equal(original.Beam.Wavelength, geometry.Beam.Wavelength);
            var e = Assert.Throws<InvalidImageDataException>(() => CbfReader.Read("header.cbf", Encoding.ASCII.GetBytes(header)));
            Assert.Contains("no pixel data", e.Message);
        }

        [Fact]
        public void Arbitrary_group_and_panel_frames_round_trip()
        {
            // Groups turned by general rotations (including 180°) and panels with skewed, non-unit-pixel frames.
            var rng = new Random(7);
            Vec3 RandomUnit() => new Vec3(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5, rng.NextDouble() - 0.5).Normalized();
            var panels = Enumerable.Range(0, 6).Select(i =>
            {
                var f = RandomUnit();
                var s = (RandomUnit() - f * 0.2).Normalized();
                return new Panel("P" + i, 10 + i, 7 + i, 0.05 + 0.01 * i, new Vec3(rng.NextDouble() * 100 - 50, rng.NextDouble() * 100 - 50, -100 - i), f, s,
                    -3, 1e5, 2.5, 0.06 + 0.01 * i);
            }).ToArray();
            DetectorGroup G(string n, Vec3 f, Vec3 s, int[] idx) => new DetectorGroup(n, new Vec3(rng.NextDouble() * 10, rng.NextDouble() * 10, -90), f, s, panelIndices: idx);
            var a = G("A", new Vec3(-1, 0, 0), new Vec3(0, -1, 0), new[] { 0, 1 });          // 180° about z
            var b = G("B", RandomUnit(), RandomUnit(), new[] { 2, 3, 4 });
            var root = new DetectorGroup("root", new Vec3(1, 2, -95), new Vec3(1, 0, 0), new Vec3(0, -1, 0), new[] { a, b }, new[] { 5 });
            var detector = new DetectorModel("test detector", panels, root);
            var beam = new Beam(0.9, new Vec3(0.01, -0.02, 1));
            var geometry = ImgCifReader.ReadGeometry("t.cbf", Encoding.ASCII.GetBytes(ImgCifWriter.WriteHeader(detector, beam)));
            AssertSameGeometry(detector, geometry.Detector);
            Assert.True((geometry.Beam.Direction - beam.Direction).Length < 1e-12);
            var h = geometry.Detector.Hierarchy;
            Assert.Equal(2, h.Children.Count);
            Assert.Equal(new[] { 5 }, h.PanelIndices.ToArray());
            Assert.Equal("A", h.Children[0].Name);
            Assert.True((h.Children[0].Origin - a.Origin).Length < 1e-9);
            Assert.True((h.Children[0].FastAxis - a.FastAxis).Length < 1e-12);
        }

        private static void AssertSameGeometry(DetectorModel a, DetectorModel b)
        {
            Assert.Equal(a.PanelCount, b.PanelCount);
            for (int i = 0; i < a.PanelCount; i++)
            {
                var p = a.Panels[i]; var q = b.Panels[i];
                Assert.Equal(p.Name, q.Name);
                Assert.Equal(p.Width, q.Width);
                Assert.Equal(p.Height, q.Height);
                Assert.Equal(p.PixelSize, q.PixelSize, 12);
                Assert.Equal(p.PixelSizeSlow, q.PixelSizeSlow, 12);
                Assert.True((p.Origin - q.Origin).Length < 1e-6, $"panel {i}: {p.Origin} vs {q.Origin}");
                Assert.True((p.FastAxis - q.FastAxis).Length < 1e-12, $"panel {i} fast");
                Assert.True((p.SlowAxis - q.SlowAxis).Length < 1e-12, $"panel {i} slow");
                Assert.Equal(p.TrustedMin, q.TrustedMin);
                Assert.Equal(p.TrustedMax, q.TrustedMax);
                Assert.Equal(p.Gain, q.Gain);
            }
            Assert.Equal(a.HierarchyDepth, b.HierarchyDepth);
            var ga = a.Hierarchy.GroupsAtLevel(a.HierarchyDepth);
            var gb = b.Hierarchy.GroupsAtLevel(b.HierarchyDepth);
            Assert.Equal(ga.Count, gb.Count);
            for (int i = 0; i < ga.Count; i++)
            {
                Assert.Equal(ga[i].PanelIndices.ToArray(), gb[i].PanelIndices.ToArray());
                Assert.True((ga[i].Origin - gb[i].Origin).Length < 1e-6);
            }
        }
    }
}
