using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using XtalPS.Geometry;
using XtalPS.Imaging;

namespace XtalPS.Simulation
{
    /// <summary>Settings of a planar 2D-lattice image (the electron-crystallography case of IPLT).</summary>
    public sealed class PlanarLatticeSettings
    {
        public int Width { get; set; } = 512;
        public int Height { get; set; } = 512;
        /// <summary>Position (px) of lattice point (0,0).</summary>
        public Vec2 Origin { get; set; } = new Vec2(256.5, 256.5);
        public Vec2 A { get; set; } = new Vec2(23.4, 3.1);
        public Vec2 B { get; set; } = new Vec2(-5.2, 25.7);
        public double SigmaX { get; set; } = 1.5;
        public double SigmaY { get; set; } = 1.5;
        /// <summary>Mean integrated intensity per spot (counts).</summary>
        public double Intensity { get; set; } = 5000;
        /// <summary>Draw intensities from an exponential (Wilson) distribution instead of giving every spot the same.</summary>
        public bool WilsonIntensities { get; set; } = true;
        /// <summary>Background at the image centre (counts/px).</summary>
        public double Background { get; set; } = 20;
        public double BackgroundTiltX { get; set; } = 0.01;
        public double BackgroundTiltY { get; set; } = -0.005;
        /// <summary>ADU per photon.</summary>
        public double Gain { get; set; } = 1;
        /// <summary>Add Poisson noise (photon counting, scaled by the gain).</summary>
        public bool Noise { get; set; } = true;
        public int Seed { get; set; } = 1;
        /// <summary>Frame number given to the image (its name is Simulated#Frame).</summary>
        public int Frame { get; set; }
        /// <summary>Lab geometry attached to the image; a flat panel at 1000 mm with 0.015 mm pixels when not given.</summary>
        public DetectorModel? Detector { get; set; }
        /// <summary>Beam attached to the image; 200 kV electrons (0.02508 Å) when not given.</summary>
        public Beam? Beam { get; set; }
        /// <summary>Parallel rows (1 = serial). The output does not depend on it.</summary>
        public int MaxDegreeOfParallelism { get; set; } = Environment.ProcessorCount;
        /// <summary>A tilted 2D crystal: when set, A and B come from its cell and tilt, and each spot's intensity is
        /// <see cref="Intensity"/> × |F(h,k,z*)|² of its structure (and 1/cos²θ), instead of Wilson draws.</summary>
        public TiltedCrystalSettings? TiltedCrystal { get; set; }
    }

    /// <summary>
    /// Draws a planar lattice of Gaussian spots on a tilted background. Each pixel holds the exact integral of
    /// the Gaussian over its area (products of error-function differences), so without noise the spot centroids
    /// and sums equal the truth to rounding.
    /// </summary>
    public static class PlanarLatticeSimulator
    {
        /// <summary>Spots are drawn out to this many σ; the mass beyond is below 1e-14.</summary>
        private const double Reach = 8.0;

        public static DiffractionImage Simulate(PlanarLatticeSettings s)
        {
            if (s.Width < 8 || s.Height < 8 || (long)s.Width * s.Height > 64L * 1024 * 1024)
                throw new ArgumentOutOfRangeException(nameof(s), "Simulated images are 8 to 8192x8192 pixels.");
            if (!(s.SigmaX > 0) || !(s.SigmaY > 0)) throw new ArgumentOutOfRangeException(nameof(s), "Spot widths must be positive.");
            var beam = s.Beam ?? new Beam(0.02508);
            var tilted = s.TiltedCrystal;
            double cameraConstant = double.NaN;
            Vec2 latticeA = s.A, latticeB = s.B;
            if (tilted != null)
            {
                cameraConstant = !double.IsNaN(tilted.CameraConstant) ? tilted.CameraConstant
                    : (s.Detector != null ? s.Detector.Distance * beam.Wavelength / s.Detector.Panels[0].PixelSize : 1000 * beam.Wavelength / 0.015);
                if (!(cameraConstant > 0)) throw new ArgumentException("The camera constant of a tilted-crystal simulation must be positive.");
                (latticeA, latticeB) = tilted.PatternBasis(cameraConstant);
            }
            if (Math.Abs(latticeA.Cross(latticeB)) < 1e-6) throw new ArgumentException("The lattice vectors A and B must not be parallel.");
            if (latticeA.Length < 2 || latticeB.Length < 2) throw new ArgumentException("Lattice vectors shorter than 2 px make no separate spots.");
            if (!(s.Gain > 0)) throw new ArgumentOutOfRangeException(nameof(s), "The gain must be positive.");

            int w = s.Width, h = s.Height;
            var expected = new double[(long)w * h];
            // Background plane, referred to the image centre, sampled at pixel centres.
            double cx = w / 2.0, cy = h / 2.0;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    expected[y * w + x] = Math.Max(0, s.Background + s.BackgroundTiltX * (x + 0.5 - cx) + s.BackgroundTiltY * (y + 0.5 - cy));

            var spots = new List<SimulatedSpot>();
            foreach (var (hh, kk, pos) in LatticePointsInside(s.Origin, latticeA, latticeB, w, h))
            {
                double intensity = s.Intensity;
                double zStar = double.NaN, lineIntensity = double.NaN;
                if (tilted != null)
                {
                    if (hh == 0 && kk == 0 && !tilted.DrawDirectBeam) continue;
                    zStar = tilted.ZStar(hh, kk);
                    lineIntensity = tilted.Structure.Intensity(hh, kk, zStar);
                    double c = Math.Cos(tilted.TiltAngle * Math.PI / 180);
                    intensity = s.Intensity * lineIntensity * (tilted.ApplyTiltIntensityFactor ? 1 / (c * c) : 1) * tilted.ImageFalloff(hh, kk);
                }
                else if (s.WilsonIntensities)
                {
                    var r = RandomSource.ForStream(s.Seed, -1 - ((long)(hh + 100000) << 20 | (uint)(kk + 100000)));
                    intensity = s.Intensity * r.NextExponential();
                }
                double inImage = DrawSpot(expected, w, h, pos, s.SigmaX, s.SigmaY, intensity);
                spots.Add(new SimulatedSpot(hh, kk, pos.X, pos.Y, intensity, inImage) { ZStar = zStar, LatticeLineIntensity = lineIntensity });
            }

            var pixels = new float[expected.Length];
            if (s.Noise)
            {
                var opts = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, s.MaxDegreeOfParallelism) };
                Parallel.For(0, h, opts, y =>
                {
                    var rng = RandomSource.ForStream(s.Seed, y);
                    for (int x = 0; x < w; x++)
                    {
                        int i = y * w + x;
                        pixels[i] = (float)(s.Gain * rng.NextPoisson(expected[i] / s.Gain));
                    }
                });
            }
            else
            {
                for (int i = 0; i < pixels.Length; i++) pixels[i] = (float)expected[i];
            }

