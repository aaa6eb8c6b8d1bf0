using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using XtalPS.Geometry;
using XtalPS.Spots;

namespace XtalPS.Lattices
{
    /// <summary>
    /// Indexes X-ray stills: finds crystal lattices (orientation, refined cell, Miller indices of the spots) from one
    /// image's spot list. The entry point for Get-Lattice's crystal mode.
    /// </summary>
    /// <remarks>
    /// Known cell (the DIALS stills indexer, Brewster et al. 2018): real-space grid search for the cell edges
    /// (<see cref="RealSpaceGridSearch"/>), candidate bases matching the cell, index assignment within 0.3,
    /// outlier rejection and refinement of orientation and constrained cell on pixel residuals of the stills model;
    /// the lowest-RMSD candidate within the limits wins. Failing searches are retried on random subsets of the spots;
    /// several lattices are found by removing indexed spots and searching again.
    /// Unknown cell (<see cref="IndexingSettings.UnitCell"/> null): the DPS basis-vector search by 1D Fourier transforms
    /// (<see cref="FourierBasisSearch"/>, <see cref="UnknownCellIndexing"/>), the same refinement in P 1 with all six
    /// cell parameters free, and the winner reported in its Niggli-reduced setting (<see cref="NiggliReduction"/>).
    /// The lattice's symmetry is then a question for many stills together: <see cref="UnitCellClustering"/>.
    /// </remarks>
    public static class CrystalIndexer
    {
        /// <summary>Indexes the spots of one still against the image's own detector and beam.</summary>
        public static IndexingResult Index(SpotList spots, IndexingSettings settings, CancellationToken cancellationToken = default)
        {
            if (spots == null) throw new ArgumentNullException(nameof(spots));
            return Index(spots, spots.Source.Detector, spots.Source.Beam, settings, cancellationToken);
        }

        /// <summary>Indexes the spots against a given detector and beam (overrides, refined metrology).
        /// <paramref name="cancellationToken"/> is checked between search sets, candidate bases and refinements.</summary>
        public static IndexingResult Index(SpotList spots, DetectorModel detector, Beam beam, IndexingSettings settings, CancellationToken cancellationToken = default)
        {
            if (spots == null) throw new ArgumentNullException(nameof(spots));
            if (detector == null) throw new ArgumentNullException(nameof(detector));
            if (beam == null) throw new ArgumentNullException(nameof(beam));
            if (settings == null) throw new ArgumentNullException(nameof(settings));
            settings.Validate();
            var group = settings.SpaceGroup ?? SpaceGroup.FromNumber(1);
            var obs = SpotObservations.From(spots, detector, beam, settings.DMin);
            if (obs.Count < settings.MinSpots)
                return new IndexingResult(Array.Empty<CrystalLattice>(), IndexingFailure.TooFewSpots,
                    $"{obs.Count} usable spots, fewer than the {settings.MinSpots} needed to index a still.", obs.Count);
            if (settings.UnitCell.HasValue && !group.IsCellCompatible(settings.UnitCell.Value, 0.02, 2))
                throw new ArgumentException($"The cell {settings.UnitCell.Value} does not fit the {group.LatticeSystem.ToString().ToLowerInvariant()} lattice of {group.Symbol}.");
            var predictor = new StillsPredictor(detector, beam);
            // Without a cell: the longest edge to look for, from the settings or the spots' neighbour distances.
            double maxCell = settings.UnitCell.HasValue ? 0 : settings.MaxCell > 0 ? settings.MaxCell : FourierBasisSearch.EstimateMaxCell(obs);
            var lattices = new List<CrystalLattice>();
            var used = new bool[obs.Count];
            var failure = IndexingFailure.None;
            string failureText = "";
            while (lattices.Count < settings.MaxLattices)
            {
                int free = used.Count(u => !u);
                if (free < settings.MinSpots) { if (lattices.Count == 0) { failure = IndexingFailure.TooFewSpots; failureText = $"{free} spots left."; } break; }
                var attempt = FindOne(obs, used, group, settings, predictor, maxCell, cancellationToken, out var why, out var whyText);
                if (attempt == null)
                {
                    if (lattices.Count == 0) { failure = why; failureText = whyText; }
                    break;
                }
                if (!settings.UnitCell.HasValue) attempt = UnknownCellIndexing.ToReducedSetting(attempt);
                foreach (int i in attempt.Assignment.Spot) used[i] = true;
                lattices.Add(ToLattice(attempt, obs, group, spots, detector, beam).WithLatticeIndex<CrystalLattice>(lattices.Count));
            }
            if (lattices.Count == 0)
                return new IndexingResult(lattices, failure == IndexingFailure.None ? IndexingFailure.NoCandidateUnderRmsd : failure, failureText, obs.Count);
            string msg = string.Join("; ", lattices.Select(l => string.Format(CultureInfo.InvariantCulture,
                "{0} {1}: {2} of {3} spots indexed, RMSD {4:0.###} px", l.SpaceGroup, l.UnitCell, l.IndexedCount, obs.Count, l.Rmsd)));
            return new IndexingResult(lattices, IndexingFailure.None, msg, obs.Count);
        }

