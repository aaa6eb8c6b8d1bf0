using System;
using System.Collections.Generic;
using System.Globalization;
using XtalPS.Geometry;
using XtalPS.Imaging;
using XtalPS.Spots;

namespace XtalPS.Lattices
{
    /// <summary>A lattice point on an image: its index and predicted position (px).</summary>
    public readonly struct LatticePoint
    {
        public LatticePoint(int h, int k, double x, double y) { H = h; K = k; X = x; Y = y; }
        public int H { get; }
        public int K { get; }
        public double X { get; }
        public double Y { get; }
        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "({0},{1}) at ({2:0.###}, {3:0.###})", H, K, X, Y);
    }

    /// <summary>
    /// A 2D lattice in image pixels: l(h,k) = Origin + D(|v|)·v with v = h·A + k·B, where the optional
    /// barrel (K_b) and spiral (K_s) terms of IPLT's lattice model bend it:
    /// D = [[1 + K_b|v|², K_s|v|²], [−K_s|v|², 1 + K_b|v|²]].
    /// </summary>
    public sealed class PlanarLattice : Lattice
    {
        public PlanarLattice(Vec2 origin, Vec2 a, Vec2 b, DiffractionImage? image = null, SpotList? spots = null,
            int indexedCount = 0, double rmsd = double.NaN, double barrelDistortion = 0, double spiralDistortion = 0)
            : base(image, spots, indexedCount, rmsd)
        {
            if (Math.Abs(a.Cross(b)) < 1e-9) throw new ArgumentException("The lattice vectors A and B must not be parallel.");
            Origin = origin; A = a; B = b; BarrelDistortion = barrelDistortion; SpiralDistortion = spiralDistortion;
        }

        public override LatticeKind Kind => LatticeKind.Planar;
        /// <summary>Position of lattice point (0,0), px.</summary>
        public Vec2 Origin { get; }
        /// <summary>First basis vector, px.</summary>
        public Vec2 A { get; }
        /// <summary>Second basis vector, px.</summary>
        public Vec2 B { get; }
        /// <summary>Angle between A and B, degrees.</summary>
        public double Gamma => A.AngleTo(B);
        /// <summary>Barrel distortion K_b (1/px²).</summary>
        public double BarrelDistortion { get; }
        /// <summary>Spiral distortion K_s (1/px²).</summary>
        public double SpiralDistortion { get; }

        /// <summary>Predicted position of lattice point (h, k).</summary>
        public Vec2 Predict(double h, double k)
        {
            var v = h * A + k * B;
            if (BarrelDistortion == 0 && SpiralDistortion == 0) return Origin + v;
            double r2 = v.Dot(v);
            double kb = BarrelDistortion * r2, ks = SpiralDistortion * r2;
            return Origin + new Vec2((1 + kb) * v.X + ks * v.Y, -ks * v.X + (1 + kb) * v.Y);
        }

        /// <summary>Fractional indices of a position (ignoring distortion).</summary>
        public Vec2 FractionalIndices(Vec2 position)
        {
            var d = position - Origin;
            double det = A.Cross(B);
            return new Vec2(d.Cross(B) / det, A.Cross(d) / det);
        }

        /// <summary>Every lattice point predicted on a width × height image, at least <paramref name="margin"/> px inside.</summary>
        public IEnumerable<LatticePoint> PredictOnImage(int width, int height, double margin = 0)
        {
            var corners = new[] { new Vec2(0, 0), new Vec2(width, 0), new Vec2(0, height), new Vec2(width, height) };
            double hMin = double.MaxValue, hMax = double.MinValue, kMin = double.MaxValue, kMax = double.MinValue;
            foreach (var c in corners)
            {
                var f = FractionalIndices(c);
                hMin = Math.Min(hMin, f.X); hMax = Math.Max(hMax, f.X); kMin = Math.Min(kMin, f.Y); kMax = Math.Max(kMax, f.Y);
            }
            // Distortion can move points; widen the search by a couple of indices.
            for (int h = (int)Math.Floor(hMin) - 2; h <= (int)Math.Ceiling(hMax) + 2; h++)
                for (int k = (int)Math.Floor(kMin) - 2; k <= (int)Math.Ceiling(kMax) + 2; k++)
                {
                    var p = Predict(h, k);
                    if (p.X >= margin && p.Y >= margin && p.X < width - margin && p.Y < height - margin)
                        yield return new LatticePoint(h, k, p.X, p.Y);
                }
        }

        /// <summary>Lattice points on this lattice's own image (panel 0).</summary>
        public IEnumerable<LatticePoint> PredictOnImage(double margin = 0)
        {
            if (Image != null) return PredictOnImage(Image.PanelImages[0].Width, Image.PanelImages[0].Height, margin);
            if (Source != null) return PredictOnImage(Source.Detector.Panels[0].Width, Source.Detector.Panels[0].Height, margin);
            throw new InvalidOperationException("This lattice has no image; give the image size.");
        }

        public PlanarLattice With(Vec2 origin, Vec2 a, Vec2 b, int indexedCount, double rmsd) =>
            new PlanarLattice(origin, a, b, Image, Spots, indexedCount, rmsd, BarrelDistortion, SpiralDistortion);

        public override string Summary => string.Format(CultureInfo.InvariantCulture,
            "origin {0} a {1} b {2} γ {3:0.##}°", Origin, A, B, Gamma);
    }
}
