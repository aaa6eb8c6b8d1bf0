using System;
using System.Collections.Generic;
using System.Linq;
using BenchmarkDotNet.Attributes;
using XtalPS.Formats;
using XtalPS.Geometry;
using XtalPS.Lattices;
using XtalPS.Metrology;

namespace XtalPS.Benchmarks
{
    /// <summary>
    /// Hierarchical metrology on the real 300-crystal CSPAD experiment list: ~270 reflections per still predicted on
    /// the refined detector (d ≥ 1.7 Å, |Δψ| ≤ 0.6 mrad, 0.1 px noise), the detector perturbed per quadrant, sensor and
    /// ASIC (the first experiment's beam for every still). Times one level at a time (0 whole detector … 3 the 64 ASICs) and the whole schedule, for 75, 150 and 300 stills.
    /// </summary>
    [MemoryDiagnoser]
    public class MetrologyBenchmarks
    {
        private DetectorModel _start = null!;
        private StillExperiment[] _all = Array.Empty<StillExperiment>();
        private StillExperiment[] _stills = Array.Empty<StillExperiment>();

        [Params(75, 150, 300)] public int Stills { get; set; }

        [GlobalSetup]
        public void Setup()
        {
            string path = Program.Data("real/dials_files/cspad_refined_experiments_step6_level2_300.json");
            var g = DialsExperimentJson.Read(path);
            var truth = g.Detector;
            var beam = g.Beam!;
            _all = g.Crystals.Select((c, i) =>
            {
                var exact = StillExperiment.FromSettingMatrix($"crystal {i}", beam, c.A, c.SpaceGroupHallSymbol, Array.Empty<ObservedReflection>());
                var refl = Predict(truth, beam, exact.AMatrix, 1.7, 0.6e-3, 0.1, new Random(1000 + i));
                return new StillExperiment(exact.Name, beam, exact.Orientation, exact.Cell, exact.LatticeSystem, refl);
            }).ToArray();
            var rnd = new Random(42);
            _start = Perturb(Perturb(Perturb(truth, 1, 2.0, 0.3, rnd), 2, 1.0, 0.2, rnd), 3, 0.5, 0.2, rnd);
            _stills = _all.Take(Stills).ToArray();
        }

        private MetrologyResult Level(int level) =>
            HierarchicalMetrology.Refine(_start, _stills, new MetrologySettings { MinLevel = level, MaxLevel = level, MaxDegreeOfParallelism = 2 });

        [Benchmark(Description = "level 0 (detector)")] public MetrologyResult Level0() => Level(0);
        [Benchmark(Description = "level 1 (4 quadrants)")] public MetrologyResult Level1() => Level(1);
        [Benchmark(Description = "level 2 (32 sensors)")] public MetrologyResult Level2() => Level(2);
        [Benchmark(Description = "level 3 (64 ASICs)")] public MetrologyResult Level3() => Level(3);

        [Benchmark(Description = "levels 0-3")]
        public MetrologyResult AllLevels() =>
            HierarchicalMetrology.Refine(_start, _stills, new MetrologySettings { MaxLevel = 3, MaxDegreeOfParallelism = 2 });

        private static List<ObservedReflection> Predict(DetectorModel detector, Beam beam, Mat3 a, double dMin, double maxDeltaPsi, double sigma, Random rnd)
        {
            var s0 = beam.S0;
            double qmax = 1 / (dMin * dMin);
            var real = a.Inverse();
            int hmax = (int)Math.Ceiling(real.Row1.Length / dMin), kmax = (int)Math.Ceiling(real.Row2.Length / dMin);
            var ca = a.Column1; var cb = a.Column2; var cc = a.Column3;
            var planes = detector.Panels.Select(p => (Panel: p, Inv: Mat3.FromColumns(p.FastAxis, p.SlowAxis, p.Origin).Inverse())).ToArray();
            var list = new List<ObservedReflection>();
            for (int h = -hmax; h <= hmax; h++)
                for (int k = -kmax; k <= kmax; k++)
                {
                    var rhk = ca * h + cb * k;
                    double qa = cc.LengthSquared, qb = 2 * (rhk.Dot(cc) + s0.Dot(cc)), qc = 2 * s0.Dot(rhk) + rhk.LengthSquared;
                    double disc = qb * qb - 4 * qa * qc;
                    if (disc < 0) continue;
                    var ls = new SortedSet<int>();
                    foreach (double root in new[] { (-qb - Math.Sqrt(disc)) / (2 * qa), (-qb + Math.Sqrt(disc)) / (2 * qa) })
                        for (int l = (int)Math.Floor(root) - 2; l <= (int)Math.Ceiling(root) + 2; l++) ls.Add(l);
                    foreach (int l in ls)
                    {
                        var r0 = rhk + cc * l;
                        double q = r0.LengthSquared;
                        if (q > qmax || q == 0) continue;
                        if (!EwaldPrediction.TryPredict(s0, r0, out var ew) || Math.Abs(ew.DeltaPsi) > maxDeltaPsi) continue;
                        for (int p = 0; p < planes.Length; p++)
                        {
                            var v = planes[p].Inv * ew.S1;
                            if (!(v.Z > 0)) continue;
                            var panel = planes[p].Panel;
                            double x = v.X / v.Z / panel.PixelSize, y = v.Y / v.Z / panel.PixelSizeSlow;
                            if (x < 1 || y < 1 || x > panel.Width - 1 || y > panel.Height - 1) continue;
                            list.Add(new ObservedReflection(h, k, l, p, x + sigma * Gauss(rnd), y + sigma * Gauss(rnd), sigma * sigma, sigma * sigma));
                            break;
                        }
                    }
                }
            return list;
        }

        private static double Gauss(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());

        private static DetectorModel Perturb(DetectorModel d, int level, double maxShiftPx, double maxDeg, Random rnd)
        {
            var units = PanelGroupUnit.AtLevel(d, level);
            var p = new StillsRefinementProblem(d, units, Array.Empty<CrystalState>(), 1e-3, 1);
            var step = new double[units.Count * 6];
            double px = d.Panels[0].PixelSize;
            for (int u = 0; u < units.Count; u++)
            {
                step[u * 6 + 1] = (2 * rnd.NextDouble() - 1) * maxShiftPx * px;
                step[u * 6 + 2] = (2 * rnd.NextDouble() - 1) * maxShiftPx * px;
                step[u * 6 + 3] = (2 * rnd.NextDouble() - 1) * maxDeg * Math.PI / 180 * 1e3;
            }
            p.Accept(step, Array.Empty<double[]>());
            return p.CurrentDetector();
        }
    }
}
