using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
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
            var pre = new byte[80];
            pre[0] = (byte)'M'; pre[1] = (byte)'T'; pre[2] = (byte)'Z'; pre[3] = (byte)' ';
            long headerWord = 21 + (long)rows * nc;
            bool longForm = headerWord > int.MaxValue;
            BinaryPrimitives.WriteInt32LittleEndian(new Span<byte>(pre, 4, 4), longForm ? -1 : (int)headerWord);
            if (longForm) BinaryPrimitives.WriteInt64LittleEndian(new Span<byte>(pre, 12, 8), headerWord);
            pre[8] = 0x44; pre[9] = 0x41;
            target.Write(pre, 0, pre.Length);
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
            var inv = CultureInfo.InvariantCulture;
            void Rec(string text)
            {
                if (text.Length > 80) text = text.Substring(0, 80);
                target.Write(Encoding.ASCII.GetBytes(text.PadRight(80)), 0, 80);
            }
            string F(double v) => string.Format(inv, "{0,10:0.0000}", v);
            var cell = table.UnitCell.ToArray();
            var group = table.SpaceGroup;
            // CCP4 lists the primitive operators (one per rotation) first.
            var prim = new List<Lattices.SymmetryOperator>(); var rest = new List<Lattices.SymmetryOperator>();
            foreach (var op in group.Operators)
                (prim.Any(p => p.Rotation.SequenceEqual(op.Rotation)) ? rest : prim).Add(op);
            int primitive = prim.Count;
            prim.AddRange(rest);
            Rec("VERS MTZ:V1.1");
            Rec("TITLE XtalPS merged intensities" + (table.Name.Length > 0 ? " " + table.Name : ""));
            Rec(string.Format(inv, "NCOL {0,8} {1,12} {2,8}", Columns.Length, rows, 0));
            Rec("CELL  " + string.Join(" ", cell.Select(F)));
            Rec("SORT    1   2   3   0   0");
            Rec(string.Format(inv, "SYMINF {0,3} {1,2} {2} {3,5} {4,22} PG{5}", prim.Count, primitive, group.Centring, group.Number,
                "'" + group.HermannMauguin + "'", group.PointGroup.Replace(" ", "")));
            foreach (var op in prim) Rec("SYMM " + op.ToString().ToUpperInvariant());
            Rec(string.Format(inv, "RESO {0,-20:0.000000000000} {1,-20:0.000000000000}", minS2, maxS2));
            Rec("VALM NAN");
            for (int c = 0; c < Columns.Length; c++)
            {
                bool any = min[c] <= max[c];
                Rec(string.Format(inv, "COLUMN {0,-30} {1} {2,17} {3,17} {4,4}", Columns[c].Label, Columns[c].Type,
                    Num17(any ? min[c] : 0), Num17(any ? max[c] : 0), c < 3 ? 0 : 1));
            }
            Rec("NDIF        2");
            Rec("PROJECT       0 HKL_base");
            Rec("CRYSTAL       0 HKL_base");
            Rec("DATASET       0 HKL_base");
            Rec("DCELL         0 " + string.Concat(cell.Select(F)));
            Rec("DWAVEL        0    0.00000");
            Rec("PROJECT       1 XtalPS");
            Rec("CRYSTAL       1 crystal");
            Rec("DATASET       1 " + (table.Name.Length > 0 ? Sanitise(table.Name) : "merged"));
            Rec("DCELL         1 " + string.Concat(cell.Select(F)));
            Rec(string.Format(inv, "DWAVEL        1 {0,10:0.00000}", table.Data.Wavelength));
            Rec("END");
            var history = table.Provenance.Take(30).ToList();
            Rec(string.Format(inv, "MTZHIST {0,3}", history.Count));
            foreach (var h in history) Rec(h);
            Rec("MTZENDOFHEADERS");
        }

        private static string Sanitise(string name)
        {
            var sb = new StringBuilder();
            foreach (char c in name) sb.Append(char.IsLetterOrDigit(c) || c == '_' || c == '-' || c == '.' ? c : '_');
            return sb.Length > 64 ? sb.ToString(0, 64) : sb.ToString();
        }

        private static string Num17(double v)
        {
            string s = v.ToString("0.#########", CultureInfo.InvariantCulture);
            if (s.Length > 17) s = v.ToString("G9", CultureInfo.InvariantCulture);
            return s;
        }
    }
}
