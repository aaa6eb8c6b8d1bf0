using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using XtalPS.Integration;
using XtalPS.Lattices;
using XtalPS.Merging;
using XtalPS.Spots;
using Xunit;
using Xunit.Abstractions;

namespace XtalPS.Module.Tests
{
    /// <summary>
    /// DIALS and CrystFEL files through the engine: spot lists and lattices into DIALS pairs and back, -Append for
    /// the formats that can take it (and a clear refusal for the one that cannot), CrystFEL peak lists as spot lists
    /// that Get-Lattice indexes, and a CrystFEL stream merged by Merge-ReflectionTable.
    /// </summary>
    [Collection(EngineCollection.Name)]
    public sealed class InteropCmdletTests : IDisposable
    {
        private const string Cell = "-UnitCell 79.1,79.1,37.9,90,90,90 -SpaceGroup P43212";
        private readonly EngineFixture _e;
        private readonly ITestOutputHelper _out;
        private readonly string _dir;

        public InteropCmdletTests(EngineFixture e, ITestOutputHelper output)
        {
            _e = e; _out = output;
            _dir = Directory.CreateTempSubdirectory("xtalps_interop_").FullName;
        }

        public void Dispose() => Directory.Delete(_dir, true);

        private string Stills(string pattern) => Path.Combine(_e.SharedData, "sim", "single1024", pattern);
        private string At(string name) => Path.Combine(_dir, name);

        [Fact]
        public void Spot_lists_and_lattices_go_into_DIALS_pairs_and_come_back_the_same()
        {
            var spots = _e.InvokeOk("Import-DiffractionImage $args[0] | Find-BraggSpot", Stills("still_0000[01].cbf"))
                .Select(o => (SpotList)o.BaseObject).ToArray();
            _e.InvokeOk("$args[0] | Export-ReflectionTable $args[1]", spots, At("strong.refl"));
            var lattices = _e.InvokeOk($"$args[0] | Get-Lattice {Cell} | Export-ReflectionTable $args[1] -PassThru | Out-Null; $args[0] | Get-Lattice {Cell}", spots, At("indexed.refl"))
                .Select(o => (CrystalLattice)o.BaseObject).ToArray();
            Assert.True(File.Exists(At("strong.expt")) && File.Exists(At("indexed.expt")));

            // Strong spots come back as spot lists on their images, spot for spot.
            var back = _e.InvokeOk("Import-ReflectionTable $args[0]", At("strong.refl")).Select(o => (SpotList)o.BaseObject).ToArray();
            Assert.Equal(spots.Select(s => s.Source.Name), back.Select(s => s.Source.Name));
            for (int i = 0; i < spots.Length; i++)
            {
                Assert.Equal(spots[i].Count, back[i].Count);
                for (int k = 0; k < spots[i].Count; k++)
                {
                    var a = spots[i].Spots[k]; var b = back[i].Spots[k];
                    Assert.Equal((a.Panel, a.X, a.Y, a.Intensity, a.PixelCount, a.MinX, a.MaxX, a.MinY, a.MaxY), (b.Panel, b.X, b.Y, b.Intensity, b.PixelCount, b.MinX, b.MaxX, b.MinY, b.MaxY));
                    Assert.Equal(a.VarianceX, b.VarianceX, 12);
                }
            }
            // ... and index as the originals do.
            var again = _e.InvokeOk($"Import-ReflectionTable $args[0] | Get-Lattice {Cell}", At("strong.refl")).Select(o => (CrystalLattice)o.BaseObject).ToArray();
            Assert.Equal(lattices.Select(l => l.IndexedCount), again.Select(l => l.IndexedCount));

            // Lattices come back as indexed tables: the same crystal, one row per indexed spot with its index.
            var tables = _e.InvokeOk("Import-ReflectionTable $args[0]", At("indexed.refl")).Select(o => (ReflectionTable)o.BaseObject).ToArray();
            Assert.Equal(lattices.Length, tables.Length);
            for (int i = 0; i < lattices.Length; i++)
            {
                var l = (CrystalLattice)tables[i].Lattice!;
                // A travels as the real-space cell vectors (DIALS's crystal model): equal to the last bits of an inverse.
                var (x, y) = (lattices[i].AMatrix.ToArray(), l.AMatrix.ToArray());
                for (int k = 0; k < 9; k++) Assert.Equal(x[k], y[k], 14);
                Assert.Equal(lattices[i].Symmetry, l.Symmetry);
                Assert.Equal(lattices[i].IndexedSpots.Select(s => (s.H, s.K, s.L, s.Spot.X, s.Spot.Y, s.PredictedX)),
                    tables[i].Reflections.Select(r => (r.H, r.K, r.L, r.X, r.Y, r.PredictedX)));
            }
        }

