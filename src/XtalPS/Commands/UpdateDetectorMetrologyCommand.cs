using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using XtalPS.Geometry;
using XtalPS.Imaging;
using XtalPS.Lattices;
using XtalPS.Metrology;

namespace XtalPS.Commands
{
    /// <summary>
    /// Update-DetectorMetrology: crystal lattices of many stills (their indexed spots, never pixels) → a refined
    /// multi-panel detector, level by level down the hierarchy, with a report per level.
    /// </summary>
    [Cmdlet(VerbsData.Update, "DetectorMetrology")]
    [OutputType(typeof(MetrologyResult), typeof(CrystalLattice))]
    public sealed class UpdateDetectorMetrologyCommand : PSCmdlet, IDisposable
    {
        private readonly List<(CrystalLattice Lattice, StillExperiment Experiment)> _stills = new List<(CrystalLattice, StillExperiment)>();
        private DetectorModel? _detector;
        private readonly CancellationTokenSource _cancel = new CancellationTokenSource();

        /// <summary>Crystal lattices with their image (detector and beam) and indexed spots.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        public CrystalLattice[]? InputObject { get; set; }

        /// <summary>Deepest hierarchy level refined (0 = whole detector); by default every level down to single panels.</summary>
        [Parameter]
        [ValidateRange(0, 64)]
        public int HierarchyLevel { get; set; }

        /// <summary>Parameters held fixed: Distance, Shift, Rotation, Tilt, Cell.</summary>
        [Parameter]
        public MetrologyFix Fix { get; set; }

        /// <summary>Levenberg–Marquardt iterations per level.</summary>
        [Parameter]
        [ValidateRange(1, 10000)]
        public int MaxIterations { get; set; } = 100;

        /// <summary>Fewest reflections per free parameter of a panel group (or crystal).</summary>
        [Parameter]
        [ValidateRange(1, 1000)]
        public int MinReflectionsPerParameter { get; set; } = 3;

        /// <summary>Largest in-plane error (px) that the uncertainty of an out-of-plane parameter (Dist, Tau2, Tau3) may imply for it to be refined.</summary>
        [Parameter]
        [ValidateRange(0.0, 1000.0)]
        public double OutOfPlaneTolerance { get; set; } = 0.05;

        /// <summary>Also write each lattice again, with its crystal re-refined and its image on the refined detector.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            foreach (var lattice in InputObject ?? Array.Empty<CrystalLattice>())
            {
                if (lattice == null) continue;
                var problem = Gather(lattice);
                if (problem != null) WriteError(new ErrorRecord(problem, problem.ErrorId, ErrorCategory.InvalidData, lattice));
            }
        }

        /// <summary>Adds a lattice's reflections; returns why it cannot be used, or null.</summary>
        private MetrologyException? Gather(CrystalLattice lattice)
        {
            var image = lattice.Source;
            string name = image?.Name ?? lattice.Summary;
            if (image == null)
                return new MetrologyException(MetrologyException.NoImageId, $"The lattice {lattice.Summary} has no image, so neither detector nor beam is known.");
            if (lattice.IndexedSpots.Count == 0)
                return new MetrologyException(MetrologyException.NoIndexedSpotsId, $"{name}: the lattice has no indexed spots.");
            if (_detector != null && !HierarchicalMetrology.SameLayout(_detector, image.Detector))
                return new MetrologyException(MetrologyException.DetectorMismatchId,
                    $"{name} was recorded on '{image.Detector.Name}' ({image.Detector.PanelCount} panels), not on '{_detector.Name}' ({_detector.PanelCount} panels) like the first lattice.");
            if (_detector != null && HierarchicalMetrology.GeometryDifference(_detector, image.Detector) is string moved)
                return new MetrologyException(MetrologyException.DetectorMismatchId,
                    $"{name} was recorded on a detector with the same panels as the first lattice's but another geometry ({moved}); refine the lattices of each geometry separately.");
            var bad = lattice.IndexedSpots.FirstOrDefault(s => s.Spot.Panel < 0 || s.Spot.Panel >= image.Detector.PanelCount);
            if (bad != null)
                return new MetrologyException(MetrologyException.DetectorMismatchId, $"{name}: a spot names panel {bad.Spot.Panel}; the detector has {image.Detector.PanelCount}.");
            StillExperiment experiment;
            try
            {
                var reflections = lattice.IndexedSpots.Select(s => new ObservedReflection(s.H, s.K, s.L, s.Spot.Panel, s.Spot.X, s.Spot.Y, s.Spot.VarianceX, s.Spot.VarianceY));
                experiment = StillExperiment.FromSettingMatrix(name, image.Beam, lattice.AMatrix, lattice.SpaceGroup, reflections, image.Detector);
            }
            catch (MetrologyException e) { return e; }
            if (_detector == null)
            {
                _detector = image.Detector;
                WriteVerbose($"Refining {_detector}; starting from the geometry of {name}.");
            }
            // The refinement needs the indexed spots, not the pixels: keep the lattice pixel-free so 10^4 stills fit.
            _stills.Add(((CrystalLattice)lattice.WithoutPixels(), experiment));
            WriteVerbose($"{name}: {experiment.LatticeSystem} {experiment.Cell}, {experiment.Reflections.Count} indexed spots");
            return null;
        }

