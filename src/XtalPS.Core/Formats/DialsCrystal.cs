using System;
using System.Globalization;
using XtalPS.Geometry;

namespace XtalPS.Formats
{
    /// <summary>
    /// One crystal model of a DIALS experiment list as plain numbers: the real-space cell vectors a, b, c (Å, lab
    /// frame) and the space group as a Hall symbol. The indexing stage turns it into a lattice.
    /// </summary>
    public sealed class DialsCrystal
    {
        public DialsCrystal(Vec3 realSpaceA, Vec3 realSpaceB, Vec3 realSpaceC, string spaceGroupHallSymbol)
        {
            RealSpaceA = realSpaceA;
            RealSpaceB = realSpaceB;
            RealSpaceC = realSpaceC;
            SpaceGroupHallSymbol = spaceGroupHallSymbol ?? "";
        }

        public Vec3 RealSpaceA { get; }
        public Vec3 RealSpaceB { get; }
        public Vec3 RealSpaceC { get; }
        /// <summary>e.g. " P 4nw 2abw" as DIALS writes it (leading space kept).</summary>
        public string SpaceGroupHallSymbol { get; }

        /// <summary>Cell volume a·(b×c), Å³.</summary>
        public double Volume => Math.Abs(RealSpaceA.Dot(RealSpaceB.Cross(RealSpaceC)));

        /// <summary>The setting matrix A = U·B (reciprocal-space columns a*, b*, c* in 1/Å): the inverse of the matrix whose rows are a, b, c.</summary>
        public Mat3 A => Mat3.FromRows(RealSpaceA, RealSpaceB, RealSpaceC).Inverse();

        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "{0:0.###} {1:0.###} {2:0.###} ({3})",
            RealSpaceA.Length, RealSpaceB.Length, RealSpaceC.Length, SpaceGroupHallSymbol.Trim());
    }
}
