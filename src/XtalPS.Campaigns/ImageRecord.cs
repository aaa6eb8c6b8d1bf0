using System.Globalization;
using System.IO;
using XtalPS.Lattices;

namespace XtalPS.Campaigns
{
    /// <summary>
    /// What a campaign knows about one image: where it is, how many spots, lattices and reflections the pipeline
    /// script got from it, the cell of its first crystal lattice, its resolution, and the first error when it failed.
    /// </summary>
    public sealed class ImageRecord
    {
        /// <summary>The file's 0-based position in the campaign's (ordinal) file list.</summary>
        public int FileIndex { get; set; }
        public int Chunk { get; set; }
        public string Path { get; set; } = "";
        /// <summary>0-based frame in the file; −1 when the file could not be read at all.</summary>
        public int Frame { get; set; }
        /// <summary>Spots found (−1 when the script's output and errors carried no spot list).</summary>
        public int Spots { get; set; } = -1;
        public int Lattices { get; set; }
        public int Reflections { get; set; }
        /// <summary>Resolution of the outermost spot, Å (NaN when unknown).</summary>
        public double SpotDMin { get; set; } = double.NaN;
        /// <summary>Resolution of the outermost integrated reflection with I/σ ≥ 2, Å (NaN when none).</summary>
        public double DMin { get; set; } = double.NaN;
        /// <summary>The cell of the image's first crystal lattice (null when it has none).</summary>
        public UnitCell? Cell { get; set; }
        /// <summary>The error id of the image's first error (null when it had none).</summary>
        public string? ErrorId { get; set; }
        public string? ErrorMessage { get; set; }
        /// <summary>How many errors the script wrote for the image.</summary>
        public int Errors { get; set; }
        /// <summary>Wall-clock seconds the script took on the image.</summary>
        public double Seconds { get; set; }

        /// <summary>The file name, and the frame when it is not the first.</summary>
        public string Name => Frame <= 0 ? System.IO.Path.GetFileName(Path) : $"{System.IO.Path.GetFileName(Path)}#{Frame}";
        public bool Failed => ErrorId != null;
        public bool IsHit(int minSpots) => Spots >= minSpots;

        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "{0}: {1} spots, {2} lattice(s), {3} reflections{4}",
            Name, Spots, Lattices, Reflections, ErrorId != null ? ", " + ErrorId : "");
    }
}
