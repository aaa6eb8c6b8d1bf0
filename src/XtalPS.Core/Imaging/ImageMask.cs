using System;
using System.Collections.Generic;
using System.Linq;
using XtalPS.Geometry;

namespace XtalPS.Imaging
{
    /// <summary>
    /// A user mask: rectangles and circles in pixels (on chosen panels or all), resolution shells in Å through the
    /// geometry, and per-panel 0/1 arrays. <see cref="Apply(DiffractionImage)"/> returns a new image whose panel masks are the old
    /// ones with these pixels set to 0; the pixel arrays are shared and nothing is modified in place.
    /// </summary>
    /// <remarks>
    /// A pixel is judged by its centre (i + 0.5, j + 0.5), DIALS's convention, as dials.generate_mask does for its
    /// untrusted rectangles, circles and resolution ranges: a rectangle (x0, y0, x1, y1) masks the pixels whose
    /// centre lies in [x0, x1) × [y0, y1) — for whole numbers the columns x0 … x1−1; a circle masks centres at
    /// distance ≤ r; a resolution range masks centres with dmin ≤ d ≤ dmax.
    /// </remarks>
    public sealed class ImageMask
    {
        private readonly List<Region> _regions = new List<Region>();

        private abstract class Region
        {
            public int[]? Panels;
            public bool AppliesTo(int panel) => Panels == null || Array.IndexOf(Panels, panel) >= 0;
        }
        private sealed class RectRegion : Region { public double X0, Y0, X1, Y1; }
        private sealed class CircleRegion : Region { public double Cx, Cy, R; }
        private sealed class ResolutionRegion : Region { public double DMin, DMax; }
        private sealed class ArrayRegion : Region { public byte[] Usable = Array.Empty<byte>(); public int Width, Height; }
        private sealed class DeclaredRegion : Region { }

        public int RegionCount => _regions.Count;

        /// <summary>Masks pixel centres in [x0, x1) × [y0, y1) (px) on the given panels (null: every panel).</summary>
        public ImageMask AddRectangle(double x0, double y0, double x1, double y1, IEnumerable<int>? panels = null)
        {
            if (new[] { x0, y0, x1, y1 }.Any(v => double.IsNaN(v))) throw new ArgumentException("A rectangle needs four numbers.");
            if (x1 < x0 || y1 < y0) throw new ArgumentException($"The rectangle ({x0}, {y0}, {x1}, {y1}) must have x0 ≤ x1 and y0 ≤ y1.");
            _regions.Add(new RectRegion { X0 = x0, Y0 = y0, X1 = x1, Y1 = y1, Panels = panels?.ToArray() });
            return this;
        }

        /// <summary>Masks pixel centres within <paramref name="radius"/> px of (cx, cy) on the given panels (null: every panel).</summary>
        public ImageMask AddCircle(double cx, double cy, double radius, IEnumerable<int>? panels = null)
        {
            if (double.IsNaN(cx) || double.IsNaN(cy) || !(radius >= 0)) throw new ArgumentException("A circle needs a centre and a radius ≥ 0.");
            _regions.Add(new CircleRegion { Cx = cx, Cy = cy, R = radius, Panels = panels?.ToArray() });
            return this;
        }

        /// <summary>Masks pixels whose resolution d (Å, at the pixel centre) lies in [dmin, dmax] — an ice ring, or with
        /// dmax = ∞ everything outside dmin, or with dmin = 0 the low-resolution core.</summary>
        public ImageMask AddResolutionRange(double dMin, double dMax, IEnumerable<int>? panels = null)
        {
            if (!(dMin >= 0) || !(dMax >= dMin)) throw new ArgumentException($"A resolution range needs 0 ≤ dmin ≤ dmax (got {dMin}, {dMax}).");
            _regions.Add(new ResolutionRegion { DMin = dMin, DMax = dMax, Panels = panels?.ToArray() });
            return this;
        }

        /// <summary>Masks the pixels where <paramref name="usable"/> is 0 (a mask file: 1 = usable, 0 = masked), row-major width × height.</summary>
        public ImageMask AddArray(int panel, int width, int height, byte[] usable)
        {
            if (usable == null) throw new ArgumentNullException(nameof(usable));
            if ((long)width * height != usable.Length) throw new ArgumentException("The mask array does not match its size.");
            _regions.Add(new ArrayRegion { Panels = new[] { panel }, Width = width, Height = height, Usable = usable });
            return this;
        }

        /// <summary>Masks the rectangles the detector description itself declares bad (<see cref="Panel.BadRegions"/>:
        /// DIALS panel masks, CrystFEL bad regions), on the given panels (null: every panel).</summary>
        public ImageMask AddDeclaredBadRegions(IEnumerable<int>? panels = null)
        {
            _regions.Add(new DeclaredRegion { Panels = panels?.ToArray() });
            return this;
        }

        /// <summary>The image with these regions masked. Pixels are shared; a panel's mask is copied only when it changes.</summary>
        public DiffractionImage Apply(DiffractionImage image) => Apply(image, out _);

