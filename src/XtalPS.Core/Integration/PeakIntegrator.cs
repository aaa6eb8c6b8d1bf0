using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using XtalPS.Extraction;
using XtalPS.Imaging;
using XtalPS.Lattices;

namespace XtalPS.Integration
{
    /// <summary>
    /// IPLT's <c>iplt_diff integrate</c> and the DIALS stills integrators over an extraction result: at each refined
    /// position a box sum (or profile fit) with a planar background, reason flags for unusable reflections, and the
    /// intercalated background between lattice points. Produces a <see cref="ReflectionTable"/> with stage "Integrate".
    /// </summary>
    public static class PeakIntegrator
    {
        public const string Stage = "Integrate";

        /// <param name="extracted">An extraction table (<see cref="LatticeGaussianFit"/>) with its image.</param>
        /// <param name="settings">Method and box sizes.</param>
        /// <param name="raw">Optional mosaic that receives each reflection's box as measured.</param>
        /// <param name="corrected">Optional mosaic that receives each box less its background plane.</param>
        /// <param name="cancel">Stops the work between reflections.</param>
        public static ReflectionTable Integrate(ReflectionTable extracted, IntegrationSettings settings,
            ProfileMosaic? raw = null, ProfileMosaic? corrected = null, CancellationToken cancel = default)
        {
            if (extracted == null) throw new ArgumentNullException(nameof(extracted));
            var image = extracted.Image ?? throw new ArgumentException("The reflection table has no image to integrate.", nameof(extracted));
            settings.Validate();
            var lattice = extracted.RefinedLattice ?? extracted.Lattice;
            var planar = lattice as PlanarLattice;
            // Crystal stills: the spots found on the image (the input lattice's) size the box and model the spot extent.
            var indexedOn = extracted.Lattice as CrystalLattice ?? lattice as CrystalLattice;
            if (indexedOn != null && settings.BoxFromSpots && settings.Method != IntegrationMethod.Iplt)
            {
                int largest = settings.BoxSize + settings.BoxGrowAmount;
                settings = settings.Clone();
                settings.BoxSize = ShoeboxSize.PeakHalfSize(indexedOn, largest, largest);
                settings.BoxGrowAmount = 0;
            }
            var strongShape = ImageProfile(extracted.Reflections, settings.StrongAmplitudeSignificance);
            var local = planar == null ? new LocalProfiles(extracted.Reflections, settings.StrongAmplitudeSignificance) : null;
            var output = new List<Reflection>(extracted.Count);
            int tileHalf = settings.OuterHalfSize;
            int i = 0;
            foreach (var source in extracted.Reflections)
            {
                if ((i++ & 255) == 0) cancel.ThrowIfCancellationRequested();
                var r = source.Clone();
                // Refined lattice predictions for planar lattices. Crystal stills: the fitted centre of a good fit,
                // otherwise the prediction moved by the neighbouring strong spots' offset, with their shape as the profile.
                double x = r.PredictedX, y = r.PredictedY;
                Gaussian2DModel? localShape = null;
                if (local != null && local.TryGet(r.Panel, x, y, out var ls, out double ox, out double oy)) { localShape = ls; x += ox; y += oy; }
                if (planar == null && !double.IsNaN(r.X) && (r.WellBehaved ||
                    ((r.Flags & ReflectionFlags.FitFailed) == 0 && r.Amplitude > 0 && Math.Abs(r.X - x) <= 1 && Math.Abs(r.Y - y) <= 1)))
                { x = r.X; y = r.Y; }
                r.Flags &= ~(ReflectionFlags.NearEdge | ReflectionFlags.Masked | ReflectionFlags.BadBackground | ReflectionFlags.Weak);
                r.Intensity = double.NaN; r.Sigma = double.NaN; r.IntegratedBackground = double.NaN;
                if (r.Panel < 0 || r.Panel >= image.PanelCount) { r.Flags |= ReflectionFlags.NearEdge; output.Add(r); raw?.AddEmpty(); corrected?.AddEmpty(); continue; }
                var panel = image.PanelImages[r.Panel];
                double gain = settings.Gain ?? (image.Detector.Panels[r.Panel].Gain > 0 ? image.Detector.Panels[r.Panel].Gain : 1);
                // The image's mean profile (median of its strong fits), more stable than any one spot's own fit;
                // the spot's own shape only when the image has no profile.
                Gaussian2DModel? shape = localShape ?? strongShape;
                if (shape == null && r.WellBehaved)
                    shape = Gaussian2DModel.FromWidths(1, 0, 0, r.SigmaMajor, r.SigmaMinor, r.Orientation);
                Gaussian2DModel? profile = shape?.AsProfile(x, y);

                bool ok = settings.Method == IntegrationMethod.Iplt
                    ? IntegrateIplt(panel, r, x, y, gain, settings, profile, out var plane, out var result, out var box)
                    : IntegrateStill(panel, x, y, gain, settings, profile, out plane, out result, out box);
                if (!ok)
                {
                    r.Flags |= box.Fits(panel) ? ReflectionFlags.BadBackground : ReflectionFlags.NearEdge;
                    raw?.AddEmpty(); corrected?.AddEmpty();
                    if (planar != null) r.IntercalatedBackground = IntercalatedBackground.Compute(panel, planar, r.H, r.K);
                    output.Add(r);
                    continue;
                }
                double sigma = result.Sigma;
                if (plane.ScatterRatio > settings.BadBackgroundRatio)
                {
                    r.Flags |= ReflectionFlags.BadBackground;
                    // Let the rim's real scatter into σ: the background share grows by the scatter ratio.
                    double bgShare = (double)result.PeakPixels * result.PeakPixels * plane.OffsetVariance / (result.ProfileFraction * result.ProfileFraction);
                    sigma = Math.Sqrt(sigma * sigma + (plane.ScatterRatio - 1) * bgShare);
                }
                r.Intensity = result.Intensity; r.Sigma = sigma;
                r.IntegratedBackground = plane.Offset;
                r.PeakPixels = result.PeakPixels; r.BackgroundPixels = plane.Pixels;
                r.BoxSize = box.PeakHalf;
                if (result.MaskedInPeak > 0) r.Flags |= ReflectionFlags.Masked;
                if (r.Intensity < -3 * r.Sigma) r.Flags |= ReflectionFlags.Weak;
                if (planar != null) r.IntercalatedBackground = IntercalatedBackground.Compute(panel, planar, r.H, r.K);
                if (raw != null || corrected != null)
                {
                    int bx = (int)Math.Floor(x) - tileHalf, by = (int)Math.Floor(y) - tileHalf;
                    raw?.Add(panel, bx, by);
                    var pl = plane;
                    corrected?.Add(panel, bx, by, (px, py) => pl.At(px, py));
                }
                output.Add(r);
            }
            if (lattice is CrystalLattice crystal)
            {
                StillsReflectionGeometry.Annotate(output, crystal, (indexedOn ?? crystal).SpotExtent);
                // A still's table lists what was measured: a reflection whose peak leaves its panel, or whose background
                // cannot be modelled, has no intensity and is not reported (merging must not see NaN).
                output.RemoveAll(x => double.IsNaN(x.Intensity) || double.IsNaN(x.Sigma));
            }
            // What leaves integration holds no pixels (decisions: "Data and identity"); the table names its frame by Source.
            return new ReflectionTable(null, extracted.Lattice?.WithoutPixels(), extracted.RefinedLattice?.WithoutPixels(), output, Stage, source: image.Source);
        }

