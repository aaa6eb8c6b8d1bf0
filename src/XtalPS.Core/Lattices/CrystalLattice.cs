using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using XtalPS.Geometry;
using XtalPS.Imaging;
using XtalPS.Spots;

namespace XtalPS.Lattices
{
    /// <summary>A spot with the Miller index a crystal lattice gives it.</summary>
    public sealed class IndexedSpot
    {
        public IndexedSpot(BraggSpot spot, int h, int k, int l, double predictedX, double predictedY, double deltaPsi)
        {
            Spot = spot; H = h; K = k; L = l; PredictedX = predictedX; PredictedY = predictedY; DeltaPsi = deltaPsi;
        }
        public BraggSpot Spot { get; }
        public int H { get; }
        public int K { get; }
        public int L { get; }
        public double PredictedX { get; }
        public double PredictedY { get; }
        /// <summary>Rotation (rad) that brings the reciprocal-lattice point onto the Ewald sphere (stills).</summary>
        public double DeltaPsi { get; }
        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "({0},{1},{2}) {3}", H, K, L, Spot);
    }

    /// <summary>
    /// A crystal lattice in the DIALS lab frame: the setting matrix A = U·B (columns a*, b*, c* in 1/Å),
    /// so a reflection h sits at r = A·h in reciprocal space.
    /// </summary>
    public sealed class CrystalLattice : Lattice
    {
        public CrystalLattice(Mat3 aMatrix, string spaceGroup, DiffractionImage? image = null, SpotList? spots = null,
            IEnumerable<IndexedSpot>? indexedSpots = null, double rmsd = double.NaN, double mosaicity = double.NaN)
            : base(image, spots, indexedSpots?.Count() ?? 0, rmsd)
        {
            if (Math.Abs(aMatrix.Determinant) < 1e-15) throw new ArgumentException("The setting matrix is singular.");
            AMatrix = aMatrix;
            SpaceGroup = spaceGroup ?? "P1";
            IndexedSpots = (indexedSpots ?? Enumerable.Empty<IndexedSpot>()).ToArray();
            Mosaicity = mosaicity;
            var real = aMatrix.Inverse();
            RealSpaceA = real.Row1; RealSpaceB = real.Row2; RealSpaceC = real.Row3;
            UnitCell = UnitCell.FromRealSpaceVectors(RealSpaceA, RealSpaceB, RealSpaceC);
        }

        /// <summary>Builds A = U·B from an orientation and a cell.</summary>
        public static CrystalLattice FromOrientation(Mat3 u, UnitCell cell, string spaceGroup) => new CrystalLattice(u * cell.BMatrix, spaceGroup);

        public override LatticeKind Kind => LatticeKind.Crystal;
        /// <summary>The setting matrix A = U·B, 1/Å.</summary>
        public Mat3 AMatrix { get; }
        public UnitCell UnitCell { get; }
        /// <summary>Space group symbol (Hermann–Mauguin).</summary>
        public string SpaceGroup { get; }
        /// <summary>Real-space cell edges, Å, lab frame.</summary>
        public Vec3 RealSpaceA { get; }
        public Vec3 RealSpaceB { get; }
        public Vec3 RealSpaceC { get; }
        /// <summary>The orientation U = A·B⁻¹.</summary>
        public Mat3 Orientation => AMatrix * UnitCell.BMatrix.Inverse();
        /// <summary>Mosaic spread estimate, degrees.</summary>
        public double Mosaicity { get; }
        public IReadOnlyList<IndexedSpot> IndexedSpots { get; }

        public override string Summary => string.Format(CultureInfo.InvariantCulture, "{0} {1}", SpaceGroup, UnitCell);
    }
}
