using System.Collections.Generic;
using System.Management.Automation;
using XtalPS.Internal;
using XtalPS.Lattices;

namespace XtalPS.Commands
{
    /// <summary>Measure-UnitCell: the consensus cell and Bravais-lattice candidates of many indexed stills.</summary>
    [Cmdlet(VerbsDiagnostic.Measure, "UnitCell")]
    [OutputType(typeof(UnitCellSummary))]
    public sealed class MeasureUnitCellCommand : PSCmdlet
    {
        private readonly List<CrystalLattice> _lattices = new List<CrystalLattice>();

        /// <summary>Crystal lattices from Get-Lattice (typically indexed without a cell, in P 1).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        public CrystalLattice[]? Lattice { get; set; }

        /// <summary>Cells closer than this relative G6 distance are linked into one cluster.</summary>
        [Parameter] [ValidateRange(0.001, 1.0)] public double Threshold { get; set; } = 0.05;

        /// <summary>Largest Le Page δ (degrees) of a Bravais-lattice candidate.</summary>
        [Parameter] [ValidateRange(0.0, 45.0)] public double MaxDeviation { get; set; } = 3.0;

        protected override void ProcessRecord()
        {
            // Only the cell and orientation are needed at the end: keep the lattices without their images' pixels.
            foreach (var l in Lattice!) if (l != null) _lattices.Add((CrystalLattice)l.WithoutPixels());
        }

        protected override void EndProcessing()
        {
            if (_lattices.Count == 0)
            {
                WriteError(ErrorRecords.InvalidArgument("Measure-UnitCell received no crystal lattices to cluster.", "NoLattices", null));
                return;
            }
            var summary = UnitCellClustering.Summarize(_lattices, new UnitCellClusteringSettings { Threshold = Threshold, MaxDeviation = MaxDeviation });
            WriteVerbose($"{_lattices.Count} cells in {summary.ClusterCount} cluster(s) of {string.Join(", ", summary.ClusterSizes)}; consensus {summary.ConsensusCell} from {summary.ClusterSize}, σ {summary.Spread}");
            if (summary.ClusterSize < 0.5 * _lattices.Count)
                WriteWarning($"The largest cluster holds only {summary.ClusterSize} of {_lattices.Count} cells; the stills may hold several crystal forms or misindexed lattices.");
            WriteObject(summary);
        }
    }
}
