using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using XtalPS.Geometry;
using XtalPS.Integration;
using XtalPS.Lattices;

namespace XtalPS.Extraction
{
    /// <summary>How the intensities of a tilted pattern are put on the scale of an untilted one.</summary>
    public enum TiltIntensityCorrection
    {
        /// <summary>
        /// × cos²θ: the crystal is larger than the beam. Kinematically a reflection's integrated intensity is
        /// N·|F|²/A_p, with N the unit cells in the beam and A_p the cell area seen along the beam; tilting multiplies
        /// N by 1/cos θ (more crystal under the same beam) and divides A_p by 1/cos θ, so I grows as 1/cos²θ.
        /// </summary>
        BeamLimited,
        /// <summary>× cos θ: the whole crystal is in the beam (N fixed); only the projected cell area changes.</summary>
        WholeCrystal,
        /// <summary>No correction (per-image scales in merging absorb it).</summary>
        None,
    }

    /// <summary>Settings of the tilt step.</summary>
    public sealed class LatticeTiltSettings
    {
        /// <summary>The untilted cell.</summary>
        public PlanarCell Cell { get; set; }
        /// <summary>Camera constant λL/pixel (px·Å); NaN to take it from the image's detector distance, pixel size and wavelength.</summary>
        public double CameraConstant { get; set; } = double.NaN;
        /// <summary>Largest relative difference between the fitted and the expected camera constant.</summary>
        public double ScaleTolerance { get; set; } = 0.05;
        public TiltIntensityCorrection IntensityCorrection { get; set; } = TiltIntensityCorrection.BeamLimited;
    }

    /// <summary>
    /// The tilt step of one pattern (IPLT/2dx after integration): the tilt geometry fitted from the measured lattice,
    /// and the reflections re-indexed to the cell's setting with z*, σ(z*) and tilt-corrected intensities.
    /// </summary>
    public sealed class LatticeTilt
    {
        public const string Stage = "Tilt";

        private LatticeTilt(TiltGeometry geometry, ReflectionTable table, double factor, int centres, double rmsd)
        {
            Geometry = geometry; ReflectionTable = table; IntensityFactor = factor; CentresUsed = centres; Rmsd = rmsd;
        }

        public TiltGeometry Geometry { get; }
        /// <summary>The reflections in the cell's setting, with ZStar and corrected I and σ.</summary>
        public ReflectionTable ReflectionTable { get; }
        public string ImageName => ReflectionTable.ImageName;
        /// <summary>The factor I and σ were multiplied by.</summary>
        public double IntensityFactor { get; }
        /// <summary>Fitted centres the basis (and its covariance) came from; 0 when the lattice's own basis was used.</summary>
        public int CentresUsed { get; }
        /// <summary>RMS distance of those centres from the fitted lattice, px.</summary>
        public double Rmsd { get; }
        public double TiltAngle => Geometry.TiltAngle;
        public double TiltAngleSigma => Geometry.TiltAngleSigma;
        public double TiltAxis => Geometry.TiltAxis;
        public double TiltAxisSigma => Geometry.TiltAxisSigma;
        public double Taxa => Geometry.Taxa;
        public double Tltaxa => Geometry.Tltaxa;
        public int Hand => Geometry.Hand;
        public double CameraConstant => Geometry.Scale;

        /// <summary>The camera constant (px·Å) the detector model implies: distance × wavelength / pixel size; NaN without geometry.</summary>
        public static double NominalCameraConstant(Imaging.DiffractionImage? image) => NominalCameraConstant(image?.Source);

        /// <summary>The same from the image's geometry as a pixel-free table or lattice carries it.</summary>
        public static double NominalCameraConstant(Imaging.ImageSource? source)
        {
            if (source == null || source.Detector == null || source.Beam == null || source.Detector.PanelCount < 1) return double.NaN;
            double d = source.Detector.Distance, p = source.Detector.Panels[0].PixelSize, l = source.Beam.Wavelength;
            // TIFF and MRC files carry no geometry; their placeholder (100 mm, 0.1 mm pixels, 1 Å) says nothing.
            bool placeholder = (source.Format == "TIFF" || source.Format == "MRC") && d == 100.0 && p == 0.1 && l == 1.0;
            return !placeholder && d > 0 && p > 0 && l > 0 ? d * l / p : double.NaN;
        }

