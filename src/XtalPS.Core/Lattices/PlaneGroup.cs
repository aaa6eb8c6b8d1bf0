using System;
using System.Collections.Generic;
using System.Linq;

namespace XtalPS.Lattices
{
    /// <summary>
    /// The symmetry of a 2D crystal as electron crystallographers name it (the 17 choices of 2dx: p1 … p622, with _a/_b
    /// giving the in-plane axis of the two-fold of the monoclinic groups). A 2D crystal is a layer: its operators are
    /// rotations about the membrane normal z and two-fold axes in the plane, which turn the layer over (z → −z).
    /// For intensities only the rotation parts count (screw translations change phases and absences at z* = 0), so
    /// each group is held as the rotations R acting on fractional (x, y) with the sign they give z. A reflection
    /// (h, k, z*) is related to (h, k)·R at z*·sign, and by Friedel's law to (−h, −k, −z*).
    /// </summary>
    public sealed class PlaneGroup
    {
        /// <summary>A rotation of the layer: x' = R·x on fractional (x, y), z' = ZSign·z.</summary>
        public readonly struct Operator
        {
            public Operator(int r11, int r12, int r21, int r22, int zSign) { R11 = r11; R12 = r12; R21 = r21; R22 = r22; ZSign = zSign; }
            public int R11 { get; }
            public int R12 { get; }
            public int R21 { get; }
            public int R22 { get; }
            public int ZSign { get; }
            /// <summary>Indices of the equivalent reflection: the row vector (h, k) times R.</summary>
            public (int H, int K) Apply(int h, int k) => (h * R11 + k * R21, h * R12 + k * R22);
            /// <summary>The equivalent of (h, k, z*): indices times R, z* times <see cref="ZSign"/>.</summary>
            public (int H, int K, double Z) Apply(int h, int k, double z)
            {
                var (h1, k1) = Apply(h, k);
                return (h1, k1, ZSign * z);
            }
            /// <summary>True for the operator that only reverses z* (the unknown sign of a tilt), not the indices.</summary>
            public bool TurnsOnlyZ => R11 == 1 && R12 == 0 && R21 == 0 && R22 == 1 && ZSign < 0;
            public Operator Then(Operator o) =>
                // (o ∘ this): x'' = o.R·(R·x)
                new Operator(o.R11 * R11 + o.R12 * R21, o.R11 * R12 + o.R12 * R22, o.R21 * R11 + o.R22 * R21, o.R21 * R12 + o.R22 * R22, o.ZSign * ZSign);
            public bool SameAs(Operator o) => R11 == o.R11 && R12 == o.R12 && R21 == o.R21 && R22 == o.R22 && ZSign == o.ZSign;
        }

        /// <summary>The lattice a plane group needs.</summary>
        public enum LatticeKind { Oblique, Rectangular, Square, Hexagonal }

        private static readonly Operator Identity = new Operator(1, 0, 0, 1, 1);
        private static readonly Operator TwoZ = new Operator(-1, 0, 0, -1, 1);
        private static readonly Operator TwoA = new Operator(1, 0, 0, -1, -1);        // (x, −y, −z)
        private static readonly Operator TwoB = new Operator(-1, 0, 0, 1, -1);        // (−x, y, −z)
        private static readonly Operator FourZ = new Operator(0, -1, 1, 0, 1);        // (−y, x, z)
        private static readonly Operator ThreeZ = new Operator(0, -1, 1, -1, 1);      // (−y, x − y, z)
        private static readonly Operator SixZ = new Operator(1, -1, 1, 0, 1);         // (x − y, x, z)
        private static readonly Operator TwoXY = new Operator(0, 1, 1, 0, -1);        // (y, x, −z): P321's axes
        private static readonly Operator TwoXMinusY = new Operator(0, -1, -1, 0, -1); // (−y, −x, −z): P312's axes

