using System;
using System.Linq;

namespace XtalPS.Spots
{
    public enum SpotAlgorithm
    {
        /// <summary>DIALS's default: dispersion test, erosion, background-only local mean.</summary>
        DispersionExtended,
        /// <summary>DIALS's plain dispersion threshold (XDS-like).</summary>
        Dispersion,
        /// <summary>Median + n·IQR per 2θ bin (electron diffraction, unknown gain).</summary>
        RadialProfile,
    }

    /// <summary>Everything Find-BraggSpot can be told; defaults are DIALS's.</summary>
    public sealed class SpotFindingSettings
    {
        public SpotAlgorithm Algorithm { get; set; } = SpotAlgorithm.DispersionExtended;
        public DispersionParameters Dispersion { get; set; } = new DispersionParameters();
        /// <summary>ADU per photon; null = each panel's own gain.</summary>
        public double? Gain { get; set; }
        /// <summary>Per-panel gain maps (ADU per photon per pixel, same layout as the panels' pixels), overriding
        /// <see cref="Gain"/>; null = none.</summary>
        public float[][]? GainMap
        {
            get => _gainMap;
            set
            {
                // Checked once here, not on every image: a map is millions of values.
                if (value != null && value.Any(g => g != null && g.Any(v => !(v > 0) || float.IsInfinity(v))))
                    throw new ArgumentOutOfRangeException(nameof(GainMap), "Every gain in the gain map must be a positive number.");
                _gainMap = value;
            }
        }
        private float[][]? _gainMap;
        /// <summary>Choose the global threshold per image from the pixel histogram (DIALS's "auto", after DISTL).</summary>
        public bool AutoGlobalThreshold { get; set; }
        /// <summary>Fewest pixels in a spot; null = 3 for photon-counting detectors, 6 otherwise (DIALS).</summary>
        public int? MinSpotSize { get; set; }
        public int MaxSpotSize { get; set; } = 1000;
        /// <summary>Largest distance between the brightest pixel and the centroid, px.</summary>
        public double MaxSeparation { get; set; } = 2;
        /// <summary>Keep spots with d ≥ DMin (Å); 0 = no limit.</summary>
        public double DMin { get; set; }
        /// <summary>Keep spots with d ≤ DMax (Å); infinity = no limit.</summary>
        public double DMax { get; set; } = double.PositiveInfinity;
        public bool FilterIceRings { get; set; }
        public double IceRingHalfWidth { get; set; } = IceRings.DefaultHalfWidth;
        /// <summary>Refuse an image when more than this fraction of its valid pixels is strong.</summary>
        public double MaxStrongFraction { get; set; } = 0.25;
        /// <summary>RadialProfile: n in median + n·IQR.</summary>
        public double RadialSigma { get; set; } = 6;
        /// <summary>RadialProfile: number of 2θ bins.</summary>
        public int RadialBins { get; set; } = 100;
        /// <summary>RadialProfile: Gaussian pre-blur kernel size (0 = none, 3 or 5).</summary>
        public int RadialBlur { get; set; }
        /// <summary>Threads used inside one image (panels and row bands). Results do not depend on it.</summary>
        public int MaxDegreeOfParallelism { get; set; } = 1;

        /// <summary>A copy that uses <paramref name="threads"/> threads inside one image (settings are shared between images in flight, so they are not changed in place).</summary>
        public SpotFindingSettings WithParallelism(int threads)
        {
            var copy = (SpotFindingSettings)MemberwiseClone();
            copy.MaxDegreeOfParallelism = threads;
            return copy;
        }

        public void Validate()
        {
            if (Gain.HasValue && !(Gain > 0)) throw new ArgumentOutOfRangeException(nameof(Gain), "The gain must be positive.");
            if (Dispersion.KernelX < 1 || Dispersion.KernelY < 1) throw new ArgumentOutOfRangeException(nameof(Dispersion), "Kernel half-sizes must be at least 1.");
            if (MaxSpotSize < 1) throw new ArgumentOutOfRangeException(nameof(MaxSpotSize));
            if (RadialBlur != 0 && RadialBlur != 3 && RadialBlur != 5) throw new ArgumentOutOfRangeException(nameof(RadialBlur), "The pre-blur is 0, 3 or 5.");
        }
    }
}
