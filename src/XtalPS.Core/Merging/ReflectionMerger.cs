using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading.Tasks;
using XtalPS.Geometry;
using XtalPS.Lattices;

namespace XtalPS.Merging
{
    /// <summary>What a merge produced: one merged data set and its statistics per -SplitBy group, the lattice table
    /// with the refined parameters, the error model and a log of what was done.</summary>
    public sealed class MergeResult
    {
        public IReadOnlyList<MergedReflections> DataSets { get; set; } = Array.Empty<MergedReflections>();
        public IReadOnlyList<MergingStatistics> Statistics { get; set; } = Array.Empty<MergingStatistics>();
        public LatticeTable Lattices { get; set; } = new LatticeTable();
        public ErrorModel ErrorModel { get; set; } = ErrorModel.None;
        public IReadOnlyList<string> Log { get; set; } = Array.Empty<string>();
    }

    /// <summary>
    /// Merges still observations: maps them to the asymmetric unit, bootstraps a reference from mean intensities
    /// (or takes the external one), then cycles scaling / post-refinement of every lattice against the reference
    /// (<see cref="PostRefinement"/>), weighted merging of the corrected intensities, observation and lattice outlier
    /// rejection and an error-model fit (<see cref="ErrorModel"/>); finally merges each -SplitBy group with its half-sets
    /// and I(+)/I(−) and computes <see cref="MergingStatistics"/>.
    /// </summary>
    /// <remarks>Every loop runs per lattice or per reflection and writes only its own slot; sums over a reflection's
    /// observations go in stable-lattice-id order (<see cref="ReflectionIndex"/>), so the result is the same at any
    /// thread count. The corrected observation is Î = I/(G·exp(−B/(2d²))·P·g/∛V), its σ the error-model σ' over the same
    /// factor, and the merged value the inverse-variance weighted mean (plain mean for the Monte-Carlo model).</remarks>
    public sealed class ReflectionMerger
    {
        private readonly MergeSettings _settings;
        private readonly ParallelOptions _parallel;
        private readonly List<string> _log = new List<string>();

