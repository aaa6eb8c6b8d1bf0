using System;
using System.Globalization;

namespace XtalPS.Geometry
{
    /// <summary>A 3-vector in the lab frame (mm for positions, 1/Å for reciprocal vectors, Å for cell edges).</summary>
    /// <remarks>Our own small value type so that no MathNet type appears in a public signature.</remarks>
    public readonly struct Vec3 : IEquatable<Vec3>
    {
        public double X { get; }
        public double Y { get; }
        public double Z { get; }

        public Vec3(double x, double y, double z) { X = x; Y = y; Z = z; }

        public static Vec3 Zero => new Vec3(0, 0, 0);
        public static Vec3 UnitX => new Vec3(1, 0, 0);
        public static Vec3 UnitY => new Vec3(0, 1, 0);
        public static Vec3 UnitZ => new Vec3(0, 0, 1);

        public double Length => Math.Sqrt(X * X + Y * Y + Z * Z);
        public double LengthSquared => X * X + Y * Y + Z * Z;

        public Vec3 Normalized()
        {
            double l = Length;
            return l > 0 ? new Vec3(X / l, Y / l, Z / l) : this;
        }

        public double Dot(Vec3 o) => X * o.X + Y * o.Y + Z * o.Z;
        public Vec3 Cross(Vec3 o) => new Vec3(Y * o.Z - Z * o.Y, Z * o.X - X * o.Z, X * o.Y - Y * o.X);

        /// <summary>Angle to another vector in degrees.</summary>
        public double AngleTo(Vec3 o)
        {
            double c = Dot(o) / (Length * o.Length);
            return Math.Acos(Math.Max(-1, Math.Min(1, c))) * 180.0 / Math.PI;
        }

        public static Vec3 operator +(Vec3 a, Vec3 b) => new Vec3(a.X + b.X, a.Y + b.Y, a.Z + b.Z);
        public static Vec3 operator -(Vec3 a, Vec3 b) => new Vec3(a.X - b.X, a.Y - b.Y, a.Z - b.Z);
        public static Vec3 operator -(Vec3 a) => new Vec3(-a.X, -a.Y, -a.Z);
        public static Vec3 operator *(Vec3 a, double s) => new Vec3(a.X * s, a.Y * s, a.Z * s);
        public static Vec3 operator *(double s, Vec3 a) => new Vec3(a.X * s, a.Y * s, a.Z * s);
        public static Vec3 operator /(Vec3 a, double s) => new Vec3(a.X / s, a.Y / s, a.Z / s);
        public static bool operator ==(Vec3 a, Vec3 b) => a.Equals(b);
        public static bool operator !=(Vec3 a, Vec3 b) => !a.Equals(b);

        public double this[int i] => i == 0 ? X : i == 1 ? Y : i == 2 ? Z : throw new ArgumentOutOfRangeException(nameof(i));

        public bool Equals(Vec3 o) => X.Equals(o.X) && Y.Equals(o.Y) && Z.Equals(o.Z);
        public override bool Equals(object? obj) => obj is Vec3 v && Equals(v);
        public override int GetHashCode() => (X, Y, Z).GetHashCode();

        /// <summary>Builds a vector from three numbers, as PowerShell users write them: <c>1,0,0</c>.</summary>
        public static Vec3 FromArray(double[] v)
        {
            if (v == null || v.Length != 3) throw new ArgumentException("A 3-vector needs exactly three numbers.", nameof(v));
            return new Vec3(v[0], v[1], v[2]);
        }

        public double[] ToArray() => new[] { X, Y, Z };

        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "({0:0.#####}, {1:0.#####}, {2:0.#####})", X + 0.0, Y + 0.0, Z + 0.0);
    }
}
