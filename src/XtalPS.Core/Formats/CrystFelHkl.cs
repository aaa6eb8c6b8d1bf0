using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using XtalPS.Integration;

namespace XtalPS.Formats
{
    /// <summary>
    /// CrystFEL merged reflection lists (<c>.hkl</c>, "CrystFEL reflection list version 2.0", as process_hkl and
    /// partialator write them): a symmetry line, then h k l I phase σ(I) nmeas per line, then "End of reflections".
    /// Read into one reflection table; written from tables whose rows are unique Miller indices (merged data).
    /// </summary>
    public static class CrystFelHkl
    {
        public const string Header = "CrystFEL reflection list version 2.0";
        public const long MaxFileBytes = 2L * 1024 * 1024 * 1024;

        /// <summary>The table and the point-group symbol the file states ("1" when it states none).</summary>
        public static (ReflectionTable Table, string Symmetry) Read(string path)
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new FileNotFoundException($"The file '{path}' does not exist.", path);
            if (info.Length > MaxFileBytes) throw new InvalidImageDataException(path, $"the file is {info.Length} bytes; the largest .hkl read is {MaxFileBytes}.");
            using var reader = new StreamReader(path, Encoding.UTF8);
            return Parse(path, reader);
        }

        public static (ReflectionTable Table, string Symmetry) Parse(string path, TextReader reader)
        {
            string? line = reader.ReadLine();
            if (line == null || !line.StartsWith("CrystFEL reflection list version 2", StringComparison.Ordinal))
                throw new InvalidImageDataException(path, $"not a CrystFEL reflection list (no '{Header}' first line).");
            string symmetry = "1";
            var rows = new List<Reflection>();
            bool ended = false, columns = false;
            int lineNo = 1;
            while ((line = reader.ReadLine()) != null)
            {
                lineNo++;
                var t = line.Trim();
                if (t.Length == 0) continue;
                if (t.StartsWith("Symmetry:", StringComparison.Ordinal)) { symmetry = t.Substring(9).Trim(); continue; }
                if (t.StartsWith("h ", StringComparison.Ordinal)) { columns = true; continue; }
                if (t == "End of reflections") { ended = true; break; }
                if (!columns) throw new InvalidImageDataException(path, $"line {lineNo}: reflections before the column line 'h k l I phase sigma(I) nmeas'.");
                var f = t.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
                if (f.Length != 7) throw new InvalidImageDataException(path, $"line {lineNo}: {f.Length} fields, not 7 (h k l I phase σ(I) nmeas).");
                int I(string s) => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v
                    : throw new InvalidImageDataException(path, $"line {lineNo}: '{(s.Length > 20 ? s.Substring(0, 20) : s)}' is not an integer.");
                double D(string s) => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && !double.IsInfinity(v) ? v
                    : throw new InvalidImageDataException(path, $"line {lineNo}: '{(s.Length > 20 ? s.Substring(0, 20) : s)}' is not a number.");
                int nmeas = I(f[6]);
                if (nmeas < 0) throw new InvalidImageDataException(path, $"line {lineNo}: a negative measurement count.");
                rows.Add(new Reflection { H = I(f[0]), K = I(f[1]), L = I(f[2]), Intensity = D(f[3]), Sigma = D(f[5]), PeakPixels = nmeas, WellBehaved = true });
            }
            if (!ended) throw new InvalidImageDataException(path, "the list ends without 'End of reflections' (a truncated file).");
            return (new ReflectionTable(null, null, null, rows, ReflectionFileReader.Stage + " merged", Path.GetFileName(path)), symmetry);
        }

        /// <summary>The text of a merged list: one line per unique h k l (nmeas from <see cref="Reflection.PeakPixels"/> when
        /// the rows came from a merged file, else 1), no phases.</summary>
        public static string Line(Reflection r, int nmeas) => string.Format(CultureInfo.InvariantCulture, "{0,4} {1,4} {2,4} {3,10:0.00} {4,8} {5,10:0.00} {6,7}\n",
            r.H, r.K, r.L, r.Intensity, "-", r.Sigma, nmeas);
    }

    /// <summary>Writes merged reflections as a CrystFEL .hkl list; refuses a table in which a Miller index repeats (unmerged data).</summary>
    public sealed class CrystFelHklWriter : ReflectionFileWriter
    {
        private readonly HashSet<(int, int, int)> _seen = new HashSet<(int, int, int)>();
        private readonly string _symmetry;

        public CrystFelHklWriter(string path, string symmetry = "1") : base(path) { _symmetry = symmetry; }

        public override int Add(ReflectionTable table)
        {
            // The whole table is checked before any of it is kept, so a refused table leaves nothing behind.
            var keys = new HashSet<(int, int, int)>();
            foreach (var r in table.Reflections)
                if (!double.IsNaN(r.Intensity) && !double.IsNaN(r.Sigma) && (_seen.Contains((r.H, r.K, r.L)) || !keys.Add((r.H, r.K, r.L))))
                    throw new ArgumentException($"{table.ImageName}: ({r.H},{r.K},{r.L}) appears twice; a CrystFEL .hkl list holds merged data (one line per reflection) — merge first.");
            _seen.UnionWith(keys);
            var sb = new StringBuilder();
            foreach (var r in table.Reflections)
            {
                if (double.IsNaN(r.Intensity) || double.IsNaN(r.Sigma)) continue;
                sb.Append(CrystFelHkl.Line(r, table.Stage.EndsWith("merged", StringComparison.Ordinal) && r.PeakPixels > 0 ? r.PeakPixels : 1));
                RowCount++;
            }
            var bytes = new UTF8Encoding(false).GetBytes(sb.ToString());
            Scratch.Write(bytes, 0, bytes.Length);
            return ++TableCount;
        }

        protected override void WriteStart(Stream target)
        {
            var b = new UTF8Encoding(false).GetBytes(CrystFelHkl.Header + "\nSymmetry: " + _symmetry + "\n   h    k    l          I    phase   sigma(I)   nmeas\n");
            target.Write(b, 0, b.Length);
        }

        protected override void WriteEnd(Stream target)
        {
            var b = new UTF8Encoding(false).GetBytes("End of reflections\nGenerated by XtalPS\n");
            target.Write(b, 0, b.Length);
        }
    }
}
