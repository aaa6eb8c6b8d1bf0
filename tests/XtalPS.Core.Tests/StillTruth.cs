using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using XtalPS.Geometry;
using XtalPS.Lattices;

namespace XtalPS.Core.Tests
{
    /// <summary>The truth of a simulated still (schema harness-still-truth/1): crystal, true geometry, reflections.</summary>
    public sealed class StillTruth
    {
        public Mat3 A { get; private set; }
        public Mat3 U { get; private set; }
        public UnitCell Cell { get; private set; }
        public string SpaceGroup { get; private set; } = "";
        public DetectorModel Detector { get; private set; } = null!;
        public Beam Beam { get; private set; } = null!;
        public int[] H { get; private set; } = null!;
        public int[] K { get; private set; } = null!;
        public int[] L { get; private set; } = null!;
        public int[] Panel { get; private set; } = null!;
        public double[] X { get; private set; } = null!;
        public double[] Y { get; private set; } = null!;
        public double[] DeltaPsi { get; private set; } = null!;
        public double[] ExcitationError { get; private set; } = null!;
        public double[] D { get; private set; } = null!;

        public static StillTruth Load(string relativeJson)
        {
            using var doc = SharedData.Json(relativeJson);
            var root = doc.RootElement;
            double[] Arr(JsonElement e) => e.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN).ToArray();
            Vec3 V(JsonElement e) => Vec3.FromArray(Arr(e));
            var crystal = root.GetProperty("crystal");
            var det = root.GetProperty("detector");
            double pixel = det.GetProperty("pixel_size_mm").GetDouble();
            var panels = new List<Panel>();
            foreach (var p in det.GetProperty("panels_true").EnumerateArray())
            {
                var size = Arr(p.GetProperty("image_size"));
                var px = Arr(p.GetProperty("pixel_size_mm"));
                panels.Add(new Panel(p.GetProperty("name").GetString() ?? "", (int)size[0], (int)size[1], px[0],
                    V(p.GetProperty("origin_mm")), V(p.GetProperty("fast_axis")), V(p.GetProperty("slow_axis")), pixelSizeSlow: px[1]));
            }
            var beam = root.GetProperty("beam");
            var travel = V(beam.GetProperty("direction_of_travel"));
            var r = root.GetProperty("reflections");
            int[] I(string k) => r.GetProperty(k).EnumerateArray().Select(v => v.GetInt32()).ToArray();
            return new StillTruth
            {
                A = Mat3.FromArray(Arr(crystal.GetProperty("A"))),
                U = Mat3.FromArray(Arr(crystal.GetProperty("U"))),
                Cell = UnitCell.FromArray(Arr(crystal.GetProperty("unit_cell"))),
                SpaceGroup = crystal.GetProperty("space_group").GetString() ?? "",
                Detector = new DetectorModel("truth", panels),
                Beam = new Beam(beam.GetProperty("wavelength_A").GetDouble(), -travel),
                H = I("h"), K = I("k"), L = I("l"), Panel = I("panel"),
                X = Arr(r.GetProperty("x_px")), Y = Arr(r.GetProperty("y_px")),
                DeltaPsi = Arr(r.GetProperty("delpsi_rad")), ExcitationError = Arr(r.GetProperty("excitation_error_invA")),
                D = Arr(r.GetProperty("d_A")),
            };
        }
    }
}
