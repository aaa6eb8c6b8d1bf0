using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using XtalPS.Geometry;
using XtalPS.Integration;
using XtalPS.Lattices;

namespace XtalPS.Formats
{
    /// <summary>
    /// Writes reflection tables as one unmerged CCP4 MTZ file (formats.md §3): the columns of
    /// <see cref="ReflectionFileColumns"/> (H K L M/ISYM BATCH I SIGI and the fit and background values), one batch
    /// header per image (cell, orientation, wavelength, detector limits), SYMINF/SYMM for P 1 (indices are as
    /// measured, M/ISYM = 1), column ranges, RESO and VALM NAN.
    /// </summary>
    /// <remarks>
    /// The cell: a crystal lattice's unit cell. A planar (2D) lattice has no cell in Å by itself; XtalPS converts its
    /// basis in px to reciprocal Å with the small-angle camera constant pixel size / (distance·λ) of panel 0, takes the
    /// 2D real cell a = 1/(a*·sin γ*), b = 1/(b*·sin γ*), γ = 180° − γ*, and sets c = 100 Å, α = β = 90° (L is 0 for
    /// every reflection, so c never enters 1/d²). Without an image the cell is 1 1 1 90 90 90.
    /// </remarks>
    public sealed class MtzWriter : ReflectionFileWriter
    {
        /// <summary>Nominal c (Å) written for planar lattices.</summary>
        public const double PlanarCellC = 100;

        private readonly IReadOnlyList<ReflectionFileColumns.Column> _columns = ReflectionFileColumns.All;
        private readonly double[] _min, _max;
        private readonly List<MtzBatch> _batches = new List<MtzBatch>();
        private readonly byte[] _row;
        private double[]? _cell;
        private double _wavelength;
        private double _minRes = double.PositiveInfinity, _maxRes = double.NegativeInfinity;
        private readonly List<string> _notes = new List<string>();

        public MtzWriter(string path) : base(path)
        {
            _min = Enumerable.Repeat(double.PositiveInfinity, _columns.Count).ToArray();
            _max = Enumerable.Repeat(double.NegativeInfinity, _columns.Count).ToArray();
            _row = new byte[4 * _columns.Count];
        }

        /// <summary>Write big-endian numbers (for tests of readers; real files are little-endian).</summary>
        public bool BigEndian { get; set; }
        /// <summary>Always use the 64-bit header offset form (header word −1), as files over 8 GB must.</summary>
        public bool LongHeaderOffset { get; set; }
        public string Title { get; set; } = "XtalPS reflections";

        public override int Add(ReflectionTable table)
        {
            if (table == null) throw new ArgumentNullException(nameof(table));
            int number = _batches.Count == 0 ? 1 : _batches.Max(b => b.Number) + 1;
            var lattice = table.RefinedLattice ?? table.Lattice;
            var cell = CellOf(lattice, table.Image);
            if (_cell == null) { _cell = cell; _wavelength = table.Image?.Wavelength ?? 0; }
            if (lattice is CrystalLattice cl && cl.SpaceGroup != "P1" && cl.SpaceGroup != "P 1" && _notes.Count < 20)
                _notes.Add($"Space group {cl.SpaceGroup} of batch {number} written as P 1 (unmerged, indices as measured)");
            Mat3? b = null;
            try { b = new UnitCell(cell[0], cell[1], cell[2], cell[3], cell[4], cell[5]).BMatrix; } catch (ArgumentException) { }
            foreach (var r in table.Reflections)
            {
                for (int c = 0; c < _columns.Count; c++)
                {
                    double v = _columns[c].Label == "BATCH" ? number : _columns[c].Get(r);
                    float f = (float)v;
                    if (!float.IsNaN(f)) { if (f < _min[c]) _min[c] = f; if (f > _max[c]) _max[c] = f; }
                    int bits = MtzReader.SingleToInt32Bits(f);
                    if (BigEndian) BinaryPrimitives.WriteInt32BigEndian(new Span<byte>(_row, 4 * c, 4), bits);
                    else BinaryPrimitives.WriteInt32LittleEndian(new Span<byte>(_row, 4 * c, 4), bits);
                }
                Scratch.Write(_row, 0, _row.Length);
                if (b.HasValue && (r.H != 0 || r.K != 0 || r.L != 0))
                {
                    var q = b.Value * new Vec3(r.H, r.K, r.L);
                    double s2 = q.Dot(q);
                    if (s2 < _minRes) _minRes = s2;
                    if (s2 > _maxRes) _maxRes = s2;
                }
                RowCount++;
            }
            _batches.Add(BatchHeader(number, table, lattice, cell));
            TableCount++;
            return number;
        }