        private static readonly (string Name, LatticeKind Lattice, bool Centred, Operator[] Generators)[] Table =
        {
            ("p1", LatticeKind.Oblique, false, new Operator[0]),
            ("p2", LatticeKind.Oblique, false, new[] { TwoZ }),
            ("p12_a", LatticeKind.Rectangular, false, new[] { TwoA }),
            ("p12_b", LatticeKind.Rectangular, false, new[] { TwoB }),
            ("p121_a", LatticeKind.Rectangular, false, new[] { TwoA }),
            ("p121_b", LatticeKind.Rectangular, false, new[] { TwoB }),
            ("c12_a", LatticeKind.Rectangular, true, new[] { TwoA }),
            ("c12_b", LatticeKind.Rectangular, true, new[] { TwoB }),
            ("p222", LatticeKind.Rectangular, false, new[] { TwoZ, TwoA }),
            ("p2221a", LatticeKind.Rectangular, false, new[] { TwoZ, TwoA }),
            ("p2221b", LatticeKind.Rectangular, false, new[] { TwoZ, TwoA }),
            ("p22121", LatticeKind.Rectangular, false, new[] { TwoZ, TwoA }),
            ("c222", LatticeKind.Rectangular, true, new[] { TwoZ, TwoA }),
            ("p4", LatticeKind.Square, false, new[] { FourZ }),
            ("p422", LatticeKind.Square, false, new[] { FourZ, TwoA }),
            ("p4212", LatticeKind.Square, false, new[] { FourZ, TwoA }),
            ("p3", LatticeKind.Hexagonal, false, new[] { ThreeZ }),
            ("p312", LatticeKind.Hexagonal, false, new[] { ThreeZ, TwoXMinusY }),
            ("p321", LatticeKind.Hexagonal, false, new[] { ThreeZ, TwoXY }),
            ("p6", LatticeKind.Hexagonal, false, new[] { SixZ }),
            ("p622", LatticeKind.Hexagonal, false, new[] { SixZ, TwoXY }),
        };

        /// <summary>Every plane group by name, in 2dx's order.</summary>
        public static IReadOnlyList<string> Names { get; } = Table.Select(t => t.Name).ToArray();

        private PlaneGroup(string name, LatticeKind lattice, bool centred, Operator[] generators)
        {
            Name = name; Lattice = lattice; Centred = centred;
            // Close the generators into the group.
            var ops = new List<Operator> { Identity };
            for (bool grew = true; grew;)
            {
                grew = false;
                foreach (var a in ops.ToArray())
                    foreach (var g in generators)
                    {
                        var c = a.Then(g);
                        if (!ops.Any(o => o.SameAs(c))) { ops.Add(c); grew = true; }
                    }
            }
            Operators = ops;
            // Without a two-fold about the normal an image cannot tell the sign of its tilt from the lattice lines it samples.
            HasNormalTwoFold = ops.Any(o => o.SameAs(TwoZ));
            // What one image cannot tell: the operators of its lattice (the holohedry, with the z flip a single pattern
            // leaves open) that are not in the group. Groups without a two-fold about the normal: the sign of the tilt
            // (with the in-plane axes of p312 and p321 it is the only one). p4 and p6: the mirror-related indexing
            // (h, −k) and (k, h) on lines that are even. p3 has both, two binary choices.
            switch (name)
            {
                case "p4": Ambiguities = new[] { new Operator(1, 0, 0, -1, 1) }; break;
                case "p6": Ambiguities = new[] { new Operator(0, 1, 1, 0, 1) }; break;
                case "p3": Ambiguities = new[] { new Operator(1, 0, 0, 1, -1), new Operator(0, 1, 1, 0, 1) }; break;
                default: Ambiguities = HasNormalTwoFold ? new Operator[0] : new[] { new Operator(1, 0, 0, 1, -1) }; break;
            }
        }

        /// <summary>Re-indexings of one image that give the same pattern but not the same intensities: its tilt sign
        /// (z* → −z*) in groups without a two-fold about the normal, a mirror-related indexing in p3, p4 and p6.
        /// Merging must choose one of each per image.</summary>
        public IReadOnlyList<Operator> Ambiguities { get; }

        public string Name { get; }
        public LatticeKind Lattice { get; }
        /// <summary>c12 and c222: reflections with h + k odd are absent.</summary>
        public bool Centred { get; }
        /// <summary>The rotations of the group, the identity first.</summary>
        public IReadOnlyList<Operator> Operators { get; }
        /// <summary>True when a two-fold axis lies along the normal: every lattice line is then even in z*.</summary>
        public bool HasNormalTwoFold { get; }

        /// <summary>The plane group of a name, case-insensitive (p12 and p121 mean the _b setting, c12 too).</summary>
        /// <exception cref="ArgumentException">Not one of <see cref="Names"/>.</exception>
        public static PlaneGroup Parse(string name)
        {
            string n = (name ?? "").Trim().ToLowerInvariant().Replace(" ", "");
            if (n == "p12" || n == "p121" || n == "c12") n += "_b";
            foreach (var t in Table)
                if (t.Name == n) return new PlaneGroup(t.Name, t.Lattice, t.Centred, t.Generators);
            throw new ArgumentException($"Plane group '{name}' is not one of {string.Join(", ", Names)}.");
        }

