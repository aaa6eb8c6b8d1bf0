using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using XtalPS.Merging;

namespace XtalPS.Formats
{
    /// <summary>
    /// Writes a merged data set as a CCP4 MTZ file (formats.md §3; no batches): H K L in the CCP4 asymmetric unit,
    /// IMEAN SIGIMEAN, I(+) SIGI(+) I(−) SIGI(−), N (observations merged), the two half-set means IHALF1/IHALF2 with
    /// their σ (so CC½ can be recomputed), FreeR_flag, and amplitudes F SIGF by French–Wilson (<see cref="FrenchWilson"/>); the space group and mean cell of the data; provenance
    /// (XtalPS version, command, parameters) in the history. Missing values are NaN (VALM NAN). Written atomically.
    /// </summary>
    public static class MergedMtzWriter
    {
        private static readonly (string Label, char Type)[] Columns =
        {
            ("H", 'H'), ("K", 'H'), ("L", 'H'), ("IMEAN", 'J'), ("SIGIMEAN", 'Q'), ("I(+)", 'K'), ("SIGI(+)", 'M'), ("I(-)", 'K'), ("SIGI(-)", 'M'),
            ("N", 'I'), ("IHALF1", 'J'), ("SIGIHALF1", 'Q'), ("IHALF2", 'J'), ("SIGIHALF2", 'Q'), ("FreeR_flag", 'I'),
            ("F", 'F'), ("SIGF", 'Q'),
        };

        /// <summary>The column labels, in file order.</summary>
        public static IReadOnlyList<string> Labels => Columns.Select(c => c.Label).ToArray();

        public static void Write(string path, MergedReflectionTable table)
        {
            if (table == null) throw new ArgumentNullException(nameof(table));
            AtomicFile.Write(path, s => Write(s, table));
        }

        private static void Write(Stream target, MergedReflectionTable table)
        {
            var m = table.Data;
            int nc = Columns.Length, rows = m.Count;
            var min = Enumerable.Repeat(double.PositiveInfinity, nc).ToArray();
            var max = Enumerable.Repeat(double.NegativeInfinity, nc).ToArray();
            MtzHeader.WritePrelude(target, rows, nc);
            var row = new byte[4 * nc];
            var values = new double[nc];
            double minS2 = double.PositiveInfinity, maxS2 = 0;
            FrenchWilson.Amplitudes(m, out var amplitude, out var sigmaAmplitude);
            for (int r = 0; r < rows; r++)
            {
                values[0] = m.H[r]; values[1] = m.K[r]; values[2] = m.L[r];
                values[3] = m.Intensity[r]; values[4] = m.Sigma[r];
                values[5] = m.IPlus[r]; values[6] = m.SigmaPlus[r]; values[7] = m.IMinus[r]; values[8] = m.SigmaMinus[r];
                values[9] = m.Multiplicity[r];
                values[10] = m.IHalf1[r]; values[11] = m.SigmaHalf1[r]; values[12] = m.IHalf2[r]; values[13] = m.SigmaHalf2[r];
                values[14] = m.FreeR[r];
                values[15] = amplitude[r]; values[16] = sigmaAmplitude[r];
                for (int c = 0; c < nc; c++)
                {
                    float f = (float)values[c];
                    if (float.IsInfinity(f)) f = float.NaN;
                    if (!float.IsNaN(f)) { if (f < min[c]) min[c] = f; if (f > max[c]) max[c] = f; }
                    BinaryPrimitives.WriteInt32LittleEndian(new Span<byte>(row, 4 * c, 4), MtzReader.SingleToInt32Bits(f));
                }
                target.Write(row, 0, row.Length);
                double s2 = 1 / (m.D[r] * m.D[r]);
                if (s2 < minS2) minS2 = s2;
                if (s2 > maxS2) maxS2 = s2;
            }
            WriteHeader(target, table, rows, min, max, rows > 0 ? minS2 : 0, rows > 0 ? maxS2 : 0);
        }

        private static void WriteHeader(Stream target, MergedReflectionTable table, int rows, double[] min, double[] max, double minS2, double maxS2)
        {
            var header = new MtzHeader
            {
                Title = "XtalPS merged intensities" + (table.Name.Length > 0 ? " " + table.Name : ""),
                Rows = rows,
                Cell = table.UnitCell.ToArray(),
                Sort = new[] { 1, 2, 3, 0, 0 },
                MinS2 = minS2, MaxS2 = maxS2,
                Columns = Columns.Select((c, i) => new MtzHeader.Column(c.Label, c.Type, min[i], max[i])).ToArray(),
                DatasetName = table.Name.Length > 0 ? Sanitise(table.Name) : "merged",
                Wavelength = table.Data.Wavelength,
                History = table.Provenance,
            };
            header.SetGroup(table.SpaceGroup);
            header.WriteRecords(target);
            MtzHeader.WriteEnd(target);
        }

        private static string Sanitise(string name)
        {
            var sb = new StringBuilder();
            foreach (char c in name) sb.Append(char.IsLetterOrDigit(c) || c == '_' || c == '-' || c == '.' ? c : '_');
            return sb.Length > 64 ? sb.ToString(0, 64) : sb.ToString();
        }
    }
}
