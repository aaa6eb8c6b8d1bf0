using System.IO;
using System.Linq;
using XtalPS.Lattices;
using XtalPS.Metrology;
using Xunit;

namespace XtalPS.Module.Tests
{
    /// <summary>The whole metrology workflow a user runs: spots → lattices on the nominal CSPAD geometry →
    /// Update-DetectorMetrology → index held-out stills with the refined detector.</summary>
    [Collection(EngineCollection.Name)]
    public class MetrologyPipelineTests
    {
        private readonly EngineFixture _e;
        public MetrologyPipelineTests(EngineFixture e) { _e = e; }

        [Fact]
        public void Refined_geometry_indexes_held_out_stills_with_lower_RMSD()
        {
            var folder = _e.Shared("sim/cspad");
            var result = _e.InvokeOk(@"
                $folder = $args[0]
                $cell = 79.1, 79.1, 37.9, 90, 90, 90
                $train = 0..5 | ForEach-Object { Join-Path $folder ('cspad_{0:D5}.cbf' -f $_) }
                $test = 6, 7 | ForEach-Object { Join-Path $folder ('cspad_{0:D5}.cbf' -f $_) }
                $metrology = $train | Import-DiffractionImage | Find-BraggSpot | Get-Lattice -UnitCell $cell -SpaceGroup P43212 | Update-DetectorMetrology
                $metrology
                $test | Import-DiffractionImage | Find-BraggSpot | Get-Lattice -UnitCell $cell -SpaceGroup P43212
                $test | Import-DiffractionImage -Detector $metrology.Detector | Find-BraggSpot | Get-Lattice -UnitCell $cell -SpaceGroup P43212", folder);
            var metrology = (MetrologyResult)result[0].BaseObject;
            Assert.True(metrology.RmsdXAfter < 0.5 * metrology.RmsdXBefore, $"{metrology.RmsdXBefore} → {metrology.RmsdXAfter}");
            var nominal = result.Skip(1).Take(2).Select(o => (CrystalLattice)o.BaseObject).ToArray();
            var refined = result.Skip(3).Take(2).Select(o => (CrystalLattice)o.BaseObject).ToArray();
            for (int i = 0; i < 2; i++)
            {
                Assert.True(refined[i].Rmsd < 0.6 * nominal[i].Rmsd, $"still {6 + i}: nominal {nominal[i].Rmsd:0.###} px, refined {refined[i].Rmsd:0.###} px");
                Assert.True(refined[i].IndexedCount >= 0.95 * nominal[i].IndexedCount);
            }
        }
    }
}
