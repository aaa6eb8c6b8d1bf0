using System;
using XtalPS.Geometry;

namespace XtalPS.Lattices
{
    /// <summary>Orientation helpers: nearest rotation, misorientation between two settings modulo symmetry.</summary>
    public static class CrystalOrientation
    {
        /// <summary>The rotation nearest to <paramref name="m"/> (orthogonal polar factor, Higham's Newton iteration).</summary>
        public static Mat3 NearestRotation(Mat3 m)
        {
            var q = m;
            for (int i = 0; i < 30; i++)
            {
                var next = Average(q, q.Inverse().Transpose());
                double change = MaxAbs(next, q);
                q = next;
                if (change < 1e-15) break;
            }
            return q;
        }

        private static Mat3 Average(Mat3 a, Mat3 b)
        {
            var x = a.ToArray(); var y = b.ToArray();
            for (int i = 0; i < 9; i++) x[i] = 0.5 * (x[i] + y[i]);
            return Mat3.FromArray(x);
        }

        private static double MaxAbs(Mat3 a, Mat3 b)
        {
            var x = a.ToArray(); var y = b.ToArray();
            double m = 0;
            for (int i = 0; i < 9; i++) m = Math.Max(m, Math.Abs(x[i] - y[i]));
            return m;
        }

        /// <summary>
        /// The smallest rotation angle (degrees) that takes setting A1 onto setting A2 when A1 may be re-indexed by any
        /// proper rotation R of the Laue group (h → Rᵀ·h): min over R of angle(polar(A1·Rᵀ·A2⁻¹)). Both settings are A = U·B
        /// matrices (columns a*, b*, c*); cells may differ slightly, the rotation is the orthogonal part.
        /// </summary>
        public static double MisorientationDegrees(Mat3 a1, Mat3 a2, SpaceGroup? spaceGroup)
        {
            var ops = (spaceGroup ?? SpaceGroup.FromNumber(1)).ProperLaueRotations;
            var a2Inverse = a2.Inverse();
            double best = double.MaxValue;
            foreach (var r in ops)
            {
                var m = a1 * r.Transpose() * a2Inverse;
                if (m.Determinant <= 0) continue;
                double angle = NearestRotation(m).RotationAngleDegrees();
                if (angle < best) best = angle;
            }
            return best;
        }
    }
}
