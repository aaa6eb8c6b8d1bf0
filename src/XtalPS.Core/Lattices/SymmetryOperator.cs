using System;
using System.Globalization;
using System.Text;
using XtalPS.Geometry;

namespace XtalPS.Lattices
{
    /// <summary>
    /// A crystallographic symmetry operator (Seitz symbol {R|t}) acting on fractional coordinates: x' = R·x + t.
    /// R is an integer matrix, t is kept modulo 1 in 24ths so that every translation of the 230 space groups
    /// (halves, thirds, quarters, sixths, eighths) is exact and operators can be compared and hashed.
    /// </summary>
    public readonly struct SymmetryOperator : IEquatable<SymmetryOperator>
    {
        /// <summary>Translations are stored as integers in units of 1/<see cref="Denominator"/>.</summary>
        public const int Denominator = 24;

        private readonly int _r11, _r12, _r13, _r21, _r22, _r23, _r31, _r32, _r33;
        private readonly int _t1, _t2, _t3;

        internal SymmetryOperator(int r11, int r12, int r13, int r21, int r22, int r23, int r31, int r32, int r33, int t1, int t2, int t3)
        {
            _r11 = r11; _r12 = r12; _r13 = r13; _r21 = r21; _r22 = r22; _r23 = r23; _r31 = r31; _r32 = r32; _r33 = r33;
            _t1 = Mod(t1); _t2 = Mod(t2); _t3 = Mod(t3);
        }

        internal SymmetryOperator(int[] r, int t1, int t2, int t3) : this(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], t1, t2, t3) { }

        private static int Mod(int t) { t %= Denominator; return t < 0 ? t + Denominator : t; }

        public static SymmetryOperator Identity => new SymmetryOperator(1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0);

        /// <summary>Rotation part, row by row (9 integers).</summary>
        public int[] Rotation => new[] { _r11, _r12, _r13, _r21, _r22, _r23, _r31, _r32, _r33 };
        /// <summary>Rotation element (row, column), 0-based.</summary>
        public int R(int row, int column)
        {
            switch (row * 3 + column)
            {
                case 0: return _r11; case 1: return _r12; case 2: return _r13;
                case 3: return _r21; case 4: return _r22; case 5: return _r23;
                case 6: return _r31; case 7: return _r32; case 8: return _r33;
                default: throw new ArgumentOutOfRangeException(nameof(row));
            }
        }
        /// <summary>Translation part (fractions of the cell edges, in [0, 1)).</summary>
        public Vec3 Translation => new Vec3(_t1 / (double)Denominator, _t2 / (double)Denominator, _t3 / (double)Denominator);
        internal int T1 => _t1;
        internal int T2 => _t2;
        internal int T3 => _t3;
        /// <summary>The rotation part as a real matrix (fractional coordinates).</summary>
        public Mat3 RotationMatrix => new Mat3(_r11, _r12, _r13, _r21, _r22, _r23, _r31, _r32, _r33);
        public int Determinant => _r11 * (_r22 * _r33 - _r23 * _r32) - _r12 * (_r21 * _r33 - _r23 * _r31) + _r13 * (_r21 * _r32 - _r22 * _r31);
        public bool IsProper => Determinant > 0;
        public bool IsPureTranslation => _r11 == 1 && _r22 == 1 && _r33 == 1 && _r12 == 0 && _r13 == 0 && _r21 == 0 && _r23 == 0 && _r31 == 0 && _r32 == 0;
        internal bool HasIdentityRotation => IsPureTranslation;

