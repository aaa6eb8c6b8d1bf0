using System;
using System.Collections.Generic;
using System.Globalization;
using XtalPS.Lattices;

namespace XtalPS.Merging
{
    /// <summary>One lattice as merging saw it: its refined scale, B, rotations and rlp width, and whether it was used.</summary>
    public sealed class MergedLattice
    {
        public long LatticeId { get; set; }
        public string Name { get; set; } = "";
        public string Group { get; set; } = "";
        public int Observations { get; set; }
        public double Scale { get; set; }
        public double BFactor { get; set; }
        /// <summary>Post-refined rotations about the lab x and y axes, degrees.</summary>
        public double RotationX { get; set; }
        public double RotationY { get; set; }
        /// <summary>rlp width σ_h (fractional index units) of the partiality model.</summary>
        public double RlpWidth { get; set; }
        /// <summary>Angular spread η of the partiality model, degrees.</summary>
        public double Mosaicity { get; set; }
        public double Correlation { get; set; }
        /// <summary>ΔCC½: how much CC½ drops without this lattice (Assmann et al. 2016); negative when it harms the data.</summary>
        public double DeltaCCHalf { get; set; }
        public bool Rejected { get; set; }
        public string Rejection { get; set; } = "";
        /// <summary>Half-set (0 or 1) from the stable lattice id.</summary>
        public int HalfSet { get; set; }
        /// <summary>The reindexing applied to resolve an indexing ambiguity (e.g. "k,h,-l"; "" when none).</summary>
        public string Reindexing { get; set; } = "";

        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "{0}: G {1:0.###} B {2:0.#}{3}", Name, Scale, BFactor, Rejected ? " (rejected)" : "");
    }

    /// <summary>
    /// A merged data set: the unique reflections with their merged intensities (<see cref="Data"/>), the statistics per
    /// resolution shell, the lattices merged and the provenance written into files made from it.
    /// </summary>
    public sealed class MergedReflectionTable
    {
        public MergedReflectionTable(MergedReflections data, MergingStatistics statistics, IReadOnlyList<MergedLattice> lattices, IReadOnlyList<string> provenance)
        {
            Data = data ?? throw new ArgumentNullException(nameof(data));
            Statistics = statistics ?? throw new ArgumentNullException(nameof(statistics));
            Lattices = lattices ?? Array.Empty<MergedLattice>();
            Provenance = provenance ?? Array.Empty<string>();
        }

        public MergedReflections Data { get; }
        public MergingStatistics Statistics { get; }
        public IReadOnlyList<MergedLattice> Lattices { get; }
        /// <summary>XtalPS version, command and parameters: the MTZ history of exported files.</summary>
        public IReadOnlyList<string> Provenance { get; }
        /// <summary>The -SplitBy group ("" without -SplitBy).</summary>
        public string Name => Data.Name;
        public SpaceGroup SpaceGroup => Data.SpaceGroup;
        public UnitCell UnitCell => Data.Cell;
        public int Count => Data.Count;
        public int LatticesUsed => Statistics.LatticesUsed;
        public double DMin => Statistics.Overall.DMin;
        public double Completeness => Statistics.Overall.Completeness;
        public double Multiplicity => Statistics.Overall.Multiplicity;
        public double CCHalf => Statistics.Overall.CCHalf;
        public double MeanIOverSigma => Statistics.Overall.MeanIOverSigma;
        public double ResolutionEstimate => Statistics.ResolutionEstimate;

        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "{0}{1} unique reflections to {2:0.00} Å from {3} lattices, CC½ {4:0.000}",
            Name.Length > 0 ? Name + ": " : "", Count, DMin, LatticesUsed, CCHalf);
    }
}
