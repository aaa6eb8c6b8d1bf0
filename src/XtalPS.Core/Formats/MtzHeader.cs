using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using XtalPS.Lattices;

namespace XtalPS.Formats
{
    /// <summary>
    /// The parts of a CCP4 MTZ file that the unmerged (<see cref="MtzWriter"/>) and merged (<see cref="MergedMtzWriter"/>)
    /// writers share: the 80-byte prelude with the machine stamp and the header offset, and the 80-character header
    /// records from VERS to the history (CCP4 MTZ format, Winn et al. 2011, Acta Cryst D67:235). The writers fill in
    /// what differs (title, sort order, dataset name, batches) and add what only one of them has (batch headers).
    /// </summary>
    public sealed class MtzHeader
    {
        /// <summary>One column: label, MTZ type letter and the range of its values (NaN values excluded; min &gt; max when there were none).</summary>
        public readonly struct Column
        {
            public Column(string label, char type, double min, double max) { Label = label; Type = type; Min = min; Max = max; }
            public string Label { get; }
            public char Type { get; }
            public double Min { get; }
            public double Max { get; }
        }

        /// <summary>The text after "TITLE ".</summary>
        public string Title { get; set; } = "";
        public long Rows { get; set; }
        public double[] Cell { get; set; } = { 1, 1, 1, 90, 90, 90 };
        /// <summary>The five sort keys (column numbers, 0 = unsorted).</summary>
        public int[] Sort { get; set; } = { 0, 0, 0, 0, 0 };
        public SpaceGroup Group { get; set; } = SpaceGroup.FromNumber(1);
        /// <summary>The group's operators as CCP4 lists them: the primitive ones (one per rotation) first.</summary>
        public IReadOnlyList<SymmetryOperator> Operators { get; set; } = new[] { SymmetryOperator.Identity };
        public int PrimitiveCount { get; set; } = 1;
        /// <summary>The 1/d² range of the data (both 0 when unknown).</summary>
        public double MinS2 { get; set; }
        public double MaxS2 { get; set; }
        /// <summary>Columns in file order; the first three (H K L) belong to the base dataset 0, the rest to dataset 1.</summary>
        public IReadOnlyList<Column> Columns { get; set; } = Array.Empty<Column>();
        public string DatasetName { get; set; } = "";
        public double Wavelength { get; set; }
        public IReadOnlyList<int> BatchNumbers { get; set; } = Array.Empty<int>();
        /// <summary>History lines (at most 30 are written).</summary>
        public IReadOnlyList<string> History { get; set; } = Array.Empty<string>();

        /// <summary>The operators of <paramref name="group"/> in CCP4's order and how many of them are primitive.</summary>
        public static (SymmetryOperator[] Operators, int Primitive) CcpOrder(SpaceGroup group)
        {
            var prim = new List<SymmetryOperator>(); var rest = new List<SymmetryOperator>();
            foreach (var op in group.Operators)
            {
                bool seen = false;
                foreach (var p in prim) if (SameRotation(p, op)) { seen = true; break; }
                (seen ? rest : prim).Add(op);
            }
            int primitive = prim.Count;
            prim.AddRange(rest);
            return (prim.ToArray(), primitive);
        }

        private static bool SameRotation(SymmetryOperator a, SymmetryOperator b)
        {
            var ra = a.Rotation; var rb = b.Rotation;
            for (int i = 0; i < 9; i++) if (ra[i] != rb[i]) return false;
            return true;
        }

        /// <summary>Sets <see cref="Group"/>, <see cref="Operators"/> and <see cref="PrimitiveCount"/> from a space group.</summary>
        public void SetGroup(SpaceGroup group)
        {
            var (ops, primitive) = CcpOrder(group);
            Group = group; Operators = ops; PrimitiveCount = primitive;
        }

