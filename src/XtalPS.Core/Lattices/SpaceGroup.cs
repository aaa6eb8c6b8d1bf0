using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using XtalPS.Geometry;

namespace XtalPS.Lattices
{
    /// <summary>The seven crystal systems.</summary>
    public enum CrystalSystem { Triclinic, Monoclinic, Orthorhombic, Tetragonal, Trigonal, Hexagonal, Cubic }

    /// <summary>The seven lattice systems (trigonal P groups have a hexagonal lattice; R groups a rhombohedral one).</summary>
    public enum LatticeSystem { Triclinic, Monoclinic, Orthorhombic, Tetragonal, Rhombohedral, Hexagonal, Cubic }

    /// <summary>
    /// A space group in a given setting: its symmetry operators, centring, point and Laue groups, lattice system,
    /// systematic absences, equivalent reflections, and the constraints its lattice puts on the cell.
    /// </summary>
    /// <remarks>
    /// Look groups up with <see cref="Parse"/>: Hermann–Mauguin symbols with or without spaces ("P 43 21 2",
    /// "P43212", "P 1 21/c 1", "P21/c", "C 2", "R 3:R", "H 3", "F d -3 m:2"), numbers ("96"), or Hall symbols
    /// ("Hall: P 4nw 2abw", or any string that is not a known H-M symbol but parses as a Hall symbol).
    /// Operators act on fractional coordinates; a reflection h (row vector) maps to h·R.
    /// </remarks>
    public sealed class SpaceGroup : IEquatable<SpaceGroup>
    {
        private readonly SymmetryOperator[] _ops;
        private readonly int[][] _laue;       // rotation parts of the Laue group (row-major), identity first
        private readonly int[][] _pointGroup; // rotation parts of the point group

        private SpaceGroup(int number, string setting, string symbol, string[] aliases, string hall, IReadOnlyList<SymmetryOperator> ops)
        {
            Number = number;
            Setting = setting;
            HermannMauguin = symbol;
            Aliases = aliases;
            Hall = hall;
            _ops = ops.ToArray();
            string h = hall.TrimStart();
            if (h.StartsWith("-", StringComparison.Ordinal)) h = h.Substring(1);
            Centring = char.ToUpperInvariant(h[0]);
            CentringVectors = _ops.Where(o => o.IsPureTranslation).Select(o => o.Translation).ToArray();
            IsCentrosymmetric = _ops.Any(o => o.Determinant < 0 && o.Rotation.Select((v, i) => i % 4 == 0 ? v == -1 : v == 0).All(b => b));
            var rotations = new List<int[]>();
            foreach (var o in _ops)
            {
                var r = o.Rotation;
                if (!rotations.Any(x => x.SequenceEqual(r))) rotations.Add(r);
            }
            _pointGroup = rotations.ToArray();
            var laue = new List<int[]>(rotations);
            foreach (var r in rotations)
            {
                var n = r.Select(v => -v).ToArray();
                if (!laue.Any(x => x.SequenceEqual(n))) laue.Add(n);
            }
            _laue = laue.ToArray();
            CrystalSystem = number <= 2 ? CrystalSystem.Triclinic : number <= 15 ? CrystalSystem.Monoclinic : number <= 74 ? CrystalSystem.Orthorhombic
                : number <= 142 ? CrystalSystem.Tetragonal : number <= 167 ? CrystalSystem.Trigonal : number <= 194 ? CrystalSystem.Hexagonal : CrystalSystem.Cubic;
            LatticeSystem = CrystalSystem switch
            {
                CrystalSystem.Triclinic => LatticeSystem.Triclinic,
                CrystalSystem.Monoclinic => LatticeSystem.Monoclinic,
                CrystalSystem.Orthorhombic => LatticeSystem.Orthorhombic,
                CrystalSystem.Tetragonal => LatticeSystem.Tetragonal,
                CrystalSystem.Trigonal => symbol.StartsWith("R", StringComparison.Ordinal) ? LatticeSystem.Rhombohedral : LatticeSystem.Hexagonal,
                CrystalSystem.Hexagonal => LatticeSystem.Hexagonal,
                _ => LatticeSystem.Cubic,
            };
            PointGroup = PointGroupOf(symbol, CrystalSystem);
            LaueGroup = LaueGroupOf(PointGroup, CrystalSystem, LatticeSystem);
            UniqueAxis = -1;
            if (CrystalSystem == CrystalSystem.Monoclinic)
            {
                foreach (var r in _pointGroup)
                {
                    if (r[1] != 0 || r[2] != 0 || r[3] != 0 || r[5] != 0 || r[6] != 0 || r[7] != 0) continue;
                    int det = r[0] * r[4] * r[8];
                    // A 2-fold keeps its axis (+1 there); a mirror reverses its normal (−1 there).
                    int marker = det > 0 ? 1 : -1;
                    int count = 0, axis = -1;
                    for (int i = 0; i < 3; i++) if (r[i * 4] == marker) { count++; axis = i; }
                    if (count == 1) UniqueAxis = axis;
                }
            }
        }