        [Fact]
        public void Lattices_and_spot_lists_are_refused_for_files_that_hold_only_reflection_tables()
        {
            _e.Invoke($"Import-DiffractionImage $args[0] | Find-BraggSpot | Get-Lattice {Cell} | Export-ReflectionTable $args[1]",
                out var errors, Stills("still_00000.cbf"), At("run.mtz"));
            var e = Assert.Single(errors);
            Assert.StartsWith("LatticesNeedDialsFile", e.FullyQualifiedErrorId);
            Assert.Contains(".refl", e.Exception.Message);
            Assert.False(File.Exists(At("run.mtz")));
        }

        [Fact]
        public void Append_adds_experiments_to_a_DIALS_pair_with_unique_identifiers()
        {
            string script = $"Import-DiffractionImage $args[0] | Find-BraggSpot | Get-Lattice {Cell} | Export-ReflectionTable $args[1] -Append";
            _e.InvokeOk(script, Stills("still_0000[01].cbf"), At("run.refl"));
            byte[] expt1 = File.ReadAllBytes(At("run.expt"));
            _e.InvokeOk(script, Stills("still_0000[12].cbf"), At("run.refl"));
            var tables = _e.InvokeOk("Import-ReflectionTable $args[0]", At("run.refl")).Select(o => (ReflectionTable)o.BaseObject).ToArray();
            Assert.Equal(new[] { "still_00000.cbf", "still_00001.cbf", "still_00001.cbf", "still_00002.cbf" }, tables.Select(t => t.ImageName));
            var experiments = XtalPS.Formats.DialsExperimentJson.ReadExperiments(At("run.expt"));
            Assert.Equal(4, experiments.Select(x => x.Identifier).Distinct().Count());
            var file = XtalPS.Formats.DialsReflectionFile.Read(At("run.refl"));
            Assert.Equal(4, file.Identifiers.Count);
            Assert.Equal(tables.Sum(t => t.Count), file.RowCount);
            Assert.NotEqual(expt1, File.ReadAllBytes(At("run.expt")));
        }

