using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using XtalPS.Geometry;
using XtalPS.Imaging;
using XtalPS.Integration;
using XtalPS.Lattices;

namespace XtalPS.Extraction
{
    /// <summary>
    /// IPLT's <c>iplt_diff extract</c>: a 2D Gaussian with a background plane fitted at every predicted lattice
    /// point, the lattice refined from the centres of the well-behaved fits, and the fits repeated at the refined
    /// positions (<see cref="ExtractionSettings.Cycles"/> rounds). The result is a <see cref="ReflectionTable"/>
    /// with stage "Extract" whose RefinedLattice feeds peak integration or a second extraction.
    /// </summary>
    public static class LatticeGaussianFit
    {
        public const string Stage = "Extract";

        /// <param name="image">The image to fit.</param>
        /// <param name="lattice">The starting lattice (e.g. a verified or previously refined lattice).</param>
        /// <param name="settings">Box sizes, cycles and well-behaved limits.</param>
        /// <param name="predictions">Where to fit; null = predict from the lattice (planar lattices).</param>
        /// <param name="refiner">Lattice refinement; null = <see cref="PlanarLatticeRefiner"/> for planar lattices and no refinement otherwise.</param>
        /// <param name="cancel">Stops the work between fits.</param>
        public static ReflectionTable Extract(DiffractionImage image, Lattice lattice, ExtractionSettings settings,
            IReadOnlyList<PredictedPosition>? predictions = null, ILatticeRefiner? refiner = null, CancellationToken cancel = default)
        {
            if (image == null) throw new ArgumentNullException(nameof(image));
            if (lattice == null) throw new ArgumentNullException(nameof(lattice));
            settings.Validate();
            bool canPredict = predictions == null && LatticePrediction.CanPredict(lattice);
            if (predictions == null && !canPredict)
                throw new NotSupportedException("This lattice cannot be predicted here; pass predicted reflection positions.");
            refiner ??= lattice is PlanarLattice ? new PlanarLatticeRefiner()
                : lattice is CrystalLattice ? new CrystalLatticeRefiner { RefineCell = settings.RefineCell }
                : (ILatticeRefiner)UnchangedLatticeRefiner.Instance;

            // Crystal stills: what the still recorded is decided by the spot-extent model of the spots found on the image (the
            // input lattice's, as integration's annotation uses), not by the refined lattice's, whose Δψ come from the fits
            // and so would depend on how many weak boxes were fitted.
            var extent = lattice is CrystalLattice indexedOn && indexedOn.SpotExtent.IsDefined ? indexedOn.SpotExtent : null;
            var fitter = new GaussianPeakFitter(settings.FitHalfSize, settings.BackgroundRimSize) { MaxIterations = settings.MaxIterations };
            var current = lattice;
            Gaussian2DModel? hint = null;
            List<Reflection> reflections = new List<Reflection>();
            for (int cycle = 0; cycle < settings.Cycles; cycle++)
            {
                cancel.ThrowIfCancellationRequested();
                var points = canPredict ? LatticePrediction.Predict(current, image, settings.DMin, extent) : predictions!;
                fitter.MinSignificance = settings.ScreenSignificance(lattice, last: cycle == settings.Cycles - 1);
                reflections = FitAll(image, points, settings, fitter, hint, cancel);
                var good = reflections.Where(r => r.WellBehaved).ToList();
                current = refiner.Refine(current, good);
                hint = MedianShape(good);
            }
            // Report the predictions of the final lattice, the positions integration will use.
            if (canPredict && current is PlanarLattice pl)
                foreach (var r in reflections)
                {
                    var p = pl.Predict(r.H, r.K);
                    r.PredictedX = p.X; r.PredictedY = p.Y;
                }
            else if (current is CrystalLattice cl && cl.Detector != null && cl.Beam != null && !ReferenceEquals(current, lattice))
            {
                var predictor = cl.Predictor;
                foreach (var r in reflections)
                    if (r.Panel >= 0 && r.Panel < cl.Detector.PanelCount &&
                        predictor.TryPredictOnPanel(cl.AMatrix, new Vec3(r.H, r.K, r.L), r.Panel, out double px, out double py, out _))
                    { r.PredictedX = px; r.PredictedY = py; }
            }
            return new ReflectionTable(image, lattice, current, reflections, Stage);
        }

        /// <summary>Fits every prediction once (no refinement).</summary>
        public static List<Reflection> FitAll(DiffractionImage image, IReadOnlyList<PredictedPosition> points, ExtractionSettings settings,
            GaussianPeakFitter fitter, Gaussian2DModel? hint, CancellationToken cancel = default)
        {
            var list = new List<Reflection>(points.Count);
            for (int i = 0; i < points.Count; i++)
            {
                if ((i & 255) == 0) cancel.ThrowIfCancellationRequested();
                var pr = points[i];
                if (pr.Panel < 0 || pr.Panel >= image.PanelCount) continue;
                var panelImage = image.PanelImages[pr.Panel];
                var panel = image.Detector.Panels[pr.Panel];
                double gain = settings.Gain ?? (panel.Gain > 0 ? panel.Gain : 1);
                var fit = fitter.Fit(panelImage, pr.X, pr.Y, gain, hint);
                list.Add(ToReflection(pr, fit, settings, panel.Resolution(pr.X, pr.Y, image.Beam)));
            }
            return list;
        }

