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
    public class PeakIntegrationTests
    {
        private readonly ITestOutputHelper _out;
        public PeakIntegrationTests(ITestOutputHelper o) { _out = o; }

        internal static double Pearson(IList<double> a, IList<double> b)
        {
            double ma = a.Average(), mb = b.Average(), sab = 0, saa = 0, sbb = 0;
            for (int i = 0; i < a.Count; i++) { sab += (a[i] - ma) * (b[i] - mb); saa += (a[i] - ma) * (a[i] - ma); sbb += (b[i] - mb) * (b[i] - mb); }
            return sab / Math.Sqrt(saa * sbb);
        }

        internal static double Sd(IList<double> v)
        {
            double m = v.Average();
            return Math.Sqrt(v.Sum(x => (x - m) * (x - m)) / (v.Count - 1));
        }

        private static ReflectionTable ExtractFromTruth(Lattice2dTruth t) =>
            LatticeGaussianFit.Extract(t.Image, t.TruthLattice(), new ExtractionSettings());

        [Theory]
        [InlineData(0, IntegrationMethod.Iplt)]
        [InlineData(1, IntegrationMethod.Iplt)]
        [InlineData(2, IntegrationMethod.Iplt)]
        [InlineData(0, IntegrationMethod.ProfileFit)]
        [InlineData(2, IntegrationMethod.ProfileFit)]
        public void Intensities_match_the_lattice2d_truth(int index, IntegrationMethod method)
        {
            var t = Lattice2dTruth.Load(index);
            var ext = ExtractFromTruth(t);
            var table = PeakIntegrator.Integrate(ext, new IntegrationSettings { Method = method });
            var truth = t.Spots.ToDictionary(s => (s.H, s.K));
            var usable = table.Reflections.Where(r => !double.IsNaN(r.Intensity) && (r.Flags & (ReflectionFlags.NearEdge | ReflectionFlags.Masked)) == 0
                && truth.ContainsKey((r.H, r.K))).ToList();
            var strong = usable.Where(r => truth[(r.H, r.K)].TrueIOverSigma >= 10).ToList();
            double cc = Pearson(strong.Select(r => r.Intensity).ToList(), strong.Select(r => truth[(r.H, r.K)].Total).ToList());
            var z = usable.Select(r => (r.Intensity - truth[(r.H, r.K)].Total) / r.Sigma).ToList();
            var zStrong = strong.Select(r => (r.Intensity - truth[(r.H, r.K)].Total) / r.Sigma).ToList();
            double ratio = strong.Sum(r => r.Intensity) / strong.Sum(r => truth[(r.H, r.K)].Total);
            _out.WriteLine($"image {index} {method}: {usable.Count} integrated, {strong.Count} with true I/σ ≥ 10; CC {cc:0.00000}; " +
                $"SD(z) all {Sd(z):0.000} mean {z.Average():0.000}; strong SD {Sd(zStrong):0.000} mean {zStrong.Average():0.000}; ΣI/ΣItrue {ratio:0.0000}");
            Assert.True(cc >= 0.99, $"CC {cc}");
            Assert.InRange(Sd(z), 0.9, 1.1);
        }
    }
}