        [Fact]
        public void Append_adds_chunks_to_a_stream_and_refuses_a_merged_hkl_list_clearly()
        {
            string tables = $"Import-DiffractionImage $args[0] | Find-BraggSpot | Get-Lattice {Cell} | Invoke-PeakIntegration -Method Summation";
            _e.InvokeOk(tables + " | Export-ReflectionTable $args[1]", Stills("still_0000[01].cbf"), At("run.stream"));
            byte[] first = File.ReadAllBytes(At("run.stream"));
            _e.InvokeOk(tables + " | Export-ReflectionTable $args[1] -Append", Stills("still_0000[23].cbf"), At("run.stream"));
            byte[] both = File.ReadAllBytes(At("run.stream"));
            Assert.Equal(first, both.Take(first.Length).ToArray());
            var back = _e.InvokeOk("Import-ReflectionTable $args[0]", At("run.stream")).Select(o => (ReflectionTable)o.BaseObject).ToArray();
            Assert.Equal(4, back.Length);
            var contents = XtalPS.Formats.CrystFelStream.Read(At("run.stream"));
            Assert.Equal(new[] { 1, 2, 3, 4 }, contents.Chunks.Select(c => c.Serial));

            var merged = _e.InvokeOk("Import-ReflectionTable $args[0] | Merge-ReflectionTable -SpaceGroup P43212", At("run.stream")).Single().BaseObject;
            _e.InvokeOk("$args[0] | Export-ReflectionTable $args[1]", merged, At("merged.mtz"));
            _e.InvokeOk("Import-ReflectionTable $args[0] | Export-ReflectionTable $args[1]", At("merged.mtz"), At("merged.hkl"));
            byte[] hkl = File.ReadAllBytes(At("merged.hkl"));
            _e.Invoke("Import-ReflectionTable $args[0] | Export-ReflectionTable $args[1] -Append", out var errors, At("merged.mtz"), At("merged.hkl"));
            var e = Assert.Single(errors);
            Assert.StartsWith("CannotAppend", e.FullyQualifiedErrorId);
            Assert.Contains("one merged data set", e.Exception.Message);
            Assert.Equal(hkl, File.ReadAllBytes(At("merged.hkl")));
        }

        [Fact]
        public void Our_stream_merges_as_the_tables_it_was_written_from()
        {
            var tables = _e.InvokeOk($"Import-DiffractionImage $args[0] | Find-BraggSpot | Get-Lattice {Cell} | Invoke-PeakIntegration -Method Summation", Stills("*.cbf"))
                .Select(o => o.BaseObject).ToArray();
            _e.InvokeOk("$args[0] | Export-ReflectionTable $args[1]", tables, At("run.stream"));
            // A stream carries what CrystFEL's partialator uses (I, σ, index, crystal), not XtalPS's partiality inputs: with
            // the Monte-Carlo average, which needs nothing more, the stream merges to the tables' merged intensities.
            const string monteCarlo = "Merge-ReflectionTable -SpaceGroup P43212 -Model MonteCarlo";
            var direct = (MergedReflectionTable)_e.InvokeOk("$args[0] | " + monteCarlo, (object)tables).Single().BaseObject;
            var viaStream = (MergedReflectionTable)_e.InvokeOk("Import-ReflectionTable $args[0] | " + monteCarlo, At("run.stream")).Single().BaseObject;
            _out.WriteLine($"Monte-Carlo: direct {direct.Count} merged, CC½ {direct.CCHalf:0.000}; through the stream {viaStream.Count} merged, CC½ {viaStream.CCHalf:0.000}");
            Assert.Equal(4, viaStream.LatticesUsed);
            Assert.Equal(direct.Count, viaStream.Count);
            var a = direct.Data; var b = viaStream.Data;
            var byIndex = Enumerable.Range(0, b.Count).ToDictionary(i => (b.H[i], b.K[i], b.L[i]));
            var pairs = Enumerable.Range(0, a.Count).Where(i => byIndex.ContainsKey((a.H[i], a.K[i], a.L[i])))
                .Select(i => (a.Intensity[i], b.Intensity[byIndex[(a.H[i], a.K[i], a.L[i])]])).ToArray();
            Assert.Equal(a.Count, pairs.Length);
            double cc = MergingStatistics.Correlation(pairs.Select(p => p.Item1).ToArray(), pairs.Select(p => p.Item2).ToArray());
            _out.WriteLine($"CC(direct, through the stream) = {cc:0.00000}");
            Assert.True(cc > 0.9999, $"CC {cc}");
            // The default model (post-refinement) takes the stream's tables too.
            var post = (MergedReflectionTable)_e.InvokeOk("Import-ReflectionTable $args[0] | Merge-ReflectionTable -SpaceGroup P43212", At("run.stream")).Single().BaseObject;
            _out.WriteLine($"post-refined through the stream: {post.Count} merged from {post.LatticesUsed} lattices, CC½ {post.CCHalf:0.000}");
            Assert.Equal(4, post.LatticesUsed);
            Assert.True(post.Count > 500, $"{post.Count} merged");
        }