        /// <summary>Composition: (this·other)(x) = this(other(x)).</summary>
        public static SymmetryOperator operator *(SymmetryOperator a, SymmetryOperator b) => new SymmetryOperator(
            a._r11 * b._r11 + a._r12 * b._r21 + a._r13 * b._r31, a._r11 * b._r12 + a._r12 * b._r22 + a._r13 * b._r32, a._r11 * b._r13 + a._r12 * b._r23 + a._r13 * b._r33,
            a._r21 * b._r11 + a._r22 * b._r21 + a._r23 * b._r31, a._r21 * b._r12 + a._r22 * b._r22 + a._r23 * b._r32, a._r21 * b._r13 + a._r22 * b._r23 + a._r23 * b._r33,
            a._r31 * b._r11 + a._r32 * b._r21 + a._r33 * b._r31, a._r31 * b._r12 + a._r32 * b._r22 + a._r33 * b._r32, a._r31 * b._r13 + a._r32 * b._r23 + a._r33 * b._r33,
            a._r11 * b._t1 + a._r12 * b._t2 + a._r13 * b._t3 + a._t1,
            a._r21 * b._t1 + a._r22 * b._t2 + a._r23 * b._t3 + a._t2,
            a._r31 * b._t1 + a._r32 * b._t2 + a._r33 * b._t3 + a._t3);

        /// <summary>The inverse operator {R⁻¹ | −R⁻¹t}.</summary>
        public SymmetryOperator Inverse()
        {
            int d = Determinant; // ±1 for crystallographic operators
            int i11 = (_r22 * _r33 - _r23 * _r32) * d, i12 = (_r13 * _r32 - _r12 * _r33) * d, i13 = (_r12 * _r23 - _r13 * _r22) * d;
            int i21 = (_r23 * _r31 - _r21 * _r33) * d, i22 = (_r11 * _r33 - _r13 * _r31) * d, i23 = (_r13 * _r21 - _r11 * _r23) * d;
            int i31 = (_r21 * _r32 - _r22 * _r31) * d, i32 = (_r12 * _r31 - _r11 * _r32) * d, i33 = (_r11 * _r22 - _r12 * _r21) * d;
            return new SymmetryOperator(i11, i12, i13, i21, i22, i23, i31, i32, i33,
                -(i11 * _t1 + i12 * _t2 + i13 * _t3), -(i21 * _t1 + i22 * _t2 + i23 * _t3), -(i31 * _t1 + i32 * _t2 + i33 * _t3));
        }

        /// <summary>Applies the operator to fractional coordinates.</summary>
        public Vec3 Apply(Vec3 x) => RotationMatrix * x + Translation;

        /// <summary>The Miller index equivalent to h under this operator: h' = h·R (h as a row vector).</summary>
        public (int H, int K, int L) ApplyToIndex(int h, int k, int l) =>
            (h * _r11 + k * _r21 + l * _r31, h * _r12 + k * _r22 + l * _r32, h * _r13 + k * _r23 + l * _r33);

        /// <summary>Phase shift h·t (in 1/<see cref="Denominator"/> of a cycle, 0..23) that this operator gives reflection h.</summary>
        public int PhaseShift(int h, int k, int l) => Mod(h * _t1 + k * _t2 + l * _t3);

        /// <summary>A copy whose rotation has all signs flipped (the product with the inversion at the origin).</summary>
        internal SymmetryOperator Negated() => new SymmetryOperator(-_r11, -_r12, -_r13, -_r21, -_r22, -_r23, -_r31, -_r32, -_r33, _t1, _t2, _t3);

        internal SymmetryOperator WithTranslation(int t1, int t2, int t3) => new SymmetryOperator(_r11, _r12, _r13, _r21, _r22, _r23, _r31, _r32, _r33, t1, t2, t3);

