using System;
using System.Collections.Generic;
using System.Linq;
using XtalPS.Geometry;
using XtalPS.Lattices;
using Xunit;

namespace XtalPS.Core.Tests
{
    public class SpaceGroupTests
    {
        [Fact]
        public void EveryNumberHasAStandardSettingThatIsAClosedGroupOfTheRightOrder()
        {
            // Orders (general positions in the conventional cell) of a sample across all crystal systems (ITA).
            var orders = new Dictionary<int, int>
            {
                [1] = 1, [2] = 2, [4] = 2, [5] = 4, [14] = 4, [15] = 8, [19] = 4, [20] = 8, [22] = 16, [43] = 16, [62] = 8, [64] = 16,
                [70] = 32, [88] = 16, [92] = 8, [96] = 8, [122] = 16, [142] = 32, [146] = 9, [148] = 18, [152] = 6, [167] = 36,
                [173] = 6, [178] = 12, [194] = 24, [196] = 48, [198] = 12, [212] = 24, [225] = 192, [227] = 192, [230] = 96,
            };
            for (int n = 1; n <= 230; n++)
            {
                var g = SpaceGroup.FromNumber(n);
                Assert.Equal(n, g.Number);
                if (orders.TryGetValue(n, out int order)) Assert.Equal(order, g.Order);
                var set = new HashSet<SymmetryOperator>(g.Operators);
                Assert.Equal(g.Order, set.Count);
                Assert.Equal(SymmetryOperator.Identity, g.Operators[0]);
                foreach (var a in g.Operators)
                {
                    Assert.Contains(a.Inverse(), set);
                    foreach (var b in g.Operators) Assert.Contains(a * b, set);
                }
                Assert.Equal(g.Order, g.PointGroupOrder * g.CentringVectors.Count);
            }
            Assert.True(SpaceGroup.All.Count > 280);
        }

        [Theory]
        [InlineData("P 43 21 2", 96)]
        [InlineData("P43212", 96)]
        [InlineData("p 43 21 2", 96)]
        [InlineData("96", 96)]
        [InlineData("P 21 21 21", 19)]
        [InlineData("P212121", 19)]
        [InlineData("P 1 21/c 1", 14)]
        [InlineData("P21/c", 14)]
        [InlineData("P21/n", 14)]
        [InlineData("C2", 5)]
        [InlineData("C 1 2 1", 5)]
        [InlineData("R3", 146)]
        [InlineData("H3", 146)]
        [InlineData("R 3:R", 146)]
        [InlineData("Cmca", 64)]
        [InlineData("Cmce", 64)]
        [InlineData("Fd-3m", 227)]
        [InlineData("F d -3 m:2", 227)]
        [InlineData("Hall: P 4nw 2abw", 96)]
        [InlineData("-P 2ac 2n", 62)]
        public void SymbolsNumbersAndHallSymbolsParse(string symbol, int number)
        {
            Assert.Equal(number, SpaceGroup.Parse(symbol).Number);
        }

        [Fact]
        public void UnknownSymbolsFailWithAHelpfulMessage()
        {
            Assert.False(SpaceGroup.TryParse("P 5", out _));
            Assert.False(SpaceGroup.TryParse("", out _));
            var e = Assert.Throws<FormatException>(() => SpaceGroup.Parse("X 1 2 3"));
            Assert.Contains("Hermann", e.Message);
            Assert.Throws<ArgumentOutOfRangeException>(() => SpaceGroup.FromNumber(231));
            Assert.Throws<FormatException>(() => HallSymbol.Expand("P 5"));
            Assert.Throws<FormatException>(() => HallSymbol.Expand("Q 2"));
        }

        [Fact]
        public void KnownSystematicAbsences()
        {
            var p212121 = SpaceGroup.Parse("P212121");
            Assert.True(p212121.IsAbsent(1, 0, 0)); Assert.False(p212121.IsAbsent(2, 0, 0));
            Assert.True(p212121.IsAbsent(0, 3, 0)); Assert.True(p212121.IsAbsent(0, 0, 5)); Assert.False(p212121.IsAbsent(1, 1, 0));
            var p43212 = SpaceGroup.Parse("P 43 21 2");
            for (int l = 1; l <= 12; l++) Assert.Equal(l % 4 != 0, p43212.IsAbsent(0, 0, l));
            Assert.True(p43212.IsAbsent(3, 0, 0)); Assert.False(p43212.IsAbsent(4, 0, 0)); Assert.False(p43212.IsAbsent(3, 1, 0));
            var c2 = SpaceGroup.Parse("C 2");
            Assert.True(c2.IsAbsent(1, 0, 3)); Assert.False(c2.IsAbsent(1, 1, 3)); Assert.False(c2.IsAbsent(2, 0, 3));
            Assert.Equal('C', c2.Centring);
            Assert.Equal(1, c2.UniqueAxis);
            // R 3 in hexagonal axes, obverse: −h + k + l = 3n.
            var r3 = SpaceGroup.Parse("R 3");
            Assert.Equal("R 3:H", r3.Symbol);
            Assert.Equal(9, r3.Order);
            for (int h = -3; h <= 3; h++) for (int k = -3; k <= 3; k++) for (int l = -3; l <= 3; l++)
                if (h != 0 || k != 0 || l != 0) Assert.Equal(((-h + k + l) % 3 + 3) % 3 != 0, r3.IsAbsent(h, k, l));
            // I centring: h + k + l odd absent; F: mixed parity absent; d-glide of Fd-3m: 0kl with k + l ≠ 4n absent.
            var i222 = SpaceGroup.Parse("I 2 2 2");
            Assert.True(i222.IsAbsent(1, 1, 1)); Assert.False(i222.IsAbsent(1, 1, 0));
            var fd3m = SpaceGroup.Parse("F d -3 m");
            Assert.True(fd3m.IsAbsent(1, 1, 0)); Assert.False(fd3m.IsAbsent(1, 1, 1)); Assert.True(fd3m.IsAbsent(0, 2, 0)); Assert.False(fd3m.IsAbsent(0, 4, 0));
            Assert.True(fd3m.IsAbsent(0, 2, 4)); Assert.False(fd3m.IsAbsent(0, 4, 4));
            // Both origin choices of Fd-3m have the same absences.
            var fd3m2 = SpaceGroup.Parse("F d -3 m:2");
            for (int h = 0; h < 6; h++) for (int k = 0; k < 6; k++) for (int l = 0; l < 6; l++) Assert.Equal(fd3m.IsAbsent(h, k, l), fd3m2.IsAbsent(h, k, l));
        }

