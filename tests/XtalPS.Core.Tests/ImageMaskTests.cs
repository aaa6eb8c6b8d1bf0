using System;
using System.Linq;
using XtalPS.Geometry;
using XtalPS.Imaging;
using Xunit;

namespace XtalPS.Core.Tests
{
    public class ImageMaskTests
    {
        private static DiffractionImage Flat(int w, int h, double pixel = 0.1, double distance = 100, double bx = double.NaN, double by = double.NaN, int panels = 1)
        {
            var detector = DetectorModel.SinglePanel("P", w, h, pixel, distance, double.IsNaN(bx) ? w / 2.0 : bx, double.IsNaN(by) ? h / 2.0 : by);
            if (panels > 1)
                detector = new DetectorModel("D", Enumerable.Range(0, panels).Select(i => detector.Panels[0].WithFrame(detector.Panels[0].Origin + new Vec3(0, -i * h * pixel * 1.1, 0), Vec3.UnitX, -Vec3.UnitY)));
            var images = Enumerable.Range(0, panels).Select(i => new PanelImage(i, w, h, new float[w * h]));
            return new DiffractionImage("", 0, "Test", detector, new Beam(1.0), images);
        }

        /// <summary>Pixel centres (i + ½, j + ½) within r of (cx, cy), counted row by row from the chord half-width —
        /// a different route from the mask's own loop.</summary>
        private static long CircleCount(double cx, double cy, double r, int w, int h)
        {
            long n = 0;
            for (int j = 0; j < h; j++)
            {
                double dy = j + 0.5 - cy;
                if (dy * dy > r * r) continue;
                double half = Math.Sqrt(r * r - dy * dy);
                long lo = Math.Max(0, (long)Math.Ceiling(cx - half - 0.5)), hi = Math.Min(w - 1, (long)Math.Floor(cx + half - 0.5));
                if (hi >= lo) n += hi - lo + 1;
            }
            return n;
        }

        [Fact]
        public void Rectangle_masks_exactly_its_area_and_shares_the_pixels()
        {
            var image = Flat(100, 80);
            var masked = new ImageMask().AddRectangle(10, 20, 30, 25).Apply(image, out long n);
            Assert.Equal(20 * 5, n);
            Assert.Equal(100, masked.PanelImages[0].MaskedCount);
            Assert.False(masked.PanelImages[0].IsValid(10, 20));
            Assert.False(masked.PanelImages[0].IsValid(29, 24));
            Assert.True(masked.PanelImages[0].IsValid(30, 24));
            Assert.True(masked.PanelImages[0].IsValid(9, 20));
            Assert.Same(image.PanelImages[0].Pixels, masked.PanelImages[0].Pixels);
            Assert.Equal(0, image.PanelImages[0].MaskedCount); // the input is untouched
            // Partly off the panel: clipped. Fractional bounds: judged at pixel centres.
            Assert.Equal(5L * 80, CountNew(new ImageMask().AddRectangle(95, -10, 200, 500), image));
            Assert.Equal(2L * 1, CountNew(new ImageMask().AddRectangle(0.6, 0.4, 2.6, 1.4), image)); // centres 1.5, 2.5 × 0.5
        }

        private static long CountNew(ImageMask m, DiffractionImage image) { m.Apply(image, out long n); return n; }

        [Theory]
        [InlineData(50, 40, 10)]
        [InlineData(50.5, 40.5, 7.3)]
        [InlineData(3, 4, 12)]       // clipped by two edges
        [InlineData(20, 20, 0)]
        public void Circle_masks_the_pixel_centres_inside(double cx, double cy, double r)
        {
            var image = Flat(100, 80);
            Assert.Equal(CircleCount(cx, cy, r, 100, 80), CountNew(new ImageMask().AddCircle(cx, cy, r), image));
        }

