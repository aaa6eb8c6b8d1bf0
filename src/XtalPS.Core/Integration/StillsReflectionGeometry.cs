using System;
using System.Collections.Generic;
using XtalPS.Geometry;
using XtalPS.Lattices;

namespace XtalPS.Integration
{
    /// <summary>
    /// What merging needs to know about each reflection of a still besides its intensity: how far it was from the
    /// Ewald sphere (Δψ, excitation error), the partiality the lattice's spot-extent model expects (Sauter et al. 2014),
    /// and the Lorentz–polarisation factor. The intensities themselves are left as measured.
    /// </summary>
    public static class StillsReflectionGeometry
    {
        /// <summary>The normal of the polarisation plane, DIALS's default for synchrotron and XFEL beams (the electric vector is horizontal).</summary>
        public static readonly Vec3 PolarizationNormal = new Vec3(0, 1, 0);

        /// <summary>Sets <see cref="Reflection.DeltaPsi"/>, <see cref="Reflection.ExcitationError"/>, <see cref="Reflection.Partiality"/>,
        /// <see cref="Reflection.LorentzPolarisation"/> (and d where missing) from the lattice that predicted them.</summary>
        public static void Annotate(IEnumerable<Reflection> reflections, CrystalLattice lattice, SpotExtentModel model)
        {
            if (reflections == null) throw new ArgumentNullException(nameof(reflections));
            if (lattice == null) throw new ArgumentNullException(nameof(lattice));
            if (lattice.Detector == null || lattice.Beam == null) return;
            var beam = lattice.Beam;
            foreach (var r in reflections)
            {
                lattice.TryPredict(r.H, r.K, r.L, out var p);
                if (double.IsNaN(p.DeltaPsi)) continue;
                r.DeltaPsi = p.DeltaPsi;
                r.ExcitationError = p.ExcitationError;
                if (double.IsNaN(r.D)) r.D = p.D;
                r.Partiality = model.Partiality(p.DeltaPsi, p.D);
                double pol = Polarization(beam, p.S1);
                r.LorentzPolarisation = pol > 0 ? 1 / pol : double.NaN;
            }
        }

        /// <summary>
        /// The polarisation factor P of a ray along <paramref name="s1"/>: a fraction f of the beam's electric vector lies
        /// along e = n × b (b the beam direction, n the polarisation normal) and 1 − f along n;
        /// P = f(1 − (ŝ1·e)²) + (1 − f)(1 − (ŝ1·n)²) (Kahn et al. 1982, J. Appl. Cryst. 15:330).
        /// </summary>
        public static double Polarization(Beam beam, Vec3 s1)
        {
            if (beam == null) throw new ArgumentNullException(nameof(beam));
            var u = s1.Normalized();
            var b = beam.S0.Normalized();
            var n = PolarizationNormal - b * PolarizationNormal.Dot(b);
            if (n.Length < 1e-9) return double.NaN;
            n = n.Normalized();
            var e = n.Cross(b).Normalized();
            double f = beam.PolarizationFraction, ue = u.Dot(e), un = u.Dot(n);
            return f * (1 - ue * ue) + (1 - f) * (1 - un * un);
        }
    }
}
