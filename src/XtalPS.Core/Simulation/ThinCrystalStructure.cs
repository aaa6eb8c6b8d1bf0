using System;
using System.Collections.Generic;
using XtalPS.Geometry;
using XtalPS.Lattices;

namespace XtalPS.Simulation
{
    /// <summary>
    /// A random thin 3D structure in the cell of a 2D crystal: point atoms at fractional (x, y) and height z (Å) within
    /// ±thickness/2, repeated by the rotations of a plane group (<see cref="Lattices.PlaneGroup"/>: two-folds and higher
    /// axes along the membrane normal keep z, in-plane two-folds turn it over) and, for c12 and c222, the centring.
    /// Screw translations are left out: they change phases, not the intensity symmetry merging relies on. Its
    /// lattice-line intensities I(h, k, z*) = |F|² are the truth of tilted-crystal simulations.
    /// </summary>
    public sealed class ThinCrystalStructure
    {
        private readonly double[] _x, _y, _z;

        public ThinCrystalStructure(PlanarCell cell, int atoms = 40, double thickness = 40, double bFactor = 20, string planeGroup = "p1", int seed = 1)
        {
            if (atoms < 1 || atoms > 100000) throw new ArgumentOutOfRangeException(nameof(atoms), "1 to 100000 atoms.");
            if (!(thickness > 0)) throw new ArgumentOutOfRangeException(nameof(thickness), "The thickness must be positive (Å).");
            if (!(bFactor >= 0)) throw new ArgumentOutOfRangeException(nameof(bFactor), "The B factor must not be negative.");
            var group = Lattices.PlaneGroup.Parse(planeGroup);
            string? problem = group.CellProblem(cell);
            if (problem != null) throw new ArgumentException(problem);
            PlaneGroup = group.Name;
            Cell = cell; Thickness = thickness; BFactor = bFactor; Seed = seed;
            var rng = RandomSource.ForStream(seed, 0x7E1C);
            var xs = new List<double>(); var ys = new List<double>(); var zs = new List<double>();
            for (int i = 0; i < atoms; i++)
            {
                double x = rng.NextDouble(), y = rng.NextDouble(), z = (rng.NextDouble() - 0.5) * thickness;
                foreach (var op in group.Operators)
                {
                    double x1 = op.R11 * x + op.R12 * y, y1 = op.R21 * x + op.R22 * y, z1 = op.ZSign * z;
                    xs.Add(x1); ys.Add(y1); zs.Add(z1);
                    if (group.Centred) { xs.Add(x1 + 0.5); ys.Add(y1 + 0.5); zs.Add(z1); }
                }
            }
            _x = xs.ToArray(); _y = ys.ToArray(); _z = zs.ToArray();
        }

        public PlanarCell Cell { get; }
        public string PlaneGroup { get; }
        /// <summary>Spread of the atoms along the normal, Å.</summary>
        public double Thickness { get; }
        /// <summary>Isotropic B factor, Å².</summary>
        public double BFactor { get; }
        public int Seed { get; }
        public int AtomCount => _x.Length;

        /// <summary>|F(h, k, z*)|² per atom (so that the mean at low resolution is about 1), with the B-factor fall-off.</summary>
        public double Intensity(double h, double k, double zStar)
        {
            double re = 0, im = 0;
            for (int i = 0; i < _x.Length; i++)
            {
                double phase = 2 * Math.PI * (h * _x[i] + k * _y[i] + zStar * _z[i]);
                re += Math.Cos(phase); im += Math.Sin(phase);
            }
            double g = Cell.PlanarReciprocalLength(h, k);
            double s2 = g * g + zStar * zStar;
            return (re * re + im * im) / _x.Length * Math.Exp(-BFactor * s2 / 2);
        }
    }
}
