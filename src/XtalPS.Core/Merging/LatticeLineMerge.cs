using System;
using System.Collections.Generic;
using System.Linq;
using XtalPS.Integration;
using XtalPS.Lattices;
using AsymmetricUnit = XtalPS.Merging.LatticeLineAsymmetricUnit;
using Obs = XtalPS.Merging.LatticeLineObservation;

namespace XtalPS.Merging
{
    /// <summary>Settings of lattice-line merging.</summary>
    public sealed class LatticeLineMergeSettings
    {
        /// <summary>The untilted cell (for resolutions).</summary>
        public PlanarCell Cell { get; set; }
        /// <summary>Plane group, one of <see cref="Lattices.PlaneGroup.Names"/> (p1: lines related by Friedel's law only; p2 and every
        /// group with a two-fold along the normal: lines even in z*).</summary>
        public string PlaneGroup { get; set; } = "p1";
        /// <summary>Crystal thickness c, Å: the curves are band-limited to it and sampled at z* = l/c.</summary>
        public double Thickness { get; set; } = 40;
        /// <summary>Scale–sign–fit rounds after every image is in.</summary>
        public int Cycles { get; set; } = 3;
        /// <summary>Relative ridge term of the curve fits.</summary>
        public double Ridge { get; set; } = 1e-3;
        /// <summary>Refine each image's tilt (z* of a* and b*, i.e. tilt angle and axis) against the other images' lattice
        /// lines in every cycle (<see cref="LatticeLineRefinement"/>).</summary>
        public bool RefineTilt { get; set; } = true;
        /// <summary>Refine a relative B factor per image with its scale, so the scale follows resolution.</summary>
        public bool RefineBFactor { get; set; } = true;
        /// <summary>Weight of the tilt step's geometry (its covariance from σ(z*)) as a prior on the refined tilt; 0 refines freely.</summary>
        public double TiltRestraint { get; set; }
        /// <summary>Half-width of the grid search in tan θ·n̂ before the first local refinement of each image's tilt (0: none).</summary>
        public double TiltSearch { get; set; } = 0.2;
        /// <summary>An image whose misfit to the other images' lines exceeds this multiple of the median image's is left out.</summary>
        public double RejectMisfit { get; set; } = 4;
    }

    /// <summary>A merged reflection (h, k, l) of a 2D crystal, sampled from its lattice line at z* = l/c.</summary>
    public sealed class MergedLatticePoint
    {
        public MergedLatticePoint(int h, int k, int l, double zStar, double intensity, double sigma, int observations, double d)
        { H = h; K = k; L = l; ZStar = zStar; Intensity = intensity; Sigma = sigma; Observations = observations; D = d; }
        public int H { get; }
        public int K { get; }
        public int L { get; }
        public double ZStar { get; }
        public double Intensity { get; }
        public double Sigma { get; }
        /// <summary>Measurements on the lattice line.</summary>
        public int Observations { get; }
        /// <summary>Resolution, Å.</summary>
        public double D { get; }
    }

    /// <summary>Statistics of the measurements in one resolution or z* range.</summary>
    public sealed class LatticeLineShell
    {
        public LatticeLineShell(string kind, double low, double high, int count, double meanIOverSigma, double residual)
        { Kind = kind; Low = low; High = high; Count = count; MeanIOverSigma = meanIOverSigma; Residual = residual; }
        /// <summary>"Resolution" (Low/High in Å) or "ZStar" (|z*| range in 1/Å).</summary>
        public string Kind { get; }
        public double Low { get; }
        public double High { get; }
        public int Count { get; }
        public double MeanIOverSigma { get; }
        /// <summary>Σ|I − curve| / Σ|I| of the measurements on the common scale.</summary>
        public double Residual { get; }
    }

