using System;
using System.Globalization;

namespace XtalPS.Geometry
{
    /// <summary>A 2-vector in image pixels (X along the fast axis, Y along the slow axis).</summary>
    public readonly struct Vec2 : IEquatable<Vec2>
    {
        public double X { get; }
        public double Y { get; }

        public Vec2(double x, double y) { X = x; Y = y; }

        public double Length => Math.Sqrt(X * X + Y * Y);
        public double Dot(Vec2 o) => X * o.X + Y * o.Y;
        /// <summary>The z component of the 3D cross product: positive when <paramref name="o"/> is counter-clockwise of this.</summary>
        public double Cross(Vec2 o) => X * o.Y - Y * o.X;

        /// <summary>Angle to another vector in degrees (0..180).</summary>
        public double AngleTo(Vec2 o)
        {
            double c = Dot(o) / (Length * o.Length);
            return Math.Acos(Math.Max(-1, Math.Min(1, c))) * 180.0 / Math.PI;
        }

        public static Vec2 operator +(Vec2 a, Vec2 b) => new Vec2(a.X + b.X, a.Y + b.Y);
        public static Vec2 operator -(Vec2 a, Vec2 b) => new Vec2(a.X - b.X, a.Y - b.Y);
        public static Vec2 operator -(Vec2 a) => new Vec2(-a.X, -a.Y);
        public static Vec2 operator *(Vec2 a, double s) => new Vec2(a.X * s, a.Y * s);
        public static Vec2 operator *(double s, Vec2 a) => new Vec2(a.X * s, a.Y * s);
        public static bool operator ==(Vec2 a, Vec2 b) => a.Equals(b);
        public static bool operator !=(Vec2 a, Vec2 b) => !a.Equals(b);

        public bool Equals(Vec2 o) => X.Equals(o.X) && Y.Equals(o.Y);
        public override bool Equals(object? obj) => obj is Vec2 v && Equals(v);
        public override int GetHashCode() => (X, Y).GetHashCode();

        /// <summary>Builds a vector from two numbers, as PowerShell users write them: <c>512,512</c>.</summary>
        public static Vec2 FromArray(double[] v)
        {
            if (v == null || v.Length != 2) throw new ArgumentException("A 2-vector needs exactly two numbers.", nameof(v));
            return new Vec2(v[0], v[1]);
        }

        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "({0:0.####}, {1:0.####})", X + 0.0, Y + 0.0);
    }
}
