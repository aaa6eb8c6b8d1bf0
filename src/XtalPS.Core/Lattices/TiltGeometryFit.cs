using System;
using System.Collections.Generic;
using XtalPS.Geometry;

namespace XtalPS.Lattices
{
    /// <summary>Why the tilt of a pattern could not be found.</summary>
    public sealed class TiltGeometryException : Exception
    {
        public TiltGeometryException(string errorId, string message) : base(message) { ErrorId = errorId; }
        public string ErrorId { get; }
    }

    /// <summary>
    /// Finds the tilt of a 2D crystal from its measured diffraction lattice and its untilted cell.
    /// <para>
    /// Model: the pattern basis is P = s·R·S·P₀, with P₀ the cell's a*, b* (1/Å), R an in-plane rotation, S a stretch by
    /// 1/cos θ across the tilt axis and s the camera constant (px·Å). Its metric G = PᵀP therefore equals
    /// s²(G₀ + (1/cos²θ − 1)·q qᵀ) with G₀ the cell's reciprocal metric and q the components of the unit normal to the
    /// axis; the generalised eigenvalues of (G, G₀) are s² (eigenvector along the axis) and s²/cos²θ. The three numbers
    /// of G fix s, |θ| and the axis exactly, so the fit is closed-form. (The same metric argument underlies the
    /// lattice-distortion tilt estimates of Shaw &amp; Hills 1981, Micron 12, 279, used by MRC/2dx.)
    /// </para>
    /// <para>
    /// The measured basis may be any reduced basis of the lattice, so every integer change of basis with entries in
    /// −2..2 and determinant ±1 is tried. With a known camera constant the candidates whose fitted s lies within
    /// <c>scaleTolerance</c> of it are kept and the one nearest it wins; candidates that agree in s to 0.2% (symmetry
    /// equivalents) are ranked by smaller tilt, right hand, then the simplest matrix. Without a camera constant the
    /// smallest tilt wins.
    /// </para>
    /// </summary>
    public static class TiltGeometryFit
    {
        /// <summary>Fits the tilt; <paramref name="basisCovariance"/> is the 4×4 covariance of (Ax, Ay, Bx, By) in px².</summary>
        public static TiltGeometry Fit(Vec2 a, Vec2 b, PlanarCell cell, double nominalScale = double.NaN, double scaleTolerance = 0.05,
            double[,]? basisCovariance = null)
        {
            if (Math.Abs(a.Cross(b)) < 1e-9) throw new TiltGeometryException("DegenerateLattice", "The lattice vectors are parallel.");
            var candidates = new List<(int[] T, Solution S)>();
            for (int t11 = -2; t11 <= 2; t11++)
                for (int t12 = -2; t12 <= 2; t12++)
                    for (int t21 = -2; t21 <= 2; t21++)
                        for (int t22 = -2; t22 <= 2; t22++)
                        {
                            int det = t11 * t22 - t12 * t21;
                            if (det != 1 && det != -1) continue;
                            var t = new[] { t11, t12, t21, t22 };
                            var s = Solve(a, b, t, cell, null);
                            if (s == null) continue;
                            if (!double.IsNaN(nominalScale) && Math.Abs(Math.Log(s.Value.Scale / nominalScale)) > scaleTolerance) continue;
                            candidates.Add((t, s.Value));
                        }
            if (candidates.Count == 0)
                throw new TiltGeometryException("TiltNotFound", double.IsNaN(nominalScale)
                    ? $"No change of basis relates the lattice to the cell {cell}."
                    : $"No setting of the lattice matches the cell {cell} at a camera constant within {100 * scaleTolerance:0.#}% of {nominalScale:0.#} px·Å; check the cell, the camera length or -CameraConstant.");
            double bestMisfit = double.MaxValue;
            foreach (var c in candidates) bestMisfit = Math.Min(bestMisfit, Misfit(c.S.Scale, nominalScale));
            (int[] T, Solution S)? best = null;
            foreach (var c in candidates)
            {
                if (Misfit(c.S.Scale, nominalScale) > bestMisfit + 0.002) continue;
                if (best == null || Better(c, best.Value)) best = c;
            }
            var chosen = best!.Value;
            TiltGeometry?[]? perturbed = null;
            double step = 0;
            if (basisCovariance != null)
            {
                // Central differences in each basis component, with the same change of basis and axis direction.
                double scale = Math.Sqrt(Math.Max(basisCovariance[0, 0], Math.Max(basisCovariance[1, 1], Math.Max(basisCovariance[2, 2], basisCovariance[3, 3]))));
                step = Math.Max(1e-6, Math.Min(1e-3, 0.1 * scale));
                perturbed = new TiltGeometry?[8];
                for (int p = 0; p < 4; p++)
                    for (int sgn = 0; sgn < 2; sgn++)
                    {
                        double d = sgn == 0 ? step : -step;
                        var ap = new Vec2(a.X + (p == 0 ? d : 0), a.Y + (p == 1 ? d : 0));
                        var bp = new Vec2(b.X + (p == 2 ? d : 0), b.Y + (p == 3 ? d : 0));
                        var sp = Solve(ap, bp, chosen.T, cell, chosen.S.Axis);
                        perturbed[2 * p + sgn] = sp == null ? null : Build(cell, chosen.T, sp.Value, nominalScale);
                    }
            }
            return Build(cell, chosen.T, chosen.S, nominalScale, perturbed, basisCovariance, step);
        }

