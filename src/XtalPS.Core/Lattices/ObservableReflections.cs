using System;
using System.Collections.Generic;
using System.Linq;

namespace XtalPS.Lattices
{
    /// <summary>
    /// The reflections a still recorded, not every lattice point near the Ewald sphere: the stills prediction is kept
    /// only where the lattice's spot-extent model (<see cref="SpotExtentModel"/>, Sauter et al. 2014) says the
    /// reflection is close enough to diffracting — |Δψ| within <see cref="Sigmas"/> standard deviations of the
    /// Δψ distribution the indexed spots show at that resolution. This is what the stills integrators of DIALS and
    /// cctbx.xfel do with their mosaicity models; without it a still "integrates" thousands of empty boxes.
    /// </summary>
    public static class ObservableReflections
    {
        /// <summary>How many standard deviations of Δψ a reflection may be from diffracting (partiality exp(−k²/2) at the edge).</summary>
        public const double Sigmas = 2.0;

        /// <summary>
        /// The reflections of <paramref name="lattice"/> to <paramref name="dMin"/> Å whose Δψ makes them observable. A lattice
        /// whose model cannot be fitted (fewer than <see cref="SpotExtentModel.MinSpots"/> indexed spots with a Δψ) keeps
        /// the predictor's fixed window; <paramref name="modelled"/> says which happened.
        /// </summary>
        /// <remarks>A given <c>extent</c> replaces the lattice's own spot-extent model (e.g. that of the lattice the spots
        /// were indexed on, when this one was refined against other centres); null = the lattice's.</remarks>
        public static IReadOnlyList<PredictedReflection> Predict(CrystalLattice lattice, double dMin, out bool modelled, double sigmas = Sigmas,
            SpotExtentModel? extent = null)
        {
            if (lattice == null) throw new ArgumentNullException(nameof(lattice));
            var model = extent ?? lattice.SpotExtent;
            modelled = model.IsDefined;
            if (!modelled) return lattice.Predict(new StillsPredictionSettings { DMin = dMin });
            // The predictor's window, a shade wider than the model's (σ(d) is linear in d), so that only the exact test below decides:
            // a window of the largest spacing for every reflection would predict and ray-trace several times more candidates.
            double widen = sigmas / Math.Sqrt(3) * (1 + 1e-9);
            var candidates = lattice.Predict(new StillsPredictionSettings
            {
                DMin = dMin, MaxDeltaPsi = widen * model.HalfMosaicRadians + 1e-15, DeltaPsiPerAngstrom = widen * model.InverseDomainSize, MaxExcitationError = 0,
            });
            return candidates.Where(p => Math.Abs(p.DeltaPsi) <= sigmas * model.DeltaPsiSigma(p.D)).ToArray();
        }
    }
}
