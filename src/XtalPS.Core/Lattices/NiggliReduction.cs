using System;
using XtalPS.Geometry;

namespace XtalPS.Lattices
{
    /// <summary>
    /// Niggli reduction of a lattice basis (Křivý &amp; Gruber 1976, Acta Cryst A32:297, with the tolerance of
    /// Grosse-Kunstleve, Sauter &amp; Adams 2004, Acta Cryst A60:1): the unique reduced cell of a lattice, whatever
    /// basis it was found in. The steps act on the basis vectors themselves, so the reduced vectors (and with them
    /// the integer change of basis) come out as well as the cell.
    /// </summary>
    public static class NiggliReduction
    {
        /// <summary>Reduces the real-space basis a, b, c (Å, any frame); the result is right-handed.</summary>
        public static (Vec3 A, Vec3 B, Vec3 C) Reduce(Vec3 a, Vec3 b, Vec3 c, double relativeTolerance = 1e-5)
        {
            double volume = Math.Abs(a.Cross(b).Dot(c));
            if (!(volume > 0)) throw new ArgumentException("The basis vectors are coplanar.");
            double e = relativeTolerance * Math.Pow(volume, 2.0 / 3);
            for (int iteration = 0; iteration < 1000; iteration++)
            {
                double A = a.Dot(a), B = b.Dot(b), C = c.Dot(c), xi = 2 * b.Dot(c), eta = 2 * a.Dot(c), zeta = 2 * a.Dot(b);
                // N1: A ≤ B (ties broken by |ξ| ≤ |η|).
                if (A > B + e || (Math.Abs(A - B) <= e && Math.Abs(xi) > Math.Abs(eta) + e)) { var t = a; a = b; b = t; c = -c; continue; }
                // N2: B ≤ C (ties broken by |η| ≤ |ζ|); then N1 again.
                if (B > C + e || (Math.Abs(B - C) <= e && Math.Abs(eta) > Math.Abs(zeta) + e)) { var t = b; b = c; c = t; a = -a; continue; }
                // N3/N4: ξ, η, ζ all positive (type I) or all non-positive (type II), by the sign change diag(i, j, k),
                // which sends ξ → jkξ, η → ikη, ζ → ijζ.
                int si = 1, sj = 1, sk = 1;
                if (Sign(xi, e) * Sign(eta, e) * Sign(zeta, e) > 0)
                {
                    if (xi < -e) si = -1;
                    if (eta < -e) sj = -1;
                    if (zeta < -e) sk = -1;
                }
                else
                {
                    int zero = -1;
                    if (xi > e) si = -1; else if (!(xi < -e)) zero = 0;
                    if (eta > e) sj = -1; else if (!(eta < -e)) zero = 1;
                    if (zeta > e) sk = -1; else if (!(zeta < -e)) zero = 2;
                    if (si * sj * sk < 0 && zero >= 0)
                    {
                        if (zero == 0) si = -si; else if (zero == 1) sj = -sj; else sk = -sk;
                    }
                }
                a *= si; b *= sj; c *= sk;
                xi = 2 * b.Dot(c); eta = 2 * a.Dot(c); zeta = 2 * a.Dot(b);
                // N5–N7: shorten c by b or a, b by a.
                if (Math.Abs(xi) > B + e || (Math.Abs(xi - B) <= e && 2 * eta < zeta - e) || (Math.Abs(xi + B) <= e && zeta < -e))
                { c -= Math.Sign(xi) * b; continue; }
                if (Math.Abs(eta) > A + e || (Math.Abs(eta - A) <= e && 2 * xi < zeta - e) || (Math.Abs(eta + A) <= e && zeta < -e))
                { c -= Math.Sign(eta) * a; continue; }
                if (Math.Abs(zeta) > A + e || (Math.Abs(zeta - A) <= e && 2 * xi < eta - e) || (Math.Abs(zeta + A) <= e && eta < -e))
                { b -= Math.Sign(zeta) * a; continue; }
                // N8: c → a + b + c when that is shorter (type II only).
                double sum = xi + eta + zeta + A + B;
                if (sum < -e || (Math.Abs(sum) <= e && 2 * (A + eta) + zeta > e)) { c = c + a + b; continue; }
                if (a.Cross(b).Dot(c) < 0) { a = -a; b = -b; c = -c; }
                return (a, b, c);
            }
            throw new InvalidOperationException("Niggli reduction did not converge.");
        }

        private static int Sign(double x, double e) => x > e ? 1 : x < -e ? -1 : 0;

        /// <summary>The Niggli-reduced cell of <paramref name="cell"/>.</summary>
        public static UnitCell Reduce(UnitCell cell)
        {
            var m = cell.OrthogonalizationMatrix;
            var (a, b, c) = Reduce(new Vec3(m.M11, m.M21, m.M31), new Vec3(m.M12, m.M22, m.M32), new Vec3(m.M13, m.M23, m.M33));
            return UnitCell.FromRealSpaceVectors(a, b, c);
        }
    }
}