        private static double Misfit(double s, double nominal) => double.IsNaN(nominal) ? 0 : Math.Abs(Math.Log(s / nominal));

        private static bool Better((int[] T, Solution S) c, (int[] T, Solution S) best)
        {
            if (Math.Abs(c.S.Theta - best.S.Theta) > 1e-6) return c.S.Theta < best.S.Theta;
            if (c.S.Hand != best.S.Hand) return c.S.Hand > best.S.Hand;
            return Distance(c.T) < Distance(best.T);
        }

        private static int Distance(int[] t) => Math.Abs(t[0] - 1) + Math.Abs(t[1]) + Math.Abs(t[2]) + Math.Abs(t[3] - 1);

        private static TiltGeometry Build(PlanarCell cell, int[] t, Solution s, double nominal, TiltGeometry?[]? perturbed = null, double[,]? cov = null, double step = 0) =>
            new TiltGeometry(cell, t, s.A, s.B, s.Scale, s.Theta * 180 / Math.PI, s.Axis, s.Taxa, s.Hand, nominal, perturbed, cov, step);

        private readonly struct Solution
        {
            public Solution(Vec2 a, Vec2 b, double scale, double theta, Vec2 axis, double taxa, int hand)
            { A = a; B = b; Scale = scale; Theta = theta; Axis = axis; Taxa = taxa; Hand = hand; }
            public Vec2 A { get; }
            public Vec2 B { get; }
            public double Scale { get; }
            public double Theta { get; }
            public Vec2 Axis { get; }
            public double Taxa { get; }
            public int Hand { get; }
        }

        /// <summary>The closed-form solution for one change of basis; the axis is turned to match <paramref name="alignTo"/> when given, else to x ≥ 0.</summary>
        private static Solution? Solve(Vec2 a0, Vec2 b0, int[] t, PlanarCell cell, Vec2? alignTo)
        {
            var a = t[0] * a0 + t[1] * b0;
            var b = t[2] * a0 + t[3] * b0;
            double m11 = a.Dot(a), m12 = a.Dot(b), m22 = b.Dot(b);
            var (g11, g12, g22) = cell.ReciprocalMetric();
            // det(M − λG₀) = 0: det(G₀)λ² − (m11 g22 + m22 g11 − 2 m12 g12)λ + det(M) = 0.
            double qa = g11 * g22 - g12 * g12, qb = -(m11 * g22 + m22 * g11 - 2 * m12 * g12), qc = m11 * m22 - m12 * m12;
            double disc = qb * qb - 4 * qa * qc;
            if (disc < 0) disc = 0;
            double root = Math.Sqrt(disc);
            double l2 = (-qb + root) / (2 * qa);
            if (!(l2 > 0)) return null;
            double l1 = qc / (qa * l2);
            if (!(l1 > 0)) return null;
            double scale = Math.Sqrt(l1);
            double cos = Math.Sqrt(Math.Min(1, l1 / l2));
            double theta = Math.Acos(cos);
            // Eigenvector of λ1 in index space: (M − λ1 G₀) v = 0; take the better-conditioned row.
            double r11 = m11 - l1 * g11, r12 = m12 - l1 * g12, r22 = m22 - l1 * g22;
            double v1, v2;
            if (Math.Abs(r11) + Math.Abs(r12) >= Math.Abs(r12) + Math.Abs(r22)) { v1 = -r12; v2 = r11; }
            else { v1 = -r22; v2 = r12; }
            var axis = v1 * a + v2 * b;
            if (axis.Length < 1e-12)
            {
                // No tilt (λ1 = λ2): any axis; take a* by convention.
                axis = a; v1 = 1; v2 = 0;
            }
            double len = axis.Length;
            axis = new Vec2(axis.X / len, axis.Y / len);
            bool flip = alignTo.HasValue ? axis.Dot(alignTo.Value) < 0 : (axis.X < 0 || (axis.X == 0 && axis.Y < 0));
            if (flip) { axis = -axis; v1 = -v1; v2 = -v2; }
            // The same axis in the crystal's own frame, and the angle from it to a*.
            var (ax, ay, bx, by) = cell.ReciprocalBasis();
            double cx = v1 * ax + v2 * bx, cy = v1 * ay + v2 * by;
            double taxa = Math.Atan2(cx * ay - cy * ax, cx * ax + cy * ay) * 180 / Math.PI;
            int hand = a.Cross(b) >= 0 ? 1 : -1;
            return new Solution(a, b, scale, theta, axis, taxa, hand);
        }
    }
}
