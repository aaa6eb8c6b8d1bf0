using System;
using System.Collections.Generic;
using System.Linq;

namespace XtalPS.Lattices
{
    /// <summary>
    /// Parses Hall symbols (S. R. Hall, Acta Cryst. A37 (1981) 517–525; "Space-group notation with an explicit
    /// origin", with the corrections of Hall &amp; Grosse-Kunstleve, ITB 2001) into the operators of the group.
    /// </summary>
    /// <remarks>
    /// Grammar handled: <c>[-]L N[s][A][T...] ... [(V)]</c>: a lattice letter P A B C I R S T F (a leading '−' adds
    /// the inversion at the origin), up to four rotation symbols (order 1, 2, 3, 4, 6, optionally improper,
    /// screw digit, axis x y z ' " *, translation letters a b c n u v w d), and a change of basis either as an origin
    /// shift in twelfths, <c>(0 0 1)</c>, or as a coordinate triplet, <c>(z,x,y)</c>. Default axes follow Hall's
    /// rules: the first rotation is along c; a 2-fold after a 2- or 4-fold is along a, after a 3- or 6-fold along a−b;
    /// a 3-fold in third place is along a+b+c.
    /// </remarks>
    public static class HallSymbol
    {
        /// <summary>Every operator of the group the Hall symbol describes (identity first, centring included).</summary>
        public static IReadOnlyList<SymmetryOperator> Expand(string hall)
        {
            var (generators, centring, change) = Parse(hall);
            var ops = Close(generators, centring);
            if (change != null) ops = ops.Select(o => change.Value.Transform(o)).ToList();
            return Sort(ops);
        }

        /// <summary>Centring translations (24ths) of a lattice letter, the zero translation first.</summary>
        internal static int[][] CentringVectors(char lattice)
        {
            switch (char.ToUpperInvariant(lattice))
            {
                case 'P': return new[] { new[] { 0, 0, 0 } };
                case 'A': return new[] { new[] { 0, 0, 0 }, new[] { 0, 12, 12 } };
                case 'B': return new[] { new[] { 0, 0, 0 }, new[] { 12, 0, 12 } };
                case 'C': return new[] { new[] { 0, 0, 0 }, new[] { 12, 12, 0 } };
                case 'I': return new[] { new[] { 0, 0, 0 }, new[] { 12, 12, 12 } };
                case 'R': return new[] { new[] { 0, 0, 0 }, new[] { 16, 8, 8 }, new[] { 8, 16, 16 } };
                case 'S': return new[] { new[] { 0, 0, 0 }, new[] { 8, 8, 16 }, new[] { 16, 16, 8 } };
                case 'T': return new[] { new[] { 0, 0, 0 }, new[] { 8, 16, 8 }, new[] { 16, 8, 16 } };
                case 'F': return new[] { new[] { 0, 0, 0 }, new[] { 0, 12, 12 }, new[] { 12, 0, 12 }, new[] { 12, 12, 0 } };
                default: throw new FormatException($"'{lattice}' is not a lattice symbol (P A B C I R S T F).");
            }
        }

        private readonly struct ChangeOfBasis
        {
            // New operator = V·S·V⁻¹ with V = {P | v}.
            private readonly SymmetryOperator _v, _vInverse;
            public ChangeOfBasis(SymmetryOperator v) { _v = v; _vInverse = v.Inverse(); }
            public SymmetryOperator Transform(SymmetryOperator s) => _v * s * _vInverse;
        }

        private static (List<SymmetryOperator> Generators, char Lattice, ChangeOfBasis? Change) Parse(string hall)
        {
            if (string.IsNullOrWhiteSpace(hall)) throw new FormatException("An empty Hall symbol.");
            string s = hall.Trim();
            ChangeOfBasis? change = null;
            int paren = s.IndexOf('(');
            if (paren >= 0)
            {
                int close = s.IndexOf(')', paren);
                if (close < 0) throw new FormatException($"Hall symbol '{hall}': unclosed '('.");
                change = ParseChange(s.Substring(paren + 1, close - paren - 1), hall);
                s = s.Substring(0, paren).Trim();
            }
            var tokens = s.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
            if (tokens.Length == 0) throw new FormatException($"Hall symbol '{hall}' has no lattice symbol.");
            string lat = tokens[0];
            bool centric = false;
            if (lat.StartsWith("-", StringComparison.Ordinal)) { centric = true; lat = lat.Substring(1); }
            if (lat.Length != 1) throw new FormatException($"Hall symbol '{hall}': '{tokens[0]}' is not a lattice symbol.");
            char lattice = char.ToUpperInvariant(lat[0]);
            CentringVectors(lattice); // validates
            var gens = new List<SymmetryOperator>();
            if (centric) gens.Add(new SymmetryOperator(-1, 0, 0, 0, -1, 0, 0, 0, -1, 0, 0, 0));
            int previousOrder = 0;
            char previousAxis = 'z';
            for (int i = 1; i < tokens.Length; i++)
            {
                if (i > 4) throw new FormatException($"Hall symbol '{hall}' has more than four rotation symbols.");
                gens.Add(ParseMatrix(tokens[i], i - 1, ref previousOrder, ref previousAxis, hall));
            }
            return (gens, lattice, change);
        }

