using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using XtalPS.Geometry;
using XtalPS.Geometry.Numerics;
using XtalPS.Spots;

namespace XtalPS.Lattices
{
    /// <summary>Settings of the planar (2D crystal) lattice search.</summary>
    public sealed class PlanarSearchSettings
    {
        /// <summary>Use at most this many spots (the strongest) for the difference-vector search.</summary>
        public int MaxSearchSpots { get; set; } = 400;
        /// <summary>A spot is indexed when its fractional indices are within this of integers.</summary>
        public double IndexTolerance { get; set; } = 0.2;
        /// <summary>Seed or fix the lattice by hand (IPLT style): all three, or Origin alone.</summary>
        public Vec2? Origin { get; set; }
        public Vec2? A { get; set; }
        public Vec2? B { get; set; }
        /// <summary>Also fit IPLT's barrel and spiral distortion terms.</summary>
        public bool FitDistortion { get; set; }
        /// <summary>Fewest indexed spots for a lattice to be reported.</summary>
        public int MinIndexed { get; set; } = 6;
        /// <summary>Largest acceptable RMSD, px.</summary>
        public double MaxRmsd { get; set; } = 2.0;
    }

    /// <summary>Why a planar search gave no lattice.</summary>
    public sealed class LatticeSearchException : Exception
    {
        public LatticeSearchException(string errorId, string message) : base(message) { ErrorId = errorId; }
        public string ErrorId { get; }
    }

    /// <summary>
    /// Finds a planar lattice (origin and two basis vectors, px) from spot positions, for electron diffraction of
    /// 2D crystals. After IPLT's LatticeSearch (Philippsen et al. 2003, J Struct Biol 144:4) and 2dx's pair scoring (Gipson et al. 2007, J Struct Biol 157:64): every difference vector
    /// between strong spots goes into a "vector image"; its peaks are lattice vectors; pairs of short peaks are
    /// scored by the fraction of spots they index (smallest cell among the best); the basis is Lagrange-reduced;
    /// then indices are assigned and origin and basis refined by weighted linear least squares until stable.
    /// Lattice point (0,0) is placed at the lattice point nearest the direct beam.
    /// </summary>
    public static class PlanarLatticeSearch
    {
        /// <summary>Finds the lattice of one 2D-crystal image; <paramref name="cancellationToken"/> is checked every cycle.</summary>
        public static PlanarLattice Find(SpotList spots, PlanarSearchSettings settings, CancellationToken cancellationToken = default)
        {
            var image = spots.Source;
            var pts = spots.Spots.Where(s => s.Panel == 0 && !double.IsNaN(s.X)).ToArray();
            if (pts.Length < settings.MinIndexed)
                throw new LatticeSearchException("TooFewSpots", $"{image.Name}: {pts.Length} spots on panel 0; a planar lattice needs at least {settings.MinIndexed}.");
            var pos = pts.Select(s => new Vec2(s.X, s.Y)).ToArray();
            var weight = pts.Select(s => Math.Max(1e-6, s.Intensity > 0 ? Math.Sqrt(s.Intensity) : 1e-6)).ToArray();

            Vec2 a, b;
            if (settings.A.HasValue && settings.B.HasValue) { a = settings.A.Value; b = settings.B.Value; }
            else
            {
                var strongest = Enumerable.Range(0, pts.Length).OrderByDescending(i => pts[i].Intensity).Take(settings.MaxSearchSpots).Select(i => pos[i]).ToArray();
                (a, b) = SearchBasis(strongest, settings.IndexTolerance) ??
                    throw new LatticeSearchException("NoLattice", $"{image.Name}: no pair of difference-vector peaks indexes the spots; is this a lattice?");
            }
            (a, b) = Reduce(a, b);

            // Anchor: the requested origin, else the beam centre, else the strongest spot.
            Vec2 anchor;
            if (settings.Origin.HasValue) anchor = settings.Origin.Value;
            else if (image.Detector.TryBeamCentre(image.Beam, out int bp, out var bc) && bp == 0) anchor = bc;
            else anchor = pos[Array.IndexOf(weight, weight.Max())];
            var origin = NearestLatticePoint(pos, weight, anchor, a, b, settings.IndexTolerance);

            double kb = 0, ks = 0;
            int indexed = 0; double rmsd = double.NaN;
            // With distortion, indices far from the origin are only right once the distortion is known: grow the
            // indexed region outwards (half, then three quarters, then all of the spots' extent).
            double extent = pos.Max(q => (q - origin).Length);
            var radii = settings.FitDistortion ? new[] { 0.5 * extent, 0.75 * extent, double.MaxValue } : new[] { double.MaxValue };
            int stage = 0, cyclesInStage = 0;
            for (int cycle = 0; cycle < 100; cycle++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var lattice = new PlanarLattice(origin, a, b, barrelDistortion: kb, spiralDistortion: ks);
                var (h, k, use) = Assign(lattice, pos, settings.IndexTolerance);
                for (int i = 0; i < pos.Length; i++) if ((pos[i] - origin).Length > radii[stage]) use[i] = false;
                indexed = use.Count(u => u);
                if (indexed < Math.Max(3, settings.MinIndexed)) break;
                Vec2 o2, a2, b2;
                if (settings.FitDistortion && indexed >= 12)
                    (o2, a2, b2, kb, ks) = FitDistorted(pos, weight, h, k, use, origin, a, b, kb, ks);
                else
                    (o2, a2, b2) = FitLinear(pos, weight, h, k, use);
                double move = Math.Max((o2 - origin).Length, Math.Max((a2 - a).Length, (b2 - b).Length));
                origin = o2; a = a2; b = b2;
                rmsd = Rmsd(new PlanarLattice(origin, a, b, barrelDistortion: kb, spiralDistortion: ks), pos, h, k, use);
                cyclesInStage++;
                if (move < 1e-6 || cyclesInStage > 30)
                {
                    if (stage == radii.Length - 1) break;
                    stage++; cyclesInStage = 0;
                }
            }
            if (indexed < settings.MinIndexed)
                throw new LatticeSearchException("TooFewIndexed", $"{image.Name}: only {indexed} spots index on the best lattice (need {settings.MinIndexed}).");
            if (!(rmsd <= settings.MaxRmsd))
                throw new LatticeSearchException("RmsdTooHigh", $"{image.Name}: the best lattice has an RMSD of {rmsd:0.###} px, above the {settings.MaxRmsd} px limit.");
            return new PlanarLattice(origin, a, b, spots.Image, spots, indexed, rmsd, kb, ks);
        }

