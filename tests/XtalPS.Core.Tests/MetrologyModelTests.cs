using System;
using System.Collections.Generic;
using System.Linq;
using XtalPS.Geometry;
using XtalPS.Lattices;
using XtalPS.Metrology;
using Xunit;
using Xunit.Abstractions;

namespace XtalPS.Core.Tests
{
    /// <summary>The stills observation model of metrology: predictions against the simulator's truth, derivatives against finite differences.</summary>
    public class MetrologyModelTests
    {
        private readonly ITestOutputHelper _out;
        public MetrologyModelTests(ITestOutputHelper output) { _out = output; }

        [Fact]
        public void Stills_prediction_reproduces_the_simulators_positions_and_delta_psi_on_the_true_geometry()
        {
            var detector = MetrologyTestData.SimTrueDetector();
            double worst = 0, worstPsi = 0;
            int n = 0;
            for (int img = 0; img < 8; img++)
            {
                var s = MetrologyTestData.Sim(img);
                var exp = MetrologyTestData.SimExperiment(s, (t, i) => (t.X[i], t.Y[i]));
                var result = PredictOnly(detector, exp);
                for (int i = 0; i < s.H.Length; i++)
                {
                    worst = Math.Max(worst, Math.Max(Math.Abs(result.x[i] - s.X[i]), Math.Abs(result.y[i] - s.Y[i])));
                    worstPsi = Math.Max(worstPsi, Math.Abs(result.psi[i] - s.DeltaPsi[i]));
                    n++;
                }
            }
            // (the truth file rounds positions to 1e-4 px and Δψ to 1e-8 rad)
            _out.WriteLine($"{n} reflections: largest position difference {worst:g3} px, largest Δψ difference {worstPsi:g3} rad");
            Assert.True(n > 2000);
            Assert.True(worst < 1e-4, $"positions differ by up to {worst} px");
            Assert.True(worstPsi < 1e-8, $"Δψ differs by up to {worstPsi} rad");
        }

        private static (double[] x, double[] y, double[] psi) PredictOnly(DetectorModel detector, StillExperiment exp)
        {
            var c = new CrystalState(exp);
            var p = new StillsRefinementProblem(detector, PanelGroupUnit.AtLevel(detector, 0), new[] { c }, 1e-3, 1);
            int n = exp.Reflections.Count;
            var x = new double[n]; var y = new double[n]; var psi = new double[n]; var ok = new bool[n];
            p.PredictAll(c, x, y, psi, ok);
            Assert.All(ok, Assert.True);
            return (x, y, psi);
        }

