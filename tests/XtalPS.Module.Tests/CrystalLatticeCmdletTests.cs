using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.Json;
using XtalPS.Geometry;
using XtalPS.Lattices;
using Xunit;

namespace XtalPS.Module.Tests
{
    /// <summary>Get-Lattice on crystal stills through the engine, checked against the simulations' truth.</summary>
    [Collection(EngineCollection.Name)]
    public class CrystalLatticeCmdletTests
    {
        private const string Lysozyme = "-UnitCell 79.1, 79.1, 37.9, 90, 90, 90 -SpaceGroup P43212";
        private readonly EngineFixture _e;
        public CrystalLatticeCmdletTests(EngineFixture e) { _e = e; }

        private string Single1024 => Path.Combine(_e.SharedData, "sim", "single1024");

        /// <summary>The true A = U·B of a simulated still (crystal.A in its JSON, row by row).</summary>
        private static Mat3 TruthA(string json)
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            return Mat3.FromArray(doc.RootElement.GetProperty("crystal").GetProperty("A").EnumerateArray().Select(v => v.GetDouble()).ToArray());
        }

        [Fact]
        public void Simulated_stills_index_to_the_true_orientation()
        {
            var lattices = _e.InvokeOk($"Import-DiffractionImage -Path (Join-Path $args[0] '*.cbf') | Find-BraggSpot | Get-Lattice {Lysozyme}", Single1024)
                .Select(o => (CrystalLattice)o.BaseObject).ToArray();
            Assert.Equal(4, lattices.Length);
            var group = SpaceGroup.Parse("P43212");
            var mis = lattices.Select(l =>
            {
                Assert.Equal("P 43 21 2", l.SpaceGroup);
                Assert.True(Math.Abs(l.UnitCell.A / 79.1 - 1) < 0.003 && Math.Abs(l.UnitCell.C / 37.9 - 1) < 0.003, l.UnitCell.ToString());
                Assert.True(l.Rmsd < 0.5, $"{l.ImageName}: RMSD {l.Rmsd}");
                Assert.True(l.IndexedCount > 150);
                string json = Path.Combine(Single1024, Path.GetFileNameWithoutExtension(l.ImageName) + ".json");
                return CrystalOrientation.MisorientationDegrees(l.AMatrix, TruthA(json), group);
            }).OrderBy(m => m).ToArray();
            double median = 0.5 * (mis[1] + mis[2]);
            Assert.True(median <= 0.05, $"median misorientation {median}° ({string.Join(", ", mis)})");
            Assert.True(mis.Max() <= 0.1, string.Join(", ", mis));
            Assert.Equal(new[] { "still_00000.cbf", "still_00001.cbf", "still_00002.cbf", "still_00003.cbf" }, lattices.Select(l => l.ImageName));
        }

        [Fact]
        public void A_bad_space_group_stops_the_command_with_InvalidCrystalSymmetry()
        {
            var result = _e.InvokeOk($@"
                try {{ Import-DiffractionImage -Path (Join-Path $args[0] 'still_00000.cbf') | Find-BraggSpot |
                       Get-Lattice -UnitCell 79.1, 79.1, 37.9, 90, 90, 90 -SpaceGroup P4322x; 'not stopped' }}
                catch {{ $_.FullyQualifiedErrorId; $_.CategoryInfo.Category.ToString() }}", Single1024);
            Assert.Equal(new object[] { "InvalidCrystalSymmetry,XtalPS.Commands.GetLatticeCommand", "InvalidArgument" }, result.Select(o => o.BaseObject).ToArray());
            var cell = _e.InvokeOk(@"
                try { Import-DiffractionImage -Path (Join-Path $args[0] 'still_00000.cbf') | Find-BraggSpot |
                      Get-Lattice -UnitCell 79.1, 79.1, -37.9, 90, 90, 90; 'not stopped' }
                catch { $_.FullyQualifiedErrorId }", Single1024);
            Assert.Equal("InvalidCrystalSymmetry,XtalPS.Commands.GetLatticeCommand", Assert.Single(cell).BaseObject);
        }

        [Fact]
        public void A_still_with_too_few_spots_is_a_non_terminating_error_and_the_pipeline_goes_on()
        {
            var result = _e.Invoke($@"
                $few = Import-DiffractionImage -Path (Join-Path $args[0] 'still_00000.cbf') | Find-BraggSpot -DMin 15
                $many = Import-DiffractionImage -Path (Join-Path $args[0] 'still_00001.cbf') | Find-BraggSpot
                $few, $many | Get-Lattice {Lysozyme}
                'next'", out var errors, Single1024);
            var e = Assert.Single(errors);
            Assert.Equal("TooFewSpots,XtalPS.Commands.GetLatticeCommand", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidResult, e.CategoryInfo.Category);
            Assert.Contains("still_00000.cbf", e.Exception.Message);
            Assert.Equal(2, result.Count);
            Assert.Equal("still_00001.cbf", ((CrystalLattice)result[0].BaseObject).ImageName);
            Assert.Equal("next", result[1].BaseObject);
        }

        [Fact]
        public void A_wrong_cell_is_a_non_terminating_error_with_the_failure_as_its_id()
        {
            _e.Invoke("Import-DiffractionImage -Path (Join-Path $args[0] 'still_00001.cbf') | Find-BraggSpot | Get-Lattice -UnitCell 61, 61, 97, 90, 90, 90 -SpaceGroup P43212",
                out var errors, Single1024);
            var id = Assert.Single(errors).FullyQualifiedErrorId;
            Assert.True(id == "NoCandidateUnderRmsd,XtalPS.Commands.GetLatticeCommand" || id == "CellMismatch,XtalPS.Commands.GetLatticeCommand", id);
        }

        [Fact]
        public void Crystal_lattice_table_view()
        {
            var text = _e.Render($"Import-DiffractionImage -Path (Join-Path '{Single1024}' 'still_00002.cbf') | Find-BraggSpot | Get-Lattice {Lysozyme}");
            Assert.Matches(@"Image\s+SpaceGroup\s+UnitCell\s+Indexed\s+Rmsd", text);
            Assert.Matches(@"still_00002\.cbf\s+P 43 21 2\s+79\.\d+ 79\.\d+ 37\.\d+ 90 90 90\s+\d{3}\s+0\.\d+", text);
        }

        [Fact]
        public void A_simulated_still_in_a_random_orientation_is_indexed_to_that_orientation()
        {
            var result = _e.InvokeOk($@"
                $image = New-SimulatedImage {Lysozyme} -RandomOrientation -Seed 11
                $lattice = $image | Find-BraggSpot | Get-Lattice {Lysozyme}
                $lattice
                $image.Truth.ToLattice()");
            Assert.Equal(2, result.Count);
            var found = (CrystalLattice)result[0].BaseObject;
            var truth = (CrystalLattice)result[1].BaseObject;
            double mis = found.MisorientationTo(truth);
            Assert.True(mis < 0.05, $"{mis}°");
            Assert.True(found.IndexedCount > 100 && found.Rmsd < 0.5, found.ToString());
            // A setting from another seed is a different orientation: the comparison can fail.
            var other = (CrystalLattice)_e.InvokeOk($"(New-SimulatedImage {Lysozyme} -RandomOrientation -Seed 12 -NoNoise).Truth.ToLattice()").Single().BaseObject;
            Assert.True(found.MisorientationTo(other) > 1);
        }
    }
}
