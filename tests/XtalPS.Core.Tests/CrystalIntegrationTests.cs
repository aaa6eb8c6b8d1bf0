using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using XtalPS.Extraction;
using XtalPS.Formats;
using XtalPS.Imaging;
using XtalPS.Integration;
using XtalPS.Lattices;
using Xunit;
using Xunit.Abstractions;

namespace XtalPS.Core.Tests
{
    /// <summary>Extraction and integration of crystal stills from the true crystal, scored against the simulated signal.</summary>
    public class CrystalIntegrationTests
    {
        private readonly ITestOutputHelper _out;
        public CrystalIntegrationTests(ITestOutputHelper o) { _out = o; }

        /// <summary>The image, the true crystal on the image's own detector, and the true signal (photons) by hkl.</summary>
        internal static (DiffractionImage Image, CrystalLattice Lattice, Dictionary<(int, int, int), (double Signal, double Bg, int Pixels)> Truth) Load(string name)
        {
            var image = DiffractionImageReader.ReadFrames(SharedData.File_(name + ".cbf")).First();
            var t = StillTruth.Load(name + ".json");
            var lattice = new CrystalLattice(t.A, SpaceGroup.Parse(t.SpaceGroup), image);
            using var doc = SharedData.Json(name + ".json");
            var r = doc.RootElement.GetProperty("reflections");
            double[] D(string k) => r.GetProperty(k).EnumerateArray().Select(v => v.GetDouble()).ToArray();
            var signal = D("signal_photons"); var bg = D("bg_photons_per_px"); var n = D("n_pixels");
            var truth = new Dictionary<(int, int, int), (double, double, int)>();
            for (int i = 0; i < t.H.Length; i++) truth[(t.H[i], t.K[i], t.L[i])] = (signal[i], bg[i], (int)n[i]);
            return (image, lattice, truth);
        }

        internal sealed class Score
        {
            public int Matched, Strong;
            public double CcAll, CcStrong, ZSd, ZMean, Scale, ZSdWeak, ZMeanWeak;
            public override string ToString() =>
                $"{Matched} matched, CC {CcAll:0.0000} (all) {CcStrong:0.0000} (true I/σ ≥ 10, {Strong}); (I − k·I_true)/σ SD {ZSd:0.000} mean {ZMean:0.000} (true I/σ < 10: SD {ZSdWeak:0.000} mean {ZMeanWeak:0.000}); k {Scale:0.0000}";
        }

        /// <summary>CC with the truth, and (I − k·I_true)/σ with k = gain (ADU per photon).</summary>
        internal static Score Compare(ReflectionTable table, Dictionary<(int, int, int), (double Signal, double Bg, int Pixels)> truth, double gain)
        {
            var usable = table.Reflections.Where(r => !double.IsNaN(r.Intensity) && r.Sigma > 0 &&
                (r.Flags & (ReflectionFlags.NearEdge | ReflectionFlags.Masked)) == 0 && truth.ContainsKey((r.H, r.K, r.L))).ToList();
            double TrueIs(Reflection r) { var t = truth[(r.H, r.K, r.L)]; return t.Signal / Math.Sqrt(t.Signal + Math.Max(1, t.Pixels) * t.Bg); }
            var strong = usable.Where(r => TrueIs(r) >= 10).ToList();
            var z = usable.Select(r => (r.Intensity - gain * truth[(r.H, r.K, r.L)].Signal) / r.Sigma).ToList();
            var zWeak = usable.Where(r => TrueIs(r) < 10).Select(r => (r.Intensity - gain * truth[(r.H, r.K, r.L)].Signal) / r.Sigma).ToList();
            return new Score
            {
                Matched = usable.Count, Strong = strong.Count,
                CcAll = PeakIntegrationTests.Pearson(usable.Select(r => r.Intensity).ToList(), usable.Select(r => truth[(r.H, r.K, r.L)].Signal).ToList()),
                CcStrong = strong.Count > 2 ? PeakIntegrationTests.Pearson(strong.Select(r => r.Intensity).ToList(), strong.Select(r => truth[(r.H, r.K, r.L)].Signal).ToList()) : double.NaN,
                ZSd = PeakIntegrationTests.Sd(z), ZMean = z.Average(),
                ZSdWeak = zWeak.Count > 2 ? PeakIntegrationTests.Sd(zWeak) : double.NaN, ZMeanWeak = zWeak.Count > 0 ? zWeak.Average() : double.NaN,
                Scale = strong.Sum(r => r.Intensity) / strong.Sum(r => truth[(r.H, r.K, r.L)].Signal),
            };
        }

