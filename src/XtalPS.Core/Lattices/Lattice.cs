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
            Spots = spots;
            IndexedCount = indexedCount;
            Rmsd = rmsd;
        }

        public abstract LatticeKind Kind { get; }
        /// <summary>The image the lattice belongs to (null for a lattice typed in by hand without an image).</summary>
        public DiffractionImage? Image { get; }
        /// <summary>The spots the lattice was found from, if any.</summary>
        public SpotList? Spots { get; }
        /// <summary>Spots that the lattice indexes.</summary>
        public int IndexedCount { get; }
        /// <summary>Root-mean-square distance between indexed spots and their predictions, px.</summary>
        public double Rmsd { get; }
        /// <summary>A one-line description of the lattice for tables.</summary>
        public abstract string Summary { get; }
        public string ImageName => Image?.Name ?? "";

        public override string ToString() => $"{Kind} {Summary}";
    }
}
