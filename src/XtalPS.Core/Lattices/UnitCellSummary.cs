using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace XtalPS.Lattices
{
    /// <summary>The consensus cell of many indexed stills (<see cref="UnitCellClustering"/>) and its Bravais-lattice candidates.</summary>
    public sealed class UnitCellSummary
    {
        internal UnitCellSummary(UnitCell consensus, int[] members, int cellCount, int[] clusterSizes, double[] standardDeviations,
            IReadOnlyList<BravaisLatticeCandidate> candidates, double threshold)
        {
            ConsensusCell = consensus;
            Members = members;
            CellCount = cellCount;
            ClusterSizes = clusterSizes;
            StandardDeviations = standardDeviations;
            BravaisCandidates = candidates;
            Threshold = threshold;
        }

        /// <summary>The Niggli-reduced median cell of the largest cluster.</summary>
        public UnitCell ConsensusCell { get; }
        /// <summary>Cells in the largest cluster.</summary>
        public int ClusterSize => Members.Count;
        /// <summary>Cells clustered.</summary>
        public int CellCount { get; }
        /// <summary>Number of clusters (a cell that links to no other is a cluster of one).</summary>
        public int ClusterCount => ClusterSizes.Count;
        /// <summary>Sizes of all clusters, largest first.</summary>
        public IReadOnlyList<int> ClusterSizes { get; }
        /// <summary>Positions, in the input, of the cells in the largest cluster.</summary>
        public IReadOnlyList<int> Members { get; }
        /// <summary>The lattices of the largest cluster (when lattices were clustered).</summary>
        public IReadOnlyList<CrystalLattice> Lattices { get; internal set; } = Array.Empty<CrystalLattice>();
        /// <summary>Standard deviations of a, b, c (Å) and α, β, γ (°) over the largest cluster, each cell in its setting nearest the consensus.</summary>
        public IReadOnlyList<double> StandardDeviations { get; }
        /// <summary>Bravais lattices compatible with the consensus cell, highest symmetry first (aP last).</summary>
        public IReadOnlyList<BravaisLatticeCandidate> BravaisCandidates { get; }
        /// <summary>The first candidate: the highest-symmetry lattice within the deviation limit.</summary>
        public BravaisLatticeCandidate BestBravais => BravaisCandidates[0];
        /// <summary>The linkage threshold used (relative G6 distance).</summary>
        public double Threshold { get; }

        /// <summary>Spread as text: σ of a, b, c in Å and of α, β, γ in degrees.</summary>
        public string Spread => string.Format(CultureInfo.InvariantCulture, "{0:0.###} {1:0.###} {2:0.###} {3:0.##} {4:0.##} {5:0.##}",
            StandardDeviations[0], StandardDeviations[1], StandardDeviations[2], StandardDeviations[3], StandardDeviations[4], StandardDeviations[5]);

        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "{0} ({1} of {2} cells; σ {3}); {4}",
            ConsensusCell, ClusterSize, CellCount, Spread, string.Join(", ", BravaisCandidates.Select(c => $"{c.Symbol} {c.Deviation:0.##}°")));
    }
}
