using System;

namespace XtalPS.Spots
{
    /// <summary>
    /// Powder rings of hexagonal ice (Ih), the usual contaminant of cryo-cooled crystals. Spots whose 1/d² falls
    /// within a band of a ring are rejected when ice-ring filtering is on (as DIALS's <c>ice_rings.filter</c>).
    /// d-spacings in Å of the Ih reflections strong enough to matter, from the Ih cell a = 4.498, c = 7.338 Å.
    /// </summary>
    public static class IceRings
    {
        public static readonly double[] Spacings = { 3.897, 3.669, 3.441, 2.671, 2.249, 2.072, 1.948, 1.918, 1.883, 1.721, 1.525, 1.473, 1.444, 1.372, 1.367, 1.299, 1.275 };

        /// <summary>Half-width of a ring in 1/d² (Å⁻²).</summary>
        public const double DefaultHalfWidth = 0.002;

        public static bool IsOnRing(double d, double halfWidth = DefaultHalfWidth)
        {
            if (!(d > 0) || double.IsInfinity(d)) return false;
            double s = 1 / (d * d);
            foreach (var r in Spacings)
                if (Math.Abs(s - 1 / (r * r)) < halfWidth) return true;
            return false;
        }
    }
}
