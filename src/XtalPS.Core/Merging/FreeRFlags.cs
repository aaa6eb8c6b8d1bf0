using System.Collections.Generic;

namespace XtalPS.Merging
{
    /// <summary>
    /// FreeR_flag values 0–19 (CCP4 freerflag's convention: flag 0, 5% of the reflections, is the test set) from a
    /// hash of the asymmetric-unit index, so the same reflection gets the same flag in every merge of the crystal;
    /// flags from a reference file win where they exist.
    /// </summary>
    public static class FreeRFlags
    {
        public const int Sets = 20;

        public static int Of(int h, int k, int l, IReadOnlyDictionary<(int H, int K, int L), int>? inherited)
        {
            if (inherited != null && inherited.TryGetValue((h, k, l), out int f)) return f;
            ulong x = 14695981039346656037UL;
            foreach (int v in new[] { h, k, l })
                for (int b = 0; b < 4; b++) { x ^= (byte)(v >> (8 * b)); x *= 1099511628211UL; }
            x ^= x >> 29;
            return (int)(x % Sets);
        }
    }
}
