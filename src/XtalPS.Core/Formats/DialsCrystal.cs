using System;
using System.Globalization;
using XtalPS.Geometry;

namespace XtalPS.Formats
{
    /// <summary>
    /// One crystal model of a DIALS experiment list as plain numbers: the real-space cell vectors a, b, c (Å, lab
    /// frame), the space group as a Hall symbol and, for a stills crystal (dxtbx MosaicCrystalSauter2014), the
    /// half mosaic angle and domain size of Sauter et al. (2014) Acta Cryst. D70, 3299. The indexing stage turns it
    /// into a lattice.
    /// </summary>
    public sealed class DialsCrystal
    {
        public DialsCrystal(Vec3 realSpaceA, Vec3 realSpaceB, Vec3 realSpaceC, string spaceGroupHallSymbol,
            double halfMosaicityDegrees = double.NaN, double domainSizeAngstrom = double.NaN)
        {
            RealSpaceA = realSpaceA;
            RealSpaceB = realSpaceB;
            RealSpaceC = realSpaceC;
            SpaceGroupHallSymbol = spaceGroupHallSymbol ?? "";
            HalfMosaicityDegrees = halfMosaicityDegrees;
            DomainSizeAngstrom = domainSizeAngstrom;
        }

        /// <summary>The crystal of a setting matrix A = U·B (columns a*, b*, c*, 1/Å): the rows of A⁻¹ are a, b, c.</summary>
        public static DialsCrystal FromA(Mat3 a, string spaceGroupHallSymbol, double halfMosaicityDegrees = double.NaN, double domainSizeAngstrom = double.NaN)
        {
            var real = a.Inverse();
            return new DialsCrystal(real.Row1, real.Row2, real.Row3, spaceGroupHallSymbol, halfMosaicityDegrees, domainSizeAngstrom);
        }

        public Vec3 RealSpaceA { get; }
        public Vec3 RealSpaceB { get; }
        public Vec3 RealSpaceC { get; }
        /// <summary>e.g. " P 4nw 2abw" as DIALS writes it (leading space kept).</summary>
        public string SpaceGroupHallSymbol { get; }
        /// <summary>ML_half_mosaicity_deg of a stills crystal, NaN when the list has none.</summary>
        public double HalfMosaicityDegrees { get; }
        /// <summary>ML_domain_size_ang of a stills crystal, NaN when the list has none.</summary>
        public double DomainSizeAngstrom { get; }

        /// <summary>Cell volume a·(b×c), Å³.</summary>
        public double Volume => Math.Abs(RealSpaceA.Dot(RealSpaceB.Cross(RealSpaceC)));

        /// <summary>The setting matrix A = U·B (reciprocal-space columns a*, b*, c* in 1/Å): the inverse of the matrix whose rows are a, b, c.</summary>
        public Mat3 A => Mat3.FromRows(RealSpaceA, RealSpaceB, RealSpaceC).Inverse();

        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "{0:0.###} {1:0.###} {2:0.###} ({3})",
            RealSpaceA.Length, RealSpaceB.Length, RealSpaceC.Length, SpaceGroupHallSymbol.Trim());
    }
}
