using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using XtalPS.Geometry;
using XtalPS.Lattices;

namespace XtalPS.Metrology
{
    /// <summary>A crystal after metrology: its refined orientation and cell and its reflections predicted on the refined detector.</summary>
    public sealed class RefinedStill
    {
        internal RefinedStill(StillExperiment input, Mat3 orientation, UnitCell cell, double[] x, double[] y, double[] deltaPsi, bool[] used, bool leftOut)
        {
            Input = input; Orientation = orientation; Cell = cell;
            PredictedX = x; PredictedY = y; DeltaPsi = deltaPsi; Used = used; LeftOut = leftOut;
            int n = 0; double sx = 0, sy = 0;
            for (int i = 0; i < x.Length; i++)
            {
                if (!used[i]) continue;
                var r = input.Reflections[i];
                sx += (r.X - x[i]) * (r.X - x[i]); sy += (r.Y - y[i]) * (r.Y - y[i]); n++;
            }
            ReflectionsUsed = n;
            Rmsd = n > 0 ? System.Math.Sqrt((sx + sy) / n) : double.NaN;
            double sp = 0;
            for (int i = 0; i < x.Length; i++) if (used[i]) sp += deltaPsi[i] * deltaPsi[i];
            DeltaPsiRms = n > 0 ? System.Math.Sqrt(sp / n) : double.NaN;
        }

        /// <summary>RMS of Δψ over the used reflections on the refined model, rad.</summary>
        public double DeltaPsiRms { get; }

        public StillExperiment Input { get; }
        public string Name => Input.Name;
        public Mat3 Orientation { get; }
        public UnitCell Cell { get; }
        public Mat3 AMatrix => Orientation * Cell.BMatrix;
        /// <summary>Predicted positions (px) and Δψ (rad) of the input reflections on the refined detector (NaN when unpredictable).</summary>
        public IReadOnlyList<double> PredictedX { get; }
        public IReadOnlyList<double> PredictedY { get; }
        public IReadOnlyList<double> DeltaPsi { get; }
        /// <summary>Whether each reflection was used at the last level the crystal took part in.</summary>
        public IReadOnlyList<bool> Used { get; }
        /// <summary>True when the crystal was dropped (outlier image or too few reflections) before the last level.</summary>
        public bool LeftOut { get; }
        public int ReflectionsUsed { get; }
        /// <summary>Positional RMSD √((Σdx² + Σdy²)/n) over the used reflections, px.</summary>
        public double Rmsd { get; }

        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "{0}: {1}, {2} reflections, RMSD {3:0.###} px", Name, Cell, ReflectionsUsed, Rmsd);
    }

    /// <summary>The outcome of hierarchical metrology: the refined detector, one report per level and the re-refined crystals.</summary>
    public sealed class MetrologyResult
    {
        internal MetrologyResult(DetectorModel initial, DetectorModel detector, IEnumerable<MetrologyLevelReport> levels, IEnumerable<RefinedStill> crystals,
            IEnumerable<PanelMetrology> panels, PredictionErrorModel errorModel, IEnumerable<string> fixedOutOfPlane, int stoppedLevel, string stopReason)
        {
            InitialDetector = initial; Detector = detector; Levels = levels.ToArray(); Crystals = crystals.ToArray();
            Panels = panels.ToArray(); PredictionError = errorModel; OutOfPlaneFixed = fixedOutOfPlane.ToArray();
            StoppedLevel = stoppedLevel; StopReason = stopReason ?? "";
        }

        /// <summary>One row per panel: shift, rotation, esd, reflections and RMSD before and after (Format-Table shows them as a table).</summary>
        public IReadOnlyList<PanelMetrology> Panels { get; }
        /// <summary>The prediction error's variance against Δψ estimated at the end (the weights' model).</summary>
        public PredictionErrorModel PredictionError { get; }
        /// <summary>Out-of-plane parameters kept at their values because the data did not determine them.</summary>
        public IReadOnlyList<string> OutOfPlaneFixed { get; }
        /// <summary>The level at which the refinement stopped early (−1 when every level ran); the detector is that of the levels before it.</summary>
        public int StoppedLevel { get; }
        /// <summary>Why the refinement stopped early, or empty.</summary>
        public string StopReason { get; }
        /// <summary>True when every scheduled level ran.</summary>
        public bool Complete => StoppedLevel < 0;

        /// <summary>The refined detector (pipe the result into Export-DetectorModel: it binds by this property name).</summary>
        public DetectorModel Detector { get; }
        /// <summary>The detector refinement started from (unchanged).</summary>
        public DetectorModel InitialDetector { get; }
        public IReadOnlyList<MetrologyLevelReport> Levels { get; }
        public IReadOnlyList<RefinedStill> Crystals { get; }
        public int LevelCount => Levels.Count;
        public double RmsdXBefore => Levels.Count > 0 ? Levels[0].RmsdXBefore : double.NaN;
        public double RmsdYBefore => Levels.Count > 0 ? Levels[0].RmsdYBefore : double.NaN;
        public double RmsdXAfter => Levels.Count > 0 ? Levels[Levels.Count - 1].RmsdXAfter : double.NaN;
        public double RmsdYAfter => Levels.Count > 0 ? Levels[Levels.Count - 1].RmsdYAfter : double.NaN;
        public double RmsdDeltaPsiAfter => Levels.Count > 0 ? Levels[Levels.Count - 1].RmsdDeltaPsiAfter : double.NaN;
        public int ReflectionsUsed => Levels.Count > 0 ? Levels[Levels.Count - 1].ReflectionsUsed : 0;

        public override string ToString() => string.Format(CultureInfo.InvariantCulture,
            "{0}: {1} levels, {2} crystals; RMSD x {3:0.###}→{4:0.###} px, y {5:0.###}→{6:0.###} px",
            Detector.Name, LevelCount, Crystals.Count, RmsdXBefore, RmsdXAfter, RmsdYBefore, RmsdYAfter) + (Complete ? "" : $"; stopped at level {StoppedLevel}: {StopReason}");
    }
}
