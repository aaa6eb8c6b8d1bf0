using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using XtalPS.Formats;
using XtalPS.Lattices;
using XtalPS.Merging;
using XtalPS.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace XtalPS.Core.Tests
{
    // One collection: the merging tests allocate heavily and the store-size test measures the managed heap.
    [Collection("Merging")]
    public sealed class MergingTests
    {
        private readonly ITestOutputHelper _out;
        public MergingTests(ITestOutputHelper output) => _out = output;

        // Index → asymmetric-unit index and ISYM as gemmi 0.5.7 gives them (ReciprocalAsu(sg).to_asu(hkl, sg.operations())).
        [Theory]
        [InlineData("P1", "-2,9,8,-2,9,8,1;-5,2,6,-5,2,6,1;9,-7,-9,-9,7,9,2;6,-1,8,6,-1,8,1;-2,-3,6,-2,-3,6,1;8,8,6,8,8,6,1")]
        [InlineData("P1211", "3,-5,-2,-3,5,2,2;-5,7,3,-5,7,3,1;-9,-7,-4,9,7,4,2;9,-8,0,9,8,0,4;-9,-1,6,-9,1,6,4;3,4,3,3,4,3,1")]
        [InlineData("C121", "9,5,-5,-9,5,5,3;2,-6,-8,-2,6,8,2;-5,6,-3,5,6,3,3;-1,4,0,1,4,0,3;4,7,3,4,7,3,1;9,2,8,9,2,8,1")]
        [InlineData("P2221", "9,4,9,9,4,9,1;-2,1,-9,2,1,9,7;-1,-4,1,1,4,1,3;8,9,9,8,9,9,1;-6,-3,9,6,3,9,3;-1,0,-6,1,0,6,2")]
        [InlineData("P43212", "-7,6,6,7,6,6,10;-7,2,-7,7,2,7,13;4,-5,-9,5,4,9,4;0,4,4,4,0,4,3;-6,-8,-8,8,6,8,11;3,9,1,9,3,1,12")]
        [InlineData("P4", "8,-1,7,1,8,7,7;-2,-8,0,2,8,0,2;-9,-7,-6,9,7,6,2;8,-8,-3,8,8,3,4;4,0,-1,0,4,1,4;-5,-8,1,5,8,1,5")]
        [InlineData("P41", "1,2,-5,1,2,5,6;3,3,5,3,3,5,1;7,3,8,7,3,8,1;-6,7,-1,7,6,1,8;4,-2,0,2,4,0,4;4,-1,7,1,4,7,7")]
        [InlineData("I4", "0,8,1,0,8,1,1;-9,4,9,4,9,9,3;1,-9,3,9,1,3,7;9,-5,-8,5,9,8,4;1,5,2,1,5,2,1;2,-1,6,1,2,6,7")]
        [InlineData("P3121", "-9,9,-8,9,0,-8,3;-9,2,-1,7,2,1,11;5,0,9,5,0,9,1;1,-4,2,3,1,2,5;-4,1,2,3,1,-2,11;-1,0,3,1,0,-3,2")]
        [InlineData("P312", "-6,-9,9,9,6,-9,7;-5,0,7,5,0,7,12;-2,-1,-2,2,1,2,2;1,-4,4,3,1,4,5;-6,-6,1,6,6,-1,2;1,-2,5,1,1,5,5")]
        [InlineData("P3", "-4,-7,1,4,7,-1,2;-3,9,5,6,3,-5,6;-1,-2,-6,1,2,6,2;-8,7,-3,7,1,-3,3;1,9,-4,1,9,-4,1;-1,1,-7,0,1,7,6")]
        [InlineData("R3:H", "2,9,-5,2,9,-5,1;4,0,7,0,4,-7,4;-1,5,2,4,1,-2,6;4,0,4,0,4,-4,4;9,4,-8,9,4,-8,1;4,-5,-3,1,4,-3,5")]
        [InlineData("R32:H", "-9,6,7,6,3,7,3;4,8,-2,8,4,2,7;-8,5,7,5,3,7,3;0,8,1,8,0,-1,6;-2,-7,9,7,2,9,8;0,-6,-2,6,0,-2,5")]
        [InlineData("P6122", "-8,-8,7,8,8,7,7;-3,4,9,3,1,9,24;-8,-9,6,9,8,6,20;-6,-4,7,6,4,7,7;0,-2,-9,2,0,9,4;7,8,4,8,7,4,14")]
        [InlineData("P6", "-8,-6,1,8,6,1,7;-5,-1,8,5,1,8,7;6,-8,2,2,6,2,9;-2,-3,-6,2,3,6,2;8,-6,-4,6,2,4,6;-2,-1,-5,2,1,5,2")]
        [InlineData("P213", "-9,6,9,6,9,9,12;3,-8,-1,1,3,8,23;-2,-1,7,1,7,2,15;7,4,-8,4,8,7,16;6,1,-9,1,9,6,16;-8,-5,-8,5,8,8,10")]
        [InlineData("I213", "-6,-8,-7,6,8,7,2;6,-8,-7,6,8,7,5;7,7,6,6,7,7,17;1,-4,1,1,4,1,8;-7,2,3,2,3,7,12;3,9,0,0,3,9,17")]
        [InlineData("P432", "2,-1,-3,1,3,2,21;1,4,-6,1,6,4,37;-5,8,-9,5,9,8,46;3,-7,9,3,9,7,45;-4,-8,2,2,8,4,24;5,8,3,3,8,5,28")]
        public void Asymmetric_unit_matches_gemmi(string symbol, string cases)
        {
            var group = SpaceGroup.Parse(symbol);
            var asu = new ReciprocalAsu(group);
            foreach (var c in cases.Split(';'))
            {
                var v = c.Split(',').Select(int.Parse).ToArray();
                var got = asu.Map(v[0], v[1], v[2], out bool minus);
                Assert.Equal((v[3], v[4], v[5]), got);
                if (!group.IsCentric(v[3], v[4], v[5])) Assert.Equal(v[6] % 2 == 0, minus);
            }
        }

        [Theory]
        [InlineData("P 1 21 1")]
        [InlineData("P 43 21 2")]
        [InlineData("P 31 2 1")]
        [InlineData("P 3 1 2")]
        [InlineData("P 61")]
        [InlineData("I 21 3")]
        [InlineData("R 3 2:H")]
        public void Every_index_has_one_representative_inside(string symbol)
        {
            var group = SpaceGroup.Parse(symbol);
            var asu = new ReciprocalAsu(group);
            for (int h = -6; h <= 6; h++)
                for (int k = -6; k <= 6; k++)
                    for (int l = -6; l <= 6; l++)
                    {
                        var a = asu.Map(h, k, l, out _);
                        Assert.True(asu.IsInside(a.H, a.K, a.L), $"{symbol}: ({h},{k},{l}) → {a} is outside");
                        foreach (var e in group.Equivalents(h, k, l)) Assert.Equal(a, asu.Map(e.H, e.K, e.L, out _));
                    }
        }

        [Fact]
        public void Scaling_and_post_refinement_recover_the_known_crystal()
        {
            var data = SyntheticMergingData.Create(lattices: 150, distinct: 150, seed: 5);
            var settings = new MergeSettings { SpaceGroup = data.Group, MaxDegreeOfParallelism = 2 };
            var result = new ReflectionMerger(settings).Merge(data.Observations, data.Lattices);
            foreach (var line in result.Log) _out.WriteLine(line);
            var lat = result.Lattices;
            // Scales are relative: compare G·exp(−B/2d²) ratios after removing the overall factor (median ratio).
            var ratio = Enumerable.Range(0, lat.Count).Select(i => lat.Scale[i] / data.TrueScale[i]).OrderBy(x => x).ToArray();
            double k = ratio[ratio.Length / 2];
            double gErr = Math.Sqrt(Enumerable.Range(0, lat.Count).Average(i => Math.Pow(Math.Log(lat.Scale[i] / data.TrueScale[i] / k), 2)));
            double meanB = Enumerable.Range(0, lat.Count).Average(i => lat.BFactor[i] - data.TrueB[i]);
            double bErr = Math.Sqrt(Enumerable.Range(0, lat.Count).Average(i => Math.Pow(lat.BFactor[i] - data.TrueB[i] - meanB, 2)));
            double widthErr = Enumerable.Range(0, lat.Count).Average(i => Math.Abs(lat.RlpWidth[i] / SyntheticMergingData.RlpWidth - 1));
            var m = result.DataSets[0];
            var truth = Enumerable.Range(0, m.Count).Select(r => data.Truth[(m.H[r], m.K[r], m.L[r])]).ToArray();
            double cc = MergingStatistics.Correlation(m.Intensity, truth);
            _out.WriteLine($"RMS ln G error {gErr:0.000}, RMS B error {bErr:0.00} Å², mean |width error| {widthErr:0.000}, CC(truth) {cc:0.0000}, {m.Count} unique");
            Assert.True(gErr < 0.05, $"G error {gErr}");
            Assert.True(bErr < 1.5, $"B error {bErr}");
            Assert.True(widthErr < 0.1, $"width error {widthErr}");
            Assert.True(cc > 0.995, $"CC {cc}");
            // Post-refinement beats scaling alone on misset lattices.
            var data2 = SyntheticMergingData.Create(lattices: 150, distinct: 150, seed: 5);
            var scaleOnly = new ReflectionMerger(new MergeSettings { SpaceGroup = data2.Group, Model = MergeModel.Scale, MaxDegreeOfParallelism = 2 }).Merge(data2.Observations, data2.Lattices);
            var m2 = scaleOnly.DataSets[0];
            double cc2 = MergingStatistics.Correlation(m2.Intensity, Enumerable.Range(0, m2.Count).Select(r => data.Truth[(m2.H[r], m2.K[r], m2.L[r])]).ToArray());
            _out.WriteLine($"scale only: CC(truth) {cc2:0.0000}");
            Assert.True(cc > cc2);
        }

        [Fact]
        public void The_result_does_not_depend_on_the_thread_count()
        {
            MergedReflections Run(int threads)
            {
                var data = SyntheticMergingData.Create(lattices: 60, distinct: 60, seed: 9);
                return new ReflectionMerger(new MergeSettings { SpaceGroup = data.Group, MaxDegreeOfParallelism = threads, Cycles = 2 }).Merge(data.Observations, data.Lattices).DataSets[0];
            }
            var a = Run(1); var b = Run(2);
            Assert.Equal(a.Count, b.Count);
            Assert.Equal(a.Intensity, b.Intensity);
            Assert.Equal(a.Sigma, b.Sigma);
            Assert.Equal(a.IHalf1, b.IHalf1);
        }

        [Fact]
        public void The_error_model_finds_underestimated_sigmas()
        {
            var data = SyntheticMergingData.Create(lattices: 120, distinct: 120, seed: 13);
            for (int i = 0; i < data.Observations.Count; i++) data.Observations.Sigma[i] /= 2;
            var result = new ReflectionMerger(new MergeSettings { SpaceGroup = data.Group, MaxDegreeOfParallelism = 2 }).Merge(data.Observations, data.Lattices);
            _out.WriteLine(result.ErrorModel.ToString());
            Assert.InRange(result.ErrorModel.SdFac, 1.6, 2.6);
        }

        [Fact]
        public void Delta_cc_half_rejects_the_lattices_that_disagree()
        {
            // Five lattices measured badly (every intensity off by a random factor of about e^±0.8): they still correlate
            // with the others, so only ΔCC½ can find them.
            var data = SyntheticMergingData.Create(lattices: 150, distinct: 150, seed: 21);
            var rng = new Random(3);
            double Gauss() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
            int[] bad = { 7, 40, 77, 101, 133 };
            foreach (int b in bad)
                for (int i = data.Lattices.FirstObservation[b]; i < data.Lattices.FirstObservation[b] + data.Lattices.ObservationCount[b]; i++)
                    data.Observations.Intensity[i] *= (float)Math.Exp(0.8 * Gauss());
            var settings = new MergeSettings { SpaceGroup = data.Group, MaxDegreeOfParallelism = 2, MinLatticeCorrelation = -1 };
            var result = new ReflectionMerger(settings).Merge(data.Observations, data.Lattices);
            var lat = result.Lattices;
            for (int i = 0; i < lat.Count; i++)
                if (lat.Rejected[i]) _out.WriteLine($"{i}: {lat.Rejection[i]} (true G {data.TrueScale[i]:0.00}, B {data.TrueB[i]:0.0}, {lat.ObservationCount[i]} observations)");
            foreach (int b in bad)
            {
                Assert.True(lat.Rejected[b], $"lattice {b} kept, ΔCC½ {lat.DeltaCCHalf[b]}");
                Assert.StartsWith("ΔCC½", lat.Rejection[b]);
            }
            int goodRejected = Enumerable.Range(0, lat.Count).Count(i => lat.Rejected[i] && Array.IndexOf(bad, i) < 0);
            Assert.True(goodRejected <= 2, $"{goodRejected} good lattices rejected");
            // On the same lattices with nothing corrupted, at most one is rejected.
            var clean = SyntheticMergingData.Create(lattices: 150, distinct: 150, seed: 21);
            var cleanResult = new ReflectionMerger(new MergeSettings { SpaceGroup = clean.Group, MaxDegreeOfParallelism = 2, MinLatticeCorrelation = -1 }).Merge(clean.Observations, clean.Lattices);
            int cleanRejected = Enumerable.Range(0, cleanResult.Lattices.Count).Count(i => cleanResult.Lattices.Rejected[i]);
            _out.WriteLine($"uncorrupted: {cleanRejected} rejected");
            Assert.True(cleanRejected <= 1, $"{cleanRejected} lattices of uncorrupted data rejected");
            // Without the test they stay in, and the merged data are worse.
            var data2 = SyntheticMergingData.Create(lattices: 150, distinct: 150, seed: 21);
            rng = new Random(3);
            foreach (int b in bad)
                for (int i = data2.Lattices.FirstObservation[b]; i < data2.Lattices.FirstObservation[b] + data2.Lattices.ObservationCount[b]; i++)
                    data2.Observations.Intensity[i] *= (float)Math.Exp(0.8 * Gauss());
            var kept = new ReflectionMerger(new MergeSettings { SpaceGroup = data2.Group, MaxDegreeOfParallelism = 2, MinLatticeCorrelation = -1, DeltaCCHalfCutoff = 0 })
                .Merge(data2.Observations, data2.Lattices);
            double Cc(MergeResult r) { var m = r.DataSets[0]; return MergingStatistics.Correlation(m.Intensity, Enumerable.Range(0, m.Count).Select(q => data.Truth[(m.H[q], m.K[q], m.L[q])]).ToArray()); }
            _out.WriteLine($"CC(truth) with ΔCC½ rejection {Cc(result):0.0000}, without {Cc(kept):0.0000}");
            Assert.True(Cc(result) > Cc(kept));
        }

        [Fact]
        public void Statistics_of_known_half_sets()
        {
            var m = new MergedReflections(4) { SpaceGroup = SpaceGroup.Parse("P 1"), Cell = new UnitCell(10, 10, 10, 90, 90, 90) };
            double[] h1 = { 10, 20, 30, 40 }, h2 = { 12, 18, 33, 41 };
            for (int r = 0; r < 4; r++)
            {
                m.H[r] = r + 1; m.D[r] = 10.0 / (r + 1); m.Multiplicity[r] = 2; m.IHalf1[r] = h1[r]; m.IHalf2[r] = h2[r];
                m.Intensity[r] = (h1[r] + h2[r]) / 2; m.Sigma[r] = 1; m.AnomalousHalf1[r] = m.AnomalousHalf2[r] = double.NaN;
            }
            var absDev = Enumerable.Range(0, 4).Select(r => Math.Abs(h1[r] - h2[r])).ToArray();
            var sum = Enumerable.Range(0, 4).Select(r => h1[r] + h2[r]).ToArray();
            var s = MergingStatistics.Compute(m, absDev, sum, 1, 2.5, 10);
            double cc = MergingStatistics.Correlation(h1, h2);
            Assert.Equal(cc, s.Overall.CCHalf, 12);
            Assert.Equal(Math.Sqrt(2 * cc / (1 + cc)), s.Overall.CCStar, 12);
            double rsplit = 100 / Math.Sqrt(2) * h1.Zip(h2, (a, b) => Math.Abs(a - b)).Sum() / (0.5 * h1.Zip(h2, (a, b) => a + b).Sum());
            Assert.Equal(rsplit, s.Overall.RSplit, 9);
            Assert.Equal(100 * Math.Sqrt(2) * absDev.Sum() / sum.Sum(), s.Overall.RMeas, 9);
            Assert.Equal(100 * absDev.Sum() / sum.Sum(), s.Overall.RPim, 9);
            Assert.Equal(8, s.Overall.Observations);
            Assert.Equal(2.0, s.Overall.Multiplicity);
        }

        [Theory]
        [InlineData("P 43 21 2", 79.1, 79.1, 37.9, 90, 2.0, 8554)]   // gemmi.count_reflections
        [InlineData("P 31 2 1", 60, 60, 100, 120, 3.0, 4475)]
        [InlineData("P 6", 60, 60, 100, 120, 3.0, 4143)]
        public void Completeness_counts_the_possible_reflections_as_gemmi_does(string symbol, double a, double b, double c, double gamma, double dMin, int expected)
        {
            var m = new MergedReflections(1) { SpaceGroup = SpaceGroup.Parse(symbol), Cell = new UnitCell(a, b, c, 90, 90, gamma) };
            m.H[0] = 1; m.D[0] = 10; m.Multiplicity[0] = 1; m.Intensity[0] = 1; m.Sigma[0] = 1;
            m.IHalf1[0] = m.IHalf2[0] = m.AnomalousHalf1[0] = m.AnomalousHalf2[0] = double.NaN;
            var s = MergingStatistics.Compute(m, new double[1], new double[1], 5, dMin, 1e4);
            Assert.Equal(expected, s.Overall.Possible);
        }

        [Fact]
        public void The_observation_store_is_compact()
        {
            Assert.Equal(35, ObservationStore.BytesPerObservation);
            // 10^5 lattices × 300 reflections: about 1.05 GB of arrays.
            Assert.True(1e5 * 300 * ObservationStore.BytesPerObservation < 1.1e9);
            long before = GC.GetTotalMemory(true);
            var store = new ObservationStore();
            for (int i = 0; i < 1_000_000; i++) store.Add(i / 300, i % 20, i % 7, i % 5, i, 1, 0.1);
            store.Trim();
            long held = GC.GetTotalMemory(true) - before;
            GC.KeepAlive(store);
            _out.WriteLine($"{held / 1e6:0.0} MB for 10^6 observations");
            Assert.InRange(held, 30_000_000, 40_000_000);
        }

        /// <summary>30 synthetic lattices merged in one cycle, with a history line to look for.</summary>
        private static MergedReflectionTable SmallMergedTable()
        {
            var data = SyntheticMergingData.Create(lattices: 30, distinct: 30, seed: 2);
            var result = new ReflectionMerger(new MergeSettings { SpaceGroup = data.Group, Cycles = 1 }).Merge(data.Observations, data.Lattices);
            return new MergedReflectionTable(result.DataSets[0], result.Statistics[0], Array.Empty<MergedLattice>(), new[] { "From XtalPS test" });
        }

        [Fact]
        public void Merged_mtz_is_read_back()
        {
            var table = SmallMergedTable();
            string path = Path.Combine(Path.GetTempPath(), $"xtalps-merged-{Guid.NewGuid():N}.mtz");
            try
            {
                MergedMtzWriter.Write(path, table);
                var f = MtzReader.Read(path);
                Assert.True(f.IsMerged);
                Assert.Equal(MergedMtzWriter.Labels, f.Columns.Select(c => c.Label).ToArray());
                Assert.Equal(table.Count, f.ReflectionCount);
                Assert.Equal("P 43 21 2", MtzWriter.GroupOf(f).Symbol);
                int imean = f.ColumnIndex("IMEAN");
                Assert.Equal((float)table.Data.Intensity[7], f[7, imean]);
                Assert.Contains(f.History, h => h.Contains("From XtalPS test"));
            }
            finally { File.Delete(path); }
        }

        [GemmiFact]
        public void Gemmi_finds_the_merged_mtz_in_the_ccp4_asymmetric_unit()
        {
            var table = SmallMergedTable();
            string path = Path.Combine(Path.GetTempPath(), $"xtalps-merged-{Guid.NewGuid():N}.mtz");
            try
            {
                MergedMtzWriter.Write(path, table);
                var (code, text) = Gemmi.Run($"mtz --check-asu=ccp4 \"{path}\"");
                _out.WriteLine(text);
                Assert.Equal(0, code);
                Assert.Contains($"inside / outside of ASU: {table.Count} / 0", text);
            }
            finally { File.Delete(path); }
        }
    }
}
