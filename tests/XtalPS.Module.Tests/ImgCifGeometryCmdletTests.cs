using System.IO;
using System.Linq;
using XtalPS.Geometry;
using Xunit;

namespace XtalPS.Module.Tests
{
    [Collection(EngineCollection.Name)]
    public class ImgCifGeometryCmdletTests
    {
        private readonly EngineFixture _e;
        public ImgCifGeometryCmdletTests(EngineFixture e) { _e = e; }

        [Fact]
        public void CSPAD_geometry_round_trips_through_an_imgCIF_header()
        {
            var dir = Directory.CreateTempSubdirectory("xtalps_imgcif_").FullName;
            try
            {
                var header = Path.Combine(dir, "cspad_geometry.cbf");
                var result = _e.InvokeOk(
                    "$g = Import-DetectorModel -LiteralPath $args[0] -IncludeBeam; $g | Export-DetectorModel -Path $args[1]; $g.Detector; Import-DetectorModel -LiteralPath $args[1]",
                    _e.Shared("sim/cspad/cspad_00000.cbf"), header);
                var original = (DetectorModel)result[0].BaseObject;
                var back = (DetectorModel)result[1].BaseObject;
                Assert.Equal(64, back.PanelCount);
                Assert.Equal(original.HierarchyDepth, back.HierarchyDepth);
                for (int i = 0; i < 64; i++)
                {
                    Assert.True((original.Panels[i].Origin - back.Panels[i].Origin).Length < 1e-6);
                    Assert.True((original.Panels[i].FastAxis - back.Panels[i].FastAxis).Length < 1e-9);
                }
                Assert.StartsWith("###CBF", File.ReadAllText(header));
            }
            finally { Directory.Delete(dir, true); }
        }
    }
}
