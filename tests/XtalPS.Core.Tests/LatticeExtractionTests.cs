using System;
using System.Collections.Generic;
using System.Linq;
using XtalPS.Extraction;
using XtalPS.Geometry;
using XtalPS.Integration;
using XtalPS.Lattices;
using XtalPS.Simulation;
using Xunit;
using Xunit.Abstractions;

namespace XtalPS.Core.Tests
{
    public class LatticeExtractionTests
    {
        private readonly ITestOutputHelper _out;
        public LatticeExtractionTests(ITestOutputHelper o) { _out = o; }

        internal static Dictionary<(int, int), Lattice2dTruth.Spot> ByIndex(Lattice2dTruth t) => t.Spots.ToDictionary(s => (s.H, s.K));

        [Theory]
        [InlineData(0)]
        [InlineData(1)]
        [InlineData(2)]
        public void Fitted_centres_and_refined_lattice_match_the_lattice2d_truth(int index)
        {
            var t = Lattice2dTruth.Load(index);
            // Start from the truth, nudged by a few tenths of a pixel, so refinement has something to do.
            var start = new PlanarLattice(t.Origin + new Vec2(0.4, -0.3), t.A + new Vec2(0.02, 0.01), t.B + new Vec2(-0.01, 0.02), t.Image);
            var table = LatticeGaussianFit.Extract(t.Image, start, new ExtractionSettings());
            var truth = ByIndex(t);
            var strong = table.Reflections.Where(r => r.WellBehaved && truth.TryGetValue((r.H, r.K), out var s) && s.TrueIOverSigma > 20).ToList();
            double rms = Math.Sqrt(strong.Average(r => { var s = truth[(r.H, r.K)]; return (r.X - s.X) * (r.X - s.X) + (r.Y - s.Y) * (r.Y - s.Y); }));
            var refined = (PlanarLattice)table.RefinedLattice!;
            double dO = (refined.Origin - t.Origin).Length, dA = (refined.A - t.A).Length, dB = (refined.B - t.B).Length;
            _out.WriteLine($"image {index}: {table.Count} fits, {table.WellBehavedCount} well behaved, {strong.Count} strong; centre RMS {rms:0.0000} px; " +
                $"origin {dO:0.00000} A {dA:0.00000} B {dB:0.00000} px; lattice rmsd {refined.Rmsd:0.0000}");
            var medianSigma = LatticeGaussianFit.MedianShape(table.Reflections.ToList());
            _out.WriteLine($"median shape σ {medianSigma?.SigmaMajor:0.000}/{medianSigma?.SigmaMinor:0.000} vs truth {t.SigmaX:0.000}/{t.SigmaY:0.000}");
            foreach (var (lo, hi) in new[] { (20.0, 30.0), (30.0, 50.0), (50.0, 100.0), (100.0, 1e9) })
            {
                var bin = strong.Where(r => truth[(r.H, r.K)].TrueIOverSigma >= lo && truth[(r.H, r.K)].TrueIOverSigma < hi).ToList();
                if (bin.Count == 0) continue;
                double rb = Math.Sqrt(bin.Average(r => { var q = truth[(r.H, r.K)]; return (r.X - q.X) * (r.X - q.X) + (r.Y - q.Y) * (r.Y - q.Y); }));
                double chi = bin.Average(r => { var q = truth[(r.H, r.K)]; return 0.5 * ((r.X - q.X) * (r.X - q.X) / (r.XSigma * r.XSigma) + (r.Y - q.Y) * (r.Y - q.Y) / (r.YSigma * r.YSigma)); });
                double mx = bin.Average(r => r.X - truth[(r.H, r.K)].X), my = bin.Average(r => r.Y - truth[(r.H, r.K)].Y);
                _out.WriteLine($"  I/σ {lo}-{hi}: n {bin.Count} rms {rb:0.0000} mean dx {mx:0.0000} dy {my:0.0000} <z²> {chi:0.00} chi2 {bin.Average(r => r.FitChiSquare):0.00}");
            }
            Assert.True(strong.Count > 50, $"only {strong.Count} strong well-behaved spots");
            // The errors are what the fit's own σ says (Poisson-weighted LM sits at the Cramér–Rao bound for these
            // images, about 0.06 px per axis at I/σ 20 with ~100 counts/px background), and unbiased.
            double z2 = strong.Average(r => { var q = truth[(r.H, r.K)]; return 0.5 * ((r.X - q.X) * (r.X - q.X) / (r.XSigma * r.XSigma) + (r.Y - q.Y) * (r.Y - q.Y) / (r.YSigma * r.YSigma)); });
            Assert.InRange(z2, 0.75, 1.3);
            Assert.True(Math.Abs(strong.Average(r => r.X - truth[(r.H, r.K)].X)) < 0.02 && Math.Abs(strong.Average(r => r.Y - truth[(r.H, r.K)].Y)) < 0.02, "biased centres");
            // Where the statistics allow it (fit σ below 0.03 px per axis), the centres are within 0.05 px RMS of the truth.
            var precise = strong.Where(r => r.XSigma < 0.03 && r.YSigma < 0.03).ToList();
            double rmsPrecise = Math.Sqrt(precise.Average(r => { var q = truth[(r.H, r.K)]; return (r.X - q.X) * (r.X - q.X) + (r.Y - q.Y) * (r.Y - q.Y); }));
            _out.WriteLine($"  {precise.Count} spots with fit σ < 0.03 px: RMS {rmsPrecise:0.0000} px; all I/σ>20: {rms:0.0000} px");
            Assert.True(precise.Count >= 10 && rmsPrecise < 0.05, $"{precise.Count} precise spots, RMS {rmsPrecise}");
            Assert.True(dO < 0.01 && dA < 0.01 && dB < 0.01, $"lattice off by {dO}, {dA}, {dB} px");
            // Nearly every spot the truth calls strong is well behaved.
            int strongTruth = t.Spots.Count(s => s.TrueIOverSigma > 20 && s.X > 12 && s.Y > 12 && s.X < 1012 && s.Y < 1012);
            Assert.True(strong.Count >= 0.95 * strongTruth, $"{strong.Count} of {strongTruth} strong spots well behaved");
        }
    }
}
