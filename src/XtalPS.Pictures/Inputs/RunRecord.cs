using System.Globalization;

namespace XtalPS.Pictures
{
    /// <summary>What a run did to one image, reduced from whatever objects of the image went by (no pixels are kept).</summary>
    public sealed class RunImageRecord
    {
        internal RunImageRecord(int number, string key, string name) { Number = number; Key = key; Name = name; }

        /// <summary>1-based position of the image in the stream.</summary>
        public int Number { get; }
        public string Key { get; }
        public string Name { get; }
        /// <summary>Spots found (−1: no spot list went by).</summary>
        public int Spots { get; internal set; } = -1;
        public int Lattices { get; internal set; }
        /// <summary>Spots indexed by the image's lattices.</summary>
        public int Indexed { get; internal set; }
        /// <summary>Resolution of the outermost spot, Å.</summary>
        public double DMin { get; internal set; } = double.NaN;
        /// <summary>Reflections measured (integrated or extracted).</summary>
        public int Reflections { get; internal set; }

        /// <summary>Indexed spots over found spots (NaN without spots).</summary>
        public double IndexedFraction => Spots > 0 ? (double)Indexed / Spots : double.NaN;

        public bool IsHit(int minSpots) => Spots >= minSpots && Spots >= 0;

        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "{0} {1}: {2} spots, {3} lattices, {4} indexed", Number, Name, Spots, Lattices, Indexed);
    }

    /// <summary>Something a report should point out: a pipeline error or a figure out of the usual range.</summary>
    public sealed class RunWarning
    {
        public RunWarning(string id, string message, string target) { Id = id ?? ""; Message = message ?? ""; Target = target ?? ""; }
        public string Id { get; }
        public string Message { get; }
        public string Target { get; }
        public override string ToString() => Target.Length > 0 ? $"{Id}: {Target}: {Message}" : $"{Id}: {Message}";
    }
}