        /// <summary>
        /// The first 80 bytes: "MTZ ", the header's position in 4-byte words (1-based: 21 + rows·columns; −1 with the
        /// 64-bit position at byte 12 when it does not fit 32 bits or <paramref name="longForm"/> asks for it) and the
        /// machine stamp (0x4441 little-endian IEEE, 0x1111 big-endian).
        /// </summary>
        public static void WritePrelude(Stream target, long rows, int columns, bool bigEndian = false, bool longForm = false)
        {
            long headerWord = 21 + rows * columns;
            var pre = new byte[80];
            pre[0] = (byte)'M'; pre[1] = (byte)'T'; pre[2] = (byte)'Z'; pre[3] = (byte)' ';
            bool useLong = longForm || headerWord > int.MaxValue;
            var s = new Span<byte>(pre);
            if (bigEndian)
            {
                BinaryPrimitives.WriteInt32BigEndian(s.Slice(4), useLong ? -1 : (int)headerWord);
                if (useLong) BinaryPrimitives.WriteInt64BigEndian(s.Slice(12), headerWord);
                pre[8] = 0x11; pre[9] = 0x11;
            }
            else
            {
                BinaryPrimitives.WriteInt32LittleEndian(s.Slice(4), useLong ? -1 : (int)headerWord);
                if (useLong) BinaryPrimitives.WriteInt64LittleEndian(s.Slice(12), headerWord);
                pre[8] = 0x44; pre[9] = 0x41;
            }
            target.Write(pre, 0, pre.Length);
        }

        /// <summary>One 80-character ASCII record (longer text is cut, shorter padded with spaces).</summary>
        public static void Record(Stream target, string text)
        {
            if (text.Length > 80) text = text.Substring(0, 80);
            target.Write(Encoding.ASCII.GetBytes(text.PadRight(80)), 0, 80);
        }

        /// <summary>The records from VERS to the last history line; the caller adds batch headers (MTZBATS) and MTZENDOFHEADERS.</summary>
        public void WriteRecords(Stream target)
        {
            var inv = CultureInfo.InvariantCulture;
            void Rec(string text) => Record(target, text);
            string F(double v) => string.Format(inv, "{0,10:0.0000}", v);
            Rec("VERS MTZ:V1.1");
            Rec("TITLE " + Title);
            Rec(string.Format(inv, "NCOL {0,8} {1,12} {2,8}", Columns.Count, Rows, BatchNumbers.Count));
            Rec("CELL  " + string.Join(" ", Cell.Select(F)));
            Rec(string.Format(inv, "SORT {0,4}{1,4}{2,4}{3,4}{4,4}", Sort[0], Sort[1], Sort[2], Sort[3], Sort[4]));
            Rec(string.Format(inv, "SYMINF {0,3} {1,2} {2} {3,5} {4,22} PG{5}", Operators.Count, PrimitiveCount, Group.Centring, Group.Number,
                "'" + Group.HermannMauguin + "'", Group.PointGroup.Replace(" ", "")));
            foreach (var op in Operators) Rec("SYMM " + op.ToString().ToUpperInvariant());
            Rec(string.Format(inv, "RESO {0,-20:0.000000000000} {1,-20:0.000000000000}", MinS2, MaxS2));
            Rec("VALM NAN");
            for (int c = 0; c < Columns.Count; c++)
            {
                var col = Columns[c];
                bool any = col.Min <= col.Max;
                Rec(string.Format(inv, "COLUMN {0,-30} {1} {2,17} {3,17} {4,4}", col.Label, col.Type,
                    Num17(any ? col.Min : 0), Num17(any ? col.Max : 0), c < 3 ? 0 : 1));
            }
            Rec("NDIF        2");
            Rec("PROJECT       0 HKL_base");
            Rec("CRYSTAL       0 HKL_base");
            Rec("DATASET       0 HKL_base");
            Rec("DCELL         0 " + string.Concat(Cell.Select(F)));
            Rec("DWAVEL        0    0.00000");
            Rec("PROJECT       1 XtalPS");
            Rec("CRYSTAL       1 crystal");
            Rec("DATASET       1 " + DatasetName);
            Rec("DCELL         1 " + string.Concat(Cell.Select(F)));
            Rec(string.Format(inv, "DWAVEL        1 {0,10:0.00000}", Wavelength));
            for (int i = 0; i < BatchNumbers.Count; i += 12)
                Rec("BATCH " + string.Concat(BatchNumbers.Skip(i).Take(12).Select(b => string.Format(inv, "{0,6}", b))));
            Rec("END");
            var history = History.Take(30).ToList();
            Rec(string.Format(inv, "MTZHIST {0,3}", history.Count));
            foreach (var h in history) Rec(h);
        }

        /// <summary>The last record of the header.</summary>
        public static void WriteEnd(Stream target) => Record(target, "MTZENDOFHEADERS");

        /// <summary>A column limit in at most 17 characters.</summary>
        private static string Num17(double v)
        {
            string s = v.ToString("0.#########", CultureInfo.InvariantCulture);
            if (s.Length > 17) s = v.ToString("G9", CultureInfo.InvariantCulture);
            return s;
        }
    }
}
