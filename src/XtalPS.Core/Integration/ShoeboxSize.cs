using System;
using System.Linq;
using XtalPS.Lattices;

namespace XtalPS.Integration
{
    /// <summary>
    /// The size of a still's integration box from the spots it was indexed from, rather than one size for every
    /// detector: a box much larger than the spot adds only background noise (and neighbours), a smaller one cuts the
    /// tails. The peak region reaches the 90th percentile of the strong spots' half-extent, plus one pixel for the tails
    /// below the spot finder's threshold (as DIALS sizes its shoeboxes from the spots' extent, Winter et al. 2018).
    /// </summary>
    public static class ShoeboxSize
    {
        /// <summary>Smallest peak half-size, px.</summary>
        public const int MinHalfSize = 2;

        /// <summary>The peak half-size (px) for the lattice's spots, within [<see cref="MinHalfSize"/>, <paramref name="max"/>];
        /// <paramref name="fallback"/> when it has fewer than 5 indexed spots.</summary>
        public static int PeakHalfSize(CrystalLattice lattice, int fallback, int max)
        {
            if (lattice == null) throw new ArgumentNullException(nameof(lattice));
            var halves = lattice.IndexedSpots
                .Select(s => 0.5 * Math.Max(s.Spot.MaxX - s.Spot.MinX + 1, s.Spot.MaxY - s.Spot.MinY + 1))
                .Where(h => h > 0).OrderBy(h => h).ToArray();
            if (halves.Length < 5) return fallback;
            double p90 = halves[Math.Min(halves.Length - 1, (int)Math.Floor(0.9 * halves.Length))];
            int half = (int)Math.Ceiling(p90) + 1;
            return Math.Max(MinHalfSize, Math.Min(max, half));
        }
    }
}
