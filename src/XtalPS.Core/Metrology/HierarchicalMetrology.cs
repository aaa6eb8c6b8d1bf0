using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using XtalPS.Geometry;
using XtalPS.Geometry.Numerics;

namespace XtalPS.Metrology
{
    /// <summary>
    /// Hierarchical refinement of a multi-panel detector from many indexed stills (cctbx.xfel cspad.cbf_metrology,
    /// DIALS's hierarchy_level refinement; Brewster et al. 2018, Acta Cryst. D74, 877): level 0 moves the whole
    /// detector, each further level the groups one step down the hierarchy (and the deepest level every panel on its
    /// own), each starting from the result of the last. Crystals (orientation and constrained cell) are refined with
    /// the detector at every level; the beam is fixed.
    /// </summary>
    /// <remarks>
    /// Gauge: a rotation of everything about the beam is not observable, so Tau1 is fixed at level 0 and the first
    /// group's Tau1 at deeper levels. A group with fewer than <see cref="MetrologySettings.MinReflectionsPerParameter"/>
    /// reflections per free parameter is fixed and reported. The input detector and experiments are never changed: the
    /// result holds new objects, and an exception leaves nothing half done.
    /// </remarks>
    public static class HierarchicalMetrology
    {
        /// <summary>The deepest level of a detector (every panel a rigid body of its own).</summary>
        public static int DeepestLevel(DetectorModel detector) => PanelGroupUnit.DeepestLevel(detector ?? throw new ArgumentNullException(nameof(detector)));

        /// <summary>Refines <paramref name="detector"/> from the experiments' reflections, level by level.</summary>
        /// <exception cref="MetrologyException">Mismatched detector, level out of range, too few reflections, or a failed refinement.</exception>
        public static MetrologyResult Refine(DetectorModel detector, IReadOnlyList<StillExperiment> experiments, MetrologySettings? settings = null,
            Action<MetrologyProgress>? progress = null, CancellationToken cancel = default)
        {
            if (detector == null) throw new ArgumentNullException(nameof(detector));
            if (experiments == null) throw new ArgumentNullException(nameof(experiments));
            settings ??= new MetrologySettings();
            int deepest = DeepestLevel(detector);
            int maxLevel = settings.MaxLevel < 0 ? deepest : settings.MaxLevel;
            if (maxLevel > deepest || settings.MinLevel < 0 || settings.MinLevel > maxLevel)
                throw new MetrologyException(MetrologyException.HierarchyLevelOutOfRangeId,
                    $"levels {settings.MinLevel}..{maxLevel} were asked for; {detector.Name} has levels 0..{deepest} (0 = whole detector, {deepest} = single panels).");
            if (experiments.Count == 0) throw new MetrologyException(MetrologyException.TooFewReflectionsId, "no crystals were given.");
            CheckDetector(detector, experiments);

            try
            {
                return Run(detector, experiments, settings, maxLevel, progress, cancel);
            }
            catch (MetrologyException) { throw; }
            catch (OperationCanceledException) { throw; }
            catch (ArithmeticException e) { throw new MetrologyException(MetrologyException.RefinementFailedId, "refinement failed: " + e.Message, e); }
            catch (InvalidOperationException e) { throw new MetrologyException(MetrologyException.RefinementFailedId, "refinement failed: " + e.Message, e); }
        }

        private static void CheckDetector(DetectorModel detector, IReadOnlyList<StillExperiment> experiments)
        {
            foreach (var e in experiments)
            {
                if (e == null) throw new ArgumentNullException(nameof(experiments), "an experiment is null.");
                if (e.Detector != null && !SameLayout(detector, e.Detector))
                    throw new MetrologyException(MetrologyException.DetectorMismatchId,
                        $"{e.Name} was measured on '{e.Detector.Name}' ({e.Detector.PanelCount} panels), which is not the detector refined ('{detector.Name}', {detector.PanelCount} panels).");
                foreach (var r in e.Reflections)
                    if (r.Panel < 0 || r.Panel >= detector.PanelCount)
                        throw new MetrologyException(MetrologyException.DetectorMismatchId,
                            $"{e.Name}: reflection {r} names panel {r.Panel}; {detector.Name} has panels 0..{detector.PanelCount - 1}.");
            }
        }

