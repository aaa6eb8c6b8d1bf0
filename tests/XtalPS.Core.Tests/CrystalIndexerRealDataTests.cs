using System;
using System.Linq;
using XtalPS.Formats;
using XtalPS.Imaging;
using XtalPS.Lattices;
using XtalPS.Spots;
using Xunit;
using Xunit.Abstractions;

namespace XtalPS.Core.Tests
{
    /// <summary>
    /// Known-cell indexing of real XFEL stills (thermolysin on the LCLS CSPAD, geometry unrefined) and of the simulated
    /// CSPAD stills indexed against the nominal (misplaced) geometry in their headers, whose true orientation is known.
    /// </summary>
    public class CrystalIndexerRealDataTests
    {
        private static readonly UnitCell Thermolysin = new UnitCell(92.9, 92.9, 130.4, 90, 90, 120);
        private readonly ITestOutputHelper _out;
        public CrystalIndexerRealDataTests(ITestOutputHelper output) { _out = output; }

        private static DiffractionImage Shot(string shot) =>
            DiffractionImageReader.ReadFrames(SharedData.File_($"real/cspad_thermolysin/idx-20130301060858{shot}.cbf")).First();

        /// <summary>The DIALS stills_process settings for these shots (few, clean spots), and two noisy lists with hundreds
        /// of spots, most of them not Bragg spots.</summary>
        private static SpotFindingSettings SpotSettings(string list) => list switch
        {
            "dials" => new SpotFindingSettings { Gain = 25, MinSpotSize = 2, Dispersion = new DispersionParameters { GlobalThreshold = 100 } },
            "extended-gain5.5" => new SpotFindingSettings { Gain = 5.5 },
            "dispersion-gain5.5" => new SpotFindingSettings { Algorithm = SpotAlgorithm.Dispersion, Gain = 5.5 },
            _ => throw new ArgumentException(list),
        };

        private CrystalLattice IndexShot(DiffractionImage image, string list)
        {
            var spots = SpotFinder.Find(image, SpotSettings(list)).Spots;
            var result = CrystalIndexer.Index(spots, new IndexingSettings { UnitCell = Thermolysin, SpaceGroup = SpaceGroup.Parse("P6122") });
            _out.WriteLine($"{image.Name} {list}: {spots.Count} spots: {result}");
            Assert.True(result.Success, result.ToString());
            var lattice = result.Lattices[0];
            Assert.Equal("P 61 2 2", lattice.SpaceGroup);
            var c = lattice.UnitCell;
            Assert.True(Math.Abs(c.A / 92.9 - 1) <= 0.01 && Math.Abs(c.B / 92.9 - 1) <= 0.01 && Math.Abs(c.C / 130.4 - 1) <= 0.01, $"cell {c}");
            Assert.Equal(120, c.Gamma, 6);
            // Unrefined CSPAD metrology: RMSDs up to about 2 px are expected (DIALS: 1.74 px), within the default 2.5 px.
            Assert.True(lattice.Rmsd <= 2.5, $"RMSD {lattice.Rmsd}");
            Assert.True(lattice.IndexedCount >= 30, $"{lattice.IndexedCount} indexed");
            return lattice;
        }

        [Theory]
        [InlineData("601")]
        [InlineData("801")]
        public void ThermolysinShotsIndexAsP6122FromCleanAndNoisySpotLists(string shot)
        {
            var image = Shot(shot);
            var lattices = new[] { "dials", "extended-gain5.5", "dispersion-gain5.5" }.Select(l => IndexShot(image, l)).ToArray();
            // The noisy lists must give the same crystal as the clean one: the same orientation to a fraction of a degree
            // (stills on an unrefined detector fix the rotation about the beam less well than the others).
            for (int i = 1; i < lattices.Length; i++)
            {
                double mis = lattices[0].MisorientationTo(lattices[i]);
                _out.WriteLine($"misorientation to the clean-list lattice: {mis:0.000}°");
                Assert.True(mis < 0.5, $"{mis}°");
            }
        }

        [Theory]
        [InlineData(0)]
        [InlineData(3)]
        [InlineData(7)]
        public void SimulatedCspadStillsIndexOnTheNominalGeometryToTheTrueOrientation(int k)
        {
            string name = $"sim/cspad/cspad_{k:D5}";
            var image = DiffractionImageReader.ReadFrames(SharedData.File_(name + ".cbf")).First();
            var truth = StillTruth.Load(name + ".json");
            var group = SpaceGroup.Parse(truth.SpaceGroup);
            var spots = SpotFinder.Find(image, new SpotFindingSettings()).Spots;
            var result = CrystalIndexer.Index(spots, new IndexingSettings { UnitCell = truth.Cell, SpaceGroup = group });
            Assert.True(result.Success, result.ToString());
            var lattice = result.Lattices[0];
            double mis = CrystalOrientation.MisorientationDegrees(lattice.AMatrix, truth.A, group);
            _out.WriteLine($"{name}: {result}, misorientation {mis:0.000}°");
            Assert.True(mis <= 0.1, $"{mis}°");
            // The panels were simulated 0.2–2 px away from the header geometry: the RMSD shows it, and stays under the limit.
            Assert.InRange(lattice.Rmsd, 1.0, 2.5);
            Assert.True(lattice.IndexedCount >= 0.95 * spots.Count);
            Assert.True(Math.Abs(lattice.UnitCell.A / truth.Cell.A - 1) < 0.003 && Math.Abs(lattice.UnitCell.C / truth.Cell.C - 1) < 0.003, lattice.UnitCell.ToString());
        }
    }
}