        /// <summary>As <see cref="Apply(DiffractionImage)"/>, also giving how many usable pixels were newly masked.</summary>
        public DiffractionImage Apply(DiffractionImage image, out long newlyMasked)
        {
            if (image == null) throw new ArgumentNullException(nameof(image));
            newlyMasked = 0;
            var result = new PanelImage[image.PanelCount];
            for (int p = 0; p < image.PanelCount; p++)
            {
                var data = image.PanelImages[p];
                byte[]? mask = null;
                foreach (var region in _regions)
                {
                    if (!region.AppliesTo(p)) continue;
                    newlyMasked += ApplyRegion(region, image, p, data, ref mask);
                }
                result[p] = mask == null ? data : data.WithMask(mask);
            }
            return image.WithPanelImages(result);
        }

        private static long ApplyRegion(Region region, DiffractionImage image, int p, PanelImage data, ref byte[]? mask)
        {
            int w = data.Width, h = data.Height;
            long n = 0;
            switch (region)
            {
                case RectRegion r:
                {
                    // Centres i + 0.5 in [x0, x1)  ⇔  ceil(x0 − 0.5) ≤ i < ceil(x1 − 0.5).
                    int i0 = Clamp(Math.Ceiling(r.X0 - 0.5), w), i1 = Clamp(Math.Ceiling(r.X1 - 0.5), w);
                    int j0 = Clamp(Math.Ceiling(r.Y0 - 0.5), h), j1 = Clamp(Math.Ceiling(r.Y1 - 0.5), h);
                    for (int j = j0; j < j1; j++)
                        for (int i = i0; i < i1; i++) n += Clear(data, ref mask, j * w + i);
                    break;
                }
                case CircleRegion c:
                {
                    int j0 = Clamp(Math.Ceiling(c.Cy - c.R - 0.5), h), j1 = Clamp(Math.Floor(c.Cy + c.R - 0.5) + 1, h);
                    double r2 = c.R * c.R;
                    for (int j = j0; j < j1; j++)
                    {
                        double dy = j + 0.5 - c.Cy;
                        double half = r2 - dy * dy;
                        if (half < 0) continue;
                        double dx = Math.Sqrt(half);
                        int i0 = Clamp(Math.Ceiling(c.Cx - dx - 0.5), w), i1 = Clamp(Math.Floor(c.Cx + dx - 0.5) + 1, w);
                        for (int i = i0; i < i1; i++)
                        {
                            double ex = i + 0.5 - c.Cx;
                            if (ex * ex + dy * dy <= r2) n += Clear(data, ref mask, j * w + i);
                        }
                    }
                    break;
                }
                case ResolutionRegion rr:
                {
                    var panel = image.Detector.Panels[p];
                    var beam = image.Beam;
                    // d ∈ [dmin, dmax] ⇔ |s1 − s0| ∈ [1/dmax, 1/dmin]; compare squared lengths, no trigonometry per pixel.
                    double qMin = double.IsPositiveInfinity(rr.DMax) ? 0 : 1 / rr.DMax;
                    double qMax = rr.DMin == 0 ? double.PositiveInfinity : 1 / rr.DMin;
                    double q2Min = qMin * qMin, q2Max = qMax * qMax, k = 1 / beam.Wavelength;
                    var s0 = beam.S0;
                    var fast = panel.FastAxis * panel.PixelSize;
                    var slow = panel.SlowAxis * panel.PixelSizeSlow;
                    for (int j = 0; j < h; j++)
                    {
                        var rowStart = panel.Origin + slow * (j + 0.5) + fast * 0.5;
                        for (int i = 0; i < w; i++)
                        {
                            var lab = rowStart + fast * i;
                            double len = lab.Length;
                            double qx = lab.X / len * k - s0.X, qy = lab.Y / len * k - s0.Y, qz = lab.Z / len * k - s0.Z;
                            double q2 = qx * qx + qy * qy + qz * qz;
                            if (q2 >= q2Min && q2 <= q2Max) n += Clear(data, ref mask, j * w + i);
                        }
                    }
                    break;
                }
                case DeclaredRegion _:
                    foreach (var b in image.Detector.Panels[p].BadRegions)
                    {
                        var c = b.ClipTo(w, h);
                        for (int j = c.SlowMin; j < c.SlowMax; j++)
                            for (int i = c.FastMin; i < c.FastMax; i++) n += Clear(data, ref mask, j * w + i);
                    }
                    break;
                case ArrayRegion a:
                {
                    if (a.Width != w || a.Height != h)
                        throw new ArgumentException($"The mask for panel {p} is {a.Width}x{a.Height} px but the panel is {w}x{h}.");
                    for (int i = 0; i < a.Usable.Length; i++)
                        if (a.Usable[i] == 0) n += Clear(data, ref mask, i);
                    break;
                }
            }
            return n;
        }

        private static int Clear(PanelImage data, ref byte[]? mask, int index)
        {
            var current = mask ?? data.Mask;
            if (current[index] == 0) return 0;
            if (mask == null) { mask = (byte[])data.Mask.Clone(); }
            mask[index] = 0;
            return 1;
        }

        private static int Clamp(double v, int max) => v <= 0 ? 0 : v >= max ? max : (int)v;
    }
}
