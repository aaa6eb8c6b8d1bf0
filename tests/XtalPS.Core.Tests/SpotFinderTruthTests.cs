using System;
using System.Linq;
using XtalPS.Formats;
using XtalPS.Spots;
using Xunit;
using Xunit.Abstractions;

namespace XtalPS.Core.Tests
{
    public class SpotFinderTruthTests
    {
        private readonly ITestOutputHelper _out;
        public SpotFinderTruthTests(ITestOutputHelper output) { _out = output; }

        [Theory]
        // dials.find_spots 3.12 (min_spot_size 3) on the same images, scored the same way (strong truth reflections found): TestData/dials.
        [InlineData("sim/single1024/still_00000", 319)]
        [InlineData("sim/single1024/still_00001", 233)]
        [InlineData("sim/single1024/still_00002", 297)]
        [InlineData("sim/single1024/still_00003", 333)]
        public void DispersionExtended_on_1024_stills_meets_DIALS_recall_with_high_precision(string name, int dialsFound)
        {
            var image = DiffractionImageReader.ReadFrames(SharedData.File_(name + ".cbf")).Single();
            var result = SpotFinder.Find(image, new SpotFindingSettings());
            var score = SpotScore.Of(result.Spots, name + ".json");
            _out.WriteLine($"{name}: {score}");
            Assert.True(score.FoundStrong >= dialsFound, score.ToString());
            Assert.True(score.Precision >= 0.99, score.ToString());
            Assert.True(score.MedianError <= 0.03, score.ToString());
        }
    }
}
