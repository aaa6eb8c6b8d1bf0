using System.Text;

namespace XtalPS.Lattices
{
    /// <summary>
    /// The stable identifier of a lattice (decisions: "Data and identity"): FNV-1a, 64 bit, over the UTF-8 bytes of the
    /// image path, a zero byte, then the frame and the lattice's index within the image as 4 little-endian bytes each.
    /// It is the same in every run of the same images however they are chunked or threaded, so merging, half-set
    /// splits, campaign tables and .refl experiment identifiers can all join on it. FNV-1a because it is tiny,
    /// fully specified and needs no key (Fowler, Noll and Vo; the IETF draft "The FNV Non-Cryptographic Hash Algorithm").
    /// </summary>
    public static class LatticeId
    {
        private const ulong OffsetBasis = 14695981039346656037UL;
        private const ulong Prime = 1099511628211UL;

        public static long Of(string path, int frame, int latticeIndex)
        {
            ulong h = OffsetBasis;
            foreach (var b in Encoding.UTF8.GetBytes(path ?? "")) h = Mix(h, b);
            h = Mix(h, 0);
            h = MixInt(h, frame);
            h = MixInt(h, latticeIndex);
            return unchecked((long)h);
        }

        /// <summary>The id of lattice <paramref name="latticeIndex"/> of the frame <paramref name="source"/> names.</summary>
        public static long Of(Imaging.ImageSource source, int latticeIndex) => Of(source?.Path ?? "", source?.Frame ?? 0, latticeIndex);

        private static ulong Mix(ulong h, byte b) => unchecked((h ^ b) * Prime);

        private static ulong MixInt(ulong h, int value)
        {
            uint v = unchecked((uint)value);
            for (int i = 0; i < 4; i++) h = Mix(h, (byte)(v >> (8 * i)));
            return h;
        }
    }
}
