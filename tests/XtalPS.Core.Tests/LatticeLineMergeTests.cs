using System;
using System.Collections.Generic;
using System.Linq;
using XtalPS.Geometry;
using XtalPS.Extraction;
using XtalPS.Lattices;
using XtalPS.Merging;
using XtalPS.Simulation;
using Xunit;
using Xunit.Abstractions;

namespace XtalPS.Core.Tests
{
    public class LatticeLineMergeTests
    {
        /// <summary>The operator table holds the symmetry the simulated structures have: every reflection's intensity equals
        /// that of its representative in the asymmetric unit, and lines called even are even.</summary>
        [Theory]
        [InlineData("p1")] [InlineData("p2")] [InlineData("p12_a")] [InlineData("p12_b")] [InlineData("p121_a")] [InlineData("c12_b")]
        [InlineData("p222")] [InlineData("p22121")] [InlineData("c222")] [InlineData("p4")] [InlineData("p422")] [InlineData("p4212")]
        [InlineData("p3")] [InlineData("p312")] [InlineData("p321")] [InlineData("p6")] [InlineData("p622")]
        public void Equivalent_reflections_of_a_plane_group_have_equal_intensities(string name)
        {
            var group = PlaneGroup.Parse(name);
            var cell = group.Lattice switch
            {
                PlaneGroup.LatticeKind.Oblique => LatticeTiltTests.Oblique,
                PlaneGroup.LatticeKind.Rectangular => Rectangular,
                PlaneGroup.LatticeKind.Square => new PlanarCell(70, 70, 90),
                _ => new PlanarCell(70, 70, 120),
            };
            var structure = new ThinCrystalStructure(cell, atoms: 12, thickness: 30, bFactor: 0, planeGroup: name, seed: 9);
            int order = group.Operators.Count;
            Assert.Equal(name switch { "p1" => 1, "p2" or "p12_a" or "p12_b" or "p121_a" or "c12_b" => 2, "p222" or "p22121" or "c222" or "p4" => 4, "p3" => 3, "p312" or "p321" or "p6" => 6, "p422" or "p4212" => 8, _ => 12 }, order);
            int evenLines = 0, lines = 0;
            for (int h = -6; h <= 6; h++)
                for (int k = -6; k <= 6; k++)
                {
                    if (h == 0 && k == 0) continue;
                    var (h1, k1, f) = group.ToAsymmetricUnit(h, k, out bool even);
                    foreach (double z in new[] { -0.07, 0.013, 0.11 })
                    {
                        double i0 = structure.Intensity(h, k, z), i1 = structure.Intensity(h1, k1, f * z);
                        Assert.True(Math.Abs(i0 - i1) <= 1e-9 * Math.Max(1, i0), $"{name}: ({h},{k},{z}) {i0} vs ({h1},{k1},{f * z}) {i1}");
                        if (even) Assert.True(Math.Abs(i1 - structure.Intensity(h1, k1, -f * z)) <= 1e-9 * Math.Max(1, i1), $"{name}: ({h1},{k1}) called even");
                    }
                    if (group.IsAbsent(h, k)) Assert.True(structure.Intensity(h, k, 0.05) < 1e-9, $"{name}: ({h},{k}) should be absent");
                    lines++; if (even) evenLines++;
                }
            // A two-fold about the normal makes every line even; without one, only lines on in-plane two-fold axes are.
            if (group.HasNormalTwoFold) Assert.Equal(lines, evenLines); else Assert.True(evenLines < lines / 4, $"{evenLines} of {lines} even");
        }

        [Fact]
        public void A_cell_that_does_not_fit_the_plane_group_is_refused()
        {
            Assert.Contains("hexagonal", PlaneGroup.Parse("p3").CellProblem(new PlanarCell(70, 71, 120)));
            Assert.Contains("rectangular", PlaneGroup.Parse("p222").CellProblem(LatticeTiltTests.Oblique));
            Assert.Null(PlaneGroup.Parse("P 4").CellProblem(new PlanarCell(70, 70, 90)));
            Assert.Equal("p12_b", PlaneGroup.Parse("p12").Name);
            Assert.Throws<ArgumentException>(() => PlaneGroup.Parse("p5"));
            Assert.Equal(21, PlaneGroup.Names.Count);
        }

        private readonly ITestOutputHelper _out;
        public LatticeLineMergeTests(ITestOutputHelper o) { _out = o; }

        internal static readonly PlanarCell Rectangular = new PlanarCell(62, 74, 90);

