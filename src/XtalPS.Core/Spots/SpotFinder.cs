using System;
using System.Buffers;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using XtalPS.Imaging;

namespace XtalPS.Spots
{
    /// <summary>The spots of one image and what the finder wants the user to know about it.</summary>
    public sealed class SpotFindingResult
    {
        public SpotFindingResult(SpotList spots, int strongPixels, IReadOnlyList<string> warnings)
        {
            Spots = spots; StrongPixels = strongPixels; Warnings = warnings;
        }
        public SpotList Spots { get; }
        public int StrongPixels { get; }
        public IReadOnlyList<string> Warnings { get; }
    }

    /// <summary>
    /// Threshold → 4-connected components per panel → size and peak-separation filters → centroids → geometry,
    /// resolution and ice-ring filters (the DIALS spot-finding pipeline). Panels and row bands of large panels run
    /// in parallel; bands have a fixed height, so the output is the same at any thread count.
    /// </summary>
    public static class SpotFinder
    {
        /// <summary>Output rows per work item within a panel.</summary>
        public const int BandRows = 512;

        /// <summary>Finds the spots of one image; <paramref name="cancellationToken"/> is checked between bands of
        /// rows and between panels, so a cancelled run stops within one band's work.</summary>
        public static SpotFindingResult Find(DiffractionImage image, SpotFindingSettings settings, CancellationToken cancellationToken = default)
        {
            if (image == null) throw new ArgumentNullException(nameof(image));
            settings.Validate();
            var warnings = new List<string>();
            int np = image.PanelCount;
            if (settings.GainMap != null)
            {
                if (settings.GainMap.Length != np || Enumerable.Range(0, np).Any(p => settings.GainMap[p].Length != image.PanelImages[p].Pixels.Length))
                    throw new SpotFindingException("GainMapMismatch", $"{image.Name}: the gain map's panels do not match the image's ({np} panels).");
            }
            var dispersion = settings.Dispersion;
            if (settings.AutoGlobalThreshold)
            {
                double t = GlobalThreshold.Estimate(image);
                dispersion = new DispersionParameters
                {
                    KernelX = dispersion.KernelX, KernelY = dispersion.KernelY, SigmaBackground = dispersion.SigmaBackground,
                    SigmaStrong = dispersion.SigmaStrong, MinLocal = dispersion.MinLocal, GlobalThreshold = t,
                };
                warnings.Add(FormattableString.Invariant($"Global threshold chosen from the histogram: {t}."));
            }
            var strong = new byte[np][];
            bool rented = false;
            try
            {
            if (settings.Algorithm == SpotAlgorithm.RadialProfile)
            {
                strong = RadialProfileThreshold.Apply(image, settings.RadialSigma, settings.RadialBins, settings.RadialBlur);
            }
            else
            {
                var work = new List<(int Panel, int R0, int R1)>();
                for (int p = 0; p < np; p++)
                {
                    var pi = image.PanelImages[p];
                    // Every row of every band is written by the threshold, so a rented (unzeroed) buffer is fine.
                    strong[p] = System.Buffers.ArrayPool<byte>.Shared.Rent(pi.Pixels.Length);
                    rented = true;
                    for (int r = 0; r < pi.Height; r += BandRows) work.Add((p, r, Math.Min(pi.Height, r + BandRows)));
                }
                void Run((int Panel, int R0, int R1) w)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var pi = image.PanelImages[w.Panel];
                    double gain = PanelGain(image, settings, w.Panel);
                    var map = settings.GainMap != null ? new ReadOnlySpan<float>(settings.GainMap[w.Panel]) : default;
                    if (settings.Algorithm == SpotAlgorithm.Dispersion)
                        DispersionThreshold.Apply(pi.Pixels, pi.Mask, pi.Width, pi.Height, w.R0, w.R1, dispersion, gain, map, strong[w.Panel]);
                    else
                        ExtendedDispersionThreshold.Apply(pi.Pixels, pi.Mask, pi.Width, pi.Height, w.R0, w.R1, dispersion, gain, map, strong[w.Panel]);
                }
                if (settings.MaxDegreeOfParallelism > 1 && work.Count > 1)
                    Parallel.ForEach(work, new ParallelOptions { MaxDegreeOfParallelism = settings.MaxDegreeOfParallelism, CancellationToken = cancellationToken }, Run);
                else
                    foreach (var w in work) Run(w);
            }

            long strongCount = 0, validCount = 0;
            for (int p = 0; p < np; p++)
            {
                strongCount += Count(strong[p].AsSpan(0, image.PanelImages[p].Pixels.Length));
                validCount += image.PanelImages[p].Pixels.Length - image.PanelImages[p].MaskedCount;
            }
            if (validCount > 0 && strongCount > settings.MaxStrongFraction * validCount)
                throw new SpotFindingException("TooManyStrongPixels",
                    $"{strongCount} of {validCount} valid pixels ({100.0 * strongCount / validCount:0.#}%) are strong, more than {100 * settings.MaxStrongFraction:0}%: " +
                    "the gain is probably wrong (estimate it with Measure-DetectorGain and pass -Gain), or the image is not diffraction data.");
            if (validCount == 0) warnings.Add("Every pixel is masked: no spots can be found.");

            int minSize = settings.MinSpotSize ?? (IsPixelArrayDetector(image) ? 3 : 6);
            var perPanel = new List<BraggSpot>[np];
            void Components(int p)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var pi = image.PanelImages[p];
                var (runs, start) = ConnectedComponents.Label(strong[p], pi.Width, pi.Height);
                var list = new List<BraggSpot>();
                var panel = image.Detector.Panels[p];
                for (int c = 0; c + 1 < start.Count; c++)
                {
                    int n = 0;
                    for (int r = start[c]; r < start[c + 1]; r++) n += runs[r].X1 - runs[r].X0;
                    if (n < minSize || n > settings.MaxSpotSize) continue;
                    var spot = SpotCentroid.Measure(p, pi.Pixels, pi.Width, runs, start[c], start[c + 1], PanelGain(image, settings, p));
                    if (spot.PeakSeparation > settings.MaxSeparation) continue;
                    spot.WithGeometry(panel, image.Beam);
                    if (spot.D < settings.DMin || spot.D > settings.DMax) continue;
                    if (settings.FilterIceRings && IceRings.IsOnRing(spot.D, settings.IceRingHalfWidth)) continue;
                    list.Add(spot);
                }
                perPanel[p] = list;
            }
            if (settings.MaxDegreeOfParallelism > 1 && np > 1)
                Parallel.For(0, np, new ParallelOptions { MaxDegreeOfParallelism = settings.MaxDegreeOfParallelism, CancellationToken = cancellationToken }, Components);
            else
                for (int p = 0; p < np; p++) Components(p);

