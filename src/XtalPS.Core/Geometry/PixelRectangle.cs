using System;
using System.Globalization;

namespace XtalPS.Geometry
{
    /// <summary>
    /// A rectangle of whole pixels on one panel, half-open: pixels with FastMin ≤ x &lt; FastMax and
    /// SlowMin ≤ y &lt; SlowMax (pixel indices, 0-based). The same convention as a DIALS panel mask entry
    /// (f0, s0, f1, s1); a CrystFEL bad region min_fs..max_fs (inclusive) becomes FastMax = max_fs + 1.
    /// </summary>
    public readonly struct PixelRectangle : IEquatable<PixelRectangle>
    {
        public PixelRectangle(int fastMin, int slowMin, int fastMax, int slowMax)
        {
            if (fastMax < fastMin || slowMax < slowMin) throw new ArgumentException("A pixel rectangle needs FastMin ≤ FastMax and SlowMin ≤ SlowMax.");
            FastMin = fastMin; SlowMin = slowMin; FastMax = fastMax; SlowMax = slowMax;
        }

        public int FastMin { get; }
        public int SlowMin { get; }
        /// <summary>One past the last pixel along fast.</summary>
        public int FastMax { get; }
        /// <summary>One past the last pixel along slow.</summary>
        public int SlowMax { get; }
        public long PixelCount => (long)(FastMax - FastMin) * (SlowMax - SlowMin);

        /// <summary>The part of this rectangle that lies on a panel of the given size (may be empty).</summary>
        public PixelRectangle ClipTo(int width, int height)
        {
            int f0 = Math.Max(0, Math.Min(width, FastMin)), f1 = Math.Max(f0, Math.Min(width, FastMax));
            int s0 = Math.Max(0, Math.Min(height, SlowMin)), s1 = Math.Max(s0, Math.Min(height, SlowMax));
            return new PixelRectangle(f0, s0, f1, s1);
        }

        public bool Equals(PixelRectangle o) => FastMin == o.FastMin && SlowMin == o.SlowMin && FastMax == o.FastMax && SlowMax == o.SlowMax;
        public override bool Equals(object? obj) => obj is PixelRectangle r && Equals(r);
        public override int GetHashCode() => (FastMin, SlowMin, FastMax, SlowMax).GetHashCode();
        public static bool operator ==(PixelRectangle a, PixelRectangle b) => a.Equals(b);
        public static bool operator !=(PixelRectangle a, PixelRectangle b) => !a.Equals(b);

        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "[{0},{1})x[{2},{3})", FastMin, FastMax, SlowMin, SlowMax);
    }
}
