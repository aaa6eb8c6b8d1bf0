using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.Json;
using XtalPS.Geometry;
using XtalPS.Imaging;
using XtalPS.Lattices;
using XtalPS.Metrology;
using XtalPS.Spots;
using Xunit;
using Xunit.Abstractions;

namespace XtalPS.Module.Tests
{
    /// <summary>
    /// Update-DetectorMetrology through the engine: lattices built from the simulated CSPAD truth on images imported from
    /// the CBFs. IDEALISED: the indexed spots sit at the simulator's noise-free predicted positions, so these tests check
    /// the cmdlet's plumbing; MetrologyPipelineTests measures what a user gets from our spot finder and indexer.
    /// </summary>
    [Collection(EngineCollection.Name)]
    public class MetrologyCmdletTests
    {
        private readonly EngineFixture _e;
        private readonly ITestOutputHelper _out;
        public MetrologyCmdletTests(EngineFixture e, ITestOutputHelper output) { _e = e; _out = output; }

        private static double[] D(JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();

        /// <summary>A lattice per simulated still: truth crystal, image from Import-DiffractionImage, indexed spots at the true positions.</summary>
        private CrystalLattice[] Lattices(int count = 8)
        {
            var paths = Enumerable.Range(0, count).Select(i => _e.Shared($"sim/cspad/cspad_{i:D5}.cbf")).ToArray();
            var images = _e.InvokeOk("Import-DiffractionImage -LiteralPath $args[0]", (object)paths).Select(o => (DiffractionImage)o.BaseObject).ToArray();
            Assert.Equal(count, images.Length);
            var lattices = new CrystalLattice[count];
            for (int i = 0; i < count; i++)
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(_e.Shared($"sim/cspad/cspad_{i:D5}.json")));
                var cr = doc.RootElement.GetProperty("crystal");
                var u = Mat3.FromArray(D(cr.GetProperty("U")));
                var cell = UnitCell.FromArray(D(cr.GetProperty("unit_cell")));
                var r = doc.RootElement.GetProperty("reflections");
                var h = D(r.GetProperty("h")); var k = D(r.GetProperty("k")); var l = D(r.GetProperty("l"));
                var panel = D(r.GetProperty("panel")); var x = D(r.GetProperty("x_px")); var y = D(r.GetProperty("y_px"));
                var spots = new List<IndexedSpot>();
                for (int j = 0; j < h.Length; j++)
                {
                    var spot = new BraggSpot((int)panel[j], x[j], y[j], 0.01, 0.01, 100, 10, 5, (int)x[j], (int)x[j], (int)y[j], (int)y[j], 50);
                    spots.Add(new IndexedSpot(spot, (int)h[j], (int)k[j], (int)l[j], double.NaN, double.NaN, double.NaN));
                }
                var a = CrystalLattice.FromOrientation(u, cell, "P 43 21 2").AMatrix;
                lattices[i] = new CrystalLattice(a, "P 43 21 2", images[i], null, spots);
            }
            return lattices;
        }

        /// <summary>RMS panel-centre difference (px) after the best rotation and shift about the beam.</summary>
        private static double CentreRms(DetectorModel a, DetectorModel b)
        {
            var pa = a.Panels.Select(p => p.Centre).ToArray(); var pb = b.Panels.Select(p => p.Centre).ToArray();
            double cax = pa.Average(p => p.X), cay = pa.Average(p => p.Y), cbx = pb.Average(p => p.X), cby = pb.Average(p => p.Y);
            double sxx = 0, sxy = 0;
            for (int i = 0; i < pa.Length; i++)
            {
                double ax = pa[i].X - cax, ay = pa[i].Y - cay, bx = pb[i].X - cbx, by = pb[i].Y - cby;
                sxx += ax * bx + ay * by; sxy += ax * by - ay * bx;
            }
            double t = Math.Atan2(sxy, sxx), c = Math.Cos(t), s = Math.Sin(t), sum = 0;
            for (int i = 0; i < pa.Length; i++)
            {
                double ax = pa[i].X - cax, ay = pa[i].Y - cay;
                double dx = c * ax - s * ay + cbx - pb[i].X, dy = s * ax + c * ay + cby - pb[i].Y;
                sum += dx * dx + dy * dy;
            }
            return Math.Sqrt(sum / pa.Length) / a.Panels[0].PixelSize;
        }