            var detector = s.Detector ?? DetectorModel.SinglePanel("Simulated", w, h, 0.015, 1000, s.Origin.X, s.Origin.Y, gain: s.Gain);
            if (detector.PanelCount != 1 || detector.Panels[0].Width != w || detector.Panels[0].Height != h)
                throw new ArgumentException($"The detector must be one panel of {w}x{h} pixels for a planar simulation.");
            var truth = new PlanarSimulationTruth(s.Origin, latticeA, latticeB, s.SigmaX, s.SigmaY, s.Background, s.BackgroundTiltX,
                s.BackgroundTiltY, s.Gain, spots, s.Noise ? s.Seed : (int?)null)
            { TiltedCrystal = tilted, CameraConstant = cameraConstant };
            var header = new Dictionary<string, string> { ["Simulator"] = "PlanarLattice" };
            return new DiffractionImage("", s.Frame, "Simulated", detector, beam, new[] { new PanelImage(0, w, h, pixels) }, header, truth);
        }

        /// <summary>Every lattice point whose centre lies on the image, in (h, k) order.</summary>
        public static IEnumerable<(int H, int K, Vec2 Position)> LatticePointsInside(Vec2 origin, Vec2 a, Vec2 b, int width, int height)
        {
            // Index range from the inverse basis applied to the image corners.
            double det = a.Cross(b);
            double hMin = double.MaxValue, hMax = double.MinValue, kMin = double.MaxValue, kMax = double.MinValue;
            foreach (var c in new[] { new Vec2(0, 0), new Vec2(width, 0), new Vec2(0, height), new Vec2(width, height) })
            {
                var d = c - origin;
                double fh = d.Cross(b) / det, fk = a.Cross(d) / det;
                hMin = Math.Min(hMin, fh); hMax = Math.Max(hMax, fh);
                kMin = Math.Min(kMin, fk); kMax = Math.Max(kMax, fk);
            }
            for (int hh = (int)Math.Floor(hMin); hh <= (int)Math.Ceiling(hMax); hh++)
                for (int kk = (int)Math.Floor(kMin); kk <= (int)Math.Ceiling(kMax); kk++)
                {
                    var p = origin + hh * a + kk * b;
                    if (p.X >= 0 && p.Y >= 0 && p.X < width && p.Y < height) yield return (hh, kk, p);
                }
        }

        /// <summary>Adds the pixel integrals of one axis-aligned Gaussian; returns the part that landed on the image.</summary>
        private static double DrawSpot(double[] image, int w, int h, Vec2 c, double sx, double sy, double intensity)
        {
            int x0 = Math.Max(0, (int)Math.Floor(c.X - Reach * sx)), x1 = Math.Min(w - 1, (int)Math.Ceiling(c.X + Reach * sx));
            int y0 = Math.Max(0, (int)Math.Floor(c.Y - Reach * sy)), y1 = Math.Min(h - 1, (int)Math.Ceiling(c.Y + Reach * sy));
            if (x1 < x0 || y1 < y0) return 0;
            var wx = PixelWeights(x0, x1, c.X, sx);
            var wy = PixelWeights(y0, y1, c.Y, sy);
            double total = 0;
            for (int y = y0; y <= y1; y++)
            {
                double fy = intensity * wy[y - y0];
                int row = y * w;
                for (int x = x0; x <= x1; x++)
                {
                    double v = fy * wx[x - x0];
                    image[row + x] += v;
                    total += v;
                }
            }
            return total;
        }

        /// <summary>Fraction of a 1D Gaussian that falls in each pixel [i, i+1).</summary>
        private static double[] PixelWeights(int i0, int i1, double centre, double sigma)
        {
            var weights = new double[i1 - i0 + 1];
            double k = 1.0 / (sigma * Math.Sqrt(2));
            double prev = Cdf(i0 - centre, k);
            for (int i = i0; i <= i1; i++)
            {
                double next = Cdf(i + 1 - centre, k);
                weights[i - i0] = next - prev;
                prev = next;
            }
            return weights;
        }

        private static double Cdf(double d, double k) => 0.5 * MathNet.Numerics.SpecialFunctions.Erfc(-d * k);
    }
}
