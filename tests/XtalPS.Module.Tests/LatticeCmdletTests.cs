using System.Linq;
using System.Management.Automation;
using XtalPS.Lattices;
using Xunit;

namespace XtalPS.Module.Tests
{
    [Collection(EngineCollection.Name)]
    public class LatticeCmdletTests
    {
        private readonly EngineFixture _e;
        public LatticeCmdletTests(EngineFixture e) { _e = e; }

        [Fact]
        public void Planar_lattices_stream_from_spots_or_straight_from_images()
        {
            var fromSpots = _e.InvokeOk("New-SimulatedImage -Width 512 -Height 512 -Origin 250.3,262.1 -A 22.5,2 -B -3,24 -Count 2 | Find-BraggSpot | Get-Lattice -Planar")
                .Select(o => (PlanarLattice)o.BaseObject).ToArray();
            Assert.Equal(2, fromSpots.Length);
            Assert.All(fromSpots, l => Assert.True((l.Origin - new Geometry.Vec2(250.3, 262.1)).Length < 0.1));
            Assert.Equal("Simulated#1", fromSpots[1].ImageName);
            var fromImages = _e.InvokeOk("New-SimulatedImage -Width 512 -Height 512 -Origin 250.3,262.1 -A 22.5,2 -B -3,24 -Count 2 | Get-Lattice -Planar -ThrottleLimit 2")
                .Select(o => (PlanarLattice)o.BaseObject).ToArray();
            Assert.Equal(fromSpots.Select(l => (l.Origin, l.A, l.B)), fromImages.Select(l => (l.Origin, l.A, l.B)));
        }

        [Fact]
        public void No_lattice_is_a_non_terminating_error_with_a_reason()
        {
            var result = _e.Invoke("New-SimulatedImage -Width 256 -Height 256 -Intensity 0 | Find-BraggSpot | Get-Lattice -Planar; 'next'", out var errors);
            Assert.Equal("next", Assert.Single(result).BaseObject);
            var e = Assert.Single(errors);
            Assert.Equal("TooFewSpots,XtalPS.Commands.GetLatticeCommand", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidResult, e.CategoryInfo.Category);
        }

        [Fact]
        public void A_hand_seed_needs_both_vectors()
        {
            _e.Invoke("New-SimulatedImage | Get-Lattice -Planar -A 20,0", out var errors);
            Assert.Equal("IncompleteLatticeSeed,XtalPS.Commands.GetLatticeCommand", Assert.Single(errors).FullyQualifiedErrorId);
        }

        [Fact]
        public void Planar_lattice_table_view()
        {
            var text = _e.Render("New-SimulatedImage -Width 512 -Height 512 -Origin 250.3,262.1 -A 22.5,2 -B -3,24 | Get-Lattice -Planar");
            Assert.Matches(@"Simulated#0\s+\(250\.\d+, 262\.\d+\)\s+\(", text);
            Assert.Contains("Rmsd", text);
        }
    }
}