        /// <summary>Difference vectors → vector image → peaks → best-scoring pair.</summary>
        private static (Vec2, Vec2)? SearchBasis(Vec2[] p, double tolerance)
        {
            int n = p.Length;
            if (n < 3) return null;
            // Typical spacing: median nearest-neighbour distance.
            var nn = new double[n];
            for (int i = 0; i < n; i++)
            {
                double closest = double.MaxValue;
                for (int j = 0; j < n; j++) if (j != i) closest = Math.Min(closest, (p[j] - p[i]).Length);
                nn[i] = closest;
            }
            var sortedNn = nn.OrderBy(v => v).ToArray();
            double spacing = sortedNn[n / 2];
            if (!(spacing > 0.5)) return null;
            double rMax = 3.5 * spacing, bin = Math.Max(0.25, spacing / 24);
            int half = (int)Math.Ceiling(rMax / bin), size = 2 * half + 1;
            var image = new double[size * size];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                {
                    if (i == j) continue;
                    var d = p[j] - p[i];
                    if (Math.Abs(d.X) >= rMax || Math.Abs(d.Y) >= rMax) continue;
                    int bx = (int)Math.Round(d.X / bin) + half, by = (int)Math.Round(d.Y / bin) + half;
                    image[by * size + bx] += 1;
                }
            // 3×3 smoothing, then local maxima in the half plane.
            var smooth = new double[size * size];
            for (int y = 1; y < size - 1; y++)
                for (int x = 1; x < size - 1; x++)
                {
                    double s = 0;
                    for (int dy = -1; dy <= 1; dy++) for (int dx = -1; dx <= 1; dx++) s += image[(y + dy) * size + x + dx];
                    smooth[y * size + x] = s;
                }
            var peaks = new List<(Vec2 V, double Height)>();
            for (int y = 2; y < size - 2; y++)
                for (int x = 2; x < size - 2; x++)
                {
                    double v = smooth[y * size + x];
                    if (v < 3) continue;
                    var vec = new Vec2((x - half) * bin, (y - half) * bin);
                    if (vec.Length < 0.4 * spacing) continue;
                    if (vec.X < 0 || (vec.X == 0 && vec.Y < 0)) continue;
                    bool max = true;
                    for (int dy = -1; dy <= 1 && max; dy++)
                        for (int dx = -1; dx <= 1; dx++)
                            if ((dx != 0 || dy != 0) && smooth[(y + dy) * size + x + dx] > v) { max = false; break; }
                    if (max) peaks.Add((vec, v));
                }
            if (peaks.Count < 2) return null;
            double top = peaks.Max(q => q.Height);
            var candidates = peaks.Where(q => q.Height >= 0.15 * top).OrderBy(q => q.V.Length).Take(12)
                .Select(q => RefinePeak(p, q.V, 2 * bin + 0.05 * spacing)).ToArray();

            (Vec2, Vec2)? best = null;
            double bestScore = -1, bestArea = double.MaxValue;
            for (int i = 0; i < candidates.Length; i++)
                for (int j = i + 1; j < candidates.Length; j++)
                {
                    var a = candidates[i]; var b = candidates[j];
                    double area = Math.Abs(a.Cross(b));
                    if (area < 0.2 * a.Length * b.Length) continue; // nearly collinear
                    double score = IndexedFraction(p, a, b, tolerance);
                    if (score > bestScore + 0.02 || (Math.Abs(score - bestScore) <= 0.02 && area < bestArea))
                    {
                        bestScore = Math.Max(score, bestScore); bestArea = area; best = (a, b);
                    }
                }
            return bestScore >= 0.3 ? best : null;
        }

