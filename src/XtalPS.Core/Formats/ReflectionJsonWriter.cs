using System;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using XtalPS.Integration;
using XtalPS.Lattices;

namespace XtalPS.Formats
{
    /// <summary>
    /// Reflections as JSON (schema <c>xtalps-reflections/1</c>): {"schema", "tables": [{"image", "stage", "batch",
    /// "lattice", "refinedLattice", "columns": [labels], "rows": [[values]]}]}; missing values are null. Column-per-row
    /// arrays keep the file compact and streamable.
    /// </summary>
    public sealed class ReflectionJsonWriter : ReflectionFileWriter
    {
        public const string Schema = "xtalps-reflections/1";
        private readonly StreamWriter _text;

        public ReflectionJsonWriter(string path) : base(path)
        {
            _text = new StreamWriter(Scratch, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
        }

        public override int Add(ReflectionTable table)
        {
            int batch = TableCount + 1;
            var inv = CultureInfo.InvariantCulture;
            if (TableCount > 0) _text.Write(",\n");
            _text.Write("{\"image\":" + Str(table.ImageName) + ",\"stage\":" + Str(table.Stage) + ",\"batch\":" + batch.ToString(inv));
            _text.Write(",\"lattice\":" + LatticeJson(table.Lattice) + ",\"refinedLattice\":" + LatticeJson(table.RefinedLattice));
            _text.Write(",\"columns\":[");
            for (int c = 0; c < ReflectionFileColumns.All.Count; c++) _text.Write((c > 0 ? "," : "") + Str(ReflectionFileColumns.All[c].Label));
            _text.Write("],\"rows\":[");
            var sb = new StringBuilder(512);
            for (int i = 0; i < table.Reflections.Count; i++)
            {
                var r = table.Reflections[i];
                sb.Clear();
                sb.Append(i > 0 ? ",\n[" : "\n[");
                for (int c = 0; c < ReflectionFileColumns.All.Count; c++)
                {
                    var col = ReflectionFileColumns.All[c];
                    double v = col.Label == "BATCH" ? batch : col.Get(r);
                    if (c > 0) sb.Append(',');
                    sb.Append(double.IsNaN(v) || double.IsInfinity(v) ? "null" : v.ToString("R", inv));
                }
                sb.Append(']');
                _text.Write(sb.ToString());
                RowCount++;
            }
            _text.Write("]}");
            _text.Flush();
            TableCount++;
            return batch;
        }

        private static string LatticeJson(Lattice? l)
        {
            var inv = CultureInfo.InvariantCulture;
            switch (l)
            {
                case PlanarLattice p:
                    return string.Format(inv, "{{\"kind\":\"Planar\",\"origin\":[{0:R},{1:R}],\"a\":[{2:R},{3:R}],\"b\":[{4:R},{5:R}]}}",
                        p.Origin.X, p.Origin.Y, p.A.X, p.A.Y, p.B.X, p.B.Y);
                case CrystalLattice c:
                    return "{\"kind\":\"Crystal\",\"spaceGroup\":" + Str(c.SpaceGroup) + ",\"a\":[" + string.Join(",", Array.ConvertAll(c.AMatrix.ToArray(), v => v.ToString("R", inv))) + "]}";
                default:
                    return "null";
            }
        }

        /// <summary>A JSON string literal (System.Text.Json's escaping; non-ASCII text kept as it is).</summary>
        internal static string Str(string s) =>
            "\"" + JsonEncodedText.Encode(s, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString() + "\"";

        protected override void WriteStart(Stream target)
        {
            var b = Encoding.UTF8.GetBytes("{\"schema\":\"" + Schema + "\",\"tables\":[\n");
            target.Write(b, 0, b.Length);
        }

        protected override void WriteEnd(Stream target)
        {
            var b = Encoding.UTF8.GetBytes("\n]}\n");
            target.Write(b, 0, b.Length);
        }
    }
}
