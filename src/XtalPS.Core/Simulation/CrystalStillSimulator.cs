using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using XtalPS.Geometry;
using XtalPS.Imaging;
using XtalPS.Lattices;

namespace XtalPS.Simulation
{
    /// <summary>Settings of a simulated X-ray still of a crystal.</summary>
    public sealed class CrystalStillSettings
    {
        public UnitCell UnitCell { get; set; } = new UnitCell(79.1, 79.1, 37.9, 90, 90, 90);
        public SpaceGroup SpaceGroup { get; set; } = SpaceGroup.Parse("P 43 21 2");
        /// <summary>Orientation U (a proper rotation); A = U·B.</summary>
        public Mat3 Orientation { get; set; } = Mat3.Identity;
        /// <summary>Detector; a 1024×1024 single panel of 0.172 mm pixels at 150 mm, beam at the centre, when null.</summary>
        public DetectorModel? Detector { get; set; }
        /// <summary>Beam; 1.3 Å along −z when null.</summary>
        public Beam? Beam { get; set; }
        /// <summary>Highest resolution drawn, Å.</summary>
        public double DMin { get; set; } = 2.0;
        /// <summary>σ of the partiality profile in excitation error, 1/Å (domain size and mosaicity in one number).</summary>
        public double RlpSigma { get; set; } = 0.0008;
        /// <summary>Reflections with |ε| beyond this many RlpSigma are not drawn.</summary>
        public double RlpCutoff { get; set; } = 3;
        /// <summary>Gaussian σ of a spot on the detector, px.</summary>
        public double SpotSigma { get; set; } = 1.0;
        /// <summary>Mean full intensity of a reflection at d = ∞, photons.</summary>
        public double Intensity { get; set; } = 2000;
        /// <summary>Overall B factor (Å²) of the Wilson fall-off exp(−B/(2d²)).</summary>
        public double BFactor { get; set; } = 10;
        /// <summary>Exponential (Wilson) intensities, the same for symmetry-equivalent reflections; else all equal.</summary>
        public bool WilsonIntensities { get; set; } = true;
        /// <summary>Full intensity per reflection (h, k, l) → counts, overriding the Wilson model when set.</summary>
        public Func<int, int, int, double>? IntensityFunction { get; set; }
        /// <summary>Flat background, photons per pixel.</summary>
        public double Background { get; set; } = 10;
        /// <summary>ADU per photon.</summary>
        public double Gain { get; set; } = 1;
        public bool Noise { get; set; } = true;
        /// <summary>Seed of the noise (and, through the cmdlet, of the orientation): one per image.</summary>
        public int Seed { get; set; } = 1;
        /// <summary>Seed of the Wilson intensities: every still made with the same structure seed, cell and space group
        /// shows the same crystal, so a set of stills can be merged and scored against one truth.</summary>
        public int StructureSeed { get; set; } = 1;
        public int Frame { get; set; }
        public int MaxDegreeOfParallelism { get; set; } = Environment.ProcessorCount;

        /// <summary>The default detector: one 1024² Pilatus-like panel at 150 mm with the beam at its centre.</summary>
        public static DetectorModel DefaultDetector(int width = 1024, int height = 1024) =>
            DetectorModel.SinglePanel("Simulated", width, height, 0.172, 150, width / 2.0, height / 2.0);
    }

    /// <summary>
    /// Draws a crystal still: every reflection the stills model (<see cref="StillsPredictor"/>) puts on the detector
    /// within the partiality window becomes a Gaussian spot (exact pixel integrals) at its predicted position, with
    /// intensity = full intensity × partiality; flat background; Poisson noise scaled by the gain.
    /// </summary>
    public static class CrystalStillSimulator
    {
        private const double Reach = 6.0;

