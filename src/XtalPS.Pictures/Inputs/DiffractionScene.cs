using System;
using System.Collections.Generic;
using System.Linq;
using XtalPS.Formats;
using XtalPS.Imaging;
using XtalPS.Integration;
using XtalPS.Lattices;
using XtalPS.Spots;

namespace XtalPS.Pictures
{
    /// <summary>One image and everything piped in with it that can be drawn over it: spot lists, lattices, reflection tables.</summary>
    public sealed class DiffractionScene
    {
        private readonly List<SpotList> _spotLists = new List<SpotList>();
        private readonly List<Lattice> _lattices = new List<Lattice>();
        private readonly List<ReflectionTable> _tables = new List<ReflectionTable>();
        private readonly List<BraggSpot> _looseSpots = new List<BraggSpot>();

        public DiffractionScene(string key) { Key = key ?? ""; }

        /// <summary>A scene of an image known only by its file and frame (its pixels are re-read when drawn).</summary>
        internal static DiffractionScene ForFile(string path, int frame, string name)
        {
            var scene = new DiffractionScene(path + "#" + frame) { SourcePath = path ?? "", Frame = frame, Name = name ?? "" };
            return scene;
        }

        /// <summary>The identity of the image (file and frame).</summary>
        public string Key { get; }
        /// <summary>The image with its pixels, when an object carried them.</summary>
        public DiffractionImage? Image { get; private set; }
        public string Name { get; private set; } = "";
        public string SourcePath { get; private set; } = "";
        public int Frame { get; private set; }
        public IReadOnlyList<SpotList> SpotLists => _spotLists;
        public IReadOnlyList<Lattice> Lattices => _lattices;
        public IReadOnlyList<ReflectionTable> Tables => _tables;
        /// <summary>Single spots piped after their image (e.g. a filtered subset of a spot list).</summary>
        public IReadOnlyList<BraggSpot> LooseSpots => _looseSpots;
        /// <summary>How many objects went into the scene.</summary>
        public int ObjectCount { get; private set; }

        /// <summary>Adds a pipeline object of this image; its spot lists and lattices come along (each once).</summary>
        public void Add(object o)
        {
            ObjectCount++;
            if (o is BraggSpot spot) { _looseSpots.Add(spot); return; }
            var image = PictureInput.ImageOf(o);
            if (image != null && Image == null) Image = image;
            if (Name.Length == 0) Name = PictureInput.NameOf(o);
            if (SourcePath.Length == 0)
            {
                var (path, frame) = PictureInput.SourceOf(o);
                SourcePath = path; Frame = frame;
            }
            if (o is ReflectionTable t && !_tables.Any(x => ReferenceEquals(x, t))) _tables.Add(t);
            foreach (var l in PictureInput.LatticesOf(o))
                if (!_lattices.Any(x => ReferenceEquals(x, l))) _lattices.Add(l);
            foreach (var s in PictureInput.SpotListsOf(o))
                if (!_spotLists.Any(x => ReferenceEquals(x, s))) _spotLists.Add(s);
        }

        /// <summary>
        /// The image to draw on: the one an object carried, else re-read from its file and frame (objects that leave
        /// integration keep only the path). The geometry is that of the first crystal lattice when it has one, so
        /// predictions are drawn where they were made.
        /// </summary>
        public DiffractionImage ResolveImage()
        {
            if (Image != null) return Image;
            if (string.IsNullOrEmpty(SourcePath))
                throw new PictureException(PictureException.NeedsImageId,
                    $"{(Name.Length > 0 ? Name : "The object")} has no image to draw on: it holds no pixels and names no file (reflection tables read from a file carry no image).");
            if (!System.IO.File.Exists(SourcePath))
                throw new PictureException(PictureException.ImageMissingId,
                    $"The picture of {Name} needs its pixels, which the pipeline objects no longer hold, and the file '{SourcePath}' is gone.");
            DiffractionImage? read;
            try
            {
                read = DiffractionImageReader.ReadFrames(SourcePath, FrameSelection.Single(Frame)).FirstOrDefault();
            }
            catch (Exception e) when (!(e is OutOfMemoryException))
            {
                throw new PictureException(PictureException.ImageMissingId, $"The picture of {Name} needs its pixels; re-reading frame {Frame} of '{SourcePath}' failed: {e.Message}", e);
            }
            if (read == null)
                throw new PictureException(PictureException.ImageMissingId, $"The picture of {Name} needs frame {Frame} of '{SourcePath}', which the file no longer holds.");
            var crystal = _lattices.OfType<CrystalLattice>().FirstOrDefault(l => l.Detector != null);
            if (crystal?.Detector != null && crystal.Detector.PanelCount == read.PanelCount) read = read.WithGeometry(crystal.Detector, crystal.Beam);
            Image = read;
            return read;
        }
    }
}