    /// <summary>The result of <see cref="LatticeLineMerge.Merge"/>.</summary>
    public sealed class LatticeLineMergeResult
    {
        internal LatticeLineMergeResult(IReadOnlyList<MergedLatticePoint> points, IReadOnlyDictionary<(int, int), LatticeLineCurve> curves,
            double[] scales, int[] signs, IReadOnlyList<LatticeLineShell> shells, LatticeLineMergeSettings settings, int observations,
            IReadOnlyList<LatticeLineImage> images)
        { Reflections = points; Curves = curves; Scales = scales; Signs = signs; Shells = shells; Settings = settings; ObservationCount = observations; Images = images; }
        /// <summary>Per image: choice, scale, relative B and the tilt geometry before and after refinement.</summary>
        public IReadOnlyList<LatticeLineImage> Images { get; }
        public IReadOnlyList<MergedLatticePoint> Reflections { get; }
        /// <summary>The fitted lattice lines by (h, k) in the asymmetric unit.</summary>
        public IReadOnlyDictionary<(int H, int K), LatticeLineCurve> Curves { get; }
        /// <summary>Per image: measured = scale × exp(−B·s²/2) × common scale (B in <see cref="Images"/>).</summary>
        public double[] Scales { get; }
        /// <summary>Per image: +1, or −1 where the merge took it the other way round: its tilt sign reversed (z* of its
        /// reflections negated) or, in p4 and p6, re-indexed by the group's ambiguity (p3: the sign, after the mirror
        /// indexing was resolved and applied to the measurements).</summary>
        public int[] Signs { get; }
        public IReadOnlyList<LatticeLineShell> Shells { get; }
        public LatticeLineMergeSettings Settings { get; }
        public int ObservationCount { get; }
    }