        [Theory]
        [InlineData("sim/single1024/still_00000")]
        [InlineData("sim/single1024/still_00001")]
        [InlineData("sim/single1024/still_00002")]
        [InlineData("sim/single1024/still_00003")]
        public void Summation_and_profile_fitting_of_single1024_stills_correlate_with_the_true_signal(string name)
        {
            var (image, lattice, truth) = Load(name);
            var ext = LatticeGaussianFit.Extract(image, lattice, new ExtractionSettings());
            var refined = Assert.IsType<CrystalLattice>(ext.RefinedLattice);
            _out.WriteLine($"{name}: {ext.Count} predicted, {ext.WellBehavedCount} well behaved; refined RMSD {refined.Rmsd:0.###} px from {refined.IndexedCount}, " +
                $"cell {refined.UnitCell}, misorientation to the truth {refined.MisorientationTo(lattice):0.####}°; {truth.Count} true reflections, " +
                $"{ext.Reflections.Count(r => truth.ContainsKey((r.H, r.K, r.L)))} of them predicted");
            Assert.True(refined.MisorientationTo(lattice) < 0.05);
            Assert.Equal(79.1, refined.UnitCell.A, 0);
            Assert.All(ext.Reflections, r => Assert.False(lattice.Symmetry!.IsAbsent(r.H, r.K, r.L)));
            foreach (var method in new[] { IntegrationMethod.Summation, IntegrationMethod.ProfileFit })
            {
                var table = PeakIntegrator.Integrate(ext, new IntegrationSettings { Method = method });
                var s = Compare(table, truth, 1.0);
                _out.WriteLine($"  {method}: {s}");
                // The issue's requirement: CC ≥ 0.95 with the true signal.
                Assert.True(s.CcAll >= 0.95, $"{method} CC {s.CcAll}");
                if (method == IntegrationMethod.Summation)
                {
                    // Counting-statistics σ describes the scatter about the truth.
                    Assert.InRange(s.ZSd, 0.85, 1.2);
                    Assert.InRange(s.ZMean, -0.3, 0.3);
                    Assert.InRange(s.Scale, 0.99, 1.01);
                }
                else
                {
                    // Gaussian profiles miss the simulated spots' real shape: weak spots come out low by a fraction of σ.
                    Assert.True(s.ZSd < 2, $"ProfileFit SD(z) {s.ZSd}");
                    Assert.InRange(s.Scale, 0.99, 1.01);
                }
            }
        }
    

        [Theory]
        [InlineData("sim/pilatus6m/still_00000", 1.0)]
        [InlineData("sim/cspad/cspad_00000", 7.5)]
        public void Multi_panel_and_large_detectors_integrate_within_panels(string name, double gain)
        {
            var (image, lattice, truth) = Load(name);
            var ext = LatticeGaussianFit.Extract(image, lattice, new ExtractionSettings());
            var refined = Assert.IsType<CrystalLattice>(ext.RefinedLattice);
            // Every box lies inside the panel of its reflection.
            int half = new ExtractionSettings().FitHalfSize;
            foreach (var r in ext.Reflections.Where(r => (r.Flags & ReflectionFlags.NearEdge) == 0))
            {
                var p = image.PanelImages[r.Panel];
                Assert.InRange((int)Math.Floor(r.PredictedX) - half, -1, p.Width);
                Assert.InRange((int)Math.Floor(r.PredictedY) - half, -1, p.Height);
            }
            _out.WriteLine($"{name}: {image.PanelCount} panels, {ext.Count} predicted on {ext.Reflections.Select(r => r.Panel).Distinct().Count()} panels, " +
                $"{ext.WellBehavedCount} well behaved; refined RMSD {refined.Rmsd:0.###} px from {refined.IndexedCount}, cell {refined.UnitCell}, " +
                $"misorientation to the truth {refined.MisorientationTo(lattice):0.####}°; {truth.Count} true reflections");
            foreach (var method in new[] { IntegrationMethod.Summation, IntegrationMethod.ProfileFit })
            {
                var table = PeakIntegrator.Integrate(ext, new IntegrationSettings { Method = method });
                var s = Compare(table, truth, gain);
                _out.WriteLine($"  {method}: {s}; NearEdge {table.Reflections.Count(r => (r.Flags & ReflectionFlags.NearEdge) != 0)}");
                Assert.True(s.CcAll >= 0.95, $"{method} CC {s.CcAll}");
            }
        }

        private static ReflectionTable[] IntegratedStills(int count)
        {
            var tables = new ReflectionTable[count];
            for (int i = 0; i < count; i++)
            {
                var (image, lattice, _) = Load($"sim/single1024/still_0000{i}");
                var ext = LatticeGaussianFit.Extract(image, lattice, new ExtractionSettings { Cycles = 1 });
                tables[i] = PeakIntegrator.Integrate(ext, new IntegrationSettings { Method = IntegrationMethod.Summation });
            }
            return tables;
        }

