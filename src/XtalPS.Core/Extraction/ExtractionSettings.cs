using System;

namespace XtalPS.Extraction
{
    /// <summary>
    /// Box sizes and the limits that make a Gaussian fit "well behaved" (IPLT's LatticeExtract group; the three
    /// sizes are shared with peak integration). The fit box is (BoxSize + BoxGrowAmount + BackgroundRimSize)·2 + 1 px.
    /// </summary>
    public sealed class ExtractionSettings
    {
        /// <summary>Half-size of the inner, square profile (IPLT default 6).</summary>
        public int BoxSize { get; set; } = 6;
        /// <summary>Extra grow steps tried by peak integration (IPLT default 1).</summary>
        public int BoxGrowAmount { get; set; } = 1;
        /// <summary>Width of the background rim around the inner profile (IPLT default 2).</summary>
        public int BackgroundRimSize { get; set; } = 2;
        /// <summary>Fit–refine rounds: each fits at the current predictions and refines the lattice from the well-behaved centres.</summary>
        public int Cycles { get; set; } = 2;
        /// <summary>ADU per photon; null = the panel's gain.</summary>
        public double? Gain { get; set; }

        /// <summary>Smallest Gaussian σ (px) a well-behaved fit may have (default 0.3).</summary>
        public double MinSigma { get; set; } = 0.3;
        /// <summary>Largest Gaussian σ (px); null = BoxSize.</summary>
        public double? MaxSigma { get; set; }
        /// <summary>The amplitude must exceed this many of its standard uncertainties (default 3).</summary>
        public double MinAmplitudeSignificance { get; set; } = 3;
        /// <summary>Largest reduced χ² of a well-behaved fit (default 5: Poisson weights give ~1 for a good model).</summary>
        public double MaxChiSquare { get; set; } = 5;
        /// <summary>Levenberg–Marquardt iteration limit per fit.</summary>
        public int MaxIterations { get; set; } = 50;

        /// <summary>Crystal lattices: highest resolution (Å) predicted; null = the highest the detector's corners reach.</summary>
        public double? DMin { get; set; }
        /// <summary>Crystal lattices: refine the cell (within its lattice system) as well as the orientation.</summary>
        public bool RefineCell { get; set; } = true;

        /// <summary>
        /// Crystal stills: boxes whose net signal over the rim plane is below this many Poisson σ are not fitted (they
        /// could not give a well-behaved fit worth its cost; integration measures them at the prediction moved by their
        /// neighbours' offset). Refinement cycles before the last fit only boxes above <see cref="RefinementSignificance"/>.
        /// 0 fits every box; planar lattices always fit every box (IPLT).
        /// </summary>
        public double MinSignificance { get; set; } = 3;
        /// <summary>Crystal stills: the screening threshold of the cycles before the last, whose fits only refine the lattice.</summary>
        public double RefinementSignificance { get; set; } = 5;

        /// <summary>The screening threshold <see cref="GaussianPeakFitter.MinSignificance"/> for one cycle on one lattice.</summary>
        public double ScreenSignificance(Lattices.Lattice lattice, bool last) =>
            lattice is Lattices.CrystalLattice ? (last ? MinSignificance : Math.Max(MinSignificance, RefinementSignificance)) : 0;

        public int FitHalfSize => BoxSize + BoxGrowAmount + BackgroundRimSize;
        public double EffectiveMaxSigma => MaxSigma ?? BoxSize;

        public void Validate()
        {
            if (BoxSize < 1 || BoxSize > 50) throw new ArgumentOutOfRangeException(nameof(BoxSize), "BoxSize must be 1 to 50 px.");
            if (BoxGrowAmount < 0 || BoxGrowAmount > 20) throw new ArgumentOutOfRangeException(nameof(BoxGrowAmount), "BoxGrowAmount must be 0 to 20.");
            if (BackgroundRimSize < 1 || BackgroundRimSize > 20) throw new ArgumentOutOfRangeException(nameof(BackgroundRimSize), "BackgroundRimSize must be 1 to 20 px.");
            if (FitHalfSize > 64) throw new ArgumentOutOfRangeException(nameof(BoxSize), "BoxSize + BoxGrowAmount + BackgroundRimSize must not exceed 64.");
            if (Cycles < 1 || Cycles > 20) throw new ArgumentOutOfRangeException(nameof(Cycles), "Cycles must be 1 to 20.");
            if (!(MinSigma >= 0) || !(EffectiveMaxSigma > MinSigma)) throw new ArgumentOutOfRangeException(nameof(MinSigma), "Need 0 ≤ MinSigma < MaxSigma.");
            if (Gain.HasValue && !(Gain.Value > 0)) throw new ArgumentOutOfRangeException(nameof(Gain), "The gain must be positive.");
            if (!(MinSignificance >= 0) || !(RefinementSignificance >= 0)) throw new ArgumentOutOfRangeException(nameof(MinSignificance), "The screening thresholds must be 0 or more.");
            if (DMin.HasValue && !(DMin.Value > 0)) throw new ArgumentOutOfRangeException(nameof(DMin), "DMin must be a positive resolution in Å.");
        }

        public ExtractionSettings Clone() => (ExtractionSettings)MemberwiseClone();
    }
}
