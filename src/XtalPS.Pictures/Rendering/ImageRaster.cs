using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using XtalPS.Geometry;
using XtalPS.Imaging;

namespace XtalPS.Pictures
{
    /// <summary>
    /// The pixels of every panel resampled onto the picture grid through the detector geometry: an assembled
    /// detector (a CSPAD's 64 ASICs in their pinwheel), not a strip of panels.
    /// </summary>
    /// <remarks>
    /// A picture pixel shows the largest valid value of the panel pixels it covers, so a 2-pixel spot stays visible
    /// in a picture of the whole detector instead of falling between samples. Zoomed out (a picture pixel spans at
    /// least 1.5 panel pixels), every panel pixel is carried forward into the picture pixel its centre falls in: each
    /// is read once and none is skipped. Zoomed in, each picture pixel is traced back to the panel by the inverse of
    /// the panel's plane (the homography from the picture plane to panel pixels) at n×n sample points, n ≈ panel
    /// pixels per picture pixel. Both ways run in parallel and give the same picture at any thread count.
    /// </remarks>
    internal static class ImageRaster
    {
        public const byte OffDetector = 0, Masked = 1, Valid = 2;

        /// <summary>Rows per parallel work item.</summary>
        private const int Band = 16;

        /// <summary>Fills <paramref name="values"/> and <paramref name="state"/> (row-major, frame width × height).</summary>
        public static void Assemble(DiffractionImage image, DetectorProjection projection, PictureFrame frame, float[] values, byte[] state)
        {
            int w = frame.Width, h = frame.Height;
            if (values.Length < w * h || state.Length < w * h) throw new ArgumentException("The buffers are smaller than the picture.");
            var panels = new List<PanelSampler>(image.PanelCount);
            for (int p = 0; p < image.PanelCount; p++)
                if (PanelSampler.TryCreate(image.Detector.Panels[p], image.PanelImages[p], projection, frame, out var sampler))
                    panels.Add(sampler);
            var list = panels.ToArray();
            var splatted = list.Where(p => p.Splats).ToArray();
            var sampled = list.Where(p => !p.Splats).ToArray();
            Array.Clear(state, 0, w * h);
            Array.Clear(values, 0, w * h);

            // Splatted panels: max and "any valid" do not depend on the order the panels come in, so panels whose
            // picture boxes do not meet are drawn at the same time (one group after another), with no two threads
            // ever writing the same picture pixel.
            foreach (var group in DisjointGroups(splatted))
            {
                long work = group.Sum(p => (long)p.PixelCount);
                if (work >= 1 << 18 && group.Length > 1) Parallel.ForEach(group, p => p.Splat(w, h, values, state));
                else foreach (var p in group) p.Splat(w, h, values, state);
            }
            if (sampled.Length == 0) return;

            // Sampled panels, by bands of picture rows; within a row the panels come in their order.
            long samples = sampled.Sum(p => (long)(p.I1 - p.I0) * (p.J1 - p.J0) * p.N * p.N);
            int bands = (h + Band - 1) / Band;
            void Fill(int band)
            {
                int j0 = band * Band, j1 = Math.Min(h, j0 + Band);
                for (int j = j0; j < j1; j++)
                    foreach (var sampler in sampled)
                        if (j >= sampler.J0 && j < sampler.J1) sampler.Row(j, w, values, state);
            }
            if (samples >= 1 << 18) Parallel.For(0, bands, Fill);
            else for (int b = 0; b < bands; b++) Fill(b);
        }

        /// <summary>Panels grouped greedily (in their order) so that no two in a group have overlapping picture boxes.</summary>
        private static List<PanelSampler[]> DisjointGroups(PanelSampler[] panels)
        {
            var groups = new List<List<PanelSampler>>();
            foreach (var p in panels)
            {
                var home = groups.FirstOrDefault(g => g.All(q => !p.Overlaps(q)));
                if (home == null) groups.Add(home = new List<PanelSampler>());
                home.Add(p);
            }
            return groups.Select(g => g.ToArray()).ToList();
        }