        /// <summary>Copies every row and batch header of an existing XtalPS MTZ file (for appending); its cell is kept.</summary>
        public void AddExisting(MtzFile file)
        {
            if (file.Columns.Count != _columns.Count || file.Columns.Select(c => c.Label).Where((l, i) => !string.Equals(l, _columns[i].Label, StringComparison.OrdinalIgnoreCase)).Any())
                throw new InvalidOperationException("The existing MTZ file does not have the XtalPS reflection columns; cannot append to it.");
            if (_cell == null) { _cell = (double[])file.Cell.Clone(); _wavelength = file.Datasets.FirstOrDefault(d => d.Id == 1)?.Wavelength ?? 0; }
            int n = _columns.Count;
            for (int r = 0; r < file.ReflectionCount; r++)
            {
                for (int c = 0; c < n; c++)
                {
                    float f = file.Data[(long)r * n + c];
                    if (!float.IsNaN(f)) { if (f < _min[c]) _min[c] = f; if (f > _max[c]) _max[c] = f; }
                    int bits = MtzReader.SingleToInt32Bits(f);
                    if (BigEndian) BinaryPrimitives.WriteInt32BigEndian(new Span<byte>(_row, 4 * c, 4), bits);
                    else BinaryPrimitives.WriteInt32LittleEndian(new Span<byte>(_row, 4 * c, 4), bits);
                }
                Scratch.Write(_row, 0, _row.Length);
                RowCount++;
            }
            if (file.MinReciprocalResolution > 0 && file.MinReciprocalResolution < _minRes) _minRes = file.MinReciprocalResolution;
            if (file.MaxReciprocalResolution > _maxRes) _maxRes = file.MaxReciprocalResolution;
            _batches.AddRange(file.Batches);
            TableCount += file.Batches.Count;
        }

        private static MtzBatch BatchHeader(int number, ReflectionTable table, Lattice? lattice, double[] cell)
        {
            var bh = MtzBatch.Create(number);
            string title = $"{table.Stage}: {table.ImageName}";
            bh.Title = title.Length > 70 ? title.Substring(0, 70) : title;
            bh.Ints[12] = 1;                                   // ncryst
            bh.Ints[14] = lattice is PlanarLattice ? 1 : 2;    // ldtype: 1 = 2D, 2 = 3D
            bh.Ints[19] = 1;                                   // ndet
            bh.Ints[20] = 1;                                   // dataset id
            for (int i = 0; i < 6; i++) bh.Floats[i] = (float)cell[i];
            var u = lattice is CrystalLattice cl ? cl.Orientation : Mat3.Identity;
            var ua = u.ToArray();
            for (int c = 0; c < 3; c++) for (int r = 0; r < 3; r++) bh.Floats[6 + c * 3 + r] = (float)ua[r * 3 + c]; // column-major
            bh.Floats[43] = 1;                                 // scale
            var image = table.Image;
            if (image != null)
            {
                var toSource = image.Beam.Direction;
                bh.Floats[80] = bh.Floats[83] = (float)toSource.X;
                bh.Floats[81] = bh.Floats[84] = (float)toSource.Y;
                bh.Floats[82] = bh.Floats[85] = (float)toSource.Z;
                bh.Floats[86] = (float)image.Wavelength;
                bh.Floats[111] = (float)image.Detector.Distance;
                var p = image.PanelImages[0];
                bh.Floats[113] = 0; bh.Floats[114] = p.Width; bh.Floats[115] = 0; bh.Floats[116] = p.Height;
            }
            return bh;
        }

        /// <summary>The cell written for a lattice (see the class remarks for planar lattices).</summary>
        public static double[] CellOf(Lattice? lattice, Imaging.DiffractionImage? image)
        {
            if (lattice is CrystalLattice cl) return cl.UnitCell.ToArray();
            if (lattice is PlanarLattice pl && image != null)
            {
                double k = image.Detector.Panels[0].PixelSize / (image.Detector.Distance * image.Wavelength);
                double astar = pl.A.Length * k, bstar = pl.B.Length * k, gstar = pl.A.AngleTo(pl.B) * Math.PI / 180;
                double a = 1 / (astar * Math.Sin(gstar)), b = 1 / (bstar * Math.Sin(gstar)), g = 180 - gstar * 180 / Math.PI;
                if (a > 0 && b > 0 && !double.IsInfinity(a) && !double.IsInfinity(b) && g > 0 && g < 180)
                    return new[] { a, b, PlanarCellC, 90, 90, g };
            }
            return new double[] { 1, 1, 1, 90, 90, 90 };
        }

