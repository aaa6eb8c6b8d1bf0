namespace XtalPS.Spots
{
    /// <summary>The knobs of DIALS's dispersion spot finders, with DIALS's defaults.</summary>
    public sealed class DispersionParameters
    {
        /// <summary>Half-width of the local window along x (window 2·kx+1).</summary>
        public int KernelX { get; set; } = 3;
        /// <summary>Half-width of the local window along y.</summary>
        public int KernelY { get; set; } = 3;
        /// <summary>σ_b: how far above Poisson the local index of dispersion must be to reject the background.</summary>
        public double SigmaBackground { get; set; } = 6;
        /// <summary>σ_s: how many σ above the local mean a strong pixel must be.</summary>
        public double SigmaStrong { get; set; } = 3;
        /// <summary>Fewest valid pixels in the window for a decision.</summary>
        public int MinLocal { get; set; } = 2;
        /// <summary>Pixels at or below this are never strong.</summary>
        public double GlobalThreshold { get; set; }
    }
}
