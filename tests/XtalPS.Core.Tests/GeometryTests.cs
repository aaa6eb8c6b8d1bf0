using System;
using XtalPS.Geometry;
using XtalPS.Lattices;
using Xunit;

namespace XtalPS.Core.Tests
{
    public class GeometryTests
    {
        [Fact]
        public void Mat3_inverse_times_matrix_is_identity()
        {
            var m = new Mat3(2, 1, 0.5, -1, 3, 0.25, 0.1, -0.2, 4);
            var p = m * m.Inverse();
            var id = Mat3.Identity.ToArray();
            var got = p.ToArray();
            for (int i = 0; i < 9; i++) Assert.Equal(id[i], got[i], 12);
        }

        [Fact]
        public void Rotation_matrix_is_right_handed()
        {
            var r = Mat3.Rotation(Vec3.UnitZ, Math.PI / 2);
            var v = r * Vec3.UnitX;
            Assert.Equal(0, v.X, 12); Assert.Equal(1, v.Y, 12); Assert.Equal(0, v.Z, 12);
            Assert.Equal(90, r.RotationAngleDegrees(), 9);
        }

        [Fact]
        public void Single_panel_follows_the_dxtbx_minicbf_convention()
        {
            var d = DetectorModel.SinglePanel("P", 1024, 1024, 0.172, 150, 514.3, 507.9);
            var p = d.Panels[0];
            Assert.Equal(-88.4596, p.Origin.X, 9);
            Assert.Equal(87.3588, p.Origin.Y, 9);
            Assert.Equal(-150, p.Origin.Z, 12);
            Assert.True(d.TryBeamCentre(new Beam(1.3), out int panel, out var c));
            Assert.Equal(0, panel);
            Assert.Equal(514.3, c.X, 9);
            Assert.Equal(507.9, c.Y, 9);
            Assert.Equal(150, d.Distance, 12);
        }

        [Fact]
        public void Pixel_to_ray_and_back_round_trips_and_gives_bragg_resolution()
        {
            var beam = new Beam(1.3);
            var p = new Panel("tilted", 500, 400, 0.1, new Vec3(-20, 30, -120), new Vec3(1, 0, 0.1), new Vec3(0, -1, 0.05));
            var s1 = p.PixelToS1(123.25, 301.75, beam);
            Assert.Equal(1 / 1.3, s1.Length, 12);
            Assert.True(p.TryRayToPixel(s1, out var px));
            Assert.Equal(123.25, px.X, 9);
            Assert.Equal(301.75, px.Y, 9);
            // d from Bragg's law with 2θ from the geometry.
            double twoTheta = p.TwoTheta(123.25, 301.75, beam) * Math.PI / 180;
            Assert.Equal(1.3 / (2 * Math.Sin(twoTheta / 2)), p.Resolution(123.25, 301.75, beam), 9);
        }

        [Fact]
        public void B_matrix_columns_are_reciprocal_to_the_real_cell()
        {
            var cell = new UnitCell(79.1, 79.1, 37.9, 90, 90, 90);
            var b = cell.BMatrix;
            Assert.Equal(1 / 79.1, b.Column1.Length, 12);
            Assert.Equal(1 / 37.9, b.Column3.Length, 12);
            var mono = new UnitCell(50, 60, 70, 90, 105, 90);
            var o = mono.OrthogonalizationMatrix;
            var prod = o.Transpose() * mono.BMatrix; // aᵢ·b*ⱼ = δᵢⱼ
            var got = prod.ToArray();
            var id = Mat3.Identity.ToArray();
            for (int i = 0; i < 9; i++) Assert.Equal(id[i], got[i], 12);
            Assert.Equal(50 * 60 * 70 * Math.Sin(105 * Math.PI / 180), mono.Volume, 6);
        }

        [Fact]
        public void Crystal_lattice_recovers_cell_from_setting_matrix()
        {
            var cell = new UnitCell(79.1, 79.1, 37.9, 90, 90, 90);
            var u = Mat3.Rotation(new Vec3(1, 2, 3), 0.7);
            var lattice = CrystalLattice.FromOrientation(u, cell, "P 43 21 2");
            Assert.Equal(79.1, lattice.UnitCell.A, 9);
            Assert.Equal(37.9, lattice.UnitCell.C, 9);
            Assert.Equal(90, lattice.UnitCell.Gamma, 9);
            Assert.True((lattice.Orientation * u.Transpose()).RotationAngleDegrees() < 1e-6);
        }

        [Fact]
        public void ToString_is_culture_invariant()
        {
            var old = System.Globalization.CultureInfo.CurrentCulture;
            try
            {
                System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
                Assert.Equal("(1.5, -2.25, 0)", new Vec3(1.5, -2.25, -0.0).ToString());
                Assert.Contains("1.3", new Beam(1.3).ToString());
            }
            finally { System.Globalization.CultureInfo.CurrentCulture = old; }
        }
    }
}
