namespace XtalPS.Extraction
{
    /// <summary>How a single Gaussian fit ended.</summary>
    public enum GaussianFitStatus
    {
        /// <summary>The fit converged.</summary>
        Converged,
        /// <summary>The iteration limit was reached first.</summary>
        NotConverged,
        /// <summary>The box runs off the panel; nothing was fitted.</summary>
        OffPanel,
        /// <summary>Too few usable (unmasked) pixels in the box.</summary>
        TooFewPixels,
        /// <summary>The normal equations stayed singular or the fit left the box.</summary>
        Failed,
        /// <summary>The box's net signal was below the fitter's screening threshold; nothing was fitted.</summary>
        NoSignal,
    }

    /// <summary>The outcome of one Levenberg–Marquardt fit of a <see cref="Gaussian2DModel"/> to a box of pixels.</summary>
    public readonly struct GaussianFitResult
    {
        public GaussianFitResult(GaussianFitStatus status, Gaussian2DModel model, double sigmaAmplitude, double sigmaX0, double sigmaY0,
            double reducedChiSquare, int iterations, int pixels)
        {
            Status = status; Model = model; SigmaAmplitude = sigmaAmplitude; SigmaX0 = sigmaX0; SigmaY0 = sigmaY0;
            ReducedChiSquare = reducedChiSquare; Iterations = iterations; Pixels = pixels;
        }

        public GaussianFitStatus Status { get; }
        /// <summary>The fitted model in panel pixel coordinates.</summary>
        public Gaussian2DModel Model { get; }
        /// <summary>Standard uncertainty of the amplitude (from the normal matrix, scaled by χ² when it exceeds 1).</summary>
        public double SigmaAmplitude { get; }
        public double SigmaX0 { get; }
        public double SigmaY0 { get; }
        /// <summary>χ² per degree of freedom with Poisson weights.</summary>
        public double ReducedChiSquare { get; }
        public int Iterations { get; }
        /// <summary>Unmasked pixels that entered the fit.</summary>
        public int Pixels { get; }
        public bool Converged => Status == GaussianFitStatus.Converged;
    }
}
