using System;
using BenchmarkDotNet.Attributes;
using XtalPS.Merging;
using XtalPS.Tests.Shared;

namespace XtalPS.Benchmarks
{
    /// <summary>
    /// Merge-ReflectionTable's numerics at the size the issue asks for: 10⁵ lattices × ~300 observations (lysozyme,
    /// P 43 21 2, to 2.3 Å, Gaussian rlp, 0.03° misset; 500 distinct orientations re-emitted with new scales, B and noise),
    /// post-refined for 3 cycles on 2 threads. Also 10⁴ lattices for a quicker figure. The store is reset between
    /// iterations (flags and lattice parameters), so each iteration merges the same input. Run out of process
    /// (the default toolchain): one merge of 10⁵ lattices exceeds the in-process toolchain's time limit.
    /// </summary>
    [MemoryDiagnoser]
    public class MergingBenchmarks
    {
        private SyntheticMergingData _data = null!;
        private byte[] _flags = Array.Empty<byte>();

        [Params(10_000, 100_000)] public int Lattices { get; set; }

        [GlobalSetup]
        public void Setup()
        {
            _data = SyntheticMergingData.Create(Lattices, 500, seed: 1, dMin: 2.3);
            _data.Observations.Trim();   // the merger trims the store; reset copies the same length back
            _flags = (byte[])_data.Observations.Flags.Clone();
            Console.WriteLine($"// {_data.Observations.Count} observations of {_data.Lattices.Count} lattices ({(double)_data.Observations.Count / _data.Lattices.Count:0} per lattice), " +
                $"{_data.Observations.Count * (long)ObservationStore.BytesPerObservation / 1e6:0} MB in the store");
        }

        [IterationSetup]
        public void Reset()
        {
            Array.Copy(_flags, _data.Observations.Flags, _flags.Length);
            var l = _data.Lattices;
            for (int i = 0; i < l.Count; i++)
            {
                l.Scale[i] = 1; l.BFactor[i] = 0; l.RotationX[i] = 0; l.RotationY[i] = 0; l.Rejected[i] = false; l.Rejection[i] = null;
            }
        }

        [Benchmark]
        public int PostRefine() =>
            new ReflectionMerger(new MergeSettings { SpaceGroup = _data.Group, MaxDegreeOfParallelism = 2 }).Merge(_data.Observations, _data.Lattices).DataSets[0].Count;
    }
}
