using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using XtalPS.Formats;
using XtalPS.Geometry;
using XtalPS.Lattices;
using XtalPS.Metrology;

namespace XtalPS.Core.Tests
{
    /// <summary>The simulated CSPAD stills (truth crystals and reflections) and the refined real CSPAD experiment list, for metrology tests.</summary>
    public static class MetrologyTestData
    {
        public sealed class SimStill
        {
            public string Name = "";
            public Mat3 U, B, A;
            public Beam Beam = null!;
            public int[] H = Array.Empty<int>(), K = Array.Empty<int>(), L = Array.Empty<int>(), Panel = Array.Empty<int>();
            public double[] X = Array.Empty<double>(), Y = Array.Empty<double>(), XNominal = Array.Empty<double>(), YNominal = Array.Empty<double>();
            public double[] DeltaPsi = Array.Empty<double>(), Signal = Array.Empty<double>(), D = Array.Empty<double>();
            public bool[] OnActive = Array.Empty<bool>();
            public string SpaceGroup = "";
            public UnitCell Cell;
        }

        private static Mat3 M(JsonElement e) => Mat3.FromArray(e.EnumerateArray().Select(v => v.GetDouble()).ToArray());
        private static double[] D(JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();
        private static int[] I(JsonElement e) => e.EnumerateArray().Select(v => v.GetInt32()).ToArray();

        public static SimStill Sim(int index)
        {
            using var doc = SharedData.Json($"sim/cspad/cspad_{index:D5}.json");
            var root = doc.RootElement;
            var cr = root.GetProperty("crystal");
            var r = root.GetProperty("reflections");
            var cell = D(cr.GetProperty("unit_cell"));
            return new SimStill
            {
                Name = root.GetProperty("name").GetString()!,
                U = M(cr.GetProperty("U")), B = M(cr.GetProperty("B")), A = M(cr.GetProperty("A")),
                Beam = new Beam(root.GetProperty("beam").GetProperty("wavelength_A").GetDouble()),
                H = I(r.GetProperty("h")), K = I(r.GetProperty("k")), L = I(r.GetProperty("l")), Panel = I(r.GetProperty("panel")),
                X = D(r.GetProperty("x_px")), Y = D(r.GetProperty("y_px")),
                XNominal = D(r.GetProperty("x_nominal_px")), YNominal = D(r.GetProperty("y_nominal_px")),
                DeltaPsi = D(r.GetProperty("delpsi_rad")), Signal = D(r.GetProperty("signal_photons")), D = D(r.GetProperty("d_A")),
                OnActive = r.GetProperty("on_active_area").EnumerateArray().Select(v => v.GetBoolean()).ToArray(),
                SpaceGroup = cr.GetProperty("space_group").GetString()!,
                Cell = UnitCell.FromArray(cell),
            };
        }

        public static DetectorModel SimTrueDetector() => DialsExperimentJson.Read(SharedData.File_("sim/cspad/cspad_true_detector.json")).Detector;
        public static DetectorModel SimNominalDetector() => DialsExperimentJson.Read(SharedData.File_("sim/cspad/cspad_nominal_detector.json")).Detector;

        /// <summary>A still experiment from the truth: truth crystal, and reflections observed at the given positions.</summary>
        public static StillExperiment SimExperiment(SimStill s, Func<SimStill, int, (double X, double Y)?> observe, double variance = 0.01)
        {
            var refl = new List<ObservedReflection>();
            for (int i = 0; i < s.H.Length; i++)
            {
                var o = observe(s, i);
                if (o == null) continue;
                refl.Add(new ObservedReflection(s.H[i], s.K[i], s.L[i], s.Panel[i], o.Value.X, o.Value.Y, variance, variance));
            }
            return new StillExperiment(s.Name, s.Beam, s.U, s.Cell, LatticeSystem.Tetragonal, refl);
        }

        /// <summary>The refined real CSPAD and its 300 thermolysin crystals, with each experiment's own beam.</summary>
        public static (DetectorModel Detector, List<(Beam Beam, DialsCrystal Crystal)> Crystals) RealCspad300()
        {
            string path = SharedData.File_("real/dials_files/cspad_refined_experiments_step6_level2_300.json");
            var g = DialsExperimentJson.Read(path);
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var beams = doc.RootElement.GetProperty("beam").EnumerateArray().Select(b =>
                new Beam(b.GetProperty("wavelength").GetDouble(), new Vec3(D(b.GetProperty("direction"))[0], D(b.GetProperty("direction"))[1], D(b.GetProperty("direction"))[2]))).ToArray();
            var list = new List<(Beam, DialsCrystal)>();
            foreach (var e in doc.RootElement.GetProperty("experiment").EnumerateArray())
                list.Add((beams[e.GetProperty("beam").GetInt32()], g.Crystals[e.GetProperty("crystal").GetInt32()]));
            return (g.Detector, list);
        }

        /// <summary>Panel centre in pixels of another panel's frame (in-plane), for comparing geometries.</summary>
        public static Vec2 CentreIn(Panel reference, Vec3 point)
        {
            var d = point - reference.Origin;
            return new Vec2(d.Dot(reference.FastAxis) / reference.PixelSize, d.Dot(reference.SlowAxis) / reference.PixelSizeSlow);
        }

        /// <summary>
        /// Panel-centre and in-plane rotation differences between two detectors after removing the best 2D rigid motion
        /// (rotation about the beam and shift) fitted over all panel centres: (RMS centre error px, RMS rotation error °, max centre error px).
        /// </summary>
        /// <param name="projected">Compare where the panel centres appear from the sample (projected along their rays onto the plane
        /// z = mean z of <paramref name="b"/>) instead of their x, y: a panel moved along the ray looks the same to diffraction.</param>
        /// <param name="panels">The panels compared (and aligned on); all when null.</param>
        public static (double CentreRms, double RotationRms, double CentreMax) Compare(DetectorModel a, DetectorModel b, bool projected = false,
            System.Collections.Generic.IReadOnlyCollection<int>? panels = null)
        {
            var which = (panels ?? Enumerable.Range(0, a.PanelCount).ToArray()).ToArray();
            int n = which.Length;
            double z = b.Panels.Average(p => p.Centre.Z);
            Vec3 Project(Vec3 c) => projected ? c * (z / c.Z) : c;
            var pa = which.Select(i => Project(a.Panels[i].Centre)).ToArray();
            var pb = which.Select(i => Project(b.Panels[i].Centre)).ToArray();
            double cax = pa.Average(p => p.X), cay = pa.Average(p => p.Y), cbx = pb.Average(p => p.X), cby = pb.Average(p => p.Y);
            double sxx = 0, sxy = 0;
            for (int i = 0; i < n; i++)
            {
                double ax = pa[i].X - cax, ay = pa[i].Y - cay, bx = pb[i].X - cbx, by = pb[i].Y - cby;
                sxx += ax * bx + ay * by; sxy += ax * by - ay * bx;
            }
            double theta = Math.Atan2(sxy, sxx); // rotation taking a to b
            double c = Math.Cos(theta), s = Math.Sin(theta);
            double px = a.Panels[0].PixelSize;
            double sum = 0, max = 0, rot = 0;
            for (int i = 0; i < n; i++)
            {
                double ax = pa[i].X - cax, ay = pa[i].Y - cay;
                double rx = c * ax - s * ay + cbx, ry = s * ax + c * ay + cby;
                double e = Math.Sqrt((rx - pb[i].X) * (rx - pb[i].X) + (ry - pb[i].Y) * (ry - pb[i].Y)) / px;
                sum += e * e; max = Math.Max(max, e);
                var fa = a.Panels[which[i]].FastAxis; var fb = b.Panels[which[i]].FastAxis;
                double angA = Math.Atan2(fa.Y, fa.X) + theta;
                double angB = Math.Atan2(fb.Y, fb.X);
                double d = Math.IEEERemainder(angB - angA, 2 * Math.PI) * 180 / Math.PI;
                rot += d * d;
            }
            return (Math.Sqrt(sum / n), Math.Sqrt(rot / n), max);
        }
    }
}