        public ReflectionMerger(MergeSettings settings)
        {
            _settings = settings ?? throw new ArgumentNullException(nameof(settings));
            _parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, settings.MaxDegreeOfParallelism) };
        }

        public MergeResult Merge(ObservationStore obs, LatticeTable lattices, IProgress<string>? progress = null)
        {
            if (obs == null) throw new ArgumentNullException(nameof(obs));
            if (lattices == null) throw new ArgumentNullException(nameof(lattices));
            var group = _settings.SpaceGroup;
            obs.Trim();
            Note(progress, "Mapping {0} observations of {1} lattices to the asymmetric unit of {2}", obs.Count, lattices.Count, group.Symbol);
            if (!double.IsNaN(_settings.DMin))
            {
                float limit = (float)(1 / (_settings.DMin * _settings.DMin));
                for (int i = 0; i < obs.Count; i++) if (obs.InvD2[i] > limit) obs.Flags[i] |= ObservationStore.Rejected;
            }
            for (int i = 0; i < obs.Count; i++)
                if (!(obs.Sigma[i] > 0) || float.IsNaN(obs.Intensity[i]) || float.IsInfinity(obs.Intensity[i])) obs.Flags[i] |= ObservationStore.Rejected;
            var index = ReflectionIndex.Build(obs, lattices, group, _parallel);
            for (int lat = 0; lat < lattices.Count; lat++)
                if (Usable(obs, lattices, lat) < 3) lattices.Reject(lat, "fewer than 3 usable reflections");
            bool partiality = _settings.Model != MergeModel.MonteCarlo;
            Parallel.For(0, lattices.Count, _parallel, lat =>
            {
                lattices.RlpWidth[lat] = PartialityModel.InitialWidth(obs, lattices.FirstObservation[lat], lattices.ObservationCount[lat], lattices.SettingMatrix[lat], lattices.S0[lat]);
                UpdatePartiality(obs, lattices, lat, partiality);
            });
            if (_settings.ResolveAmbiguity) index = ResolveAmbiguity(obs, lattices, index, group, progress);
            var reference = ExternalReference(index);
            var errorModel = partiality ? ErrorModel.Initial : ErrorModel.None;
            Bootstrap(obs, lattices, index, reference);
            var merged = MergeGroup(obs, lattices, index, -1, errorModel, null, halves: false, out _, out _);
            int cycles = partiality ? Math.Max(0, _settings.Cycles) : 1;
            for (int cycle = 1; cycle <= cycles; cycle++)
            {
                var target = reference ?? merged.Intensity;
                if (partiality)
                {
                    var em = errorModel;
                    bool scaleOnly = _settings.Model == MergeModel.Scale;
                    Parallel.For(0, lattices.Count, _parallel, lat =>
                    {
                        if (lattices.Rejected[lat]) return;
                        PostRefinement.Refine(obs, lattices, lat, target, em, scaleOnly);
                        UpdatePartiality(obs, lattices, lat, true);
                    });
                    if (reference == null) CentreBFactors(lattices);
                }
                int rejectedLattices = RejectLattices(obs, lattices, target);
                if (reference == null) rejectedLattices += RejectByDeltaCCHalf(obs, lattices, index);
                merged = MergeGroup(obs, lattices, index, -1, errorModel, target, halves: false, out _, out _);
                int outliers = RejectOutliers(obs, lattices, index, merged, errorModel);
                errorModel = FitErrorModel(obs, lattices, index, merged, errorModel);
                merged = MergeGroup(obs, lattices, index, -1, errorModel, target, halves: false, out _, out _);
                Note(progress, "Cycle {0}: {1} lattices rejected, {2} outlier observations, error model {3}, median G {4:0.###}, median rlp width {5:0.####}, median η {6:0.###}°",
                    cycle, rejectedLattices, outliers, errorModel, Median(lattices.Scale, lattices), Median(lattices.RlpWidth, lattices), Median(lattices.Mosaicity, lattices) * 180 / Math.PI);
            }
            var dataSets = new List<MergedReflections>(); var stats = new List<MergingStatistics>();
            var cell = MeanCell(lattices, group);
            double wavelength = MeanWavelength(lattices);
            for (int g = 0; g < _settings.GroupNames.Count; g++)
            {
                var m = MergeGroup(obs, lattices, index, _settings.GroupNames.Count > 1 ? g : -1, errorModel, reference ?? merged.Intensity, true, out var absDev, out var sumI);
                m.Name = _settings.GroupNames[g]; m.SpaceGroup = group; m.Cell = cell; m.Wavelength = wavelength;
                var b = cell.BMatrix;
                double dMinSeen = double.PositiveInfinity, dMaxSeen = 0;
                for (int r = 0; r < m.Count; r++)
                {
                    var q = b * new Vec3(m.H[r], m.K[r], m.L[r]);
                    m.D[r] = 1 / q.Length;
                    m.FreeR[r] = FreeRFlags.Of(m.H[r], m.K[r], m.L[r], _settings.FreeRFlags);
                    if (m.Multiplicity[r] > 0) { dMinSeen = Math.Min(dMinSeen, m.D[r]); dMaxSeen = Math.Max(dMaxSeen, m.D[r]); }
                }
                var keepAbs = absDev; var keepSum = sumI;
                var present = new List<int>();
                for (int r = 0; r < m.Count; r++) if (m.Multiplicity[r] > 0) present.Add(r);
                var kept = m.Select(r => m.Multiplicity[r] > 0);
                var absKept = new double[present.Count]; var sumKept = new double[present.Count];
                for (int j = 0; j < present.Count; j++) { absKept[j] = keepAbs[present[j]]; sumKept[j] = keepSum[present[j]]; }
                double dMin = double.IsNaN(_settings.DMin) ? dMinSeen : Math.Max(_settings.DMin, dMinSeen);
                var s = MergingStatistics.Compute(kept, absKept, sumKept, _settings.Shells, dMin, dMaxSeen);
                s.SdFac = errorModel.SdFac; s.SdAdd = errorModel.SdAdd; s.SdPartiality = errorModel.SdPartiality;
                s.NormalDeviations = NormalDeviations(obs, lattices, index, m, errorModel, _settings.GroupNames.Count > 1 ? g : -1);
                for (int lat = 0; lat < lattices.Count; lat++)
                {
                    if (_settings.GroupNames.Count > 1 && lattices.Group[lat] != g) continue;
                    if (lattices.Rejected[lat]) s.LatticesRejected++; else s.LatticesUsed++;
                }
                dataSets.Add(kept); stats.Add(s);
                Note(progress, "{0}{1} unique reflections from {2} lattices ({3} rejected), CC½ {4:0.000}, completeness {5:0.0}%, resolution estimate (CC½ = 0.3) {6:0.00} Å",
                    m.Name.Length > 0 ? m.Name + ": " : "", kept.Count, s.LatticesUsed, s.LatticesRejected, s.Overall.CCHalf, s.Overall.Completeness, s.ResolutionEstimate);
            }
            return new MergeResult { DataSets = dataSets, Statistics = stats, Lattices = lattices, ErrorModel = errorModel, Log = _log.ToArray() };
        }

        private void Note(IProgress<string>? progress, string format, params object[] args)
        {
            string text = string.Format(CultureInfo.InvariantCulture, format, args);
            _log.Add(text);
            progress?.Report(text);
        }

        private static int Usable(ObservationStore obs, LatticeTable lattices, int lat)
        {
            int n = 0, first = lattices.FirstObservation[lat];
            for (int i = first; i < first + lattices.ObservationCount[lat]; i++)
                if ((obs.Flags[i] & ObservationStore.Rejected) == 0 && obs.Reflection[i] >= 0) n++;
            return n;
        }

        /// <summary>Recomputes the partiality and density factor of a lattice's observations from its current parameters.</summary>
        private static void UpdatePartiality(ObservationStore obs, LatticeTable lattices, int lat, bool model)
        {
            int first = lattices.FirstObservation[lat], end = first + lattices.ObservationCount[lat];
            if (!model) { for (int i = first; i < end; i++) { obs.Partiality[i] = 1; obs.Density[i] = 1; } return; }
            var a = lattices.RefinedSettingMatrix(lat);
            var inv = a.Inverse();
            double cbrtV = PartialityModel.CubeRootVolume(lattices.SettingMatrix[lat]);
            double width = lattices.RlpWidth[lat], mosaic = lattices.Mosaicity[lat];
            var s0 = lattices.S0[lat];
            for (int i = first; i < end; i++)
            {
                PartialityModel.Geometry(a, inv, s0, obs.H[i], obs.K[i], obs.L[i], out double eps, out double g);
                obs.Partiality[i] = (float)PartialityModel.Fraction(eps, g, width, mosaic, obs.InvD2[i]);
                obs.Density[i] = (float)PartialityModel.Density(g, width, mosaic, obs.InvD2[i], cbrtV);
            }
        }

        /// <summary>Finds the indexing ambiguity of the space group and mean cell; when there is one, chooses and applies an
        /// operator per lattice (<see cref="AmbiguityResolver"/>) and returns the rebuilt index.</summary>
        private ReflectionIndex ResolveAmbiguity(ObservationStore obs, LatticeTable lattices, ReflectionIndex index, SpaceGroup group, IProgress<string>? progress)
        {
            var ambiguity = IndexingAmbiguity.Find(group, MeanCell(lattices, SpaceGroup.FromNumber(1)));
            if (ambiguity.Count < 2) return index;
            var names = new string[ambiguity.Count];
            for (int k = 0; k < names.Length; k++) names[k] = ambiguity.Describe(k);
            var reference = ExternalReference(index, quiet: true);
            var outcome = AmbiguityResolver.Resolve(obs, lattices, index, new ReciprocalAsu(group), ambiguity, i => Good(obs, lattices, i), reference, _parallel);
            var counts = new int[ambiguity.Count];
            for (int lat = 0; lat < lattices.Count; lat++)
            {
                int op = outcome.Operator[lat];
                if (lattices.Rejected[lat]) continue;
                counts[op]++;
                if (op == 0) continue;
                AmbiguityResolver.Reindex(obs, lattices, ambiguity, lat, op);
                lattices.Reindexing[lat] = names[op];
            }
            var parts = new List<string>();
            for (int k = 0; k < names.Length; k++) parts.Add(string.Format(CultureInfo.InvariantCulture, "{0}: {1}", names[k], counts[k]));
            Note(progress, "Indexing ambiguity in {0}: {1} indexings; lattices per operator {2} ({3}, {4} sweeps{5})", group.Symbol, ambiguity.Count,
                string.Join(", ", parts), reference != null ? "against the reference" : "Brehm & Diederichs", outcome.Sweeps,
                outcome.Undecided > 0 ? string.Format(CultureInfo.InvariantCulture, ", {0} still changing", outcome.Undecided) : "");
            if (counts[0] == lattices.Count) return index;
            return ReflectionIndex.Build(obs, lattices, group, _parallel);
        }

        /// <summary>The -Reference intensities per unique reflection (NaN where it has none), or null.</summary>
        private double[]? ExternalReference(ReflectionIndex index, bool quiet = false)
        {
            if (_settings.Reference == null) return null;
            var asu = new ReciprocalAsu(_settings.SpaceGroup);
            var reference = new double[index.Count];
            for (int r = 0; r < reference.Length; r++) reference[r] = double.NaN;
            int found = 0;
            foreach (var kv in _settings.Reference)
            {
                var (h, k, l) = asu.Map(kv.Key.H, kv.Key.K, kv.Key.L, out _);
                int r = index.Find(h, k, l);
                if (r >= 0 && !double.IsNaN(kv.Value)) { reference[r] = kv.Value; found++; }
            }
            if (!quiet) Note(null, "Reference: {0} of {1} observed reflections have a reference intensity", found, index.Count);
            return reference;
        }

        /// <summary>
        /// First scales without any reference: each lattice's G is the ratio of its intensities to the mean intensity of
        /// all lattices at the same resolution (Σ I / Σ P·⟨I⟩(d)), corrected for partiality; with -Reference, G is Σ I / Σ P·I_ref.
        /// </summary>
        private void Bootstrap(ObservationStore obs, LatticeTable lattices, ReflectionIndex index, double[]? reference)
        {
            const int bins = 20;
            double maxInvD2 = 0;
            for (int i = 0; i < obs.Count; i++) if ((obs.Flags[i] & ObservationStore.Rejected) == 0) maxInvD2 = Math.Max(maxInvD2, obs.InvD2[i]);
            if (!(maxInvD2 > 0)) maxInvD2 = 1;
            int Bin(float invD2) => Math.Min(bins - 1, (int)(invD2 / maxInvD2 * bins));
            var sumI = new double[bins]; var sumP = new double[bins];
            for (int i = 0; i < obs.Count; i++)
            {
                if (!Good(obs, lattices, i)) continue;
                int b = Bin(obs.InvD2[i]);
                sumI[b] += obs.Intensity[i]; sumP[b] += obs.Partiality[i] * obs.Density[i];
            }
            var mean = new double[bins];
            for (int b = 0; b < bins; b++) mean[b] = sumP[b] > 0 ? sumI[b] / sumP[b] : 0;
            Parallel.For(0, lattices.Count, _parallel, lat =>
            {
                if (lattices.Rejected[lat]) return;
                double num = 0, den = 0;
                int first = lattices.FirstObservation[lat];
                for (int i = first; i < first + lattices.ObservationCount[lat]; i++)
                {
                    if (!Good(obs, lattices, i)) continue;
                    double expected = reference != null ? reference[obs.Reflection[i]] : mean[Bin(obs.InvD2[i])];
                    if (double.IsNaN(expected)) continue;
                    num += obs.Intensity[i]; den += obs.Partiality[i] * obs.Density[i] * expected;
                }
                lattices.Scale[lat] = num > 0 && den > 0 ? num / den : 1;
            });
            Note(null, "Bootstrap: scales from {0}, median G {1:0.###}", reference != null ? "the reference" : "mean intensities", Median(lattices.Scale, lattices));
        }

        private bool Good(ObservationStore obs, LatticeTable lattices, int i) =>
            (obs.Flags[i] & ObservationStore.Rejected) == 0 && obs.Reflection[i] >= 0 && !lattices.Rejected[obs.Lattice[i]]
            && (_settings.Model == MergeModel.MonteCarlo || obs.Partiality[i] >= _settings.MinPartiality);

        /// <summary>The factor x with I_obs = x·I_full under the lattice's current parameters.</summary>
        private static double Factor(ObservationStore obs, LatticeTable lattices, int i)
        {
            int lat = obs.Lattice[i];
            return lattices.Scale[lat] * Math.Exp(-0.5 * lattices.BFactor[lat] * obs.InvD2[i]) * obs.Partiality[i] * obs.Density[i];
        }

        /// <summary>Merges the observations of one group (−1 = all); with <paramref name="halves"/> also the half-sets and
        /// I(+)/I(−). <paramref name="absDev"/> and <paramref name="sumI"/> return Σ|Î − ⟨I⟩| and Σ Î per reflection.</summary>
        private MergedReflections MergeGroup(ObservationStore obs, LatticeTable lattices, ReflectionIndex index, int groupIndex, ErrorModel errorModel,
            double[]? current, bool halves, out double[] absDev, out double[] sumI)
        {
            var m = new MergedReflections(index.Count);
            var dev = new double[index.Count]; var sum = new double[index.Count];
            bool weighted = _settings.Model != MergeModel.MonteCarlo;
            Parallel.For(0, index.Count, _parallel, r =>
            {
                m.H[r] = index.H[r]; m.K[r] = index.K[r]; m.L[r] = index.L[r]; m.Centric[r] = index.Centric[r];
                // Sums: all, I(+), I(−), half 0/1, and half × sign for the anomalous differences.
                Span<double> sw = stackalloc double[9]; Span<double> swi = stackalloc double[9]; Span<double> sv = stackalloc double[9];
                Span<int> n = stackalloc int[9];
                for (int j = index.Start[r]; j < index.Start[r + 1]; j++)
                {
                    int i = index.Order[j];
                    int lat = obs.Lattice[i];
                    if (!Good(obs, lattices, i) || (groupIndex >= 0 && lattices.Group[lat] != groupIndex)) continue;
                    double x = Factor(obs, lattices, i);
                    if (!(x > 0)) continue;
                    double model = current != null && !double.IsNaN(current[r]) ? Math.Max(0, x * current[r]) : Math.Abs(obs.Intensity[i]);
                    // σ' of the error model, with its partiality term once there is a model intensity to scale it.
                    double value = obs.Intensity[i] / x;
                    double sigma = (weighted && current != null && !double.IsNaN(current[r])
                        ? errorModel.Apply(obs.Sigma[i], model, obs.Partiality[i], obs.InvD2[i]) : errorModel.Apply(obs.Sigma[i], model)) / x;
                    double w = weighted ? 1 / (sigma * sigma) : 1;
                    bool minus = (obs.Flags[i] & ObservationStore.FriedelMinus) != 0;
                    int half = lattices.HalfSet(lat);
                    void Add(Span<double> a, Span<double> b, Span<double> c, Span<int> cnt, int slot)
                    { a[slot] += w; b[slot] += w * value; c[slot] += sigma * sigma; cnt[slot]++; }
                    Add(sw, swi, sv, n, 0);
                    Add(sw, swi, sv, n, minus ? 2 : 1);
                    Add(sw, swi, sv, n, 3 + half);
                    Add(sw, swi, sv, n, 5 + 2 * half + (minus ? 1 : 0));
                }
                double Mean(Span<double> a, Span<double> b, Span<int> cnt, int slot) => cnt[slot] > 0 ? b[slot] / a[slot] : double.NaN;
                double Sig(Span<double> a, Span<double> v, Span<int> cnt, int slot) =>
                    cnt[slot] == 0 ? double.NaN : weighted ? 1 / Math.Sqrt(a[slot]) : Math.Sqrt(v[slot]) / cnt[slot];
                m.Intensity[r] = Mean(sw, swi, n, 0); m.Sigma[r] = Sig(sw, sv, n, 0); m.Multiplicity[r] = n[0];
                m.IPlus[r] = Mean(sw, swi, n, 1); m.SigmaPlus[r] = Sig(sw, sv, n, 1); m.NPlus[r] = n[1];
                m.IMinus[r] = Mean(sw, swi, n, 2); m.SigmaMinus[r] = Sig(sw, sv, n, 2); m.NMinus[r] = n[2];
                m.IHalf1[r] = Mean(sw, swi, n, 3); m.SigmaHalf1[r] = Sig(sw, sv, n, 3);
                m.IHalf2[r] = Mean(sw, swi, n, 4); m.SigmaHalf2[r] = Sig(sw, sv, n, 4);
                m.AnomalousHalf1[r] = index.Centric[r] ? double.NaN : Mean(sw, swi, n, 5) - Mean(sw, swi, n, 6);
                m.AnomalousHalf2[r] = index.Centric[r] ? double.NaN : Mean(sw, swi, n, 7) - Mean(sw, swi, n, 8);
                if (!halves || n[0] == 0) return;
                double mean = m.Intensity[r], d = 0, s = 0;
                for (int j = index.Start[r]; j < index.Start[r + 1]; j++)
                {
                    int i = index.Order[j];
                    if (!Good(obs, lattices, i) || (groupIndex >= 0 && lattices.Group[obs.Lattice[i]] != groupIndex)) continue;
                    double x = Factor(obs, lattices, i);
                    if (!(x > 0)) continue;
                    double value = obs.Intensity[i] / x;
                    d += Math.Abs(value - mean); s += value;
                }
                dev[r] = d; sum[r] = s;
            });
            absDev = dev; sumI = sum;
            return m;
        }

        /// <summary>Flags, per reflection with at least 3 observations, the one observation that deviates most when its
        /// normalised deviation exceeds the limit.</summary>
        private int RejectOutliers(ObservationStore obs, LatticeTable lattices, ReflectionIndex index, MergedReflections merged, ErrorModel errorModel)
        {
            int count = 0;
            var flagged = new int[index.Count];
            Parallel.For(0, index.Count, _parallel, r =>
            {
                flagged[r] = -1;
                int n = merged.Multiplicity[r];
                if (n < 3) return;
                double worst = _settings.OutlierZ; int worstI = -1;
                for (int j = index.Start[r]; j < index.Start[r + 1]; j++)
                {
                    int i = index.Order[j];
                    if (!Good(obs, lattices, i)) continue;
                    double x = Factor(obs, lattices, i);
                    if (!(x > 0)) continue;
                    double model = Math.Max(0, x * merged.Intensity[r]);
                    double z = Math.Abs(obs.Intensity[i] - model) / errorModel.Apply(obs.Sigma[i], model, obs.Partiality[i], obs.InvD2[i]) * Math.Sqrt((n - 1.0) / n);
                    if (z > worst) { worst = z; worstI = i; }
                }
                flagged[r] = worstI;
            });
            foreach (int i in flagged) if (i >= 0) { obs.Flags[i] |= ObservationStore.Rejected; count++; }
            return count;
        }

        /// <summary>Correlation of each lattice's corrected intensities with the reference; lattices below the limit (on at
        /// least 10 reflections) are rejected.</summary>
        private int RejectLattices(ObservationStore obs, LatticeTable lattices, double[] reference)
        {
            var rejectedNow = new bool[lattices.Count];
            Parallel.For(0, lattices.Count, _parallel, lat =>
            {
                if (lattices.Rejected[lat]) return;
                var x = new List<double>(); var y = new List<double>();
                int first = lattices.FirstObservation[lat];
                for (int i = first; i < first + lattices.ObservationCount[lat]; i++)
                {
                    if (!Good(obs, lattices, i) || double.IsNaN(reference[obs.Reflection[i]])) continue;
                    double f = Factor(obs, lattices, i);
                    if (!(f > 0)) continue;
                    x.Add(obs.Intensity[i] / f); y.Add(reference[obs.Reflection[i]]);
                }
                double cc = x.Count >= 3 ? MergingStatistics.Correlation(x, y) : double.NaN;
                lattices.Correlation[lat] = cc;
                if (x.Count >= 10 && !(cc >= _settings.MinLatticeCorrelation)) rejectedNow[lat] = true;
            });
            int count = 0;
            for (int lat = 0; lat < lattices.Count; lat++)
                if (rejectedNow[lat])
                {
                    lattices.Reject(lat, string.Format(CultureInfo.InvariantCulture, "correlation with the reference {0:0.00} < {1:0.00}", lattices.Correlation[lat], _settings.MinLatticeCorrelation));
                    count++;
                }
            return count;
        }

        /// <summary>Rejects the lattices whose ΔCC½ (<see cref="DeltaCCHalf"/>) is negative and more than
        /// <see cref="MergeSettings.DeltaCCHalfCutoff"/> robust standard deviations below the median (at least 20 lattices).</summary>
        private int RejectByDeltaCCHalf(ObservationStore obs, LatticeTable lattices, ReflectionIndex index)
        {
            if (!(_settings.DeltaCCHalfCutoff > 0)) return 0;
            var delta = DeltaCCHalf.Compute(obs, lattices, index, i => Good(obs, lattices, i), i =>
            {
                double x = Factor(obs, lattices, i);
                return x > 0 ? obs.Intensity[i] / x : double.NaN;
            }, _parallel);
            var list = new List<double>();
            foreach (double d in delta) if (!double.IsNaN(d)) list.Add(d);
            if (list.Count < 20) return 0;
            list.Sort();
            double median = list[list.Count / 2];
            var dev = new List<double>(list.Count);
            foreach (double d in list) dev.Add(Math.Abs(d - median));
            dev.Sort();
            double spread = 1.4826 * dev[dev.Count / 2];
            if (!(spread > 0)) return 0;
            double limit = median - _settings.DeltaCCHalfCutoff * spread;
            int count = 0;
            for (int lat = 0; lat < lattices.Count; lat++)
            {
                lattices.DeltaCCHalf[lat] = delta[lat];
                if (lattices.Rejected[lat] || double.IsNaN(delta[lat]) || !(delta[lat] < 0) || !(delta[lat] < limit)) continue;
                lattices.Reject(lat, string.Format(CultureInfo.InvariantCulture, "ΔCC½ {0:0.#####} below the limit {1:0.#####} (median {2:0.#####} − {3}·{4:0.#####})",
                    delta[lat], limit, median, _settings.DeltaCCHalfCutoff, spread));
                count++;
            }
            return count;
        }

        /// <summary>Fits the error model (<see cref="ErrorModel.Fit"/>) on the corrected observations of reflections seen at
        /// least twice, each held out against the others; a deterministic subsample of at most ~2·10⁵ observations.</summary>
        private ErrorModel FitErrorModel(ObservationStore obs, LatticeTable lattices, ReflectionIndex index, MergedReflections merged, ErrorModel previous)
        {
            if (_settings.Model == MergeModel.MonteCarlo) return previous;
            int step = Math.Max(1, obs.Count / 200_000);
            var start = new List<int> { 0 };
            var value = new List<double>(); var sig = new List<double>(); var mean = new List<double>(); var u2 = new List<double>(); var invD2 = new List<double>();
            for (int r = 0; r < index.Count; r += step)
            {
                if (merged.Multiplicity[r] < 2 || double.IsNaN(merged.Intensity[r])) continue;
                int before = value.Count;
                for (int j = index.Start[r]; j < index.Start[r + 1]; j++)
                {
                    int i = index.Order[j];
                    if (!Good(obs, lattices, i)) continue;
                    double x = Factor(obs, lattices, i);
                    if (!(x > 0)) continue;
                    value.Add(obs.Intensity[i] / x); sig.Add(obs.Sigma[i] / x); mean.Add(merged.Intensity[r]);
                    u2.Add(-2 * Math.Log(Math.Min(1, Math.Max(obs.Partiality[i], 1e-12)))); invD2.Add(obs.InvD2[i]);
                }
                if (value.Count - before >= 2) start.Add(value.Count);
                else { value.RemoveRange(before, value.Count - before); sig.RemoveRange(before, sig.Count - before); mean.RemoveRange(before, mean.Count - before); u2.RemoveRange(before, u2.Count - before); invD2.RemoveRange(before, invD2.Count - before); }
            }
            if (value.Count < 50) return previous;
            return ErrorModel.Fit(start.ToArray(), start.Count - 1, value.ToArray(), sig.ToArray(), mean.ToArray(), u2.ToArray(), invD2.ToArray());
        }

        /// <summary>Subtracts the mean relative B of the used lattices from each. Against its own merged data the
        /// overall fall-off is not determined (every B can shift by the same amount and the merged intensities absorb
        /// it), so without this it drifts from cycle to cycle; with it the merged data keep the mean fall-off of the
        /// lattices, which is the crystal's when the partiality model is right.</summary>
        private static void CentreBFactors(LatticeTable lattices)
        {
            double sum = 0; int n = 0;
            for (int lat = 0; lat < lattices.Count; lat++)
                if (!lattices.Rejected[lat] && !double.IsNaN(lattices.BFactor[lat])) { sum += lattices.BFactor[lat]; n++; }
            if (n == 0) return;
            double mean = sum / n;
            for (int lat = 0; lat < lattices.Count; lat++) lattices.BFactor[lat] -= mean;
        }

        /// <summary>The sorted normalised deviations of observations of one group (−1 = all) from the merged
        /// intensities <paramref name="merged"/> (rows aligned with <paramref name="index"/>); every k-th reflection
        /// when there are more than <see cref="MergingStatistics.NormalDeviationSample"/> observations.</summary>
        private double[] NormalDeviations(ObservationStore obs, LatticeTable lattices, ReflectionIndex index, MergedReflections merged, ErrorModel errorModel, int groupIndex)
        {
            int step = Math.Max(1, (int)Math.Ceiling(obs.Count / (double)MergingStatistics.NormalDeviationSample));
            var deviations = new List<double>();
            for (int r = 0; r < index.Count; r += step)
            {
                int n = merged.Multiplicity[r];
                double mean = merged.Intensity[r];
                if (n < 2 || double.IsNaN(mean)) continue;
                double inflation = Math.Sqrt(n / (n - 1.0));
                for (int j = index.Start[r]; j < index.Start[r + 1]; j++)
                {
                    int i = index.Order[j];
                    if (!Good(obs, lattices, i) || (groupIndex >= 0 && lattices.Group[obs.Lattice[i]] != groupIndex)) continue;
                    double x = Factor(obs, lattices, i);
                    if (!(x > 0)) continue;
                    double model = Math.Max(0, x * mean);
                    // σ' as the merge weighted the observation (with the partiality term of the error model).
                    double sigma = _settings.Model == MergeModel.MonteCarlo ? errorModel.Apply(obs.Sigma[i], model) : errorModel.Apply(obs.Sigma[i], model, obs.Partiality[i], obs.InvD2[i]);
                    if (!(sigma > 0)) continue;
                    deviations.Add((obs.Intensity[i] - x * mean) / sigma * inflation);
                }
            }
            var sorted = deviations.ToArray();
            Array.Sort(sorted);
            return sorted;
        }

        private static double Median(double[] values, LatticeTable lattices)
        {
            var list = new List<double>();
            for (int i = 0; i < lattices.Count; i++) if (!lattices.Rejected[i] && !double.IsNaN(values[i])) list.Add(values[i]);
            if (list.Count == 0) return double.NaN;
            list.Sort();
            return list[list.Count / 2];
        }

        /// <summary>The mean cell of the used lattices, constrained to the space group.</summary>
        private static UnitCell MeanCell(LatticeTable lattices, SpaceGroup group)
        {
            var sum = new double[6]; int n = 0;
            for (int lat = 0; lat < lattices.Count; lat++)
            {
                if (lattices.Rejected[lat]) continue;
                var real = lattices.SettingMatrix[lat].Inverse();
                var c = UnitCell.FromRealSpaceVectors(real.Row1, real.Row2, real.Row3).ToArray();
                for (int i = 0; i < 6; i++) sum[i] += c[i];
                n++;
            }
            if (n == 0)
            {
                if (lattices.Count == 0) return new UnitCell(1, 1, 1, 90, 90, 90);
                var real = lattices.SettingMatrix[0].Inverse();
                return group.ConstrainCell(UnitCell.FromRealSpaceVectors(real.Row1, real.Row2, real.Row3));
            }
            return group.ConstrainCell(new UnitCell(sum[0] / n, sum[1] / n, sum[2] / n, sum[3] / n, sum[4] / n, sum[5] / n));
        }

        private static double MeanWavelength(LatticeTable lattices)
        {
            double s = 0; int n = 0;
            for (int lat = 0; lat < lattices.Count; lat++) { double k = lattices.S0[lat].Length; if (k > 0) { s += 1 / k; n++; } }
            return n > 0 ? s / n : 0;
        }
    }
}
