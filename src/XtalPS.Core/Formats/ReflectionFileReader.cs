using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using XtalPS.Integration;

namespace XtalPS.Formats
{
    /// <summary>Reads reflection files back into tables (stage "Imported", no image): MTZ (any, merged or unmerged), XtalPS CSV and JSON.</summary>
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
                case ".json": return ReadJson(path);
                case ".refl": return DialsReflectionReader.ReadTables(path);
                case ".stream": return CrystFelStream.ToTables(path, CrystFelStream.Read(path));
                case ".hkl": return new List<ReflectionTable> { CrystFelHkl.Read(path).Table };
                default: throw new InvalidImageDataException(path, $"cannot read reflections from a '{ext}' file (MTZ, CSV, JSON, DIALS .refl, CrystFEL .stream and .hkl can be read).");
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
            // Unmerged files store the asymmetric-unit index and M/ISYM; undo it to get the indices as measured.
            int hCol = f.ColumnIndex("H"), kCol = f.ColumnIndex("K"), lCol = f.ColumnIndex("L"), isymCol = f.ColumnIndex("M/ISYM");
            var primitive = new List<Lattices.SymmetryOperator>();
            if (isymCol >= 0 && hCol >= 0 && kCol >= 0 && lCol >= 0 && f.SymmetryOperators.Count > 0)
            {
                var seen = new HashSet<string>();
                foreach (var text in f.SymmetryOperators)
                {
                    Lattices.SymmetryOperator op;
                    try { op = Lattices.SymmetryOperator.Parse(text); }
                    catch (FormatException) { primitive.Clear(); break; }
                    if (seen.Add(string.Join(",", op.Rotation))) primitive.Add(op);
                }
            }
            var groups = new SortedDictionary<int, List<Reflection>>();
            for (int row = 0; row < f.ReflectionCount; row++)
            {
                var r = new Reflection();
                foreach (var (index, column) in map)
                {
                    float v = f[row, index];
                    column.Set(r, f.IsMissing(v) ? double.NaN : v);
                }
                if (primitive.Count > 0 && !f.IsMissing(f[row, isymCol]))
                {
                    int isym = (int)f[row, isymCol] % 256, i = (isym - 1) / 2;
                    if (isym >= 1 && i < primitive.Count)
                    {
                        // h_asu = ±h·R  ⇒  h = ±h_asu·R⁻¹.
                        var inv = primitive[i].Inverse();
                        var (h, k, l) = inv.ApplyToIndex((int)f[row, hCol], (int)f[row, kCol], (int)f[row, lCol]);
                        int sign = isym % 2 == 1 ? 1 : -1;
                        r.H = sign * h; r.K = sign * k; r.L = sign * l;
                    }
                }
                if (iCol >= 0) { float v = f[row, iCol]; r.Intensity = f.IsMissing(v) ? double.NaN : v; }
                if (sCol >= 0) { float v = f[row, sCol]; r.Sigma = f.IsMissing(v) ? double.NaN : v; }
                int batch = batchCol >= 0 && !f.IsMissing(f[row, batchCol]) ? (int)f[row, batchCol] : 0;
                r.Batch = batch;
                if (!groups.TryGetValue(batch, out var list)) groups[batch] = list = new List<Reflection>();
                list.Add(r);
            }
            // What the file says about each batch: the title "Stage: image name" (XtalPS's), the cell and orientation.
            // The space group is the file's; a crystal lattice rebuilt from them carries it into a re-export.
            var batches = new Dictionary<int, MtzBatch>();
            foreach (var b in f.Batches) batches[b.Number] = b;
            var group = MtzWriter.GroupOf(f);
            var tables = new List<ReflectionTable>();
            foreach (var g in groups)
            {
                string stage = Stage, name = "";
                batches.TryGetValue(g.Key, out var batch);
                if (batch != null)
                {
                    int colon = batch.Title.IndexOf(": ", StringComparison.Ordinal);
                    if (colon > 0)
                    {
                        stage = Stage + " " + batch.Title.Substring(0, colon);
                        name = batch.Title.Substring(colon + 2).Trim();
                    }
                }
                var lattice = LatticeOf(batch, f.Cell, group);
                var cell = lattice != null ? lattice.UnitCell : CellOrNull(f.Cell);
                if (cell.HasValue)
                    foreach (var r in g.Value)
                        if (double.IsNaN(r.D) && (r.H != 0 || r.K != 0 || r.L != 0)) r.D = cell.Value.D(r.H, r.K, r.L);
                tables.Add(new ReflectionTable(null, lattice, null, g.Value, stage, name));
            }
            return tables;
        }

        /// <summary>The crystal lattice a batch header describes (cell and U of a 3D batch; the file's cell and no
        /// rotation for a merged file), in the file's space group; null for 2D batches or unusable numbers.</summary>
        private static Lattices.CrystalLattice? LatticeOf(MtzBatch? batch, double[] fileCell, Lattices.SpaceGroup group)
        {
            try
            {
                if (batch == null)
                {
                    var merged = CellOrNull(fileCell);
                    return merged.HasValue ? Lattices.CrystalLattice.FromOrientation(Geometry.Mat3.Identity, merged.Value, group) : null;
                }
                if (batch.Ints[14] != 2) return null; // ldtype 2 = 3D; planar lattices are written as 2D batches
                var cell = CellOrNull(batch.Cell) ?? CellOrNull(fileCell);
                var u = Geometry.Mat3.FromArray(batch.U);
                if (!cell.HasValue || Math.Abs(u.Determinant - 1) > 1e-3) return null;
                return Lattices.CrystalLattice.FromOrientation(u, cell.Value, group);
            }
            catch (ArgumentException) { return null; }
            catch (InvalidOperationException) { return null; } // a singular cell or orientation
        }

        private static Lattices.UnitCell? CellOrNull(double[] c)
        {
            if (c == null || c.Length < 6 || c.Take(3).Any(x => !(x > 0)) || c.Skip(3).Take(3).Any(x => !(x > 0 && x < 180))) return null;
            try
            {
                var cell = new Lattices.UnitCell(c[0], c[1], c[2], c[3], c[4], c[5]);
                _ = cell.BMatrix; // angles that close no cell make it singular
                return cell;
            }
            catch (ArgumentException) { return null; }
            catch (InvalidOperationException) { return null; }
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
            string stage = Stage, image = "";
            int imageIndex = Array.IndexOf(names, "Image");
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
                    tables.Add(new ReflectionTable(null, null, null, current, stage, image));
                    current = new List<Reflection>();
                }
                int stageIndex = Array.IndexOf(names, "Stage");
                stage = stageIndex >= 0 && f[stageIndex].Length > 0 ? Stage + " " + f[stageIndex] : Stage;
                image = imageIndex >= 0 ? f[imageIndex] : "";
                currentBatch = r.Batch;
                current.Add(r);
            }
            if (current.Count > 0) tables.Add(new ReflectionTable(null, null, null, current, stage, image));
            return tables;
        }

        /// <summary>
        /// An XtalPS reflection JSON file (schema <see cref="ReflectionJsonWriter.Schema"/>): one table per entry, with
        /// its lattice and refined lattice rebuilt (without an image) from the stored setting matrix or planar basis.
        /// </summary>
        public static List<ReflectionTable> ReadJson(string path)
        {
            JsonDocument doc;
            // System.Text.Json: strict RFC 8259 (NaN and Infinity are not numbers; the writer stores null), nesting limited.
            try { using (var stream = File.OpenRead(path)) doc = JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 64 }); }
            catch (JsonException e) { throw new InvalidImageDataException(path, "not valid JSON: " + e.Message); }
            using (doc)
            {
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("schema", out var schema) || schema.ValueKind != JsonValueKind.String
                    || schema.GetString() != ReflectionJsonWriter.Schema)
                    throw new InvalidImageDataException(path, $"not an XtalPS reflection file (schema '{ReflectionJsonWriter.Schema}' expected).");
                if (!root.TryGetProperty("tables", out var list) || list.ValueKind != JsonValueKind.Array) throw new InvalidImageDataException(path, "no \"tables\" array.");
                var tables = new List<ReflectionTable>();
                int ti = 0;
                foreach (var t in list.EnumerateArray())
                {
                    ti++;
                    if (t.ValueKind != JsonValueKind.Object || !t.TryGetProperty("columns", out var columns) || columns.ValueKind != JsonValueKind.Array
                        || !t.TryGetProperty("rows", out var rows) || rows.ValueKind != JsonValueKind.Array)
                        throw new InvalidImageDataException(path, $"table {ti} has no columns and rows.");
                    var cols = columns.EnumerateArray().Select(c => c.ValueKind == JsonValueKind.String ? ReflectionFileColumns.Find(c.GetString()!) : null).ToArray();
                    var reflections = new List<Reflection>(rows.GetArrayLength());
                    int ri = 0;
                    foreach (var row in rows.EnumerateArray())
                    {
                        ri++;
                        if (row.ValueKind != JsonValueKind.Array || row.GetArrayLength() != cols.Length)
                            throw new InvalidImageDataException(path, $"table {ti}, row {ri}: {(row.ValueKind == JsonValueKind.Array ? row.GetArrayLength() : 0)} values for {cols.Length} columns.");
                        var r = new Reflection();
                        int c = 0;
                        foreach (var v in row.EnumerateArray())
                        {
                            if (cols[c] != null)
                            {
                                if (v.ValueKind != JsonValueKind.Number && v.ValueKind != JsonValueKind.Null)
                                    throw new InvalidImageDataException(path, $"table {ti}, row {ri}: value {c + 1} is not a number.");
                                cols[c]!.Set(r, v.ValueKind == JsonValueKind.Number ? Number(v, path) : double.NaN);
                            }
                            c++;
                        }
                        reflections.Add(r);
                    }
                    string stage = t.TryGetProperty("stage", out var stageValue) && stageValue.ValueKind == JsonValueKind.String && stageValue.GetString()!.Length > 0
                        ? Stage + " " + stageValue.GetString() : Stage;
                    tables.Add(new ReflectionTable(null, LatticeFromJson(t, "lattice"), LatticeFromJson(t, "refinedLattice"), reflections, stage));
                }
                return tables;
            }
        }

        /// <summary>A JSON number as a double; one beyond the double range is bad data.</summary>
        private static double Number(JsonElement v, string path)
        {
            if (v.TryGetDouble(out double d) && !double.IsInfinity(d)) return d;
            throw new InvalidImageDataException(path, $"the number {v.GetRawText()} is out of range.");
        }

        /// <summary>A lattice as <see cref="ReflectionJsonWriter"/> stores it, or null when absent or unusable.</summary>
        private static Lattices.Lattice? LatticeFromJson(JsonElement table, string key)
        {
            if (!table.TryGetProperty(key, out var v) || v.ValueKind != JsonValueKind.Object) return null;
            double[]? Numbers(string name, int n)
            {
                if (!v.TryGetProperty(name, out var a) || a.ValueKind != JsonValueKind.Array || a.GetArrayLength() != n) return null;
                var values = new double[n];
                int i = 0;
                foreach (var x in a.EnumerateArray())
                {
                    if (x.ValueKind != JsonValueKind.Number || !x.TryGetDouble(out values[i])) return null;
                    i++;
                }
                return values;
            }
            string? kind = v.TryGetProperty("kind", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
            try
            {
                if (kind == "Crystal")
                {
                    var a = Numbers("a", 9);
                    if (a == null) return null;
                    Lattices.SpaceGroup? group = null;
                    if (v.TryGetProperty("spaceGroup", out var sg) && sg.ValueKind == JsonValueKind.String) Lattices.SpaceGroup.TryParse(sg.GetString()!, out group);
                    return new Lattices.CrystalLattice(Geometry.Mat3.FromArray(a), group);
                }
                if (kind == "Planar")
                {
                    var o = Numbers("origin", 2); var a = Numbers("a", 2); var b = Numbers("b", 2);
                    if (o == null || a == null || b == null) return null;
                    return new Lattices.PlanarLattice(new Geometry.Vec2(o[0], o[1]), new Geometry.Vec2(a[0], a[1]), new Geometry.Vec2(b[0], b[1]));
                }
            }
            catch (ArgumentException) { }
            return null;
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