        [Fact]
        public void Lattices_on_the_nominal_CBF_geometry_refine_towards_the_true_detector()
        {
            var lattices = Lattices();
            var truth = (DetectorModel)_e.InvokeOk("Import-DetectorModel -Path $args[0]", _e.Shared("sim/cspad/cspad_true_detector.json")).Single().BaseObject;
            var output = _e.Invoke("$args[0] | Update-DetectorMetrology -Verbose -PassThru 4>&1", out var errors, (object)lattices);
            Assert.Empty(errors);
            var verbose = output.Where(o => o.BaseObject is VerboseRecord).Select(o => o.BaseObject.ToString() ?? "").ToArray();
            var result = output.Select(o => o.BaseObject).OfType<MetrologyResult>().Single();
            var passed = output.Select(o => o.BaseObject).OfType<CrystalLattice>().ToArray();
            double before = CentreRms(lattices[0].Image!.Detector, truth), after = CentreRms(result.Detector, truth);
            _out.WriteLine(string.Join(Environment.NewLine, verbose));
            _out.WriteLine($"panel centres {before:0.###} → {after:0.####} px RMS");
            Assert.Equal(new[] { 0, 1, 2, 3 }, result.Levels.Where(l => l.Sweep == 1).Select(l => l.Level));
            Assert.True(before > 1 && after < 0.1, $"{before} → {after} px");
            Assert.All(passed, p => Assert.False(double.IsNaN(p.DeltaPsiRms)));
            Assert.Contains(verbose, v => v.Contains("level 3"));
            Assert.Equal(8, passed.Length);
            Assert.Same(result.Detector, passed[0].Detector);
            Assert.Same(result.Detector, passed[0].Source!.Detector);
            Assert.Null(passed[0].Image); // what leaves metrology holds no pixels
            Assert.True(passed.All(p => p.Rmsd < 0.05), string.Join(", ", passed.Select(p => p.Rmsd)));
            Assert.Equal(lattices[0].IndexedSpots.Count, passed[0].IndexedSpots.Count);
            // The images that came in still carry the nominal geometry.
            Assert.True(CentreRms(lattices[0].Image!.Detector, truth) > 1);

            // The result pipes into Export-DetectorModel (Detector by property name).
            var dir = Directory.CreateTempSubdirectory("xtalps_metrology_").FullName;
            try
            {
                var path = Path.Combine(dir, "refined.expt");
                _e.InvokeOk("$args[0] | Export-DetectorModel -Path $args[1]", result, path);
                var back = (DetectorModel)_e.InvokeOk("Import-DetectorModel -Path $args[0]", path).Single().BaseObject;
                Assert.True(CentreRms(back, result.Detector) < 1e-6);
            }
            finally { Directory.Delete(dir, true); }
        }

        [Fact]
        public void Bad_lattices_are_non_terminating_errors_and_nothing_usable_is_terminating()
        {
            var lattices = Lattices(2);
            var noSpots = new CrystalLattice(lattices[0].AMatrix, "P 43 21 2", lattices[0].Image);
            var noImage = new CrystalLattice(lattices[0].AMatrix, "P 43 21 2", null, null, lattices[0].IndexedSpots);
            var pilatus = _e.InvokeOk("New-SimulatedImage -Width 256 -Height 256").Select(o => (DiffractionImage)o.BaseObject).Single();
            var other = new CrystalLattice(lattices[0].AMatrix, "P 43 21 2", pilatus, null, lattices[0].IndexedSpots);
            var output = _e.Invoke("$args[0] | Update-DetectorMetrology -HierarchyLevel 1", out var errors, (object)new object[] { lattices[0], noSpots, noImage, other, lattices[1] });
            Assert.Equal(new[] { "NoIndexedSpots", "NoImage", "DetectorMismatch" },
                errors.Select(e => e.FullyQualifiedErrorId.Split(',')[0]).ToArray());
            var result = (MetrologyResult)Assert.Single(output).BaseObject;
            Assert.Equal(2, result.Crystals.Count);
            Assert.Equal(new[] { 0, 1 }, result.Levels.Where(l => l.Sweep == 1).Select(l => l.Level));

            _e.Invoke("$args[0] | Update-DetectorMetrology", out errors, (object)new object[] { noSpots, noImage });
            Assert.Equal("TooFewReflections,XtalPS.Commands.UpdateDetectorMetrologyCommand", errors.Last().FullyQualifiedErrorId);
            _e.Invoke("$args[0] | Update-DetectorMetrology -HierarchyLevel 9", out errors, (object)lattices);
            Assert.Equal("HierarchyLevelOutOfRange,XtalPS.Commands.UpdateDetectorMetrologyCommand", Assert.Single(errors).FullyQualifiedErrorId);
        }

        [Fact]
        public void Fix_takes_names_and_the_result_has_table_views()
        {
            var lattices = Lattices(8);
            var result = (MetrologyResult)_e.InvokeOk("$args[0] | Update-DetectorMetrology -HierarchyLevel 1 -Fix Distance, Tilt", (object)lattices).Single().BaseObject;
            Assert.All(result.Levels.SelectMany(l => l.Groups), g => Assert.True(g.FixedParameters.HasFlag(PanelGroupParameter.Dist | PanelGroupParameter.Tau2 | PanelGroupParameter.Tau3)));
            _e.InvokeOk("$global:metrologyResult = $args[0]", result);
            var text = _e.Render("$global:metrologyResult | Out-String") + _e.Render("$global:metrologyResult.Levels | Out-String")
                + _e.Render("$global:metrologyResult.Levels[1].Groups | Out-String") + _e.Render("$global:metrologyResult.Panels | Select-Object -First 3 | Out-String");
            _out.WriteLine(text);
            Assert.Contains("DPsi (deg)", text);
            Assert.Contains("AutoFixed", text);
            Assert.Matches(@"Name\s+Refl\s+Dist\s+Shift1\s+Shift2\s+Tau1\s+Tau2\s+Tau3", text);
            Assert.Matches(@"Panel\s+Name\s+dFast px\s+dSlow px\s+Esd px\s+Rot deg\s+Esd deg\s+Refl\s+RMSD px", text);
            Assert.DoesNotContain("…", text.Split('\n').First(l => l.Contains("dxtbx_detector")));
            Assert.Matches(@"FS_D0Q1|Q1", text);
        }
    }
}
