namespace XtalPS.Merging
{
    /// <summary>One measured reflection of one image in lattice-line merging: its indices in the image's own indexing,
    /// z* and σ(z*) (1/Å) from the image's current tilt geometry, and the intensity with its σ as measured.</summary>
    internal readonly struct LatticeLineObservation
    {
        public LatticeLineObservation(int h, int k, double z, double zSigma, double intensity, double sigma)
        { H = h; K = k; Z = z; Zs = zSigma; I = intensity; S = sigma; }
        public int H { get; }
        public int K { get; }
        public double Z { get; }
        public double Zs { get; }
        public double I { get; }
        public double S { get; }
        public LatticeLineObservation WithZ(double z, double zSigma) => new LatticeLineObservation(H, K, z, zSigma, I, S);
    }
}
