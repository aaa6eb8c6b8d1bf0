using System;
using System.Linq;
using XtalPS.Geometry;
using XtalPS.Lattices;
using Xunit;
using Xunit.Abstractions;

namespace XtalPS.Core.Tests
{
    /// <summary>The 14 Bravais lattices recovered from primitive cells in scrambled, slightly distorted settings.</summary>
    public class BravaisLatticeSearchTests
    {
        private readonly ITestOutputHelper _out;
        public BravaisLatticeSearchTests(ITestOutputHelper output) { _out = output; }

        /// <summary>Primitive basis (rows, fractions of the conventional a, b, c) for each centring.</summary>
        private static double[][] Primitive(char centring) => centring switch
        {
            'C' => new[] { new[] { 0.5, 0.5, 0 }, new[] { -0.5, 0.5, 0 }, new[] { 0, 0, 1.0 } },
            'I' => new[] { new[] { -0.5, 0.5, 0.5 }, new[] { 0.5, -0.5, 0.5 }, new[] { 0.5, 0.5, -0.5 } },
            'F' => new[] { new[] { 0, 0.5, 0.5 }, new[] { 0.5, 0, 0.5 }, new[] { 0.5, 0.5, 0 } },
            'R' => new[] { new[] { 2 / 3.0, 1 / 3.0, 1 / 3.0 }, new[] { -1 / 3.0, 1 / 3.0, 1 / 3.0 }, new[] { -1 / 3.0, -2 / 3.0, 1 / 3.0 } },
            _ => new[] { new[] { 1.0, 0, 0 }, new[] { 0, 1.0, 0 }, new[] { 0, 0, 1.0 } },
        };

        /// <summary>A primitive cell of the lattice with each parameter distorted by up to ±<paramref name="noise"/> (relative),
        /// then written in a basis scrambled by random unimodular steps.</summary>
        internal static UnitCell Scrambled(UnitCell conventional, char centring, int seed, double noise)
        {
            var m = conventional.OrthogonalizationMatrix;
            Vec3 A = m.Column1, B = m.Column2, C = m.Column3;
            var p = Primitive(centring).Select(f => A * f[0] + B * f[1] + C * f[2]).ToArray();
            var rng = new Random(seed);
            double J() => 1 + noise * (2 * rng.NextDouble() - 1);
            var prim = UnitCell.FromRealSpaceVectors(p[0], p[1], p[2]);
            var noisy = new UnitCell(prim.A * J(), prim.B * J(), prim.C * J(), prim.Alpha * J(), prim.Beta * J(), prim.Gamma * J()).OrthogonalizationMatrix;
            p = new[] { noisy.Column1, noisy.Column2, noisy.Column3 };
            // Random elementary unimodular steps: v_i += ±v_j.
            for (int s = 0; s < 4; s++)
            {
                int i = rng.Next(3), j = (i + 1 + rng.Next(2)) % 3;
                p[i] = p[i] + p[j] * (rng.Next(2) == 0 ? 1 : -1);
            }
            return UnitCell.FromRealSpaceVectors(p[0], p[1], p[2]);
        }

