namespace XtalPS.Imaging
{
    /// <summary>What a simulated image really contains; travels with the image for tests and Pester workflows.
    /// The simulators (an outer layer) derive the concrete truths; the image only carries it.</summary>
    public abstract class SimulationTruth
    {
        /// <summary>The seed of the noise generator (null when no noise was added).</summary>
        public int? Seed { get; protected set; }
        public bool Noise => Seed.HasValue;
    }
}