    /// <summary>
    /// Merges tilted patterns of one 2D crystal into lattice lines (the job of 2dx_merge's lattice-line step and
    /// iplt_diff_merge): the reflections of every image (tilt step output: cell indices, z*, σ(z*)) are brought
    /// into the asymmetric unit of the plane group (<see cref="PlaneGroup"/>), each image gets a scale and, where the
    /// group leaves one open, its choice of the ambiguity one pattern cannot resolve (the sign of its tilt without a
    /// two-fold about the normal; a mirror-related indexing in p4 and p6); each lattice line is fitted as a smooth
    /// curve (<see cref="LatticeLineCurve"/>) and sampled at z* = l/c.
    /// <para>
    /// Order: the choices of all images are first found together from pairwise agreement (spectral, see
    /// <c>PairwiseSigns</c>). Images are then taken in order of increasing tilt: the three least tilted seed the
    /// curves, every further image is scaled against them and the curves are refitted. Then <c>Cycles</c> rounds
    /// rescale every image and reconsider its choice against the curves of all the other images (leave one out),
    /// and refit. Scales are normalised to a geometric mean of 1. Measured on simulated tilt series through the
    /// default pipeline: the p1 signs of 20 and of 40 images all agree with the truth (the earlier sequential choice
    /// got 12–16 of 20 right). p3 has both ambiguities: its mirror indexing is resolved first on lines folded to
    /// |z*|, then the signs.
    /// </para>
    /// </summary>
    public static class LatticeLineMerge
    {
        public static LatticeLineMergeResult Merge(IReadOnlyList<ReflectionTable> tables, LatticeLineMergeSettings settings)
        {
            if (tables.Count < 3) throw new ArgumentException("Lattice lines need at least three images.");
            if (!(settings.Thickness > 0)) throw new ArgumentException("The thickness must be positive (Å).");
            var group = PlaneGroup.Parse(settings.PlaneGroup);
            string? cellProblem = group.CellProblem(settings.Cell);
            if (cellProblem != null) throw new ArgumentException(cellProblem);
            var asu = new AsymmetricUnit(group);
            var obs = tables.Select(t => t.Reflections
                .Where(r => !(r.H == 0 && r.K == 0) && !group.IsAbsent(r.H, r.K) && r.Flags == ReflectionFlags.None && r.Sigma > 0 && !double.IsNaN(r.Intensity) && !double.IsNaN(r.ZStar))
                .Select(r => new Obs(r.H, r.K, r.ZStar, double.IsNaN(r.ZStarSigma) ? 0 : r.ZStarSigma, r.Intensity, r.Sigma)).ToArray()).ToArray();
            int n = tables.Count;
            var states = new LatticeLineImageState[n];
            for (int i = 0; i < n; i++)
            {
                states[i] = LatticeLineImageState.FromObservations(obs[i]);
                states[i].PatternBasis = PatternBasis(tables[i]);
            }
            bool signed = group.Ambiguities.Count > 0;
            if (group.Ambiguities.Count > 1)
            {
                // p3: the mirror-related indexing first, judged on lines folded to |z*| so that the tilt signs, still
                // open, do not matter; the images it turns are re-indexed for good, and the signs follow.
                var mirror = group.Ambiguities[1];
                var turn = PairwiseSigns(obs, asu, settings, mirror, fold: true);
                for (int i = 0; i < n; i++)
                    if (turn[i] < 0)
                    {
                        obs[i] = obs[i].Select(o => { var (h, k, z) = mirror.Apply(o.H, o.K, o.Z); return new Obs(h, k, z, o.Zs, o.I, o.S); }).ToArray();
                        var basis = states[i].PatternBasis;
                        states[i] = LatticeLineImageState.FromObservations(obs[i]);
                        states[i].PatternBasis = basis;
                        states[i].Reindexed = mirror;
                    }
            }
            // One pattern cannot tell the sign of its tilt; without a two-fold about the normal the signs are found
            // together from how the images agree pairwise (see PairwiseSigns), then refined image by image.
            var signs = signed ? PairwiseSigns(obs, asu, settings, group.Ambiguities[0], fold: false) : Enumerable.Repeat(1, n).ToArray();
            var order = Enumerable.Range(0, n).OrderBy(i => obs[i].Length == 0 ? 0 : obs[i].Max(o => Math.Abs(o.Z))).ToArray();
            var inMerge = new bool[n];
            for (int i = 0; i < Math.Min(3, n); i++) inMerge[order[i]] = true;
            var curves = FitCurves(obs, states, signs, inMerge, settings, asu);
            for (int idx = 3; idx < n; idx++)
            {
                int i = order[idx];
                ChooseSignAndScale(obs[i], curves, asu, settings.Cell, states[i], new[] { signs[i] }, out signs[i]);
                inMerge[i] = true;
                curves = FitCurves(obs, states, signs, inMerge, settings, asu);
            }
            for (int cycle = 0; cycle < settings.Cycles; cycle++)
            {
                // Each image is judged against the lines of all the others (leave one out), so a wrong sign
                // is not kept just because the curves already follow it; its scale, B and tilt are refined against them.
                for (int i = 0; i < n; i++)
                {
                    inMerge[i] = false;
                    var others = FitCurves(obs, states, signs, inMerge, settings, asu);
                    inMerge[i] = !states[i].Rejected;
                    var candidates = signed ? new[] { signs[i], -signs[i] } : new[] { 1 };
                    // In the first two cycles each image's tilt is searched on a grid (for each choice: a tilt far off can
                    // make the wrong sign look better), then refined locally.
                    if (settings.RefineTilt && settings.TiltSearch > 0 && cycle < 2)
                        signs[i] = LatticeLineRefinement.SearchChoices(obs[i], others, asu, settings.Cell, candidates, states[i], settings.TiltSearch);
                    else
                        ChooseSignAndScale(obs[i], others, asu, settings.Cell, states[i], candidates, out signs[i]);
                    if (settings.RefineTilt || settings.RefineBFactor)
                        LatticeLineRefinement.Refine(obs[i], others, asu, settings.Cell, signs[i], states[i], settings.RefineTilt, settings.RefineBFactor,
                            settings.TiltRestraint);
                }
                // Images that fit the others' lines far worse than the rest (a wrong lattice or tilt solution that no
                // refinement reaches) are left out of the lines; they are refined again next cycle and may come back.
                var misfits = states.Where(x => !double.IsNaN(x.Misfit)).Select(x => x.Misfit).OrderBy(x => x).ToArray();
                if (misfits.Length >= 3)
                {
                    double median = misfits[misfits.Length / 2];
                    for (int i = 0; i < n; i++)
                    {
                        states[i].Rejected = states[i].Misfit > settings.RejectMisfit * median;
                        inMerge[i] = !states[i].Rejected;
                    }
                }
                double g = Math.Exp(states.Where(x => x.G > 0 && !x.Rejected).Select(x => Math.Log(x.G)).DefaultIfEmpty(0).Average());
                double meanB = states.Where(x => !x.Rejected).Select(x => x.B).DefaultIfEmpty(0).Average();
                foreach (var st in states) { st.G /= g; st.B -= meanB; }
                if (settings.RefineTilt)
                {
                    // Stretching every z* by one factor stretches the curves with them and fits as well: the lattice lines
                    // cannot fix the overall scale of the tilts. The tilt step's lattices do, on average, so the refined
                    // tan θ are brought to the same least-squares scale as the initial ones.
                    double num = 0, den = 0;
                    foreach (var st in states.Where(x => !x.Rejected))
                    {
                        double t0 = Math.Tan(LatticeLineImageState.Tilt(settings.Cell, st.InitialA, st.InitialB, 1).Theta * Math.PI / 180);
                        double t1 = Math.Tan(LatticeLineImageState.Tilt(settings.Cell, st.ZA, st.ZB, 1).Theta * Math.PI / 180);
                        num += t0 * t1; den += t1 * t1;
                    }
                    double lambda = den > 0 ? num / den : 1;
                    // A weighted median of the ratios, weights tan²θ: a given distortion of the pattern misleads the tilt
                    // step less the larger the tilt, and one image with a wrong lattice solution must not move the rest.
                    var ratios = states.Where(st => !st.Rejected).Select(st => (T0: Math.Tan(LatticeLineImageState.Tilt(settings.Cell, st.InitialA, st.InitialB, 1).Theta * Math.PI / 180),
                        T1: Math.Tan(LatticeLineImageState.Tilt(settings.Cell, st.ZA, st.ZB, 1).Theta * Math.PI / 180))).Where(x => x.T1 > 0.05)
                        .Select(x => (R: x.T0 / x.T1, W: x.T1 * x.T1)).OrderBy(x => x.R).ToList();
                    if (ratios.Count > 0)
                    {
                        double half = ratios.Sum(x => x.W) / 2, acc = 0;
                        foreach (var x in ratios) { acc += x.W; if (acc >= half) { lambda = x.R; break; } }
                    }
                    for (int i = 0; i < n; i++)
                    {
                        var st = states[i];
                        st.ZA *= lambda; st.ZB *= lambda; st.CovAA *= lambda * lambda; st.CovAB *= lambda * lambda; st.CovBB *= lambda * lambda;
                        obs[i] = obs[i].Select(o => o.WithZ(st.ZStar(o.H, o.K), st.ZStarSigma(o.H, o.K))).ToArray();
                    }
                }
                curves = FitCurves(obs, states, signs, inMerge, settings, asu);
            }
            // The sign of the whole merge is arbitrary: make the first image's +1.
            if (signs[0] < 0 && signed)
            {
                for (int i = 0; i < n; i++) signs[i] = -signs[i];
                curves = FitCurves(obs, states, signs, inMerge, settings, asu);
            }

            var points = new List<MergedLatticePoint>();
            foreach (var kv in curves.OrderBy(x => x.Key.Item1).ThenBy(x => x.Key.Item2))
            {
                var c = kv.Value;
                asu.Map(kv.Key.Item1, kv.Key.Item2, 1, out bool even);
                int l0 = even ? 0 : (int)Math.Ceiling(c.ZMin * settings.Thickness), l1 = (int)Math.Floor(c.ZMax * settings.Thickness);
                for (int l = l0; l <= l1; l++)
                {
                    double z = l / settings.Thickness;
                    double g = settings.Cell.PlanarReciprocalLength(kv.Key.Item1, kv.Key.Item2);
                    points.Add(new MergedLatticePoint(kv.Key.Item1, kv.Key.Item2, l, z, c.Value(z), c.Sigma(z), c.Count, 1 / Math.Sqrt(g * g + z * z)));
                }
            }
            var shells = Shells(obs, states, signs, curves, settings, asu);
            var images = Enumerable.Range(0, n).Select(i => Describe(i, tables[i].ImageName, states[i], signs[i], group, settings.Cell, obs[i].Length)).ToArray();
            return new LatticeLineMergeResult(points, curves, states.Select(x => x.G).ToArray(), signs, shells, settings, obs.Sum(o => o.Length), images);
        }