        /// <summary>Runs the tilt step on one table (the output of extraction or integration of a planar lattice).</summary>
        public static LatticeTilt Apply(ReflectionTable table, LatticeTiltSettings settings)
        {
            var lattice = (table.RefinedLattice ?? table.Lattice) as PlanarLattice;
            // The basis from the fitted centres (weighted least squares), which also gives its covariance.
            var fit = FitBasis(table.Reflections);
            Vec2 a, b; double[,]? cov = null; int used = 0; double rmsd = double.NaN;
            if (fit != null) { (a, b, cov, used, rmsd) = fit.Value; }
            else if (lattice != null) { a = lattice.A; b = lattice.B; rmsd = lattice.Rmsd; }
            else throw new TiltGeometryException("NoPlanarLattice", $"{table.ImageName}: the table has neither a planar lattice nor enough fitted centres for the tilt step.");
            double nominal = double.IsNaN(settings.CameraConstant) ? NominalCameraConstant(table.Source) : settings.CameraConstant;
            var g = TiltGeometryFit.Fit(a, b, settings.Cell, nominal, settings.ScaleTolerance, cov);
            double c = Math.Cos(g.TiltAngle * Math.PI / 180);
            double factor = settings.IntensityCorrection switch
            {
                TiltIntensityCorrection.BeamLimited => c * c,
                TiltIntensityCorrection.WholeCrystal => c,
                _ => 1,
            };
            var outRows = new List<Reflection>(table.Count);
            foreach (var r in table.Reflections)
            {
                var x = r.Clone();
                (x.H, x.K) = g.ToCellIndices(r.H, r.K);
                x.L = 0;
                x.ZStar = g.ZStar(x.H, x.K);
                x.ZStarSigma = g.ZStarSigma(x.H, x.K);
                x.Intensity = r.Intensity * factor;
                x.Sigma = r.Sigma * factor;
                outRows.Add(x);
            }
            var t = new ReflectionTable(table.Image, table.Lattice, table.RefinedLattice, outRows, Stage, table.ImageName, table.Source);
            return new LatticeTilt(g, t, factor, used, rmsd);
        }

        /// <summary>
        /// Weighted linear least squares of the well-behaved fitted centres on their indices, x = Ox + h·Ax + k·Bx and
        /// likewise in y, with weights 1/σ²; the covariance is scaled by the reduced χ² when that exceeds 1.
        /// </summary>
        internal static (Vec2 A, Vec2 B, double[,] Cov, int N, double Rmsd)? FitBasis(IReadOnlyList<Reflection> rows)
        {
            var use = rows.Where(r => r.WellBehaved && !double.IsNaN(r.X) && !double.IsNaN(r.Y) && r.XSigma > 0 && r.YSigma > 0).ToList();
            if (use.Count < 6) return null;
            var nx = new double[3, 3]; var ny = new double[3, 3];
            var bx = new double[3]; var by = new double[3];
            foreach (var r in use)
            {
                var f = new[] { 1.0, r.H, r.K };
                double wx = 1 / (r.XSigma * r.XSigma), wy = 1 / (r.YSigma * r.YSigma);
                for (int i = 0; i < 3; i++)
                {
                    bx[i] += wx * f[i] * r.X; by[i] += wy * f[i] * r.Y;
                    for (int j = 0; j < 3; j++) { nx[i, j] += wx * f[i] * f[j]; ny[i, j] += wy * f[i] * f[j]; }
                }
            }
            var ix = Invert3(nx); var iy = Invert3(ny);
            if (ix == null || iy == null) return null;
            var px = Mul(ix, bx); var py = Mul(iy, by);
            double chiX = 0, chiY = 0, ss = 0;
            foreach (var r in use)
            {
                double dx = r.X - (px[0] + r.H * px[1] + r.K * px[2]), dy = r.Y - (py[0] + r.H * py[1] + r.K * py[2]);
                chiX += dx * dx / (r.XSigma * r.XSigma); chiY += dy * dy / (r.YSigma * r.YSigma); ss += dx * dx + dy * dy;
            }
            int dof = use.Count - 3;
            double sx = Math.Max(1, chiX / dof), sy = Math.Max(1, chiY / dof);
            var cov = new double[4, 4];
            // Order (Ax, Ay, Bx, By); x and y are independent.
            cov[0, 0] = sx * ix[1, 1]; cov[0, 2] = cov[2, 0] = sx * ix[1, 2]; cov[2, 2] = sx * ix[2, 2];
            cov[1, 1] = sy * iy[1, 1]; cov[1, 3] = cov[3, 1] = sy * iy[1, 2]; cov[3, 3] = sy * iy[2, 2];
            return (new Vec2(px[1], py[1]), new Vec2(px[2], py[2]), cov, use.Count, Math.Sqrt(ss / use.Count));
        }

        private static double[] Mul(double[,] m, double[] v) => new[]
        {
            m[0, 0] * v[0] + m[0, 1] * v[1] + m[0, 2] * v[2], m[1, 0] * v[0] + m[1, 1] * v[1] + m[1, 2] * v[2], m[2, 0] * v[0] + m[2, 1] * v[1] + m[2, 2] * v[2],
        };

        private static double[,]? Invert3(double[,] m)
        {
            double det = m[0, 0] * (m[1, 1] * m[2, 2] - m[1, 2] * m[2, 1]) - m[0, 1] * (m[1, 0] * m[2, 2] - m[1, 2] * m[2, 0]) + m[0, 2] * (m[1, 0] * m[2, 1] - m[1, 1] * m[2, 0]);
            if (!(Math.Abs(det) > 1e-300)) return null;
            var r = new double[3, 3];
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++)
                {
                    int i1 = (j + 1) % 3, i2 = (j + 2) % 3, j1 = (i + 1) % 3, j2 = (i + 2) % 3;
                    r[i, j] = (m[i1, j1] * m[i2, j2] - m[i1, j2] * m[i2, j1]) / det;
                }
            return r;
        }

        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "{0}: {1}", ImageName, Geometry);
    }
}