        [Theory]
        [InlineData(0, LatticeSystem.Tetragonal)]
        [InlineData(2, LatticeSystem.Tetragonal)]
        [InlineData(3, LatticeSystem.Hexagonal)]
        [InlineData(3, LatticeSystem.Monoclinic)]
        [InlineData(3, LatticeSystem.Triclinic)]
        public void Analytic_derivatives_match_central_differences_for_every_detector_and_crystal_parameter(int level, LatticeSystem system)
        {
            var detector = MetrologyTestData.SimTrueDetector();
            var s = MetrologyTestData.Sim(1);
            var cell = system switch
            {
                LatticeSystem.Hexagonal => new UnitCell(93.2, 93.2, 130.6, 90, 90, 120),
                LatticeSystem.Monoclinic => new UnitCell(79.1, 81.3, 37.9, 90, 97.5, 90),
                LatticeSystem.Triclinic => new UnitCell(79.1, 81.3, 37.9, 88, 97.5, 91),
                _ => s.Cell,
            };
            var exp = new StillExperiment("t", s.Beam, s.U, cell, system,
                Enumerable.Range(0, s.H.Length).Select(i => new ObservedReflection(s.H[i], s.K[i], s.L[i], s.Panel[i], s.X[i], s.Y[i])));
            var c = new CrystalState(exp);
            var units = PanelGroupUnit.AtLevel(detector, level);
            var p = new StillsRefinementProblem(detector, units, new[] { c }, 1e-3, 1);
            // Tilt the units a little so that no derivative is zero by symmetry.
            var tilt = new double[units.Count * 6];
            for (int u = 0; u < units.Count; u++) { tilt[u * 6 + 3] = 2; tilt[u * 6 + 4] = 3; tilt[u * 6 + 5] = -2; tilt[u * 6] = 0.3; }
            p.Accept(tilt, new[] { new double[c.ParameterCount] });

            int nc = c.ParameterCount, n = s.H.Length;
            var step = new[] { 1e-4, 1e-4, 1e-4, 1e-3, 1e-3, 1e-3 }; // mm, mrad
            double worst = 0;
            int checkedCount = 0;
            var rnd = new Random(5);
            foreach (int i in Enumerable.Range(0, n).OrderBy(_ => rnd.Next()).Take(25))
            {
                var jx = new double[nc]; var jy = new double[nc]; var jp = new double[nc];
                var dx = new double[6]; var dy = new double[6];
                if (!p.ReflectionJacobian(0, i, jx, jy, jp, dx, dy)) continue;
                int unit = p.UnitOfPanel(s.Panel[i]);
                for (int q = 0; q < 6; q++)
                {
                    var plus = new double[units.Count * 6]; var minus = new double[units.Count * 6];
                    plus[unit * 6 + q] = step[q]; minus[unit * 6 + q] = -step[q];
                    var (xp, yp, _) = Predict(p, plus, new double[nc], n);
                    var (xm, ym, _) = Predict(p, minus, new double[nc], n);
                    worst = Math.Max(worst, Check(dx[q], (xp[i] - xm[i]) / (2 * step[q]), $"x/detector {q}"));
                    worst = Math.Max(worst, Check(dy[q], (yp[i] - ym[i]) / (2 * step[q]), $"y/detector {q}"));
                    checkedCount += 2;
                }
                for (int k = 0; k < nc; k++)
                {
                    double h = k < 3 ? 1e-3 : 1e-4;
                    var plus = new double[nc]; var minus = new double[nc];
                    plus[k] = h; minus[k] = -h;
                    var (xp, yp, pp) = Predict(p, new double[units.Count * 6], plus, n);
                    var (xm, ym, pm) = Predict(p, new double[units.Count * 6], minus, n);
                    worst = Math.Max(worst, Check(jx[k], (xp[i] - xm[i]) / (2 * h), $"x/crystal {k}"));
                    worst = Math.Max(worst, Check(jy[k], (yp[i] - ym[i]) / (2 * h), $"y/crystal {k}"));
                    worst = Math.Max(worst, Check(jp[k], (pp[i] - pm[i]) / (2 * h), $"Δψ/crystal {k}"));
                    checkedCount += 3;
                }
            }
            _out.WriteLine($"level {level}, {system}: {checkedCount} derivatives, worst relative difference {worst:g3}");
            Assert.True(checkedCount > 100);
        }

        private static (double[] x, double[] y, double[] psi) Predict(StillsRefinementProblem p, double[] shared, double[] block, int n)
        {
            var x = new double[n]; var y = new double[n]; var psi = new double[n]; var ok = new bool[n];
            p.PredictWithStep(0, shared, block, x, y, psi, ok);
            return (x, y, psi);
        }

        private static double Check(double analytic, double numeric, string what)
        {
            double scale = Math.Max(Math.Abs(numeric), 1e-3 * Math.Max(1, Math.Abs(numeric)));
            double rel = Math.Abs(analytic - numeric) / Math.Max(scale, 1e-6);
            Assert.True(rel < 1e-4 || Math.Abs(analytic - numeric) < 1e-8, $"{what}: analytic {analytic:g10}, numeric {numeric:g10}");
            return rel;
        }

