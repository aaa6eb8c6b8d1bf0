using System;
using System.Globalization;
using XtalPS.Geometry;

namespace XtalPS.Lattices
{
    /// <summary>Unit-cell parameters (Å, degrees) and the matrices built from them.</summary>
    public readonly struct UnitCell : IEquatable<UnitCell>
    {
        public UnitCell(double a, double b, double c, double alpha, double beta, double gamma)
        {
            if (!(a > 0 && b > 0 && c > 0)) throw new ArgumentOutOfRangeException(nameof(a), "Cell edges must be positive.");
            if (!(alpha > 0 && alpha < 180 && beta > 0 && beta < 180 && gamma > 0 && gamma < 180))
                throw new ArgumentOutOfRangeException(nameof(alpha), "Cell angles must lie between 0 and 180 degrees.");
            A = a; B = b; C = c; Alpha = alpha; Beta = beta; Gamma = gamma;
            if (!(VolumeSquaredFactor() > 0)) throw new ArgumentException("These cell angles do not make a cell.");
        }

        /// <summary>Six numbers a, b, c, α, β, γ as users type them.</summary>
        public static UnitCell FromArray(double[] p)
        {
            if (p == null || p.Length != 6) throw new ArgumentException("A unit cell needs six numbers: a, b, c, alpha, beta, gamma.");
            return new UnitCell(p[0], p[1], p[2], p[3], p[4], p[5]);
        }

        public double A { get; }
        public double B { get; }
        public double C { get; }
        public double Alpha { get; }
        public double Beta { get; }
        public double Gamma { get; }

        private static double Rad(double deg) => deg * Math.PI / 180;

        private double VolumeSquaredFactor()
        {
            double ca = Math.Cos(Rad(Alpha)), cb = Math.Cos(Rad(Beta)), cg = Math.Cos(Rad(Gamma));
            return 1 - ca * ca - cb * cb - cg * cg + 2 * ca * cb * cg;
        }

        public double Volume => A * B * C * Math.Sqrt(VolumeSquaredFactor());

        /// <summary>Orthogonalisation matrix: its columns are a, b, c with a along x and b in the xy plane (the cctbx convention).</summary>
        public Mat3 OrthogonalizationMatrix
        {
            get
            {
                double ca = Math.Cos(Rad(Alpha)), cb = Math.Cos(Rad(Beta)), cg = Math.Cos(Rad(Gamma)), sg = Math.Sin(Rad(Gamma));
                var a = new Vec3(A, 0, 0);
                var b = new Vec3(B * cg, B * sg, 0);
                var c = new Vec3(C * cb, C * (ca - cb * cg) / sg, Volume / (A * B * sg));
                return Mat3.FromColumns(a, b, c);
            }
        }

        /// <summary>B matrix: columns a*, b*, c* (1/Å) in the same Cartesian frame; A = U·B.</summary>
        public Mat3 BMatrix => OrthogonalizationMatrix.Inverse().Transpose();

        /// <summary>The cell spanned by three real-space edge vectors (Å).</summary>
        public static UnitCell FromRealSpaceVectors(Vec3 a, Vec3 b, Vec3 c) =>
            new UnitCell(a.Length, b.Length, c.Length, b.AngleTo(c), a.AngleTo(c), a.AngleTo(b));

        /// <summary>Resolution (Å) of reflection h, k, l.</summary>
        public double D(int h, int k, int l)
        {
            var r = BMatrix * new Vec3(h, k, l);
            double q = r.Length;
            return q > 0 ? 1 / q : double.PositiveInfinity;
        }

        public double[] ToArray() => new[] { A, B, C, Alpha, Beta, Gamma };

        public bool Equals(UnitCell o) => A == o.A && B == o.B && C == o.C && Alpha == o.Alpha && Beta == o.Beta && Gamma == o.Gamma;
        public override bool Equals(object? obj) => obj is UnitCell u && Equals(u);
        public override int GetHashCode() => (A, B, C, Alpha, Beta, Gamma).GetHashCode();

        public override string ToString() => string.Format(CultureInfo.InvariantCulture,
            "{0:0.###} {1:0.###} {2:0.###} {3:0.##} {4:0.##} {5:0.##}", A, B, C, Alpha, Beta, Gamma);
    }
}
