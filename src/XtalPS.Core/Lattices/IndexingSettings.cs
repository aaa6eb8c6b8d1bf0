using System;
using System.Collections.Generic;
using System.Linq;

namespace XtalPS.Lattices
{
    /// <summary>Everything <see cref="CrystalIndexer.Index(XtalPS.Spots.SpotList, IndexingSettings, System.Threading.CancellationToken)"/> can be told. Defaults follow the DIALS stills indexer.</summary>
    public sealed class IndexingSettings
    {
        /// <summary>The known cell; null = unknown: the cell is searched for (DPS) and lattices come out in P 1 in their Niggli setting.</summary>
        public UnitCell? UnitCell { get; set; }
        /// <summary>The space group of the known cell (null = P 1). Its lattice system constrains cell refinement. Needs <see cref="UnitCell"/>.</summary>
        public SpaceGroup? SpaceGroup { get; set; }
        /// <summary>A still needs at least this many spots to be tried (DIALS: 16).</summary>
        public int MinSpots { get; set; } = 16;
        /// <summary>A lattice must index at least this many spots.</summary>
        public int MinIndexed { get; set; } = 12;
        /// <summary>Largest accepted positional RMSD, px (2.5 lets a 1–2 px misplaced CSPAD still index).</summary>
        public double MaxRmsd { get; set; } = 2.5;
        /// <summary>Fractional indices must lie within this of integers (DIALS: 0.3).</summary>
        public double IndexTolerance { get; set; } = 0.3;
        /// <summary>Relative tolerance on cell edges when combining candidate vectors and checking the refined cell.</summary>
        public double CellLengthTolerance { get; set; } = 0.05;
        /// <summary>Tolerance on cell angles, degrees.</summary>
        public double CellAngleTolerance { get; set; } = 3.0;
        /// <summary>Refine the cell (constrained by the lattice system) as well as the orientation.</summary>
        public bool RefineCell { get; set; } = true;
        /// <summary>Lattices to look for on one image (indexed spots are removed before each new search).</summary>
        public int MaxLattices { get; set; } = 1;
        /// <summary>When a search fails, retry this many times on random subsets of the spots (90 % down to 50 %).</summary>
        public int Retries { get; set; } = 5;
        /// <summary>Seed of the subset draws (results are deterministic for a given seed).</summary>
        public int Seed { get; set; }
        /// <summary>Spacing of the direction grid of the basis-vector searches, rad (DPS: ≤ 0.029).</summary>
        public double SearchSpacing { get; set; } = 0.025;
        /// <summary>Candidate vectors kept per cell edge after the direction search.</summary>
        public int CandidateVectors { get; set; } = 12;
        /// <summary>Candidate bases refined per search (the lowest RMSD among those within limits wins).</summary>
        public int CandidateBases { get; set; } = 4;
        /// <summary>Use spots with d ≥ this (Å); 0 = all.</summary>
        public double DMin { get; set; }
        /// <summary>Unknown cell only: the longest cell edge looked for, Å; 0 = estimated from the spots' neighbour distances.</summary>
        public double MaxCell { get; set; }

        public void Validate()
        {
            if (MinSpots < 3) throw new ArgumentOutOfRangeException(nameof(MinSpots), "At least 3 spots are needed.");
            if (!(MaxRmsd > 0)) throw new ArgumentOutOfRangeException(nameof(MaxRmsd), "The RMSD limit must be positive.");
            if (!(IndexTolerance > 0 && IndexTolerance < 0.5)) throw new ArgumentOutOfRangeException(nameof(IndexTolerance), "The index tolerance lies between 0 and 0.5.");
            if (!(CellLengthTolerance > 0) || !(CellAngleTolerance > 0)) throw new ArgumentOutOfRangeException(nameof(CellLengthTolerance), "Cell tolerances must be positive.");
            if (MaxLattices < 1) throw new ArgumentOutOfRangeException(nameof(MaxLattices));
            if (Retries < 0) throw new ArgumentOutOfRangeException(nameof(Retries));
            if (!(SearchSpacing > 0.002 && SearchSpacing < 0.2)) throw new ArgumentOutOfRangeException(nameof(SearchSpacing), "The search spacing lies between 0.002 and 0.2 rad.");
            if (CandidateVectors < 3 || CandidateBases < 1) throw new ArgumentOutOfRangeException(nameof(CandidateVectors));
            if (!(MaxCell >= 0 && MaxCell <= 2000)) throw new ArgumentOutOfRangeException(nameof(MaxCell), "The longest cell edge lies between 0 (estimate) and 2000 Å.");
            if (!UnitCell.HasValue && SpaceGroup != null && SpaceGroup.Number != 1)
                throw new ArgumentException("A space group needs a known unit cell: without one, lattices are indexed in P 1.", nameof(SpaceGroup));
            if (!UnitCell.HasValue && !RefineCell) throw new ArgumentException("Without a known cell the cell must be refined.", nameof(RefineCell));
        }
    }

    /// <summary>Why indexing found nothing.</summary>
    public enum IndexingFailure
    {
        /// <summary>Indexing succeeded.</summary>
        None,
        /// <summary>Fewer spots than <see cref="IndexingSettings.MinSpots"/> (or no geometry to place them in reciprocal space).</summary>
        TooFewSpots,
        /// <summary>No candidate lattice indexed enough spots with an RMSD within the limit.</summary>
        NoCandidateUnderRmsd,
        /// <summary>Lattices fitted the spots but their refined cells differ from the known cell.</summary>
        CellMismatch,
    }

    /// <summary>The outcome of indexing one still: the lattices found, or the reason there are none.</summary>
    public sealed class IndexingResult
    {
        public IndexingResult(IEnumerable<CrystalLattice> lattices, IndexingFailure failure, string message, int spotCount)
        {
            Lattices = lattices.ToArray();
            Failure = failure;
            Message = message ?? "";
            SpotCount = spotCount;
        }

        public IReadOnlyList<CrystalLattice> Lattices { get; }
        public bool Success => Lattices.Count > 0;
        public IndexingFailure Failure { get; }
        /// <summary>A sentence for the user: what was found, or why not.</summary>
        public string Message { get; }
        /// <summary>Spots offered to the indexer (after the resolution cut).</summary>
        public int SpotCount { get; }
        /// <summary>Spots indexed by any lattice.</summary>
        public int IndexedCount => Lattices.Sum(l => l.IndexedCount);

        public override string ToString() => Success ? Message : $"{Failure}: {Message}";
    }
}
