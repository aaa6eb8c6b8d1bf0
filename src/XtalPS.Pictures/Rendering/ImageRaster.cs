using System;
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
    /// Each picture pixel is traced back to the panels by the inverse of the panel's plane (the homography from the
    /// picture plane to panel pixels). When a picture pixel covers more than one detector pixel it takes the largest
    /// valid value among n×n sample points (n ≈ detector pixels per picture pixel), so a 2-pixel spot stays visible
    /// in a picture of the whole detector instead of falling between samples.
    /// </remarks>
    internal static class ImageRaster
    {
        public const byte OffDetector = 0, Masked = 1, Valid = 2;

        /// <summary>Fills <paramref name="values"/> and <paramref name="state"/> (row-major, frame width × height).</summary>
        public static void Assemble(DiffractionImage image, DetectorProjection projection, PictureFrame frame, float[] values, byte[] state)
        {
            int w = frame.Width, h = frame.Height;
            if (values.Length < w * h || state.Length < w * h) throw new ArgumentException("The buffers are smaller than the picture.");
            Array.Clear(state, 0, w * h);
            Array.Clear(values, 0, w * h);
            for (int p = 0; p < image.PanelCount; p++)
                AssemblePanel(image.Detector.Panels[p], image.PanelImages[p], projection, frame, values, state);
        }

        private static void AssemblePanel(Panel panel, PanelImage data, DetectorProjection projection, PictureFrame frame, float[] values, byte[] state)
        {
            var m = Mat3.FromColumns(panel.FastAxis, panel.SlowAxis, panel.Origin);
            if (Math.Abs(m.Determinant) < 1e-12) return;
            var inv = m.Inverse();
            double s = frame.Scale;
            // c(fi, fj) = inv·(Q at the top-left corner) + fi·inv·(Right·s) + fj·inv·(−Up·s), fi and fj in picture pixels.
            var c0 = inv * projection.Unproject(frame.U0, frame.V1);
            var ci = inv * (projection.Right * s);
            var cj = inv * (projection.Up * -s);

            // Picture pixels the panel can touch: its projected corners.
            double x0 = double.MaxValue, x1 = double.MinValue, y0 = double.MaxValue, y1 = double.MinValue;
            foreach (var corner in panel.Corners())
            {
                if (!projection.TryProject(corner, out double u, out double v)) return;
                double px = frame.PixelX(u), py = frame.PixelY(v);
                x0 = Math.Min(x0, px); x1 = Math.Max(x1, px); y0 = Math.Min(y0, py); y1 = Math.Max(y1, py);
            }
            int i0 = Math.Max(0, (int)Math.Floor(x0)), i1 = Math.Min(frame.Width, (int)Math.Ceiling(x1));
            int j0 = Math.Max(0, (int)Math.Floor(y0)), j1 = Math.Min(frame.Height, (int)Math.Ceiling(y1));
            if (i0 >= i1 || j0 >= j1) return;

            // Detector pixels per picture pixel along each axis, at the panel's distance.
            double along = panel.Centre.Dot(projection.Downstream);
            double pitch = Math.Min(panel.PixelSize, panel.PixelSizeSlow) * projection.Distance / Math.Max(along, 1e-9);
            int n = Math.Max(1, Math.Min(4, (int)Math.Ceiling(s / pitch - 1e-6)));
            int width = data.Width, height = data.Height;
            float[] pixels = data.Pixels;
            byte[] mask = data.Mask;
            double fast = panel.PixelSize, slow = panel.PixelSizeSlow;
            int pictureWidth = frame.Width;

            void Row(int j)
            {
                int row = j * pictureWidth;
                for (int i = i0; i < i1; i++)
                {
                    float best = float.NegativeInfinity;
                    bool onPanel = false;
                    for (int b = 0; b < n; b++)
                    {
                        double fj = j + (b + 0.5) / n;
                        for (int a = 0; a < n; a++)
                        {
                            double fi = i + (a + 0.5) / n;
                            double cz = c0.Z + fi * ci.Z + fj * cj.Z;
                            if (!(cz > 0)) continue;
                            double px = (c0.X + fi * ci.X + fj * cj.X) / cz / fast;
                            double py = (c0.Y + fi * ci.Y + fj * cj.Y) / cz / slow;
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

            // Rows are independent: the result is the same at any thread count.
            if ((long)(i1 - i0) * (j1 - j0) * n * n >= 1 << 18) Parallel.For(j0, j1, Row);
            else for (int j = j0; j < j1; j++) Row(j);
        }
    }
}
