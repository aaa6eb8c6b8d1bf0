using System;
using System.IO;
using System.Linq;
using XtalPS.Formats;
using XtalPS.Merging;
using Xunit;

namespace XtalPS.Module.Tests
{
    /// <summary>Merge-ReflectionTable through the engine: the default pipeline on the four simulated lysozyme stills, the
    /// merged MTZ it exports, the same result at any thread count, and bad input.</summary>
    [Collection(EngineCollection.Name)]
    public class MergeCmdletTests
    {
        private readonly EngineFixture _e;
        public MergeCmdletTests(EngineFixture e) { _e = e; }

        private string Single1024 => Path.Combine(_e.SharedData, "sim", "single1024");

        private const string Tables = @"
            $tables = Import-DiffractionImage -Path (Join-Path $args[0] '*.cbf') | Find-BraggSpot |
                Get-Lattice -UnitCell 79.1, 79.1, 37.9, 90, 90, 90 -SpaceGroup P43212 | Invoke-PeakIntegration";

        [Fact]
        public void Four_integrated_stills_merge_and_export_a_merged_mtz()
        {
            string target = Path.Combine(Path.GetTempPath(), $"xtalps-merge-{Guid.NewGuid():N}.mtz");
            try
            {
                var result = _e.InvokeOk(Tables + @"
                    $m = $tables | Merge-ReflectionTable -SpaceGroup P43212 -ThrottleLimit 1
                    $two = $tables | Merge-ReflectionTable -SpaceGroup P43212 -ThrottleLimit 2
                    $m | Export-ReflectionTable $args[1]
                    $m | Export-ReflectionTable $args[1] -WhatIf -Force
                    $m
                    $two", Single1024, target);
                Assert.Equal(2, result.Count);
                var m = (MergedReflectionTable)result[0].BaseObject;
                var two = (MergedReflectionTable)result[1].BaseObject;
                Assert.Equal(4, m.LatticesUsed);
                Assert.True(m.Count > 500, $"{m.Count} unique");
                Assert.Equal("P 43 21 2", m.SpaceGroup.Symbol);
                Assert.Equal(m.Data.Intensity, two.Data.Intensity);
                Assert.Equal(m.Data.Sigma, two.Data.Sigma);
                Assert.All(m.Lattices, l => Assert.False(l.Rejected));
                Assert.True(m.Statistics.Shells.Count == 10);
                var f = MtzReader.Read(target);
                Assert.True(f.IsMerged);
                Assert.Equal(m.Count, f.ReflectionCount);
                Assert.Contains(f.History, h => h.Contains("Merge-ReflectionTable"));
                string text = _e.Render(Tables.Replace("$args[0]", $"'{Single1024}'") + "; $tables | Merge-ReflectionTable -SpaceGroup P43212");
                Assert.Contains("CC½", text);
                Assert.Contains("P43212", text);
            }
            finally { File.Delete(target); }
        }

        [Fact]
        public void SplitBy_merges_groups_after_one_scaling()
        {
            var result = _e.InvokeOk(Tables + @"
                $tables | Merge-ReflectionTable -SpaceGroup P43212 -SplitBy { if ($_.ImageName -match '0000[01]') { 'A' } else { 'B' } }", Single1024);
            Assert.Equal(2, result.Count);
            var a = (MergedReflectionTable)result[0].BaseObject;
            var b = (MergedReflectionTable)result[1].BaseObject;
            Assert.Equal("A", a.Name); Assert.Equal("B", b.Name);
            Assert.Equal(2, a.LatticesUsed); Assert.Equal(2, b.LatticesUsed);
        }

        [Fact]
        public void Bad_input_gives_named_errors_not_traces()
        {
            // A table whose cell does not fit the space group is refused by name; the others merge.
            var mixed = _e.Invoke(Tables + @"
                $lat = [XtalPS.Lattices.CrystalLattice]::FromOrientation([XtalPS.Geometry.Mat3]::Identity, [XtalPS.Lattices.UnitCell]::new(50, 60, 70, 90, 90, 90), 'P 1')
                $bad = [XtalPS.Integration.ReflectionTable]::new($null, $lat, $null, $tables[0].Reflections, 'Test', 'fake.cbf')
                @($tables) + @($bad) | Merge-ReflectionTable -SpaceGroup P43212", out var errors, Single1024);
            var merged = (MergedReflectionTable)Assert.Single(mixed).BaseObject;
            Assert.Equal(4, merged.LatticesUsed);
            var refused = Assert.Single(errors, e => e.FullyQualifiedErrorId.StartsWith("IncompatibleSpaceGroup", StringComparison.Ordinal));
            Assert.Contains("fake.cbf", refused.ToString());
            // Nothing to merge.
            var none = _e.Invoke("@() | Merge-ReflectionTable -SpaceGroup P43212; 'next'", out var errs2);
            Assert.Equal("next", Assert.Single(none).BaseObject);
            Assert.Contains(errs2, e => e.FullyQualifiedErrorId.StartsWith("NoReflectionTables", StringComparison.Ordinal));
            // An unknown space group stops with its id.
            var stop = _e.InvokeOk(Tables + @"
                try { $tables | Merge-ReflectionTable -SpaceGroup Q99 } catch { $_.FullyQualifiedErrorId }", Single1024);
            Assert.StartsWith("InvalidCrystalSymmetry", (string)stop.Last().BaseObject);
            // Merged data go to .mtz only.
            var csv = _e.Invoke(Tables + @"
                $tables | Merge-ReflectionTable -SpaceGroup P43212 | Export-ReflectionTable (Join-Path ([IO.Path]::GetTempPath()) 'merged-xtalps.csv')", out var errs3, Single1024);
            Assert.Contains(errs3, e => e.FullyQualifiedErrorId.StartsWith("MergedNeedsMtz", StringComparison.Ordinal));
        }
    }
}
