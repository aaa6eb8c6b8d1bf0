using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using XtalPS.Geometry;

namespace XtalPS.Lattices
{
    /// <summary>
    /// Real-space grid search for known cell edges (Gildea et al. 2014, J Appl Cryst 47:2137): for directions d̂ on a
    /// hemisphere and each known edge length L, score Σ cos(2π·L·d̂·rᵢ) over the spots' reciprocal vectors; the best
    /// directions are real-space cell vectors. Each is then sharpened by least squares on the integer projections.
    /// </summary>
    internal static class RealSpaceGridSearch
    {
        /// <summary>Most spots that enter the coarse direction score.</summary>
        public const int MaxScoringSpots = 120;

        /// <summary>Finest direction grid used, rad (about 170 000 directions on the hemisphere).</summary>
        public const double MinSpacing = 0.006;

        /// <summary>Spots the coarse score should see at least, when the spot list has them.</summary>
        public const int MinScoringSpots = 60;

        /// <summary>
        /// Grid spacing for edge <paramref name="length"/>: <paramref name="spacing"/>, or finer when fewer than
        /// <see cref="MinScoringSpots"/> spots are at low enough resolution for it (spots of a still at high resolution
        /// only, as on an XFEL CSPAD), so that that many spots keep their phase coherent on the grid; never below
        /// <see cref="MinSpacing"/>. <paramref name="sortedQ"/> holds the spots' |r| in increasing order.
        /// </summary>
        public static double AdaptiveSpacing(double[] sortedQ, double length, double spacing)
        {
            if (sortedQ.Length == 0) return spacing;
            double q = sortedQ[Math.Min(sortedQ.Length, MinScoringSpots) - 1];
            double needed = 0.35 / (length * q);
            return Math.Max(MinSpacing, Math.Min(spacing, needed));
        }

        /// <summary>Directions on the upper hemisphere (z ≥ 0), a Fibonacci lattice with about <paramref name="spacing"/> rad between neighbours.</summary>
        public static Vec3[] Hemisphere(double spacing)
        {
            int n = Math.Max(16, (int)Math.Round(2 * Math.PI / (spacing * spacing)));
            var dirs = new Vec3[n];
            double golden = Math.PI * (3 - Math.Sqrt(5));
            for (int i = 0; i < n; i++)
            {
                double z = (i + 0.5) / n, rho = Math.Sqrt(1 - z * z), phi = i * golden;
                dirs[i] = new Vec3(rho * Math.Cos(phi), rho * Math.Sin(phi), z);
            }
            return dirs;
        }

        /// <summary>cos(2πx) to ~5e-7 without a library call (range reduction, then a Taylor polynomial on [0, π/2]).</summary>
        public static double Cos2Pi(double x)
        {
            double t = x - Math.Floor(x + 0.5);      // [-0.5, 0.5)
            t = t < 0 ? -t : t;                       // [0, 0.5]
            double sign = 1;
            if (t > 0.25) { t = 0.5 - t; sign = -1; }
            double a = 2 * Math.PI * t, a2 = a * a;
            return sign * (1 + a2 * (-0.5 + a2 * (1.0 / 24 + a2 * (-1.0 / 720 + a2 * (1.0 / 40320 + a2 * (-1.0 / 3628800))))));
        }

        private static readonly Vector<double> Magic = new Vector<double>(6755399441055744.0); // 1.5·2⁵²: adding and subtracting rounds to an integer
        private static readonly Vector<double> TwoPi = new Vector<double>(2 * Math.PI);

        /// <summary>Σ cos(2π·d̂·lᵢ), vectorised: t = x − round(x) ∈ [−½, ½], cos(2πt) by its Taylor series to θ¹⁴ (error &lt; 5e-6).</summary>
        internal static double SumCos2Pi(Vec3 direction, double[] lx, double[] ly, double[] lz)
        {
            int width = Vector<double>.Count;
            var dx = new Vector<double>(direction.X); var dy = new Vector<double>(direction.Y); var dz = new Vector<double>(direction.Z);
            var acc = Vector<double>.Zero;
            var c2 = new Vector<double>(-1.0 / 2); var c4 = new Vector<double>(1.0 / 24); var c6 = new Vector<double>(-1.0 / 720);
            var c8 = new Vector<double>(1.0 / 40320); var c10 = new Vector<double>(-1.0 / 3628800); var c12 = new Vector<double>(1.0 / 479001600);
            var c14 = new Vector<double>(-1.0 / 87178291200); var one = Vector<double>.One;
            for (int j = 0; j < lx.Length; j += width)
            {
                var x = dx * new Vector<double>(lx, j) + dy * new Vector<double>(ly, j) + dz * new Vector<double>(lz, j);
                var t = x - ((x + Magic) - Magic);
                var a = t * TwoPi;
                var a2 = a * a;
                var p = c14;
                p = p * a2 + c12; p = p * a2 + c10; p = p * a2 + c8; p = p * a2 + c6; p = p * a2 + c4; p = p * a2 + c2; p = p * a2 + one;
                acc += p;
            }
            return Vector.Dot(acc, Vector<double>.One);
        }

