using System;
using System.Globalization;
using System.IO;
using System.Linq;
using XtalPS.Formats;
using XtalPS.Spots;
using Xunit;
using Xunit.Abstractions;

namespace XtalPS.Core.Tests
{
    /// <summary>Our dispersion_extended against dials.find_spots spot lists stored in TestData/dials.</summary>
    public class SpotFinderDialsTests
    {
        private readonly ITestOutputHelper _out;
        public SpotFinderDialsTests(ITestOutputHelper output) { _out = output; }

        private static (int Panel, double X, double Y, double VarX, double VarY, double I)[] LoadDials(string file) =>
            File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "TestData", "dials", file))
                .Where(l => !l.StartsWith("#", StringComparison.Ordinal) && l.Trim().Length > 0)
                .Select(l => l.Split(' '))
                .Select(f => (int.Parse(f[0], CultureInfo.InvariantCulture), double.Parse(f[1], CultureInfo.InvariantCulture),
                    double.Parse(f[2], CultureInfo.InvariantCulture), double.Parse(f[3], CultureInfo.InvariantCulture),
                    double.Parse(f[4], CultureInfo.InvariantCulture), double.Parse(f[5], CultureInfo.InvariantCulture)))
                .ToArray();

        [Theory]
        [InlineData("sim/single1024/still_00000.cbf", "single1024_still_00000.txt")]
        [InlineData("sim/single1024/still_00001.cbf", "single1024_still_00001.txt")]
        [InlineData("sim/single1024/still_00002.cbf", "single1024_still_00002.txt")]
        [InlineData("sim/single1024/still_00003.cbf", "single1024_still_00003.txt")]
        [InlineData("sim/pilatus6m/still_00000.cbf", "pilatus6m_still_00000.txt")]
        [InlineData("sim/cspad/cspad_00000.cbf", "cspad_00000.txt")]
        [InlineData("sim/cspad/cspad_00001.cbf", "cspad_00001.txt")]
        public void Finds_the_same_spots_as_dials_find_spots(string image, string dialsFile)
        {
            var dials = LoadDials(dialsFile);
            var img = DiffractionImageReader.ReadFrames(SharedData.File_(image)).Single();
            var ours = SpotFinder.Find(img, new SpotFindingSettings { MinSpotSize = 3 }).Spots.Spots;
            _out.WriteLine($"{image}: ours {ours.Count}, DIALS {dials.Length}");
            Assert.Equal(dials.Length, ours.Count);
            MatchEvery(dials, ours);
        }

        private static void MatchEvery((int Panel, double X, double Y, double VarX, double VarY, double I)[] dials,
            System.Collections.Generic.IReadOnlyList<BraggSpot> ours)
        {
            int matched = 0;
            foreach (var d in dials)
            {
                var best = ours.Where(s => s.Panel == d.Panel).OrderBy(s => Math.Abs(s.X - d.X) + Math.Abs(s.Y - d.Y)).First();
                Assert.Equal(d.X, best.X, 1e-5);
                Assert.Equal(d.Y, best.Y, 1e-5);
                Assert.Equal(d.I, best.Intensity, 0.06);
                Assert.Equal(d.VarX, best.VarianceX, 1e-5);
                Assert.Equal(d.VarY, best.VarianceY, 1e-5);
                matched++;
            }
            Assert.Equal(dials.Length, matched);
        }

        /// <summary>Real LCLS CSPAD shot: DIALS's plain dispersion with defaults (gain 1, min_spot_size 6 there) finds 1148 spots.</summary>
        [Fact]
        public void Thermolysin_CSPAD_dispersion_spots_equal_DIALS()
        {
            var dials = LoadDials("thermolysin_801_dispersion.txt");
            var img = DiffractionImageReader.ReadFrames(SharedData.File_("real/cspad_thermolysin/idx-20130301060858801.cbf")).Single();
            var result = SpotFinder.Find(img, new SpotFindingSettings { Algorithm = SpotAlgorithm.Dispersion, MinSpotSize = 6 });
            Assert.Equal(1148, result.Spots.Count);
            Assert.Equal(285204, result.StrongPixels);
            MatchEvery(dials, result.Spots.Spots);
        }

        /// <summary>The default (extended) threshold with gain 1 on the same pedestal-subtracted shot marks most pixels
        /// strong; DIALS refuses it too ("strong pixels greater than the maximum allowed").</summary>
        [Fact]
        public void Thermolysin_CSPAD_with_the_wrong_gain_is_refused_like_DIALS()
        {
            var img = DiffractionImageReader.ReadFrames(SharedData.File_("real/cspad_thermolysin/idx-20130301060858801.cbf")).Single();
            var e = Assert.Throws<SpotFindingException>(() => SpotFinder.Find(img, new SpotFindingSettings()));
            Assert.Equal("TooManyStrongPixels", e.ErrorId);
            Assert.Contains("1624568 of", e.Message);
        }

        [Theory]
        // dials.find_spots (min_spot_size 3) finds these many strong truth reflections on each simulated CSPAD still.
        [InlineData(0, 272)] [InlineData(1, 324)] [InlineData(2, 380)] [InlineData(3, 298)]
        [InlineData(4, 303)] [InlineData(5, 292)] [InlineData(6, 400)] [InlineData(7, 272)]
        public void CSPAD_stills_recall_at_least_DIALS_with_high_precision(int index, int dialsFound)
        {
            var name = $"sim/cspad/cspad_{index:D5}";
            var img = DiffractionImageReader.ReadFrames(SharedData.File_(name + ".cbf")).Single();
            var result = SpotFinder.Find(img, new SpotFindingSettings());
            var score = SpotScore.Of(result.Spots, name + ".json");
            _out.WriteLine($"{name}: {score}");
            Assert.True(score.FoundStrong >= dialsFound, score.ToString());
            Assert.True(score.Precision >= 0.99, score.ToString());
        }

        [Fact]
        public void Pilatus_6M_still_recall_at_least_DIALS()
        {
            var img = DiffractionImageReader.ReadFrames(SharedData.File_("sim/pilatus6m/still_00000.cbf")).Single();
            var result = SpotFinder.Find(img, new SpotFindingSettings());
            var score = SpotScore.Of(result.Spots, "sim/pilatus6m/still_00000.json");
            _out.WriteLine(score.ToString());
            // dials.find_spots (min_spot_size 3) scores 0.933 recall, precision 1.000 here.
            Assert.True(score.Recall >= 0.933, score.ToString());
            Assert.True(score.Precision >= 0.99, score.ToString());
        }

        [Fact]
        public void Same_spots_at_any_thread_count()
        {
            var img = DiffractionImageReader.ReadFrames(SharedData.File_("sim/pilatus6m/still_00000.cbf")).Single();
            var serial = SpotFinder.Find(img, new SpotFindingSettings { MaxDegreeOfParallelism = 1 }).Spots.Spots;
            var parallel = SpotFinder.Find(img, new SpotFindingSettings { MaxDegreeOfParallelism = 4 }).Spots.Spots;
            Assert.Equal(serial.Select(s => (s.Panel, s.X, s.Y, s.Intensity)), parallel.Select(s => (s.Panel, s.X, s.Y, s.Intensity)));
        }
    }
}
