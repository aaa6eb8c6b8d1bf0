using System;
using XtalPS.Imaging;
using XtalPS.Spots;

namespace XtalPS.Lattices
{
    public enum LatticeKind
    {
        /// <summary>A 2D lattice in image pixels (electron diffraction of 2D crystals; IPLT).</summary>
        Planar,
        /// <summary>A 3D crystal lattice with an orientation (X-ray stills; DIALS / cctbx.xfel).</summary>
        Crystal,
    }

    /// <summary>
    /// A lattice model that predicts where reflections fall on an image. One type for the pipeline, two kinds:
    /// <see cref="PlanarLattice"/> and <see cref="CrystalLattice"/>. It knows its image and the spots it was found
    /// from, so extraction, integration and metrology need nothing else.
    /// </summary>
    public abstract class Lattice
    {
        protected Lattice(DiffractionImage? image, SpotList? spots, int indexedCount, double rmsd)
        {
            Image = image;
            Source = image?.Source ?? spots?.Source;
            Spots = spots;
            IndexedCount = indexedCount;
            Rmsd = rmsd;
        }

        public abstract LatticeKind Kind { get; }
        /// <summary>The image the lattice belongs to (null for a lattice typed in by hand without an image).</summary>
        /// <remarks>Null once the lattice has left integration or metrology: see <see cref="Source"/> and <see cref="WithoutPixels"/>.</remarks>
        public DiffractionImage? Image { get; private set; }
        /// <summary>The spots the lattice was found from, if any.</summary>
        public SpotList? Spots { get; private set; }
        /// <summary>The image's file, frame and geometry without its pixels (null for a lattice typed in by hand).</summary>
        public ImageSource? Source { get; private set; }

        /// <summary>
        /// The same lattice naming its image by path and frame instead of holding the pixels (decisions: "Data and
        /// identity"): everything else — model, indexed spots, the spot list's centroids and variances — is kept.
        /// What leaves integration and metrology is pixel-free, so 10^4 stills do not hold 10^4 images.
        /// </summary>
        public Lattice WithoutPixels()
        {
            if (Image == null && Spots?.Image == null) return this;
            var copy = (Lattice)MemberwiseClone();
            copy.Image = null;
            copy.Spots = Spots?.WithoutPixels();
            return copy;
        }

        /// <summary>The same lattice as <see cref="WithoutPixels"/> with another source (refined geometry).</summary>
        public Lattice WithSource(ImageSource? source)
        {
            var copy = (Lattice)WithoutPixels().MemberwiseClone();
            copy.Source = source;
            return copy;
        }
        /// <summary>Which lattice of its image this is, 0 for the first (several crystals in the beam give 1, 2, …).</summary>
        public int LatticeIndex { get; private set; }

        /// <summary>
        /// The lattice's stable identifier (<see cref="LatticeId"/> of its image path, frame and <see cref="LatticeIndex"/>):
        /// the same in every run, however the images were chunked or threaded, so merging and campaigns can key on it.
        /// A lattice without an image (typed in by hand) has the id of an empty path.
        /// </summary>
        public long Id => LatticeId.Of(Source?.Path ?? "", Source?.Frame ?? 0, LatticeIndex);

        /// <summary>Numbers the lattice within its image (set by the indexer; kept by refinement and by pixel-free copies).</summary>
        internal T WithLatticeIndex<T>(int index) where T : Lattice
        {
            LatticeIndex = index;
            return (T)this;
        }

        /// <summary>Spots that the lattice indexes.</summary>
        public int IndexedCount { get; }
        /// <summary>Root-mean-square distance between indexed spots and their predictions, px.</summary>
        public double Rmsd { get; }
        /// <summary>A one-line description of the lattice for tables.</summary>
        public abstract string Summary { get; }
        public string ImageName => Image?.Name ?? Source?.Name ?? "";

        public override string ToString() => $"{Kind} {Summary}";
    }
}
