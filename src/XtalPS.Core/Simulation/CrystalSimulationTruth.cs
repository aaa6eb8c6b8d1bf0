using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using XtalPS.Geometry;
using XtalPS.Imaging;
using XtalPS.Lattices;

namespace XtalPS.Simulation
{
    /// <summary>One reflection drawn on a simulated crystal still.</summary>
    public sealed class SimulatedReflection
    {
        public SimulatedReflection(int h, int k, int l, int panel, double x, double y, double intensity, double intensityInImage,
            double fullIntensity, double partiality, double deltaPsi, double excitationError, double d)
        {
            H = h; K = k; L = l; Panel = panel; X = x; Y = y; Intensity = intensity; IntensityInImage = intensityInImage;
            FullIntensity = fullIntensity; Partiality = partiality; DeltaPsi = deltaPsi; ExcitationError = excitationError; D = d;
        }
        public int H { get; }
        public int K { get; }
        public int L { get; }
        public int Panel { get; }
        /// <summary>True centre along fast, px: the stills prediction (first pixel centre 0.5).</summary>
        public double X { get; }
        /// <summary>True centre along slow, px.</summary>
        public double Y { get; }
        /// <summary>Photons in the spot (FullIntensity × Partiality), before noise; pixels hold Gain × photons.</summary>
        public double Intensity { get; }
        /// <summary>The part of <see cref="Intensity"/> that falls on the panel.</summary>
        public double IntensityInImage { get; }
        /// <summary>The full reflection's intensity (Wilson draw or the user's function), counts.</summary>
        public double FullIntensity { get; }
        /// <summary>Fraction of the reflection recorded: exp(−½(ε/σ)²) of its excitation error.</summary>
        public double Partiality { get; }
        public double DeltaPsi { get; }
        public double ExcitationError { get; }
        public double D { get; }
        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "({0},{1},{2}) panel {3} ({4:0.###}, {5:0.###}) I={6:0.#}", H, K, L, Panel, X, Y, Intensity);
    }

    /// <summary>The truth of a simulated crystal still: the crystal, its setting matrix and every reflection drawn.</summary>
    public sealed class CrystalSimulationTruth : SimulationTruth
    {
        public CrystalSimulationTruth(UnitCell cell, SpaceGroup spaceGroup, Mat3 orientation, double spotSigma, double background, double gain,
            double rlpSigma, IEnumerable<SimulatedReflection> reflections, int? seed)
        {
            UnitCell = cell; SpaceGroup = spaceGroup; Orientation = orientation; AMatrix = orientation * cell.BMatrix;
            SpotSigma = spotSigma; Background = background; Gain = gain; RlpSigma = rlpSigma;
            Reflections = reflections.ToArray(); Seed = seed;
        }

        public UnitCell UnitCell { get; }
        public SpaceGroup SpaceGroup { get; }
        /// <summary>The orientation U (lab frame).</summary>
        public Mat3 Orientation { get; }
        /// <summary>A = U·B, 1/Å.</summary>
        public Mat3 AMatrix { get; }
        /// <summary>Gaussian σ of the spots, px.</summary>
        public double SpotSigma { get; }
        /// <summary>Flat background, photons per pixel.</summary>
        public double Background { get; }
        public double Gain { get; }
        /// <summary>σ of the partiality profile in excitation error, 1/Å.</summary>
        public double RlpSigma { get; }
        public IReadOnlyList<SimulatedReflection> Reflections { get; }
        public int ReflectionCount => Reflections.Count;

        /// <summary>The true lattice, ready to predict with on the given geometry.</summary>
        public CrystalLattice ToLattice(DetectorModel? detector = null, Beam? beam = null) =>
            new CrystalLattice(AMatrix, SpaceGroup, detector: detector, beam: beam);

        public override string ToString() => string.Format(CultureInfo.InvariantCulture,
            "crystal {0} {1}, {2} reflections", SpaceGroup, UnitCell, Reflections.Count);
    }
}