        /// <summary>International Tables number, 1–230.</summary>
        public int Number { get; }
        /// <summary>Setting qualifier: "1"/"2" (origin choice), "H"/"R" (rhombohedral axes), or empty.</summary>
        public string Setting { get; }
        /// <summary>Hermann–Mauguin symbol with spaces, e.g. "P 43 21 2" or "P 1 21/c 1".</summary>
        public string HermannMauguin { get; }
        /// <summary>Other H-M spellings that name this setting (short monoclinic symbols, old e-glide names).</summary>
        public IReadOnlyList<string> Aliases { get; }
        /// <summary>Symbol with the setting qualifier, e.g. "R 3:H", "P n n n:1", "P 43 21 2".</summary>
        public string Symbol => Setting.Length == 0 ? HermannMauguin : HermannMauguin + ":" + Setting;
        /// <summary>The symbol without spaces, e.g. "P43212", "P121/c1".</summary>
        public string CompactSymbol => Symbol.Replace(" ", "");
        /// <summary>Hall symbol of this setting.</summary>
        public string Hall { get; }
        /// <summary>Lattice centring letter (P A B C I F R).</summary>
        public char Centring { get; }
        /// <summary>Centring translations (fractional), the zero vector first.</summary>
        public IReadOnlyList<Vec3> CentringVectors { get; }
        /// <summary>All operators, identity first (centring translations included).</summary>
        public IReadOnlyList<SymmetryOperator> Operators => _ops;
        /// <summary>Number of operators (general positions per cell).</summary>
        public int Order => _ops.Length;
        public bool IsCentrosymmetric { get; }
        /// <summary>Point group symbol, e.g. "422", "2/m", "-42m", "-3m1".</summary>
        public string PointGroup { get; }
        /// <summary>Laue class symbol, e.g. "4/mmm", "-3m1", "m-3m".</summary>
        public string LaueGroup { get; }
        public CrystalSystem CrystalSystem { get; }
        public LatticeSystem LatticeSystem { get; }
        /// <summary>Monoclinic unique axis 0 = a, 1 = b, 2 = c; −1 for other systems.</summary>
        public int UniqueAxis { get; }
        /// <summary>Number of distinct rotations of the point group.</summary>
        public int PointGroupOrder => _pointGroup.Length;
        /// <summary>The rotations of the Laue group as integer matrices (row by row), identity first.</summary>
        public IReadOnlyList<int[]> LaueRotations => _laue.Select(r => (int[])r.Clone()).ToArray();
        /// <summary>The proper rotations of the Laue group (those that preserve handedness): the ways an indexing
        /// solution can be re-expressed without changing the crystal (used to compare orientations).</summary>
        public IReadOnlyList<Mat3> ProperLaueRotations => _laue.Where(r => Det(r) > 0).Select(r => new Mat3(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8])).ToArray();

