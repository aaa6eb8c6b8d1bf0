using System;
using XtalPS.Geometry;

namespace XtalPS.Lattices
{
    /// <summary>
    /// Unit-cell parameters under the constraints of a lattice system (hexagonal: a, c; tetragonal: a, c;
    /// orthorhombic: a, b, c; monoclinic: a, b, c and the non-right angle; triclinic: all six; rhombohedral: a, α;
    /// cubic: a), with the analytic derivatives of the B matrix (cctbx setting) with respect to them. The one cell
    /// parameterisation of XtalPS: indexing refines the cell of a space group through it, metrology the cell of a
    /// lattice system.
    /// </summary>
    /// <remarks>
    /// The six cell constants are a linear function of the free parameters: cell = M·p + c0. Edges in Å, angles in
    /// degrees. DIALS constrains the reciprocal metric tensor instead (Sauter et al. 2014); for refinement both span
    /// the same cells.
    /// </remarks>
    internal sealed class CellParameterisation
    {
        private readonly double[,] _m;   // 6 × Count
        private readonly double[] _c0;   // 6

        /// <summary>
        /// The free parameters of a space group's lattice system at <paramref name="cell"/> made to obey it
        /// (<see cref="SpaceGroup.ConstrainCell"/>): the monoclinic angle on the group's unique axis, and a, c on hexagonal
        /// axes for R-centred settings.
        /// </summary>
        public CellParameterisation(SpaceGroup group, UnitCell cell)
        {
            var c = group.ConstrainCell(cell);
            _c0 = new double[6];
            switch (group.LatticeSystem)
            {
                case LatticeSystem.Triclinic:
                    System = LatticeSystem.Triclinic;
                    _m = Map(new[] { 0, 1, 2, 3, 4, 5 }, 6);
                    Values = c.ToArray();
                    break;
                case LatticeSystem.Monoclinic:
                {
                    System = LatticeSystem.Monoclinic;
                    int unique = group.UniqueAxis == 0 ? 3 : group.UniqueAxis == 2 ? 5 : 4;
                    Values = new[] { c.A, c.B, c.C, unique == 3 ? c.Alpha : unique == 5 ? c.Gamma : c.Beta };
                    _m = Monoclinic(unique, _c0);
                    break;
                }
                case LatticeSystem.Rhombohedral when group.Centring != 'R':
                    System = LatticeSystem.Rhombohedral;
                    _m = Map(new[] { 0, 0, 0, 1, 1, 1 }, 2);
                    Values = new[] { c.A, c.Alpha };
                    break;
                case LatticeSystem.Rhombohedral:
                case LatticeSystem.Hexagonal:
                    System = LatticeSystem.Hexagonal; // R-centred groups on hexagonal axes
                    _m = Map(new[] { 0, 0, 1, -1, -1, -1 }, 2); _c0[3] = _c0[4] = 90; _c0[5] = 120;
                    Values = new[] { c.A, c.C };
                    break;
                case LatticeSystem.Tetragonal:
                    System = LatticeSystem.Tetragonal;
                    _m = Map(new[] { 0, 0, 1, -1, -1, -1 }, 2); _c0[3] = _c0[4] = _c0[5] = 90;
                    Values = new[] { c.A, c.C };
                    break;
                case LatticeSystem.Orthorhombic:
                    System = LatticeSystem.Orthorhombic;
                    _m = Map(new[] { 0, 1, 2, -1, -1, -1 }, 3); _c0[3] = _c0[4] = _c0[5] = 90;
                    Values = new[] { c.A, c.B, c.C };
                    break;
                default:
                    System = LatticeSystem.Cubic;
                    _m = Map(new[] { 0, 0, 0, -1, -1, -1 }, 1); _c0[3] = _c0[4] = _c0[5] = 90;
                    Values = new[] { c.A };
                    break;
            }
            Count = Values.Length;
        }