        /// <summary>
        /// The <paramref name="count"/> best-scoring directions for edge <paramref name="length"/>, at least
        /// <paramref name="separation"/> rad apart, as vectors length·d̂. Spots whose projections would swing by
        /// more than a quarter period over the grid spacing are left out of the coarse score.
        /// </summary>
        public static List<Vec3> Search(SpotObservations obs, double length, Vec3[] directions, double spacing, int count, double separation)
        {
            // Coarse score only from spots with L·|r|·spacing ≤ 0.35 (the phase error at the nearest grid point stays < π/2).
            double qCut = 0.35 / (length * spacing);
            // At most MaxScoringSpots of them, lowest resolution first: enough for a clear peak, and the cost stays bounded.
            var idx = Enumerable.Range(0, obs.Count).Where(i => obs.Q[i] <= qCut).OrderBy(i => obs.Q[i]).Take(MaxScoringSpots).ToList();
            if (idx.Count < 12) idx = Enumerable.Range(0, obs.Count).OrderBy(i => obs.Q[i]).Take(Math.Min(obs.Count, 40)).ToList();
            int m = idx.Count;
            int width = Vector<double>.Count;
            int padded = (m + width - 1) / width * width;
            // Padding spots project to 0 and add cos(0) = 1 to every direction alike.
            var lx = new double[padded]; var ly = new double[padded]; var lz = new double[padded];
            for (int j = 0; j < m; j++) { var r = obs.R[idx[j]]; lx[j] = r.X * length; ly[j] = r.Y * length; lz[j] = r.Z * length; }
            var scores = new double[directions.Length];
            for (int d = 0; d < directions.Length; d++)
                scores[d] = SumCos2Pi(directions[d], lx, ly, lz);
            var order = Enumerable.Range(0, directions.Length).OrderByDescending(i => scores[i]).ToArray();
            var chosen = new List<Vec3>();
            double cosSep = Math.Cos(separation);
            foreach (int i in order)
            {
                if (chosen.Count >= count) break;
                var d = directions[i];
                bool near = false;
                foreach (var c in chosen) if (Math.Abs(c.Dot(d)) > cosSep) { near = true; break; }
                if (!near) chosen.Add(d);
            }
            return chosen.Select(d => d * length).ToList();
        }

        /// <summary>
        /// Sharpens a real-space vector v so that v·rᵢ is as close as possible to integers nᵢ (least squares over the
        /// spots whose projections lie within 0.25 of an integer), working outwards in resolution.
        /// </summary>
        public static Vec3 Refine(SpotObservations obs, Vec3 v, out int support)
        {
            support = 0;
            foreach (double maxIndex in new[] { 8.0, 16, 32, double.PositiveInfinity })
            {
                double s11 = 0, s12 = 0, s13 = 0, s22 = 0, s23 = 0, s33 = 0, b1 = 0, b2 = 0, b3 = 0;
                int n = 0, nonZero = 0;
                double len = v.Length;
                for (int i = 0; i < obs.Count; i++)
                {
                    if (obs.Q[i] * len > maxIndex) continue;
                    var r = obs.R[i];
                    double f = v.Dot(r), k = Math.Round(f);
                    if (Math.Abs(f - k) > 0.25) continue;
                    s11 += r.X * r.X; s12 += r.X * r.Y; s13 += r.X * r.Z; s22 += r.Y * r.Y; s23 += r.Y * r.Z; s33 += r.Z * r.Z;
                    b1 += k * r.X; b2 += k * r.Y; b3 += k * r.Z;
                    n++; if (k != 0) nonZero++;
                }
                if (n < 6 || nonZero < 3) break;
                var m = new Mat3(s11, s12, s13, s12, s22, s23, s13, s23, s33);
                if (Math.Abs(m.Determinant) < 1e-30) break;
                var next = m.Inverse() * new Vec3(b1, b2, b3);
                if (!(next.Length > 0.5 * len && next.Length < 2 * len)) break;
                v = next;
                support = n;
            }
            return v;
        }

        /// <summary>Bitset of the spots whose projection on v lies within <paramref name="tolerance"/> of an integer.</summary>
        public static ulong[] Mask(SpotObservations obs, Vec3 v, double tolerance)
        {
            var mask = new ulong[(obs.Count + 63) / 64];
            for (int i = 0; i < obs.Count; i++)
            {
                double f = v.Dot(obs.R[i]);
                if (Math.Abs(f - Math.Round(f)) <= tolerance) mask[i >> 6] |= 1UL << (i & 63);
            }
            return mask;
        }

        public static int CountAnd(ulong[] a, ulong[] b, ulong[] c)
        {
            int n = 0;
            for (int i = 0; i < a.Length; i++) n += PopCount(a[i] & b[i] & c[i]);
            return n;
        }

        private static int PopCount(ulong x)
        {
            x -= (x >> 1) & 0x5555555555555555UL;
            x = (x & 0x3333333333333333UL) + ((x >> 2) & 0x3333333333333333UL);
            x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FUL;
            return (int)((x * 0x0101010101010101UL) >> 56);
        }
    }
}