        /// <summary>
        /// A standard error as it goes into a reflection file: a nearly singular normal matrix gives σ of 1e10 and
        /// more, which says only that the parameter is undetermined; that is a missing value (NaN), not a number.
        /// Bound: a million times the scale (pixels for positions, the peak height for amplitudes).
        /// </summary>
        public static double Plausible(double sigma, double scale) => sigma >= 0 && sigma <= 1e6 * scale ? sigma : double.NaN;

        /// <summary>The reflection row for one fit, with the well-behaved verdict and reason flags.</summary>
        public static Reflection ToReflection(PredictedPosition pr, GaussianFitResult fit, ExtractionSettings s, double d)
        {
            var r = new Reflection { H = pr.H, K = pr.K, L = pr.L, Panel = pr.Panel, PredictedX = pr.X, PredictedY = pr.Y, D = d };
            switch (fit.Status)
            {
                case GaussianFitStatus.OffPanel: r.Flags |= ReflectionFlags.NearEdge; return r;
                case GaussianFitStatus.TooFewPixels: r.Flags |= ReflectionFlags.Masked; return r;
                case GaussianFitStatus.Failed: r.Flags |= ReflectionFlags.FitFailed; return r;
                case GaussianFitStatus.NoSignal: r.Flags |= ReflectionFlags.Weak; return r;
            }
            var m = fit.Model;
            r.X = m.X0; r.Y = m.Y0; r.XSigma = Plausible(fit.SigmaX0, 1); r.YSigma = Plausible(fit.SigmaY0, 1);
            r.Amplitude = m.Amplitude; r.AmplitudeSigma = Plausible(fit.SigmaAmplitude, Math.Max(1, Math.Abs(m.Amplitude)));
            r.SigmaMajor = m.SigmaMajor; r.SigmaMinor = m.SigmaMinor; r.Orientation = m.Orientation;
            r.Background = m.Background; r.TiltX = m.TiltX; r.TiltY = m.TiltY;
            r.FitChiSquare = fit.ReducedChiSquare;
            if (!fit.Converged) r.Flags |= ReflectionFlags.FitFailed;
            r.WellBehaved = IsWellBehaved(fit, pr, s);
            if (!r.WellBehaved && fit.Converged && !(m.Amplitude > s.MinAmplitudeSignificance * fit.SigmaAmplitude)) r.Flags |= ReflectionFlags.Weak;
            return r;
        }

        /// <summary>
        /// Converged; centre inside the inner box (|Δ| ≤ BoxSize); amplitude positive and above
        /// MinAmplitudeSignificance·σ(A); widths within [MinSigma, MaxSigma]; reduced χ² ≤ MaxChiSquare.
        /// </summary>
        public static bool IsWellBehaved(GaussianFitResult fit, PredictedPosition pr, ExtractionSettings s)
        {
            if (!fit.Converged) return false;
            var m = fit.Model;
            if (Math.Abs(m.X0 - pr.X) > s.BoxSize || Math.Abs(m.Y0 - pr.Y) > s.BoxSize) return false;
            if (!(m.Amplitude > 0) || !(m.Amplitude > s.MinAmplitudeSignificance * fit.SigmaAmplitude)) return false;
            double s1 = m.SigmaMajor, s2 = m.SigmaMinor;
            if (!(s2 >= s.MinSigma) || !(s1 <= s.EffectiveMaxSigma)) return false;
            return fit.ReducedChiSquare <= s.MaxChiSquare;
        }

        /// <summary>The median inverse-covariance shape of well-behaved fits (null when there are none).</summary>
        public static Gaussian2DModel? MedianShape(IReadOnlyList<Reflection> good)
        {
            var xx = new List<double>(); var xy = new List<double>(); var yy = new List<double>();
            foreach (var r in good)
            {
                if (!r.WellBehaved || double.IsNaN(r.SigmaMajor)) continue;
                var g = Gaussian2DModel.FromWidths(1, 0, 0, r.SigmaMajor, r.SigmaMinor, r.Orientation);
                xx.Add(g.InvXX); xy.Add(g.InvXY); yy.Add(g.InvYY);
            }
            if (xx.Count == 0) return null;
            var shape = new Gaussian2DModel(1, 0, 0, Median(xx), Median(xy), Median(yy), 0, 0, 0);
            return shape.IsProper ? shape : (Gaussian2DModel?)null;
        }

        internal static double Median(List<double> v)
        {
            v.Sort();
            int n = v.Count;
            return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
        }
    }
}
