using System;
using System.Collections.Generic;
using System.Linq;
using XtalPS.Extraction;
using XtalPS.Geometry;
using XtalPS.Imaging;
using XtalPS.Integration;
using XtalPS.Lattices;
using XtalPS.Simulation;
using XtalPS.Spots;
using Xunit;
using Xunit.Abstractions;

namespace XtalPS.Core.Tests
{
    public class LatticeTiltTests
    {
        private readonly ITestOutputHelper _out;
        public LatticeTiltTests(ITestOutputHelper o) { _out = o; }

        internal static readonly PlanarCell Oblique = new PlanarCell(62, 74, 103);

        internal static TiltedCrystalSettings Tilt(double theta, double axis, double taxa, PlanarCell? cell = null, string group = "p1", int structureSeed = 1) =>
            new TiltedCrystalSettings(new ThinCrystalStructure(cell ?? Oblique, atoms: 40, thickness: 40, bFactor: 20, planeGroup: group, seed: structureSeed))
            { TiltAngle = theta, TiltAxis = axis, Taxa = taxa };

        internal static DiffractionImage Simulate(TiltedCrystalSettings tilt, int seed, int size = 1024, double intensity = 5000) =>
            PlanarLatticeSimulator.Simulate(new PlanarLatticeSettings
            {
                Width = size, Height = size, Origin = new Vec2(size / 2.0 + 0.37, size / 2.0 - 0.21), SigmaX = 1.5, SigmaY = 1.6,
                Intensity = intensity, Background = 20, Seed = seed, TiltedCrystal = tilt, MaxDegreeOfParallelism = 2,
            });

        /// <summary>Our default pipeline: spots, planar lattice search, extraction, integration, tilt.</summary>
        internal static LatticeTilt Pipeline(DiffractionImage image, PlanarCell cell)
        {
            var spots = SpotFinder.Find(image, new SpotFindingSettings()).Spots;
            var lattice = PlanarLatticeSearch.Find(spots, new PlanarSearchSettings());
            var ext = LatticeGaussianFit.Extract(image, lattice, new ExtractionSettings());
            var integ = PeakIntegrator.Integrate(ext, new IntegrationSettings());
            return LatticeTilt.Apply(integ, new LatticeTiltSettings { Cell = cell });
        }

        [Theory]
        [InlineData(15, 20, 35, 1, 0, 0, 1)]
        [InlineData(30, -60, 110, 1, 1, 0, 1)]      // a* + b*, b*
        [InlineData(45, 80, -20, 0, 1, 1, 0)]       // swapped (mirrored pattern)
        [InlineData(60, -5, 170, 1, -1, 1, 0)]
        public void The_closed_form_recovers_tilt_axis_and_scale_from_any_basis(double theta, double axis, double taxa, int t11, int t12, int t21, int t22)
        {
            var tilt = Tilt(theta, axis, taxa);
            var (a, b) = tilt.PatternBasis(1672);
            // Hand the fit another basis of the same lattice: A' = t11 a + t12 b, B' = t21 a + t22 b.
            var g = TiltGeometryFit.Fit(t11 * a + t12 * b, t21 * a + t22 * b, Oblique, 1672);
            _out.WriteLine(g.ToString());
            Assert.Equal(theta, g.TiltAngle, 6);
            Assert.Equal(0, TiltGeometry.Wrap180(g.TiltAxis - axis), 6);
            Assert.Equal(1672, g.Scale, 4);
            Assert.True((g.A - a).Length < 1e-6 && (g.B - b).Length < 1e-6 || (g.A + a).Length < 1e-6 && (g.B + b).Length < 1e-6, $"basis {g.A} {g.B}");
            // z* from the fit equals the simulated lattice line height up to the one sign a single pattern cannot tell.
            double sign = Math.Sign(g.ZStar(3, -2) * tilt.ZStar(3, -2) * ((g.A - a).Length < 1e-6 ? 1 : -1));
            foreach (var (h, k) in new[] { (1, 0), (0, 1), (3, -2), (-5, 7) })
            {
                double expected = ((g.A - a).Length < 1e-6 ? 1 : -1) * tilt.ZStar(h, k);
                Assert.Equal(expected * sign, g.ZStar(h, k), 9);
            }
            // TAXA is the crystal-frame angle (up to the sign of the tilt: mirror images give −TAXA or 180° − TAXA).
            double dt = TiltGeometry.Wrap180(g.Taxa - taxa), dm = TiltGeometry.Wrap180(g.Taxa + taxa);
            Assert.True(Math.Abs(dt) < 1e-6 || Math.Abs(dm) < 1e-6, $"TAXA {g.Taxa} vs {taxa}");
            // On the pattern, tan TLTAXA = tan TAXA / cos θ (spacings across the axis stretched).
            Assert.Equal(Math.Tan(g.Taxa * Math.PI / 180) / Math.Cos(theta * Math.PI / 180), Math.Tan(g.Tltaxa * Math.PI / 180), 6);
        }

