using System;
using System.Collections.Generic;
using XtalPS.Geometry;
using XtalPS.Lattices;
using XtalPS.Merging;

namespace XtalPS.Tests.Shared
{
    /// <summary>
    /// Still observations generated from a known crystal for merging tests and benchmarks: Wilson-distributed true
    /// intensities in P 43 21 2 (lysozyme cell), lattices in random orientations recorded with the Gaussian rlp model at
    /// a known width, each with a known scale G and B, its setting matrix reported with a small misset (what
    /// post-refinement must undo), and Poisson-like noise. A few distinct orientations are re-emitted under new ids with
    /// new scales and noise when many lattices are asked for (the merger cannot tell).
    /// </summary>
    public sealed class SyntheticMergingData
    {
        public ObservationStore Observations { get; } = new ObservationStore(1 << 16);
        public LatticeTable Lattices { get; } = new LatticeTable();
        public Dictionary<(int H, int K, int L), double> Truth { get; } = new Dictionary<(int, int, int), double>();
        public List<double> TrueScale { get; } = new List<double>();
        public List<double> TrueB { get; } = new List<double>();
        public SpaceGroup Group { get; private set; } = SpaceGroup.Parse("P 43 21 2");
        /// <summary>Per lattice: true when its indices and setting matrix were given in the alternative indexing k,h,−l.</summary>
        public List<bool> Reindexed { get; } = new List<bool>();
        public UnitCell Cell { get; } = new UnitCell(79.1, 79.1, 37.9, 90, 90, 90);
        public const double RlpWidth = 0.028, Wavelength = 1.3;

        /// <summary>Makes the data. With <paramref name="spaceGroup"/> another group of the lysozyme cell (P 43 has an
        /// indexing ambiguity); <paramref name="reindexFraction"/> of the lattices are then reported in the alternative
        /// indexing k,h,−l (indices and setting matrix), as an indexer that cannot tell would.</summary>
        public static SyntheticMergingData Create(int lattices, int distinct, int seed, double missetDegrees = 0.03, double dMin = 2.0, double scaleSpread = 0.3, double bSpread = 5,
            string spaceGroup = "P 43 21 2", double reindexFraction = 0)
        {
            var d = new SyntheticMergingData();
            d.Group = SpaceGroup.Parse(spaceGroup);
            var rng = new Random(seed);
            double Gauss() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
            var asu = new ReciprocalAsu(d.Group);
            var b = d.Cell.BMatrix;
            int hMax = (int)(d.Cell.A / dMin), lMax = (int)(d.Cell.C / dMin);
            var candidates = new List<(int H, int K, int L, double InvD2)>();
            for (int h = -hMax; h <= hMax; h++)
                for (int k = -hMax; k <= hMax; k++)
                    for (int l = -lMax; l <= lMax; l++)
                    {
                        if (h == 0 && k == 0 && l == 0) continue;
                        var q = b * new Vec3(h, k, l);
                        double q2 = q.LengthSquared;
                        if (q2 > 1 / (dMin * dMin)) continue;
                        var a = asu.Map(h, k, l, out _);
                        if (d.Group.IsAbsent(a.H, a.K, a.L)) continue;
                        if (!d.Truth.ContainsKey(a))
                        {
                            // Wilson: exponential intensities (acentric) falling off with B = 25 Å².
                            double mean = 1000 * Math.Exp(-25 * q2 / 2);
                            d.Truth[a] = -mean * Math.Log(1 - rng.NextDouble());
                        }
                        candidates.Add((h, k, l, q2));
                    }
            var s0 = new Vec3(0, 0, -1 / Wavelength);
            var recorded = new List<(int H, int K, int L, double Factor, double InvD2)>[distinct];
            var settings = new Mat3[distinct];
            for (int o = 0; o < distinct; o++)
            {
                var u = RandomRotation(rng);
                var aTrue = u * b;
                var inv = aTrue.Inverse();
                double cbrtV = PartialityModel.CubeRootVolume(aTrue);
                var list = new List<(int, int, int, double, double)>();
                foreach (var c in candidates)
                {
                    PartialityModel.Geometry(aTrue, inv, s0, c.H, c.K, c.L, out double eps, out double g);
                    double uu = eps * g / RlpWidth;
                    if (Math.Abs(uu) > 2.5) continue;
                    list.Add((c.H, c.K, c.L, PartialityModel.Factor(eps, g, RlpWidth, cbrtV), c.InvD2));
                }
                recorded[o] = list;
                double mx = missetDegrees * Math.PI / 180 * Gauss(), my = missetDegrees * Math.PI / 180 * Gauss();
                settings[o] = LatticeTable.Rotated(aTrue, mx, my);
            }
            for (int lat = 0; lat < lattices; lat++)
            {
                int o = lat % distinct;
                double g = Math.Exp(scaleSpread * Gauss()), bf = bSpread * (2 * rng.NextDouble() - 1);
                d.TrueScale.Add(g); d.TrueB.Add(bf);
                int first = d.Observations.Count;
                bool flip = reindexFraction > 0 && rng.NextDouble() < reindexFraction;
                d.Reindexed.Add(flip);
                // k,h,−l: M = [[0,1,0],[1,0,0],[0,0,−1]] is its own inverse, so A' = A·M.
                var setting = flip ? settings[o] * new Mat3(0, 1, 0, 1, 0, 0, 0, 0, -1) : settings[o];
                int index = d.Lattices.Add(0x5EED0000L + lat * 7919L, "synthetic#" + lat, setting, s0, first, 0);
                foreach (var r in recorded[o])
                {
                    var a = asu.Map(r.H, r.K, r.L, out _);
                    double ideal = g * Math.Exp(-bf * r.InvD2 / 2) * r.Factor * d.Truth[a];
                    double sigma = Math.Sqrt(Math.Max(ideal, 0) + 25);
                    if (flip) d.Observations.Add(index, r.K, r.H, -r.L, ideal + sigma * Gauss(), sigma, r.InvD2);
                    else d.Observations.Add(index, r.H, r.K, r.L, ideal + sigma * Gauss(), sigma, r.InvD2);
                }
                d.Lattices.SetObservationCount(index, d.Observations.Count - first);
            }
            return d;
        }

        private static Mat3 RandomRotation(Random rng)
        {
            // Uniform random rotation from a random unit quaternion (Shoemake 1992).
            double u1 = rng.NextDouble(), u2 = rng.NextDouble(), u3 = rng.NextDouble();
            double a = Math.Sqrt(1 - u1), c = Math.Sqrt(u1);
            double w = a * Math.Sin(2 * Math.PI * u2), x = a * Math.Cos(2 * Math.PI * u2), y = c * Math.Sin(2 * Math.PI * u3), z = c * Math.Cos(2 * Math.PI * u3);
            return new Mat3(1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
                2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
                2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y));
        }
    }
}
