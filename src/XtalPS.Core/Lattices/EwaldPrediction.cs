using System;
using XtalPS.Geometry;

namespace XtalPS.Lattices
{
    /// <summary>
    /// The Ewald-sphere step of still-shot prediction (Sauter et al. 2014, Acta Cryst. D70, 3299; DIALS's StillsReflectionPredictor): the
    /// reciprocal-lattice point r0 = A·h is rotated about the axis s0 × r0 (perpendicular to both) by the smallest
    /// angle that puts it on the Ewald sphere; that angle is Δψ. The scattered beam is s1 = s0 + r.
    /// </summary>
    /// <remarks>
    /// In the plane of s0 and r0, with û = s0/|s0| and ŵ the unit part of r0 perpendicular to û, r0 sits at the angle
    /// φ0 = atan2(r0·ŵ, r0·û) from û; on the Ewald sphere |s0 + r|² = |s0|² gives cos φ = −|r|/(2|s0|). Rotating about
    /// s0 × r0 by ψ turns φ into φ − ψ, so Δψ = φ0 − φ. Derivatives with respect to r0 are analytic.
    /// </remarks>
    internal readonly struct EwaldPrediction
    {
        private readonly Vec3 _u, _w, _e;
        private readonly double _k, _q, _sq, _p, _qpar, _g, _dg, _sinT;

        private EwaldPrediction(Vec3 u, Vec3 w, Vec3 e, double k, double q, double p, double qpar, double g, double dg, double sinT, Vec3 rotated, Vec3 s1, double dpsi)
        {
            _u = u; _w = w; _e = e; _k = k; _q = q; _sq = Math.Sqrt(q); _p = p; _qpar = qpar; _g = g; _dg = dg; _sinT = sinT;
            Rotated = rotated; S1 = s1; DeltaPsi = dpsi;
        }

        /// <summary>The reciprocal-lattice point rotated onto the Ewald sphere (same length as r0), 1/Å.</summary>
        public Vec3 Rotated { get; }
        /// <summary>The scattered wave vector on the Ewald sphere, 1/Å.</summary>
        public Vec3 S1 { get; }
        /// <summary>Rotation (rad) that brings r0 onto the Ewald sphere, φ0 − φ (the sign DIALS reports as delpsi).</summary>
        public double DeltaPsi { get; }

        /// <summary>False when r0 is zero, along the beam, or beyond the limiting sphere (|r0| ≥ 2|s0|).</summary>
        public static bool TryPredict(Vec3 s0, Vec3 r0, out EwaldPrediction prediction)
        {
            double k = s0.Length;
            return TryPredict(s0, k, s0 / k, r0, out prediction);
        }

        /// <summary>As <see cref="TryPredict(Vec3, Vec3, out EwaldPrediction)"/> with |s0| = <paramref name="k"/> and
        /// û = s0/|s0| already known (a predictor computes them once per beam).</summary>
        public static bool TryPredict(Vec3 s0, double k, Vec3 u, Vec3 r0, out EwaldPrediction prediction)
        {
            double qpar = r0.Dot(u);
            var perp = r0 - u * qpar;
            double p = perp.Length;
            double q = r0.LengthSquared;
            if (!(p > 1e-12 * Math.Sqrt(q)) || !(q > 0) || q >= 4 * k * k) { prediction = default; return false; }
            var w = perp / p;
            var e = u.Cross(w);
            double c = -Math.Sqrt(q) / (2 * k);
            double sinT = Math.Sqrt(1 - c * c);
            double g = Math.Sqrt(q) * sinT;                 // = sqrt(q − q²/4k²)
            double dg = (1 - q / (2 * k * k)) / (2 * g);    // dg/dq
            var r = u * (-q / (2 * k)) + w * g;
            double phi0 = Math.Atan2(p, qpar);
            double phiT = Math.Acos(c);
            prediction = new EwaldPrediction(u, w, e, k, q, p, qpar, g, dg, sinT, r, s0 + r, phi0 - phiT);
            return true;
        }

        /// <summary>Change of s1 and Δψ for a change <paramref name="dr0"/> of r0 (beam fixed).</summary>
        public void Derivative(Vec3 dr0, out Vec3 ds1, out double dDeltaPsi)
        {
            double dq = 2 * (_qpar * _u.Dot(dr0) + _p * _w.Dot(dr0));   // 2 r0·δ, r0 = qpar û + p ŵ
            double de = _e.Dot(dr0);
            var dw = _e * (de / _p);
            ds1 = _u * (-dq / (2 * _k)) + _w * (_dg * dq) + dw * _g;
            double dphi0 = (_qpar * _w.Dot(dr0) - _p * _u.Dot(dr0)) / _q;
            double dc = -dq / (4 * _k * _sq);
            double dphiT = -dc / _sinT;
            dDeltaPsi = dphi0 - dphiT;
        }
    }
}
