using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using XtalPS.Imaging;
using XtalPS.Lattices;

namespace XtalPS.Integration
{
    /// <summary>The reflections of one image, with the lattice that predicted them and the lattice refined from them.</summary>
    public sealed class ReflectionTable
    {
        /// <summary>A table; <paramref name="imageName"/> names the image when the image itself is not at hand (tables read from a file).</summary>
        public ReflectionTable(DiffractionImage? image, Lattice? lattice, Lattice? refinedLattice, IEnumerable<Reflection> reflections, string stage,
            string? imageName = null, ImageSource? source = null)
        {
            _imageName = imageName;
            Source = source ?? image?.Source ?? refinedLattice?.Source ?? lattice?.Source;
            Image = image;
            Lattice = lattice;
            RefinedLattice = refinedLattice;
            Reflections = (reflections ?? throw new ArgumentNullException(nameof(reflections))).ToArray();
            Stage = stage ?? "";
        }

        /// <summary>The image with its pixels: set on extraction tables; null on integrated tables, which name it by <see cref="Source"/>.</summary>
        public DiffractionImage? Image { get; }
        /// <summary>The image's file, frame and geometry without pixels (null for tables read from a file without that information).</summary>
        public ImageSource? Source { get; }
        public Lattice? Lattice { get; }
        public Lattice? RefinedLattice { get; }
        public IReadOnlyList<Reflection> Reflections { get; }
        /// <summary>The stable id of the lattice the reflections belong to (<see cref="Lattices.Lattice.Id"/>); for a table without
        /// a lattice, the id of lattice 0 of its <see cref="Source"/>.</summary>
        public long Id => (RefinedLattice ?? Lattice)?.Id ?? LatticeId.Of(Source?.Path ?? "", Source?.Frame ?? 0, 0);
        public int Count => Reflections.Count;
        /// <summary>Which step produced the table: Extract, Integrate, or Imported.</summary>
        public string Stage { get; }
        public int WellBehavedCount => Reflections.Count(r => r.WellBehaved);
        public string ImageName => Image?.Name ?? _imageName ?? Source?.Name ?? "";

        /// <summary>The same reflections with pixel-free lattices and no image: what leaves integration.</summary>
        public ReflectionTable WithoutPixels() => Image == null && Lattice?.Image == null && RefinedLattice?.Image == null ? this
            : new ReflectionTable(null, Lattice?.WithoutPixels(), RefinedLattice?.WithoutPixels(), Reflections, Stage, ImageName, Source);
        private readonly string? _imageName;

        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "{0}: {1} reflections ({2})", ImageName, Count, Stage);
    }
}