        /// <summary>Same panels in the same order: count, sizes and pixel sizes (positions and names may differ: formats name panels differently).</summary>
        public static bool SameLayout(DetectorModel a, DetectorModel b)
        {
            if (ReferenceEquals(a, b)) return true;
            if (a.PanelCount != b.PanelCount) return false;
            for (int i = 0; i < a.PanelCount; i++)
            {
                Panel p = a.Panels[i], q = b.Panels[i];
                if (p.Width != q.Width || p.Height != q.Height || Math.Abs(p.PixelSize - q.PixelSize) > 1e-9 * p.PixelSize) return false;
            }
            return true;
        }

        private static MetrologyResult Run(DetectorModel initial, IReadOnlyList<StillExperiment> experiments, MetrologySettings settings, int maxLevel,
            Action<MetrologyProgress>? progress, CancellationToken cancel)
        {
            var crystals = experiments.Select(e => new CrystalState(e)).ToArray();
            var model = initial;
            var reports = new List<MetrologyLevelReport>();
            StillsRefinementProblem? last = null;
            int perParameter = Math.Max(1, settings.MinReflectionsPerParameter);
            for (int level = settings.MinLevel; level <= maxLevel; level++)
            {
                cancel.ThrowIfCancellationRequested();
                var units = PanelGroupUnit.AtLevel(model, level);
                var problem = new StillsRefinementProblem(model, units, crystals, settings.DeltaPsiSigma, settings.MaxDegreeOfParallelism);
                foreach (var c in crystals) { c.Active = !c.Dropped; c.CellFixed = level >= settings.FixFromLevel && (settings.Fix & MetrologyFix.Cell) != 0; }

                // Which reflections take part: predictable ones that are not outliers under the current model.
                int rejected = SelectReflections(problem, crystals, settings);

                // Crystals with too few reflections: fix the cell, or leave the crystal out of this level.
                var fixedCell = new List<string>();
                var leftOut = new List<string>();
                foreach (var c in crystals)
                {
                    if (!c.Active) continue;
                    int n = c.UsedCount;
                    if (n < perParameter * 3) { c.Active = false; leftOut.Add(c.Input.Name); rejected += n; Array.Clear(c.Used, 0, c.Used.Length); continue; }
                    if (!c.CellFixed && n < perParameter * c.ParameterCount) { c.CellFixed = true; fixedCell.Add(c.Input.Name); }
                }

                // Detector parameters: requested fixes, gauge, and groups with too few reflections.
                var counts = new int[units.Count];
                foreach (var c in crystals)
                    if (c.Active) for (int i = 0; i < c.Used.Length; i++) if (c.Used[i]) counts[problem.UnitOfPanel(c.Panel[i])]++;
                var autoFixed = new bool[units.Count];
                var fix = problem.SharedFixed;
                for (int u = 0; u < units.Count; u++)
                {
                    int o = u * StillsRefinementProblem.Seg;
                    var fixHere = level >= settings.FixFromLevel ? settings.Fix : MetrologyFix.None;
                    if ((fixHere & MetrologyFix.Distance) != 0) fix[o] = true;
                    if ((fixHere & MetrologyFix.Shift) != 0) fix[o + 1] = fix[o + 2] = true;
                    if ((fixHere & MetrologyFix.Rotation) != 0) fix[o + 3] = true;
                    if ((fixHere & MetrologyFix.Tilt) != 0) fix[o + 4] = fix[o + 5] = true;
                    if (u == 0) fix[o + 3] = true; // gauge: rotation about the beam
                    int free = Enumerable.Range(o, StillsRefinementProblem.Seg).Count(i => !fix[i]);
                    if (free > 0 && counts[u] < perParameter * free)
                    {
                        // First give up the out-of-plane parameters (Dist, Tau2, Tau3), which few reflections determine
                        // worst; if the in-plane ones still have too few reflections, fix the whole group.
                        autoFixed[u] = true;
                        fix[o] = fix[o + 4] = fix[o + 5] = true;
                        int inPlane = Enumerable.Range(o, StillsRefinementProblem.Seg).Count(i => !fix[i]);
                        if (counts[u] < perParameter * inPlane)
                            for (int i = o; i < o + StillsRefinementProblem.Seg; i++) fix[i] = true;
                    }
                }
                int freeDetector = fix.Count(f => !f);
                int used = counts.Sum();
                if (freeDetector == 0)
                    throw new MetrologyException(MetrologyException.TooFewReflectionsId,
                        $"level {level}: no detector parameter can be refined ({used} usable reflections on {units.Count} groups; at least {perParameter} per free parameter are needed).");
                int freeCrystal = crystals.Where(c => c.Active).Sum(c => c.CellFixed ? 3 : c.ParameterCount);
                problem.IndexSegments();
                if (problem.ObservationCount <= freeDetector + freeCrystal)
                    throw new MetrologyException(MetrologyException.TooFewReflectionsId,
                        $"level {level}: {problem.ObservationCount} residuals cannot determine {freeDetector + freeCrystal} parameters.");

                progress?.Invoke(new MetrologyProgress(level, 0, double.NaN, double.NaN, double.NaN,
                    $"level {level}: {units.Count} group(s), {freeDetector} detector and {freeCrystal} crystal parameters, {used} reflections from {crystals.Count(c => c.Active)} crystals ({rejected} rejected)"
                    + (autoFixed.Any(a => a) ? $"; fixed for too few reflections: {string.Join(", ", units.Where((_, i) => autoFixed[i]).Select(x => x.Name))}" : "")));

                var lm = new SchurLevenbergMarquardt
                {
                    Tau = settings.Tau, MaxIterations = settings.MaxIterations, RmsdTolerance = settings.RmsdTolerance,
                    MaxDegreeOfParallelism = settings.MaxDegreeOfParallelism,
                };
                double[]? before = null;
                var outcome = lm.Minimise(new FirstRmsd(problem, r => before = r), (it, r) =>
                    progress?.Invoke(new MetrologyProgress(level, it, r[0], r[1], r[2] * 180 / Math.PI, "")), cancel);
                var after = problem.Rmsd();
                before ??= after;

                var groups = new List<PanelGroupParameters>();
                for (int u = 0; u < units.Count; u++)
                {
                    var shifts = StillsRefinementProblem.Shifts(units[u]);
                    var esd = new double[6];
                    var fixedFlags = PanelGroupParameter.None;
                    for (int q = 0; q < 6; q++)
                    {
                        esd[q] = outcome.SharedEsd[u * 6 + q];
                        if (fix[u * 6 + q]) fixedFlags |= (PanelGroupParameter)(1 << q);
                    }
                    groups.Add(new PanelGroupParameters(units[u].Name, level, units[u].Panels.Length, counts[u], shifts, esd, fixedFlags, autoFixed[u],
                        model.Panels[units[u].Panels[0]].PixelSize));
                }
                model = problem.CurrentDetector();
                last = problem;

                // Images whose RMSD stands out are not used at the next levels.
                var droppedImages = new List<string>();
                if (settings.RejectOutlierImages && level < maxLevel)
                {
                    var active = crystals.Where(c => c.Active).ToArray();
                    var rmsd = active.Select(c => ImageRmsd(problem, c)).ToArray();
                    var bad = OutlierRejection.OutlierImages(rmsd, settings.IqrMultiplier);
                    for (int i = 0; i < active.Length; i++)
                        if (bad[i]) { active[i].Dropped = true; droppedImages.Add(active[i].Input.Name); }
                }
                var toDegrees = 180 / Math.PI;
                var report = new MetrologyLevelReport(level, groups, new[] { before[0], before[1], before[2] * toDegrees }, new[] { after[0], after[1], after[2] * toDegrees },
                    used, rejected, crystals.Count(c => c.Active), droppedImages, outcome.Iterations, outcome.Converged, outcome.StopReason,
                    freeDetector, freeCrystal, fixedCell, leftOut);
                reports.Add(report);
                progress?.Invoke(new MetrologyProgress(level, 0, after[0], after[1], after[2] * toDegrees,
                    $"{report}; {outcome.Iterations} iterations ({outcome.StopReason})" + (droppedImages.Count > 0 ? $"; images dropped: {string.Join(", ", droppedImages)}" : "")));
            }

            var refined = new List<RefinedStill>();
            foreach (var c in crystals)
            {
                int n = c.Hkl.Length;
                var x = new double[n]; var y = new double[n]; var psi = new double[n]; var ok = new bool[n];
                last!.PredictAll(c, x, y, psi, ok);
                refined.Add(new RefinedStill(c.Input, c.U, c.Cell.Cell, x, y, psi, (bool[])c.Used.Clone(), !c.Active));
            }
            return new MetrologyResult(initial, model, reports, refined);
        }