        /// <summary>The per-image record: tilt before (the tilt step's) and after refinement, with σ from the refined covariance.</summary>
        private static LatticeLineImage Describe(int index, string name, LatticeLineImageState st, int choice, PlaneGroup group, PlanarCell cell, int count)
        {
            // A tilt-sign choice reverses the image's z*; a re-indexing choice (p4, p6) leaves its own geometry alone.
            int sign = choice < 0 && group.Ambiguities.Count > 0 && group.Ambiguities[0].TurnsOnlyZ ? -1 : 1;
            var (a0, b0) = st.TableZ(st.InitialA, st.InitialB);
            var (a1, b1) = st.TableZ(st.ZA, st.ZB);
            var before = LatticeLineImageState.Tilt(cell, a0, b0, sign);
            var after = LatticeLineImageState.Tilt(cell, a1, b1, sign);
            // σ by first-order propagation of the covariance of (z*ₐ, z*_b) (central differences).
            double Sd(Func<double, double, double> f)
            {
                double ha = Math.Sqrt(Math.Max(st.CovAA, 1e-30)) * 0.1, hb = Math.Sqrt(Math.Max(st.CovBB, 1e-30)) * 0.1;
                double ja = (f(st.ZA + ha, st.ZB) - f(st.ZA - ha, st.ZB)) / (2 * ha), jb = (f(st.ZA, st.ZB + hb) - f(st.ZA, st.ZB - hb)) / (2 * hb);
                return Math.Sqrt(Math.Max(0, ja * ja * st.CovAA + 2 * ja * jb * st.CovAB + jb * jb * st.CovBB));
            }
            double thetaSigma = Sd((za, zb) => { var (x, y) = st.TableZ(za, zb); return LatticeLineImageState.Tilt(cell, x, y, sign).Theta; });
            double axis1 = st.TiltAxis(a1, b1);
            double axisSigma = Sd((za, zb) => { var (x, y) = st.TableZ(za, zb); return TiltGeometry.Wrap180(st.TiltAxis(x, y) - axis1); });
            return new LatticeLineImage(index, name, choice, st.G, st.B, count, st.Used, before.Theta, after.Theta, thetaSigma,
                before.Taxa, after.Taxa, st.TiltAxis(a0, b0), axis1, axisSigma) { Rejected = st.Rejected, Misfit = st.Misfit };
        }

