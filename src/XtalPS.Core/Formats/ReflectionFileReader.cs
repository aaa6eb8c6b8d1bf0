using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using XtalPS.Integration;

namespace XtalPS.Formats
{
    /// <summary>Reads reflection files back into tables (stage "Imported", no image): MTZ (any, merged or unmerged) and XtalPS CSV.</summary>
    public static class ReflectionFileReader
    {
        public const string Stage = "Imported";

        public static List<ReflectionTable> Read(string path)
        {
            string ext = Path.GetExtension(path).ToLowerInvariant();
            switch (ext)
            {
                case ".mtz": return FromMtz(MtzReader.Read(path));
                case ".csv": return ReadCsv(path);
                default: throw new InvalidImageDataException(path, $"cannot read reflections from a '{ext}' file (MTZ and CSV can be read).");
            }
        }

        /// <summary>One table per batch of an unmerged file (in batch order), one table for a merged file.</summary>
        public static List<ReflectionTable> FromMtz(MtzFile f)
        {
            int ncol = f.Columns.Count;
            var map = new List<(int Index, ReflectionFileColumns.Column Column)>();
            for (int c = 0; c < ncol; c++)
            {
                var col = ReflectionFileColumns.Find(f.Columns[c].Label);
                if (col != null) map.Add((c, col));
            }
            // Intensity and σ from the usual labels when the file is not ours.
            int iCol = f.ColumnIndex("I"), sCol = f.ColumnIndex("SIGI");
            if (iCol < 0) { iCol = f.ColumnIndex("IMEAN"); sCol = f.ColumnIndex("SIGIMEAN"); }
            if (iCol < 0) { iCol = f.ColumnIndex('J'); sCol = iCol >= 0 && iCol + 1 < ncol && f.Columns[iCol + 1].Type == 'Q' ? iCol + 1 : -1; }
            int batchCol = f.ColumnIndex('B');
            var groups = new SortedDictionary<int, List<Reflection>>();
            for (int row = 0; row < f.ReflectionCount; row++)
            {
                var r = new Reflection();
                foreach (var (index, column) in map)
                {
                    float v = f[row, index];
                    column.Set(r, f.IsMissing(v) ? double.NaN : v);
                }
                if (iCol >= 0) { float v = f[row, iCol]; r.Intensity = f.IsMissing(v) ? double.NaN : v; }
                if (sCol >= 0) { float v = f[row, sCol]; r.Sigma = f.IsMissing(v) ? double.NaN : v; }
                int batch = batchCol >= 0 && !f.IsMissing(f[row, batchCol]) ? (int)f[row, batchCol] : 0;
                r.Batch = batch;
                if (!groups.TryGetValue(batch, out var list)) groups[batch] = list = new List<Reflection>();
                list.Add(r);
            }
            var stages = f.Batches.ToDictionary(b => b.Number, b => b.Title);
            var tables = new List<ReflectionTable>();
            foreach (var g in groups)
            {
                string stage = Stage;
                if (stages.TryGetValue(g.Key, out var title))
                {
                    int colon = title.IndexOf(':');
                    if (colon > 0) stage = Stage + " " + title.Substring(0, colon);
                }
                tables.Add(new ReflectionTable(null, null, null, g.Value, stage));
            }
            return tables;
        }

        public static List<ReflectionTable> ReadCsv(string path)
        {
            var tables = new List<ReflectionTable>();
            using var reader = new StreamReader(path, Encoding.UTF8);
            string? header = reader.ReadLine();
            if (header == null) return tables;
            var names = SplitCsv(header);
            var cols = names.Select(n => ReflectionFileColumns.Find(n)).ToArray();
            int batchIndex = Array.FindIndex(names, n => n == "BATCH");
            if (batchIndex < 0 || !names.Contains("H")) throw new InvalidImageDataException(path, "not an XtalPS reflection CSV file (no H and BATCH columns).");
            var current = new List<Reflection>();
            int currentBatch = int.MinValue;
            string stage = Stage;
            string? line;
            int lineNo = 1;
            while ((line = reader.ReadLine()) != null)
            {
                lineNo++;
                if (line.Length == 0) continue;
                var f = SplitCsv(line);
                if (f.Length != names.Length) throw new InvalidImageDataException(path, $"line {lineNo} has {f.Length} fields, the header {names.Length}.");
                var r = new Reflection();
                for (int i = 0; i < f.Length; i++)
                {
                    if (cols[i] == null) continue;
                    double v = f[i].Length == 0 ? double.NaN :
                        double.TryParse(f[i], NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d :
                        throw new InvalidImageDataException(path, $"line {lineNo}: '{f[i]}' is not a number.");
                    cols[i]!.Set(r, v);
                }
                if (r.Batch != currentBatch && current.Count > 0)
                {
                    tables.Add(new ReflectionTable(null, null, null, current, stage));
                    current = new List<Reflection>();
                }
                int stageIndex = Array.IndexOf(names, "Stage");
                stage = stageIndex >= 0 && f[stageIndex].Length > 0 ? Stage + " " + f[stageIndex] : Stage;
                currentBatch = r.Batch;
                current.Add(r);
            }
            if (current.Count > 0) tables.Add(new ReflectionTable(null, null, null, current, stage));
            return tables;
        }

        internal static string[] SplitCsv(string line)
        {
            var fields = new List<string>();
            var sb = new StringBuilder();
            bool quoted = false;
            for (int i = 0; i < line.Length; i++)
            {
                char c = line[i];
                if (quoted)
                {
                    if (c == '"') { if (i + 1 < line.Length && line[i + 1] == '"') { sb.Append('"'); i++; } else quoted = false; }
                    else sb.Append(c);
                }
                else if (c == '"') quoted = true;
                else if (c == ',') { fields.Add(sb.ToString()); sb.Clear(); }
                else sb.Append(c);
            }
            fields.Add(sb.ToString());
            return fields.ToArray();
        }
    }
}
