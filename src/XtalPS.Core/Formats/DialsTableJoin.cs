using System;
using System.Collections.Generic;
using System.Linq;

namespace XtalPS.Formats
{
    /// <summary>
    /// One DIALS reflection table after another (what -Append does to a .refl file, as dials.combine_experiments
    /// does for two lists): the rows of the second follow those of the first, its experiment ids are moved past the
    /// first's experiments, and its identifiers are added. A column one table has and the other lacks is filled with
    /// zeros (empty strings) for the rows that lack it; a column of a type XtalPS does not interpret (shoeboxes)
    /// cannot be extended, so such a table is refused rather than cut.
    /// </summary>
    public static class DialsTableJoin
    {
        public static DialsReflectionFile Concatenate(DialsReflectionFile first, DialsReflectionFile second, int idOffset)
        {
            if (first == null) throw new ArgumentNullException(nameof(first));
            if (second == null) throw new ArgumentNullException(nameof(second));
            long rows = first.RowCount + second.RowCount;
            if (rows > int.MaxValue) throw new InvalidOperationException("The two tables together have more rows than one DIALS table holds.");
            var names = first.Columns.Select(c => c.Name).Union(second.Columns.Select(c => c.Name)).OrderBy(n => n, StringComparer.Ordinal);
            var columns = new List<DialsColumn>();
            foreach (var name in names)
            {
                var a = first[name]; var b = second[name];
                var type = (a ?? b)!.Type;
                if (a != null && b != null && a.Type != b.Type)
                    throw new InvalidOperationException($"The column '{name}' is {a.Type} in the file and {b.Type} in what is added; write a new file.");
                if ((a != null && a.Data == null && a.Strings == null) || (b != null && b.Data == null && b.Strings == null))
                    throw new InvalidOperationException($"The file has a '{name}' column ({type}) that XtalPS carries but cannot extend; write a new file (dials.combine_experiments joins such files).");
                if (type == DialsColumn.StringType)
                {
                    var values = new string[rows];
                    for (int i = 0; i < first.RowCount; i++) values[i] = a?.Strings![i] ?? "";
                    for (int i = 0; i < second.RowCount; i++) values[first.RowCount + i] = b?.Strings![i] ?? "";
                    columns.Add(DialsColumn.OfStrings(name, values));
                    continue;
                }
                int size = (a ?? b)!.ElementSize;
                var data = new byte[rows * size];
                if (a != null) Buffer.BlockCopy(a.Data!, 0, data, 0, a.Data!.Length);
                if (b != null) Buffer.BlockCopy(b.Data!, 0, data, (int)(first.RowCount * size), b.Data!.Length);
                if (name == "id" && type == "int" && b != null)
                {
                    // Experiment ids of the added rows follow the file's experiments; −1 (not indexed) stays −1.
                    for (long i = first.RowCount; i < rows; i++)
                    {
                        int at = (int)(i * 4);
                        int id = data[at] | data[at + 1] << 8 | data[at + 2] << 16 | data[at + 3] << 24;
                        if (id < 0) continue;
                        id += idOffset;
                        data[at] = (byte)id; data[at + 1] = (byte)(id >> 8); data[at + 2] = (byte)(id >> 16); data[at + 3] = (byte)(id >> 24);
                    }
                }
                columns.Add(DialsColumn.Fixed(name, type, data));
            }
            var identifiers = first.Identifiers.Concat(second.Identifiers.Select(p => new KeyValuePair<ulong, string>(p.Key + (ulong)idOffset, p.Value)));
            return new DialsReflectionFile(rows, identifiers, columns);
        }
    }
}
