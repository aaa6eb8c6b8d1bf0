using System;
using XtalPS.Geometry;
using XtalPS.Lattices;
using Xunit;

namespace XtalPS.Core.Tests
{
    public class NiggliReductionTests
    {
        private static (Vec3, Vec3, Vec3) Basis(UnitCell cell)
        {
            var m = cell.OrthogonalizationMatrix;
            return (new Vec3(m.M11, m.M21, m.M31), new Vec3(m.M12, m.M22, m.M32), new Vec3(m.M13, m.M23, m.M33));
        }

        private static void AssertCell(UnitCell expected, UnitCell actual, double tol = 1e-6)
        {
            var e = expected.ToArray(); var a = actual.ToArray();
            for (int i = 0; i < 6; i++) Assert.True(Math.Abs(e[i] - a[i]) < tol * Math.Max(1, Math.Abs(e[i])), $"expected {expected}, got {actual}");
        }

        /// <summary>The Niggli conditions (International Tables A, 9.2.5) on the reduced basis.</summary>
        private static void AssertReduced(Vec3 a, Vec3 b, Vec3 c)
        {
            double A = a.Dot(a), B = b.Dot(b), C = c.Dot(c), xi = 2 * b.Dot(c), eta = 2 * a.Dot(c), zeta = 2 * a.Dot(b), e = 1e-6 * C;
            Assert.True(A <= B + e && B <= C + e, "A ≤ B ≤ C");
            Assert.True(Math.Abs(xi) <= B + e && Math.Abs(eta) <= A + e && Math.Abs(zeta) <= A + e, "|ξ| ≤ B, |η| ≤ A, |ζ| ≤ A");
            bool allPositive = xi > e && eta > e && zeta > e, allNonPositive = xi <= e && eta <= e && zeta <= e;
            Assert.True(allPositive || allNonPositive, $"ξ η ζ = {xi} {eta} {zeta} mixed");
            if (allNonPositive) Assert.True(xi + eta + zeta + A + B >= -e, "type II: ξ + η + ζ + A + B ≥ 0");
            Assert.True(a.Cross(b).Dot(c) > 0, "right-handed");
        }

        public static TheoryData<double[], double[]> Cells => new TheoryData<double[], double[]>
        {
            // Given cell → its Niggli cell (edges sorted; hexagonal and tetragonal cells are already reduced up to order).
            { new[] { 79.1, 79.1, 37.9, 90, 90, 90 }, new[] { 37.9, 79.1, 79.1, 90, 90, 90 } },
            { new[] { 92.9, 92.9, 130.4, 90, 90, 120 }, new[] { 92.9, 92.9, 130.4, 90, 90, 120 } },
            { new[] { 52.3, 61.7, 88.9, 90, 90, 90 }, new[] { 52.3, 61.7, 88.9, 90, 90, 90 } },
        };

        [Theory]
        [MemberData(nameof(Cells))]
        public void ReducedCellIsTheSameWhateverBasisTheLatticeIsGivenIn(double[] cell, double[] niggli)
        {
            var (a, b, c) = Basis(UnitCell.FromArray(cell));
            AssertCell(UnitCell.FromArray(niggli), NiggliReduction.Reduce(UnitCell.FromArray(cell)));
            var rng = new Random(5);
            for (int trial = 0; trial < 200; trial++)
            {
                // A random unimodular change of basis: a product of elementary shears with small integer factors.
                Vec3 x = a, y = b, z = c;
                for (int s = 0; s < 6; s++)
                {
                    int k = rng.Next(-2, 3);
                    switch (rng.Next(6))
                    {
                        case 0: x += k * y; break;
                        case 1: x += k * z; break;
                        case 2: y += k * x; break;
                        case 3: y += k * z; break;
                        case 4: z += k * x; break;
                        default: z += k * y; break;
                    }
                }
                if (rng.Next(2) == 0) { var t = x; x = y; y = t; }
                var (ra, rb, rc) = NiggliReduction.Reduce(x, y, z);
                AssertReduced(ra, rb, rc);
                AssertCell(UnitCell.FromArray(niggli), UnitCell.FromRealSpaceVectors(ra, rb, rc), 1e-6);
                // The reduced vectors are lattice vectors of the original basis (integer coordinates) spanning the same volume.
                var inv = Mat3.FromColumns(a, b, c).Inverse();
                foreach (var v in new[] { ra, rb, rc })
                {
                    var f = inv * v;
                    Assert.True(Math.Abs(f.X - Math.Round(f.X)) < 1e-6 && Math.Abs(f.Y - Math.Round(f.Y)) < 1e-6 && Math.Abs(f.Z - Math.Round(f.Z)) < 1e-6);
                }
                Assert.Equal(Math.Abs(a.Cross(b).Dot(c)), ra.Cross(rb).Dot(rc), 6);
            }
        }

        [Fact]
        public void ACentredCellReducesToItsPrimitiveNiggliCell()
        {
            // The primitive cell of a face-centred cubic lattice (a = 10): Niggli cell 7.071 7.071 7.071 60 60 60.
            double h = 5;
            var (ra, rb, rc) = NiggliReduction.Reduce(new Vec3(0, h, h), new Vec3(h, 0, h) + new Vec3(0, h, h), new Vec3(h, h, 0) - new Vec3(h, 0, h));
            AssertReduced(ra, rb, rc);
            AssertCell(new UnitCell(Math.Sqrt(50), Math.Sqrt(50), Math.Sqrt(50), 60, 60, 60), UnitCell.FromRealSpaceVectors(ra, rb, rc));
            // Body-centred cubic (a = 10): primitive Niggli cell 8.660 8.660 8.660 109.47 109.47 109.47.
            var (ba, bb, bc) = NiggliReduction.Reduce(new Vec3(10, 0, 0), new Vec3(0, 10, 0), new Vec3(5, 5, 5));
            AssertReduced(ba, bb, bc);
            double t = Math.Acos(-1.0 / 3) * 180 / Math.PI;
            AssertCell(new UnitCell(Math.Sqrt(75), Math.Sqrt(75), Math.Sqrt(75), t, t, t), UnitCell.FromRealSpaceVectors(ba, bb, bc));
            Assert.Throws<ArgumentException>(() => NiggliReduction.Reduce(new Vec3(1, 0, 0), new Vec3(0, 1, 0), new Vec3(1, 1, 0)));
        }
    }
}
