using System.Collections.Generic;
using XtalPS.Lattices;

namespace XtalPS.Merging
{
    /// <summary>A plane group's asymmetric unit for lattice-line merging, with the lines already seen remembered.</summary>
    internal sealed class LatticeLineAsymmetricUnit
    {
        private readonly PlaneGroup _group;
        private readonly Dictionary<(int, int), (int H, int K, int Z, bool Even)> _seen = new Dictionary<(int, int), (int, int, int, bool)>();
        private readonly PlaneGroup.Operator _alternative;

        public LatticeLineAsymmetricUnit(PlaneGroup group)
        {
            _group = group;
            _alternative = group.Ambiguities.Count > 0 ? group.Ambiguities[0] : new PlaneGroup.Operator(1, 0, 0, 1, 1);
        }

        /// <summary>A measurement of an image whose choice is <paramref name="choice"/> (+1 as indexed, −1 through the
        /// group's ambiguity: the tilt sign, or the re-indexing of p4 and p6) in the asymmetric unit.</summary>
        public (int H, int K, double Z) Map(int h, int k, double z, int choice, out bool even)
        {
            if (choice < 0) (h, k, z) = _alternative.Apply(h, k, z);
            return Map(h, k, z, out even);
        }

        /// <summary>(h, k, z*) in the asymmetric unit; <paramref name="even"/> when the line is symmetric in z*.</summary>
        public (int H, int K, double Z) Map(int h, int k, double z, out bool even)
        {
            if (!_seen.TryGetValue((h, k), out var m))
            {
                var (h1, k1, f) = _group.ToAsymmetricUnit(h, k, out bool e);
                _seen[(h, k)] = m = (h1, k1, f, e);
            }
            even = m.Even;
            return (m.H, m.K, m.Z * z);
        }
    }
}
