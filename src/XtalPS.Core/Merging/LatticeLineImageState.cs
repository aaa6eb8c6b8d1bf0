using System;
using System.Collections.Generic;
using XtalPS.Lattices;

namespace XtalPS.Merging
{
    /// <summary>
    /// What lattice-line merging holds per image while it works: scale G, relative B, and the tilt as the two numbers
    /// that fix every z* of a flat-Ewald-sphere pattern, z*(h, k) = h·z*ₐ + k·z*_b (the z* of a* and b*), with their
    /// covariance; the tilt step's values are kept as the prior. In the crystal plane z*(g) = −g·m with m = tan θ·n̂,
    /// n̂ the unit normal to the tilt axis, so (z*ₐ, z*_b) and (θ, axis) are the same information.
    /// </summary>
    internal sealed class LatticeLineImageState
    {
        public double G = 1, B;
        public double ZA, ZB;
        public double PriorA, PriorB;
        /// <summary>Inverse covariance (aa, ab, bb) of the tilt step's (z*ₐ, z*_b); null when the table had no σ(z*).</summary>
        public double[]? PriorInverse;
        /// <summary>Covariance (aa, ab, bb) of the current (z*ₐ, z*_b).</summary>
        public double CovAA, CovAB, CovBB;
        public int Used;
        /// <summary>Mean (Huber) squared normalised residual against the other images' lines after refinement.</summary>
        public double Misfit = double.NaN;
        /// <summary>Left out of the lattice lines: its misfit was far above the other images' (a wrong lattice or tilt solution).</summary>
        public bool Rejected;
        /// <summary>How the observations were re-indexed before merging (p3's mirror indexing), identity otherwise.</summary>
        public PlaneGroup.Operator Reindexed = new PlaneGroup.Operator(1, 0, 0, 1, 1);
        /// <summary>a* and b* on the pattern (px, in the table's indexing), from the predicted positions; null without them.</summary>
        public (double Ax, double Ay, double Bx, double By)? PatternBasis;
        public double InitialA, InitialB;

        /// <summary>Starts from the z* and σ(z*) an image's observations carry (exactly linear in h and k after the tilt step).</summary>
        public static LatticeLineImageState FromObservations(IReadOnlyList<LatticeLineObservation> obs)
        {
            var st = new LatticeLineImageState();
            double shh = 0, shk = 0, skk = 0, shz = 0, skz = 0;
            foreach (var o in obs) { shh += o.H * o.H; shk += o.H * o.K; skk += o.K * o.K; shz += o.H * o.Z; skz += o.K * o.Z; }
            double det = shh * skk - shk * shk;
            if (det > 0) { st.ZA = (skk * shz - shk * skz) / det; st.ZB = (shh * skz - shk * shz) / det; }
            st.PriorA = st.InitialA = st.ZA; st.PriorB = st.InitialB = st.ZB;
            // σ²(z*) = h²·Caa + 2hk·Cab + k²·Cbb: the tilt step's covariance of (z*ₐ, z*_b) by least squares.
            var n = new double[3, 3]; var b = new double[3]; int count = 0;
            foreach (var o in obs)
            {
                if (!(o.Zs > 0)) continue;
                var f = new double[] { o.H * o.H, 2.0 * o.H * o.K, o.K * o.K };
                for (int i = 0; i < 3; i++) { b[i] += f[i] * o.Zs * o.Zs; for (int j = 0; j < 3; j++) n[i, j] += f[i] * f[j]; }
                count++;
            }
            var c = count >= 3 ? LatticeLineRefinement.Solve(n, b) : null;
            if (c != null && c[0] > 0 && c[2] > 0 && c[0] * c[2] - c[1] * c[1] > 0)
            {
                st.CovAA = c[0]; st.CovAB = c[1]; st.CovBB = c[2];
                double d = c[0] * c[2] - c[1] * c[1];
                st.PriorInverse = new[] { c[2] / d, -c[1] / d, c[0] / d };
            }
            return st;
        }

        public double ZStar(int h, int k) => h * ZA + k * ZB;
        public double ZStarSigma(int h, int k) => Math.Sqrt(Math.Max(0, h * h * CovAA + 2.0 * h * k * CovAB + k * k * CovBB));

        /// <summary>(z*ₐ, z*_b) in the table's own indexing (undoing <see cref="Reindexed"/>).</summary>
        public (double A, double B) TableZ(double za, double zb)
        {
            double Z(int h, int k) { var (h1, k1) = Reindexed.Apply(h, k); return Reindexed.ZSign * (h1 * za + k1 * zb); }
            return (Z(1, 0), Z(0, 1));
        }

        /// <summary>|θ| and TAXA (degrees) of a pattern whose a* and b* sample z*ₐ and z*_b, for the cell; <paramref name="sign"/>
        /// −1 reverses the tilt (the merge's choice).</summary>
        public static (double Theta, double Taxa) Tilt(PlanarCell cell, double za, double zb, int sign)
        {
            var (ax, ay, bx, by) = cell.ReciprocalBasis();
            // −(ax mx + ay my) = za, −(bx mx + by my) = zb.
            double det = ax * by - ay * bx;
            double mx = (-za * by + zb * ay) / det, my = (-zb * ax + za * bx) / det;
            mx *= sign; my *= sign;
            double t = Math.Sqrt(mx * mx + my * my);
            double theta = Math.Atan(t) * 180 / Math.PI;
            // n̂ = m/|m| = (−u_y, u_x): the axis u = (n_y, −n_x); TAXA is the angle from u to a*.
            double ux = my, uy = -mx;
            double taxa = TiltGeometry.Wrap360((Math.Atan2(ay, ax) - Math.Atan2(uy, ux)) * 180 / Math.PI);
            return (theta, taxa);
        }

        /// <summary>TLTAXIS (degrees, folded into (−90°, 90°]) on the pattern: the direction along which z* does not change.</summary>
        public double TiltAxis(double za, double zb)
        {
            if (PatternBasis == null) return double.NaN;
            var (ax, ay, bx, by) = PatternBasis.Value;
            // v·A = z*ₐ, v·B = z*_b; the axis is perpendicular to v.
            double det = ax * by - ay * bx;
            if (Math.Abs(det) < 1e-12) return double.NaN;
            double vx = (za * by - zb * ay) / det, vy = (zb * ax - za * bx) / det;
            return TiltGeometry.Wrap180(Math.Atan2(vx, -vy) * 180 / Math.PI);
        }
    }
}
