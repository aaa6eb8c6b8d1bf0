using System;
using System.Collections.Generic;
using System.Linq;
using XtalPS.Lattices;

namespace XtalPS.Formats
{
    /// <summary>
    /// Reads the intensities of a merged MTZ file to scale against (-Reference): the first of IMEAN, I, IOBS, I-obs (type
    /// J), or F, FP, FOBS (type F, squared), and FreeR_flag / FREE / R-free-flags when present; with the file's space group.
    /// </summary>
    public sealed class ReferenceIntensities
    {
        private ReferenceIntensities(Dictionary<(int, int, int), double> values, Dictionary<(int, int, int), int>? free, SpaceGroup group, string column)
        {
            Intensities = values; FreeRFlags = free; SpaceGroup = group; Column = column;
        }

        public IReadOnlyDictionary<(int H, int K, int L), double> Intensities { get; }
        public IReadOnlyDictionary<(int H, int K, int L), int>? FreeRFlags { get; }
        public SpaceGroup SpaceGroup { get; }
        /// <summary>The column read (F columns are squared).</summary>
        public string Column { get; }

        public static ReferenceIntensities Read(string path)
        {
            var f = MtzReader.Read(path);
            if (!f.IsMerged) throw new InvalidImageDataException(path, "is an unmerged MTZ file (it has batches); a reference must be merged.");
            int h = f.ColumnIndex("H"), k = f.ColumnIndex("K"), l = f.ColumnIndex("L");
            if (h < 0 || k < 0 || l < 0) throw new InvalidImageDataException(path, "has no H, K, L columns.");
            int col = -1; bool amplitude = false; string label = "";
            foreach (var name in new[] { "IMEAN", "I", "IOBS", "I-obs" })
                if ((col = f.ColumnIndex(name)) >= 0) { label = name; break; }
            if (col < 0)
                foreach (var name in new[] { "F", "FP", "FOBS", "F-obs" })
                    if ((col = f.ColumnIndex(name)) >= 0) { label = name; amplitude = true; break; }
            if (col < 0)
            {
                var j = f.Columns.FirstOrDefault(c => c.Type == 'J') ?? f.Columns.FirstOrDefault(c => c.Type == 'F');
                if (j == null) throw new InvalidImageDataException(path, "has no intensity (type J) or amplitude (type F) column to use as a reference.");
                col = f.Columns.IndexOf(j); amplitude = j.Type == 'F'; label = j.Label;
            }
            int free = -1;
            foreach (var name in new[] { "FreeR_flag", "FREE", "R-free-flags", "FreeRflag" })
                if ((free = f.ColumnIndex(name)) >= 0) break;
            var values = new Dictionary<(int, int, int), double>();
            var flags = free >= 0 ? new Dictionary<(int, int, int), int>() : null;
            for (int r = 0; r < f.ReflectionCount; r++)
            {
                var key = ((int)f[r, h], (int)f[r, k], (int)f[r, l]);
                float v = f[r, col];
                if (!f.IsMissing(v)) values[key] = amplitude ? (double)v * v : v;
                if (flags != null && !f.IsMissing(f[r, free])) flags[key] = (int)f[r, free];
            }
            if (values.Count == 0) throw new InvalidImageDataException(path, $"has no values in column {label}.");
            return new ReferenceIntensities(values, flags, MtzWriter.GroupOf(f), label);
        }
    }
}
