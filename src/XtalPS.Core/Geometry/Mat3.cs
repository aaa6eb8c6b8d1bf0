using System;
using System.Globalization;

namespace XtalPS.Geometry
{
    /// <summary>A 3x3 matrix stored row by row (the convention of DIALS's JSON and of our truth files).</summary>
    public readonly struct Mat3 : IEquatable<Mat3>
    {
        public double M11 { get; }
        public double M12 { get; }
        public double M13 { get; }
        public double M21 { get; }
        public double M22 { get; }
        public double M23 { get; }
        public double M31 { get; }
        public double M32 { get; }
        public double M33 { get; }

        public Mat3(double m11, double m12, double m13, double m21, double m22, double m23, double m31, double m32, double m33)
        {
            M11 = m11; M12 = m12; M13 = m13; M21 = m21; M22 = m22; M23 = m23; M31 = m31; M32 = m32; M33 = m33;
        }

        public static Mat3 Identity => new Mat3(1, 0, 0, 0, 1, 0, 0, 0, 1);

        /// <summary>The matrix whose columns are the three vectors.</summary>
        public static Mat3 FromColumns(Vec3 c1, Vec3 c2, Vec3 c3) => new Mat3(c1.X, c2.X, c3.X, c1.Y, c2.Y, c3.Y, c1.Z, c2.Z, c3.Z);
        /// <summary>The matrix whose rows are the three vectors.</summary>
        public static Mat3 FromRows(Vec3 r1, Vec3 r2, Vec3 r3) => new Mat3(r1.X, r1.Y, r1.Z, r2.X, r2.Y, r2.Z, r3.X, r3.Y, r3.Z);

        /// <summary>Nine numbers row by row.</summary>
        public static Mat3 FromArray(double[] v)
        {
            if (v == null || v.Length != 9) throw new ArgumentException("A 3x3 matrix needs nine numbers, row by row.", nameof(v));
            return new Mat3(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]);
        }

        public double[] ToArray() => new[] { M11, M12, M13, M21, M22, M23, M31, M32, M33 };

        public Vec3 Row1 => new Vec3(M11, M12, M13);
        public Vec3 Row2 => new Vec3(M21, M22, M23);
        public Vec3 Row3 => new Vec3(M31, M32, M33);
        public Vec3 Column1 => new Vec3(M11, M21, M31);
        public Vec3 Column2 => new Vec3(M12, M22, M32);
        public Vec3 Column3 => new Vec3(M13, M23, M33);

        public double Determinant =>
            M11 * (M22 * M33 - M23 * M32) - M12 * (M21 * M33 - M23 * M31) + M13 * (M21 * M32 - M22 * M31);

        public Mat3 Transpose() => new Mat3(M11, M21, M31, M12, M22, M32, M13, M23, M33);

        public Mat3 Inverse()
        {
            double d = Determinant;
            if (d == 0 || double.IsNaN(d)) throw new InvalidOperationException("The matrix is singular.");
            double i = 1.0 / d;
            return new Mat3(
                (M22 * M33 - M23 * M32) * i, (M13 * M32 - M12 * M33) * i, (M12 * M23 - M13 * M22) * i,
                (M23 * M31 - M21 * M33) * i, (M11 * M33 - M13 * M31) * i, (M13 * M21 - M11 * M23) * i,
                (M21 * M32 - M22 * M31) * i, (M12 * M31 - M11 * M32) * i, (M11 * M22 - M12 * M21) * i);
        }

        /// <summary>Right-handed rotation by <paramref name="angleRad"/> about <paramref name="axis"/> (Rodrigues).</summary>
        public static Mat3 Rotation(Vec3 axis, double angleRad)
        {
            var u = axis.Normalized();
            double c = Math.Cos(angleRad), s = Math.Sin(angleRad), t = 1 - c;
            return new Mat3(
                t * u.X * u.X + c, t * u.X * u.Y - s * u.Z, t * u.X * u.Z + s * u.Y,
                t * u.X * u.Y + s * u.Z, t * u.Y * u.Y + c, t * u.Y * u.Z - s * u.X,
                t * u.X * u.Z - s * u.Y, t * u.Y * u.Z + s * u.X, t * u.Z * u.Z + c);
        }

        /// <summary>Rotation angle of a proper rotation matrix, in degrees.</summary>
        public double RotationAngleDegrees()
        {
            double c = (M11 + M22 + M33 - 1) / 2;
            return Math.Acos(Math.Max(-1, Math.Min(1, c))) * 180.0 / Math.PI;
        }

        public static Mat3 operator *(Mat3 a, Mat3 b) => new Mat3(
            a.M11 * b.M11 + a.M12 * b.M21 + a.M13 * b.M31, a.M11 * b.M12 + a.M12 * b.M22 + a.M13 * b.M32, a.M11 * b.M13 + a.M12 * b.M23 + a.M13 * b.M33,
            a.M21 * b.M11 + a.M22 * b.M21 + a.M23 * b.M31, a.M21 * b.M12 + a.M22 * b.M22 + a.M23 * b.M32, a.M21 * b.M13 + a.M22 * b.M23 + a.M23 * b.M33,
            a.M31 * b.M11 + a.M32 * b.M21 + a.M33 * b.M31, a.M31 * b.M12 + a.M32 * b.M22 + a.M33 * b.M32, a.M31 * b.M13 + a.M32 * b.M23 + a.M33 * b.M33);

        public static Vec3 operator *(Mat3 m, Vec3 v) => new Vec3(
            m.M11 * v.X + m.M12 * v.Y + m.M13 * v.Z,
            m.M21 * v.X + m.M22 * v.Y + m.M23 * v.Z,
            m.M31 * v.X + m.M32 * v.Y + m.M33 * v.Z);

        public static Mat3 operator *(Mat3 m, double s) => new Mat3(
            m.M11 * s, m.M12 * s, m.M13 * s, m.M21 * s, m.M22 * s, m.M23 * s, m.M31 * s, m.M32 * s, m.M33 * s);

        public static bool operator ==(Mat3 a, Mat3 b) => a.Equals(b);
        public static bool operator !=(Mat3 a, Mat3 b) => !a.Equals(b);

        public bool Equals(Mat3 o) =>
            M11.Equals(o.M11) && M12.Equals(o.M12) && M13.Equals(o.M13) &&
            M21.Equals(o.M21) && M22.Equals(o.M22) && M23.Equals(o.M23) &&
            M31.Equals(o.M31) && M32.Equals(o.M32) && M33.Equals(o.M33);
        public override bool Equals(object? obj) => obj is Mat3 m && Equals(m);
        public override int GetHashCode() => (M11, M12, M13, M21, M22, M23, M31, M32, M33).GetHashCode();

        public override string ToString() => string.Format(CultureInfo.InvariantCulture,
            "[[{0:0.#####}, {1:0.#####}, {2:0.#####}], [{3:0.#####}, {4:0.#####}, {5:0.#####}], [{6:0.#####}, {7:0.#####}, {8:0.#####}]]",
            M11, M12, M13, M21, M22, M23, M31, M32, M33);
    }
}