        private static bool IntegrateIplt(PanelImage panel, Reflection r, double x, double y, double gain, IntegrationSettings s,
            Gaussian2DModel? profile, out BackgroundPlane bestPlane, out SummationResult best, out IntegrationBox bestBox)
        {
            bestPlane = default; best = default; bestBox = new IntegrationBox(x, y, s.BoxSize, s.BackgroundRimSize);
            double tiltX = r.TiltX, tiltY = r.TiltY;
            if (double.IsNaN(tiltX) || double.IsNaN(tiltY) || (r.Flags & ReflectionFlags.FitFailed) != 0)
            {
                // No usable fit: take the tilt from a plane through the largest box's rim.
                var outer = new IntegrationBox(x, y, s.BoxSize + s.BoxGrowAmount, s.BackgroundRimSize);
                if (outer.Fits(panel) && SummationIntegrator.RobustPlane(panel, outer, gain, s.OutlierRejection, out var p0)) { tiltX = p0.TiltX; tiltY = p0.TiltY; }
                else { tiltX = 0; tiltY = 0; }
            }
            bool any = false;
            for (int n = 0; n <= s.BoxGrowAmount; n++)
            {
                var box = new IntegrationBox(x, y, s.BoxSize + n, s.BackgroundRimSize);
                if (!box.Fits(panel)) break;
                if (!SummationIntegrator.RimOffset(panel, box, tiltX, tiltY, gain, out var plane)) continue;
                var res = SummationIntegrator.Sum(panel, box, plane, gain, s.CorrectTruncation ? profile : null);
                if (!any || res.IOverSigma > best.IOverSigma || double.IsNaN(best.IOverSigma))
                {
                    best = res; bestPlane = plane; bestBox = box; any = true;
                }
            }
            return any;
        }

        private static bool IntegrateStill(PanelImage panel, double x, double y, double gain, IntegrationSettings s,
            Gaussian2DModel? profile, out BackgroundPlane plane, out SummationResult result, out IntegrationBox box)
        {
            box = new IntegrationBox(x, y, s.BoxSize + s.BoxGrowAmount, s.BackgroundRimSize);
            result = default; plane = default;
            if (!box.Fits(panel)) return EdgeTile.TryIntegrate(panel, box, gain, s.OutlierRejection, out plane, out result);
            if (!SummationIntegrator.RobustPlane(panel, box, gain, s.OutlierRejection, out plane)) return false;
            result = SummationIntegrator.Sum(panel, box, plane, gain);
            if (s.Method == IntegrationMethod.ProfileFit && profile.HasValue &&
                ProfileFitter.Fit(panel, box, plane, profile.Value, gain, result.Intensity, s.ProfileMaxIterations, out double fi, out double fs))
                result = new SummationResult(fi, fs, result.PeakPixels, result.MaskedInPeak, 1);
            return true;
        }

        /// <summary>The image's mean spot shape: the median of its strong well-behaved fits, or of all well-behaved fits when few are strong.</summary>
        public static Gaussian2DModel? ImageProfile(IReadOnlyList<Reflection> reflections, double strongSignificance)
        {
            var strong = reflections.Where(r => r.WellBehaved && r.Amplitude > strongSignificance * r.AmplitudeSigma).ToList();
            if (strong.Count < 5) strong = reflections.Where(r => r.WellBehaved).ToList();
            return LatticeGaussianFit.MedianShape(strong);
        }
    }
}
