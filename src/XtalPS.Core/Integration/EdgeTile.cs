using System;
using XtalPS.Imaging;

namespace XtalPS.Integration
{
    /// <summary>
    /// Summation for a box whose background rim runs off the panel while its peak region does not — common on
    /// detectors of small tiles such as the CSPAD's 194 × 185 px ASICs. The box is copied into a tile in which the
    /// pixels beyond the panel are masked, so the background plane is fitted to the rim pixels that exist. A peak that
    /// itself leaves the panel is not measurable and is left alone.
    /// </summary>
    public static class EdgeTile
    {
        /// <summary>Integrates <paramref name="box"/> of <paramref name="panel"/> over the on-panel part of its rim; false when
        /// the peak region leaves the panel or too few rim pixels remain for a plane.</summary>
        public static bool TryIntegrate(PanelImage panel, IntegrationBox box, double gain, double outlierRejection,
            out BackgroundPlane plane, out SummationResult result)
        {
            plane = default; result = default;
            if (double.IsNaN(box.X) || double.IsNaN(box.Y)) return false;
            int cx = box.X0 + box.Half, cy = box.Y0 + box.Half;
            if (cx - box.PeakHalf < 0 || cy - box.PeakHalf < 0 || cx + box.PeakHalf >= panel.Width || cy + box.PeakHalf >= panel.Height) return false;
            int side = box.Side;
            var pixels = new float[side * side];
            var mask = new byte[side * side];
            for (int j = 0; j < side; j++)
            {
                int py = box.Y0 + j;
                if (py < 0 || py >= panel.Height) continue;
                for (int i = 0; i < side; i++)
                {
                    int px = box.X0 + i;
                    if (px < 0 || px >= panel.Width) continue;
                    int k = py * panel.Width + px;
                    pixels[j * side + i] = panel.Pixels[k];
                    mask[j * side + i] = panel.Mask[k];
                }
            }
            var tile = new PanelImage(panel.PanelIndex, side, side, pixels, mask);
            var tileBox = new IntegrationBox(box.X - box.X0, box.Y - box.Y0, box.PeakHalf, box.Half - box.PeakHalf);
            if (!SummationIntegrator.RobustPlane(tile, tileBox, gain, outlierRejection, out plane)) return false;
            result = SummationIntegrator.Sum(tile, tileBox, plane, gain);
            return true;
        }
    }
}
