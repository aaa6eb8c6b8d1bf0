using System;
using System.Collections.Generic;
using XtalPS.Lattices;

namespace XtalPS.Merging
{
    /// <summary>What merging refines per lattice.</summary>
    public enum MergeModel
    {
        /// <summary>Plain Monte-Carlo average: one scale per lattice from its mean intensity, no partiality.</summary>
        MonteCarlo,
        /// <summary>Scale G and relative B per lattice against the merged reference; partiality from the first width estimate.</summary>
        Scale,
        /// <summary>Scale, B, two rotations perpendicular to the beam and the reciprocal-lattice-point width per lattice.</summary>
        PostRefine,
    }

    /// <summary>Settings of <see cref="ReflectionMerger"/>.</summary>
    public sealed class MergeSettings
    {
        /// <summary>The space group to merge in (its Laue class sets the asymmetric unit).</summary>
        public SpaceGroup SpaceGroup { get; set; } = SpaceGroup.FromNumber(1);
        /// <summary>High-resolution limit, Å (NaN: all observations).</summary>
        public double DMin { get; set; } = double.NaN;
        public MergeModel Model { get; set; } = MergeModel.PostRefine;
        /// <summary>Cycles of scaling / post-refinement against the merged reference after the bootstrap.</summary>
        public int Cycles { get; set; } = 3;
        /// <summary>Observations whose recorded fraction is below this are left out of the merged mean (their
        /// correction is mostly model).</summary>
        public double MinPartiality { get; set; } = 0.2;
        /// <summary>Reject an observation whose normalised deviation from the others of its reflection exceeds this.</summary>
        public double OutlierZ { get; set; } = 6;
        /// <summary>Reject a lattice whose correlation with the reference is below this (on ≥ 10 reflections).</summary>
        public double MinLatticeCorrelation { get; set; } = 0.2;
        /// <summary>Reject a lattice whose ΔCC½ (<see cref="DeltaCCHalf"/>) is negative and this many robust standard
        /// deviations (1.4826·MAD) below the median of all lattices; 0 turns the test off.</summary>
        public double DeltaCCHalfCutoff { get; set; } = 6;
        /// <summary>Resolve an indexing ambiguity (lattice symmetry higher than the Laue class) before scaling
        /// (<see cref="AmbiguityResolver"/>); false when every still is known to be indexed consistently.</summary>
        public bool ResolveAmbiguity { get; set; } = true;
        /// <summary>Number of resolution shells in the statistics.</summary>
        public int Shells { get; set; } = 10;
        /// <summary>An external reference: full intensities by asymmetric-unit index (any setting of the same group;
        /// mapped again here). Scaling then fits each lattice to it instead of to the evolving merged data.</summary>
        public IReadOnlyDictionary<(int H, int K, int L), double>? Reference { get; set; }
        /// <summary>FreeR_flag values to keep (from the reference file), by index.</summary>
        public IReadOnlyDictionary<(int H, int K, int L), int>? FreeRFlags { get; set; }
        /// <summary>Names of the -SplitBy groups (index = <see cref="LatticeTable.Group"/>); one entry without -SplitBy.</summary>
        public IReadOnlyList<string> GroupNames { get; set; } = new[] { "" };
        /// <summary>Threads for the per-lattice and per-reflection loops (results do not depend on it).</summary>
        public int MaxDegreeOfParallelism { get; set; } = Environment.ProcessorCount;
    }
}