        private static int Det(int[] r) => r[0] * (r[4] * r[8] - r[5] * r[7]) - r[1] * (r[3] * r[8] - r[5] * r[6]) + r[2] * (r[3] * r[7] - r[4] * r[6]);

        /// <summary>True when reflection h k l is systematically absent (some operator fixes h but shifts its phase).</summary>
        public bool IsAbsent(int h, int k, int l)
        {
            if (h == 0 && k == 0 && l == 0) return false;
            foreach (var o in _ops)
            {
                var (a, b, c) = o.ApplyToIndex(h, k, l);
                if (a == h && b == k && c == l && o.PhaseShift(h, k, l) != 0) return true;
            }
            return false;
        }

        /// <summary>True when h and −h are symmetry-equivalent (centric reflection).</summary>
        public bool IsCentric(int h, int k, int l)
        {
            foreach (var r in _pointGroup)
            {
                var (a, b, c) = Apply(r, h, k, l);
                if (a == -h && b == -k && c == -l) return true;
            }
            return false;
        }

        /// <summary>Statistical weight ε: the number of point-group rotations that leave h unchanged.</summary>
        public int Epsilon(int h, int k, int l)
        {
            int n = 0;
            foreach (var r in _pointGroup)
            {
                var (a, b, c) = Apply(r, h, k, l);
                if (a == h && b == k && c == l) n++;
            }
            return n;
        }

        /// <summary>The distinct reflections equivalent to h (including h), with Friedel mates unless told otherwise.</summary>
        public IReadOnlyList<(int H, int K, int L)> Equivalents(int h, int k, int l, bool includeFriedelMates = true)
        {
            var list = new List<(int, int, int)>();
            foreach (var r in includeFriedelMates ? _laue : _pointGroup)
            {
                var e = Apply(r, h, k, l);
                if (!list.Contains(e)) list.Add(e);
            }
            return list;
        }

        /// <summary>Number of distinct equivalents of h (Friedel mates merged).</summary>
        public int Multiplicity(int h, int k, int l) => Equivalents(h, k, l).Count;

        /// <summary>
        /// The representative of h's equivalents (Friedel mates included) that XtalPS uses as the asymmetric unit:
        /// the largest in (h, k, l) order. For mmm this is h, k, l ≥ 0 and for 4/mmm and 6/mmm h ≥ k ≥ 0, l ≥ 0,
        /// as in CCP4; for other Laue classes it is a consistent choice, not necessarily CCP4's region.
        /// </summary>
        public (int H, int K, int L) MapToAsymmetricUnit(int h, int k, int l)
        {
            (int, int, int) best = (h, k, l);
            foreach (var r in _laue)
            {
                var e = Apply(r, h, k, l);
                if (e.Item1 > best.Item1 || (e.Item1 == best.Item1 && (e.Item2 > best.Item2 || (e.Item2 == best.Item2 && e.Item3 > best.Item3)))) best = e;
            }
            return best;
        }

        private static (int, int, int) Apply(int[] r, int h, int k, int l) =>
            (h * r[0] + k * r[3] + l * r[6], h * r[1] + k * r[4] + l * r[7], h * r[2] + k * r[5] + l * r[8]);

        /// <summary>The cell made to obey this group's lattice system (averaging the edges and angles that must be equal).</summary>
        public UnitCell ConstrainCell(UnitCell cell)
        {
            double a = cell.A, b = cell.B, c = cell.C, al = cell.Alpha, be = cell.Beta, ga = cell.Gamma;
            switch (LatticeSystem)
            {
                case LatticeSystem.Triclinic: return cell;
                case LatticeSystem.Monoclinic:
                    return UniqueAxis == 0 ? new UnitCell(a, b, c, al, 90, 90) : UniqueAxis == 2 ? new UnitCell(a, b, c, 90, 90, ga) : new UnitCell(a, b, c, 90, be, 90);
                case LatticeSystem.Orthorhombic: return new UnitCell(a, b, c, 90, 90, 90);
                case LatticeSystem.Tetragonal: { double m = (a + b) / 2; return new UnitCell(m, m, c, 90, 90, 90); }
                case LatticeSystem.Hexagonal: { double m = (a + b) / 2; return new UnitCell(m, m, c, 90, 90, 120); }
                case LatticeSystem.Rhombohedral:
                    if (Centring == 'R') { double m = (a + b) / 2; return new UnitCell(m, m, c, 90, 90, 120); }
                    else { double m = (a + b + c) / 3, ang = (al + be + ga) / 3; return new UnitCell(m, m, m, ang, ang, ang); }
                default: { double m = (a + b + c) / 3; return new UnitCell(m, m, m, 90, 90, 90); }
            }
        }