        /// <summary>One panel's map from picture pixels to its own pixels, and the picture pixels it can touch.</summary>
        private sealed class PanelSampler
        {
            // Panel pixel (x, y) of picture point (fi, fj) = (X / Z, Y / Z) with (X, Y, Z) = C0 + fi·Ci + fj·Cj, where
            // the X and Y rows already carry the division by the pixel sizes.
            private double _c0x, _c0y, _c0z, _cix, _ciy, _ciz, _cjx, _cjy, _cjz;
            // Forward map: picture (fi, fj) of panel pixel centre (x, y): fi = Ku·L/D − Iu, fj = Jv − Ku·M/D with
            // L, M, D linear in x and y (the lab point's components along picture right, up and the beam).
            private double _la, _lx, _ly, _ma, _mx, _my, _da, _dx, _dy, _k, _iu, _jv;
            private float[] _pixels = Array.Empty<float>();
            private byte[] _mask = Array.Empty<byte>();
            private int _width, _height;

            public int I0, I1, J0, J1, N;
            /// <summary>True when a picture pixel spans at least 1.5 panel pixels each way: every panel pixel is then
            /// carried forward to the picture (<see cref="Splat"/>) instead of the picture sampling the panel.</summary>
            public bool Splats;
            public int PixelCount => _width * _height;

            public bool Overlaps(PanelSampler other) => I0 <= other.I1 && other.I0 <= I1 && J0 <= other.J1 && other.J0 <= J1;

            public static bool TryCreate(Panel panel, PanelImage data, DetectorProjection projection, PictureFrame frame, out PanelSampler sampler)
            {
                sampler = null!;
                var m = Mat3.FromColumns(panel.FastAxis, panel.SlowAxis, panel.Origin);
                if (Math.Abs(m.Determinant) < 1e-12) return false;
                var inv = m.Inverse();
                double s = frame.Scale;
                var c0 = inv * projection.Unproject(frame.U0, frame.V1);
                var ci = inv * (projection.Right * s);
                var cj = inv * (projection.Up * -s);

                double x0 = double.MaxValue, x1 = double.MinValue, y0 = double.MaxValue, y1 = double.MinValue;
                foreach (var corner in panel.Corners())
                {
                    if (!projection.TryProject(corner, out double u, out double v)) return false;
                    double px = frame.PixelX(u), py = frame.PixelY(v);
                    x0 = Math.Min(x0, px); x1 = Math.Max(x1, px); y0 = Math.Min(y0, py); y1 = Math.Max(y1, py);
                }
                int i0 = Math.Max(0, (int)Math.Floor(x0)), i1 = Math.Min(frame.Width, (int)Math.Ceiling(x1));
                int j0 = Math.Max(0, (int)Math.Floor(y0)), j1 = Math.Min(frame.Height, (int)Math.Ceiling(y1));
                if (i0 >= i1 || j0 >= j1) return false;

                // Detector pixels per picture pixel along each axis, at the panel's distance.
                double along = panel.Centre.Dot(projection.Downstream);
                double pitch = Math.Min(panel.PixelSize, panel.PixelSizeSlow) * projection.Distance / Math.Max(along, 1e-9);
                int n = Math.Max(1, Math.Min(4, (int)Math.Ceiling(s / pitch - 1e-6)));
                double fx = 1 / panel.PixelSize, fy = 1 / panel.PixelSizeSlow;
                Vec3 o = panel.Origin, f = panel.FastAxis * panel.PixelSize, sl = panel.SlowAxis * panel.PixelSizeSlow;
                Vec3 right = projection.Right, up = projection.Up, down = projection.Downstream;
                sampler = new PanelSampler
                {
                    _la = (o + (f + sl) * 0.5).Dot(right), _lx = f.Dot(right), _ly = sl.Dot(right),
                    _ma = (o + (f + sl) * 0.5).Dot(up), _mx = f.Dot(up), _my = sl.Dot(up),
                    _da = (o + (f + sl) * 0.5).Dot(down), _dx = f.Dot(down), _dy = sl.Dot(down),
                    _k = projection.Distance / s, _iu = frame.U0 / s, _jv = frame.V1 / s,
                    _c0x = c0.X * fx, _c0y = c0.Y * fy, _c0z = c0.Z,
                    _cix = ci.X * fx, _ciy = ci.Y * fy, _ciz = ci.Z,
                    _cjx = cj.X * fx, _cjy = cj.Y * fy, _cjz = cj.Z,
                    _pixels = data.Pixels, _mask = data.Mask, _width = data.Width, _height = data.Height,
                    I0 = i0, I1 = i1, J0 = j0, J1 = j1, N = n, Splats = s >= 1.5 * pitch,
                };
                return true;
            }

