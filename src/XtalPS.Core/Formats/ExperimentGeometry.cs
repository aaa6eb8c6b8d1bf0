using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using XtalPS.Geometry;

namespace XtalPS.Formats
{
    /// <summary>
    /// What a geometry file says about an experiment: the detector, the beam when the file has one, and (for DIALS
    /// experiment lists) the crystal settings as plain numbers. Import-DetectorModel -IncludeBeam emits it.
    /// </summary>
    public sealed class ExperimentGeometry
    {
        public ExperimentGeometry(string sourcePath, string format, DetectorModel detector, Beam? beam,
            IEnumerable<DialsCrystal>? crystals = null, IEnumerable<string>? warnings = null)
        {
            SourcePath = sourcePath ?? "";
            Format = format ?? "";
            Detector = detector ?? throw new ArgumentNullException(nameof(detector));
            Beam = beam;
            Crystals = (crystals ?? Enumerable.Empty<DialsCrystal>()).ToArray();
            Warnings = (warnings ?? Enumerable.Empty<string>()).ToArray();
        }

        /// <summary>Full path of the file read.</summary>
        public string SourcePath { get; }
        /// <summary>DIALS, CrystFEL or psana.</summary>
        public string Format { get; }
        public DetectorModel Detector { get; }
        /// <summary>The beam, or null when the file does not state one (e.g. a .geom whose photon energy is an HDF5 path).</summary>
        public Beam? Beam { get; }
        /// <summary>Crystal settings of a DIALS experiment list, in file order (empty for other formats).</summary>
        public IReadOnlyList<DialsCrystal> Crystals { get; }
        /// <summary>What the reader could not represent or had to assume (shown by the cmdlets as warnings).</summary>
        public IReadOnlyList<string> Warnings { get; }

        public string Name => Path.GetFileName(SourcePath);

        public override string ToString() => $"{Name} ({Format}): {Detector}" + (Beam != null ? $"; {Beam}" : "");
    }
}