        /// <summary>Whether a cell obeys the lattice system within a relative edge tolerance and an angle tolerance (degrees).</summary>
        public bool IsCellCompatible(UnitCell cell, double relativeLengthTolerance = 0.01, double angleToleranceDegrees = 1.0)
        {
            var c = ConstrainCell(cell);
            return Math.Abs(c.A - cell.A) <= relativeLengthTolerance * cell.A && Math.Abs(c.B - cell.B) <= relativeLengthTolerance * cell.B &&
                   Math.Abs(c.C - cell.C) <= relativeLengthTolerance * cell.C && Math.Abs(c.Alpha - cell.Alpha) <= angleToleranceDegrees &&
                   Math.Abs(c.Beta - cell.Beta) <= angleToleranceDegrees && Math.Abs(c.Gamma - cell.Gamma) <= angleToleranceDegrees;
        }

        // ---- lookup ---------------------------------------------------------------------------------------

        private static readonly Lazy<(SpaceGroup[] All, Dictionary<string, SpaceGroup> ByKey)> _table = new Lazy<(SpaceGroup[], Dictionary<string, SpaceGroup>)>(Build);

        private static (SpaceGroup[], Dictionary<string, SpaceGroup>) Build()
        {
            var all = new List<SpaceGroup>();
            var byKey = new Dictionary<string, SpaceGroup>(StringComparer.Ordinal);
            foreach (var line in SpaceGroupTable.Entries)
            {
                var f = line.Split('|');
                var num = f[0].Split(':');
                int number = int.Parse(num[0], CultureInfo.InvariantCulture);
                string setting = num.Length > 1 ? num[1] : "";
                var names = f[1].Split(';');
                var g = new SpaceGroup(number, setting, names[0], names.Skip(1).ToArray(), f[2], HallSymbol.Expand(f[2]));
                all.Add(g);
                if (!byKey.ContainsKey(number.ToString(CultureInfo.InvariantCulture))) byKey[number.ToString(CultureInfo.InvariantCulture)] = g;
                foreach (var n in names)
                {
                    string k = Key(n);
                    if (!byKey.ContainsKey(k)) byKey[k] = g; // first setting listed is the default
                    if (setting.Length > 0) byKey[k + ":" + setting] = g;
                }
                if (setting.Length > 0) byKey[number.ToString(CultureInfo.InvariantCulture) + ":" + setting] = g;
            }
            return (all.ToArray(), byKey);
        }

        private static string Key(string symbol)
        {
            var sb = new StringBuilder();
            foreach (char c in symbol) if (!char.IsWhiteSpace(c) && c != '_') sb.Append(char.ToUpperInvariant(c));
            return sb.ToString();
        }

        /// <summary>Every setting XtalPS knows, the standard one of each number first.</summary>
        public static IReadOnlyList<SpaceGroup> All => _table.Value.All;

        /// <summary>The standard setting of space group <paramref name="number"/>.</summary>
        public static SpaceGroup FromNumber(int number)
        {
            if (number < 1 || number > 230) throw new ArgumentOutOfRangeException(nameof(number), "Space-group numbers run from 1 to 230.");
            return _table.Value.ByKey[number.ToString(CultureInfo.InvariantCulture)];
        }

