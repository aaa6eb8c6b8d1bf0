using System;
using System.Linq;
using XtalPS.Lattices;
using XtalPS.Merging;
using XtalPS.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace XtalPS.Core.Tests
{
    /// <summary>Indexing ambiguities: the operators per space group and cell, and their resolution in merging.</summary>
    // One collection: the merging tests allocate heavily and the store-size test measures the managed heap.
    [Collection("Merging")]
    public sealed class IndexingAmbiguityTests
    {
        private readonly ITestOutputHelper _out;
        public IndexingAmbiguityTests(ITestOutputHelper output) => _out = output;

        // Number of indexings = |lattice point group| / |Laue group| (merohedry); the operator is one of the coset.
        [Theory]
        [InlineData("P 43 21 2", 79.1, 79.1, 37.9, 90, 1)]
        [InlineData("P 43", 79.1, 79.1, 37.9, 90, 2)]
        [InlineData("P 63", 93, 93, 130, 120, 2)]
        [InlineData("P 61 2 2", 93, 93, 130, 120, 1)]
        [InlineData("P 31 2 1", 93, 93, 130, 120, 2)]
        [InlineData("P 3", 93, 93, 130, 120, 4)]
        [InlineData("I 21 3", 78, 78, 78, 90, 2)]
        [InlineData("P 21 21 21", 40, 50, 60, 90, 1)]
        [InlineData("P 21 21 21", 50, 50.2, 60, 90, 2)]   // pseudo-merohedral: a ≈ b
        public void Operators_are_the_cosets_of_the_Laue_group(string symbol, double a, double b, double c, double gamma, int expected)
        {
            var g = SpaceGroup.Parse(symbol);
            var amb = IndexingAmbiguity.Find(g, new UnitCell(a, b, c, 90, 90, gamma));
            _out.WriteLine(string.Join("; ", Enumerable.Range(0, amb.Count).Select(amb.Describe)));
            Assert.Equal(expected, amb.Count);
            Assert.Equal("h,k,l", amb.Describe(0));
            // Every operator keeps 1/d² and maps the Laue class's equivalents of h to equivalents of M·h.
            for (int k = 1; k < amb.Count; k++)
            {
                var m = amb.Apply(k, 3, 1, 2);
                Assert.NotEqual(g.MapToAsymmetricUnit(3, 1, 2), g.MapToAsymmetricUnit(m.H, m.K, m.L));
                Assert.Equal(0, amb.Compose(amb.Inverse(k), k));
            }
        }

        [Fact]
        public void Merging_resolves_a_twofold_ambiguity_without_a_reference()
        {
            var data = SyntheticMergingData.Create(lattices: 120, distinct: 120, seed: 21, spaceGroup: "P 43", reindexFraction: 0.4);
            var truthKeys = data.Truth;
            double Cc(MergeResult res)
            {
                var m = res.DataSets[0];
                return MergingStatistics.Correlation(m.Intensity, Enumerable.Range(0, m.Count).Select(r => truthKeys[(m.H[r], m.K[r], m.L[r])]).ToArray());
            }
            var resolved = new ReflectionMerger(new MergeSettings { SpaceGroup = data.Group, MaxDegreeOfParallelism = 2 }).Merge(data.Observations, data.Lattices);
            foreach (var line in resolved.Log) _out.WriteLine(line);
            int wrong = Enumerable.Range(0, data.Lattices.Count).Count(i => (resolved.Lattices.Reindexing[i].Length > 0) != data.Reindexed[i]);
            double ccResolved = Cc(resolved);
            var data2 = SyntheticMergingData.Create(lattices: 120, distinct: 120, seed: 21, spaceGroup: "P 43", reindexFraction: 0.4);
            var ignored = new ReflectionMerger(new MergeSettings { SpaceGroup = data2.Group, MaxDegreeOfParallelism = 2, ResolveAmbiguity = false }).Merge(data2.Observations, data2.Lattices);
            double ccIgnored = Cc(ignored);
            _out.WriteLine($"{data.Reindexed.Count(x => x)} of 120 lattices given as k,h,-l; {wrong} assigned wrongly; CC(truth) {ccResolved:0.0000} resolved, {ccIgnored:0.0000} ignored");
            Assert.Equal(0, wrong);
            Assert.True(ccResolved > 0.99, $"CC {ccResolved}");
            Assert.True(ccIgnored < 0.9, $"CC without resolution {ccIgnored}");
        }

        [Fact]
        public void No_ambiguity_leaves_every_lattice_as_it_was()
        {
            var data = SyntheticMergingData.Create(lattices: 40, distinct: 40, seed: 3);
            var result = new ReflectionMerger(new MergeSettings { SpaceGroup = data.Group, MaxDegreeOfParallelism = 2, Cycles = 1 }).Merge(data.Observations, data.Lattices);
            Assert.All(result.Lattices.Reindexing.Take(result.Lattices.Count), r => Assert.Equal("", r));
            Assert.DoesNotContain(result.Log, l => l.Contains("ambiguity"));
        }

        [Fact]
        public void Merged_sigmas_are_honest_against_the_truth()
        {
            // Held-out check of the error model: SD of (I − k·I_true)/σ over the merged reflections is 1 when σ is right.
            var data = SyntheticMergingData.Create(lattices: 150, distinct: 150, seed: 31);
            var result = new ReflectionMerger(new MergeSettings { SpaceGroup = data.Group, MaxDegreeOfParallelism = 2 }).Merge(data.Observations, data.Lattices);
            var m = result.DataSets[0];
            var t = Enumerable.Range(0, m.Count).Select(r => data.Truth[(m.H[r], m.K[r], m.L[r])]).ToArray();
            double k = Enumerable.Range(0, m.Count).Sum(r => m.Intensity[r] * t[r]) / t.Sum(x => x * x);
            double sd = Math.Sqrt(Enumerable.Range(0, m.Count).Average(r => Math.Pow((m.Intensity[r] - k * t[r]) / m.Sigma[r], 2)));
            _out.WriteLine($"{result.ErrorModel}; k {k:0.000}; SD of (I − k·I_true)/σ {sd:0.000} over {m.Count} reflections");
            Assert.InRange(sd, 0.85, 1.2);
        }
    }
}
