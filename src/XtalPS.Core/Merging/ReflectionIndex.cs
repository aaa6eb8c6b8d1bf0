using System;
using System.Threading.Tasks;
using XtalPS.Lattices;

namespace XtalPS.Merging
{
    /// <summary>
    /// The unique asymmetric-unit reflections of a set of observations, sorted by (h, k, l), and the observations
    /// grouped by reflection: <see cref="Order"/>[<see cref="Start"/>[r] .. <see cref="Start"/>[r+1]) are reflection r's,
    /// in the order of their lattices' stable ids, so every sum over them is the same at any thread count and for any
    /// order of input.
    /// </summary>
    public sealed class ReflectionIndex
    {
        private ReflectionIndex(int[] h, int[] k, int[] l, bool[] centric, int[] start, int[] order)
        {
            H = h; K = k; L = l; Centric = centric; Start = start; Order = order;
        }

        public int Count => H.Length;
        public int[] H { get; }
        public int[] K { get; }
        public int[] L { get; }
        public bool[] Centric { get; }
        public int[] Start { get; }
        public int[] Order { get; }

        private const int Offset = 1 << 10;   // indices in (−1024, 1024) pack into 11 bits each

        /// <summary>Maps every observation to the asymmetric unit of <paramref name="group"/> (setting <see cref="ObservationStore.Reflection"/>
        /// and the Friedel and centric flags), drops systematic absences (flagged rejected), and groups the rest.</summary>
        public static ReflectionIndex Build(ObservationStore obs, LatticeTable lattices, SpaceGroup group, ParallelOptions parallel)
        {
            var asu = new ReciprocalAsu(group);
            int n = obs.Count;
            var packed = new long[n];
            Parallel.For(0, lattices.Count, parallel, lat =>
            {
                int first = lattices.FirstObservation[lat], end = first + lattices.ObservationCount[lat];
                for (int i = first; i < end; i++)
                {
                    var (h, k, l) = asu.Map(obs.H[i], obs.K[i], obs.L[i], out bool minus);
                    bool centric = group.IsCentric(h, k, l);
                    byte f = (byte)(obs.Flags[i] & ~(ObservationStore.FriedelMinus | ObservationStore.Centric));
                    if (minus && !centric) f |= ObservationStore.FriedelMinus;
                    if (centric) f |= ObservationStore.Centric;
                    if (group.IsAbsent(h, k, l) || (h == 0 && k == 0 && l == 0) || Math.Abs(h) >= Offset || Math.Abs(k) >= Offset || Math.Abs(l) >= Offset)
                    { f |= ObservationStore.Rejected; packed[i] = long.MaxValue; }
                    else packed[i] = Pack(h, k, l);
                    obs.Flags[i] = f;
                }
            });
            var sorted = (long[])packed.Clone();
            Array.Sort(sorted);
            int unique = 0;
            for (int i = 0; i < n; i++)
                if (sorted[i] != long.MaxValue && (unique == 0 || sorted[unique - 1] != sorted[i])) sorted[unique++] = sorted[i];
            var hs = new int[unique]; var ks = new int[unique]; var ls = new int[unique]; var centricOf = new bool[unique];
            for (int r = 0; r < unique; r++)
            {
                Unpack(sorted[r], out hs[r], out ks[r], out ls[r]);
                centricOf[r] = group.IsCentric(hs[r], ks[r], ls[r]);
            }
            // Lattices ranked by stable id, then a key (reflection, rank, position within the lattice) per observation.
            var rank = new int[lattices.Count];
            var byId = new int[lattices.Count];
            for (int i = 0; i < byId.Length; i++) byId[i] = i;
            var ids = (long[])lattices.Id.Clone();
            Array.Resize(ref ids, lattices.Count);
            Array.Sort(ids, byId);
            for (int i = 0; i < byId.Length; i++) rank[byId[i]] = i;
            var keys = new long[n];
            var order = new int[n];
            int used = 0;
            for (int lat = 0; lat < lattices.Count; lat++)
            {
                int first = lattices.FirstObservation[lat], end = first + lattices.ObservationCount[lat];
                for (int i = first; i < end; i++)
                {
                    if (packed[i] == long.MaxValue) { obs.Reflection[i] = -1; continue; }
                    int r = Array.BinarySearch(sorted, 0, unique, packed[i]);
                    obs.Reflection[i] = r;
                    keys[used] = ((long)r << 40) | ((long)rank[lat] << 20) | (long)(i - first);
                    order[used++] = i;
                }
            }
            Array.Resize(ref keys, used); Array.Resize(ref order, used);
            Array.Sort(keys, order);
            var start = new int[unique + 1];
            for (int j = 0; j < used; j++) start[obs.Reflection[order[j]] + 1]++;
            for (int r = 0; r < unique; r++) start[r + 1] += start[r];
            return new ReflectionIndex(hs, ks, ls, centricOf, start, order);
        }

        /// <summary>Position of an asymmetric-unit index, or −1.</summary>
        public int Find(int h, int k, int l)
        {
            if (Math.Abs(h) >= Offset || Math.Abs(k) >= Offset || Math.Abs(l) >= Offset) return -1;
            int lo = 0, hi = Count - 1;
            long key = Pack(h, k, l);
            while (lo <= hi)
            {
                int mid = (lo + hi) >> 1;
                long m = Pack(H[mid], K[mid], L[mid]);
                if (m == key) return mid;
                if (m < key) lo = mid + 1; else hi = mid - 1;
            }
            return -1;
        }

        private static long Pack(int h, int k, int l) => ((long)(h + Offset) << 22) | ((long)(k + Offset) << 11) | (long)(l + Offset);

        private static void Unpack(long p, out int h, out int k, out int l)
        {
            h = (int)(p >> 22) - Offset; k = (int)((p >> 11) & 0x7FF) - Offset; l = (int)(p & 0x7FF) - Offset;
        }
    }
}
