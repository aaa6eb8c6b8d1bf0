using System;
using System.Collections.Generic;
using System.Globalization;
using XtalPS.Imaging;
using XtalPS.Lattices;

namespace XtalPS.Extraction
{
    /// <summary>Where a lattice puts one reflection on an image: index, panel and position (px).</summary>
    public readonly struct PredictedPosition
    {
        public PredictedPosition(int h, int k, int l, int panel, double x, double y)
        {
            H = h; K = k; L = l; Panel = panel; X = x; Y = y;
        }
        public int H { get; }
        public int K { get; }
        public int L { get; }
        public int Panel { get; }
        public double X { get; }
        public double Y { get; }

        public static PredictedPosition FromLatticePoint(LatticePoint p) => new PredictedPosition(p.H, p.K, 0, 0, p.X, p.Y);

        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "({0},{1},{2}) p{3} ({4:0.###}, {5:0.###})", H, K, L, Panel, X, Y);
    }

    /// <summary>Predictions for the lattices this build can predict by itself.</summary>
    public static class LatticePrediction
    {
        /// <summary>Whether <see cref="Predict"/> works for this lattice (planar lattices; crystal lattices need predictions passed in).</summary>
        public static bool CanPredict(Lattice lattice) => lattice is PlanarLattice;

        /// <summary>
        /// Every reflection of the lattice on the image. Planar: lattice points on panel 0. Crystal lattices are
        /// predicted by the still predictor elsewhere; pass its predictions to <see cref="LatticeGaussianFit"/>.
        /// </summary>
        public static List<PredictedPosition> Predict(Lattice lattice, DiffractionImage image)
        {
            if (lattice is PlanarLattice planar)
            {
                var panel = image.PanelImages[0];
                var list = new List<PredictedPosition>();
                foreach (var p in planar.PredictOnImage(panel.Width, panel.Height)) list.Add(PredictedPosition.FromLatticePoint(p));
                return list;
            }
            throw new NotSupportedException("Crystal-lattice reflections cannot be predicted here yet; pass the predicted positions instead.");
        }
    }
}
