using System;
using System.Collections.Generic;

namespace XtalPS.Spots
{
    /// <summary>A horizontal run of strong pixels [X0, X1) on row Y.</summary>
    internal struct PixelRun
    {
        public int Y, X0, X1, Label;
    }

    /// <summary>
    /// 4-connected components of a strong-pixel mask, by runs: each row's runs are joined (union–find) with the
    /// overlapping runs of the row above. Strong pixels are sparse, so the work is proportional to the runs, with
    /// one pass over the mask to find them.
    /// </summary>
    internal static class ConnectedComponents
    {
        /// <summary>Returns the runs of every component, grouped: runs[start[c]..start[c+1]) belong to component c,
        /// components ordered by their first pixel in row-major order.</summary>
        public static (List<PixelRun> Runs, List<int> Start) Label(ReadOnlySpan<byte> strong, int width, int height)
        {
            var runs = new List<PixelRun>();
            var parent = new List<int>();
            int prevStart = 0, prevEnd = 0;
            for (int y = 0; y < height; y++)
            {
                var row = strong.Slice(y * width, width);
                int rowStart = runs.Count;
                int i = row.IndexOf((byte)1);
                while (i >= 0 && i < width)
                {
                    int j = i + 1;
                    while (j < width && row[j] != 0) j++;
                    int label = parent.Count;
                    parent.Add(label);
                    runs.Add(new PixelRun { Y = y, X0 = i, X1 = j, Label = label });
                    // Join with overlapping runs of the previous row (both lists are sorted by X0).
                    for (int k = prevStart; k < prevEnd; k++)
                    {
                        var above = runs[k];
                        if (above.X1 <= i) continue;
                        if (above.X0 >= j) break;
                        Union(parent, label, above.Label);
                    }
                    if (j >= width) break;
                    int next = row.Slice(j).IndexOf((byte)1);
                    i = next < 0 ? -1 : j + next;
                }
                prevStart = rowStart; prevEnd = runs.Count;
            }

            // Group runs by root, keeping components in order of their first run.
            var rootToComponent = new Dictionary<int, int>();
            var componentOfRun = new int[runs.Count];
            var counts = new List<int>();
            for (int r = 0; r < runs.Count; r++)
            {
                int root = Find(parent, runs[r].Label);
                if (!rootToComponent.TryGetValue(root, out int c)) { c = counts.Count; rootToComponent[root] = c; counts.Add(0); }
                componentOfRun[r] = c;
                counts[c]++;
            }
            var start = new List<int>(counts.Count + 1) { 0 };
            for (int c = 0; c < counts.Count; c++) start.Add(start[c] + counts[c]);
            var fill = new int[counts.Count];
            var grouped = new PixelRun[runs.Count];
            for (int r = 0; r < runs.Count; r++)
            {
                int c = componentOfRun[r];
                grouped[start[c] + fill[c]++] = runs[r];
            }
            return (new List<PixelRun>(grouped), start);
        }

        private static int Find(List<int> parent, int a)
        {
            while (parent[a] != a)
            {
                parent[a] = parent[parent[a]];
                a = parent[a];
            }
            return a;
        }

        private static void Union(List<int> parent, int a, int b)
        {
            a = Find(parent, a); b = Find(parent, b);
            if (a == b) return;
            if (a < b) parent[b] = a; else parent[a] = b;
        }
    }
}
