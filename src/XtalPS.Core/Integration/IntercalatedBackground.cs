using System;
using XtalPS.Geometry;
using XtalPS.Imaging;
using XtalPS.Lattices;

namespace XtalPS.Integration
{
    /// <summary>
    /// IPLT's intercalated background: the mean image value at the four points halfway to the neighbouring lattice
    /// points, p ± A/2 and p ± B/2, each read by bilinear interpolation between pixel centres.
    /// </summary>
    public static class IntercalatedBackground
    {
        /// <summary>The intercalated background at lattice point (h, k); NaN when no sample point lies on usable pixels.</summary>
        public static double Compute(PanelImage panel, PlanarLattice lattice, int h, int k)
        {
            double sum = 0; int n = 0;
            Accumulate(panel, lattice.Predict(h + 0.5, k), ref sum, ref n);
            Accumulate(panel, lattice.Predict(h - 0.5, k), ref sum, ref n);
            Accumulate(panel, lattice.Predict(h, k + 0.5), ref sum, ref n);
            Accumulate(panel, lattice.Predict(h, k - 0.5), ref sum, ref n);
            return n > 0 ? sum / n : double.NaN;
        }

        private static void Accumulate(PanelImage panel, Vec2 p, ref double sum, ref int n)
        {
            double v = Bilinear(panel, p.X, p.Y);
            if (!double.IsNaN(v)) { sum += v; n++; }
        }

        /// <summary>Bilinear interpolation at (x, y) px (pixel i's value sits at i + 0.5); NaN off the panel or next to a masked pixel.</summary>
        public static double Bilinear(PanelImage panel, double x, double y)
        {
            double fx = x - 0.5, fy = y - 0.5;
            if (double.IsNaN(fx) || double.IsNaN(fy)) return double.NaN;
            int i = (int)Math.Floor(fx), j = (int)Math.Floor(fy);
            if (i < 0 || j < 0 || i + 1 >= panel.Width || j + 1 >= panel.Height) return double.NaN;
            double tx = fx - i, ty = fy - j;
            int w = panel.Width, o = j * w + i;
            var px = panel.Pixels; var m = panel.Mask;
            if (m[o] == 0 || m[o + 1] == 0 || m[o + w] == 0 || m[o + w + 1] == 0) return double.NaN;
            return (1 - ty) * ((1 - tx) * px[o] + tx * px[o + 1]) + ty * ((1 - tx) * px[o + w] + tx * px[o + w + 1]);
        }
    }
}
