using System;
using System.Collections.Generic;
using XtalPS.Extraction;

namespace XtalPS.Integration
{
    /// <summary>
    /// Reference profiles from neighbouring strong spots (after DIALS's and MOSFLM's position-dependent reference
    /// profiles): for a position on a panel, the median Gaussian shape of the nearest strong well-behaved fits and
    /// their median offset from prediction (fitted − predicted centre). On crystal stills the spot shape and the offset
    /// of the spot centroid from the stills prediction both vary over the detector (mosaic spread and bandwidth
    /// smear spots radially), so a weak spot is best measured with its neighbours' shape at its neighbours' offset.
    /// </summary>
    public sealed class LocalProfiles
    {
        private readonly int[] _panel;
        private readonly double[] _px, _py, _dx, _dy, _ixx, _ixy, _iyy;
        private readonly double[] _dist;
        private readonly int[] _order;
        private readonly double[] _work;

        /// <param name="reflections">An extraction table's reflections; the strong well-behaved ones are the references.</param>
        /// <param name="strongSignificance">A reference's amplitude must exceed this many σ.</param>
        /// <param name="neighbours">References used per position.</param>
        public LocalProfiles(IReadOnlyList<Reflection> reflections, double strongSignificance, int neighbours = 12)
        {
            var refs = new List<Reflection>();
            foreach (var r in reflections)
                if (r.WellBehaved && r.Amplitude > strongSignificance * r.AmplitudeSigma && !double.IsNaN(r.SigmaMajor) && !double.IsNaN(r.X)) refs.Add(r);
            int n = refs.Count;
            _panel = new int[n]; _px = new double[n]; _py = new double[n]; _dx = new double[n]; _dy = new double[n];
            _ixx = new double[n]; _ixy = new double[n]; _iyy = new double[n];
            for (int i = 0; i < n; i++)
            {
                var r = refs[i];
                var g = Gaussian2DModel.FromWidths(1, 0, 0, r.SigmaMajor, r.SigmaMinor, r.Orientation);
                _panel[i] = r.Panel; _px[i] = r.PredictedX; _py[i] = r.PredictedY; _dx[i] = r.X - r.PredictedX; _dy[i] = r.Y - r.PredictedY;
                _ixx[i] = g.InvXX; _ixy[i] = g.InvXY; _iyy[i] = g.InvYY;
            }
            Neighbours = Math.Max(1, neighbours);
            _dist = new double[n]; _order = new int[n]; _work = new double[Neighbours];
        }

        private double Median(double[] values, int k)
        {
            for (int j = 0; j < k; j++) _work[j] = values[_order[j]];
            Array.Sort(_work, 0, k);
            return k % 2 == 1 ? _work[k / 2] : 0.5 * (_work[k / 2 - 1] + _work[k / 2]);
        }

        /// <summary>Strong references available.</summary>
        public int Count => _panel.Length;
        public int Neighbours { get; }

        /// <summary>
        /// The local shape (unit amplitude, centred at 0) and offset from prediction at a predicted position; false when
        /// the panel has fewer than 3 references. Not thread-safe (one instance per image).
        /// </summary>
        public bool TryGet(int panel, double x, double y, out Gaussian2DModel shape, out double offsetX, out double offsetY)
        {
            shape = default; offsetX = offsetY = 0;
            int m = 0;
            for (int i = 0; i < _panel.Length; i++)
            {
                if (_panel[i] != panel) continue;
                _dist[m] = (_px[i] - x) * (_px[i] - x) + (_py[i] - y) * (_py[i] - y);
                _order[m++] = i;
            }
            if (m < 3) return false;
            int k = Math.Min(Neighbours, m);
            Array.Sort(_dist, _order, 0, m);
            offsetX = Median(_dx, k); offsetY = Median(_dy, k);
            double ixx = Median(_ixx, k), ixy = Median(_ixy, k), iyy = Median(_iyy, k);
            shape = new Gaussian2DModel(1, 0, 0, ixx, ixy, iyy, 0, 0, 0);
            return shape.IsProper;
        }
    }
}
