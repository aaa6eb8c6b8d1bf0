using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace XtalPS.Geometry
{
    /// <summary>One flat sensor of a detector (a whole Pilatus, or one CSPAD ASIC).</summary>
    /// <remarks>
    /// Pixel convention (DIALS): x runs along the fast axis (columns), y along the slow axis (rows); pixel (i, j)
    /// covers [i, i+1) × [j, j+1), so the first pixel's centre is (0.5, 0.5). <see cref="Origin"/> is the lab
    /// position (mm) of the outer corner of the first pixel, so pixel coordinate (x, y) lies at
    /// Origin + x·PixelSize·FastAxis + y·PixelSizeSlow·SlowAxis.
    /// </remarks>
    public sealed class Panel
    {
        public Panel(string name, int width, int height, double pixelSize, Vec3 origin, Vec3 fastAxis, Vec3 slowAxis,
            double trustedMin = double.NegativeInfinity, double trustedMax = double.PositiveInfinity, double gain = 1.0,
            double? pixelSizeSlow = null, double thickness = 0, string material = "",
            IEnumerable<PixelRectangle>? badRegions = null, PanelLayout? layout = null)
        {
            if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), "Panel dimensions must be positive.");
            if (!(pixelSize > 0)) throw new ArgumentOutOfRangeException(nameof(pixelSize), "The pixel size must be positive.");
            Name = name ?? "";
            Width = width;
            Height = height;
            PixelSize = pixelSize;
            PixelSizeSlow = pixelSizeSlow ?? pixelSize;
            Origin = origin;
            FastAxis = fastAxis.Normalized();
            SlowAxis = slowAxis.Normalized();
            TrustedMin = trustedMin;
            TrustedMax = trustedMax;
            Gain = gain;
            Thickness = thickness;
            Material = material ?? "";
            BadRegions = (badRegions ?? Enumerable.Empty<PixelRectangle>()).ToArray();
            Layout = layout;
        }

        public string Name { get; }
        /// <summary>Pixels along the fast axis.</summary>
        public int Width { get; }
        /// <summary>Pixels along the slow axis.</summary>
        public int Height { get; }
        /// <summary>Pixel pitch along the fast axis, mm.</summary>
        public double PixelSize { get; }
        /// <summary>Pixel pitch along the slow axis, mm (equal to <see cref="PixelSize"/> for square pixels).</summary>
        public double PixelSizeSlow { get; }
        /// <summary>Lab position of the outer corner of the first pixel, mm.</summary>
        public Vec3 Origin { get; }
        public Vec3 FastAxis { get; }
        public Vec3 SlowAxis { get; }
        /// <summary>Unit normal FastAxis × SlowAxis.</summary>
        public Vec3 Normal => FastAxis.Cross(SlowAxis).Normalized();
        /// <summary>Pixel values at or below this are not trusted (DIALS's trusted range is exclusive at the low end).</summary>
        public double TrustedMin { get; }
        /// <summary>Pixel values at or above this are not trusted (saturation, overload).</summary>
        public double TrustedMax { get; }
        /// <summary>ADU per photon.</summary>
        public double Gain { get; }
        /// <summary>Sensor thickness in mm (0 when unknown).</summary>
        public double Thickness { get; }
        public string Material { get; }
        /// <summary>Rectangles of pixels the detector description declares unusable (DIALS panel mask, CrystFEL bad regions).</summary>
        public IReadOnlyList<PixelRectangle> BadRegions { get; }
        /// <summary>Where the panel's pixels sit in the file's data array(s); null when the panel is a whole array of its own.</summary>
        public PanelLayout? Layout { get; }

        /// <summary>The lab position (mm) of the centre of the panel.</summary>
        public Vec3 Centre => PixelToLab(Width / 2.0, Height / 2.0);

        /// <summary>Millimetres in the panel plane → lab position (mm).</summary>
        public Vec3 MmToLab(double fastMm, double slowMm) => Origin + FastAxis * fastMm + SlowAxis * slowMm;
        /// <summary>Pixel coordinate → lab position (mm).</summary>
        public Vec3 PixelToLab(double x, double y) => MmToLab(x * PixelSize, y * PixelSizeSlow);

        /// <summary>
        /// Where the ray from the sample along <paramref name="s1"/> meets the panel plane, in pixels;
        /// false when the ray is parallel to or points away from the plane. The point may lie outside the panel.
        /// </summary>
        public bool TryRayToPixel(Vec3 s1, out Vec2 pixel)
        {
            // The same intersection the stills predictor and metrology use.
            var plane = new PanelPlane(Origin, FastAxis, SlowAxis, PixelSize, PixelSizeSlow);
            if (!plane.Intersect(s1, out double xMm, out double yMm, out _)) { pixel = default; return false; }
            pixel = new Vec2(xMm / PixelSize, yMm / PixelSizeSlow);
            return true;
        }

        /// <summary>True when the pixel coordinate lies on the panel.</summary>
        public bool Contains(Vec2 pixel) => pixel.X >= 0 && pixel.Y >= 0 && pixel.X < Width && pixel.Y < Height;

        /// <summary>The scattered wave vector s1 (1/Å, length 1/λ) towards pixel coordinate (x, y).</summary>
        public Vec3 PixelToS1(double x, double y, Beam beam) => PixelToLab(x, y).Normalized() / beam.Wavelength;

        /// <summary>The reciprocal-space vector s1 − s0 (1/Å) of pixel coordinate (x, y).</summary>
        public Vec3 PixelToReciprocal(double x, double y, Beam beam) => PixelToS1(x, y, beam) - beam.S0;

        /// <summary>Scattering angle 2θ in degrees at pixel coordinate (x, y).</summary>
        public double TwoTheta(double x, double y, Beam beam) => PixelToLab(x, y).AngleTo(-beam.Direction);

        /// <summary>Resolution d = λ / (2 sin θ) in Å at pixel coordinate (x, y); infinity on the direct beam.</summary>
        public double Resolution(double x, double y, Beam beam)
        {
            double q = PixelToReciprocal(x, y, beam).Length;
            return q > 0 ? 1.0 / q : double.PositiveInfinity;
        }

        /// <summary>A copy with a new position and orientation (used by geometry overrides and metrology).</summary>
        public Panel WithFrame(Vec3 origin, Vec3 fastAxis, Vec3 slowAxis) =>
            new Panel(Name, Width, Height, PixelSize, origin, fastAxis, slowAxis, TrustedMin, TrustedMax, Gain, PixelSizeSlow, Thickness, Material, BadRegions, Layout);

        public Panel WithTrustedRange(double min, double max) =>
            new Panel(Name, Width, Height, PixelSize, Origin, FastAxis, SlowAxis, min, max, Gain, PixelSizeSlow, Thickness, Material, BadRegions, Layout);

        public Panel WithGain(double gain) =>
            new Panel(Name, Width, Height, PixelSize, Origin, FastAxis, SlowAxis, TrustedMin, TrustedMax, gain, PixelSizeSlow, Thickness, Material, BadRegions, Layout);

        /// <summary>A copy with other declared bad-pixel rectangles.</summary>
        public Panel WithBadRegions(IEnumerable<PixelRectangle> badRegions) =>
            new Panel(Name, Width, Height, PixelSize, Origin, FastAxis, SlowAxis, TrustedMin, TrustedMax, Gain, PixelSizeSlow, Thickness, Material, badRegions, Layout);

        /// <summary>A copy with another data-array layout (null: the panel is a whole array).</summary>
        public Panel WithLayout(PanelLayout? layout) =>
            new Panel(Name, Width, Height, PixelSize, Origin, FastAxis, SlowAxis, TrustedMin, TrustedMax, Gain, PixelSizeSlow, Thickness, Material, BadRegions, layout);

        /// <summary>The four corners of the panel in the lab (mm): first pixel's outer corner, then +fast, +slow, and the far corner.</summary>
        public Vec3[] Corners() => new[] { PixelToLab(0, 0), PixelToLab(Width, 0), PixelToLab(0, Height), PixelToLab(Width, Height) };

        public override string ToString() => string.Format(CultureInfo.InvariantCulture,
            "{0} {1}x{2} px of {3:0.#####} mm at {4}", Name, Width, Height, PixelSize, Origin);
    }
}