        [Fact]
        public void Circle_area_tends_to_pi_r_squared()
        {
            var image = Flat(400, 400);
            long n = CountNew(new ImageMask().AddCircle(200, 200, 150), image);
            Assert.InRange(n, Math.PI * 150 * 150 - 2 * Math.PI * 150, Math.PI * 150 * 150 + 2 * Math.PI * 150);
        }

        [Fact]
        public void Resolution_range_masks_the_bragg_annulus()
        {
            // Flat detector normal to the beam: d ↔ radius ρ = D·tan 2θ with sin θ = λ / 2d (Bragg).
            const double lambda = 1.0, distance = 100, pixel = 0.1;
            var image = Flat(1000, 1000, pixel, distance, 500, 500);
            double Radius(double d) => distance * Math.Tan(2 * Math.Asin(lambda / (2 * d))) / pixel;
            double dmin = 3.5, dmax = 4.0;
            long expected = CircleCount(500, 500, Radius(dmin), 1000, 1000) - CountOpenDisk(500, 500, Radius(dmax), 1000, 1000);
            long got = CountNew(new ImageMask().AddResolutionRange(dmin, dmax), image);
            Assert.Equal(expected, got);
            Assert.True(got > 10000);
            // dmax = ∞ with dmin = 0: everything.
            Assert.Equal(1000L * 1000, CountNew(new ImageMask().AddResolutionRange(0, double.PositiveInfinity), image));
        }

        /// <summary>Centres strictly inside radius r (d strictly above dmax is kept).</summary>
        private static long CountOpenDisk(double cx, double cy, double r, int w, int h)
        {
            long n = 0;
            for (int j = 0; j < h; j++)
                for (int i = 0; i < w; i++)
                {
                    double dx = i + 0.5 - cx, dy = j + 0.5 - cy;
                    if (dx * dx + dy * dy < r * r) n++;
                }
            return n;
        }

        [Fact]
        public void Panel_selection_masks_only_those_panels_and_already_masked_pixels_count_once()
        {
            var image = Flat(50, 40, panels: 3);
            var once = new ImageMask().AddRectangle(0, 0, 10, 10, new[] { 1 }).Apply(image, out long n1);
            Assert.Equal(100, n1);
            Assert.Equal(new[] { 0, 100, 0 }, once.PanelImages.Select(p => p.MaskedCount).ToArray());
            Assert.Same(image.PanelImages[0], once.PanelImages[0]); // untouched panels are shared whole
            var twice = new ImageMask().AddRectangle(5, 5, 15, 15).Apply(once, out long n2);
            Assert.Equal(3 * 100 - 25, n2);
            Assert.Equal(new[] { 100, 175, 100 }, twice.PanelImages.Select(p => p.MaskedCount).ToArray());
        }

        [Fact]
        public void Array_and_declared_bad_regions_mask_their_pixels()
        {
            var image = Flat(20, 10);
            var usable = Enumerable.Repeat((byte)1, 200).ToArray();
            usable[0] = 0; usable[199] = 0;
            Assert.Equal(2, CountNew(new ImageMask().AddArray(0, 20, 10, usable), image));
            Assert.Throws<ArgumentException>(() => new ImageMask().AddArray(0, 10, 10, new byte[100]).Apply(image));
            var withBad = image.WithGeometry(new DetectorModel("P", new[] { image.Detector[0].WithBadRegions(new[] { new PixelRectangle(2, 3, 5, 7) }) }), null);
            Assert.Equal(12, CountNew(new ImageMask().AddDeclaredBadRegions(), withBad)); // the dxtbx convention (f0, s0, f1, s1)
        }

        [Fact]
        public void Bad_shapes_are_refused()
        {
            Assert.Throws<ArgumentException>(() => new ImageMask().AddRectangle(10, 0, 5, 5));
            Assert.Throws<ArgumentException>(() => new ImageMask().AddCircle(1, 1, -2));
            Assert.Throws<ArgumentException>(() => new ImageMask().AddResolutionRange(4, 3));
            Assert.Throws<ArgumentException>(() => new ImageMask().AddResolutionRange(double.NaN, 3));
        }
    }
}
