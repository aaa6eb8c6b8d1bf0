using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using XtalPS.Imaging;

namespace XtalPS.Spots
{
    /// <summary>The spots found on one image; it knows its image so the next step needs no side files.</summary>
    public sealed class SpotList
    {
        public SpotList(DiffractionImage image, IEnumerable<BraggSpot> spots, string algorithm = "")
            : this((image ?? throw new ArgumentNullException(nameof(image))).Source, spots, algorithm)
        {
            Image = image;
        }

        /// <summary>A spot list without pixels: the frame it was found on is named by <paramref name="source"/>.</summary>
        public SpotList(ImageSource source, IEnumerable<BraggSpot> spots, string algorithm = "")
        {
            Source = source ?? throw new ArgumentNullException(nameof(source));
            Spots = (spots ?? throw new ArgumentNullException(nameof(spots))).ToArray();
            Algorithm = algorithm ?? "";
            var iOverSigma = Spots.Select(s => s.IOverSigma).Where(v => !double.IsNaN(v)).OrderBy(v => v).ToArray();
            MedianIOverSigma = iOverSigma.Length == 0 ? double.NaN : iOverSigma.Length % 2 == 1
                ? iOverSigma[iOverSigma.Length / 2] : 0.5 * (iOverSigma[iOverSigma.Length / 2 - 1] + iOverSigma[iOverSigma.Length / 2]);
            var ds = Spots.Select(s => s.D).Where(d => !double.IsNaN(d) && !double.IsInfinity(d)).ToArray();
            DMin = ds.Length == 0 ? double.NaN : ds.Min();
        }

        /// <summary>The image the spots were found on; null once the list has left integration (see <see cref="Source"/>).</summary>
        public DiffractionImage? Image { get; }
        /// <summary>The file, frame and geometry of the image, kept without its pixels.</summary>
        public ImageSource Source { get; }

        /// <summary>The same spots (centroids, variances, boxes) naming their image by <see cref="Source"/> instead of holding its pixels.</summary>
        public SpotList WithoutPixels() => Image == null ? this : new SpotList(Source, Spots, Algorithm);
        public IReadOnlyList<BraggSpot> Spots { get; }
        public int Count => Spots.Count;
        /// <summary>The spot-finding algorithm that made the list.</summary>
        public string Algorithm { get; }
        public double MedianIOverSigma { get; }
        /// <summary>Resolution of the outermost spot, Å (NaN without geometry).</summary>
        public double DMin { get; }

        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "{0}: {1} spots", Source.Name, Count);
    }
}