        private static ChangeOfBasis ParseChange(string text, string hall)
        {
            if (text.Contains(","))
                return new ChangeOfBasis(SymmetryOperator.Parse(text));
            var parts = text.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 3) throw new FormatException($"Hall symbol '{hall}': the change of basis '({text})' needs three numbers.");
            var v = parts.Select(p => int.TryParse(p, out int n) ? n : throw new FormatException($"Hall symbol '{hall}': '{p}' is not an integer.")).ToArray();
            // Origin shift in twelfths of the cell edges.
            return new ChangeOfBasis(new SymmetryOperator(1, 0, 0, 0, 1, 0, 0, 0, 1, 2 * v[0], 2 * v[1], 2 * v[2]));
        }

        private static SymmetryOperator ParseMatrix(string token, int position, ref int previousOrder, ref char previousAxis, string hall)
        {
            int i = 0;
            bool improper = false;
            if (token[i] == '-') { improper = true; i++; }
            if (i >= token.Length || !"12346".Contains(token[i])) throw new FormatException($"Hall symbol '{hall}': '{token}' does not start with a rotation order 1, 2, 3, 4 or 6.");
            int order = token[i] - '0';
            i++;
            char axis = '\0';
            var t = new int[3];
            int screw = 0;
            var letters = new List<char>();
            for (; i < token.Length; i++)
            {
                char c = token[i];
                if (char.IsDigit(c)) { screw = c - '0'; if (screw >= order) throw new FormatException($"Hall symbol '{hall}': screw {c} on a {order}-fold."); }
                else if (c == 'x' || c == 'y' || c == 'z' || c == '\'' || c == '"' || c == '*') axis = c;
                else if ("abcnuvwd".Contains(c)) letters.Add(c);
                else throw new FormatException($"Hall symbol '{hall}': unknown character '{c}' in '{token}'.");
            }
            if (axis == '\0')
            {
                if (order == 1) axis = 'z';
                else if (position == 0) axis = 'z';
                else if (position == 1 && order == 2 && (previousOrder == 2 || previousOrder == 4)) axis = 'x';
                else if (position == 1 && order == 2 && (previousOrder == 3 || previousOrder == 6)) axis = '\'';
                else if (position == 2 && order == 3) axis = '*';
                else throw new FormatException($"Hall symbol '{hall}': the axis of '{token}' cannot be implied.");
            }
            int[] r = Rotation(order, axis, previousAxis, hall);
            if (improper) for (int k = 0; k < 9; k++) r[k] = -r[k];
            foreach (char c in letters)
            {
                switch (c)
                {
                    case 'a': t[0] += 12; break;
                    case 'b': t[1] += 12; break;
                    case 'c': t[2] += 12; break;
                    case 'n': t[0] += 12; t[1] += 12; t[2] += 12; break;
                    case 'u': t[0] += 6; break;
                    case 'v': t[1] += 6; break;
                    case 'w': t[2] += 6; break;
                    case 'd': t[0] += 6; t[1] += 6; t[2] += 6; break;
                }
            }
            if (screw != 0)
            {
                int k = axis == 'x' ? 0 : axis == 'y' ? 1 : axis == 'z' ? 2 : throw new FormatException($"Hall symbol '{hall}': a screw digit needs a principal axis.");
                t[k] += SymmetryOperator.Denominator * screw / order;
            }
            previousOrder = order;
            if (axis == 'x' || axis == 'y' || axis == 'z') previousAxis = axis;
            return new SymmetryOperator(r, t[0], t[1], t[2]);
        }