        /// <summary>a* and b* on the pattern (px) by least squares of the predicted positions on (1, h, k); null with fewer than 3 rows.</summary>
        private static (double, double, double, double)? PatternBasis(ReflectionTable table)
        {
            var n = new double[3, 3]; var bx = new double[3]; var by = new double[3]; int count = 0;
            foreach (var r in table.Reflections)
            {
                if (double.IsNaN(r.PredictedX) || double.IsNaN(r.PredictedY)) continue;
                var f = new double[] { 1, r.H, r.K };
                for (int i = 0; i < 3; i++) { bx[i] += f[i] * r.PredictedX; by[i] += f[i] * r.PredictedY; for (int j = 0; j < 3; j++) n[i, j] += f[i] * f[j]; }
                count++;
            }
            if (count < 3) return null;
            var x = LatticeLineRefinement.Solve(n, bx); var y = LatticeLineRefinement.Solve(n, by);
            if (x == null || y == null) return null;
            return (x[1], y[1], x[2], y[2]);
        }

        /// <summary>
        /// Tilt signs of all images at once. For every pair of images, the measurements on a common lattice line are
        /// compared at nearby z* twice: as measured (the pair's tilts have the same sign) and with one image's z*
        /// reversed. The difference of the two weighted correlations, W_ij, says which relation the data prefer; the
        /// signs s maximising Σ W_ij s_i s_j are approximated by the signs of W's leading eigenvector, the spectral
        /// relaxation Brehm &amp; Diederichs (2014, Acta Cryst. D70:101) use for the indexing ambiguity of stills.
        /// Intensities are divided by their image's mean in resolution shells first, so that scale and fall-off
        /// do not count as agreement.
        /// </summary>
        private static int[] PairwiseSigns(Obs[][] obs, AsymmetricUnit asu, LatticeLineMergeSettings s, PlaneGroup.Operator ambiguity, bool fold)
        {
            int n = obs.Length;
            double width = 1 / (4 * s.Thickness);
            // A tilt sign shows only away from z* = 0; a re-indexing shows everywhere.
            bool signOnly = ambiguity.TurnsOnlyZ;
            // Per image: the measurements by line in the asymmetric unit as indexed and through the ambiguity.
            var lines = new Dictionary<(int, int), List<(double Z, double I)>>[n];
            var other = new Dictionary<(int, int), List<(double Z, double I)>>[n];
            for (int i = 0; i < n; i++)
            {
                lines[i] = new Dictionary<(int, int), List<(double, double)>>();
                other[i] = new Dictionary<(int, int), List<(double, double)>>();
                var d = obs[i].Select(o => { double g = s.Cell.PlanarReciprocalLength(o.H, o.K); return Math.Sqrt(g * g + o.Z * o.Z); }).ToArray();
                var normal = ShellNormalised(obs[i].Select(o => o.I).ToArray(), d, 8);
                for (int j = 0; j < obs[i].Length; j++)
                {
                    var o = obs[i][j];
                    foreach (var (table, choice) in new[] { (lines[i], 1), (other[i], -1) })
                    {
                        var (h0, k0, z0) = choice < 0 ? ambiguity.Apply(o.H, o.K, o.Z) : (o.H, o.K, o.Z);
                        var (h, k, z) = asu.Map(h0, k0, z0, out bool even);
                        if (even || fold) z = Math.Abs(z);
                        if (!table.TryGetValue((h, k), out var list)) table[(h, k)] = list = new List<(double, double)>();
                        list.Add((z, normal[j]));
                    }
                }
            }
            var w = new double[n, n];
            for (int i = 0; i < n; i++)
                for (int j = i + 1; j < n; j++)
                {
                    double same = Agreement(lines[i], lines[j], width, signOnly, out double wSame);
                    double flipped = Agreement(lines[i], other[j], width, signOnly, out double wFlipped);
                    if (double.IsNaN(same) || double.IsNaN(flipped)) continue;
                    // Weighted by how much evidence the weaker comparison has.
                    w[i, j] = w[j, i] = (same - flipped) * Math.Sqrt(Math.Min(wSame, wFlipped));
                }
            // Leading eigenvector by power iteration from a fixed start (deterministic); W is symmetric.
            var v = Enumerable.Repeat(1 / Math.Sqrt(n), n).ToArray();
            double shift = 0;
            for (int i = 0; i < n; i++) { double row = 0; for (int j = 0; j < n; j++) row += Math.Abs(w[i, j]); shift = Math.Max(shift, row); }
            for (int it = 0; it < 500; it++)
            {
                // (W + shift·I) has the same eigenvectors and a positive spectrum, so the iteration finds the largest.
                var next = new double[n];
                for (int i = 0; i < n; i++) { double sum = shift * v[i]; for (int j = 0; j < n; j++) sum += w[i, j] * v[j]; next[i] = sum; }
                double norm = Math.Sqrt(next.Sum(x => x * x));
                if (!(norm > 0)) break;
                for (int i = 0; i < n; i++) next[i] /= norm;
                double change = 0;
                for (int i = 0; i < n; i++) change = Math.Max(change, Math.Abs(next[i] - v[i]));
                v = next;
                if (change < 1e-10) break;
            }
            var signs = v.Select(x => x < 0 ? -1 : 1).ToArray();
            if (signs[0] < 0) for (int i = 0; i < n; i++) signs[i] = -signs[i];
            return signs;
        }