        /// <summary>Mean of the difference vectors that fall within <paramref name="radius"/> of a peak.</summary>
        private static Vec2 RefinePeak(Vec2[] p, Vec2 peak, double radius)
        {
            double sx = 0, sy = 0; int count = 0;
            for (int i = 0; i < p.Length; i++)
                for (int j = 0; j < p.Length; j++)
                {
                    if (i == j) continue;
                    var d = p[j] - p[i] - peak;
                    if (Math.Abs(d.X) < radius && Math.Abs(d.Y) < radius) { sx += d.X; sy += d.Y; count++; }
                }
            return count == 0 ? peak : peak + new Vec2(sx / count, sy / count);
        }

        /// <summary>Fraction of spots whose positions, relative to the first spot, have near-integer indices.</summary>
        private static double IndexedFraction(Vec2[] p, Vec2 a, Vec2 b, double tolerance)
        {
            double det = a.Cross(b);
            // Score against several anchors: the fraction is insensitive to which spot is the reference if the
            // lattice is right, and a bad anchor (a noise spot) does not sink a good basis.
            double best = 0;
            foreach (var anchor in p.Take(3))
            {
                int ok = 0;
                foreach (var q in p)
                {
                    var d = q - anchor;
                    double fh = d.Cross(b) / det, fk = a.Cross(d) / det;
                    if (Math.Abs(fh - Math.Round(fh)) < tolerance && Math.Abs(fk - Math.Round(fk)) < tolerance) ok++;
                }
                best = Math.Max(best, (double)ok / p.Length);
            }
            return best;
        }

        /// <summary>Lagrange–Gauss reduction to the shortest basis with |a·b| ≤ |a|²/2, right-handed (a × b &gt; 0).</summary>
        public static (Vec2 A, Vec2 B) Reduce(Vec2 a, Vec2 b)
        {
            if (a.Length > b.Length) (a, b) = (b, a);
            for (int guard = 0; guard < 100; guard++)
            {
                double mu = Math.Round(a.Dot(b) / a.Dot(a));
                b = b - mu * a;
                if (b.Length >= a.Length) break;
                (a, b) = (b, a);
            }
            if (a.Cross(b) < 0) b = -b;
            return (a, b);
        }

