using System;
using System.Globalization;

namespace XtalPS.Lattices
{
    /// <summary>
    /// The real-space cell of a 2D crystal in its own plane: a, b (Å) and the angle γ between them (degrees),
    /// as 2dx and IPLT take it for an untilted crystal (the membrane plane; c is the crystal thickness, not a lattice repeat).
    /// </summary>
    public readonly struct PlanarCell
    {
        public PlanarCell(double a, double b, double gamma)
        {
            if (!(a > 0) || !(b > 0) || double.IsInfinity(a) || double.IsInfinity(b)) throw new ArgumentOutOfRangeException(nameof(a), "The cell edges a and b must be positive lengths (Å).");
            if (!(gamma > 1) || !(gamma < 179)) throw new ArgumentOutOfRangeException(nameof(gamma), "The cell angle γ must lie between 1° and 179°.");
            A = a; B = b; Gamma = gamma;
        }

        /// <summary>Cell edge a, Å.</summary>
        public double A { get; }
        /// <summary>Cell edge b, Å.</summary>
        public double B { get; }
        /// <summary>Angle between a and b, degrees.</summary>
        public double Gamma { get; }

        private double SinGamma => Math.Sin(Gamma * Math.PI / 180);
        /// <summary>|a*| = 1/(a sin γ), 1/Å.</summary>
        public double AStar => 1 / (A * SinGamma);
        /// <summary>|b*| = 1/(b sin γ), 1/Å.</summary>
        public double BStar => 1 / (B * SinGamma);
        /// <summary>γ* = 180° − γ.</summary>
        public double GammaStar => 180 - Gamma;
        /// <summary>Area of the cell, Å².</summary>
        public double Area => A * B * SinGamma;

        /// <summary>a* and b* in the crystal's own plane frame: a* along x, b* at γ* counter-clockwise from it (1/Å).</summary>
        public (double Ax, double Ay, double Bx, double By) ReciprocalBasis()
        {
            double gs = GammaStar * Math.PI / 180;
            return (AStar, 0, BStar * Math.Cos(gs), BStar * Math.Sin(gs));
        }

        /// <summary>The reciprocal metric [a*·a*, a*·b*, b*·b*] (1/Å²).</summary>
        public (double G11, double G12, double G22) ReciprocalMetric()
        {
            double gs = GammaStar * Math.PI / 180;
            return (AStar * AStar, AStar * BStar * Math.Cos(gs), BStar * BStar);
        }

        /// <summary>|h a* + k b*| in the crystal plane, 1/Å.</summary>
        public double PlanarReciprocalLength(double h, double k)
        {
            var (g11, g12, g22) = ReciprocalMetric();
            return Math.Sqrt(Math.Max(0, h * h * g11 + 2 * h * k * g12 + k * k * g22));
        }

        public static PlanarCell FromArray(double[] v)
        {
            if (v == null || v.Length != 3) throw new ArgumentException("A planar cell is three numbers: a, b (Å) and γ (degrees).");
            return new PlanarCell(v[0], v[1], v[2]);
        }

        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "a {0:0.###} Å b {1:0.###} Å γ {2:0.##}°", A, B, Gamma);
    }
}