        /// <summary>Weighted correlation of two images' measurements on common lines at nearby z*; Gaussian weights of
        /// width <paramref name="width"/> in Δz*. Pairs near z* = 0 in both images say nothing about a tilt sign and are
        /// left out when <paramref name="signOnly"/>. NaN with too little evidence.</summary>
        private static double Agreement(Dictionary<(int, int), List<(double Z, double I)>> a, Dictionary<(int, int), List<(double Z, double I)>> b,
            double width, bool signOnly, out double weight)
        {
            double sw = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
            foreach (var kv in a)
            {
                if (!b.TryGetValue(kv.Key, out var other)) continue;
                foreach (var p in kv.Value)
                    foreach (var q in other)
                    {
                        if (signOnly && Math.Abs(p.Z) < width && Math.Abs(q.Z) < width) continue;
                        double dz = (p.Z - q.Z) / width;
                        if (dz * dz > 9) continue;
                        double wt = Math.Exp(-0.5 * dz * dz);
                        sw += wt; sx += wt * p.I; sy += wt * q.I; sxx += wt * p.I * p.I; syy += wt * q.I * q.I; sxy += wt * p.I * q.I;
                    }
            }
            weight = sw;
            if (sw < 3) return double.NaN;
            double vx = sxx / sw - (sx / sw) * (sx / sw), vy = syy / sw - (sy / sw) * (sy / sw), cxy = sxy / sw - (sx / sw) * (sy / sw);
            return vx > 0 && vy > 0 ? cxy / Math.Sqrt(vx * vy) : double.NaN;
        }