        [Fact]
        public void Without_a_camera_constant_outside_the_tolerance_there_is_no_solution()
        {
            var (a, b) = Tilt(30, 10, 20).PatternBasis(1672);
            var e = Assert.Throws<TiltGeometryException>(() => TiltGeometryFit.Fit(a, b, Oblique, 1672 * 1.3));
            Assert.Equal("TiltNotFound", e.ErrorId);
        }

        [Theory]
        [InlineData(15, 20, 35, 11, 1024, 5000)]
        [InlineData(25, -70, 140, 12, 1024, 5000)]
        [InlineData(35, 55, -80, 13, 1024, 5000)]
        [InlineData(45, -15, 5, 14, 1024, 5000)]
        // Weak and small: a 512² pattern with a tenth of the signal (a few hundred usable spots).
        [InlineData(15, 88, 60, 15, 512, 500)]
        public void Default_pipeline_finds_tilt_and_axis_within_a_fifth_of_a_degree(double theta, double axis, double taxa, int seed, int size, double intensity)
        {
            var tilt = Tilt(theta, axis, taxa);
            var image = Simulate(tilt, seed, size, intensity);
            var truth = (PlanarSimulationTruth)image.Truth!;
            var result = Pipeline(image, Oblique);
            var g = result.Geometry;
            int good = result.ReflectionTable.Reflections.Count(r => r.IOverSigma >= 3);
            _out.WriteLine($"θ {theta}: {truth.Spots.Count} spots drawn, {result.ReflectionTable.Count} predicted, {good} with I/σ ≥ 3, {result.CentresUsed} centres; " +
                $"fit θ {g.TiltAngle:0.0000}±{g.TiltAngleSigma:0.0000} axis {g.TiltAxis:0.0000}±{g.TiltAxisSigma:0.0000} TAXA {g.Taxa:0.000} scale {g.Scale:0.00}; " +
                $"errors θ {g.TiltAngle - theta:+0.0000;-0.0000} axis {TiltGeometry.Wrap180(g.TiltAxis - axis):+0.0000;-0.0000}");
            Assert.True(good >= (size > 512 ? 1000 : 150), $"only {good} reflections with I/σ ≥ 3");
            Assert.InRange(g.TiltAngle - theta, -0.2, 0.2);
            Assert.InRange(TiltGeometry.Wrap180(g.TiltAxis - axis), -0.2, 0.2);
            // Reported uncertainties are honest: the errors are within 4σ.
            Assert.True(Math.Abs(g.TiltAngle - theta) < 4 * g.TiltAngleSigma + 1e-3, $"θ error vs σ {g.TiltAngleSigma}");

            // Every reflection is indexed in the cell's setting (up to Friedel) and carries the true z* (up to the tilt's sign).
            var byIndex = truth.Spots.ToDictionary(s => (s.H, s.K));
            var rows = result.ReflectionTable.Reflections.Where(r => byIndex.ContainsKey((r.H, r.K)) || byIndex.ContainsKey((-r.H, -r.K))).ToList();
            int same = rows.Count(r => byIndex.TryGetValue((r.H, r.K), out var s) && Math.Abs(s.X - r.PredictedX) < 1 && Math.Abs(s.Y - r.PredictedY) < 1);
            int friedel = rows.Count(r => byIndex.TryGetValue((-r.H, -r.K), out var s) && Math.Abs(s.X - r.PredictedX) < 1 && Math.Abs(s.Y - r.PredictedY) < 1);
            Assert.True(Math.Max(same, friedel) >= 0.98 * result.ReflectionTable.Count, $"{same} / {friedel} of {result.ReflectionTable.Count} indexed like the truth");
            int f = same >= friedel ? 1 : -1;
            var z = rows.Where(r => byIndex.ContainsKey((f * r.H, f * r.K))).Select(r => (Fit: r.ZStar, True: f * byIndex[(f * r.H, f * r.K)].ZStar, Sigma: r.ZStarSigma)).ToList();
            double zs = Math.Sign(z.Sum(q => q.Fit * q.True));
            double rmsZ = Math.Sqrt(z.Average(q => (q.Fit - zs * q.True) * (q.Fit - zs * q.True)));
            double maxZ = z.Max(q => Math.Abs(q.True));
            _out.WriteLine($"z* RMS error {rmsZ:0.000000} 1/Å (|z*| up to {maxZ:0.0000}); mean σ(z*) {z.Average(q => q.Sigma):0.000000}");
            Assert.True(rmsZ < 0.002 * Math.Max(1, maxZ / 0.1), $"z* RMS error {rmsZ}");
        }
    }
}
