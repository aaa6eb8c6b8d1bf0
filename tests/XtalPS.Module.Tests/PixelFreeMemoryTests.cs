using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using XtalPS.Geometry;
using XtalPS.Imaging;
using XtalPS.Integration;
using XtalPS.Lattices;
using XtalPS.Spots;
using Xunit;
using Xunit.Abstractions;

namespace XtalPS.Module.Tests
{
    /// <summary>
    /// Memory stays flat over 10^4 stills (decisions: "Memory tests"): one still re-emitted 10^4 times, each time with
    /// its own copy of the pixels, through the stage under test, with a bound on the peak working set. Before lattices
    /// left their pixels behind, every lattice a stage kept held its whole image (1 MB here, 11.7 MB for a CSPAD), so
    /// 10^4 of them need 10 GB; pixel-free they need a few hundred MB at most.
    /// </summary>
    [Collection(EngineCollection.Name)]
    public class PixelFreeMemoryTests
    {
        private const int Stills = 10000;
        /// <summary>Growth of the working set allowed over the run (the retained pixels alone would be ≥ 2.5 GB).</summary>
        private const long BoundBytes = 1L << 30;
        private readonly EngineFixture _e;
        private readonly ITestOutputHelper _out;
        public PixelFreeMemoryTests(EngineFixture e, ITestOutputHelper output) { _e = e; _out = output; }

