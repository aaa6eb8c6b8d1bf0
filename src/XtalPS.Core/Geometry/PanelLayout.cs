using System;
using System.Globalization;

namespace XtalPS.Geometry
{
    /// <summary>
    /// Where a panel's pixels live in the file's data: which array (or module index of a 3D array, or CBF binary
    /// section) and the window inside it. A CrystFEL panel with min_fs = 194, min_ss = 185 in a 1552×1480 "slab"
    /// has FastOffset 194, SlowOffset 185; a cctbx CSPAD CBF ASIC has the section's array index and offsets.
    /// </summary>
    /// <remarks>Readers of multi-panel images use it to cut a panel out of a larger array; writers of .geom files
    /// use it to reproduce the original mapping. A panel without a layout owns a whole array of its own.</remarks>
    public sealed class PanelLayout : IEquatable<PanelLayout>
    {
        public PanelLayout(int fastOffset, int slowOffset, int arrayIndex = -1, string dataPath = "")
        {
            if (fastOffset < 0 || slowOffset < 0) throw new ArgumentOutOfRangeException(nameof(fastOffset), "Data-array offsets must not be negative.");
            FastOffset = fastOffset;
            SlowOffset = slowOffset;
            ArrayIndex = arrayIndex;
            DataPath = dataPath ?? "";
        }

        /// <summary>First column of the panel in the data array (CrystFEL min_fs).</summary>
        public int FastOffset { get; }
        /// <summary>First row of the panel in the data array (CrystFEL min_ss).</summary>
        public int SlowOffset { get; }
        /// <summary>Index along the extra (slowest) dimension of the data, or the array/section number; −1 when the data is one 2D array.</summary>
        public int ArrayIndex { get; }
        /// <summary>Where the array lives in a container file (an HDF5 path such as /entry/data/data), or empty.</summary>
        public string DataPath { get; }

        public bool Equals(PanelLayout? o) => o != null && FastOffset == o.FastOffset && SlowOffset == o.SlowOffset && ArrayIndex == o.ArrayIndex && DataPath == o.DataPath;
        public override bool Equals(object? obj) => Equals(obj as PanelLayout);
        public override int GetHashCode() => (FastOffset, SlowOffset, ArrayIndex, DataPath).GetHashCode();

        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "{0}{1}(fs {2}, ss {3})",
            DataPath.Length > 0 ? DataPath + " " : "", ArrayIndex >= 0 ? "[" + ArrayIndex + "] " : "", FastOffset, SlowOffset);
    }
}