        /// <summary>Chooses the reflections of a level: predictable, and not Tukey outliers per panel. Returns how many were left out.</summary>
        private static int SelectReflections(StillsRefinementProblem problem, CrystalState[] crystals, MetrologySettings settings)
        {
            var panel = new List<int>();
            var rx = new List<double>(); var ry = new List<double>(); var rp = new List<double>();
            var sx = new List<double>(); var sy = new List<double>(); var sp = new List<double>();
            var owner = new List<(CrystalState C, int I)>();
            int rejected = 0;
            foreach (var c in crystals)
            {
                if (!c.Active) continue;
                int n = c.Hkl.Length;
                var x = new double[n]; var y = new double[n]; var psi = new double[n]; var ok = new bool[n];
                for (int i = 0; i < n; i++) c.Used[i] = true;
                problem.PredictAll(c, x, y, psi, ok);
                for (int i = 0; i < n; i++)
                {
                    if (!ok[i]) { c.Used[i] = false; rejected++; continue; }
                    panel.Add(c.Panel[i]);
                    rx.Add(c.X[i] - x[i]); ry.Add(c.Y[i] - y[i]); rp.Add(psi[i]);
                    sx.Add(1 / Math.Sqrt(c.Wx[i])); sy.Add(1 / Math.Sqrt(c.Wy[i])); sp.Add(settings.DeltaPsiSigma);
                    owner.Add((c, i));
                }
            }
            if (settings.Outliers == OutlierMethod.Tukey)
            {
                var comps = settings.DeltaPsiSigma > 0 ? new[] { rx.ToArray(), ry.ToArray(), rp.ToArray() } : new[] { rx.ToArray(), ry.ToArray() };
                var sig = settings.DeltaPsiSigma > 0 ? new[] { sx.ToArray(), sy.ToArray(), sp.ToArray() } : new[] { sx.ToArray(), sy.ToArray() };
                var outlier = OutlierRejection.TukeyPerPanel(panel, comps, sig, settings.IqrMultiplier);
                for (int j = 0; j < outlier.Length; j++)
                    if (outlier[j]) { owner[j].C.Used[owner[j].I] = false; rejected++; }
            }
            return rejected;
        }