        protected override void WriteStart(Stream target)
        {
            long rows = RowCount;
            long headerWord = 21 + rows * _columns.Count;
            var pre = new byte[80];
            pre[0] = (byte)'M'; pre[1] = (byte)'T'; pre[2] = (byte)'Z'; pre[3] = (byte)' ';
            bool longForm = LongHeaderOffset || headerWord > int.MaxValue;
            var s = new Span<byte>(pre);
            if (BigEndian)
            {
                BinaryPrimitives.WriteInt32BigEndian(s.Slice(4), longForm ? -1 : (int)headerWord);
                if (longForm) BinaryPrimitives.WriteInt64BigEndian(s.Slice(12), headerWord);
                pre[8] = 0x11; pre[9] = 0x11;
            }
            else
            {
                BinaryPrimitives.WriteInt32LittleEndian(s.Slice(4), longForm ? -1 : (int)headerWord);
                if (longForm) BinaryPrimitives.WriteInt64LittleEndian(s.Slice(12), headerWord);
                pre[8] = 0x44; pre[9] = 0x41;
            }
            target.Write(pre, 0, pre.Length);
        }

        protected override void WriteEnd(Stream target)
        {
            var inv = CultureInfo.InvariantCulture;
            var cell = _cell ?? new double[] { 1, 1, 1, 90, 90, 90 };
            void Rec(string text)
            {
                if (text.Length > 80) text = text.Substring(0, 80);
                var bytes = Encoding.ASCII.GetBytes(text.PadRight(80));
                target.Write(bytes, 0, 80);
            }
            string F(double v) => string.Format(inv, "{0,10:0.0000}", v);
            Rec("VERS MTZ:V1.1");
            Rec("TITLE " + Title);
            Rec(string.Format(inv, "NCOL {0,8} {1,12} {2,8}", _columns.Count, RowCount, _batches.Count));
            Rec("CELL  " + string.Join(" ", cell.Select(F)));
            Rec("SORT    0   0   0   0   0");
            Rec("SYMINF   1  1 P     1                 'P 1' PG1");
            Rec("SYMM X,  Y,  Z");
            double lo = _minRes <= _maxRes ? _minRes : 0, hi = _minRes <= _maxRes ? _maxRes : 0;
            Rec(string.Format(inv, "RESO {0,-20:0.000000000000} {1,-20:0.000000000000}", lo, hi));
            Rec("VALM NAN");
            for (int c = 0; c < _columns.Count; c++)
            {
                bool any = _min[c] <= _max[c];
                int ds = c < 3 ? 0 : 1;
                Rec(string.Format(inv, "COLUMN {0,-30} {1} {2,17} {3,17} {4,4}", _columns[c].Label, _columns[c].MtzType,
                    Num17(any ? _min[c] : 0), Num17(any ? _max[c] : 0), ds));
            }
            Rec("NDIF        2");
            Rec("PROJECT       0 HKL_base");
            Rec("CRYSTAL       0 HKL_base");
            Rec("DATASET       0 HKL_base");
            Rec("DCELL         0 " + string.Concat(cell.Select(F)));
            Rec("DWAVEL        0    0.00000");
            Rec("PROJECT       1 XtalPS");
            Rec("CRYSTAL       1 crystal");
            Rec("DATASET       1 images");
            Rec("DCELL         1 " + string.Concat(cell.Select(F)));
            Rec(string.Format(inv, "DWAVEL        1 {0,10:0.00000}", _wavelength));
            for (int i = 0; i < _batches.Count; i += 12)
                Rec("BATCH " + string.Concat(_batches.Skip(i).Take(12).Select(b => string.Format(inv, "{0,6}", b.Number))));
            Rec("END");
            var history = new List<string> { "From XtalPS Export-ReflectionTable" };
            history.AddRange(_notes);
            Rec(string.Format(inv, "MTZHIST {0,3}", Math.Min(30, history.Count)));
            foreach (var h in history.Take(30)) Rec(h);
            if (_batches.Count > 0)
            {
                Rec("MTZBATS");
                var word = new byte[4];
                foreach (var b in _batches)
                {
                    Rec(string.Format(inv, "BH {0,8} {1,7} {2,7} {3,7}", b.Number, MtzBatch.IntWords + MtzBatch.RealWords, MtzBatch.IntWords, MtzBatch.RealWords));
                    Rec("TITLE " + b.Title);
                    for (int i = 0; i < MtzBatch.IntWords + MtzBatch.RealWords; i++)
                    {
                        int v = i < MtzBatch.IntWords ? b.Ints[i] : MtzReader.SingleToInt32Bits(b.Floats[i - MtzBatch.IntWords]);
                        if (BigEndian) BinaryPrimitives.WriteInt32BigEndian(word, v); else BinaryPrimitives.WriteInt32LittleEndian(word, v);
                        target.Write(word, 0, 4);
                    }
                    Rec("BHCH  " + string.Join(" ", b.Axes.Select(a => (a ?? "").PadRight(7).Substring(0, 7))));
                }
            }
            Rec("MTZENDOFHEADERS");
        }

        private static string Num17(double v)
        {
            string s = v.ToString("0.#########", CultureInfo.InvariantCulture);
            if (s.Length > 17) s = v.ToString("G9", CultureInfo.InvariantCulture);
            return s;
        }
    }
}
