using System;
using BenchmarkDotNet.Attributes;
using XtalPS.Geometry;
using XtalPS.Merging;
using XtalPS.Tests.Shared;

namespace XtalPS.Benchmarks
{
    /// <summary>
    /// Merging with an indexing ambiguity at the size: lysozyme's cell in P 43 (lattice 4/mmm, Laue 4/m, so two
    /// indexings), 10⁴ and 10⁵ lattices of ~300 observations to 2.3 Å, 40 % of them given in the other indexing; the
    /// Brehm–Diederichs resolution, then 3 cycles of post-refinement on 2 threads. Each iteration restores the indices,
    /// setting matrices, flags and lattice parameters the merger changes, so every iteration merges the same input.
    /// Timed once directly (not by BenchmarkDotNet) on the shared 2-core machine at load average ~20: 10⁴ lattices
    /// (3.0·10⁶ observations) 33 s, peak working set 0.52 GB; 10⁵ lattices (3.0·10⁷) 411 s, 4.05 GB (data generator
    /// included); every lattice given its true indexing.
    /// </summary>
    [MemoryDiagnoser]
    public class AmbiguityBenchmarks
    {
        private SyntheticMergingData _data = null!;
        private byte[] _flags = Array.Empty<byte>();
        private short[] _h = Array.Empty<short>(), _k = Array.Empty<short>(), _l = Array.Empty<short>();
        private Mat3[] _a = Array.Empty<Mat3>();

        [Params(10_000, 100_000)] public int Lattices { get; set; }

        [GlobalSetup]
        public void Setup()
        {
            _data = SyntheticMergingData.Create(Lattices, 500, seed: 1, dMin: 2.3, spaceGroup: "P 43", reindexFraction: 0.4);
            var o = _data.Observations;
            o.Trim();
            _flags = (byte[])o.Flags.Clone(); _h = (short[])o.H.Clone(); _k = (short[])o.K.Clone(); _l = (short[])o.L.Clone();
            _a = (Mat3[])_data.Lattices.SettingMatrix.Clone();
            Console.WriteLine($"// {o.Count} observations of {_data.Lattices.Count} lattices, {o.Count * (long)ObservationStore.BytesPerObservation / 1e6:0} MB in the store");
        }

        [IterationSetup]
        public void Reset()
        {
            var o = _data.Observations;
            Array.Copy(_flags, o.Flags, _flags.Length); Array.Copy(_h, o.H, _h.Length); Array.Copy(_k, o.K, _k.Length); Array.Copy(_l, o.L, _l.Length);
            var l = _data.Lattices;
            Array.Copy(_a, l.SettingMatrix, _a.Length);
            for (int i = 0; i < l.Count; i++)
            {
                l.Scale[i] = 1; l.BFactor[i] = 0; l.RotationX[i] = 0; l.RotationY[i] = 0; l.Rejected[i] = false; l.Rejection[i] = null; l.Reindexing[i] = "";
            }
        }

        [Benchmark]
        public int ResolveAndPostRefine() =>
            new ReflectionMerger(new MergeSettings { SpaceGroup = _data.Group, MaxDegreeOfParallelism = 2 }).Merge(_data.Observations, _data.Lattices).DataSets[0].Count;
    }
}
