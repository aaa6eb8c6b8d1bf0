using System;
using System.Collections.Generic;
using XtalPS.Geometry;
using XtalPS.Spots;

namespace XtalPS.Lattices
{
    /// <summary>The spots an indexer works on, as flat arrays: reciprocal vector s1 − s0 (1/Å), panel and pixel position.</summary>
    internal sealed class SpotObservations
    {
        public readonly BraggSpot[] Spots;
        public readonly Vec3[] R;
        public readonly double[] Q;
        public readonly int[] Panel;
        public readonly double[] X, Y;
        /// <summary>Index of each observation in the original spot list.</summary>
        public readonly int[] Source;

        private SpotObservations(int n)
        {
            Spots = new BraggSpot[n]; R = new Vec3[n]; Q = new double[n]; Panel = new int[n]; X = new double[n]; Y = new double[n]; Source = new int[n];
        }

        public int Count => R.Length;

        /// <summary>Spots with a finite reciprocal vector and d ≥ dMin (the geometry is filled from the image when missing).</summary>
        public static SpotObservations From(SpotList list, DetectorModel detector, Beam beam, double dMin)
        {
            var keep = new List<(BraggSpot S, Vec3 R, int Source)>();
            for (int i = 0; i < list.Spots.Count; i++)
            {
                var s = list.Spots[i];
                if (s.Panel < 0 || s.Panel >= detector.PanelCount) continue;
                // Recompute from the detector given (it may be a refined or overridden one).
                var r = detector.Panels[s.Panel].PixelToReciprocal(s.X, s.Y, beam);
                if (double.IsNaN(r.X) || double.IsInfinity(r.X)) continue;
                double q = r.Length;
                if (!(q > 0)) continue;
                if (dMin > 0 && 1 / q < dMin) continue;
                keep.Add((s, r, i));
            }
            var o = new SpotObservations(keep.Count);
            for (int i = 0; i < keep.Count; i++)
            {
                o.Spots[i] = keep[i].S; o.R[i] = keep[i].R; o.Q[i] = keep[i].R.Length; o.Panel[i] = keep[i].S.Panel;
                o.X[i] = keep[i].S.X; o.Y[i] = keep[i].S.Y; o.Source[i] = keep[i].Source;
            }
            return o;
        }

        public SpotObservations Subset(IReadOnlyList<int> indices)
        {
            var o = new SpotObservations(indices.Count);
            for (int j = 0; j < indices.Count; j++)
            {
                int i = indices[j];
                o.Spots[j] = Spots[i]; o.R[j] = R[i]; o.Q[j] = Q[i]; o.Panel[j] = Panel[i]; o.X[j] = X[i]; o.Y[j] = Y[i]; o.Source[j] = Source[i];
            }
            return o;
        }
    }
}
