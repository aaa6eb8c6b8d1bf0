using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using XtalPS.Lattices;
using Xunit;

namespace XtalPS.Module.Tests
{
    /// <summary>Unknown-cell indexing and Measure-UnitCell through the engine, against the lysozyme truth of the simulations.</summary>
    [Collection(EngineCollection.Name)]
    public class UnitCellCmdletTests
    {
        private readonly EngineFixture _e;
        public UnitCellCmdletTests(EngineFixture e) { _e = e; }

        private string Single1024 => Path.Combine(_e.SharedData, "sim", "single1024");

        [Fact]
        public void Stills_indexed_without_a_cell_give_the_lysozyme_consensus_cell_and_a_tetragonal_lattice()
        {
            var result = _e.InvokeOk("Import-DiffractionImage -Path (Join-Path $args[0] '*.cbf') | Find-BraggSpot | Get-Lattice | Measure-UnitCell", Single1024);
            var summary = (UnitCellSummary)Assert.Single(result).BaseObject;
            Assert.Equal(4, summary.ClusterSize);
            Assert.Equal(4, summary.CellCount);
            Assert.All(summary.Lattices, l => Assert.Equal("P 1", l.SpaceGroup));
            var c = summary.ConsensusCell;
            Assert.True(Math.Abs(c.A / 37.9 - 1) < 0.01 && Math.Abs(c.B / 79.1 - 1) < 0.01 && Math.Abs(c.C / 79.1 - 1) < 0.01, c.ToString());
            Assert.Equal("tP", summary.BestBravais.Symbol);
            var ideal = summary.BestBravais.IdealCell;
            Assert.True(Math.Abs(ideal.A / 79.1 - 1) < 0.01 && Math.Abs(ideal.C / 37.9 - 1) < 0.01, ideal.ToString());
            // The table view shows the consensus and the candidates.
            string text = _e.Render($"Import-DiffractionImage -LiteralPath '{Path.Combine(Single1024, "still_00000.cbf")}', '{Path.Combine(Single1024, "still_00002.cbf")}' | Find-BraggSpot | Get-Lattice | Measure-UnitCell");
            Assert.Contains("ConsensusCell", text);
            Assert.Contains("tP", text);
        }

        [Fact]
        public void The_best_candidate_indexes_the_stills_again_in_its_conventional_setting()
        {
            var result = _e.InvokeOk(@"
                $spots = Import-DiffractionImage -Path (Join-Path $args[0] '*.cbf') | Find-BraggSpot
                $best = ($spots | Get-Lattice | Measure-UnitCell).BestBravais
                $spots | Get-Lattice -UnitCell $best.IdealCell.ToArray() -SpaceGroup $best.SpaceGroup", Single1024);
            Assert.Equal(4, result.Count);
            Assert.All(result.Select(o => (CrystalLattice)o.BaseObject), l =>
            {
                Assert.Equal("P 4", l.SpaceGroup);
                Assert.True(l.Rmsd < 0.5);
            });
        }

        [Fact]
        public void SpaceGroup_without_UnitCell_stops_with_UnitCellRequired_and_no_input_is_NoLattices()
        {
            var stop = _e.InvokeOk(@"
                try { Import-DiffractionImage -Path (Join-Path $args[0] 'still_00000.cbf') | Find-BraggSpot | Get-Lattice -SpaceGroup P43212; 'not stopped' }
                catch { $_.FullyQualifiedErrorId }", Single1024);
            Assert.Equal("UnitCellRequired,XtalPS.Commands.GetLatticeCommand", Assert.Single(stop).BaseObject);
            var none = _e.Invoke("@() | Measure-UnitCell; 'next'", out var errors);
            Assert.Equal("NoLattices,XtalPS.Commands.MeasureUnitCellCommand", Assert.Single(errors).FullyQualifiedErrorId);
            Assert.Equal("next", Assert.Single(none).BaseObject);
        }
    }
}