        [Fact]
        public void Cell_derivatives_of_B_match_central_differences_and_B_matches_UnitCell()
        {
            double[] c = { 61.4, 72.0, 88.7, 82.0, 97.0, 113.0 };
            var b = CellParameterisation.BWithDerivatives(c[0], c[1], c[2], c[3], c[4], c[5], out var dB);
            var reference = new UnitCell(c[0], c[1], c[2], c[3], c[4], c[5]).BMatrix.ToArray();
            var ba = b.ToArray();
            for (int k = 0; k < 9; k++) Assert.Equal(reference[k], ba[k], 12);
            for (int i = 0; i < 6; i++)
            {
                double h = i < 3 ? 1e-4 : 1e-4;
                var plus = (double[])c.Clone(); plus[i] += h;
                var minus = (double[])c.Clone(); minus[i] -= h;
                var bp = new UnitCell(plus[0], plus[1], plus[2], plus[3], plus[4], plus[5]).BMatrix.ToArray();
                var bm = new UnitCell(minus[0], minus[1], minus[2], minus[3], minus[4], minus[5]).BMatrix.ToArray();
                var d = dB[i].ToArray();
                for (int k = 0; k < 9; k++)
                {
                    double numeric = (bp[k] - bm[k]) / (2 * h);
                    Assert.True(Math.Abs(numeric - d[k]) < 1e-9 + 1e-5 * Math.Abs(numeric), $"dB/d{i}[{k}]: analytic {d[k]:g8}, numeric {numeric:g8}");
                }
            }
        }

        [Theory]
        [InlineData("P 61 2 2", 93.2, 93.2, 130.6, 90, 90, 120, LatticeSystem.Hexagonal)]
        [InlineData(" P 61 2 (x,y,z+5/12)", 93.2, 93.2, 130.6, 90, 90, 120, LatticeSystem.Hexagonal)]
        [InlineData("P43212", 79.1, 79.1, 37.9, 90, 90, 90, LatticeSystem.Tetragonal)]
        [InlineData(" P 4nw 2abw", 79.1, 79.1, 37.9, 90, 90, 90, LatticeSystem.Tetragonal)]
        [InlineData("P 21 21 21", 50, 60, 70, 90, 90, 90, LatticeSystem.Orthorhombic)]
        [InlineData("C 1 2 1", 50, 60, 70, 90, 105, 90, LatticeSystem.Monoclinic)]
        [InlineData("P 21", 50, 60, 70, 90, 105, 90, LatticeSystem.Monoclinic)]
        [InlineData("P 1", 50, 60, 70, 80, 105, 95, LatticeSystem.Triclinic)]
        [InlineData("F m -3 m", 50, 50, 50, 90, 90, 90, LatticeSystem.Cubic)]
        [InlineData("R 3", 50, 50, 70, 90, 90, 120, LatticeSystem.Hexagonal)]
        [InlineData("P 61 2 2", 50, 60, 70, 90, 90, 90, LatticeSystem.Orthorhombic)] // a cell in another setting: what the metric allows
        [InlineData("", 50, 50, 70, 90, 90, 90, LatticeSystem.Tetragonal)]
        public void Lattice_system_comes_from_the_symbol_checked_against_the_cell(string symbol, double a, double b, double c, double al, double be, double ga, LatticeSystem expected)
        {
            Assert.Equal(expected, LatticeSystems.FromSpaceGroup(symbol, new UnitCell(a, b, c, al, be, ga)));
        }

        [Fact]
        public void Tukey_fences_reject_per_panel_and_keep_values_within_three_sigma()
        {
            var panel = new List<int>();
            var r = new List<double>();
            var rnd = new Random(1);
            for (int p = 0; p < 2; p++)
                for (int i = 0; i < 100; i++) { panel.Add(p); r.Add(p * 5 + (rnd.NextDouble() - 0.5)); }
            panel.Add(0); r.Add(4.0);  // far off for panel 0, normal for panel 1
            panel.Add(1); r.Add(5.1);
            var outlier = OutlierRejection.TukeyPerPanel(panel, new[] { r.ToArray() }, null);
            Assert.True(outlier[200]);
            Assert.False(outlier[201]);
            Assert.Equal(1, outlier.Count(o => o));
            // With a 2-px sigma the same value is not rejected.
            var sig = r.Select(_ => 2.0).ToArray();
            Assert.False(OutlierRejection.TukeyPerPanel(panel, new[] { r.ToArray() }, new[] { sig })[200]);
            Assert.Equal(new[] { false, false, false, false, true }, OutlierRejection.OutlierImages(new[] { 0.1, 0.11, 0.12, 0.1, 0.5 }));
        }
    }
}
