using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using XtalPS.Geometry;
using XtalPS.Imaging;

namespace XtalPS.Simulation
{
    /// <summary>One spot drawn by the simulator: its lattice index, true centre (px) and true integrated intensity.</summary>
    public sealed class SimulatedSpot
    {
        public SimulatedSpot(int h, int k, double x, double y, double intensity, double intensityInImage)
        {
            H = h; K = k; X = x; Y = y; Intensity = intensity; IntensityInImage = intensityInImage;
        }

        public int H { get; }
        public int K { get; }
        /// <summary>True centre along fast, px (first pixel centre 0.5).</summary>
        public double X { get; }
        /// <summary>True centre along slow, px.</summary>
        public double Y { get; }
        /// <summary>True integrated intensity (counts, before noise).</summary>
        public double Intensity { get; }
        /// <summary>The part of <see cref="Intensity"/> that falls on the image (less at the edges).</summary>
        public double IntensityInImage { get; }
        /// <summary>Tilted 2D crystals: z* where the spot samples its lattice line, 1/Å (NaN otherwise).</summary>
        public double ZStar { get; internal set; } = double.NaN;
        /// <summary>Tilted 2D crystals: the lattice-line intensity |F(h,k,z*)|² behind the spot (NaN otherwise).</summary>
        public double LatticeLineIntensity { get; internal set; } = double.NaN;

        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "({0},{1}) at ({2:0.###}, {3:0.###}) I={4:0.#}", H, K, X, Y, Intensity);
    }

    /// <summary>The truth of a planar 2D-lattice image: r(h,k) = Origin + h·A + k·B, Gaussian spots on a plane.</summary>
    public sealed class PlanarSimulationTruth : SimulationTruth
    {
        public PlanarSimulationTruth(Vec2 origin, Vec2 a, Vec2 b, double sigmaX, double sigmaY,
            double background, double backgroundTiltX, double backgroundTiltY, double gain, IEnumerable<SimulatedSpot> spots, int? seed)
        {
            Origin = origin; A = a; B = b; SigmaX = sigmaX; SigmaY = sigmaY;
            Background = background; BackgroundTiltX = backgroundTiltX; BackgroundTiltY = backgroundTiltY;
            Gain = gain; Spots = spots.ToArray(); Seed = seed;
        }

        public Vec2 Origin { get; }
        public Vec2 A { get; }
        public Vec2 B { get; }
        public double SigmaX { get; }
        public double SigmaY { get; }
        /// <summary>Background at the image centre (counts per pixel).</summary>
        public double Background { get; }
        /// <summary>Background slope along x (counts per pixel per pixel).</summary>
        public double BackgroundTiltX { get; }
        /// <summary>Background slope along y.</summary>
        public double BackgroundTiltY { get; }
        /// <summary>ADU per photon of the simulated noise.</summary>
        public double Gain { get; }
        public IReadOnlyList<SimulatedSpot> Spots { get; }
        /// <summary>The tilted 2D crystal behind the pattern (cell, tilt, structure), or null for a plain lattice.</summary>
        public TiltedCrystalSettings? TiltedCrystal { get; internal set; }
        /// <summary>Camera constant of a tilted-crystal pattern, px·Å (NaN otherwise).</summary>
        public double CameraConstant { get; internal set; } = double.NaN;

        public override string ToString() => string.Format(CultureInfo.InvariantCulture,
            "planar lattice origin {0} a {1} b {2}, {3} spots", Origin, A, B, Spots.Count);
    }
}