        protected override void EndProcessing()
        {
            if (_detector == null || _stills.Count == 0)
            {
                ThrowTerminatingError(new ErrorRecord(new MetrologyException(MetrologyException.TooFewReflectionsId,
                    "No usable crystal lattice reached Update-DetectorMetrology; it needs lattices with an image and indexed spots."),
                    MetrologyException.TooFewReflectionsId, ErrorCategory.InvalidData, null));
                return;
            }
            var settings = new MetrologySettings
            {
                MaxLevel = MyInvocation.BoundParameters.ContainsKey(nameof(HierarchyLevel)) ? HierarchyLevel : -1,
                Fix = Fix,
                MaxIterations = MaxIterations,
                MinReflectionsPerParameter = MinReflectionsPerParameter,
                OutOfPlaneTolerance = OutOfPlaneTolerance,
            };
            int deepest = HierarchicalMetrology.DeepestLevel(_detector);
            int last = settings.MaxLevel < 0 ? deepest : settings.MaxLevel;
            WriteVerbose($"{_stills.Count} lattices, {_stills.Sum(s => s.Experiment.Reflections.Count)} reflections; levels 0..{last} of 0..{deepest}.");
            MetrologyResult result;
            try
            {
                result = HierarchicalMetrology.Refine(_detector, _stills.Select(s => s.Experiment).ToArray(), settings, Report, _cancel.Token);
            }
            catch (MetrologyException e)
            {
                var category = e.ErrorId == MetrologyException.HierarchyLevelOutOfRangeId ? ErrorCategory.InvalidArgument : ErrorCategory.InvalidResult;
                ThrowTerminatingError(new ErrorRecord(e, e.ErrorId, category, _detector));
                return;
            }
            catch (OperationCanceledException) { throw new PipelineStoppedException(); }
            finally
            {
                WriteProgress(new ProgressRecord(7, "Update-DetectorMetrology", "Done") { RecordType = ProgressRecordType.Completed });
            }
            WriteObject(result);
            if (!PassThru) return;
            for (int i = 0; i < _stills.Count; i++)
            {
                var (lattice, _) = _stills[i];
                var refined = result.Crystals[i];
                var spots = lattice.IndexedSpots.Select((s, j) => new IndexedSpot(s.Spot, s.H, s.K, s.L, refined.PredictedX[j], refined.PredictedY[j], refined.DeltaPsi[j]));
                var source = lattice.Source!;
                var refinedSource = new ImageSource(source.Path, source.Frame, source.Format, result.Detector, source.Beam, source.GainSource, source.Truth);
                var passed = new CrystalLattice(refined.AMatrix, lattice.Symmetry, null, lattice.Spots, spots, refined.Rmsd, lattice.Mosaicity,
                    result.Detector, lattice.Beam ?? source.Beam, refined.DeltaPsiRms);
                WriteObject(passed.WithSource(refinedSource));
            }
        }

        private void Report(MetrologyProgress p)
        {
            if (p.IsIteration)
            {
                WriteProgress(new ProgressRecord(7, "Update-DetectorMetrology",
                    $"Level {p.Level}, iteration {p.Iteration}: RMSD x {p.RmsdX:0.####} px, y {p.RmsdY:0.####} px, Δψ {p.RmsdDeltaPsi:0.#####}°"));
                WriteDebug(p.ToString());
            }
            else if (p.IsWarning) WriteWarning(p.Message);
            else WriteVerbose(p.Message);
        }

        protected override void StopProcessing() => _cancel.Cancel();

        public void Dispose() => _cancel.Dispose();
    }
}
