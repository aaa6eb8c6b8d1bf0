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
        private readonly ITestOutputHelper _out;
        public LatticeLineMergeTests(ITestOutputHelper o) { _out = o; }

        // p2 only: in p1 the per-image tilt signs must be found, and on these 20 images the sign choice agreed
        // with the truth for only 12–16 of them, so p1 merging is not offered yet.
        [Theory]
        [InlineData("p2")]
        public void Tilted_images_through_the_default_pipeline_merge_into_the_true_lattice_lines(string group)
        {
            var rng = new RandomSource(77);
            var tilts = new List<LatticeTilt>();
            var truthSigns = new List<int>();
            var structure = new ThinCrystalStructure(LatticeTiltTests.Oblique, atoms: 30, thickness: 20, bFactor: 20, planeGroup: group, seed: 3);
            for (int i = 0; i < 20; i++)
            {
                double theta = (i % 2 == 0 ? 1 : -1) * (8 + 40 * rng.NextDouble());
                var settings = new TiltedCrystalSettings(structure) { TiltAngle = theta, TiltAxis = -90 + 180 * rng.NextDouble(), Taxa = 360 * rng.NextDouble() };
                var image = LatticeTiltTests.Simulate(settings, 100 + i, 640, 5000);
                var t = LatticeTiltTests.Pipeline(image, LatticeTiltTests.Oblique);
                tilts.Add(t);
                // How this image's z* relate to the truth's (the tilt step cannot know the sign).
                var truth = ((PlanarSimulationTruth)image.Truth!).Spots.ToDictionary(s => (s.H, s.K));
                double dot = t.ReflectionTable.Reflections.Where(r => truth.ContainsKey((r.H, r.K))).Sum(r => r.ZStar * truth[(r.H, r.K)].ZStar);
                truthSigns.Add(Math.Sign(dot));
            }
            var result = LatticeLineMerge.Merge(tilts.Select(t => t.ReflectionTable).ToList(),
                new LatticeLineMergeSettings { Cell = LatticeTiltTests.Oblique, PlaneGroup = group, Thickness = 20 });
            // The merge's signs agree with the truth up to one overall sign (p1; p2 lines are even in z*).
            if (group == "p1")
            {
                var rel = result.Signs.Zip(truthSigns, (a, b) => a * b).ToList();
                _out.WriteLine($"signs × truth: {string.Join(" ", rel)}");
                Assert.True(rel.All(x => x == rel[0]), "image tilt signs not resolved");
            }
            _out.WriteLine($"scales: {string.Join(" ", result.Scales.Select(s => s.ToString("0.000")))}");
            Assert.True(result.Scales.Max() / result.Scales.Min() < 1.1, "scales of equally bright images differ");
            int overall = group == "p1" ? result.Signs[0] * truthSigns[0] : 1;
            var pts = result.Reflections.Where(p => p.Observations >= 8).ToList();
            var truthI = pts.Select(p => structure.Intensity(p.H, p.K, overall * p.ZStar)).ToList();
            double cc = PeakIntegrationTests.Pearson(pts.Select(p => p.Intensity).ToList(), truthI);
            foreach (var s in result.Shells) _out.WriteLine($"{s.Kind} {s.Low:0.000}-{s.High:0.000}: n {s.Count} <I/σ> {s.MeanIOverSigma:0.0} R {s.Residual:0.000}");
            _out.WriteLine($"{group}: {result.ObservationCount} observations, {result.Curves.Count} lattice lines, {pts.Count} (h,k,l) with ≥ 8 observations, CC with the truth {cc:0.0000}");
            Assert.True(pts.Count > 500, $"{pts.Count} merged reflections");
            Assert.True(cc >= 0.95, $"CC {cc}");
        }
    }
}