        /// <summary>The free parameters of a lattice system at <paramref name="cell"/> (averaged where the system ties
        /// constants together); the monoclinic unique axis is the one whose angle is furthest from 90°.</summary>
        public CellParameterisation(LatticeSystem system, UnitCell cell)
        {
            System = system;
            _c0 = new double[6];
            switch (system)
            {
                case LatticeSystem.Cubic:
                    _m = Map(new[] { 0, 0, 0, -1, -1, -1 }, 1); _c0[3] = _c0[4] = _c0[5] = 90;
                    Values = new[] { (cell.A + cell.B + cell.C) / 3 };
                    break;
                case LatticeSystem.Tetragonal:
                    _m = Map(new[] { 0, 0, 1, -1, -1, -1 }, 2); _c0[3] = _c0[4] = _c0[5] = 90;
                    Values = new[] { (cell.A + cell.B) / 2, cell.C };
                    break;
                case LatticeSystem.Hexagonal:
                    _m = Map(new[] { 0, 0, 1, -1, -1, -1 }, 2); _c0[3] = _c0[4] = 90; _c0[5] = 120;
                    Values = new[] { (cell.A + cell.B) / 2, cell.C };
                    break;
                case LatticeSystem.Rhombohedral:
                    _m = Map(new[] { 0, 0, 0, 1, 1, 1 }, 2);
                    Values = new[] { (cell.A + cell.B + cell.C) / 3, (cell.Alpha + cell.Beta + cell.Gamma) / 3 };
                    break;
                case LatticeSystem.Orthorhombic:
                    _m = Map(new[] { 0, 1, 2, -1, -1, -1 }, 3); _c0[3] = _c0[4] = _c0[5] = 90;
                    Values = new[] { cell.A, cell.B, cell.C };
                    break;
                case LatticeSystem.Monoclinic:
                {
                    // The unique axis is the one whose angle is furthest from 90° (b for the usual settings).
                    double da = Math.Abs(cell.Alpha - 90), db = Math.Abs(cell.Beta - 90), dg = Math.Abs(cell.Gamma - 90);
                    int unique = db >= da && db >= dg ? 4 : da >= dg ? 3 : 5;
                    _m = Monoclinic(unique, _c0);
                    Values = new[] { cell.A, cell.B, cell.C, unique == 3 ? cell.Alpha : unique == 4 ? cell.Beta : cell.Gamma };
                    break;
                }
                default:
                    _m = Map(new[] { 0, 1, 2, 3, 4, 5 }, 6);
                    Values = cell.ToArray();
                    break;
            }
            Count = Values.Length;
        }

        private CellParameterisation(CellParameterisation other, double[] values)
        {
            System = other.System; _m = other._m; _c0 = other._c0; Values = values; Count = values.Length;
        }

        /// <summary>a, b, c and the angle at cell-constant index <paramref name="unique"/> (3 α, 4 β, 5 γ); the other two at 90°.</summary>
        private static double[,] Monoclinic(int unique, double[] c0)
        {
            var idx = new[] { 0, 1, 2, -1, -1, -1 };
            idx[unique] = 3;
            for (int i = 3; i < 6; i++) if (i != unique) c0[i] = 90;
            return Map(idx, 4);
        }

        private static double[,] Map(int[] paramOfCellConstant, int count)
        {
            var m = new double[6, count];
            for (int i = 0; i < 6; i++) if (paramOfCellConstant[i] >= 0) m[i, paramOfCellConstant[i]] = 1;
            return m;
        }

        public LatticeSystem System { get; }
        public int Count { get; }
        /// <summary>Current free parameters (Å, degrees).</summary>
        public double[] Values { get; }

        /// <summary>A copy with the parameters moved by <paramref name="step"/>.</summary>
        public CellParameterisation Shifted(ReadOnlySpan<double> step)
        {
            var v = (double[])Values.Clone();
            for (int i = 0; i < v.Length; i++) v[i] += step[i];
            return new CellParameterisation(this, v);
        }

        /// <summary>The six cell constants of the current parameters.</summary>
        public double[] CellConstants() => CellConstants(Values);

        /// <summary>The six cell constants of free parameters <paramref name="values"/>.</summary>
        public double[] CellConstants(ReadOnlySpan<double> values)
        {
            var c = (double[])_c0.Clone();
            for (int i = 0; i < 6; i++)
                for (int j = 0; j < Count; j++) c[i] += _m[i, j] * values[j];
            return c;
        }