        /// <summary>Why the cell does not fit the group's lattice, or null when it does (lengths within 0.5 %, angles within 0.5°).</summary>
        public string? CellProblem(PlanarCell cell)
        {
            bool right = Math.Abs(cell.Gamma - 90) < 0.5, equal = Math.Abs(cell.A - cell.B) < 0.005 * Math.Max(cell.A, cell.B);
            switch (Lattice)
            {
                case LatticeKind.Rectangular: return right ? null : $"{Name} needs a rectangular cell (γ = 90°); the cell has γ = {cell.Gamma:0.##}°.";
                case LatticeKind.Square: return right && equal ? null : $"{Name} needs a square cell (a = b, γ = 90°); the cell is {cell}.";
                case LatticeKind.Hexagonal: return equal && Math.Abs(cell.Gamma - 120) < 0.5 ? null : $"{Name} needs a hexagonal cell (a = b, γ = 120°); the cell is {cell}.";
                default: return null;
            }
        }

        /// <summary>True when the group's centring makes (h, k) absent.</summary>
        public bool IsAbsent(int h, int k) => Centred && ((h + k) & 1) != 0;

        /// <summary>
        /// The lattice line (h, k, z*) lies on in the asymmetric unit, and the factor (±1) its z* is multiplied by to get
        /// there. Of all equivalents, including Friedel mates, the one with the largest h, then the largest k, is the
        /// representative; <paramref name="even"/> is true when some operator maps the line onto itself with z* reversed,
        /// so that the line is symmetric in z*.
        /// </summary>
        public (int H, int K, int ZFactor) ToAsymmetricUnit(int h, int k, out bool even)
        {
            int bh = int.MinValue, bk = int.MinValue, bz = 1;
            foreach (var op in Operators)
            {
                var (h1, k1) = op.Apply(h, k);
                Consider(h1, k1, op.ZSign);
                Consider(-h1, -k1, -op.ZSign);
            }
            even = false;
            foreach (var op in Operators)
            {
                var (h1, k1) = op.Apply(bh, bk);
                if (h1 == bh && k1 == bk && op.ZSign < 0) even = true;
                if (-h1 == bh && -k1 == bk && op.ZSign > 0) even = true;
            }
            return (bh, bk, bz);

            void Consider(int h1, int k1, int z)
            {
                if (h1 > bh || (h1 == bh && k1 > bk)) { bh = h1; bk = k1; bz = z; }
            }
        }

        /// <summary>
        /// The 3D space group of the crystal's lattice lines sampled at l = c·z* (c the thickness along the normal z), in the
        /// setting XtalPS and CCP4 list, with the in-plane axes a, b and the normal c: two-folds along the normal give
        /// P 1 1 2, in-plane ones P 2 1 1 or P 1 2 1 (their screws P 21 1 1, P 1 21 1), and the higher groups keep their
        /// names (p222 → P 2 2 2, p22121 → P 21 21 2, p4 → P 4, p321 → P 3 2 1, p6 → P 6, …). Null for c12_a, whose
        /// setting (C 2 1 1) the space-group table does not list; <see cref="SpaceGroupProblem"/> says so.
        /// </summary>
        public string? SpaceGroupSymbol => Name switch
        {
            "p1" => "P 1", "p2" => "P 1 1 2", "p12_a" => "P 2 1 1", "p12_b" => "P 1 2 1", "p121_a" => "P 21 1 1", "p121_b" => "P 1 21 1",
            "c12_b" => "C 1 2 1", "p222" => "P 2 2 2", "p2221a" => "P 21 2 2", "p2221b" => "P 2 21 2", "p22121" => "P 21 21 2", "c222" => "C 2 2 2",
            "p4" => "P 4", "p422" => "P 4 2 2", "p4212" => "P 4 21 2", "p3" => "P 3", "p312" => "P 3 1 2", "p321" => "P 3 2 1", "p6" => "P 6", "p622" => "P 6 2 2",
            _ => null,
        };

        /// <summary>Why no 3D space group can be given (null when <see cref="SpaceGroupSymbol"/> has one).</summary>
        public string? SpaceGroupProblem => SpaceGroupSymbol != null ? null
            : $"{Name}: its 3D setting (C 2 1 1, the two-fold along a of a centred cell) is not in XtalPS's space-group table; index the crystal with the two-fold along b and merge in c12_b.";

        public override string ToString() => Name;
    }
}