            /// <summary>
            /// Every panel pixel into the picture pixel its centre falls in, keeping the largest valid value: used
            /// when a picture pixel spans at least 1.5 panel pixels, so no panel pixel is skipped and none is read twice.
            /// </summary>
            public void Splat(int pictureWidth, int pictureHeight, float[] values, byte[] state)
            {
                int width = _width, height = _height;
                float[] pixels = _pixels;
                byte[] mask = _mask;
                // A panel square to the beam (the usual case) is at one distance along it: the map is then affine
                // and needs no division per pixel.
                bool flat = _dx == 0 && _dy == 0 && _da > 0;
                double t0 = flat ? _k / _da : 0, stepI = _lx * t0, stepJ = -_mx * t0;
                for (int y = 0; y < height; y++)
                {
                    double l = _la + y * _ly, m = _ma + y * _my, d = _da + y * _dy;
                    if (flat)
                    {
                        FlatRow(y, l * t0 - _iu, _jv - m * t0, stepI, stepJ, pictureWidth, pictureHeight, values, state);
                        continue;
                    }
                    int row = y * width;
                    for (int x = 0; x < width; x++, l += _lx, m += _mx, d += _dx)
                    {
                        if (!(d > 0)) continue;
                        double t = _k / d;
                        double fi = l * t - _iu, fj = _jv - m * t;
                        if (!(fi >= 0 && fj >= 0 && fi < pictureWidth && fj < pictureHeight)) continue;
                        int k = (int)fj * pictureWidth + (int)fi;
                        int index = row + x;
                        if (mask[index] == 0)
                        {
                            if (state[k] == OffDetector) state[k] = Masked;
                            continue;
                        }
                        float value = pixels[index];
                        if (float.IsNaN(value)) { if (state[k] == OffDetector) state[k] = Masked; continue; }
                        if (state[k] != Valid || value > values[k]) values[k] = value;
                        state[k] = Valid;
                    }
                }
            }

            private void FlatRow(int y, double fi, double fj, double stepI, double stepJ, int pictureWidth, int pictureHeight, float[] values, byte[] state)
            {
                int width = _width, row = y * width;
                float[] pixels = _pixels;
                byte[] mask = _mask;
                for (int x = 0; x < width; x++, fi += stepI, fj += stepJ)
                {
                    if (!(fi >= 0 && fj >= 0 && fi < pictureWidth && fj < pictureHeight)) continue;
                    int k = (int)fj * pictureWidth + (int)fi;
                    int index = row + x;
                    float value = pixels[index];
                    if (mask[index] == 0 || float.IsNaN(value))
                    {
                        if (state[k] == OffDetector) state[k] = Masked;
                        continue;
                    }
                    if (state[k] != Valid || value > values[k]) values[k] = value;
                    state[k] = Valid;
                }
            }

            /// <summary>Samples picture row <paramref name="j"/> over the panel's columns into the picture buffers.</summary>
            public void Row(int j, int pictureWidth, float[] values, byte[] state)
            {
                int n = N, width = _width, height = _height;
                float[] pixels = _pixels;
                byte[] mask = _mask;
                double step = 1.0 / n, half = 0.5 * step;
                int row = j * pictureWidth;
                for (int i = I0; i < I1; i++)
                {
                    float best = float.NegativeInfinity;
                    bool onPanel = false;
                    for (int b = 0; b < n; b++)
                    {
                        double fj = j + half + b * step;
                        double rx = _c0x + fj * _cjx, ry = _c0y + fj * _cjy, rz = _c0z + fj * _cjz;
                        for (int a = 0; a < n; a++)
                        {
                            double fi = i + half + a * step;
                            double cz = rz + fi * _ciz;
                            if (!(cz > 0)) continue;
                            double r = 1 / cz;
                            double px = (rx + fi * _cix) * r;
                            double py = (ry + fi * _ciy) * r;
                            if (!(px >= 0 && py >= 0 && px < width && py < height)) continue;
                            int index = (int)py * width + (int)px;
                            onPanel = true;
                            if (mask[index] == 0) continue;
                            float value = pixels[index];
                            if (value > best) best = value; // NaN never wins
                        }
                    }
                    if (!onPanel) continue;
                    int k = row + i;
                    if (best > float.NegativeInfinity)
                    {
                        if (state[k] != Valid || best > values[k]) values[k] = best;
                        state[k] = Valid;
                    }
                    else if (state[k] == OffDetector) state[k] = Masked;
                }
            }
        }
    }
}