        /// <summary>The known setting whose operators are those of the Hall symbol.</summary>
        public static SpaceGroup FromHall(string hall)
        {
            var ops = new HashSet<SymmetryOperator>(HallSymbol.Expand(hall));
            foreach (var g in All)
                if (g.Order == ops.Count && g._ops.All(ops.Contains)) return g;
            throw new FormatException($"The Hall symbol '{hall}' describes a setting XtalPS does not list.");
        }

        /// <summary>Looks up a space group by H-M symbol (spaces optional), number, or Hall symbol.</summary>
        /// <exception cref="FormatException">Nothing matches.</exception>
        public static SpaceGroup Parse(string symbol)
        {
            if (TryParse(symbol, out var g)) return g!;
            throw new FormatException($"'{symbol}' is not a space group XtalPS knows: give a Hermann–Mauguin symbol such as 'P 43 21 2' or 'P43212', a number 1–230, or 'Hall: P 4nw 2abw'.");
        }

        public static bool TryParse(string symbol, out SpaceGroup? group)
        {
            group = null;
            if (string.IsNullOrWhiteSpace(symbol)) return false;
            string s = symbol.Trim();
            if (s.StartsWith("Hall:", StringComparison.OrdinalIgnoreCase))
            {
                try { group = FromHall(s.Substring(5)); return true; } catch (FormatException) { return false; }
            }
            var table = _table.Value.ByKey;
            string k = Key(s);
            if (table.TryGetValue(k, out group)) return true;
            // "R 3 H", "R3R": a trailing setting letter without the colon.
            if (k.Length > 2 && (k.EndsWith("H", StringComparison.Ordinal) || k.EndsWith("R", StringComparison.Ordinal)) && table.TryGetValue(k.Substring(0, k.Length - 1) + ":" + k[k.Length - 1], out group)) return true;
            try { group = FromHall(s); return true; } catch (FormatException) { return false; }
        }

        // ---- symbols --------------------------------------------------------------------------------------

        private static string PointGroupOf(string hm, CrystalSystem system)
        {
            var parts = hm.Split(' ').Skip(1).Select(p =>
            {
                var sb = new StringBuilder();
                var halves = p.Split('/');
                for (int i = 0; i < halves.Length; i++)
                {
                    if (i > 0) sb.Append('/');
                    string q = halves[i];
                    if (q.Length > 0 && "abcdemn".Contains(q[0])) sb.Append('m');
                    else if (q.StartsWith("-", StringComparison.Ordinal)) sb.Append(q.Substring(0, 2));
                    else sb.Append(q[0]); // drops the screw subscript
                }
                return sb.ToString();
            }).ToList();
            if (system == CrystalSystem.Monoclinic) parts = parts.Where(p => p != "1").ToList();
            return string.Concat(parts);
        }

        private static string LaueGroupOf(string pg, CrystalSystem system, LatticeSystem lattice)
        {
            switch (system)
            {
                case CrystalSystem.Triclinic: return "-1";
                case CrystalSystem.Monoclinic: return "2/m";
                case CrystalSystem.Orthorhombic: return "mmm";
                case CrystalSystem.Tetragonal: return pg == "4" || pg == "-4" || pg == "4/m" ? "4/m" : "4/mmm";
                case CrystalSystem.Trigonal:
                    if (pg == "3" || pg == "-3") return "-3";
                    if (lattice == LatticeSystem.Rhombohedral) return "-3m";
                    return pg.EndsWith("1", StringComparison.Ordinal) ? "-3m1" : "-31m";
                case CrystalSystem.Hexagonal: return pg == "6" || pg == "-6" || pg == "6/m" ? "6/m" : "6/mmm";
                default: return pg == "23" || pg == "m-3" ? "m-3" : "m-3m";
            }
        }

        public bool Equals(SpaceGroup? other) => other != null && Number == other.Number && Setting == other.Setting && Hall == other.Hall;
        public override bool Equals(object? obj) => Equals(obj as SpaceGroup);
        public override int GetHashCode() => Hall.GetHashCode();
        public override string ToString() => Symbol;
    }
}