        private static int[] Rotation(int order, char axis, char reference, string hall)
        {
            if (order == 1) return new[] { 1, 0, 0, 0, 1, 0, 0, 0, 1 };
            switch (axis)
            {
                case 'z':
                    switch (order)
                    {
                        case 2: return new[] { -1, 0, 0, 0, -1, 0, 0, 0, 1 };
                        case 3: return new[] { 0, -1, 0, 1, -1, 0, 0, 0, 1 };
                        case 4: return new[] { 0, -1, 0, 1, 0, 0, 0, 0, 1 };
                        case 6: return new[] { 1, -1, 0, 1, 0, 0, 0, 0, 1 };
                    }
                    break;
                case 'x':
                    switch (order)
                    {
                        case 2: return new[] { 1, 0, 0, 0, -1, 0, 0, 0, -1 };
                        case 3: return new[] { 1, 0, 0, 0, 0, -1, 0, 1, -1 };
                        case 4: return new[] { 1, 0, 0, 0, 0, -1, 0, 1, 0 };
                        case 6: return new[] { 1, 0, 0, 0, 1, -1, 0, 1, 0 };
                    }
                    break;
                case 'y':
                    switch (order)
                    {
                        case 2: return new[] { -1, 0, 0, 0, 1, 0, 0, 0, -1 };
                        case 3: return new[] { -1, 0, 1, 0, 1, 0, -1, 0, 0 };
                        case 4: return new[] { 0, 0, 1, 0, 1, 0, -1, 0, 0 };
                        case 6: return new[] { 0, 0, 1, 0, 1, 0, -1, 0, 1 };
                    }
                    break;
                case '\'':
                case '"':
                    if (order != 2) break;
                    bool prime = axis == '\'';
                    switch (reference)
                    {
                        case 'x': return prime ? new[] { -1, 0, 0, 0, 0, -1, 0, -1, 0 } : new[] { -1, 0, 0, 0, 0, 1, 0, 1, 0 };
                        case 'y': return prime ? new[] { 0, 0, -1, 0, -1, 0, -1, 0, 0 } : new[] { 0, 0, 1, 0, -1, 0, 1, 0, 0 };
                        default: return prime ? new[] { 0, -1, 0, -1, 0, 0, 0, 0, -1 } : new[] { 0, 1, 0, 1, 0, 0, 0, 0, -1 };
                    }
                case '*':
                    if (order == 3) return new[] { 0, 0, 1, 1, 0, 0, 0, 1, 0 };
                    break;
            }
            throw new FormatException($"Hall symbol '{hall}': no {order}-fold along '{axis}'.");
        }

        /// <summary>Closes the generators under multiplication together with the centring translations.</summary>
        private static List<SymmetryOperator> Close(List<SymmetryOperator> generators, char lattice)
        {
            var set = new HashSet<SymmetryOperator>();
            var list = new List<SymmetryOperator>();
            foreach (var c in CentringVectors(lattice))
            {
                var op = SymmetryOperator.Identity.WithTranslation(c[0], c[1], c[2]);
                if (set.Add(op)) list.Add(op);
            }
            var seeds = new List<SymmetryOperator>(list);
            seeds.AddRange(generators);
            foreach (var g in generators) if (set.Add(g)) list.Add(g);
            // Multiply until nothing new appears (groups are at most 192 operators).
            for (int i = 0; i < list.Count; i++)
            {
                for (int j = 0; j < seeds.Count; j++)
                {
                    var p = list[i] * seeds[j];
                    if (set.Add(p)) list.Add(p);
                    var q = seeds[j] * list[i];
                    if (set.Add(q)) list.Add(q);
                }
                if (list.Count > 192) throw new FormatException("The generators do not close into a crystallographic space group.");
            }
            return list;
        }

        /// <summary>Identity first, then by centring and rotation, for a stable order.</summary>
        private static IReadOnlyList<SymmetryOperator> Sort(List<SymmetryOperator> ops)
        {
            return ops.OrderBy(o => o.IsPureTranslation ? 0 : 1)
                .ThenBy(o => string.Join(",", o.Rotation.Select(v => v + 1)), StringComparer.Ordinal)
                .ThenBy(o => o.T1).ThenBy(o => o.T2).ThenBy(o => o.T3).ToArray();
        }
    }
}