        // p1 and the monoclinic groups need every image's tilt sign (found pairwise, then refined); p2 and p222 lines are even in z*.
        [Theory]
        [InlineData("p1", 40)]
        [InlineData("p2", 20)]
        [InlineData("p12_b", 20)]
        [InlineData("p222", 20)]
        [InlineData("p4", 20)]
        [InlineData("p321", 20)]
        [InlineData("p6", 20)]
        [InlineData("p3", 30)]
        public void Tilted_images_through_the_default_pipeline_merge_into_the_true_lattice_lines(string group, int images)
        {
            var rng = new RandomSource(77);
            var tilts = new List<LatticeTilt>();
            var truthSigns = new List<int>();
            var cell = PlaneGroup.Parse(group).Lattice switch
            {
                PlaneGroup.LatticeKind.Oblique => LatticeTiltTests.Oblique,
                PlaneGroup.LatticeKind.Rectangular => Rectangular,
                PlaneGroup.LatticeKind.Square => new PlanarCell(70, 70, 90),
                _ => new PlanarCell(70, 70, 120),
            };
            var structure = new ThinCrystalStructure(cell, atoms: 30, thickness: 20, bFactor: 20, planeGroup: group, seed: 3);
            for (int i = 0; i < images; i++)
            {
                double theta = (i % 2 == 0 ? 1 : -1) * (8 + 40 * rng.NextDouble());
                var settings = new TiltedCrystalSettings(structure) { TiltAngle = theta, TiltAxis = -90 + 180 * rng.NextDouble(), Taxa = 360 * rng.NextDouble() };
                var image = LatticeTiltTests.Simulate(settings, 100 + i, 640, 5000);
                var t = LatticeTiltTests.Pipeline(image, cell);
                tilts.Add(t);
                // How this image's z* relate to the truth's (the tilt step cannot know the sign).
                var truth = ((PlanarSimulationTruth)image.Truth!).Spots.ToDictionary(s => (s.H, s.K));
                double dot = t.ReflectionTable.Reflections.Where(r => truth.ContainsKey((r.H, r.K))).Sum(r => r.ZStar * truth[(r.H, r.K)].ZStar);
                truthSigns.Add(Math.Sign(dot));
            }
            // Where the group leaves a re-indexing open (p3, p4, p6), turn every third image by it, as another indexing
            // run could have: the merge must find and undo that too.
            var reindexing = PlaneGroup.Parse(group).Ambiguities.Where(a => !a.TurnsOnlyZ).ToArray();
            if (reindexing.Length > 0)
                for (int i = 0; i < tilts.Count; i += 3)
                    foreach (var r in tilts[i].ReflectionTable.Reflections)
                    {
                        double z;
                        (r.H, r.K, z) = reindexing[0].Apply(r.H, r.K, r.ZStar);
                        r.ZStar = z;
                    }
            var result = LatticeLineMerge.Merge(tilts.Select(t => t.ReflectionTable).ToList(),
                new LatticeLineMergeSettings { Cell = cell, PlaneGroup = group, Thickness = 20 });
            var planeGroup = PlaneGroup.Parse(group);
            bool signed = !planeGroup.HasNormalTwoFold;
            // The merge's signs agree with the truth up to one overall sign. Checked where the truth's indices are the
            // pipeline's (oblique and rectangular lattices; a square or hexagonal lattice may be indexed in a rotated setting).
            if (signed && planeGroup.Lattice <= PlaneGroup.LatticeKind.Rectangular)
            {
                var rel = result.Signs.Zip(truthSigns, (a, b) => a * b).ToList();
                _out.WriteLine($"signs × truth: {string.Join(" ", rel)}");
                Assert.True(rel.All(x => x == rel[0]), "image tilt signs not resolved");
            }
            _out.WriteLine($"choices: {string.Join(" ", result.Signs)}");
            _out.WriteLine($"scales: {string.Join(" ", result.Scales.Select(s => s.ToString("0.000")))}");
            Assert.True(result.Scales.Max() / result.Scales.Min() < 1.1, "scales of equally bright images differ");
            var pts = result.Reflections.Where(p => p.Observations >= 8).ToList();
            // The merge's overall choices (sign, indexing) are arbitrary: compare with the truth every way and keep the best.
            double Truth(MergedLatticePoint p, int combination)
            {
                int h = p.H, k = p.K; double z = p.ZStar;
                for (int a = 0; a < planeGroup.Ambiguities.Count; a++)
                    if ((combination >> a & 1) != 0) (h, k, z) = planeGroup.Ambiguities[a].Apply(h, k, z);
                return structure.Intensity(h, k, z);
            }
            double CC(IEnumerable<MergedLatticePoint> sel, int combination) => PeakIntegrationTests.Pearson(sel.Select(p => p.Intensity).ToList(), sel.Select(p => Truth(p, combination)).ToList());
            var byCombination = Enumerable.Range(0, 1 << planeGroup.Ambiguities.Count).Select(c => CC(pts, c)).ToArray();
            int best = Array.IndexOf(byCombination, byCombination.Max());
            double cc = byCombination[best];
            foreach (var s in result.Shells) _out.WriteLine($"{s.Kind} {s.Low:0.000}-{s.High:0.000}: n {s.Count} <I/σ> {s.MeanIOverSigma:0.0} R {s.Residual:0.000}");
            _out.WriteLine($"{group}: {result.ObservationCount} observations, {result.Curves.Count} lattice lines, {pts.Count} (h,k,l) with ≥ 8 observations, CC with the truth {cc:0.0000} (all settings: {string.Join(" ", byCombination.Select(x => x.ToString("0.000")))})");
            foreach (var band in new[] { (100.0, 15.0), (15.0, 10.0), (10.0, 8.0), (8.0, 6.0), (6.0, 0.0) })
            {
                var sel = pts.Where(p => p.D <= band.Item1 && p.D > band.Item2).ToList();
                if (sel.Count > 5) _out.WriteLine($"d {band}: {sel.Count} CC {CC(sel, best):0.000} I/σ {sel.Average(p => p.Intensity / p.Sigma):0.0}");
            }
            // More symmetry, fewer unique lines: p321 has a sixth of p1's.
            Assert.True(pts.Count > (planeGroup.Operators.Count <= 2 ? 500 : 250), $"{pts.Count} merged reflections");
            Assert.True(cc >= 0.95, $"CC {cc}");
        }
    }
}