            var spots = perPanel.SelectMany(l => l).ToList();
            if (spots.Count == 0 && validCount > 0) warnings.Add("No spots were found on this image.");
            return new SpotFindingResult(new SpotList(image, spots, settings.Algorithm.ToString()), (int)Math.Min(int.MaxValue, strongCount), warnings);
            }
            finally
            {
                if (rented)
                    foreach (var buffer in strong)
                        if (buffer != null) System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        private static double PanelGain(DiffractionImage image, SpotFindingSettings settings, int panel)
        {
            double gain = settings.Gain ?? image.Detector.Panels[panel].Gain;
            return gain > 0 ? gain : 1;
        }

        /// <summary>
        /// Pixel-array detectors (Pilatus, Eiger, Jungfrau, CSPAD, TimePix): no point-spread blur, so DIALS's smaller
        /// minimum spot size (3 instead of 6) applies. CBF and NeXus files come from such detectors; SMV only for
        /// TimePix; CCD formats and plain TIFF/MRC images keep 6. (DIALS decides from dxtbx's sensor type and calls
        /// the generic CBFs and the CSPAD files here CCDs; on the shared simulated stills its published recall figures are with 3.)
        /// </summary>
        public static bool IsPixelArrayDetector(DiffractionImage image) =>
            image.Format.IndexOf("CBF", StringComparison.OrdinalIgnoreCase) >= 0
            || image.Format.Equals("imgCIF", StringComparison.OrdinalIgnoreCase)
            || image.Format.Equals("Simulated", StringComparison.OrdinalIgnoreCase)
            || image.Format.IndexOf("NeXus", StringComparison.OrdinalIgnoreCase) >= 0
            || image.Format.IndexOf("TimePix", StringComparison.OrdinalIgnoreCase) >= 0;

        /// <summary>Number of ones in a 0/1 mask, a vector of bytes at a time.</summary>
        private static long Count(ReadOnlySpan<byte> a)
        {
            long n = 0;
            int i = 0;
            if (System.Numerics.Vector.IsHardwareAccelerated)
            {
                var v = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, System.Numerics.Vector<byte>>(a);
                for (int k = 0; k < v.Length; k++)
                    if (!System.Numerics.Vector.EqualsAll(v[k], System.Numerics.Vector<byte>.Zero))
                        n += System.Numerics.Vector.Dot(v[k], System.Numerics.Vector<byte>.One);
                i = v.Length * System.Numerics.Vector<byte>.Count;
            }
            for (; i < a.Length; i++) n += a[i];
            return n;
        }
    }
}