        private static Vec2 NearestLatticePoint(Vec2[] pos, double[] w, Vec2 anchor, Vec2 a, Vec2 b, double tolerance)
        {
            // Lattice offset from the spots (weighted mean of residuals modulo the lattice), then the lattice point
            // nearest the anchor.
            double det = a.Cross(b);
            var reference = pos[Array.IndexOf(w, w.Max())];
            double sx = 0, sy = 0, sw = 0;
            foreach (var (q, wi) in pos.Zip(w, (q, wi) => (q, wi)))
            {
                var d = q - reference;
                double fh = d.Cross(b) / det, fk = a.Cross(d) / det;
                double rh = fh - Math.Round(fh), rk = fk - Math.Round(fk);
                if (Math.Abs(rh) > tolerance || Math.Abs(rk) > tolerance) continue;
                var res = rh * a + rk * b;
                sx += wi * res.X; sy += wi * res.Y; sw += wi;
            }
            var offset = sw > 0 ? reference + new Vec2(sx / sw, sy / sw) : reference;
            var f = anchor - offset;
            double h = Math.Round(f.Cross(b) / det), k = Math.Round(a.Cross(f) / det);
            return offset + h * a + k * b;
        }

        private static (int[] H, int[] K, bool[] Use) Assign(PlanarLattice lattice, Vec2[] pos, double tolerance)
        {
            var h = new int[pos.Length]; var k = new int[pos.Length]; var use = new bool[pos.Length];
            var seen = new Dictionary<(int, int), int>();
            for (int i = 0; i < pos.Length; i++)
            {
                var f = lattice.FractionalIndices(pos[i]);
                int hi = (int)Math.Round(f.X), ki = (int)Math.Round(f.Y);
                // Refine the guess through the distortion model: residual to the predicted point.
                var pred = lattice.Predict(hi, ki);
                var r = lattice.FractionalIndices(pos[i] - pred + lattice.Origin);
                if (Math.Abs(r.X) > tolerance || Math.Abs(r.Y) > tolerance) continue;
                h[i] = hi; k[i] = ki;
                // Two spots on one lattice point: keep the closer one.
                if (seen.TryGetValue((hi, ki), out int other))
                {
                    if ((pos[i] - pred).Length < (pos[other] - pred).Length) { use[other] = false; use[i] = true; seen[(hi, ki)] = i; }
                    continue;
                }
                seen[(hi, ki)] = i; use[i] = true;
            }
            return (h, k, use);
        }

        /// <summary>Weighted least squares of p = o + h·a + k·b (x and y separate, 3 unknowns each).</summary>
        private static (Vec2, Vec2, Vec2) FitLinear(Vec2[] pos, double[] w, int[] h, int[] k, bool[] use)
        {
            var n = new double[3, 3]; var bx = new double[3]; var by = new double[3];
            for (int i = 0; i < pos.Length; i++)
            {
                if (!use[i]) continue;
                double[] row = { 1, h[i], k[i] };
                for (int r = 0; r < 3; r++)
                {
                    for (int c = 0; c < 3; c++) n[r, c] += w[i] * row[r] * row[c];
                    bx[r] += w[i] * row[r] * pos[i].X; by[r] += w[i] * row[r] * pos[i].Y;
                }
            }
            var sx = Solve3(n, bx); var sy = Solve3(n, by);
            return (new Vec2(sx[0], sy[0]), new Vec2(sx[1], sy[1]), new Vec2(sx[2], sy[2]));
        }

        /// <summary>Gauss–Newton (the refinement engine's undamped mode) on origin, basis and the barrel/spiral terms
        /// (8 unknowns, at most ten steps); a singular step leaves the parameters where they are.</summary>
        private static (Vec2, Vec2, Vec2, double, double) FitDistorted(Vec2[] pos, double[] w, int[] h, int[] k, bool[] use,
            Vec2 o, Vec2 a, Vec2 b, double kb, double ks)
        {
            var prm = new[] { o.X, o.Y, a.X, a.Y, b.X, b.Y, kb * 1e6, ks * 1e6 }; // distortion scaled for conditioning
            new LevenbergMarquardt { Damped = false, MaxIterations = 10, StepTolerance = 1e-9, StepTestCount = 6 }
                .Minimise(new DistortedLatticeModel(pos, w, h, k, use), prm);
            return (new Vec2(prm[0], prm[1]), new Vec2(prm[2], prm[3]), new Vec2(prm[4], prm[5]), prm[6] * 1e-6, prm[7] * 1e-6);
        }