        /// <summary>Parses a coordinate triplet such as <c>-y,x-y,z+1/3</c> or <c>x+1/2, -y, -z</c>.</summary>
        public static SymmetryOperator Parse(string triplet)
        {
            if (triplet == null) throw new ArgumentNullException(nameof(triplet));
            var parts = triplet.Split(',');
            if (parts.Length != 3) throw new FormatException($"'{triplet}' is not a coordinate triplet like -y,x,z+1/4.");
            var r = new int[9];
            var t = new int[3];
            for (int row = 0; row < 3; row++)
            {
                string s = parts[row].Replace(" ", "").ToLowerInvariant();
                if (s.Length == 0) throw new FormatException($"'{triplet}' has an empty component.");
                int i = 0;
                while (i < s.Length)
                {
                    int sign = 1;
                    if (s[i] == '+' || s[i] == '-') { sign = s[i] == '-' ? -1 : 1; i++; }
                    if (i >= s.Length) throw new FormatException($"'{triplet}' ends with a sign.");
                    char c = s[i];
                    if (c == 'x' || c == 'y' || c == 'z') { r[row * 3 + (c - 'x')] += sign; i++; continue; }
                    int start = i;
                    while (i < s.Length && (char.IsDigit(s[i]) || s[i] == '/' || s[i] == '.')) i++;
                    string num = s.Substring(start, i - start);
                    if (num.Length == 0) throw new FormatException($"'{triplet}': unexpected '{c}'.");
                    double v;
                    int slash = num.IndexOf('/');
                    if (slash > 0) v = double.Parse(num.Substring(0, slash), CultureInfo.InvariantCulture) / double.Parse(num.Substring(slash + 1), CultureInfo.InvariantCulture);
                    else v = double.Parse(num, CultureInfo.InvariantCulture);
                    double scaled = v * Denominator;
                    if (Math.Abs(scaled - Math.Round(scaled)) > 1e-6) throw new FormatException($"'{triplet}': translation {num} is not a multiple of 1/{Denominator}.");
                    t[row] += sign * (int)Math.Round(scaled);
                }
            }
            return new SymmetryOperator(r, t[0], t[1], t[2]);
        }

        public bool Equals(SymmetryOperator o) =>
            _r11 == o._r11 && _r12 == o._r12 && _r13 == o._r13 && _r21 == o._r21 && _r22 == o._r22 && _r23 == o._r23 &&
            _r31 == o._r31 && _r32 == o._r32 && _r33 == o._r33 && _t1 == o._t1 && _t2 == o._t2 && _t3 == o._t3;
        public override bool Equals(object? obj) => obj is SymmetryOperator s && Equals(s);
        public override int GetHashCode()
        {
            unchecked
            {
                int h = _r11 + 3 * (_r12 + 3 * (_r13 + 3 * (_r21 + 3 * (_r22 + 3 * (_r23 + 3 * (_r31 + 3 * (_r32 + 3 * _r33)))))));
                return h * 13824 + (_t1 * 24 + _t2) * 24 + _t3;
            }
        }
        public static bool operator ==(SymmetryOperator a, SymmetryOperator b) => a.Equals(b);
        public static bool operator !=(SymmetryOperator a, SymmetryOperator b) => !a.Equals(b);

        /// <summary>The operator as a coordinate triplet, e.g. <c>-y,x,z+1/4</c>.</summary>
        public override string ToString()
        {
            var sb = new StringBuilder();
            for (int row = 0; row < 3; row++)
            {
                if (row > 0) sb.Append(',');
                bool any = false;
                for (int col = 0; col < 3; col++)
                {
                    int v = R(row, col);
                    if (v == 0) continue;
                    if (v < 0) sb.Append('-'); else if (any) sb.Append('+');
                    if (Math.Abs(v) != 1) sb.Append(Math.Abs(v));
                    sb.Append((char)('x' + col));
                    any = true;
                }
                int t = row == 0 ? _t1 : row == 1 ? _t2 : _t3;
                if (t != 0)
                {
                    int g = Gcd(t, Denominator);
                    sb.Append(any ? "+" : "").Append(t / g).Append('/').Append(Denominator / g);
                }
                else if (!any) sb.Append('0');
            }
            return sb.ToString();
        }

        private static int Gcd(int a, int b) { while (b != 0) { int t = a % b; a = b; b = t; } return Math.Abs(a); }
    }
}