        [Fact]
        public void Crystal_mtz_has_the_space_group_asymmetric_unit_indices_and_reads_back_as_measured()
        {
            var tables = IntegratedStills(2);
            string dir = Directory.CreateTempSubdirectory("xtalps-mtz-crystal").FullName;
            try
            {
                string path = Path.Combine(dir, "lyso.mtz");
                using (var w = ReflectionFileWriter.Create(path)) { foreach (var t in tables) w.Add(t); w.Complete(); }
                var f = MtzReader.Read(path);
                Assert.Equal(96, f.SpaceGroupNumber);
                Assert.Equal("P 43 21 2", f.SpaceGroupName);
                Assert.Equal('P', f.LatticeType);
                Assert.Equal(8, f.SymmetryOperators.Count);
                Assert.Equal(SpaceGroup.Parse("P43212"), MtzWriter.GroupOf(f));
                var refined = (CrystalLattice)tables[1].RefinedLattice!;
                Assert.Equal(refined.UnitCell.A, f.Batches[1].Cell[0], 3);
                var u = refined.Orientation.ToArray();
                for (int i = 0; i < 9; i++) Assert.Equal(u[i], f.Batches[1].U[i], 5);
                // H K L in CCP4's 422 asymmetric unit (h ≥ k ≥ 0, l ≥ 0) and M/ISYM that maps them back.
                int hc = f.ColumnIndex("H"), kc = f.ColumnIndex("K"), lc = f.ColumnIndex("L"), ic = f.ColumnIndex("M/ISYM");
                var isyms = new HashSet<int>();
                for (int row = 0; row < f.ReflectionCount; row++)
                {
                    Assert.True(f[row, hc] >= f[row, kc] && f[row, kc] >= 0 && f[row, lc] >= 0, $"row {row} not in the asymmetric unit");
                    isyms.Add((int)f[row, ic]);
                }
                Assert.True(isyms.Count > 8, "expected reflections from many operators and both hands");
                Assert.All(isyms, i => Assert.InRange(i, 1, 16));
                var back = ReflectionFileReader.Read(path);
                Assert.Equal(tables.Select(t => t.Count), back.Select(t => t.Count));
                for (int t = 0; t < tables.Length; t++)
                    Assert.Equal(tables[t].Reflections.Select(r => (r.H, r.K, r.L)), back[t].Reflections.Select(r => (r.H, r.K, r.L)));

                // JSON keeps the indices as measured and the lattices.
                string json = Path.Combine(dir, "lyso.json");
                using (var w = ReflectionFileWriter.Create(json)) { foreach (var t in tables) w.Add(t); w.Complete(); }
                var fromJson = ReflectionFileReader.Read(json);
                Assert.Equal(tables.Select(t => t.Count), fromJson.Select(t => t.Count));
                Assert.Equal(tables[0].Reflections.Select(r => (r.H, r.K, r.L, r.Intensity, r.Sigma, r.Flags)),
                    fromJson[0].Reflections.Select(r => (r.H, r.K, r.L, r.Intensity, r.Sigma, r.Flags)));
                var jl = Assert.IsType<CrystalLattice>(fromJson[1].RefinedLattice);
                Assert.Equal(refined.AMatrix.ToArray(), jl.AMatrix.ToArray());
                Assert.Equal(SpaceGroup.Parse("P43212"), jl.Symmetry);
                Assert.Equal("Imported Integrate", fromJson[0].Stage);
            }
            finally { Directory.Delete(dir, true); }
        }

        [GemmiFact]
        public void Gemmi_reads_the_crystal_mtz_space_group_asymmetric_unit_and_indices_as_measured()
        {
            var tables = IntegratedStills(2);
            string dir = Directory.CreateTempSubdirectory("xtalps-mtz-gemmi").FullName;
            try
            {
                string path = Path.Combine(dir, "lyso.mtz");
                using (var w = ReflectionFileWriter.Create(path)) { foreach (var t in tables) w.Add(t); w.Complete(); }
                string Run(string args)
                {
                    var (code, text) = Gemmi.Run(args);
                    Assert.True(code == 0, text);
                    return text;
                }
                string header = Run($"mtz \"{path}\"");
                _out.WriteLine(header);
                Assert.Contains("Space Group: P 43 21 2", header);
                string stats = Run($"mtz -s \"{path}\"");
                _out.WriteLine(stats);
                Assert.Matches(@"(?m)^\s*M/ISYM\s+Y\s", stats);
                Assert.Contains($"Number of Reflections = {tables.Sum(t => t.Count)}", header);
                Assert.Contains("Number of Batches = 2", header);
                string asu = Run($"mtz --check-asu=ccp4 --no-isym \"{path}\"");
                _out.WriteLine(asu);
                Assert.Contains($"inside / outside of ASU: {tables.Sum(t => t.Count)} / 0", asu);
                // gemmi applies M/ISYM itself: its H K L are ours as measured.
                var tsv = Run($"mtz --tsv \"{path}\"").Split('\n', StringSplitOptions.RemoveEmptyEntries);
                var expected = tables.SelectMany(t => t.Reflections).Select(r => $"{r.H}\t{r.K}\t{r.L}").ToArray();
                var got = tsv.Where(l => l.Length > 0 && (char.IsDigit(l[0]) || l[0] == '-')).Select(l => string.Join("\t", l.Split('\t').Take(3))).ToArray();
                Assert.Equal(expected, got);
            }
            finally { Directory.Delete(dir, true); }
        }
    }
}
