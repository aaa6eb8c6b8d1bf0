using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using XtalPS.Extraction;
using XtalPS.Formats;
using XtalPS.Imaging;
using XtalPS.Integration;
using XtalPS.Lattices;
using XtalPS.Spots;

namespace XtalPS.Benchmarks
{
    /// <summary>
    /// The per-still pipeline of the cmdlets, called the way they call the science: file bytes → image
    /// (Import-DiffractionImage), spots (Find-BraggSpot), known-cell lattice (Get-Lattice -UnitCell), extraction and
    /// summation integration (Invoke-PeakIntegration -Method Summation), unmerged MTZ rows (Export-ReflectionTable).
    /// One stage per method so that benchmarks and the profile mode time each on its own.
    /// </summary>
    public sealed class StillsPipeline
    {
        /// <summary>The cell and group of the simulated CSPAD stills in ../shared/data/sim/cspad (lysozyme-like).</summary>
        public static readonly UnitCell Cell = new UnitCell(79.1, 79.1, 37.9, 90, 90, 90);

        private readonly IndexingSettings _indexing = new IndexingSettings { UnitCell = Cell, SpaceGroup = SpaceGroup.Parse("P 43 21 2") };
        private readonly SpotFindingSettings _spots;
        private readonly ExtractionSettings _extraction = new ExtractionSettings();
        private readonly IntegrationSettings _integration = new IntegrationSettings { Method = IntegrationMethod.Summation, BoxFromSpots = true };

        /// <param name="innerThreads">Threads inside one image (Find-BraggSpot's per-image parallelism); 1 when images run side by side.</param>
        public StillsPipeline(int innerThreads = 1)
        {
            _spots = new SpotFindingSettings { MaxDegreeOfParallelism = innerThreads };
            _indexing.Validate();
        }

        public static DiffractionImage Decode(string path, byte[] bytes) => CbfReader.Read(path, bytes);

        public SpotList FindSpots(DiffractionImage image) => SpotFinder.Find(image, _spots).Spots;

        public CrystalLattice? Index(SpotList spots)
        {
            var result = CrystalIndexer.Index(spots, _indexing);
            return result.Success ? result.Lattices[0] : null;
        }

        public ReflectionTable Integrate(DiffractionImage image, CrystalLattice lattice)
        {
            var extracted = LatticeGaussianFit.Extract(image, lattice, _extraction);
            return PeakIntegrator.Integrate(extracted, _integration);
        }

        /// <summary>Everything for one file; the table is added to <paramref name="mtz"/> when given.</summary>
        public ReflectionTable? Run(string path, byte[] bytes, MtzWriter? mtz)
        {
            var image = Decode(path, bytes);
            var lattice = Index(FindSpots(image));
            if (lattice == null) return null;
            var table = Integrate(image, lattice);
            mtz?.Add(table);
            return table;
        }

        /// <summary>The CBF files of a folder, sorted by name.</summary>
        public static string[] Files(string folder) =>
            Directory.GetFiles(folder, "*.cbf").OrderBy(f => f, StringComparer.Ordinal).ToArray();
    }
}