        [Theory]
        [InlineData("aP", 'P', 51.3, 62.7, 70.1, 79.2, 84.6, 97.3)]
        [InlineData("mP", 'P', 50.2, 61.4, 72.9, 90, 104.5, 90)]
        [InlineData("mC", 'C', 95.3, 61.2, 48.7, 90, 104.8, 90)]
        [InlineData("oP", 'P', 40.3, 61.7, 92.4, 90, 90, 90)]
        [InlineData("oC", 'C', 52.5, 81.7, 101.9, 90, 90, 90)]
        [InlineData("oI", 'I', 45.2, 70.9, 95.6, 90, 90, 90)]
        [InlineData("oF", 'F', 61.1, 82.3, 113.7, 90, 90, 90)]
        [InlineData("tP", 'P', 79.1, 79.1, 37.9, 90, 90, 90)]
        [InlineData("tI", 'I', 60.4, 60.4, 91.2, 90, 90, 90)]
        [InlineData("hR", 'R', 71.5, 71.5, 220.6, 90, 90, 120)]
        [InlineData("hP", 'P', 92.9, 92.9, 130.4, 90, 90, 120)]
        [InlineData("cP", 'P', 52.3, 52.3, 52.3, 90, 90, 90)]
        [InlineData("cI", 'I', 61.7, 61.7, 61.7, 90, 90, 90)]
        [InlineData("cF", 'F', 80.9, 80.9, 80.9, 90, 90, 90)]
        public void EachBravaisLatticeIsTheBestCandidateOfAScrambledPrimitiveCell(string symbol, char centring, double a, double b, double c, double al, double be, double ga)
        {
            var conventional = new UnitCell(a, b, c, al, be, ga);
            for (int seed = 1; seed <= 3; seed++)
            {
                var cell = Scrambled(conventional, centring, seed, 0.001);
                var list = BravaisLatticeSearch.Candidates(cell);
                _out.WriteLine($"{symbol} from {cell}: {string.Join("; ", list)}");
                var best = list[0];
                Assert.Equal(symbol, best.Symbol);
                Assert.True(best.Deviation < 0.5, $"δ {best.Deviation}");
                Assert.Equal("aP", list[list.Count - 1].Symbol);
                // The same lattice: equal volume per lattice point; conventional edges as simulated (settings of a
                // monoclinic or triclinic lattice are not unique, so for those only b and the volume).
                int points = centring switch { 'P' => 1, 'R' => 3, 'F' => 4, _ => 2 };
                Assert.Equal(conventional.Volume, best.IdealCell.Volume, conventional.Volume * 0.01);
                Assert.Equal(conventional.Volume / points, NiggliReduction.Reduce(cell).Volume, conventional.Volume / points * 0.01);
                if (symbol[0] == 'm')
                {
                    Assert.Equal(b, best.IdealCell.B, b * 0.01);
                    Assert.True(best.IdealCell.Beta >= 90, best.IdealCell.ToString());
                }
                else if (symbol != "aP")
                {
                    var want = new[] { a, b, c }.OrderBy(x => x).ToArray();
                    var got = new[] { best.IdealCell.A, best.IdealCell.B, best.IdealCell.C }.OrderBy(x => x).ToArray();
                    for (int i = 0; i < 3; i++) Assert.Equal(want[i], got[i], want[i] * 0.01);
                    Assert.Equal(new[] { al, be, ga }.OrderBy(x => x), new[] { best.IdealCell.Alpha, best.IdealCell.Beta, best.IdealCell.Gamma }.OrderBy(x => x));
                }
                // The transformation takes the reduced basis to the conventional cell.
                var red = NiggliReduction.Reduce(cell).OrthogonalizationMatrix;
                var t = best.Transformation;
                Vec3 Row(int r) => red.Column1 * t[3 * r] + red.Column2 * t[3 * r + 1] + red.Column3 * t[3 * r + 2];
                var conv = UnitCell.FromRealSpaceVectors(Row(0), Row(1), Row(2));
                Assert.Equal(best.ConventionalCell.A, conv.A, 1e-6);
                Assert.Equal(best.ConventionalCell.Beta, conv.Beta, 1e-6);
                // Its space group is one of that lattice.
                var g = SpaceGroup.Parse(best.SpaceGroup);
                Assert.Equal(best.LatticeSystem, g.LatticeSystem);
                Assert.Equal(best.Centring, g.Centring);
            }
        }

        [Fact]
        public void DeviationGrowsWithTheDistortionAndTheLimitRemovesCandidates()
        {
            // A tetragonal cell stretched by 2 % along b: tP's δ is about 0.57° per 1 %, oP's stays 0.
            var cell = new UnitCell(79.1, 79.1 * 1.02, 37.9, 90, 90, 90);
            var list = BravaisLatticeSearch.Candidates(cell, 3);
            var tp = list.Single(c => c.Symbol == "tP");
            var op = list.Single(c => c.Symbol == "oP");
            _out.WriteLine(string.Join("; ", list));
            Assert.InRange(tp.Deviation, 1.0, 1.3);
            Assert.True(op.Deviation < 1e-6);
            var strict = BravaisLatticeSearch.Candidates(cell, 0.5);
            Assert.DoesNotContain(strict, c => c.Symbol == "tP");
            Assert.Equal("oP", strict[0].Symbol);
        }
    }
}