        /// <summary>Spots in the strongest-first search sets tried when the full set fails (noise spots are mostly weak).</summary>
        private static readonly int[] StrongestSets = { 150, 80, 45 };

        /// <summary>
        /// One lattice from the spots not yet used. Search sets in turn until one gives a lattice: all free spots; the
        /// strongest 150, 80 and 45 of them (a noisy spot list's weak spots are mostly not Bragg spots); random subsets of
        /// 90 % down to 50 % (DIALS PR 2275). Candidates are found and refined on the search set, then the winner is
        /// extended to every free spot.
        /// </summary>
        private static RefinedLattice? FindOne(SpotObservations all, bool[] used, SpaceGroup group, IndexingSettings s, StillsPredictor predictor,
            double maxCell, CancellationToken cancellationToken, out IndexingFailure why, out string whyText)
        {
            var freeIdx = Enumerable.Range(0, all.Count).Where(i => !used[i]).ToArray();
            var rng = new RandomSource(unchecked((ulong)(uint)s.Seed * 0x9E3779B97F4A7C15UL + 17));
            why = IndexingFailure.NoCandidateUnderRmsd; whyText = "no basis matching the cell was found among the candidate vectors.";
            var sets = new List<int[]> { freeIdx };
            var strongest = freeIdx.OrderByDescending(i => all.Spots[i].Intensity).ThenBy(i => i).ToArray();
            foreach (int n in StrongestSets)
                if (strongest.Length > n * 1.3 && n >= s.MinSpots) sets.Add(strongest.Take(n).OrderBy(i => i).ToArray());
            for (int attempt = 1; attempt <= s.Retries; attempt++)
            {
                double fraction = 1.0 - 0.5 * attempt / Math.Max(1, s.Retries);
                // Subsets of the strongest 150 when the list is long: the random draw then removes noise, not signal.
                var pool = strongest.Length > 2 * StrongestSets[0] ? strongest.Take(StrongestSets[0]).ToArray() : freeIdx;
                sets.Add(pool.OrderBy(_ => rng.NextDouble()).Take(Math.Max(s.MinSpots, (int)Math.Round(fraction * pool.Length))).OrderBy(i => i).ToArray());
            }
            foreach (var subset in sets)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var outside = new bool[all.Count];
                for (int i = 0; i < outside.Length; i++) outside[i] = true;
                foreach (int i in subset) outside[i] = false;
                var searchSet = all.Subset(subset);
                var starts = s.UnitCell.HasValue ? KnownCellStarts(searchSet, s.UnitCell.Value, group, s)
                    : UnknownCellIndexing.Starts(searchSet, s, maxCell);
                var best = Choose(starts, all, outside, group, s, predictor, cancellationToken, out var w, out var wt);
                if (best != null)
                {
                    if (subset.Length == freeIdx.Length) return best;
                    // Extend to every free spot from the refined model; keep the subset's lattice if that fails the limits.
                    var extended = CrystalRefinement.RefineFrom(best.A, all, group, s, predictor, used);
                    if (extended != null && extended.Rmsd <= s.MaxRmsd && extended.Count >= best.Count &&
                        (!s.UnitCell.HasValue || CellMatches(extended.A, s.UnitCell.Value, s)))
                        return extended;
                    return best;
                }
                if (w != IndexingFailure.NoCandidateUnderRmsd || why == IndexingFailure.NoCandidateUnderRmsd && wt.Length > 0) { why = w; whyText = wt; }
            }
            return null;
        }

