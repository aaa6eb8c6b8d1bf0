using System;
using System.IO;
using System.Linq;
using XtalPS.Formats;
using XtalPS.Lattices;
using XtalPS.Merging;
using Xunit;
using Xunit.Abstractions;

namespace XtalPS.Core.Tests
{
    /// <summary>Merged lattice lines as a merged MTZ of the 3D crystal: the plane group's space group, c = thickness.</summary>
    public class LatticeLineMtzTests
    {
        private readonly ITestOutputHelper _out;
        public LatticeLineMtzTests(ITestOutputHelper o) { _out = o; }

        [Fact]
        public void Every_plane_group_but_c12_a_has_a_listed_space_group_with_its_intensity_symmetry()
        {
            foreach (var name in PlaneGroup.Names)
            {
                var plane = PlaneGroup.Parse(name);
                if (name == "c12_a") { Assert.Null(plane.SpaceGroupSymbol); Assert.Contains("c12_b", plane.SpaceGroupProblem); continue; }
                var group = SpaceGroup.Parse(plane.SpaceGroupSymbol!);
                // The 3D group's rotations relate (h, k, l) as the plane group relates (h, k, z*): same equivalents.
                for (int h = -3; h <= 3; h++)
                    for (int k = -3; k <= 3; k++)
                        foreach (int l in new[] { -2, 1, 3 })
                        {
                            var threeD = group.Equivalents(h, k, l).Select(e => (e.H, e.K, e.L)).ToHashSet();
                            foreach (var op in plane.Operators)
                            {
                                var (h1, k1, z) = op.Apply(h, k, (double)l);
                                Assert.Contains((h1, k1, (int)z), threeD);
                            }
                        }
                Assert.Equal(plane.Operators.Count, group.PointGroupOrder);
            }
        }

        [GemmiFact]
        public void Gemmi_reads_the_merged_lattice_lines_in_the_space_group_of_the_plane_group()
        {
            var s = LatticeLineRefinementTests.Make("p321", 12, 0, 0);
            var result = LatticeLineMerge.Merge(s.Tilts.Select(t => t.ReflectionTable).ToList(),
                new LatticeLineMergeSettings { Cell = s.Cell, PlaneGroup = "p321", Thickness = 20 });
            var table = LatticeLineMergedTable.Build(result, new[] { "test" }, "lattice_lines", 0.0251);
            string path = Path.Combine(Path.GetTempPath(), $"xtalps-latline-{Guid.NewGuid():N}.mtz");
            try
            {
                MergedMtzWriter.Write(path, table);
                var (code, text) = Gemmi.Run($"mtz --check-asu=ccp4 \"{path}\"");
                _out.WriteLine(text);
                Assert.Equal(0, code);
                Assert.Contains("spacegroup: P 3 2 1", text);
                Assert.Contains($"inside / outside of ASU: {table.Count} / 0", text);
                (code, text) = Gemmi.Run($"mtz \"{path}\"");
                _out.WriteLine(text);
                Assert.Equal(0, code);
                Assert.Contains("Space Group: P 3 2 1", text);
                Assert.Contains("Space Group Number: 150", text);
                Assert.Contains($"Number of Reflections = {table.Count}", text);
                Assert.Matches(@"cell\s+70\s+70\s+20\s+90\s+90\s+120", text);
                foreach (var label in new[] { "IMEAN", "SIGIMEAN", "F ", "SIGF" }) Assert.Contains(label, text);
                // The samples of every lattice line are there, each once.
                Assert.True(table.Count > 100 && table.Count <= result.Reflections.Count, $"{table.Count} of {result.Reflections.Count}");
            }
            finally { File.Delete(path); }
        }
    }
}
