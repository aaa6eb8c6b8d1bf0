using System;
using System.Text.RegularExpressions;
using XtalPS.Lattices;

namespace XtalPS.Metrology
{
    // The lattice systems themselves are XtalPS.Lattices.LatticeSystem (one enum for indexing and metrology).
    /// <summary>Lattice system from a space-group symbol and the cell it describes.</summary>
    public static class LatticeSystems
    {
        private static readonly Regex Token = new Regex(@"-?[1-6](?:[1-5])?(?:/[a-z])?|[a-z]", RegexOptions.CultureInvariant);

        /// <summary>
        /// The lattice system of a Hermann–Mauguin symbol ("P 61 2 2", "P43212", "C 1 2 1", "P 21 21 21", "F m -3 m")
        /// or a Hall symbol as DIALS writes it (" P 61 2 (x,y,z+5/12)", " P 4nw 2abw"), checked against the cell: when the
        /// cell does not meet the system's constraints (another setting), the most symmetric system the cell does meet is used.
        /// An empty or unknown symbol gives the system of the cell metric (within <paramref name="tolerance"/>, relative and degrees).
        /// </summary>
        public static LatticeSystem FromSpaceGroup(string? symbol, UnitCell cell, double tolerance = 0.02)
        {
            var guess = FromSymbol(symbol);
            var metric = FromCell(cell, tolerance);
            // The symbol's system, when the cell allows it; otherwise what the cell allows.
            if (guess.HasValue && Fits(guess.Value, cell, tolerance)) return guess.Value;
            return guess.HasValue ? Lower(guess.Value, metric, cell, tolerance) : metric;
        }

        /// <summary>The lattice system named by a space-group symbol (Hermann–Mauguin or Hall), or null when it cannot be read.</summary>
        public static LatticeSystem? FromSymbol(string? symbol)
        {
            if (string.IsNullOrWhiteSpace(symbol)) return null;
            string s = symbol!.Trim();
            int paren = s.IndexOf('(');
            if (paren > 0) s = s.Substring(0, paren).Trim();
            s = s.TrimStart('-').Trim(); // Hall symbols of centrosymmetric groups start with '-'
            if (s.Length == 0) return null;
            char centring = char.ToUpperInvariant(s[0]);
            if ("PABCIFRH".IndexOf(centring) < 0) return null;
            if (centring == 'R' || centring == 'H') return LatticeSystem.Hexagonal; // hexagonal axes, as DIALS sets them
            string rest = s.Substring(1).Trim().ToLowerInvariant();
            var tokens = rest.IndexOf(' ') >= 0 ? Regex.Split(rest, @"\s+") : SplitCompact(rest);
            if (tokens.Length == 0 || tokens[0].Length == 0) return null;
            // A 3 in the second place is cubic ("P 2 3", "F m -3 m", "I 41 3 2", Hall " P 2ac 2ab 3" has it third).
            for (int i = 1; i < tokens.Length; i++)
                if (tokens[i].TrimStart('-').StartsWith("3", StringComparison.Ordinal) || tokens[i].Contains("3*")) return LatticeSystem.Cubic;
            string first = tokens[0].TrimStart('-');
            if (first.Length == 0) return null;
            switch (first[0])
            {
                case '6':
                case '3': return LatticeSystem.Hexagonal;
                case '4': return LatticeSystem.Tetragonal;
                case '1': return tokens.Length == 1 ? LatticeSystem.Triclinic : LatticeSystem.Monoclinic; // "P 1 21 1"
                case '2':
                case 'm':
                case 'a':
                case 'b':
                case 'c':
                case 'n':
                case 'd':
                case 'e':
                    return tokens.Length == 1 ? LatticeSystem.Monoclinic : LatticeSystem.Orthorhombic; // "P 21" / "P 21 21 21"
                default: return null;
            }
        }

        private static string[] SplitCompact(string s)
        {
            var list = new System.Collections.Generic.List<string>();
            foreach (Match m in Token.Matches(s)) list.Add(m.Value);
            return list.ToArray();
        }

        /// <summary>The most symmetric lattice system whose constraints the cell meets.</summary>
        public static LatticeSystem FromCell(UnitCell cell, double tolerance = 0.02)
        {
            foreach (var s in new[] { LatticeSystem.Cubic, LatticeSystem.Hexagonal, LatticeSystem.Rhombohedral, LatticeSystem.Tetragonal,
                LatticeSystem.Orthorhombic, LatticeSystem.Monoclinic })
                if (Fits(s, cell, tolerance)) return s;
            return LatticeSystem.Triclinic;
        }

        private static LatticeSystem Lower(LatticeSystem wanted, LatticeSystem metric, UnitCell cell, double tolerance) =>
            // A hexagonal symbol on a cell that is not hexagonal, etc.: fall back to what the metric says, never above.
            Rank(metric) <= Rank(wanted) ? metric : FromCell(cell, tolerance);

        private static int Rank(LatticeSystem s) => s switch
        {
            LatticeSystem.Triclinic => 0,
            LatticeSystem.Monoclinic => 1,
            LatticeSystem.Orthorhombic => 2,
            LatticeSystem.Tetragonal => 3,
            LatticeSystem.Rhombohedral => 3,
            LatticeSystem.Hexagonal => 4,
            _ => 5,
        };

        /// <summary>Whether the cell meets the constraints of the lattice system (edges relative, angles in degrees × tolerance·100).</summary>
        public static bool Fits(LatticeSystem system, UnitCell c, double tolerance = 0.02)
        {
            bool Eq(double x, double y) => Math.Abs(x - y) <= tolerance * Math.Max(x, y);
            bool Ang(double x, double y) => Math.Abs(x - y) <= tolerance * 100 * 0.5; // 2 % → 1°
            int right = (Ang(c.Alpha, 90) ? 1 : 0) + (Ang(c.Beta, 90) ? 1 : 0) + (Ang(c.Gamma, 90) ? 1 : 0);
            switch (system)
            {
                case LatticeSystem.Triclinic: return true;
                case LatticeSystem.Monoclinic: return right >= 2;
                case LatticeSystem.Orthorhombic: return right == 3;
                case LatticeSystem.Tetragonal: return right == 3 && Eq(c.A, c.B);
                case LatticeSystem.Cubic: return right == 3 && Eq(c.A, c.B) && Eq(c.B, c.C);
                case LatticeSystem.Hexagonal: return Eq(c.A, c.B) && Ang(c.Alpha, 90) && Ang(c.Beta, 90) && Ang(c.Gamma, 120);
                case LatticeSystem.Rhombohedral: return Eq(c.A, c.B) && Eq(c.B, c.C) && Ang(c.Alpha, c.Beta) && Ang(c.Beta, c.Gamma) && !Ang(c.Alpha, 90);
                default: return false;
            }
        }
    }
}
