using System;
using System.Collections.Generic;
using System.Linq;
using XtalPS.Geometry;
using XtalPS.Integration;
using XtalPS.Lattices;
using XtalPS.Spots;

namespace XtalPS.Extraction
{
    /// <summary>
    /// Refines a <see cref="CrystalLattice"/> (orientation, and the cell within its lattice system) against the
    /// centres of well-behaved Gaussian fits, with the indexer's own stills refinement (<see cref="CrystalRefinement"/>:
    /// Levenberg–Marquardt on pixel residuals of the Sauter 2014 stills model plus a Δψ term, as in DIALS's stills
    /// refinement). The indices are known, so nothing is re-assigned; centres further than 4σ of the residual
    /// distances (at least <see cref="OutlierFloor"/> px) are dropped and the fit repeated once.
    /// </summary>
    public sealed class CrystalLatticeRefiner : ILatticeRefiner
    {
        /// <summary>Refine the free cell parameters too (default), or the orientation only.</summary>
        public bool RefineCell { get; set; } = true;
        /// <summary>Fewest centres needed; with fewer the lattice is returned unchanged.</summary>
        public int MinReflections { get; set; } = 10;
        /// <summary>Smallest outlier limit, px.</summary>
        public double OutlierFloor { get; set; } = 0.5;

        public Lattice Refine(Lattice lattice, IReadOnlyList<Reflection> reflections)
        {
            if (!(lattice is CrystalLattice crystal)) throw new ArgumentException("CrystalLatticeRefiner refines crystal lattices only.", nameof(lattice));
            if (crystal.Detector == null || crystal.Beam == null || crystal.Image == null) return lattice;
            var detector = crystal.Detector;
            var used = new List<Reflection>();
            var spots = new List<BraggSpot>();
            foreach (var r in reflections)
            {
                if (double.IsNaN(r.X) || double.IsNaN(r.Y) || r.Panel < 0 || r.Panel >= detector.PanelCount) continue;
                double vx = double.IsNaN(r.XSigma) ? 0.1 : r.XSigma * r.XSigma, vy = double.IsNaN(r.YSigma) ? 0.1 : r.YSigma * r.YSigma;
                int ix = (int)Math.Floor(r.X), iy = (int)Math.Floor(r.Y);
                spots.Add(new BraggSpot(r.Panel, r.X, r.Y, vx, vy, r.Amplitude, double.NaN, 0, ix, ix, iy, iy, r.Amplitude));
                used.Add(r);
            }
            var group = crystal.Symmetry ?? SpaceGroup.FromNumber(1);
            int needed = Math.Max(MinReflections, 3 + (RefineCell ? new CellParameterisation(group, crystal.UnitCell).Count : 0));
            if (spots.Count < needed) return lattice;
            var obs = SpotObservations.From(new SpotList(crystal.Image, spots, "LatticeExtract"), detector, crystal.Beam, 0);
            if (obs.Count < needed) return lattice;
            var asg = new IndexAssignment
            {
                Spot = Enumerable.Range(0, obs.Count).ToArray(),
                H = obs.Source.Select(i => used[i].H).ToArray(),
                K = obs.Source.Select(i => used[i].K).ToArray(),
                L = obs.Source.Select(i => used[i].L).ToArray(),
            };
            var predictor = crystal.Predictor;
            try
            {
                var a = CrystalRefinement.Refine(crystal.AMatrix, group, RefineCell, obs, asg, predictor);
                var ev = CrystalRefinement.Evaluate(a, obs, asg, predictor);
                double limit = CrystalRefinement.OutlierLimit(ev, obs, OutlierFloor);
                var inliers = CrystalRefinement.Evaluate(a, obs, asg, predictor, limit);
                if (inliers.Count < needed) return lattice;
                a = CrystalRefinement.Refine(a, group, RefineCell, obs, inliers.Assignment, predictor);
                var final = CrystalRefinement.Evaluate(a, obs, inliers.Assignment, predictor);
                if (!(final.Rmsd < double.PositiveInfinity) || Math.Abs(a.Determinant) < 1e-15) return lattice;
                var indexed = new List<IndexedSpot>(final.Count);
                double ss = 0;
                for (int j = 0; j < final.Count; j++)
                {
                    int i = final.Assignment.Spot[j];
                    indexed.Add(new IndexedSpot(obs.Spots[i], final.Assignment.H[j], final.Assignment.K[j], final.Assignment.L[j],
                        final.PredictedX[j], final.PredictedY[j], final.DeltaPsi[j]));
                    ss += final.DeltaPsi[j] * final.DeltaPsi[j];
                }
                double dpsiRms = final.Count > 0 ? Math.Sqrt(ss / final.Count) : double.NaN;
                return new CrystalLattice(a, crystal.Symmetry, crystal.Image, crystal.Spots, indexed, final.Rmsd,
                    dpsiRms * 2.355 * 180 / Math.PI, detector, crystal.Beam, dpsiRms).WithLatticeIndex<CrystalLattice>(crystal.LatticeIndex);
            }
            catch (ArgumentException) { return lattice; }
            catch (InvalidOperationException) { return lattice; }
        }
    }
}
