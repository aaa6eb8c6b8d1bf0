using System;

namespace XtalPS.Geometry
{
    /// <summary>Solves small symmetric 3×3 systems (normal equations of a plane fit) by Cramer's rule, refusing
    /// near-singular ones instead of returning huge values.</summary>
    internal static class Symmetric3
    {
        /// <summary>[[a11,a12,a13],[a12,a22,a23],[a13,a23,a33]]·x = b; false (x = 0) when the matrix is near singular.</summary>
        public static bool Solve(double a11, double a12, double a13, double a22, double a23, double a33,
            double b1, double b2, double b3, out double x1, out double x2, out double x3)
        {
            double c11 = a22 * a33 - a23 * a23, c12 = a13 * a23 - a12 * a33, c13 = a12 * a23 - a13 * a22;
            double det = a11 * c11 + a12 * c12 + a13 * c13;
            x1 = x2 = x3 = 0;
            if (!(Math.Abs(det) > 1e-12 * Math.Abs(a11 * a22 * a33))) return false;
            double c22 = a11 * a33 - a13 * a13, c23 = a12 * a13 - a11 * a23, c33 = a11 * a22 - a12 * a12;
            x1 = (c11 * b1 + c12 * b2 + c13 * b3) / det;
            x2 = (c12 * b1 + c22 * b2 + c23 * b3) / det;
            x3 = (c13 * b1 + c23 * b2 + c33 * b3) / det;
            return true;
        }
    }
}
