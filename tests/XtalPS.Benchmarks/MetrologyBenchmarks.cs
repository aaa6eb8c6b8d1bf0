using System;
using System.Collections.Generic;
using System.Linq;
using BenchmarkDotNet.Attributes;
using XtalPS.Formats;
using XtalPS.Geometry;
using XtalPS.Lattices;
using XtalPS.Metrology;
using XtalPS.Tests.Shared;

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
                var refl = SyntheticMetrologyData.Predict(truth, beam, exact.AMatrix, 1.7, 0.6e-3, 0.1, new Random(1000 + i));
                return new StillExperiment(exact.Name, beam, exact.Orientation, exact.Cell, exact.LatticeSystem, refl);
            }).ToArray();
            var rnd = new Random(42);
            _start = SyntheticMetrologyData.Perturb(SyntheticMetrologyData.Perturb(SyntheticMetrologyData.Perturb(truth, 1, 2.0, 0.3, rnd), 2, 1.0, 0.2, rnd), 3, 0.5, 0.2, rnd);
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
    }
}