        /// <summary>Each value over the mean of its shell (equal counts by 1/d) so that fall-off and scale are gone.</summary>
        private static double[] ShellNormalised(double[] values, double[] inverseD, int shells)
        {
            var result = new double[values.Length];
            if (values.Length == 0) return result;
            var order = Enumerable.Range(0, values.Length).OrderBy(i => inverseD[i]).ToArray();
            int per = Math.Max(1, (values.Length + shells - 1) / shells);
            for (int start = 0; start < order.Length; start += per)
            {
                var part = order.Skip(start).Take(per).ToArray();
                double mean = part.Average(i => values[i]);
                foreach (int i in part) result[i] = mean > 0 ? values[i] / mean : values[i];
            }
            return result;
        }

        /// <summary>exp(−B·s²/2) of a measurement at (h, k, z*) in the asymmetric unit.</summary>
        private static double Falloff(PlanarCell cell, double b, int h, int k, double z)
        {
            if (b == 0) return 1;
            double g = cell.PlanarReciprocalLength(h, k);
            return Math.Exp(-b * (g * g + z * z) / 2);
        }

        private static Dictionary<(int, int), LatticeLineCurve> FitCurves(Obs[][] obs, LatticeLineImageState[] states, int[] signs, bool[] inMerge, LatticeLineMergeSettings s, AsymmetricUnit asu)
        {
            var lines = new Dictionary<(int, int), List<LatticeLinePoint>>();
            var evenLine = new Dictionary<(int, int), bool>();
            for (int i = 0; i < obs.Length; i++)
            {
                if (!inMerge[i] || !(states[i].G > 0)) continue;
                foreach (var o in obs[i])
                {
                    var (h, k, z) = asu.Map(o.H, o.K, o.Z, signs[i], out bool even);
                    if (!lines.TryGetValue((h, k), out var list)) { lines[(h, k)] = list = new List<LatticeLinePoint>(); evenLine[(h, k)] = even; }
                    double f = states[i].G * Falloff(s.Cell, states[i].B, h, k, z);
                    list.Add(new LatticeLinePoint(z, o.Zs, o.I / f, o.S / f, i));
                }
            }
            var curves = new Dictionary<(int, int), LatticeLineCurve>();
            foreach (var kv in lines)
            {
                var c = LatticeLineCurve.Fit(kv.Value, s.Thickness, evenLine[kv.Key], s.Ridge);
                if (c != null) curves[kv.Key] = c;
            }
            return curves;
        }

