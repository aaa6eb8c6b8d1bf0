using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace XtalPS.Lattices
{
    /// <summary>
    /// How far from the Ewald sphere a still's reflections still diffract: the mosaic-block model of Sauter et al.
    /// (2014, Acta Cryst D70:3299), in which a crystal of mosaic blocks of size D whose orientations spread over a full
    /// angle η makes a reflection of spacing d diffract while its Δψ is within ±(d/D + η/2). The two terms are a
    /// domain-size (Scherrer) broadening, larger for low-resolution reflections, and a mosaic broadening, the same for all.
    /// </summary>
    /// <remarks>
    /// Fit by maximum likelihood to the Δψ of the indexed spots: each Δψ is taken as normal with mean 0 and standard
    /// deviation σ(d) = (d/D + η/2)/√3 — the standard deviation of a flat distribution over the envelope, which keeps
    /// the fit stable against the few spots outside it. For each direction (1/D : η/2) the best scale has a closed form;
    /// the direction is found on a grid and polished by golden-section search. Bandwidth widens the observed Δψ in the
    /// same way as mosaicity, so η is an effective mosaic spread (as in cctbx.xfel's, which also absorbs it).
    /// </remarks>
    public sealed class SpotExtentModel
    {
        /// <summary>Fewest indexed spots with a Δψ for a fit; fewer leave the model empty (<see cref="IsDefined"/> false).</summary>
        public const int MinSpots = 8;

        private SpotExtentModel(double inverseDomainSize, double halfMosaic, int spots)
        {
            InverseDomainSize = inverseDomainSize;
            HalfMosaicRadians = halfMosaic;
            SpotCount = spots;
        }

        /// <summary>No model (too few indexed spots).</summary>
        public static SpotExtentModel Undefined { get; } = new SpotExtentModel(double.NaN, double.NaN, 0);

        /// <summary>1/D, 1/Å (0 for blocks too large to broaden anything).</summary>
        public double InverseDomainSize { get; }
        /// <summary>η/2, rad.</summary>
        public double HalfMosaicRadians { get; }
        /// <summary>Indexed spots the model was fitted to.</summary>
        public int SpotCount { get; }
        public bool IsDefined => SpotCount > 0;
        /// <summary>Full mosaic spread η, degrees.</summary>
        public double MosaicSpread => 2 * HalfMosaicRadians * 180 / Math.PI;
        /// <summary>Mosaic block (domain) size D, Å; +∞ when no domain-size broadening is seen.</summary>
        public double DomainSize => !IsDefined ? double.NaN : InverseDomainSize > 0 ? 1 / InverseDomainSize : double.PositiveInfinity;

        /// <summary>The Δψ half-width (rad) inside which a reflection of spacing <paramref name="d"/> (Å) diffracts: d/D + η/2.</summary>
        public double HalfWidth(double d) => d * InverseDomainSize + HalfMosaicRadians;

        /// <summary>Standard deviation of Δψ at spacing d, rad: the half-width over √3.</summary>
        public double DeltaPsiSigma(double d) => HalfWidth(d) / Math.Sqrt(3);

        /// <summary>
        /// The fraction of the reflection's full intensity the still is expected to record, 0–1: the Gaussian of the
        /// fitted Δψ distribution at the reflection's Δψ, exp(−Δψ²/2σ(d)²). An estimate for merging to start from.
        /// </summary>
        public double Partiality(double deltaPsi, double d)
        {
            if (!IsDefined) return double.NaN;
            double s = DeltaPsiSigma(d);
            if (!(s > 0)) return deltaPsi == 0 ? 1 : 0;
            double t = deltaPsi / s;
            return Math.Exp(-0.5 * t * t);
        }

        /// <summary>Fits the model to spots at spacings <paramref name="d"/> (Å) with rotations <paramref name="deltaPsi"/> (rad).</summary>
        public static SpotExtentModel Fit(IReadOnlyList<double> d, IReadOnlyList<double> deltaPsi)
        {
            if (d == null) throw new ArgumentNullException(nameof(d));
            if (deltaPsi == null) throw new ArgumentNullException(nameof(deltaPsi));
            var ds = new List<double>(); var psi = new List<double>();
            for (int i = 0; i < Math.Min(d.Count, deltaPsi.Count); i++)
                if (d[i] > 0 && !double.IsInfinity(d[i]) && !double.IsNaN(deltaPsi[i]) && !double.IsInfinity(deltaPsi[i]))
                { ds.Add(d[i]); psi.Add(deltaPsi[i]); }
            int n = ds.Count;
            if (n < MinSpots) return Undefined;
            double dRef = ds.Average();
            if (psi.All(v => v == 0)) return new SpotExtentModel(0, 0, n);

            // Direction θ: 1/D = r·cosθ/dRef, η/2 = r·sinθ; f_i = cosθ·d_i/dRef + sinθ, σ_i = r·f_i/√3.
            double Nll(double theta, out double r)
            {
                double c = Math.Cos(theta), s = Math.Sin(theta), sumLog = 0, sumW = 0;
                for (int i = 0; i < n; i++)
                {
                    double f = c * ds[i] / dRef + s;
                    sumLog += Math.Log(f);
                    sumW += psi[i] * psi[i] / (f * f);
                }
                r = Math.Sqrt(3 * sumW / n);
                if (!(r > 0)) return double.PositiveInfinity;
                // Σ log σ_i + Σ Δψ_i²/(2σ_i²) with the best r: n·log r + Σ log f_i + n/2 (constants dropped).
                return n * Math.Log(r) + sumLog + 0.5 * n;
            }

            const int Grid = 90;
            double bestTheta = 0, best = double.PositiveInfinity;
            for (int g = 0; g <= Grid; g++)
            {
                double theta = 0.5 * Math.PI * g / Grid;
                double v = Nll(theta, out _);
                if (v < best) { best = v; bestTheta = theta; }
            }
            double lo = Math.Max(0, bestTheta - 0.5 * Math.PI / Grid), hi = Math.Min(0.5 * Math.PI, bestTheta + 0.5 * Math.PI / Grid);
            double phi = (Math.Sqrt(5) - 1) / 2;
            double x1 = hi - phi * (hi - lo), x2 = lo + phi * (hi - lo), f1 = Nll(x1, out _), f2 = Nll(x2, out _);
            for (int it = 0; it < 40; it++)
            {
                if (f1 < f2) { hi = x2; x2 = x1; f2 = f1; x1 = hi - phi * (hi - lo); f1 = Nll(x1, out _); }
                else { lo = x1; x1 = x2; f1 = f2; x2 = lo + phi * (hi - lo); f2 = Nll(x2, out _); }
            }
            double theta0 = 0.5 * (lo + hi);
            if (Nll(theta0, out double r0) > best) { theta0 = bestTheta; Nll(theta0, out r0); }
            return new SpotExtentModel(r0 * Math.Cos(theta0) / dRef, r0 * Math.Sin(theta0), n);
        }

        /// <summary>Fits the model to a crystal lattice's indexed spots (d from the setting matrix).</summary>
        public static SpotExtentModel Fit(CrystalLattice lattice)
        {
            if (lattice == null) throw new ArgumentNullException(nameof(lattice));
            var spots = lattice.IndexedSpots;
            var d = new double[spots.Count]; var psi = new double[spots.Count];
            for (int i = 0; i < spots.Count; i++)
            {
                var s = spots[i];
                double q = (lattice.AMatrix * new Geometry.Vec3(s.H, s.K, s.L)).Length;
                d[i] = q > 0 ? 1 / q : double.NaN;
                psi[i] = s.DeltaPsi;
            }
            return Fit(d, psi);
        }

        public override string ToString() => IsDefined
            ? string.Format(CultureInfo.InvariantCulture, "η {0:0.###}°, D {1:0.#} Å from {2} spots", MosaicSpread, DomainSize, SpotCount)
            : "undefined (too few indexed spots)";
    }
}
