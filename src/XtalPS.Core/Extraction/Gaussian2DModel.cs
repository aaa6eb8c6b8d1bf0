using System;
using System.Globalization;

namespace XtalPS.Extraction
{
    /// <summary>
    /// A 2D Gaussian peak on a background plane, as IPLT's LatticeGaussianExtract fits it:
    /// m(x, y) = Amplitude·exp(−½·qᵀ·S⁻¹·q) + C + Px·(x − x0) + Py·(y − y0), q = (x − x0, y − y0).
    /// The shape is held as the inverse covariance S⁻¹ = [[InvXX, InvXY], [InvXY, InvYY]] — smooth and linear-ish
    /// for the fit — and reported as σ_major, σ_minor and the orientation of the major axis.
    /// </summary>
    public readonly struct Gaussian2DModel
    {
        public Gaussian2DModel(double amplitude, double x0, double y0, double invXX, double invXY, double invYY,
            double background, double tiltX, double tiltY)
        {
            Amplitude = amplitude; X0 = x0; Y0 = y0; InvXX = invXX; InvXY = invXY; InvYY = invYY;
            Background = background; TiltX = tiltX; TiltY = tiltY;
        }

        /// <summary>Builds the model from widths (px) and the angle of the σx axis from +x (degrees).</summary>
        public static Gaussian2DModel FromWidths(double amplitude, double x0, double y0, double sigmaMajor, double sigmaMinor,
            double orientationDegrees, double background = 0, double tiltX = 0, double tiltY = 0)
        {
            double t = orientationDegrees * Math.PI / 180, c = Math.Cos(t), s = Math.Sin(t);
            double i1 = 1 / (sigmaMajor * sigmaMajor), i2 = 1 / (sigmaMinor * sigmaMinor);
            // S⁻¹ = R·diag(1/σ1², 1/σ2²)·Rᵀ with R's first column the major axis (c, s).
            return new Gaussian2DModel(amplitude, x0, y0, c * c * i1 + s * s * i2, c * s * (i1 - i2), s * s * i1 + c * c * i2,
                background, tiltX, tiltY);
        }

        /// <summary>Peak height above the background.</summary>
        public double Amplitude { get; }
        /// <summary>Centre along x (fast), px.</summary>
        public double X0 { get; }
        /// <summary>Centre along y (slow), px.</summary>
        public double Y0 { get; }
        public double InvXX { get; }
        public double InvXY { get; }
        public double InvYY { get; }
        /// <summary>Background plane offset C at the centre (x0, y0).</summary>
        public double Background { get; }
        /// <summary>Background slope Px along x, per px.</summary>
        public double TiltX { get; }
        /// <summary>Background slope Py along y, per px.</summary>
        public double TiltY { get; }

        /// <summary>True when the shape is a proper (positive-definite) Gaussian.</summary>
        public bool IsProper => InvXX > 0 && InvYY > 0 && InvXX * InvYY - InvXY * InvXY > 0;

        private void Eigen(out double l1, out double l2, out double angle)
        {
            // Eigenvalues of the inverse covariance: the smaller one belongs to the major axis.
            double tr = InvXX + InvYY, det = InvXX * InvYY - InvXY * InvXY;
            double disc = Math.Sqrt(Math.Max(0, tr * tr / 4 - det));
            l1 = tr / 2 - disc; // major axis (smallest curvature)
            l2 = tr / 2 + disc;
            angle = 0.5 * Math.Atan2(-2 * InvXY, InvYY - InvXX);
        }

        /// <summary>σ along the major axis, px (NaN if the shape is not proper).</summary>
        public double SigmaMajor { get { Eigen(out double l1, out _, out _); return IsProper ? 1 / Math.Sqrt(l1) : double.NaN; } }
        /// <summary>σ along the minor axis, px.</summary>
        public double SigmaMinor { get { Eigen(out _, out double l2, out _); return IsProper ? 1 / Math.Sqrt(l2) : double.NaN; } }

        /// <summary>Angle of the major axis from +x toward +y, degrees in (−90, 90].</summary>
        public double Orientation
        {
            get
            {
                if (!IsProper) return double.NaN;
                Eigen(out _, out _, out double a);
                double deg = a * 180 / Math.PI;
                if (deg <= -90) deg += 180;
                if (deg > 90) deg -= 180;
                return deg;
            }
        }

        /// <summary>Integral of the Gaussian over the plane: 2π·A·σ_major·σ_minor.</summary>
        public double Volume => IsProper ? 2 * Math.PI * Amplitude / Math.Sqrt(InvXX * InvYY - InvXY * InvXY) : double.NaN;

        /// <summary>Value of the Gaussian alone (no background) at a point.</summary>
        public double Peak(double x, double y)
        {
            double dx = x - X0, dy = y - Y0;
            return Amplitude * Math.Exp(-0.5 * (InvXX * dx * dx + 2 * InvXY * dx * dy + InvYY * dy * dy));
        }

        /// <summary>Value of the whole model at a point.</summary>
        public double Evaluate(double x, double y) => Peak(x, y) + Background + TiltX * (x - X0) + TiltY * (y - Y0);

        /// <summary>The same shape, normalised to unit volume, at another centre: a profile for profile fitting.</summary>
        public Gaussian2DModel AsProfile(double x0, double y0)
        {
            double det = InvXX * InvYY - InvXY * InvXY;
            return new Gaussian2DModel(Math.Sqrt(det) / (2 * Math.PI), x0, y0, InvXX, InvXY, InvYY, 0, 0, 0);
        }

        public override string ToString() => string.Format(CultureInfo.InvariantCulture,
            "A {0:0.##} at ({1:0.###}, {2:0.###}) σ {3:0.###}/{4:0.###} ∠{5:0.#}° C {6:0.##} P ({7:0.####}, {8:0.####})",
            Amplitude, X0, Y0, SigmaMajor, SigmaMinor, Orientation, Background, TiltX, TiltY);
    }
}
