using System;
using System.Globalization;

namespace XtalPS.Geometry
{
    /// <summary>The incident beam: wavelength and direction in the DIALS lab frame.</summary>
    /// <remarks>
    /// Lab frame (DIALS/dxtbx): the beam travels along −z. <see cref="Direction"/> is the unit vector from the
    /// sample towards the source, (0, 0, 1) for a beam along −z, as in DIALS's <c>.expt</c> files; the incident
    /// wave vector is <see cref="S0"/> = −Direction/λ.
    /// </remarks>
    public sealed class Beam
    {
        public Beam(double wavelength) : this(wavelength, Vec3.UnitZ) { }

        public Beam(double wavelength, Vec3 direction, double polarizationFraction = 0.999)
        {
            if (!(wavelength > 0) || double.IsInfinity(wavelength)) throw new ArgumentOutOfRangeException(nameof(wavelength), "The wavelength must be a positive number of Å.");
            if (direction.Length == 0) throw new ArgumentException("The beam direction must not be zero.", nameof(direction));
            Wavelength = wavelength;
            Direction = direction.Normalized();
            PolarizationFraction = polarizationFraction;
        }

        /// <summary>Wavelength in Å.</summary>
        public double Wavelength { get; }
        /// <summary>Unit vector from the sample towards the source (DIALS convention).</summary>
        public Vec3 Direction { get; }
        /// <summary>Fraction of the beam polarised in the horizontal (lab x) plane.</summary>
        public double PolarizationFraction { get; }
        /// <summary>Incident wave vector, 1/Å: −Direction/λ.</summary>
        public Vec3 S0 => -Direction / Wavelength;
        /// <summary>Photon energy in eV (X-rays; for electrons this is not the beam energy).</summary>
        public double EnergyEv => 12398.419843320026 / Wavelength;

        public Beam WithWavelength(double wavelength) => new Beam(wavelength, Direction, PolarizationFraction);

        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "λ {0:0.#####} Å along {1}", Wavelength, -Direction);
    }
}
