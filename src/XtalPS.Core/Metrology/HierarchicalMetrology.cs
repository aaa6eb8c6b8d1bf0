using System;
using System.Collections.Generic;
using System.Globalization;
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
                if (e.Detector != null && GeometryDifference(detector, e.Detector) is string moved)
                    throw new MetrologyException(MetrologyException.DetectorMismatchId,
                        $"{e.Name} was measured on a detector with the same panels as the one refined but another geometry ({moved}).");
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

        /// <summary>One step of the schedule: a hierarchy level in a sweep (1: in the plane; 2: out of the plane where determined).</summary>
        private readonly struct Step
        {
            public Step(int level, int sweep, bool inPlane) { Level = level; Sweep = sweep; InPlane = inPlane; }
            public int Level { get; }
            public int Sweep { get; }
            /// <summary>Dist, Tau2 and Tau3 held for every group.</summary>
            public bool InPlane { get; }
        }

        /// <summary>
        /// The schedule: first every level with the panels held in their planes (Dist, Tau2, Tau3 fixed), so that an
        /// out-of-plane parameter never soaks up the in-plane errors of the levels below it (at level 0 on 8 simulated
        /// CSPAD stills, the whole detector tilts 1.6 ± 0.1 mrad and moves 0.18 mm along the beam when the ASICs are still
        /// up to 2 px out of place); then every level again with the out-of-plane parameters free where the data determine
        /// them. When Dist and Tilt are fixed by request, the second sweep repeats the deepest level only, with the weights
        /// of the finished model.
        /// </summary>
        private static List<Step> Schedule(MetrologySettings settings, int maxLevel)
        {
            var steps = new List<Step>();
            if (settings.Sweeps < 2)
            {
                for (int level = settings.MinLevel; level <= maxLevel; level++) steps.Add(new Step(level, 1, false));
                return steps;
            }
            for (int level = settings.MinLevel; level <= maxLevel; level++) steps.Add(new Step(level, 1, true));
            bool outOfPlane = (settings.Fix & (MetrologyFix.Distance | MetrologyFix.Tilt)) != (MetrologyFix.Distance | MetrologyFix.Tilt) || settings.FixFromLevel > settings.MinLevel;
            for (int level = outOfPlane ? settings.MinLevel : maxLevel; level <= maxLevel; level++) steps.Add(new Step(level, 2, false));
            return steps;
        }

        /// <summary>Largest difference in panel position (mm) taken for the same geometry (headers print positions to about a micrometre).</summary>
        public const double SameGeometryTolerance = 0.005;

        /// <summary>
        /// Null when two detectors of the same layout have the same geometry (every panel's corners within
        /// <see cref="SameGeometryTolerance"/> mm); otherwise a description of the panel that differs most.
        /// </summary>
        public static string? GeometryDifference(DetectorModel a, DetectorModel b)
        {
            if (ReferenceEquals(a, b)) return null;
            double worst = 0; int which = -1;
            for (int i = 0; i < Math.Min(a.PanelCount, b.PanelCount); i++)
            {
                Panel p = a.Panels[i], q = b.Panels[i];
                foreach (var (x, y) in new[] { (0.0, 0.0), (p.Width, 0.0), (0.0, p.Height), (p.Width, p.Height) })
                {
                    double d = (p.PixelToLab(x, y) - q.PixelToLab(x, y)).Length;
                    if (d > worst) { worst = d; which = i; }
                }
            }
            return worst <= SameGeometryTolerance ? null
                : string.Format(CultureInfo.InvariantCulture, "panel {0} '{1}' differs by {2:0.###} mm", which, a.Panels[which].Name, worst);
        }

        private static MetrologyResult Run(DetectorModel initial, IReadOnlyList<StillExperiment> experiments, MetrologySettings settings, int maxLevel,
            Action<MetrologyProgress>? progress, CancellationToken cancel)
        {
            var crystals = experiments.Select(e => new CrystalState(e)).ToArray();
            var model = initial;
            var reports = new List<MetrologyLevelReport>();
            var fixedOutOfPlane = new List<string>();
            StillsRefinementProblem? last = null;
            var errorModel = PredictionErrorModel.None;
            var initialResiduals = Residuals(new StillsRefinementProblem(initial, PanelGroupUnit.AtLevel(initial, 0), crystals, settings.DeltaPsiSigma, 1), crystals);
            string stopReason = "";
            int stoppedLevel = -1;
            foreach (var step in Schedule(settings, maxLevel))
            {
                cancel.ThrowIfCancellationRequested();
                var saved = crystals.Select(c => (c.U, c.Cell, c.Dropped)).ToArray();
                try
                {
                    var done = RunStep(model, crystals, settings, step, maxLevel, errorModel, fixedOutOfPlane, progress, cancel);
                    if (done == null) continue;
                    var (problem, report, nextModel) = done.Value;
                    reports.Add(report);
                    model = problem.CurrentDetector();
                    last = problem;
                    if (settings.WeightByDeltaPsi) errorModel = nextModel;
                }
                catch (Exception e) when (reports.Count > 0 && IsLevelFailure(e))
                {
                    // Keep what the earlier levels did; this one leaves no trace.
                    for (int i = 0; i < crystals.Length; i++) { crystals[i].U = saved[i].U; crystals[i].Cell = saved[i].Cell; crystals[i].Dropped = saved[i].Dropped; }
                    stoppedLevel = step.Level;
                    stopReason = e.Message;
                    progress?.Invoke(new MetrologyProgress(step.Level, 0, double.NaN, double.NaN, double.NaN,
                        $"level {step.Level} (sweep {step.Sweep}) stopped the refinement: {e.Message} The detector of the levels before it is kept.", true));
                    break;
                }
            }

            // The model the last successful step left (predictions of every reflection on it).
            if (last == null || stoppedLevel >= 0)
            {
                last = new StillsRefinementProblem(model, PanelGroupUnit.AtLevel(model, 0), crystals, settings.DeltaPsiSigma, 1);
                foreach (var c in crystals) c.Active = !c.Dropped;
            }
            var dropped = crystals.Where(c => c.Dropped).ToArray();
            if (dropped.Length > 0) RefitCrystals(model, crystals, settings, errorModel, cancel);
            var refined = new List<RefinedStill>();
            foreach (var c in crystals)
            {
                int n = c.Hkl.Length;
                var x = new double[n]; var y = new double[n]; var psi = new double[n]; var ok = new bool[n];
                last.PredictAll(c, x, y, psi, ok);
                refined.Add(new RefinedStill(c.Input, c.U, c.Cell.Cell, x, y, psi, (bool[])c.Used.Clone(), !c.Active));
            }
            var panels = PanelReport(initial, model, crystals, initialResiduals, Residuals(last, crystals), reports);
            return new MetrologyResult(initial, model, reports, refined, panels, errorModel, fixedOutOfPlane, stoppedLevel, stopReason);
        }

        /// <summary>
        /// Images dropped as outliers took no part in the later levels, so their crystals still sit where the detector was
        /// when they were dropped; refine each of them alone on the final detector (detector fixed), so that what -PassThru
        /// hands on is predicted on the refined geometry. The crystals that took part are not touched.
        /// </summary>
        private static void RefitCrystals(DetectorModel model, CrystalState[] crystals, MetrologySettings settings, PredictionErrorModel errorModel, CancellationToken cancel)
        {
            var active = crystals.Select(c => c.Active).ToArray();
            try
            {
                var problem = new StillsRefinementProblem(model, PanelGroupUnit.AtLevel(model, 0), crystals, settings.DeltaPsiSigma, settings.MaxDegreeOfParallelism);
                foreach (var c in crystals) { c.Active = c.Dropped; c.CellFixed = (settings.Fix & MetrologyFix.Cell) != 0; }
                SelectReflections(problem, crystals, settings, errorModel);
                foreach (var c in crystals) if (c.Active && c.UsedCount < 3 * Math.Max(1, settings.MinReflectionsPerParameter)) c.Active = false;
                for (int i = 0; i < problem.SharedFixed.Length; i++) problem.SharedFixed[i] = true;
                problem.IndexSegments();
                if (crystals.Any(c => c.Active))
                    new SchurLevenbergMarquardt { Tau = settings.Tau, MaxIterations = settings.MaxIterations, RmsdTolerance = settings.RmsdTolerance, MaxDegreeOfParallelism = settings.MaxDegreeOfParallelism }
                        .Minimise(problem, null, cancel);
            }
            catch (Exception e) when (IsLevelFailure(e)) { }
            finally { for (int i = 0; i < crystals.Length; i++) crystals[i].Active = active[i]; }
        }

        private static bool IsLevelFailure(Exception e) =>
            e is MetrologyException m ? m.ErrorId == MetrologyException.TooFewReflectionsId || m.ErrorId == MetrologyException.RefinementFailedId
            : e is ArithmeticException || e is InvalidOperationException;

        private static (StillsRefinementProblem Problem, MetrologyLevelReport Report, PredictionErrorModel ErrorModel)? RunStep(DetectorModel model, CrystalState[] crystals,
            MetrologySettings settings, Step step, int maxLevel, PredictionErrorModel errorModel, List<string> fixedOutOfPlane,
            Action<MetrologyProgress>? progress, CancellationToken cancel)
        {
            int level = step.Level;
            int perParameter = Math.Max(1, settings.MinReflectionsPerParameter);
            var units = PanelGroupUnit.AtLevel(model, level);
            var problem = new StillsRefinementProblem(model, units, crystals, settings.DeltaPsiSigma, settings.MaxDegreeOfParallelism);
            foreach (var c in crystals) { c.Active = !c.Dropped; c.CellFixed = level >= settings.FixFromLevel && (settings.Fix & MetrologyFix.Cell) != 0; }

            // Which reflections take part and with what weight: predictable ones that are not outliers under the current model.
            int rejected = SelectReflections(problem, crystals, settings, errorModel);

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

            // Detector parameters: requested fixes, the sweep, gauge, and groups with too few reflections.
            var counts = new int[units.Count];
            foreach (var c in crystals)
                if (c.Active) for (int i = 0; i < c.Used.Length; i++) if (c.Used[i]) counts[problem.UnitOfPanel(c.Panel[i])]++;
            var autoFixed = new bool[units.Count];
            var fix = problem.SharedFixed;
            for (int u = 0; u < units.Count; u++)
            {
                int o = u * StillsRefinementProblem.Seg;
                var fixHere = level >= settings.FixFromLevel ? settings.Fix : MetrologyFix.None;
                if (step.InPlane) fixHere |= MetrologyFix.Distance | MetrologyFix.Tilt;
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
                    fix[o] = fix[o + 4] = fix[o + 5] = true;
                    int inPlane = Enumerable.Range(o, StillsRefinementProblem.Seg).Count(i => !fix[i]);
                    if (counts[u] < perParameter * inPlane)
                    {
                        autoFixed[u] = true;
                        for (int i = o; i < o + StillsRefinementProblem.Seg; i++) fix[i] = true;
                    }
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

            var lm = new SchurLevenbergMarquardt
            {
                Tau = settings.Tau, MaxIterations = settings.MaxIterations, RmsdTolerance = settings.RmsdTolerance,
                MaxDegreeOfParallelism = settings.MaxDegreeOfParallelism,
            };

            // Out-of-plane parameters stay free only where the data determine them.
            var undetermined = new List<string>();
            if (!step.InPlane)
            {
                freeDetector -= FixUndetermined(problem, model, units, settings, lm, level, undetermined, fixedOutOfPlane, progress);
                // Above the deepest level, a second pass with nothing out of the plane left to refine would only repeat the first.
                bool outOfPlane = Enumerable.Range(0, units.Count).Any(u => !fix[u * 6] || !fix[u * 6 + 4] || !fix[u * 6 + 5]);
                if (!outOfPlane && level < maxLevel && step.Sweep == 2) return null;
            }

            progress?.Invoke(new MetrologyProgress(level, 0, double.NaN, double.NaN, double.NaN,
                $"level {level}{(step.Sweep == 2 ? " again" : step.InPlane ? " in the plane" : "")}: {units.Count} group(s), {freeDetector} detector and {freeCrystal} crystal parameters, {used} reflections from {crystals.Count(c => c.Active)} crystals ({rejected} rejected)"
                + (autoFixed.Any(a => a) ? $"; fixed for too few reflections: {string.Join(", ", units.Where((_, i) => autoFixed[i]).Select(x => x.Name))}" : "")));

            double[]? before = null;
            var outcome = lm.Minimise(new FirstRmsd(problem, r => before = r), (it, r) =>
                progress?.Invoke(new MetrologyProgress(level, it, r[0], r[1], r[2] * 180 / Math.PI, "")), cancel);
            var after = problem.Rmsd();
            before ??= after;

            var inflation = EsdInflation(problem, crystals, units.Count, settings.DeltaPsiSigma);
            var groups = new List<PanelGroupParameters>();
            for (int u = 0; u < units.Count; u++)
            {
                var shifts = StillsRefinementProblem.Shifts(units[u]);
                var esd = new double[6];
                var fixedFlags = PanelGroupParameter.None;
                for (int q = 0; q < 6; q++)
                {
                    esd[q] = outcome.SharedEsd[u * 6 + q] * inflation[u];
                    if (fix[u * 6 + q]) fixedFlags |= (PanelGroupParameter)(1 << q);
                }
                groups.Add(new PanelGroupParameters(units[u].Name, level, units[u].Panels.Length, counts[u], shifts, esd, fixedFlags, autoFixed[u],
                    model.Panels[units[u].Panels[0]].PixelSize, units[u].Panels, inflation[u]));
            }

            // The spread of the residuals against Δψ, for the weights of the next step.
            var nextModel = EstimateErrorModel(problem, crystals);

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
                freeDetector, freeCrystal, fixedCell, leftOut, step.Sweep, undetermined);
            progress?.Invoke(new MetrologyProgress(level, 0, after[0], after[1], after[2] * toDegrees,
                $"{report}; {outcome.Iterations} iterations ({outcome.StopReason})" + (droppedImages.Count > 0 ? $"; images dropped: {string.Join(", ", droppedImages)}" : "")));
            return (problem, report, nextModel);
        }

        /// <summary>
        /// Fixes the out-of-plane parameters (Dist, Tau2, Tau3) the data do not determine. A group's motion along its line
        /// of sight looks, from the sample, like a move in its plane, so the in-plane parameters absorb an error δ in an
        /// out-of-plane one and leave its panels off in the plane by |X∥|·|δz|/|X·n| at a panel corner X (X∥ the corner's
        /// distance from the foot of the normal through the sample, δz the motion along the panel normal n). A parameter stays
        /// free when its standard deviation, so propagated to the worst corner of the group (and never counted as less than
        /// the corner's motion along the normal, in pixels), is at most <see cref="MetrologySettings.OutOfPlaneTolerance"/>
        /// pixels; otherwise it keeps its value and is named. The
        /// standard deviations come from the normal equations at the start of the step (the crystals eliminated, so a
        /// distance that trades against the cells shows as undetermined). Returns how many parameters were fixed.
        /// </summary>
        private static int FixUndetermined(StillsRefinementProblem problem, DetectorModel model, List<PanelGroupUnit> units, MetrologySettings settings,
            SchurLevenbergMarquardt lm, int level, List<string> undetermined, List<string> fixedOutOfPlane, Action<MetrologyProgress>? progress)
        {
            var fix = problem.SharedFixed;
            bool any = false;
            for (int u = 0; u < units.Count && !any; u++) any = !fix[u * 6] || !fix[u * 6 + 4] || !fix[u * 6 + 5];
            if (!any) return 0;
            int iterations = lm.MaxIterations;
            lm.MaxIterations = 0;
            var probe = lm.Minimise(problem);
            lm.MaxIterations = iterations;
            int count = 0;
            var names = new[] { "Dist", "", "", "", "Tau2", "Tau3" };
            for (int u = 0; u < units.Count; u++)
            {
                foreach (int q in new[] { 0, 4, 5 })
                {
                    int i = u * 6 + q;
                    if (fix[i]) continue;
                    double lever = Lever(model, units[u], q);
                    double moved = probe.SharedEsd[i] * lever;
                    if (moved <= settings.OutOfPlaneTolerance) continue;
                    fix[i] = true; count++;
                    string what = string.Format(CultureInfo.InvariantCulture, "{0} of {1} (±{2:0.####} {3}, up to {4:0.###} px in the plane)",
                        names[q], units[u].Name, probe.SharedEsd[i], q == 0 ? "mm" : "mrad", moved);
                    undetermined.Add(what);
                    fixedOutOfPlane.Add($"level {level}: {what}");
                }
            }
            if (count > 0)
            {
                bool whole = level == 0;
                string message = whole
                    ? $"level 0: the data do not determine {string.Join(" and ", undetermined)} to {settings.OutOfPlaneTolerance} px; kept at the starting value. The panels' in-plane positions are then only as right as the starting distance and tilt (-Fix Cell ties the distance to the crystals' cells)."
                    : $"level {level}: {count} out-of-plane parameter(s) not determined to {settings.OutOfPlaneTolerance} px and kept: {string.Join("; ", undetermined.Take(6))}{(undetermined.Count > 6 ? $"; and {undetermined.Count - 6} more" : "")}";
                progress?.Invoke(new MetrologyProgress(level, 0, double.NaN, double.NaN, double.NaN, message, whole));
            }
            return count;
        }

        /// <summary>Pixels moved, at the group's worst panel corner, per unit of an out-of-plane parameter (q = 0 Dist mm, 4 Tau2 and 5 Tau3 mrad): in the plane as seen from the sample, or along the normal when that is more.</summary>
        private static double Lever(DetectorModel model, PanelGroupUnit unit, int q)
        {
            double worst = 0;
            foreach (int p in unit.Panels)
            {
                var panel = model.Panels[p];
                var n = panel.Normal;
                foreach (var (cx, cy) in new[] { (0.0, 0.0), (panel.Width, 0.0), (0.0, panel.Height), (panel.Width, panel.Height) })
                {
                    var x = panel.PixelToLab(cx, cy);
                    var m = q == 0 ? unit.Normal : (q == 4 ? unit.Fast : unit.Slow).Cross(x - unit.Origin) * 1e-3;
                    double depth = x.Dot(n);
                    if (Math.Abs(depth) < 1e-9) continue;
                    var along = x - n * depth;
                    // Seen in the plane (|X∥|/|X·n| per unit along the normal), and never less than the motion along the
                    // normal itself: a tilt of a panel near the beam hardly shows in the plane, but one known only to
                    // ±10 mrad is not determined (on 8 stills such free ASIC tilts threw one panel 8 px off).
                    double moved = Math.Max(1, along.Length / Math.Abs(depth)) * Math.Abs(m.Dot(n)) / panel.PixelSize;
                    worst = Math.Max(worst, moved);
                }
            }
            return worst;
        }

        /// <summary>
        /// Factor on each group's standard deviations so that they follow the group's own positional residuals. The
        /// least-squares esds are scaled by the goodness of fit of every residual, Δψ included; with Δψ weighted far
        /// tighter than it scatters (0.4 mrad against about 3 mrad) that scale says more about Δψ than about positions,
        /// and it understates the esd of a group whose spots scatter more than the weights expect (a panel whose spots the
        /// stills model predicts worse, or a badly placed panel). Per group, √(max(1, χ²ᵤ/nᵤ) ÷ χ²/n): χ²ᵤ/nᵤ over the
        /// weighted x and y residuals of the group's reflections used, χ²/n over all residuals (x, y and Δψ) of the level.
        /// </summary>
        private static double[] EsdInflation(StillsRefinementProblem problem, CrystalState[] crystals, int unitCount, double deltaPsiSigma)
        {
            var chi = new double[unitCount];
            var count = new int[unitCount];
            double chiAll = 0; int countAll = 0;
            foreach (var c in crystals)
            {
                if (!c.Active) continue;
                int n = c.Hkl.Length;
                var x = new double[n]; var y = new double[n]; var p = new double[n]; var ok = new bool[n];
                problem.PredictAll(c, x, y, p, ok);
                for (int i = 0; i < n; i++)
                {
                    if (!c.Used[i] || !ok[i]) continue;
                    double v = (c.X[i] - x[i]) * (c.X[i] - x[i]) * c.Wx[i] + (c.Y[i] - y[i]) * (c.Y[i] - y[i]) * c.Wy[i];
                    int u = problem.UnitOfPanel(c.Panel[i]);
                    chi[u] += v; count[u] += 2; chiAll += v; countAll += 2;
                    if (deltaPsiSigma > 0) { chiAll += p[i] * p[i] / (deltaPsiSigma * deltaPsiSigma); countAll++; }
                }
            }
            var factor = new double[unitCount];
            double overall = countAll > 0 ? chiAll / countAll : double.NaN;
            for (int u = 0; u < unitCount; u++)
                factor[u] = count[u] > 0 && overall > 0 ? Math.Sqrt(Math.Max(1, chi[u] / count[u]) / overall) : 1;
            return factor;
        }

        /// <summary>The prediction error's variance against Δψ, from the residuals of the reflections used at the current point.</summary>
        private static PredictionErrorModel EstimateErrorModel(StillsRefinementProblem problem, CrystalState[] crystals)
        {
            var psi = new List<double>(); var rx = new List<double>(); var ry = new List<double>(); var v = new List<double>();
            foreach (var c in crystals)
            {
                if (!c.Active) continue;
                int n = c.Hkl.Length;
                var x = new double[n]; var y = new double[n]; var p = new double[n]; var ok = new bool[n];
                problem.PredictAll(c, x, y, p, ok);
                for (int i = 0; i < n; i++)
                {
                    if (!c.Used[i] || !ok[i]) continue;
                    psi.Add(p[i]); rx.Add(c.X[i] - x[i]); ry.Add(c.Y[i] - y[i]); v.Add(0.5 * (c.Vx[i] + c.Vy[i]));
                }
            }
            return PredictionErrorModel.Estimate(psi, rx, ry, v);
        }

        /// <summary>Squared positional residuals (px²) of every reflection of every crystal at the problem's current point (NaN when unpredictable).</summary>
        private static double[][] Residuals(StillsRefinementProblem problem, CrystalState[] crystals)
        {
            var result = new double[crystals.Length][];
            for (int b = 0; b < crystals.Length; b++)
            {
                var c = crystals[b];
                int n = c.Hkl.Length;
                var x = new double[n]; var y = new double[n]; var p = new double[n]; var ok = new bool[n];
                problem.PredictAll(c, x, y, p, ok);
                var r = new double[n];
                for (int i = 0; i < n; i++) r[i] = ok[i] ? (c.X[i] - x[i]) * (c.X[i] - x[i]) + (c.Y[i] - y[i]) * (c.Y[i] - y[i]) : double.NaN;
                result[b] = r;
            }
            return result;
        }

        /// <summary>One row per panel: its motion from the initial to the refined detector, the precision of its deepest group, and its RMSD before and after.</summary>
        private static List<PanelMetrology> PanelReport(DetectorModel initial, DetectorModel refined, CrystalState[] crystals, double[][] before, double[][] after,
            List<MetrologyLevelReport> reports)
        {
            int np = initial.PanelCount;
            var sb = new double[np]; var sa = new double[np]; var n = new int[np];
            for (int b = 0; b < crystals.Length; b++)
            {
                var c = crystals[b];
                if (!c.Active) continue;
                for (int i = 0; i < c.Hkl.Length; i++)
                {
                    if (!c.Used[i] || double.IsNaN(before[b][i]) || double.IsNaN(after[b][i])) continue;
                    sb[c.Panel[i]] += before[b][i]; sa[c.Panel[i]] += after[b][i]; n[c.Panel[i]]++;
                }
            }
            // The deepest level's groups give each panel its precision (the last report that reached that level).
            var deepest = reports.Count == 0 ? null : reports.Where(r => r.Level == reports.Max(x => x.Level)).Last();
            var groupOf = new PanelGroupParameters?[np];
            if (deepest != null) foreach (var g in deepest.Groups) foreach (int p in g.PanelIndices) groupOf[p] = g;
            var rows = new List<PanelMetrology>();
            for (int p = 0; p < np; p++)
            {
                var a = initial.Panels[p]; var r = refined.Panels[p];
                var d = r.Centre - a.Centre;
                double shiftFast = d.Dot(a.FastAxis) / a.PixelSize, shiftSlow = d.Dot(a.SlowAxis) / a.PixelSizeSlow, along = d.Dot(a.Normal);
                double rotation = Math.Atan2(r.FastAxis.Dot(a.SlowAxis), r.FastAxis.Dot(a.FastAxis)) * 180 / Math.PI;
                var g = groupOf[p];
                double shiftEsd = g == null ? double.NaN : Math.Sqrt(Sq(g.Shift1Esd) + Sq(g.Shift2Esd)) / a.PixelSize;
                double rotationEsd = g == null ? double.NaN : g.Tau1Esd * 1e-3 * 180 / Math.PI;
                rows.Add(new PanelMetrology(p, a.Name, g?.Name ?? "", shiftFast, shiftSlow, along, rotation, shiftEsd, rotationEsd, n[p],
                    n[p] > 0 ? Math.Sqrt(sb[p] / n[p]) : double.NaN, n[p] > 0 ? Math.Sqrt(sa[p] / n[p]) : double.NaN, g?.FixedParameters ?? PanelGroupParameter.All));
            }
            return rows;
        }

        private static double Sq(double v) => v * v;

        /// <summary>Chooses the reflections of a level: predictable, and not Tukey outliers per panel. Returns how many were left out.</summary>
        private static int SelectReflections(StillsRefinementProblem problem, CrystalState[] crystals, MetrologySettings settings, PredictionErrorModel errorModel)
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
                c.Weigh(errorModel, psi);
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