        /// <summary>p = o + (1 + kb·r²)·v + ks·r²·v⊥ with v = h·a + k·b: weighted residuals and their analytic Jacobian.</summary>
        private sealed class DistortedLatticeModel : ILeastSquaresModel
        {
            private readonly Vec2[] _pos;
            private readonly double[] _sw;
            private readonly int[] _h, _k, _index;

            public DistortedLatticeModel(Vec2[] pos, double[] w, int[] h, int[] k, bool[] use)
            {
                _pos = pos; _h = h; _k = k;
                _index = Enumerable.Range(0, pos.Length).Where(i => use[i]).ToArray();
                _sw = _index.Select(i => Math.Sqrt(w[i])).ToArray();
            }

            public int ParameterCount => 8;
            public int ResidualCount => 2 * _index.Length;

            public bool Residuals(double[] prm, double[] residuals)
            {
                for (int j = 0; j < _index.Length; j++)
                {
                    int i = _index[j];
                    double vx = _h[i] * prm[2] + _k[i] * prm[4], vy = _h[i] * prm[3] + _k[i] * prm[5];
                    double r2 = vx * vx + vy * vy, cb = prm[6] * 1e-6, cs = prm[7] * 1e-6;
                    double px = prm[0] + (1 + cb * r2) * vx + cs * r2 * vy;
                    double py = prm[1] - cs * r2 * vx + (1 + cb * r2) * vy;
                    residuals[2 * j] = _sw[j] * (_pos[i].X - px);
                    residuals[2 * j + 1] = _sw[j] * (_pos[i].Y - py);
                }
                return true;
            }

            public void Jacobian(double[] prm, double[] residuals, double[][] jacobian)
            {
                Span<double> jx = stackalloc double[8];
                Span<double> jy = stackalloc double[8];
                for (int j = 0; j < _index.Length; j++)
                {
                    int i = _index[j];
                    double vx = _h[i] * prm[2] + _k[i] * prm[4], vy = _h[i] * prm[3] + _k[i] * prm[5];
                    double r2 = vx * vx + vy * vy, cb = prm[6] * 1e-6, cs = prm[7] * 1e-6;
                    // ∂p/∂v (2×2), then chain to a and b.
                    double dxdvx = 1 + cb * r2 + 2 * cb * vx * vx + 2 * cs * vx * vy, dxdvy = 2 * cb * vx * vy + cs * r2 + 2 * cs * vy * vy;
                    double dydvx = -cs * r2 - 2 * cs * vx * vx + 2 * cb * vx * vy, dydvy = -2 * cs * vx * vy + 1 + cb * r2 + 2 * cb * vy * vy;
                    jx[0] = 1; jx[1] = 0; jx[2] = dxdvx * _h[i]; jx[3] = dxdvy * _h[i]; jx[4] = dxdvx * _k[i]; jx[5] = dxdvy * _k[i]; jx[6] = r2 * vx * 1e-6; jx[7] = r2 * vy * 1e-6;
                    jy[0] = 0; jy[1] = 1; jy[2] = dydvx * _h[i]; jy[3] = dydvy * _h[i]; jy[4] = dydvx * _k[i]; jy[5] = dydvy * _k[i]; jy[6] = r2 * vy * 1e-6; jy[7] = -r2 * vx * 1e-6;
                    // Residuals are measured − predicted.
                    for (int q = 0; q < 8; q++) { jacobian[q][2 * j] = -_sw[j] * jx[q]; jacobian[q][2 * j + 1] = -_sw[j] * jy[q]; }
                }
            }
        }

        private static double Rmsd(PlanarLattice lattice, Vec2[] pos, int[] h, int[] k, bool[] use)
        {
            double s = 0; int n = 0;
            for (int i = 0; i < pos.Length; i++)
            {
                if (!use[i]) continue;
                var d = pos[i] - lattice.Predict(h[i], k[i]);
                s += d.Dot(d); n++;
            }
            return n > 0 ? Math.Sqrt(s / n) : double.NaN;
        }

        private static double[] Solve3(double[,] m, double[] v) => NormalEquations.TrySolve(m, v) ?? throw new LatticeSearchException("DegenerateLattice", "The indexed spots do not determine a 2D lattice.");
    }
}
