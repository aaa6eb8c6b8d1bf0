using System;
using System.Globalization;
using System.IO;
using System.Text;
using XtalPS.Integration;

namespace XtalPS.Formats
{
    /// <summary>
    /// Reflections as comma-separated text: a header line (Image, Stage and the <see cref="ReflectionFileColumns"/>
    /// labels), one line per reflection, invariant culture, missing values empty. Import-Csv reads it as is.
    /// </summary>
    public sealed class ReflectionCsvWriter : ReflectionFileWriter
    {
        private readonly StreamWriter _text;

        public ReflectionCsvWriter(string path) : base(path)
        {
            _text = new StreamWriter(Scratch, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
        }

        public override int Add(ReflectionTable table)
        {
            int batch = TableCount + 1;
            string image = Quote(table.ImageName), stage = Quote(table.Stage);
            var sb = new StringBuilder(512);
            foreach (var r in table.Reflections)
            {
                sb.Clear();
                sb.Append(image).Append(',').Append(stage);
                foreach (var c in ReflectionFileColumns.All)
                {
                    sb.Append(',');
                    double v = c.Label == "BATCH" ? batch : c.Get(r);
                    if (!double.IsNaN(v)) sb.Append(v.ToString("R", CultureInfo.InvariantCulture));
                }
                _text.WriteLine(sb.ToString());
                RowCount++;
            }
            _text.Flush();
            TableCount++;
            return batch;
        }

        protected override void WriteStart(Stream target)
        {
            var header = Encoding.UTF8.GetBytes("Image,Stage," + string.Join(",", Array.ConvertAll(System.Linq.Enumerable.ToArray(ReflectionFileColumns.All), c => c.Label)) + "\n");
            target.Write(header, 0, header.Length);
        }

        protected override void WriteEnd(Stream target) { }

        internal static string Quote(string s) =>
            s.IndexOfAny(new[] { ',', '"', '\n', '\r' }) < 0 ? s : "\"" + s.Replace("\"", "\"\"") + "\"";
    }
}