        private static double ImageRmsd(StillsRefinementProblem problem, CrystalState c)
        {
            int n = c.Hkl.Length;
            var x = new double[n]; var y = new double[n]; var psi = new double[n]; var ok = new bool[n];
            problem.PredictAll(c, x, y, psi, ok);
            double s = 0; int m = 0;
            for (int i = 0; i < n; i++)
                if (c.Used[i] && ok[i]) { s += (c.X[i] - x[i]) * (c.X[i] - x[i]) + (c.Y[i] - y[i]) * (c.Y[i] - y[i]); m++; }
            return m > 0 ? Math.Sqrt(s / m) : double.NaN;
        }

        /// <summary>Passes a problem through and records the RMSD of its first linearisation (the "before" of a level).</summary>
        private sealed class FirstRmsd : IBlockLeastSquares, IObservationCount
        {
            private readonly StillsRefinementProblem _p;
            private Action<double[]>? _first;
            public FirstRmsd(StillsRefinementProblem p, Action<double[]> first) { _p = p; _first = first; }
            public int SegmentCount => _p.SegmentCount;
            public int SegmentSize => _p.SegmentSize;
            public bool[] SharedFixed => _p.SharedFixed;
            public int ObservationCount => _p.ObservationCount;
            public BlockTerms[] CreateTerms() => _p.CreateTerms();
            public double Linearise(BlockTerms[] terms)
            {
                double cost = _p.Linearise(terms);
                if (_first != null) { _first(_p.Rmsd()); _first = null; }
                return cost;
            }
            public double TrialCost(double[] sharedStep, double[][] blockSteps) => _p.TrialCost(sharedStep, blockSteps);
            public void Accept(double[] sharedStep, double[][] blockSteps) => _p.Accept(sharedStep, blockSteps);
            public double[] Rmsd() => _p.Rmsd();
        }
    }
}