        [Fact]
        public void PointAndLaueGroupsLatticeSystemsAndEquivalents()
        {
            var g = SpaceGroup.Parse("P 43 21 2");
            Assert.Equal("422", g.PointGroup); Assert.Equal("4/mmm", g.LaueGroup);
            Assert.Equal(LatticeSystem.Tetragonal, g.LatticeSystem); Assert.False(g.IsCentrosymmetric);
            Assert.Equal(16, g.Equivalents(1, 2, 3).Count);
            Assert.Equal(8, g.Equivalents(1, 2, 3, includeFriedelMates: false).Count);
            Assert.Equal((2, 1, 3), g.MapToAsymmetricUnit(-1, 2, -3));
            Assert.Equal(4, g.Epsilon(0, 0, 4));
            Assert.True(g.IsCentric(1, 2, 0)); Assert.False(g.IsCentric(1, 2, 3));
            Assert.Equal("-3m1", SpaceGroup.Parse("P 32 2 1").LaueGroup);
            Assert.Equal("-31m", SpaceGroup.Parse("P 31 1 2").LaueGroup);
            Assert.Equal("2/m", SpaceGroup.Parse("P 21/c").PointGroup);
            Assert.True(SpaceGroup.Parse("P 21/c").IsCentrosymmetric);
            Assert.Equal(LatticeSystem.Rhombohedral, SpaceGroup.Parse("R 3 2").LatticeSystem);
            Assert.Equal(LatticeSystem.Hexagonal, SpaceGroup.Parse("P 31 2 1").LatticeSystem);
            Assert.Equal("m-3m", SpaceGroup.Parse("I a -3 d").LaueGroup);
            Assert.Equal(2, SpaceGroup.Parse("P 1 1 21").UniqueAxis);
            // Cell constraints.
            var c = g.ConstrainCell(new UnitCell(79.0, 79.2, 38, 90.3, 89.8, 90.1));
            Assert.Equal(79.1, c.A, 9); Assert.Equal(79.1, c.B, 9); Assert.Equal(90, c.Gamma);
            Assert.True(g.IsCellCompatible(new UnitCell(79.0, 79.2, 38, 90.3, 89.8, 90.1)));
            Assert.False(g.IsCellCompatible(new UnitCell(70, 79.2, 38, 90, 90, 90)));
            var h = SpaceGroup.Parse("P 61 2 2").ConstrainCell(new UnitCell(100, 100.4, 50, 90, 90, 119));
            Assert.Equal(120, h.Gamma);
            var rr = SpaceGroup.Parse("R 3:R").ConstrainCell(new UnitCell(50, 51, 52, 80, 81, 82));
            Assert.Equal(51, rr.A, 9); Assert.Equal(81, rr.Alpha, 9);
        }

        [Fact]
        public void OperatorTripletsRoundTripAndAct()
        {
            var op = SymmetryOperator.Parse("-y+1/2, x, z+3/4");
            Assert.Equal("-y+1/2,x,z+3/4", op.ToString());
            Assert.Equal(op, SymmetryOperator.Parse(op.ToString()));
            var x = op.Apply(new Vec3(0.1, 0.2, 0.3));
            Assert.Equal(0.3, x.X, 12); Assert.Equal(0.1, x.Y, 12); Assert.Equal(1.05, x.Z, 12);
            Assert.Equal(SymmetryOperator.Identity, op * op.Inverse());
            Assert.Throws<FormatException>(() => SymmetryOperator.Parse("x,y"));
            Assert.Throws<FormatException>(() => SymmetryOperator.Parse("x+1/5,y,z"));
        }

        [Fact]
        public void MisorientationIsZeroForLaueEquivalentSettings()
        {
            var g = SpaceGroup.Parse("P 43 21 2");
            var u = Mat3.Rotation(new Vec3(0.3, -0.5, 0.8), 0.7);
            var a = u * new UnitCell(79.1, 79.1, 37.9, 90, 90, 90).BMatrix;
            foreach (var r in g.ProperLaueRotations)
                Assert.True(CrystalOrientation.MisorientationDegrees(a * r.Transpose(), a, g) < 1e-6);
            var turned = Mat3.Rotation(new Vec3(1, 2, 3), 0.2 * Math.PI / 180) * a;
            Assert.Equal(0.2, CrystalOrientation.MisorientationDegrees(turned, a, g), 6);
            // In P 1 a 4-fold re-indexing is a real 90° rotation.
            var r4 = new Mat3(0, -1, 0, 1, 0, 0, 0, 0, 1);
            Assert.Equal(90, CrystalOrientation.MisorientationDegrees(a * r4, a, SpaceGroup.FromNumber(1)), 6);
        }
    }
}