        public static DiffractionImage Simulate(CrystalStillSettings s)
        {
            if (s == null) throw new ArgumentNullException(nameof(s));
            if (!(s.DMin > 0)) throw new ArgumentOutOfRangeException(nameof(s), "DMin must be a positive resolution in Å.");
            if (!(s.SpotSigma > 0) || !(s.RlpSigma > 0)) throw new ArgumentOutOfRangeException(nameof(s), "Spot and reciprocal-lattice-point widths must be positive.");
            if (!(s.Gain > 0)) throw new ArgumentOutOfRangeException(nameof(s), "The gain must be positive.");
            if (!(s.Background >= 0) || !(s.Intensity >= 0)) throw new ArgumentOutOfRangeException(nameof(s), "Intensities and background cannot be negative.");
            var u = s.Orientation;
            if (Math.Abs(u.Determinant - 1) > 1e-6 || MaxAbs(u * u.Transpose(), Mat3.Identity) > 1e-6)
                throw new ArgumentException("The orientation must be a proper rotation matrix (orthonormal, determinant +1).");
            var detector = s.Detector ?? CrystalStillSettings.DefaultDetector();
            var beam = s.Beam ?? new Beam(1.3);
            if (detector.Panels.Sum(p => (long)p.Width * p.Height) > 64L * 1024 * 1024) throw new ArgumentException("The detector has too many pixels to simulate.");
            var a = u * s.UnitCell.BMatrix;
            var predictor = new StillsPredictor(detector, beam);
            var window = new StillsPredictionSettings
            {
                DMin = s.DMin, MaxDeltaPsi = 0, MaxExcitationError = s.RlpCutoff * s.RlpSigma, SpaceGroup = s.SpaceGroup,
            };
            var predicted = predictor.Predict(a, window);
            var expected = detector.Panels.Select(p => new double[(long)p.Width * p.Height]).ToArray();
            for (int p = 0; p < expected.Length; p++) if (s.Background > 0) expected[p].AsSpan().Fill(s.Background);
            var reflections = new List<SimulatedReflection>(predicted.Count);
            foreach (var r in predicted)
            {
                double full = FullIntensity(s, r.H, r.K, r.L, r.D);
                double partiality = Math.Exp(-0.5 * (r.ExcitationError / s.RlpSigma) * (r.ExcitationError / s.RlpSigma));
                double intensity = full * partiality;
                var panel = detector.Panels[r.Panel];
                double inImage = DrawSpot(expected[r.Panel], panel.Width, panel.Height, r.X, r.Y, s.SpotSigma, intensity);
                reflections.Add(new SimulatedReflection(r.H, r.K, r.L, r.Panel, r.X, r.Y, intensity, inImage, full, partiality, r.DeltaPsi, r.ExcitationError, r.D));
            }
            var panels = new PanelImage[detector.PanelCount];
            for (int p = 0; p < panels.Length; p++)
            {
                var pn = detector.Panels[p];
                var exp = expected[p];
                var pixels = new float[exp.Length];
                if (s.Noise)
                {
                    int panelIndex = p;
                    var opts = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, s.MaxDegreeOfParallelism) };
                    Parallel.For(0, pn.Height, opts, y =>
                    {
                        var rng = RandomSource.ForStream(s.Seed, ((long)panelIndex << 32) | (uint)y);
                        int row = y * pn.Width;
                        for (int x = 0; x < pn.Width; x++) pixels[row + x] = (float)(s.Gain * rng.NextPoisson(exp[row + x]));
                    });
                }
                else for (int i = 0; i < exp.Length; i++) pixels[i] = (float)(s.Gain * exp[i]);
                panels[p] = new PanelImage(p, pn.Width, pn.Height, pixels);
            }
            var truth = new CrystalSimulationTruth(s.UnitCell, s.SpaceGroup, u, s.SpotSigma, s.Background, s.Gain, s.RlpSigma, reflections, s.Noise ? s.Seed : (int?)null);
            var header = new Dictionary<string, string> { ["Simulator"] = "CrystalStill" };
            return new DiffractionImage("", s.Frame, "Simulated", detector, beam, panels, header, truth);
        }

        /// <summary>A uniformly distributed random rotation (Shoemake's unit quaternion from three uniforms).</summary>
        public static Mat3 RandomOrientation(int seed)
        {
            var rng = RandomSource.ForStream(seed, 0x5EED);
            double u1 = rng.NextDouble(), u2 = rng.NextDouble() * 2 * Math.PI, u3 = rng.NextDouble() * 2 * Math.PI;
            double a = Math.Sqrt(1 - u1), b = Math.Sqrt(u1);
            double w = a * Math.Sin(u2), x = a * Math.Cos(u2), y = b * Math.Sin(u3), z = b * Math.Cos(u3);
            return new Mat3(
                1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
                2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
                2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y));
        }

        private static double FullIntensity(CrystalStillSettings s, int h, int k, int l, double d)
        {
            if (s.IntensityFunction != null) return Math.Max(0, s.IntensityFunction(h, k, l));
            double mean = s.Intensity * Math.Exp(-s.BFactor / (2 * d * d));
            if (!s.WilsonIntensities) return mean;
            // Symmetry-equivalent reflections share one draw: seed the stream with the asymmetric-unit index.
            var (ah, ak, al) = s.SpaceGroup.MapToAsymmetricUnit(h, k, l);
            long key = ((long)(ah + 512) << 20) | ((long)(ak + 512) << 10) | (long)(al + 512);
            return mean * RandomSource.ForStream(s.StructureSeed, -1 - key).NextExponential();
        }

        private static double MaxAbs(Mat3 a, Mat3 b)
        {
            var x = a.ToArray(); var y = b.ToArray(); double m = 0;
            for (int i = 0; i < 9; i++) m = Math.Max(m, Math.Abs(x[i] - y[i]));
            return m;
        }

        /// <summary>Adds the pixel integrals of a round Gaussian; returns the part that landed on the panel.</summary>
        private static double DrawSpot(double[] image, int w, int h, double cx, double cy, double sigma, double intensity)
        {
            int x0 = Math.Max(0, (int)Math.Floor(cx - Reach * sigma)), x1 = Math.Min(w - 1, (int)Math.Ceiling(cx + Reach * sigma));
            int y0 = Math.Max(0, (int)Math.Floor(cy - Reach * sigma)), y1 = Math.Min(h - 1, (int)Math.Ceiling(cy + Reach * sigma));
            if (x1 < x0 || y1 < y0 || intensity <= 0) return 0;
            var wx = Weights(x0, x1, cx, sigma); var wy = Weights(y0, y1, cy, sigma);
            double total = 0;
            for (int y = y0; y <= y1; y++)
            {
                double fy = intensity * wy[y - y0];
                int row = y * w;
                for (int x = x0; x <= x1; x++) { double v = fy * wx[x - x0]; image[row + x] += v; total += v; }
            }
            return total;
        }

        private static double[] Weights(int i0, int i1, double centre, double sigma)
        {
            var weights = new double[i1 - i0 + 1];
            double k = 1.0 / (sigma * Math.Sqrt(2));
            double prev = 0.5 * MathNet.Numerics.SpecialFunctions.Erfc(-(i0 - centre) * k);
            for (int i = i0; i <= i1; i++)
            {
                double next = 0.5 * MathNet.Numerics.SpecialFunctions.Erfc(-(i + 1 - centre) * k);
                weights[i - i0] = next - prev;
                prev = next;
            }
            return weights;
        }
    }
}
