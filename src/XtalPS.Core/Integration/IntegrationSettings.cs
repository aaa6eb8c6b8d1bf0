using System;

namespace XtalPS.Integration
{
    /// <summary>How peak intensities are measured.</summary>
    public enum IntegrationMethod
    {
        /// <summary>IPLT PeakIntegration: square boxes grown N = 0..BoxGrowAmount, background plane with the Gaussian fit's
        /// tilt and the rim's offset, the box with the best I/σ kept (plus a truncation correction, see remarks).</summary>
        Iplt,
        /// <summary>DIALS stills default: summation over the inner box with a tilted plane fitted to the rim, outliers rejected MOSFLM-style.</summary>
        Summation,
        /// <summary>Profile fitting with the image's mean spot profile (from its strong reflections) over the summation background.</summary>
        ProfileFit,
    }

    /// <summary>Settings of <see cref="PeakIntegrator"/>; the three box sizes are IPLT's LatticeExtract group.</summary>
    public sealed class IntegrationSettings
    {
        public IntegrationMethod Method { get; set; } = IntegrationMethod.Iplt;
        /// <summary>Half-size of the inner (peak) box.</summary>
        public int BoxSize { get; set; } = 6;
        /// <summary>The Iplt method also tries peak boxes BoxSize + 1 … BoxSize + BoxGrowAmount.</summary>
        public int BoxGrowAmount { get; set; } = 1;
        /// <summary>Width of the background rim around the peak box.</summary>
        public int BackgroundRimSize { get; set; } = 2;
        /// <summary>ADU per photon; null = the panel's gain.</summary>
        public double? Gain { get; set; }
        /// <summary>
        /// Iplt method: divide each box sum by the part of the spot's fitted profile that the box, less its rim
        /// background, recovers — a square box of ±BoxSize px loses the Gaussian's tails and the rim sees some of them.
        /// </summary>
        public bool CorrectTruncation { get; set; } = true;
        /// <summary>Background pixels further than this many Poisson σ from the plane are rejected (Summation, ProfileFit).</summary>
        public double OutlierRejection { get; set; } = 3;
        /// <summary>The rim's scatter may exceed the Poisson expectation by this factor before the background is flagged bad.</summary>
        public double BadBackgroundRatio { get; set; } = 3;
        /// <summary>Profile-fitting iterations before falling back to summation (DIALS: 10).</summary>
        public int ProfileMaxIterations { get; set; } = 10;
        /// <summary>Fits whose amplitude exceeds this many σ make the image's mean profile.</summary>
        public double StrongAmplitudeSignificance { get; set; } = 10;

        /// <summary>Summation and ProfileFit on crystal stills: size the peak box from the lattice's indexed spots
        /// (<see cref="ShoeboxSize"/>) instead of <see cref="BoxSize"/> + <see cref="BoxGrowAmount"/>, never larger than that.</summary>
        public bool BoxFromSpots { get; set; }

        public int OuterHalfSize => BoxSize + BoxGrowAmount + BackgroundRimSize;

        public void Validate()
        {
            if (BoxSize < 1 || BoxSize > 50) throw new ArgumentOutOfRangeException(nameof(BoxSize), "BoxSize must be 1 to 50 px.");
            if (BoxGrowAmount < 0 || BoxGrowAmount > 20) throw new ArgumentOutOfRangeException(nameof(BoxGrowAmount), "BoxGrowAmount must be 0 to 20.");
            if (BackgroundRimSize < 1 || BackgroundRimSize > 20) throw new ArgumentOutOfRangeException(nameof(BackgroundRimSize), "BackgroundRimSize must be 1 to 20 px.");
            if (Gain.HasValue && !(Gain.Value > 0)) throw new ArgumentOutOfRangeException(nameof(Gain), "The gain must be positive.");
            if (!(OutlierRejection > 0)) throw new ArgumentOutOfRangeException(nameof(OutlierRejection), "OutlierRejection must be positive.");
            if (ProfileMaxIterations < 1) throw new ArgumentOutOfRangeException(nameof(ProfileMaxIterations));
        }

        public IntegrationSettings Clone() => (IntegrationSettings)MemberwiseClone();
    }
}