        [Fact]
        public void CrystFEL_peak_lists_become_spot_lists_that_index_like_CrystFELs_crystals()
        {
            string stream = Path.Combine(_e.SharedData, "real", "crystfel", "test.stream");
            var lists = _e.InvokeOk("Import-ReflectionTable $args[0] -AsSpotList", stream).Select(o => (SpotList)o.BaseObject).ToArray();
            var contents = XtalPS.Formats.CrystFelStream.Read(stream);
            Assert.Equal(contents.Chunks.Count(c => c.Peaks.Count > 0), lists.Length);
            Assert.Equal(contents.Chunks.Sum(c => c.Peaks.Count), lists.Sum(l => l.Count));
            // 1/d from our geometry (the stream's detector at the chunk's camera length) is CrystFEL's.
            var chunk = contents.Chunks[0];
            for (int k = 0; k < chunk.Peaks.Count; k++)
                Assert.InRange(10 / lists[0].Spots[k].D - chunk.Peaks[k].InverseDNm, -0.006, 0.006);   // the stream prints 1/d to 0.01 nm⁻¹

            // Get-Lattice on CrystFEL's peaks finds CrystFEL's (xgandalf's) crystals.
            var crystals = _e.InvokeOk("Import-ReflectionTable $args[0]", stream).Select(o => (ReflectionTable)o.BaseObject).ToArray();
            var names = crystals.Select(t => t.ImageName).ToHashSet();
            var ours = _e.Invoke("$args[0] | Get-Lattice -UnitCell 61.5,122.7,167.5,90,90,90 -SpaceGroup C2221",
                out var errors, (object)lists.Where(l => names.Contains(l.Source.Name)).ToArray()).Select(o => (CrystalLattice)o.BaseObject).ToArray();
            Assert.Equal(names.Count - ours.Length, errors.Length);
            var angles = ours.Select(l => l.MisorientationTo((CrystalLattice)crystals.First(t => t.ImageName == l.ImageName).Lattice!)).OrderBy(x => x).ToArray();
            _out.WriteLine($"{ours.Length} of {names.Count} indexed; misorientation to CrystFEL's crystal: median {angles[angles.Length / 2]:0.000}°, max {angles.Last():0.000}°");
            Assert.True(ours.Length >= names.Count / 2, $"{ours.Length} of {names.Count} indexed");
            Assert.True(angles[angles.Length / 2] < 0.6, $"median misorientation {angles[angles.Length / 2]}°");
            Assert.True(angles.Last() < 2, $"largest misorientation {angles.Last()}°");

            // The stream's crystals merge.
            var merged = (MergedReflectionTable)_e.InvokeOk("Import-ReflectionTable $args[0] | Merge-ReflectionTable -SpaceGroup C2221", stream).Single().BaseObject;
            _out.WriteLine($"test.stream merged: {merged.Count} reflections from {merged.LatticesUsed} crystals, CC½ {merged.CCHalf:0.000}");
            // ΔCC½ may set aside a few crystals whose intensities disagree with the rest (2 of 32 here); with the
            // rejection off every crystal of the stream merges.
            Assert.True(merged.LatticesUsed >= crystals.Length - 3, $"{merged.LatticesUsed} of {crystals.Length} crystals merged");
            Assert.True(merged.Count > 1000);
            var all = (MergedReflectionTable)_e.InvokeOk("Import-ReflectionTable $args[0] | Merge-ReflectionTable -SpaceGroup C2221 -DeltaCCHalfCutoff 0", stream).Single().BaseObject;
            Assert.Equal(crystals.Length, all.LatticesUsed);
        }
    }
}
