using System;
using System.Collections.Generic;
using System.Linq;
using XtalPS.Geometry;
using XtalPS.Lattices;

namespace XtalPS.Metrology
{
    /// <summary>
    /// One still for metrology: the beam, a crystal (orientation U and cell under its lattice system's constraints)
    /// and its indexed reflections on the panels of a detector. A = U·B (cctbx setting of B), r = A·h.
    /// </summary>
    public sealed class StillExperiment
    {
        public StillExperiment(string name, Beam beam, Mat3 orientation, UnitCell cell, LatticeSystem latticeSystem,
            IEnumerable<ObservedReflection> reflections, DetectorModel? detector = null, string spaceGroup = "")
        {
            Name = name ?? "";
            Beam = beam ?? throw new ArgumentNullException(nameof(beam));
            if (Math.Abs(orientation.Determinant - 1) > 1e-3)
                throw new MetrologyException(MetrologyException.InvalidObservationId, $"{Name}: the orientation matrix is not a proper rotation (determinant {orientation.Determinant:0.####}).");
            Orientation = Orthonormalized(orientation);
            Cell = cell;
            LatticeSystem = latticeSystem;
            Reflections = (reflections ?? throw new ArgumentNullException(nameof(reflections))).ToArray();
            Detector = detector;
            SpaceGroup = spaceGroup ?? "";
        }

        /// <summary>
        /// From a setting matrix A = U·B (columns a*, b*, c*, 1/Å) and a space-group symbol: the lattice system
        /// comes from the symbol (checked against the cell), the cell is symmetrised to its constraints, and U is
        /// the rotation of A's own cell (so A is reproduced up to the symmetrisation).
        /// </summary>
        public static StillExperiment FromSettingMatrix(string name, Beam beam, Mat3 a, string spaceGroup,
            IEnumerable<ObservedReflection> reflections, DetectorModel? detector = null)
        {
            double det = a.Determinant;
            if (!(det > 0) || double.IsInfinity(det))
                throw new MetrologyException(MetrologyException.InvalidObservationId, $"{name}: the setting matrix is singular or left-handed (determinant {det:g4}).");
            var real = a.Inverse();
            var cell = UnitCell.FromRealSpaceVectors(real.Row1, real.Row2, real.Row3);
            var system = LatticeSystems.FromSpaceGroup(spaceGroup, cell);
            var u = a * cell.BMatrix.Inverse();
            UnitCell symmetric;
            try { symmetric = new CellParameterisation(system, cell).Cell; }
            catch (ArgumentException e) { throw new MetrologyException(MetrologyException.InvalidObservationId, $"{name}: the cell {cell} does not make a {system.ToString().ToLowerInvariant()} cell.", e); }
            return new StillExperiment(name, beam, u, symmetric, system, reflections, detector, spaceGroup);
        }

        public string Name { get; }
        public Beam Beam { get; }
        /// <summary>Crystal orientation U (a proper rotation).</summary>
        public Mat3 Orientation { get; }
        public UnitCell Cell { get; }
        public LatticeSystem LatticeSystem { get; }
        public string SpaceGroup { get; }
        /// <summary>Setting matrix A = U·B.</summary>
        public Mat3 AMatrix => Orientation * Cell.BMatrix;
        public IReadOnlyList<ObservedReflection> Reflections { get; }
        /// <summary>The detector the reflections were measured on, when known; checked against the detector refined.</summary>
        public DetectorModel? Detector { get; }

        /// <summary>The nearest rotation (polar decomposition by Newton iteration: U ← (U + U⁻ᵀ)/2).</summary>
        internal static Mat3 Orthonormalized(Mat3 u)
        {
            for (int i = 0; i < 20; i++)
            {
                var o = u.ToArray();
                var t = u.Inverse().Transpose().ToArray();
                double change = 0;
                var d = new double[9];
                for (int k = 0; k < 9; k++) { d[k] = 0.5 * (o[k] + t[k]); change = Math.Max(change, Math.Abs(d[k] - o[k])); }
                u = Mat3.FromArray(d);
                if (change < 1e-15) break;
            }
            return u;
        }

        public override string ToString() => $"{Name}: {LatticeSystem} {Cell}, {Reflections.Count} reflections";
    }
}
