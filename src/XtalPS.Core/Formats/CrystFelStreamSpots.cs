using System;
using System.Collections.Generic;
using System.IO;
using XtalPS.Geometry;
using XtalPS.Imaging;
using XtalPS.Spots;

namespace XtalPS.Formats
{
    /// <summary>
    /// The peak lists of a CrystFEL stream as XtalPS spot lists: one per chunk that has peaks, on the stream's detector
    /// (its geometry block at the chunk's camera length) and the chunk's beam (photon energy), named by the chunk's
    /// image file and event. The lists hold no pixels (the images are rarely beside a stream): indexing needs only
    /// the centroids and the geometry.
    /// </summary>
    /// <remarks>
    /// A CrystFEL peak is a position (fs, ss), 1/d and an intensity; it states no centroid error, box or pixel count.
    /// Each spot gets the centroid variance of a uniform pixel (1/12 px², the weight DIALS gives an unknown centroid),
    /// a one-pixel box and an unknown intensity variance. Positions in data-array (slab) pixels are moved to the panel,
    /// as for reflections.
    /// </remarks>
    public static class CrystFelStreamSpots
    {
        /// <summary>What one chunk becomes: a spot list, or the error that stopped it (no geometry, an unknown panel).</summary>
        public sealed class Item
        {
            public Item(CrystFelStream.Chunk chunk, SpotList? spots, Exception? error) { Chunk = chunk; Spots = spots; Error = error; }
            public CrystFelStream.Chunk Chunk { get; }
            public SpotList? Spots { get; }
            public Exception? Error { get; }
        }

        public static IEnumerable<Item> ToSpotLists(string path, CrystFelStream.Contents contents)
        {
            var detectors = new Dictionary<double, DetectorModel?>();
            int serial = 0;
            foreach (var chunk in contents.Chunks)
            {
                serial++;
                if (chunk.Peaks.Count == 0) continue;
                Item item;
                try { item = new Item(chunk, SpotsOf(path, contents, chunk, serial, detectors), null); }
                catch (InvalidImageDataException e) { item = new Item(chunk, null, e); }
                yield return item;
            }
        }

        private static SpotList SpotsOf(string path, CrystFelStream.Contents contents, CrystFelStream.Chunk chunk, int serial, Dictionary<double, DetectorModel?> detectors)
        {
            string name = Path.GetFileName(chunk.ImageFile) + (chunk.Event.Length > 0 ? " " + chunk.Event : "");
            var detector = CrystFelStream.DetectorOf(path, contents, chunk, detectors)
                ?? throw new InvalidImageDataException(path, $"chunk {serial} ({name}): the stream has no usable geometry block, so its peaks have no detector.");
            var beam = CrystFelStream.BeamOf(chunk)
                ?? throw new InvalidImageDataException(path, $"chunk {serial} ({name}): the chunk states no photon energy, so its peaks have no beam.");
            var byName = CrystFelStream.PanelIndex(detector);
            bool slab = CrystFelStream.IsSlab(detector, byName, chunk);
            var spots = new List<BraggSpot>(chunk.Peaks.Count);
            foreach (var pk in chunk.Peaks)
            {
                if (!byName.TryGetValue(pk.Panel, out int panel))
                    throw new InvalidImageDataException(path, $"chunk {serial} ({name}): a peak is on panel '{pk.Panel}', which the geometry block does not define.");
                var layout = slab ? detector.Panels[panel].Layout : null;
                double x = pk.Fs - (layout?.FastOffset ?? 0), y = pk.Ss - (layout?.SlowOffset ?? 0);
                if (double.IsNaN(x) || double.IsNaN(y) || double.IsInfinity(x) || double.IsInfinity(y)) continue;
                int ix = (int)Math.Floor(Math.Max(int.MinValue / 2.0, Math.Min(int.MaxValue / 2.0, x)));
                int iy = (int)Math.Floor(Math.Max(int.MinValue / 2.0, Math.Min(int.MaxValue / 2.0, y)));
                var spot = new BraggSpot(panel, x, y, 1.0 / 12, 1.0 / 12, pk.Intensity, double.NaN, 1, ix, ix, iy, iy, double.NaN);
                spots.Add(spot.WithGeometry(detector[panel], beam));
            }
            int frame = 0;
            if (chunk.Event.StartsWith("//", StringComparison.Ordinal)) int.TryParse(chunk.Event.Substring(2), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out frame);
            var source = new ImageSource(chunk.ImageFile, Math.Max(0, frame), "CrystFEL stream", detector, beam);
            return new SpotList(source, spots, "CrystFEL");
        }
    }
}
