using System;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using XtalPS.Formats;
using XtalPS.Geometry;
using XtalPS.Imaging;
using XtalPS.Integration;
using XtalPS.Lattices;
using XtalPS.Merging;
using Xunit;
using Xunit.Abstractions;

namespace XtalPS.Core.Tests
{
    /// <summary>
    /// The unmerged and the merged MTZ writers build their headers with one builder (MtzHeader). These files, made
    /// from inputs typed in here (no simulation or merging, so only the writers can change them), have the bytes
    /// the two writers produced before they shared it: the SHA-256 values were taken from the writers as they were.
    /// </summary>
    public class MtzHeaderBytesTests
    {
        private readonly ITestOutputHelper _out;
        public MtzHeaderBytesTests(ITestOutputHelper o) { _out = o; }

        private static ReflectionTable[] Tables()
        {
            var detector = DetectorModel.SinglePanel("Pilatus", 1024, 1024, 0.172, 120, 512.3, 511.7);
            var beam = new Beam(0.9795);
            var source = new ImageSource("/data/run7/still_0001.cbf", 0, "miniCBF", detector, beam);
            var cell = new UnitCell(79.1, 79.1, 37.9, 90, 90, 90);
            double t = 0.3;
            var u = new Mat3(Math.Cos(t), -Math.Sin(t), 0, Math.Sin(t), Math.Cos(t), 0, 0, 0, 1);
            var lattice = CrystalLattice.FromOrientation(u, cell, SpaceGroup.Parse("P43212"), detector, beam);
            var tables = new ReflectionTable[2];
            for (int k = 0; k < 2; k++)
            {
                var rows = Enumerable.Range(0, 40).Select(i => new Reflection
                {
                    H = (i % 7) - 3 + k, K = (i % 5) - 2, L = (i % 11) - 5, Panel = 0,
                    PredictedX = 100 + 13.5 * i, PredictedY = 900 - 11.25 * i, X = 100.25 + 13.5 * i, Y = 899.5 - 11.25 * i,
                    XSigma = 0.3, YSigma = 0.4, Intensity = i % 9 == 0 ? double.NaN : 1000.0 / (i + 1) - 20, Sigma = 3 + i * 0.5,
                    IntegratedBackground = 2.5, D = 2 + i * 0.1, BoxSize = 5, PeakPixels = 12, BackgroundPixels = 60,
                    Flags = i % 13 == 0 ? ReflectionFlags.NearEdge : ReflectionFlags.None, WellBehaved = i % 13 != 0,
                    Partiality = 0.5, DeltaPsi = 1e-4 * i,
                }).ToList();
                tables[k] = new ReflectionTable(null, lattice, null, rows, "Integrate", $"still_000{k + 1}.cbf", source);
            }
            return tables;
        }

        private static MergedReflectionTable Merged()
        {
            int n = 25;
            var m = new MergedReflections(n) { Name = "", SpaceGroup = SpaceGroup.Parse("P43212"), Cell = new UnitCell(79.1, 79.1, 37.9, 90, 90, 90), Wavelength = 1.3 };
            for (int i = 0; i < n; i++)
            {
                m.H[i] = i % 6 + 1; m.K[i] = i % 4; m.L[i] = i / 6 + 1; m.D[i] = 10.0 / (1 + 0.2 * i);
                m.Intensity[i] = 500 - 17 * i; m.Sigma[i] = 5 + i; m.Multiplicity[i] = 3 + i % 4;
                m.IPlus[i] = i % 5 == 0 ? double.NaN : 480 - 15 * i; m.SigmaPlus[i] = 6 + i;
                m.IMinus[i] = 510 - 16 * i; m.SigmaMinus[i] = 7 + i;
                m.IHalf1[i] = 505 - 17 * i; m.SigmaHalf1[i] = 8; m.IHalf2[i] = 495 - 17 * i; m.SigmaHalf2[i] = 9;
                m.FreeR[i] = i % 20;
            }
            return new MergedReflectionTable(m, new MergingStatistics(), Array.Empty<MergedLattice>(), new[] { "From XtalPS 1.0 Merge-ReflectionTable", "-SpaceGroup P43212" });
        }

        private static string Sha(string path)
        {
            using var sha = SHA256.Create();
            return string.Concat(sha.ComputeHash(File.ReadAllBytes(path)).Select(b => b.ToString("x2")));
        }

        [Theory]
        [InlineData(false, false, "6f19ea83205bb45b8e14b12fa58b9061a7d63761f1063afc966e104ff0d551a5")]
        [InlineData(true, false, "b797bc004acb3079bdc907e15db28371862b61be0bbf0b87e9507625b444f8b8")]
        [InlineData(false, true, "0f0fcfe74130390617c9aace58bb3f976392588911bd00f3907d24d798222429")]
        public void Unmerged_mtz_bytes_are_unchanged(bool bigEndian, bool longOffset, string expected)
        {
            string dir = Directory.CreateTempSubdirectory("xtalps-mtzbytes").FullName;
            try
            {
                string path = Path.Combine(dir, "run.mtz");
                using (var w = new MtzWriter(path) { BigEndian = bigEndian, LongHeaderOffset = longOffset })
                {
                    foreach (var t in Tables()) w.Add(t);
                    w.Complete();
                }
                string sha = Sha(path);
                _out.WriteLine($"unmerged (big-endian {bigEndian}, long offset {longOffset}): {sha}");
                Assert.Equal(expected, sha);
            }
            finally { Directory.Delete(dir, true); }
        }

        [Fact]
        public void Merged_mtz_bytes_are_unchanged()
        {
            string dir = Directory.CreateTempSubdirectory("xtalps-mtzbytes").FullName;
            try
            {
                string path = Path.Combine(dir, "merged.mtz");
                MergedMtzWriter.Write(path, Merged());
                string sha = Sha(path);
                _out.WriteLine($"MERGED {sha}");
                // Taken again once the merged file gained French–Wilson F/SIGF; the writer of that change, before it used
                // the shared header builder, wrote the same bytes for the same merge (checked with both builds).
                Assert.Equal("6eb46eb8fd1fe19b00d0b76339291d7e4281601dcdbddddd87fa172717e3c044", sha);
            }
            finally { Directory.Delete(dir, true); }
        }
    }
}
