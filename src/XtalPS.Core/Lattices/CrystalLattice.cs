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
            : this(aMatrix, spaceGroup != null && Lattices.SpaceGroup.TryParse(spaceGroup, out var g) ? g : null, spaceGroup ?? "P1",
                image, spots, indexedSpots, rmsd, mosaicity, null, null, double.NaN)
        {
        }

        /// <summary>A lattice with a parsed space group (null = P 1) and the geometry it was indexed against: A = U·B
        /// (columns a*, b*, c*, 1/Å, DIALS lab frame); the detector and beam default to the image's.</summary>
        public CrystalLattice(Mat3 aMatrix, SpaceGroup? spaceGroup, DiffractionImage? image = null, SpotList? spots = null,
            IEnumerable<IndexedSpot>? indexedSpots = null, double rmsd = double.NaN, double mosaicity = double.NaN,
            DetectorModel? detector = null, Beam? beam = null, double deltaPsiRms = double.NaN)
            : this(aMatrix, spaceGroup ?? Lattices.SpaceGroup.FromNumber(1), null, image, spots, indexedSpots, rmsd, mosaicity, detector, beam, deltaPsiRms)
        {
        }

        private CrystalLattice(Mat3 aMatrix, SpaceGroup? group, string? symbol, DiffractionImage? image, SpotList? spots,
            IEnumerable<IndexedSpot>? indexedSpots, double rmsd, double mosaicity, DetectorModel? detector, Beam? beam, double deltaPsiRms)
            : base(image ?? spots?.Image, spots, indexedSpots?.Count() ?? 0, rmsd)
        {
            if (Math.Abs(aMatrix.Determinant) < 1e-15) throw new ArgumentException("The setting matrix is singular.");
            AMatrix = aMatrix;
            Symmetry = group;
            SpaceGroup = group?.Symbol ?? symbol ?? "P 1";
            IndexedSpots = (indexedSpots ?? Enumerable.Empty<IndexedSpot>()).ToArray();
            Mosaicity = mosaicity;
            DeltaPsiRms = deltaPsiRms;
            Detector = detector ?? Image?.Detector;
            Beam = beam ?? Image?.Beam;
            var real = aMatrix.Inverse();
            RealSpaceA = real.Row1; RealSpaceB = real.Row2; RealSpaceC = real.Row3;
            UnitCell = UnitCell.FromRealSpaceVectors(RealSpaceA, RealSpaceB, RealSpaceC);
        }

        /// <summary>Builds A = U·B from an orientation and a cell.</summary>
        public static CrystalLattice FromOrientation(Mat3 u, UnitCell cell, string spaceGroup) => new CrystalLattice(u * cell.BMatrix, spaceGroup);

        /// <summary>Builds A = U·B from an orientation, a cell and a space group, with the geometry to predict on.</summary>
        public static CrystalLattice FromOrientation(Mat3 u, UnitCell cell, SpaceGroup spaceGroup, DetectorModel? detector = null, Beam? beam = null) =>
            new CrystalLattice(u * cell.BMatrix, spaceGroup, detector: detector, beam: beam);

        public override LatticeKind Kind => LatticeKind.Crystal;
        /// <summary>The setting matrix A = U·B, 1/Å.</summary>
        public Mat3 AMatrix { get; }
        public UnitCell UnitCell { get; }
        /// <summary>Space group symbol (Hermann–Mauguin, with the setting qualifier when there is one).</summary>
        public string SpaceGroup { get; }
        /// <summary>The space group itself (operators, absences, Laue group); null when the symbol given was not recognised.</summary>
        public SpaceGroup? Symmetry { get; }
        /// <summary>Detector the lattice predicts on (the image's unless given).</summary>
        public DetectorModel? Detector { get; }
        /// <summary>Beam the lattice predicts with (the image's unless given).</summary>
        public Beam? Beam { get; }
        /// <summary>Real-space cell edges, Å, lab frame.</summary>
        public Vec3 RealSpaceA { get; }
        public Vec3 RealSpaceB { get; }
        public Vec3 RealSpaceC { get; }
        /// <summary>The orientation U = A·B⁻¹.</summary>
        public Mat3 Orientation => AMatrix * UnitCell.BMatrix.Inverse();
        /// <summary>Effective mosaic spread, degrees: 2.355 × the RMS Δψ of the indexed reflections (a FWHM-like figure that
        /// also holds the domain-size and bandwidth spread of a still, so it exceeds the true mosaic spread).</summary>
        public double Mosaicity { get; }
        /// <summary>RMS of Δψ over the indexed reflections, rad.</summary>
        public double DeltaPsiRms { get; }
        public IReadOnlyList<IndexedSpot> IndexedSpots { get; }

        private SpotExtentModel? _spotExtent;
        /// <summary>The still's spot-extent model (Sauter et al. 2014) fitted to the indexed spots' Δψ: which reflections it recorded.</summary>
        public SpotExtentModel SpotExtent => _spotExtent ??= SpotExtentModel.Fit(this);
        /// <summary>Effective full mosaic spread η of <see cref="SpotExtent"/>, degrees (NaN with too few indexed spots).</summary>
        public double MosaicSpread => SpotExtent.MosaicSpread;
        /// <summary>Mosaic block size D of <see cref="SpotExtent"/>, Å (+∞ when no domain-size broadening is seen; NaN with too few spots).</summary>
        public double DomainSize => SpotExtent.DomainSize;

        /// <summary>The Bravais-lattice centring letter of the space group (P when unknown).</summary>
        public char Centring => Symmetry?.Centring ?? 'P';

        private StillsPredictor? _predictor;

        /// <summary>A stills predictor on this lattice's detector and beam.</summary>
        public StillsPredictor Predictor
        {
            get
            {
                if (_predictor != null) return _predictor;
                if (Detector == null || Beam == null) throw new InvalidOperationException("This lattice has no detector and beam to predict on.");
                return _predictor = new StillsPredictor(Detector, Beam);
            }
        }

        /// <summary>Reflections predicted on the detector (Sauter 2014 stills model), absences of the space group left out.</summary>
        public IReadOnlyList<PredictedReflection> Predict(StillsPredictionSettings settings) => Predictor.Predict(this, settings);

        /// <summary>Reflections predicted to <paramref name="dMin"/> Å with the default Δψ / excitation-error window.</summary>
        public IReadOnlyList<PredictedReflection> Predict(double dMin) => Predict(new StillsPredictionSettings { DMin = dMin });

        /// <summary>Where reflection h k l would land (no window); false when it misses the detector.</summary>
        public bool TryPredict(int h, int k, int l, out PredictedReflection reflection) => Predictor.TryPredict(AMatrix, h, k, l, out reflection);

        /// <summary>Smallest rotation (degrees) between this lattice and another, modulo the Laue group's rotations.</summary>
        public double MisorientationTo(CrystalLattice other) =>
            CrystalOrientation.MisorientationDegrees(AMatrix, other.AMatrix, Symmetry ?? other.Symmetry);

        public override string Summary => string.Format(CultureInfo.InvariantCulture, "{0} {1}", SpaceGroup, UnitCell);

        /// <summary>U·B rounded for display.</summary>
        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "Crystal {0} {1}, {2} indexed, RMSD {3:0.###} px", SpaceGroup, UnitCell, IndexedCount, Rmsd);
    }
}
