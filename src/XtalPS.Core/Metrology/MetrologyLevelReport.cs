using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace XtalPS.Metrology
{
    /// <summary>What one hierarchy level of metrology refinement did.</summary>
    public sealed class MetrologyLevelReport
    {
        internal MetrologyLevelReport(int level, IEnumerable<PanelGroupParameters> groups, double[] before, double[] after,
            int reflectionsUsed, int reflectionsRejected, int imagesUsed, IEnumerable<string> imagesRejected,
            int iterations, bool converged, string stopReason, int freeDetectorParameters, int freeCrystalParameters,
            IEnumerable<string> crystalsWithFixedCell, IEnumerable<string> crystalsLeftOut, int sweep = 1, IEnumerable<string>? undetermined = null)
        {
            Sweep = sweep;
            Undetermined = (undetermined ?? Enumerable.Empty<string>()).ToArray();
            Level = level;
            Groups = groups.ToArray();
            RmsdXBefore = before[0]; RmsdYBefore = before[1]; RmsdDeltaPsiBefore = before[2];
            RmsdXAfter = after[0]; RmsdYAfter = after[1]; RmsdDeltaPsiAfter = after[2];
            ReflectionsUsed = reflectionsUsed; ReflectionsRejected = reflectionsRejected;
            ImagesUsed = imagesUsed; ImagesRejected = imagesRejected.ToArray();
            Iterations = iterations; Converged = converged; StopReason = stopReason ?? "";
            FreeDetectorParameters = freeDetectorParameters; FreeCrystalParameters = freeCrystalParameters;
            CrystalsWithFixedCell = crystalsWithFixedCell.ToArray(); CrystalsLeftOut = crystalsLeftOut.ToArray();
        }

        public int Level { get; }
        /// <summary>1: the first pass down the hierarchy, panels held in their planes; 2: the second, out-of-plane parameters free where determined.</summary>
        public int Sweep { get; }
        /// <summary>Out-of-plane parameters left at their values because the data did not determine them (with their esd and its effect in the plane).</summary>
        public IReadOnlyList<string> Undetermined { get; }
        /// <summary>One entry per panel group of the level, with its refined shifts and esds.</summary>
        public IReadOnlyList<PanelGroupParameters> Groups { get; }
        public int GroupCount => Groups.Count;
        /// <summary>Groups fixed because they had too few reflections.</summary>
        public IReadOnlyList<string> AutoFixedGroups => Groups.Where(g => g.AutoFixed).Select(g => g.Name).ToArray();
        /// <summary>RMSD along fast before the level, px.</summary>
        public double RmsdXBefore { get; }
        public double RmsdYBefore { get; }
        /// <summary>RMSD of Δψ before the level, degrees.</summary>
        public double RmsdDeltaPsiBefore { get; }
        public double RmsdXAfter { get; }
        public double RmsdYAfter { get; }
        public double RmsdDeltaPsiAfter { get; }
        public int ReflectionsUsed { get; }
        /// <summary>Reflections left out as outliers (or unpredictable) at this level.</summary>
        public int ReflectionsRejected { get; }
        public int ImagesUsed { get; }
        /// <summary>Images dropped after this level because their RMSD was an outlier among all images.</summary>
        public IReadOnlyList<string> ImagesRejected { get; }
        public int Iterations { get; }
        public bool Converged { get; }
        public string StopReason { get; }
        public int FreeDetectorParameters { get; }
        public int FreeCrystalParameters { get; }
        public IReadOnlyList<string> CrystalsWithFixedCell { get; }
        public IReadOnlyList<string> CrystalsLeftOut { get; }

        public override string ToString() => string.Format(CultureInfo.InvariantCulture,
            "level {0} (sweep {9}): {1} groups, {2} reflections; RMSD x {3:0.###}→{4:0.###} px, y {5:0.###}→{6:0.###} px, Δψ {7:0.####}→{8:0.####}°",
            Level, GroupCount, ReflectionsUsed, RmsdXBefore, RmsdXAfter, RmsdYBefore, RmsdYAfter, RmsdDeltaPsiBefore, RmsdDeltaPsiAfter, Sweep);
    }
}
