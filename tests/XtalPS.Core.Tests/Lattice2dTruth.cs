using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using XtalPS.Geometry;
using XtalPS.Imaging;
using XtalPS.Lattices;

namespace XtalPS.Core.Tests
{
    /// <summary>One image of ../shared/data/sim/lattice2d with its truth (schema harness-lattice2d-truth/1).</summary>
    public sealed class Lattice2dTruth
    {
        public sealed class Spot
        {
            public int H, K;
            public double X, Y, Total, InImage;
            /// <summary>Expected I/σ: total / sqrt(total + n·bg) over a 2.5σ ellipse.</summary>
            public double TrueIOverSigma;
        }

        public DiffractionImage Image = null!;
        public Vec2 Origin, A, B;
        public double SigmaX, SigmaY;
        public List<Spot> Spots = new List<Spot>();

        public PlanarLattice TruthLattice() => new PlanarLattice(Origin, A, B, Image);

        private static readonly Dictionary<int, Lattice2dTruth> _cache = new Dictionary<int, Lattice2dTruth>();

        public static Lattice2dTruth Load(int index)
        {
            lock (_cache)
            {
                if (_cache.TryGetValue(index, out var t)) return t;
                t = LoadUncached(index);
                _cache[index] = t;
                return t;
            }
        }

        private static Lattice2dTruth LoadUncached(int index)
        {
            string name = $"sim/lattice2d/lattice2d_{index:D5}";
            var t = new Lattice2dTruth { Image = ReadMrc(SharedData.File_(name + ".mrc")) };
            using var doc = SharedData.Json(name + ".json");
            var root = doc.RootElement;
            var lat = root.GetProperty("lattice");
            Vec2 V(JsonElement e) => new Vec2(e[0].GetDouble(), e[1].GetDouble());
            t.Origin = V(lat.GetProperty("origin_px")); t.A = V(lat.GetProperty("astar_px")); t.B = V(lat.GetProperty("bstar_px"));
            var sm = root.GetProperty("spot_model");
            t.SigmaX = sm.GetProperty("sigma_x_px").GetDouble(); t.SigmaY = sm.GetProperty("sigma_y_px").GetDouble();
            var bg = root.GetProperty("background");
            double b0 = bg.GetProperty("b0").GetDouble(), gx = bg.GetProperty("gx").GetDouble(), gy = bg.GetProperty("gy").GetDouble();
            double radial = bg.GetProperty("radial").GetDouble(), rmax = bg.GetProperty("rmax_px").GetDouble();
            var centre = V(bg.GetProperty("centre_px"));
            var s = root.GetProperty("spots");
            double[] Col(string n) => s.GetProperty(n).EnumerateArray().Select(e => e.GetDouble()).ToArray();
            var h = Col("h"); var k = Col("k"); var x = Col("x_px"); var y = Col("y_px"); var tot = Col("total_counts"); var inimg = Col("integrated_counts_in_image");
            double area = Math.PI * 2.5 * 2.5 * t.SigmaX * t.SigmaY;
            for (int i = 0; i < h.Length; i++)
            {
                double r = Math.Sqrt((x[i] - centre.X) * (x[i] - centre.X) + (y[i] - centre.Y) * (y[i] - centre.Y));
                double b = Math.Max(0, b0 + gx * (x[i] - 512) + gy * (y[i] - 512) + radial * Math.Exp(-r / (0.15 * rmax)));
                t.Spots.Add(new Spot
                {
                    H = (int)h[i], K = (int)k[i], X = x[i], Y = y[i], Total = tot[i], InImage = inimg[i],
                    TrueIOverSigma = tot[i] / Math.Sqrt(tot[i] + area * b),
                });
            }
            return t;
        }

        /// <summary>Test-only MRC reader: mode 2 (float32), little-endian; NX, NY, NZ, MODE at 0, NSYMBT at 92, data at 1024 + NSYMBT.</summary>
        public static DiffractionImage ReadMrc(string path)
        {
            var bytes = File.ReadAllBytes(path);
            int nx = BitConverter.ToInt32(bytes, 0), ny = BitConverter.ToInt32(bytes, 4), mode = BitConverter.ToInt32(bytes, 12);
            int nsymbt = BitConverter.ToInt32(bytes, 92);
            if (mode != 2) throw new InvalidDataException("Only MRC mode 2 is read here.");
            var px = new float[nx * ny];
            Buffer.BlockCopy(bytes, 1024 + nsymbt, px, 0, px.Length * 4);
            var det = DetectorModel.SinglePanel("lattice2d", nx, ny, 0.015, 1000, nx / 2.0, ny / 2.0);
            return new DiffractionImage(path, 0, "MRC", det, new Beam(0.02508), new[] { new PanelImage(0, nx, ny, px) });
        }
    }
}
