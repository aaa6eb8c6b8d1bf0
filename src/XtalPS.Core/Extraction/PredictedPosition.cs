using System;
using System.Collections.Generic;
using System.Globalization;
using XtalPS.Geometry;
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

    /// <summary>Where a lattice's reflections fall on its image: planar lattice points, or stills predictions of a crystal.</summary>
    public static class LatticePrediction
    {
        /// <summary>Whether <see cref="Predict"/> works for this lattice: planar lattices, and crystal lattices that know a detector and beam.</summary>
        public static bool CanPredict(Lattice lattice) =>
            lattice is PlanarLattice || (lattice is CrystalLattice c && c.Detector != null && c.Beam != null);

        /// <summary>
        /// Every reflection of the lattice on the image. Planar: lattice points on panel 0. Crystal: the stills
        /// prediction (Sauter et al. 2014; <see cref="CrystalLattice.Predict(StillsPredictionSettings)"/>) to
        /// <paramref name="dMin"/> Å (null = the highest resolution the detector reaches), on every panel, absences left out.
        /// </summary>
        /// <remarks>Crystal lattices: a given <c>extent</c> decides what was recorded instead of the lattice's own model.</remarks>
        public static List<PredictedPosition> Predict(Lattice lattice, DiffractionImage image, double? dMin = null, SpotExtentModel? extent = null)
        {
            var list = new List<PredictedPosition>();
            if (lattice is PlanarLattice planar)
            {
                var panel = image.PanelImages[0];
                foreach (var p in planar.PredictOnImage(panel.Width, panel.Height)) list.Add(PredictedPosition.FromLatticePoint(p));
                return list;
            }
            if (lattice is CrystalLattice crystal)
            {
                if (crystal.Detector == null || crystal.Beam == null) throw new NotSupportedException("This crystal lattice has no detector and beam to predict on.");
                double d = dMin ?? DetectorResolution(crystal.Detector, crystal.Beam);
                // Only what the still recorded: the lattice's spot-extent model decides (Lattices/ObservableReflections).
                foreach (var p in ObservableReflections.Predict(crystal, d, out _, extent: extent))
                    if (p.Panel >= 0 && p.Panel < image.PanelCount) list.Add(new PredictedPosition(p.H, p.K, p.L, p.Panel, p.X, p.Y));
                return list;
            }
            throw new NotSupportedException($"{lattice.Kind} lattices cannot be predicted.");
        }

        /// <summary>The highest resolution (smallest d, Å) at any panel corner, with a floor of 0.5 Å.</summary>
        public static double DetectorResolution(DetectorModel detector, Beam beam)
        {
            double best = double.PositiveInfinity;
            foreach (var p in detector.Panels)
            {
                best = Math.Min(best, p.Resolution(0, 0, beam));
                best = Math.Min(best, p.Resolution(p.Width, 0, beam));
                best = Math.Min(best, p.Resolution(0, p.Height, beam));
                best = Math.Min(best, p.Resolution(p.Width, p.Height, beam));
            }
            return double.IsNaN(best) || double.IsInfinity(best) ? 2.0 : Math.Max(0.5, best);
        }
    }
}
