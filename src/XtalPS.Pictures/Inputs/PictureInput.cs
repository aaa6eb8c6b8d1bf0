using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.CompilerServices;
using XtalPS.Imaging;
using XtalPS.Integration;
using XtalPS.Lattices;
using XtalPS.Spots;

namespace XtalPS.Pictures
{
    /// <summary>
    /// What a pipeline object tells a picture: which image it belongs to and what it adds. The one place that knows
    /// the shapes of the pipeline's objects (images, spot lists, lattices, reflection tables); the scenes, run records
    /// and plots only see what this returns.
    /// </summary>
    public static class PictureInput
    {
        private static readonly ConditionalWeakTable<DiffractionImage, string> PathlessKeys = new ConditionalWeakTable<DiffractionImage, string>();
        private static long _pathless;

        /// <summary>True for the objects that carry or point at one diffraction image.</summary>
        public static bool IsImageBound(object? o) => o is DiffractionImage || o is SpotList || o is Lattice || o is ReflectionTable;

        /// <summary>The image the object carries (null when it carries none: an imported table, a lattice typed in by hand).</summary>
        public static DiffractionImage? ImageOf(object? o)
        {
            switch (o)
            {
                case DiffractionImage i: return i;
                case SpotList s: return s.Image;
                case Lattice l: return l.Image ?? l.Spots?.Image;
                case ReflectionTable t: return t.Image ?? ImageOf(t.RefinedLattice) ?? ImageOf(t.Lattice);
                default: return null;
            }
        }

        /// <summary>The file and frame the object's image was read from (path empty when unknown or simulated).</summary>
        public static (string Path, int Frame) SourceOf(object? o)
        {
            var image = ImageOf(o);
            if (image != null) return (image.SourcePath, image.FrameIndex);
            // Objects that have left integration hold no pixels but still name their file and frame.
            var source = o switch { SpotList s => s.Source, Lattice l => l.Source, ReflectionTable t => t.Source, _ => null };
            return source == null ? ("", 0) : (source.Path, source.Frame);
        }

        /// <summary>A key equal for every object of one image: the file and frame, or for an image without a file the image itself.</summary>
        public static string KeyOf(object? o)
        {
            var image = ImageOf(o);
            if (image == null) return "";
            if (!string.IsNullOrEmpty(image.SourcePath)) return image.SourcePath + "#" + image.FrameIndex.ToString(CultureInfo.InvariantCulture);
            return PathlessKeys.GetValue(image, _ => "memory:" + System.Threading.Interlocked.Increment(ref _pathless).ToString(CultureInfo.InvariantCulture));
        }

        /// <summary>A short name for titles, tables and errors.</summary>
        public static string NameOf(object? o)
        {
            var image = ImageOf(o);
            if (image != null) return image.Name;
            switch (o)
            {
                case ReflectionTable t: return string.IsNullOrEmpty(t.ImageName) ? "reflection table" : t.ImageName;
                case Lattice l: return string.IsNullOrEmpty(l.ImageName) ? "lattice" : l.ImageName;
                default: return o?.ToString() ?? "";
            }
        }

        /// <summary>How much an object holds for a picture: a table holds its lattice, a lattice its spots, spots their image.</summary>
        public static int Richness(object? o)
        {
            switch (o)
            {
                case ReflectionTable _: return 3;
                case Lattice _: return 2;
                case SpotList _: return 1;
                default: return 0;
            }
        }

        /// <summary>The spot lists an object holds.</summary>
        public static IEnumerable<SpotList> SpotListsOf(object? o)
        {
            switch (o)
            {
                case SpotList s: yield return s; break;
                case Lattice l when l.Spots != null: yield return l.Spots; break;
                case ReflectionTable t:
                    foreach (var lattice in LatticesOf(t))
                        if (lattice.Spots != null) yield return lattice.Spots;
                    break;
            }
        }

        /// <summary>The lattices an object holds: itself, or the lattice a table was predicted from (the one that indexed
        /// the spots; else the table's refined lattice).</summary>
        public static IEnumerable<Lattice> LatticesOf(object? o)
        {
            switch (o)
            {
                case Lattice l: yield return l; break;
                case ReflectionTable t:
                    var lattice = t.Lattice ?? t.RefinedLattice;
                    if (lattice != null) yield return lattice;
                    break;
            }
        }

        /// <summary>Spots found on the image, as counted for the run: the largest spot list the object holds.</summary>
        public static int SpotCountOf(object? o)
        {
            int n = -1;
            foreach (var s in SpotListsOf(o)) n = Math.Max(n, s.Count);
            return n;
        }

        /// <summary>Spots indexed by the object's lattices.</summary>
        public static int IndexedCountOf(object? o)
        {
            int n = 0;
            foreach (var l in LatticesOf(o)) n += l.IndexedCount;
            return n;
        }

        /// <summary>The outermost spot's resolution, Å (NaN when unknown).</summary>
        public static double SpotDMinOf(object? o)
        {
            double d = double.NaN;
            foreach (var s in SpotListsOf(o))
                if (!double.IsNaN(s.DMin) && !(s.DMin >= d)) d = s.DMin;
            return d;
        }

        /// <summary>The reflections of a table with an intensity and σ (integrated, or fitted by extraction).</summary>
        public static IEnumerable<(double D, double I, double Sigma, int Panel, double X, double Y)> MeasuredReflections(ReflectionTable table)
        {
            foreach (var r in table.Reflections)
            {
                double i = r.Intensity, s = r.Sigma;
                if (double.IsNaN(i) && !double.IsNaN(r.Amplitude)) { i = r.Amplitude; s = r.AmplitudeSigma; }
                if (double.IsNaN(i) || !(s > 0)) continue;
                yield return (r.D, i, s, r.Panel, double.IsNaN(r.X) ? r.PredictedX : r.X, double.IsNaN(r.Y) ? r.PredictedY : r.Y);
            }
        }
    }
}