        /// <summary>Refines each starting setting against the spots not excluded; keeps, among those within the limits,
        /// the lowest RMSD of the ones indexing nearly as many spots as the best.</summary>
        private static RefinedLattice? Choose(IEnumerable<Mat3> starts, SpotObservations all, bool[] exclude, SpaceGroup group, IndexingSettings s,
            StillsPredictor predictor, CancellationToken cancellationToken, out IndexingFailure why, out string whyText)
        {
            // Quick reciprocal-space fits first; symmetry-equivalent starts collapse to one, and only starts that index
            // nearly as many spots as the best go on to the (costlier) refinement on pixels.
            var quick = new List<(Mat3 A, int Count)>();
            int tried = 0;
            foreach (var a0 in starts)
            {
                if ((++tried & 63) == 0) cancellationToken.ThrowIfCancellationRequested();
                var q = CrystalRefinement.QuickFit(a0, all, s.IndexTolerance, exclude);
                if (q == null || q.Value.Count < s.MinIndexed) continue;
                if (quick.Any(o => CrystalOrientation.MisorientationDegrees(o.A, q.Value.A, group) < 0.5 && o.Count >= q.Value.Count)) continue;
                quick.RemoveAll(o => CrystalOrientation.MisorientationDegrees(o.A, q.Value.A, group) < 0.5);
                quick.Add(q.Value);
            }
            var refined = new List<RefinedLattice>();
            int bestQuick = quick.Count == 0 ? 0 : quick.Max(x => x.Count);
            foreach (var (a0, count) in quick.Where(x => x.Count >= 0.6 * bestQuick).OrderByDescending(x => x.Count).Take(s.CandidateBases))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var r = CrystalRefinement.RefineFrom(a0, all, group, s, predictor, exclude);
                if (r == null) continue;
                if (refined.Any(o => CrystalOrientation.MisorientationDegrees(o.A, r.A, group) < 0.5)) continue;
                refined.Add(r);
            }
            why = IndexingFailure.NoCandidateUnderRmsd;
            if (refined.Count == 0)
            {
                whyText = tried == 0 ? "no basis matching the cell was found among the candidate vectors."
                    : $"none of {tried} candidate bases indexed {s.MinIndexed} or more spots.";
                return null;
            }
            var underRmsd = refined.Where(r => r.Rmsd <= s.MaxRmsd).ToList();
            if (underRmsd.Count == 0)
            {
                whyText = string.Format(CultureInfo.InvariantCulture, "the best of {0} candidates has an RMSD of {1:0.##} px, above the limit of {2:0.##} px.",
                    refined.Count, refined.Min(r => r.Rmsd), s.MaxRmsd);
                return null;
            }
            if (s.UnitCell.HasValue)
            {
                var target = s.UnitCell.Value;
                var matching = underRmsd.Where(r => CellMatches(r.A, target, s)).ToList();
                if (matching.Count == 0)
                {
                    var cells = string.Join(", ", underRmsd.Select(r => CellOf(r.A).ToString()));
                    whyText = $"the refined cells ({cells}) differ from the known cell {target} by more than {100 * s.CellLengthTolerance:0.#}% / {s.CellAngleTolerance:0.#}°.";
                    why = IndexingFailure.CellMismatch;
                    return null;
                }
                underRmsd = matching;
            }
            int most = underRmsd.Max(r => r.Count);
            why = IndexingFailure.None; whyText = "";
            return underRmsd.Where(r => r.Count >= 0.9 * most).OrderBy(r => r.Rmsd).First();
        }

        private static UnitCell CellOf(Mat3 a)
        {
            var real = a.Inverse();
            return UnitCell.FromRealSpaceVectors(real.Row1, real.Row2, real.Row3);
        }

        private static bool CellMatches(Mat3 a, UnitCell target, IndexingSettings s)
        {
            var c = CellOf(a);
            double tl = s.CellLengthTolerance, ta = s.CellAngleTolerance;
            return Math.Abs(c.A / target.A - 1) <= tl && Math.Abs(c.B / target.B - 1) <= tl && Math.Abs(c.C / target.C - 1) <= tl &&
                   Math.Abs(c.Alpha - target.Alpha) <= ta && Math.Abs(c.Beta - target.Beta) <= ta && Math.Abs(c.Gamma - target.Gamma) <= ta;
        }

        /// <summary>Starting settings for a known cell: grid-searched edge vectors combined into bases that match the cell.</summary>
        private static IEnumerable<Mat3> KnownCellStarts(SpotObservations obs, UnitCell cell, SpaceGroup group, IndexingSettings s)
        {
            double[] lengths = { cell.A, cell.B, cell.C };
            var sortedQ = obs.Q.OrderBy(q => q).ToArray();
            // One search per distinct edge length.
            var distinct = new List<double>();
            var vectorsByLength = new List<List<(Vec3 V, ulong[] Mask, int Support)>>();
            var edgeList = new int[3];
            for (int e = 0; e < 3; e++)
            {
                int found = distinct.FindIndex(l => Math.Abs(l / lengths[e] - 1) < 0.02);
                if (found < 0)
                {
                    distinct.Add(lengths[e]);
                    double spacing = RealSpaceGridSearch.AdaptiveSpacing(sortedQ, lengths[e], s.SearchSpacing);
                    var dirs = RealSpaceGridSearch.Hemisphere(spacing);
                    var raw = RealSpaceGridSearch.Search(obs, lengths[e], dirs, spacing, s.CandidateVectors, 3 * spacing);
                    var refinedVectors = new List<(Vec3, ulong[], int)>();
                    foreach (var v in raw)
                    {
                        var rv = RealSpaceGridSearch.Refine(obs, v, out int support);
                        if (Math.Abs(rv.Length / lengths[e] - 1) > 2 * s.CellLengthTolerance) rv = v;
                        refinedVectors.Add((rv, RealSpaceGridSearch.Mask(obs, rv, s.IndexTolerance), support));
                    }
                    vectorsByLength.Add(refinedVectors);
                    found = distinct.Count - 1;
                }
                edgeList[e] = found;
            }
            var la = vectorsByLength[edgeList[0]]; var lb = vectorsByLength[edgeList[1]]; var lc = vectorsByLength[edgeList[2]];
            double tolAngle = Math.Max(s.CellAngleTolerance, 2.0) * 2; // vectors from a still are rough before refinement
            double tolLength = s.CellLengthTolerance * 2;
            var bases = new List<(Mat3 Real, int Score)>();
            for (int i = 0; i < la.Count; i++)
            {
                var va = la[i].V;
                if (Math.Abs(va.Length / cell.A - 1) > tolLength) continue;
                for (int j = 0; j < lb.Count; j++)
                {
                    var vb0 = lb[j].V;
                    if (Math.Abs(vb0.Length / cell.B - 1) > tolLength) continue;
                    if (Math.Abs(va.Normalized().Dot(vb0.Normalized())) > 0.985) continue;
                    for (int k = 0; k < lc.Count; k++)
                    {
                        var vc0 = lc[k].V;
                        if (Math.Abs(vc0.Length / cell.C - 1) > tolLength) continue;
                        if (Math.Abs(va.Normalized().Dot(vc0.Normalized())) > 0.985 || Math.Abs(vb0.Normalized().Dot(vc0.Normalized())) > 0.985) continue;
                        int score = -1;
                        for (int sb = -1; sb <= 1; sb += 2)
                            for (int sc = -1; sc <= 1; sc += 2)
                            {
                                var vb = vb0 * sb; var vc = vc0 * sc;
                                if (va.Cross(vb).Dot(vc) <= 0) continue;
                                if (Math.Abs(vb.AngleTo(vc) - cell.Alpha) > tolAngle || Math.Abs(va.AngleTo(vc) - cell.Beta) > tolAngle || Math.Abs(va.AngleTo(vb) - cell.Gamma) > tolAngle) continue;
                                if (score < 0) score = RealSpaceGridSearch.CountAnd(la[i].Mask, lb[j].Mask, lc[k].Mask);
                                bases.Add((Mat3.FromRows(va, vb, vc), score));
                            }
                    }
                }
            }
            return bases.OrderByDescending(b => b.Score).Take(s.CandidateBases * 3).Select(b => b.Real.Inverse())
                .Take(s.CandidateBases * 3);
        }

        private static CrystalLattice ToLattice(RefinedLattice r, SpotObservations obs, SpaceGroup group, SpotList spots, DetectorModel detector, Beam beam)
        {
            var indexed = new IndexedSpot[r.Count];
            double sumPsi2 = 0;
            for (int j = 0; j < r.Count; j++)
            {
                int i = r.Assignment.Spot[j];
                indexed[j] = new IndexedSpot(obs.Spots[i], r.Assignment.H[j], r.Assignment.K[j], r.Assignment.L[j], r.PredictedX[j], r.PredictedY[j], r.DeltaPsi[j]);
                sumPsi2 += r.DeltaPsi[j] * r.DeltaPsi[j];
            }
            double psiRms = r.Count > 0 ? Math.Sqrt(sumPsi2 / r.Count) : double.NaN;
            return new CrystalLattice(r.A, group, spots.Image, spots, indexed, r.Rmsd, 2.3548 * psiRms * 180 / Math.PI, detector, beam, psiRms);
        }
    }
}
