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
    /// Writes reflection tables as one unmerged CCP4 MTZ file (the CCP4 MTZ format, Winn et al. 2011, Acta Cryst D67:235): the columns of
    /// <see cref="ReflectionFileColumns"/> (H K L M/ISYM BATCH I SIGI and the fit and background values), one batch
    /// header per image (cell, orientation U, wavelength, detector limits), SYMINF/SYMM with the space group of the
    /// first crystal lattice (P 1 for planar lattices), column ranges, RESO and VALM NAN.
    /// </summary>
    /// <remarks>
    /// Unmerged files follow CCP4's convention: H K L hold the reflection's representative in the asymmetric unit
    /// (<see cref="SpaceGroup.MapToAsymmetricUnit"/>) and M/ISYM = 2i − 1 when h_asu = h·Rᵢ, 2i when h_asu = −h·Rᵢ,
    /// where Rᵢ is the i-th primitive operator as listed in SYMM; readers (including <see cref="ReflectionFileReader"/>)
    /// undo it to get the indices as measured. The orientation is written as XtalPS holds it: U = A·B⁻¹ in the
    /// DIALS laboratory frame (not rotated into a CCP4 camera frame).
    /// </remarks>
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
        private SpaceGroup? _group;
        private SymmetryOperator[] _ops = { SymmetryOperator.Identity };
        private int _primitive = 1;
        private readonly int _hCol, _kCol, _lCol, _isymCol;

        public MtzWriter(string path) : base(path)
        {
            _min = Enumerable.Repeat(double.PositiveInfinity, _columns.Count).ToArray();
            _max = Enumerable.Repeat(double.NegativeInfinity, _columns.Count).ToArray();
            _row = new byte[4 * _columns.Count];
            int Col(string label) { for (int c = 0; c < _columns.Count; c++) if (_columns[c].Label == label) return c; return -1; }
            _hCol = Col("H"); _kCol = Col("K"); _lCol = Col("L"); _isymCol = Col("M/ISYM");
        }

        /// <summary>The space group written (fixed by the first table or the file appended to).</summary>
        public SpaceGroup SpaceGroup => _group ?? SpaceGroup.FromNumber(1);

        /// <summary>Fixes the file's space group: its primitive operators (one per rotation) first, as CCP4 lists them.</summary>
        private void SetGroup(SpaceGroup group)
        {
            _group = group;
            (_ops, _primitive) = MtzHeader.CcpOrder(group);
        }

        /// <summary>The asymmetric-unit index of h and CCP4's ISYM number for it (see the class remarks).</summary>
        public static (int H, int K, int L, int Isym) ToAsymmetricUnit(SpaceGroup group, IReadOnlyList<SymmetryOperator> primitiveOperators, int h, int k, int l)
        {
            var asu = group.MapToAsymmetricUnit(h, k, l);
            for (int i = 0; i < primitiveOperators.Count; i++)
            {
                var e = primitiveOperators[i].ApplyToIndex(h, k, l);
                if (e == asu) return (asu.H, asu.K, asu.L, 2 * i + 1);
                if (e.H == -asu.H && e.K == -asu.K && e.L == -asu.L) return (asu.H, asu.K, asu.L, 2 * i + 2);
            }
            return (h, k, l, 1); // not reachable for a closed group; keep the index as measured
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
            var cell = CellOf(lattice, table.Source);
            if (_cell == null) { _cell = cell; _wavelength = table.Source?.Beam.Wavelength ?? 0; }
            var tableGroup = (lattice as CrystalLattice)?.Symmetry ?? SpaceGroup.FromNumber(1);
            if (_group == null) SetGroup(tableGroup);
            else if (!_group.Equals(tableGroup) && _notes.Count < 20)
                _notes.Add($"Batch {number} ({tableGroup.Symbol}) mapped to the asymmetric unit of {_group.Symbol}");
            var primitive = new ArraySegment<SymmetryOperator>(_ops, 0, _primitive);
            Mat3? b = null;
            try { b = new UnitCell(cell[0], cell[1], cell[2], cell[3], cell[4], cell[5]).BMatrix; } catch (ArgumentException) { }
            foreach (var r in table.Reflections)
            {
                var (ah, ak, al, isym) = ToAsymmetricUnit(_group!, primitive, r.H, r.K, r.L);
                for (int c = 0; c < _columns.Count; c++)
                {
                    double v = c == _hCol ? ah : c == _kCol ? ak : c == _lCol ? al : c == _isymCol ? isym
                        : _columns[c].Label == "BATCH" ? number : _columns[c].Get(r);
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
            if (_group == null) SetGroup(GroupOf(file));
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

        /// <summary>The space group a file declares: its SYMM operators matched against the table (P 1 when none is found).</summary>
        public static SpaceGroup GroupOf(MtzFile file)
        {
            var ops = new HashSet<SymmetryOperator>();
            foreach (var t in file.SymmetryOperators)
            {
                try { ops.Add(SymmetryOperator.Parse(t)); } catch (FormatException) { return SpaceGroup.FromNumber(1); }
            }
            if (ops.Count <= 1) return SpaceGroup.FromNumber(1);
            if (SpaceGroup.TryParse(file.SpaceGroupName, out var named) && named != null && named.Operators.Count == ops.Count && named.Operators.All(ops.Contains)) return named;
            foreach (var g in SpaceGroup.All)
                if (g.Number == file.SpaceGroupNumber && g.Operators.Count == ops.Count && g.Operators.All(ops.Contains)) return g;
            foreach (var g in SpaceGroup.All)
                if (g.Operators.Count == ops.Count && g.Operators.All(ops.Contains)) return g;
            return SpaceGroup.FromNumber(1);
        }

        private static MtzBatch BatchHeader(int number, ReflectionTable table, Lattice? lattice, double[] cell)
        {
            var bh = MtzBatch.Create(number);
            bh.Title = BatchTitle(table.Stage, table.ImageName);
            bh.Ints[12] = 1;                                   // ncryst
            bh.Ints[14] = lattice is PlanarLattice ? 1 : 2;    // ldtype: 1 = 2D, 2 = 3D
            bh.Ints[19] = 1;                                   // ndet
            bh.Ints[20] = 1;                                   // dataset id
            for (int i = 0; i < 6; i++) bh.Floats[i] = (float)cell[i];
            var u = lattice is CrystalLattice cl ? cl.Orientation : Mat3.Identity;
            var ua = u.ToArray();
            for (int c = 0; c < 3; c++) for (int r = 0; r < 3; r++) bh.Floats[6 + c * 3 + r] = (float)ua[r * 3 + c]; // column-major
            bh.Floats[43] = 1;                                 // scale
            var image = table.Source;
            if (image != null)
            {
                var toSource = image.Beam.Direction;
                bh.Floats[80] = bh.Floats[83] = (float)toSource.X;
                bh.Floats[81] = bh.Floats[84] = (float)toSource.Y;
                bh.Floats[82] = bh.Floats[85] = (float)toSource.Z;
                bh.Floats[86] = (float)image.Beam.Wavelength;
                bh.Floats[111] = (float)image.Detector.Distance;
                var p = image.Detector.Panels[0];
                bh.Floats[113] = 0; bh.Floats[114] = p.Width; bh.Floats[115] = 0; bh.Floats[116] = p.Height;
            }
            return bh;
        }

        /// <summary>"Stage: image name" in the 70 characters of an MTZ batch title; a name too long keeps its end (frame
        /// numbers and extensions tell images apart), marked with "...".</summary>
        public static string BatchTitle(string stage, string imageName)
        {
            const int max = 70;
            string title = $"{stage}: {imageName}";
            if (title.Length <= max) return title;
            int keep = max - stage.Length - 5;
            return keep > 8 ? $"{stage}: ...{imageName.Substring(imageName.Length - keep)}" : title.Substring(0, max);
        }

        /// <summary>The cell written for a lattice (see the class remarks for planar lattices).</summary>
        public static double[] CellOf(Lattice? lattice, Imaging.ImageSource? image)
        {
            if (lattice is CrystalLattice cl) return cl.UnitCell.ToArray();
            if (lattice is PlanarLattice pl && image != null)
            {
                double k = image.Detector.Panels[0].PixelSize / (image.Detector.Distance * image.Beam.Wavelength);
                double astar = pl.A.Length * k, bstar = pl.B.Length * k, gstar = pl.A.AngleTo(pl.B) * Math.PI / 180;
                double a = 1 / (astar * Math.Sin(gstar)), b = 1 / (bstar * Math.Sin(gstar)), g = 180 - gstar * 180 / Math.PI;
                if (a > 0 && b > 0 && !double.IsInfinity(a) && !double.IsInfinity(b) && g > 0 && g < 180)
                    return new[] { a, b, PlanarCellC, 90, 90, g };
            }
            return new double[] { 1, 1, 1, 90, 90, 90 };
        }

        protected override void WriteStart(Stream target) =>
            MtzHeader.WritePrelude(target, RowCount, _columns.Count, BigEndian, LongHeaderOffset);

        protected override void WriteEnd(Stream target)
        {
            var inv = CultureInfo.InvariantCulture;
            void Rec(string text) => MtzHeader.Record(target, text);
            var history = new List<string> { "From XtalPS Export-ReflectionTable" };
            history.AddRange(_notes);
            bool any = _minRes <= _maxRes;
            var header = new MtzHeader
            {
                Title = Title,
                Rows = RowCount,
                Cell = _cell ?? new double[] { 1, 1, 1, 90, 90, 90 },
                Group = SpaceGroup, Operators = _ops, PrimitiveCount = _primitive,
                MinS2 = any ? _minRes : 0, MaxS2 = any ? _maxRes : 0,
                Columns = _columns.Select((c, i) => new MtzHeader.Column(c.Label, c.MtzType, _min[i], _max[i])).ToArray(),
                DatasetName = "images",
                Wavelength = _wavelength,
                BatchNumbers = _batches.Select(b => b.Number).ToArray(),
                History = history,
            };
            header.WriteRecords(target);
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
            MtzHeader.WriteEnd(target);
        }
    }
}