        private static double[] D(JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();

        /// <summary>The first single-panel still's truth crystal (1024² px, 4 MB of pixels), indexed at the true positions of its
        /// first <paramref name="maxSpots"/> reflections.</summary>
        private CrystalLattice TruthLattice(int maxSpots = int.MaxValue)
        {
            string path = _e.Shared("sim/single1024/still_00000.cbf");
            var image = (DiffractionImage)_e.InvokeOk("Import-DiffractionImage -LiteralPath $args[0]", path).Single().BaseObject;
            using var doc = JsonDocument.Parse(File.ReadAllText(_e.Shared("sim/single1024/still_00000.json")));
            var cr = doc.RootElement.GetProperty("crystal");
            var u = Mat3.FromArray(D(cr.GetProperty("U")));
            var cell = UnitCell.FromArray(D(cr.GetProperty("unit_cell")));
            var r = doc.RootElement.GetProperty("reflections");
            var h = D(r.GetProperty("h")); var k = D(r.GetProperty("k")); var l = D(r.GetProperty("l"));
            var x = D(r.GetProperty("x_px")); var y = D(r.GetProperty("y_px"));
            var indexed = new List<IndexedSpot>();
            for (int j = 0; j < Math.Min(h.Length, maxSpots); j++)
            {
                var spot = new BraggSpot(0, x[j], y[j], 0.01, 0.01, 100, 10, 5, (int)x[j], (int)x[j], (int)y[j], (int)y[j], 50);
                indexed.Add(new IndexedSpot(spot, (int)h[j], (int)k[j], (int)l[j], double.NaN, double.NaN, double.NaN));
            }
            var a = CrystalLattice.FromOrientation(u, cell, "P 43 21 2").AMatrix;
            var spots = new SpotList(image, indexed.Select(s => s.Spot), "truth");
            return new CrystalLattice(a, SpaceGroup.FromNumber(96), image, spots, indexed, 0.01, 0.1, image.Detector, image.Beam, 0.001);
        }

        /// <summary>The lattice again and again, each time on a fresh copy of its pixels (as a new still would be).</summary>
        private static IEnumerable<CrystalLattice> ReEmit(CrystalLattice lattice, int count)
        {
            var image = lattice.Image!;
            for (int i = 0; i < count; i++)
            {
                // Sweep the garbage now and then so the working set shows what the stage keeps, not what the GC has
                // yet to collect (a collection cannot free what a stage still references).
                if (i % 100 == 99) GC.Collect();
                var fresh = image.WithPanelImages(image.PanelImages.Select(p => new PanelImage(p.PanelIndex, p.Width, p.Height, (float[])p.Pixels.Clone(), p.Mask)));
                var spots = new SpotList(fresh, lattice.Spots!.Spots, "truth");
                yield return new CrystalLattice(lattice.AMatrix, lattice.Symmetry, fresh, spots, lattice.IndexedSpots, lattice.Rmsd, lattice.Mosaicity,
                    lattice.Detector, lattice.Beam, lattice.DeltaPsiRms);
            }
        }

        /// <summary>Runs the script on the lattices and returns the growth of the working set's peak over its level before.</summary>
        private long PeakGrowth(string script, out int outputs, params object[] args)
        {
            GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
            using var process = Process.GetCurrentProcess();
            process.Refresh();
            long before = process.WorkingSet64, peak = before;
            using var stop = new CancellationTokenSource();
            var sampler = new Thread(() =>
            {
                while (!stop.IsCancellationRequested)
                {
                    process.Refresh();
                    peak = Math.Max(peak, process.WorkingSet64);
                    Thread.Sleep(20);
                }
            }) { IsBackground = true };
            sampler.Start();
            var output = _e.Invoke(script, out var errors, args);
            stop.Cancel();
            sampler.Join();
            Assert.Empty(errors);
            outputs = output.Count;
            _out.WriteLine($"working set {before / 1e6:0} MB before, peak {peak / 1e6:0} MB (+{(peak - before) / 1e6:0} MB), {outputs} objects out");
            return peak - before;
        }

        [Fact]
        public void Measure_UnitCell_over_ten_thousand_stills_stays_flat()
        {
            var lattice = TruthLattice();
            long growth = PeakGrowth("$args[0] | Measure-UnitCell", out int n, ReEmit(lattice, Stills));
            Assert.True(n >= 1);
            Assert.True(growth < BoundBytes, $"the working set grew by {growth / 1e6:0} MB");
        }

        [Fact]
        public void Update_DetectorMetrology_over_ten_thousand_stills_stays_flat()
        {
            // 40 reflections per still keep the refinement itself (4·10^5 observations) small beside the pixels it must not keep.
            var lattice = TruthLattice(40);
            long growth = PeakGrowth("$args[0] | Update-DetectorMetrology -HierarchyLevel 0 -MaxIterations 2 -PassThru | Select-Object -Last 1",
                out int n, ReEmit(lattice, Stills));
            Assert.Equal(1, n);
            Assert.True(growth < BoundBytes, $"the working set grew by {growth / 1e6:0} MB");
        }

        [Fact]
        public void Integration_over_ten_thousand_stills_keeps_no_pixels()
        {
            // A small simulated 2D-crystal image (256² px, 320 KB with its mask, about 36 spots) keeps 10^4 integrations
            // quick; 10^4 kept images would be 3.2 GB.
            var image = (DiffractionImage)_e.InvokeOk("New-SimulatedImage -Width 256 -Height 256 -A 40,1 -B -1,40 -Seed 5").Single().BaseObject;
            var truth = (Simulation.PlanarSimulationTruth)image.Truth!;
            IEnumerable<Lattice> Planar()
            {
                for (int i = 0; i < Stills; i++)
                {
                    var fresh = image.WithPanelImages(image.PanelImages.Select(p => new PanelImage(p.PanelIndex, p.Width, p.Height, (float[])p.Pixels.Clone(), (byte[])p.Mask.Clone())));
                    yield return new PlanarLattice(truth.Origin, truth.A, truth.B, fresh);
                }
            }
            // Every table is kept (as merging keeps them): what leaves integration must hold no pixels.
            var kept = new List<ReflectionTable>();
            long growth = PeakGrowth("$kept = $args[1]; $args[0] | Invoke-PeakIntegration -Method Summation -Cycles 1 | ForEach-Object { $kept.Add($_) }",
                out _, Planar(), kept);
            Assert.Equal(Stills, kept.Count);
            Assert.All(kept.Take(3), t => { Assert.Null(t.Image); Assert.Null(t.Lattice!.Image); Assert.Equal("Simulated#0", t.ImageName); });
            Assert.True(kept[0].Count > 10, $"{kept[0].Count} reflections");
            Assert.True(growth < BoundBytes, $"the working set grew by {growth / 1e6:0} MB");
        }
    }
}
