using System;
using System.Collections.Generic;
using XtalPS.Lattices;

namespace XtalPS.Merging
{
    /// <summary>
    /// The CCP4 reciprocal-space asymmetric unit of a Laue class (the regions of CCP4's symlib, as gemmi's
    /// ReciprocalAsu lists them), so merged files pass <c>gemmi mtz --check-asu=ccp4</c>. Each index is mapped with the
    /// rotations of the Laue group (Friedel mates included) to the equivalent inside the region; the map also says
    /// whether the measured index was a Friedel mate of that equivalent (I(−)) or a proper-rotation image (I(+)).
    /// </summary>
    /// <remarks>Regions are those of the standard settings; a group in a setting where no equivalent falls inside the
    /// region (non-standard axes) keeps XtalPS's own choice, <see cref="SpaceGroup.MapToAsymmetricUnit"/>.</remarks>
    public sealed class ReciprocalAsu
    {
        private readonly int[][] _proper;   // point-group rotations (h·R), identity first
        private readonly Func<int, int, int, bool> _inside;
        private readonly SpaceGroup _group;

        public ReciprocalAsu(SpaceGroup group)
        {
            _group = group ?? throw new ArgumentNullException(nameof(group));
            // Point-group rotations (with -1 for centrosymmetric groups); Friedel mates are tried separately.
            var list = new List<int[]>();
            foreach (var op in group.Operators)
            {
                var r = op.Rotation;
                bool seen = false;
                foreach (var x in list) if (Same(x, r)) { seen = true; break; }
                if (!seen) list.Add(r);
            }
            _proper = list.ToArray();
            LaueClass = group.LatticeSystem == LatticeSystem.Rhombohedral && group.Setting != "R"
                ? (group.LaueGroup == "-3" ? "-3" : "-3m1") : group.LaueGroup;
            _inside = Region(LaueClass) ?? ((h, k, l) => _group.MapToAsymmetricUnit(h, k, l) == (h, k, l));
        }

        /// <summary>The Laue class whose region is used ("-3m" of hexagonal-axis rhombohedral groups is -3m1).</summary>
        public string LaueClass { get; }

        /// <summary>True when h k l lies in the CCP4 asymmetric unit of this Laue class.</summary>
        public bool IsInside(int h, int k, int l) => _inside(h, k, l);

        /// <summary>The equivalent of h in the asymmetric unit; <paramref name="friedelMinus"/> is true when it was reached
        /// through −h (the measurement belongs to I(−)), false when through a proper rotation (I(+)) — and false for
        /// centric reflections, which have no anomalous pair.</summary>
        public (int H, int K, int L) Map(int h, int k, int l, out bool friedelMinus)
        {
            foreach (var r in _proper)
            {
                var (a, b, c) = Apply(r, h, k, l);
                if (_inside(a, b, c)) { friedelMinus = false; return (a, b, c); }
            }
            foreach (var r in _proper)
            {
                var (a, b, c) = Apply(r, -h, -k, -l);
                if (_inside(a, b, c)) { friedelMinus = true; return (a, b, c); }
            }
            friedelMinus = false;
            return _group.MapToAsymmetricUnit(h, k, l);
        }

        private static (int, int, int) Apply(int[] r, int h, int k, int l) =>
            (h * r[0] + k * r[3] + l * r[6], h * r[1] + k * r[4] + l * r[7], h * r[2] + k * r[5] + l * r[8]);

        private static bool Same(int[] a, int[] b)
        {
            for (int i = 0; i < 9; i++) if (a[i] != b[i]) return false;
            return true;
        }

        /// <summary>CCP4 symlib's regions (unique axis b for 2/m; hexagonal axes for trigonal groups).</summary>
        private static Func<int, int, int, bool>? Region(string laue) => laue switch
        {
            "-1" => (h, k, l) => l > 0 || (l == 0 && (h > 0 || (h == 0 && k >= 0))),
            "2/m" => (h, k, l) => k >= 0 && (l > 0 || (l == 0 && h >= 0)),
            "mmm" => (h, k, l) => h >= 0 && k >= 0 && l >= 0,
            "4/m" => (h, k, l) => l >= 0 && ((h >= 0 && k > 0) || (h == 0 && k == 0)),
            "4/mmm" => (h, k, l) => h >= k && k >= 0 && l >= 0,
            "-3" => (h, k, l) => (h >= 0 && k > 0) || (h == 0 && k == 0 && l >= 0),
            "-3m1" => (h, k, l) => h >= k && k >= 0 && (h > k || l >= 0),
            "-31m" => (h, k, l) => h >= k && k >= 0 && (k > 0 || l >= 0),
            "6/m" => (h, k, l) => l >= 0 && ((h >= 0 && k > 0) || (h == 0 && k == 0)),
            "6/mmm" => (h, k, l) => h >= k && k >= 0 && l >= 0,
            "m-3" => (h, k, l) => h >= 0 && ((l >= h && k > h) || (l == h && k == h)),
            "m-3m" => (h, k, l) => k >= l && l >= h && h >= 0,
            _ => null,   // rhombohedral axes: no CCP4 region (CCP4 works in hexagonal axes)
        };
    }
}