        /// <summary>The cell; throws <see cref="ArgumentException"/> when the parameters do not make one.</summary>
        public UnitCell Cell => CellAt(Values);

        /// <summary>The cell of free parameters <paramref name="values"/>; throws <see cref="ArgumentException"/> when they do not make one.</summary>
        public UnitCell CellAt(ReadOnlySpan<double> values)
        {
            var c = CellConstants(values);
            return new UnitCell(c[0], c[1], c[2], c[3], c[4], c[5]);
        }

        /// <summary>B (columns a*, b*, c*, 1/Å) and its derivatives with respect to each free parameter.</summary>
        public Mat3 BMatrix(Span<Mat3> derivatives)
        {
            var c = CellConstants();
            var b = BWithDerivatives(c[0], c[1], c[2], c[3], c[4], c[5], out var dCell);
            for (int j = 0; j < Count; j++)
            {
                var d = new Mat3(0, 0, 0, 0, 0, 0, 0, 0, 0);
                for (int i = 0; i < 6; i++) if (_m[i, j] != 0) d = Add(d, dCell[i] * _m[i, j]);
                derivatives[j] = d;
            }
            return b;
        }

        private static Mat3 Add(Mat3 a, Mat3 b) => new Mat3(a.M11 + b.M11, a.M12 + b.M12, a.M13 + b.M13, a.M21 + b.M21, a.M22 + b.M22,
            a.M23 + b.M23, a.M31 + b.M31, a.M32 + b.M32, a.M33 + b.M33);

        /// <summary>
        /// B = O⁻ᵀ for the cctbx orthogonalisation O (a along x, b in the xy plane) and ∂B/∂(a, b, c, α, β, γ)
        /// with angles in degrees: ∂B = −B·(∂O)ᵀ·B.
        /// </summary>
        internal static Mat3 BWithDerivatives(double a, double b, double c, double alphaDeg, double betaDeg, double gammaDeg, out Mat3[] dB)
        {
            const double r = Math.PI / 180;
            double ca = Math.Cos(alphaDeg * r), sa = Math.Sin(alphaDeg * r);
            double cb = Math.Cos(betaDeg * r), sb = Math.Sin(betaDeg * r);
            double cg = Math.Cos(gammaDeg * r), sg = Math.Sin(gammaDeg * r);
            double f = 1 - ca * ca - cb * cb - cg * cg + 2 * ca * cb * cg;
            double rf = Math.Sqrt(f);
            var o = new Mat3(a, b * cg, c * cb, 0, b * sg, c * (ca - cb * cg) / sg, 0, 0, c * rf / sg);
            var bm = o.Inverse().Transpose();
            double dfa = 2 * sa * (ca - cb * cg), dfb = 2 * sb * (cb - ca * cg), dfg = 2 * sg * (cg - ca * cb);
            var dO = new Mat3[6];
            dO[0] = new Mat3(1, 0, 0, 0, 0, 0, 0, 0, 0);
            dO[1] = new Mat3(0, cg, 0, 0, sg, 0, 0, 0, 0);
            dO[2] = new Mat3(0, 0, cb, 0, 0, (ca - cb * cg) / sg, 0, 0, rf / sg);
            dO[3] = new Mat3(0, 0, 0, 0, 0, -c * sa / sg, 0, 0, c * dfa / (2 * rf * sg)) * r;
            dO[4] = new Mat3(0, 0, -c * sb, 0, 0, c * sb * cg / sg, 0, 0, c * dfb / (2 * rf * sg)) * r;
            dO[5] = new Mat3(0, -b * sg, 0, 0, b * cg, c * (cb - ca * cg) / (sg * sg), 0, 0, c * (dfg / (2 * rf) * sg - rf * cg) / (sg * sg)) * r;
            dB = new Mat3[6];
            for (int i = 0; i < 6; i++) dB[i] = (bm * dO[i].Transpose() * bm) * -1.0;
            return bm;
        }
    }
}
