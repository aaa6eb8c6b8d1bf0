using System.Linq;
using BenchmarkDotNet.Attributes;
using XtalPS.Extraction;
using XtalPS.Geometry;
using XtalPS.Imaging;
using XtalPS.Integration;
using XtalPS.Lattices;
using XtalPS.Simulation;

namespace XtalPS.Benchmarks
{
    /// <summary>Gaussian lattice extraction and peak integration on one core: a 2000-spot planar image (19×19 fit boxes).</summary>
    [MemoryDiagnoser]
    public class ExtractionBenchmarks
    {
        private DiffractionImage _image = null!;
        private PlanarLattice _lattice = null!;
        private PredictedPosition[] _points = null!;
        private GaussianPeakFitter _fitter = null!;
        private ReflectionTable _extracted = null!;

        [GlobalSetup]
        public void Setup()
        {
            // ~2000 spots: 1024×1024 px with a 20×25 px cell.
            _image = PlanarLatticeSimulator.Simulate(new PlanarLatticeSettings
            {
                Width = 1024, Height = 1024, Origin = new Vec2(512.3, 511.8), A = new Vec2(20.5, 2.1), B = new Vec2(-3.2, 24.6),
                SigmaX = 2.0, SigmaY = 2.3, Intensity = 3000, Background = 60, Seed = 5,
            });
            var t = (PlanarSimulationTruth)_image.Truth!;
            _lattice = new PlanarLattice(t.Origin, t.A, t.B, _image);
            _points = LatticePrediction.Predict(_lattice, _image).Where(p => p.X > 12 && p.Y > 12 && p.X < 1012 && p.Y < 1012).ToArray();
            _fitter = new GaussianPeakFitter(9, 2);
            _extracted = LatticeGaussianFit.Extract(_image, _lattice, new ExtractionSettings());
        }

        /// <summary>Gaussian fits only (divide by the point count for fits/s).</summary>
        [Benchmark(Description = "Gaussian fits, 19x19 boxes, all lattice points")]
        public double GaussianFits()
        {
            double s = 0;
            var panel = _image.PanelImages[0];
            foreach (var p in _points) s += _fitter.Fit(panel, p.X, p.Y, 1).Model.X0;
            return s;
        }

        [Benchmark(Description = "Invoke-LatticeExtract core, 2 cycles")]
        public int Extract() => LatticeGaussianFit.Extract(_image, _lattice, new ExtractionSettings()).Count;

        [Benchmark(Description = "Peak integration, Iplt")]
        public int IntegrateIplt() => PeakIntegrator.Integrate(_extracted, new IntegrationSettings()).Count;

        [Benchmark(Description = "Peak integration, ProfileFit")]
        public int IntegrateProfile() => PeakIntegrator.Integrate(_extracted, new IntegrationSettings { Method = IntegrationMethod.ProfileFit }).Count;
    }
}
