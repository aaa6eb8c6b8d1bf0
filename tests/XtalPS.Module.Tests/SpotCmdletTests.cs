using System.Linq;
using System.Management.Automation;
using XtalPS.Spots;
using Xunit;

namespace XtalPS.Module.Tests
{
    [Collection(EngineCollection.Name)]
    public class SpotCmdletTests
    {
        private readonly EngineFixture _e;
        public SpotCmdletTests(EngineFixture e) { _e = e; }

        [Fact]
        public void Find_BraggSpot_streams_one_SpotList_per_image_in_order_at_any_throttle()
        {
            var serial = _e.InvokeOk("Import-DiffractionImage (Join-Path $args[0] 'sim/single1024/*.cbf') | Find-BraggSpot", _e.SharedData)
                .Select(o => (SpotList)o.BaseObject).ToArray();
            Assert.Equal(new[] { 324, 234, 299, 333 }, serial.Select(s => s.Count).ToArray());
            Assert.Equal(new[] { "still_00000.cbf", "still_00001.cbf", "still_00002.cbf", "still_00003.cbf" }, serial.Select(s => s.Source.Name).ToArray());
            var parallel = _e.InvokeOk("Import-DiffractionImage (Join-Path $args[0] 'sim/single1024/*.cbf') -ThrottleLimit 2 | Find-BraggSpot -ThrottleLimit 2", _e.SharedData)
                .Select(o => (SpotList)o.BaseObject).ToArray();
            Assert.Equal(serial.SelectMany(s => s.Spots.Select(p => (p.X, p.Y, p.Intensity))), parallel.SelectMany(s => s.Spots.Select(p => (p.X, p.Y, p.Intensity))));
        }

        [Fact]
        public void AsSpots_streams_spots_for_Where_Object()
        {
            var spots = _e.InvokeOk("Import-DiffractionImage (Join-Path $args[0] 'sim/single1024/still_00000.cbf') | Find-BraggSpot -AsSpots | Where-Object D -lt 2", _e.SharedData)
                .Select(o => (BraggSpot)o.BaseObject).ToArray();
            Assert.NotEmpty(spots);
            Assert.All(spots, s => Assert.True(s.D < 2));
        }

        [Fact]
        public void A_wrong_gain_is_a_non_terminating_error_that_names_the_gain()
        {
            var result = _e.Invoke("New-SimulatedImage -Width 256 -Height 256 -Gain 8 -Background 200 -Count 2 | Find-BraggSpot -Gain 0.05", out var errors);
            Assert.Empty(result);
            Assert.Equal(2, errors.Length);
            Assert.Equal("TooManyStrongPixels,XtalPS.Commands.FindBraggSpotCommand", errors[0].FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidData, errors[0].CategoryInfo.Category);
            Assert.Contains("Measure-DetectorGain", errors[0].Exception.Message);
        }

        [Fact]
        public void Measure_DetectorGain_estimates_the_gain_and_warns_when_it_disagrees()
        {
            var estimates = _e.InvokeOk("New-SimulatedImage -Width 768 -Height 768 -Gain 4 -Seed 3 | Measure-DetectorGain")
                .Select(o => (GainEstimate)o.BaseObject).ToArray();
            Assert.InRange(Assert.Single(estimates).Gain, 3.8, 4.2);
            var text = _e.Render("New-SimulatedImage -Width 256 -Height 256 -Gain 4 -Seed 3 -Detector (New-SimulatedImage -Width 256 -Height 256).Detector | Measure-DetectorGain");
            Assert.Contains("Gain", text);
            Assert.Contains("pass -Gain", _e.Errors.ToString());
        }

        [Fact]
        public void Gain_map_and_automatic_threshold_through_the_engine()
        {
            // A gain map made from the image itself (every pixel 7.5) gives the same spots as -Gain 7.5.
            var same = _e.InvokeOk(@"$img = Import-DiffractionImage -LiteralPath $args[0]
                $panels = [XtalPS.Imaging.PanelImage[]]@($img.PanelImages | ForEach-Object {
                    $gains = [System.Linq.Enumerable]::ToArray([System.Linq.Enumerable]::Repeat([float]7.5, $_.Pixels.Length))
                    [XtalPS.Imaging.PanelImage]::new($_.PanelIndex, $_.Width, $_.Height, $gains) })
                $map = $img.WithPanelImages($panels)
                ($img | Find-BraggSpot -Gain 7.5).Count; ($img | Find-BraggSpot -GainMap $map).Count", _e.Shared("sim/cspad/cspad_00001.cbf"));
            Assert.Equal(same[0].BaseObject, same[1].BaseObject);
            _e.Invoke("New-SimulatedImage | Find-BraggSpot -AutoGlobalThreshold -GlobalThreshold 5", out var errors);
            Assert.Equal("ConflictingThresholds,XtalPS.Commands.FindBraggSpotCommand", Assert.Single(errors).FullyQualifiedErrorId);
            var auto = _e.InvokeOk("New-SimulatedImage -Seed 4 | Find-BraggSpot -AutoGlobalThreshold");
            Assert.True(((SpotList)auto.Single().BaseObject).Count > 100);
        }

        [Fact]
        public void SpotList_table_view_shows_count_and_resolution()
        {
            var text = _e.Render($"Import-DiffractionImage '{_e.Shared("sim/single1024/still_00000.cbf")}' | Find-BraggSpot");
            Assert.Matches(@"still_00000\.cbf\s+324\s+\d+(\.\d)?\s+\d\.\d+\s+DispersionExtended", text);
        }
    }
}
