using System;
using System.Diagnostics;
using System.Linq;
using XtalPS.Formats;
using XtalPS.Geometry;
using XtalPS.Lattices;
using XtalPS.Spots;
using Xunit;
using Xunit.Abstractions;

namespace XtalPS.Core.Tests
{
    public class CrystalIndexerTests
    {
        private readonly ITestOutputHelper _out;
        public CrystalIndexerTests(ITestOutputHelper output) { _out = output; }

        public static TheoryData<string> Stills => new TheoryData<string>
        {
            "sim/single1024/still_00000", "sim/single1024/still_00001", "sim/single1024/still_00002",
            "sim/single1024/still_00003", "sim/pilatus6m/still_00000",
        };

        internal static (SpotList Spots, StillTruth Truth) Load(string name)
        {
            var image = DiffractionImageReader.ReadFrames(SharedData.File_(name + ".cbf")).First();
            var spots = SpotFinder.Find(image, new SpotFindingSettings()).Spots;
            return (spots, StillTruth.Load(name + ".json"));
        }

        [Theory]
        [MemberData(nameof(Stills))]
        public void KnownCellIndexingRecoversTheTruthOrientationAndCell(string name)
        {
            var (spots, truth) = Load(name);
            var group = SpaceGroup.Parse(truth.SpaceGroup);
            var settings = new IndexingSettings { UnitCell = truth.Cell, SpaceGroup = group };
            var result = CrystalIndexer.Index(spots, settings);
            Assert.True(result.Success, result.ToString());
            var lattice = result.Lattices[0];
            double mis = CrystalOrientation.MisorientationDegrees(lattice.AMatrix, truth.A, group);
            var c = lattice.UnitCell;
            double dA = Math.Abs(c.A / truth.Cell.A - 1), dC = Math.Abs(c.C / truth.Cell.C - 1);
            // Miller indices agree with the truth (after the Laue re-indexing that brings the lattice onto the truth).
            int agree = 0, compared = 0;
            double truthSs = 0;
            var truthIndex = Enumerable.Range(0, truth.H.Length).Where(i => !double.IsNaN(truth.X[i])).ToList();
            foreach (var s in lattice.IndexedSpots)
            {
                // Nearest truth reflection to the spot.
                int best = -1; double bd = 2;
                foreach (int i in truthIndex)
                {
                    double d = Math.Sqrt((truth.X[i] - s.Spot.X) * (truth.X[i] - s.Spot.X) + (truth.Y[i] - s.Spot.Y) * (truth.Y[i] - s.Spot.Y));
                    if (d < bd) { bd = d; best = i; }
                }
                if (best < 0) continue;
                compared++;
                truthSs += (truth.X[best] - s.Spot.X) * (truth.X[best] - s.Spot.X) + (truth.Y[best] - s.Spot.Y) * (truth.Y[best] - s.Spot.Y);
                // r = A·h must be the same reciprocal vector under both models.
                var r1 = lattice.AMatrix * new Vec3(s.H, s.K, s.L);
                var r2 = truth.A * new Vec3(truth.H[best], truth.K[best], truth.L[best]);
                if ((r1 - r2).Length < 0.01 * r2.Length) agree++;
            }
            // The true crystal's own geometric predictions miss the spot centroids by this much (partiality, bandwidth).
            double truthRmsd = Math.Sqrt(truthSs / Math.Max(1, compared));
            _out.WriteLine($"{name}: {spots.Count} spots, {lattice.IndexedCount} indexed, RMSD {lattice.Rmsd:0.###} px (true model {truthRmsd:0.###} px), misorientation {mis:0.0000}°, " +
                           $"cell {c} (Δa {100 * dA:0.###}%, Δc {100 * dC:0.###}%), mosaicity {lattice.Mosaicity:0.###}°, hkl agree {agree}/{compared}");
            Assert.True(mis <= 0.05, $"misorientation {mis}°");
            Assert.True(dA <= 0.003 && dC <= 0.003, $"cell {c}");
            Assert.True(lattice.Rmsd <= Math.Max(0.5, truthRmsd), $"RMSD {lattice.Rmsd}, true model {truthRmsd}");
            Assert.True(lattice.IndexedCount >= 0.6 * spots.Count, $"{lattice.IndexedCount} of {spots.Count}");
            Assert.True(agree >= 0.98 * compared && compared > 50, $"{agree}/{compared}");
            Assert.Equal("P 43 21 2", lattice.SpaceGroup);
            Assert.Same(spots, lattice.Spots);
            // Indexed spots carry the predictions the lattice makes.
            var first = lattice.IndexedSpots[0];
            Assert.True(lattice.TryPredict(first.H, first.K, first.L, out var p));
            Assert.Equal(first.PredictedX, p.X, 6);
            Assert.Equal(first.DeltaPsi, p.DeltaPsi, 9);
        }
    }
}