        /// <summary>The scale G (weighted least squares of measured on predicted, at the image's B) and the choice with the
        /// smaller weighted residual.</summary>
        private static void ChooseSignAndScale(Obs[] image, Dictionary<(int, int), LatticeLineCurve> curves, AsymmetricUnit asu, PlanarCell cell,
            LatticeLineImageState st, int[] candidates, out int sign)
        {
            double bestChi = double.MaxValue; sign = candidates[0];
            double bestScale = st.G;
            foreach (int s in candidates)
            {
                double sxy = 0, syy = 0;
                var pairs = new List<(double I, double P, double W)>();
                foreach (var o in image)
                {
                    var (h, k, z) = asu.Map(o.H, o.K, o.Z, s, out _);
                    if (!curves.TryGetValue((h, k), out var c)) continue;
                    double p = c.Value(z) * Falloff(cell, st.B, h, k, z), w = 1 / (o.S * o.S);
                    sxy += w * o.I * p; syy += w * p * p;
                    pairs.Add((o.I, p, w));
                }
                if (pairs.Count < 10 || !(syy > 0)) continue;
                double k2 = sxy / syy;
                double chi = pairs.Sum(q => q.W * (q.I - k2 * q.P) * (q.I - k2 * q.P)) / pairs.Count;
                if (chi < bestChi) { bestChi = chi; sign = s; bestScale = k2; }
            }
            st.G = bestScale;
        }

        private static List<LatticeLineShell> Shells(Obs[][] obs, LatticeLineImageState[] states, int[] signs, Dictionary<(int, int), LatticeLineCurve> curves, LatticeLineMergeSettings s, AsymmetricUnit asu)
        {
            var all = new List<(double D, double Z, double I, double S, double P)>();
            for (int i = 0; i < obs.Length; i++)
                foreach (var o in obs[i])
                {
                    var (h, k, z) = asu.Map(o.H, o.K, o.Z, signs[i], out _);
                    if (!curves.TryGetValue((h, k), out var c) || !(states[i].G > 0)) continue;
                    double g = s.Cell.PlanarReciprocalLength(h, k);
                    double f = states[i].G * Falloff(s.Cell, states[i].B, h, k, z);
                    all.Add((1 / Math.Sqrt(g * g + z * z), z, o.I / f, o.S / f, c.Value(z)));
                }
            var shells = new List<LatticeLineShell>();
            if (all.Count == 0) return shells;
            // Resolution: eight shells of equal volume in 1/d³ between the extremes; z*: five equal |z*| ranges.
            double dMax = all.Max(x => x.D), dMin = all.Min(x => x.D);
            double v0 = 1 / (dMax * dMax * dMax), v1 = 1 / (dMin * dMin * dMin);
            for (int b = 0; b < 8; b++)
            {
                double lo = Math.Pow(v0 + (v1 - v0) * b / 8, -1 / 3.0), hi = Math.Pow(v0 + (v1 - v0) * (b + 1) / 8, -1 / 3.0);
                shells.Add(Shell("Resolution", lo, hi, all.Where(x => x.D <= lo + 1e-9 && x.D >= hi - 1e-9).ToList()));
            }
            double zMax = all.Max(x => Math.Abs(x.Z));
            for (int b = 0; b < 5; b++)
            {
                double lo = zMax * b / 5, hi = zMax * (b + 1) / 5;
                shells.Add(Shell("ZStar", lo, hi, all.Where(x => Math.Abs(x.Z) >= lo && Math.Abs(x.Z) <= hi + 1e-12).ToList()));
            }
            return shells;
        }

        private static LatticeLineShell Shell(string kind, double lo, double hi, List<(double D, double Z, double I, double S, double P)> rows)
        {
            if (rows.Count == 0) return new LatticeLineShell(kind, lo, hi, 0, double.NaN, double.NaN);
            double num = rows.Sum(r => Math.Abs(r.I - r.P)), den = rows.Sum(r => Math.Abs(r.I));
            return new LatticeLineShell(kind, lo, hi, rows.Count, rows.Average(r => r.I / r.S), den > 0 ? num / den : double.NaN);
        }
    }
}
