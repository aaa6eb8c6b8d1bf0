using System;
using System.Globalization;

namespace XtalPS.Integration
{
    /// <summary>Why a reflection should not be used; several can hold at once.</summary>
    [Flags]
    public enum ReflectionFlags
    {
        None = 0,
        /// <summary>The profile fit did not converge.</summary>
        FitFailed = 1,
        /// <summary>The box runs off the panel.</summary>
        NearEdge = 2,
        /// <summary>Too many masked pixels in the box.</summary>
        Masked = 4,
        /// <summary>A pixel in the peak is saturated or untrusted.</summary>
        Overloaded = 8,
        /// <summary>The background model does not describe the rim.</summary>
        BadBackground = 16,
        /// <summary>Negative intensity beyond noise, or no signal.</summary>
        Weak = 32,
    }

    /// <summary>One lattice point measured on one image: Gaussian-fit values (extraction) and integrated intensity.</summary>
    public sealed class Reflection
    {
        public int H { get; set; }
        public int K { get; set; }
        public int L { get; set; }
        public int Panel { get; set; }
        /// <summary>Predicted position, px.</summary>
        public double PredictedX { get; set; }
        public double PredictedY { get; set; }
        /// <summary>Fitted (or refined) position, px.</summary>
        public double X { get; set; } = double.NaN;
        public double Y { get; set; } = double.NaN;
        /// <summary>Standard uncertainty of the fitted X, px.</summary>
        public double XSigma { get; set; } = double.NaN;
        /// <summary>Standard uncertainty of the fitted Y, px.</summary>
        public double YSigma { get; set; } = double.NaN;
        /// <summary>Peak height of the fitted Gaussian.</summary>
        public double Amplitude { get; set; } = double.NaN;
        /// <summary>Standard uncertainty of the amplitude.</summary>
        public double AmplitudeSigma { get; set; } = double.NaN;
        /// <summary>Gaussian σ along its first principal axis, px.</summary>
        public double SigmaMajor { get; set; } = double.NaN;
        public double SigmaMinor { get; set; } = double.NaN;
        /// <summary>Angle of the first principal axis from +x, degrees.</summary>
        public double Orientation { get; set; } = double.NaN;
        /// <summary>Background plane offset C at the fitted centre.</summary>
        public double Background { get; set; } = double.NaN;
        /// <summary>Background slope Px along x.</summary>
        public double TiltX { get; set; } = double.NaN;
        /// <summary>Background slope Py along y.</summary>
        public double TiltY { get; set; } = double.NaN;
        /// <summary>Reduced χ² of the fit.</summary>
        public double FitChiSquare { get; set; } = double.NaN;
        public bool WellBehaved { get; set; }
        /// <summary>Integrated intensity (background subtracted).</summary>
        public double Intensity { get; set; } = double.NaN;
        public double Sigma { get; set; } = double.NaN;
        public double IOverSigma => Sigma > 0 ? Intensity / Sigma : double.NaN;
        /// <summary>Background level under the peak from the integration rim.</summary>
        public double IntegratedBackground { get; set; } = double.NaN;
        /// <summary>Mean image value at the four points halfway to the neighbouring lattice points.</summary>
        public double IntercalatedBackground { get; set; } = double.NaN;
        public int PeakPixels { get; set; }
        public int BackgroundPixels { get; set; }
        /// <summary>Half-size of the box that gave the best I/σ.</summary>
        public int BoxSize { get; set; }
        /// <summary>Resolution, Å (NaN when unknown).</summary>
        public double D { get; set; } = double.NaN;
        public ReflectionFlags Flags { get; set; }
        /// <summary>Stills: the rotation (rad) about s0 × r that puts the reciprocal-lattice point on the Ewald sphere (DIALS sign).</summary>
        public double DeltaPsi { get; set; } = double.NaN;
        /// <summary>Stills: |s0 + r| − |s0| for the unrotated point, 1/Å (positive outside the Ewald sphere).</summary>
        public double ExcitationError { get; set; } = double.NaN;
        /// <summary>Stills: the fraction of the full intensity the still is expected to record, 0–1, from the lattice's
        /// spot-extent model (Sauter et al. 2014) — an estimate for merging to start from. NaN when the lattice had too few
        /// indexed spots to model.</summary>
        public double Partiality { get; set; } = double.NaN;
        /// <summary>The Lorentz–polarisation factor LP that corrects the intensity, I_corrected = I × LP. For a still the
        /// rotation-method Lorentz factor does not apply (partiality carries the geometry), so LP = 1/P with P the
        /// polarisation factor of the diffracted ray. <see cref="Intensity"/> and <see cref="Sigma"/> are NOT corrected.</summary>
        public double LorentzPolarisation { get; set; } = double.NaN;
        /// <summary>The image (batch) the reflection was measured on, 1-based, as in an unmerged MTZ file.</summary>
        public int Batch { get; set; } = 1;

        // Tilted 2D crystals (Measure-LatticeTilt).
        /// <summary>Height on its lattice line where a tilted 2D crystal's reflection was sampled, z* = −d⊥·sin θ, 1/Å (NaN untilted or unknown).</summary>
        public double ZStar { get; set; } = double.NaN;
        /// <summary>Standard uncertainty of <see cref="ZStar"/> from the tilt geometry, 1/Å.</summary>
        public double ZStarSigma { get; set; } = double.NaN;

        /// <summary>A field-by-field copy.</summary>
        public Reflection Clone() => (Reflection)MemberwiseClone();

        public override string ToString() => string.Format(CultureInfo.InvariantCulture,
            "({0},{1},{2}) I={3:0.#} σ={4:0.#}", H, K, L, Intensity, Sigma);
    }
}
