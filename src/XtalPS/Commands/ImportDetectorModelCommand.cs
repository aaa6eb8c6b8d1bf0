using System;
using System.Management.Automation;
using XtalPS.Formats;
using XtalPS.Geometry;
using XtalPS.Internal;

namespace XtalPS.Commands
{
    /// <summary>Import-DetectorModel: DIALS .expt/.json, CrystFEL .geom and psana .data files → DetectorModel
    /// (or, with -IncludeBeam, ExperimentGeometry with the detector, the beam and any crystals).</summary>
    [Cmdlet(VerbsData.Import, "DetectorModel", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(DetectorModel), typeof(ExperimentGeometry))]
    public sealed class ImportDetectorModelCommand : PSCmdlet
    {
        private const string PathSet = "Path";
        private const string LiteralSet = "LiteralPath";

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public string[] Path { get; set; } = Array.Empty<string>();

        [Parameter(Mandatory = true, ParameterSetName = LiteralSet, ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; } = Array.Empty<string>();

        /// <summary>The file format; Auto decides by extension, then by content.</summary>
        [Parameter]
        [ValidateSet("Auto", "Expt", "Geom", "Psana", "ImgCif")]
        public string Format { get; set; } = "Auto";

        /// <summary>Sample-to-detector distance in mm for files that do not hold one (a .geom whose clen is an HDF5 path,
        /// a psana table); for a psana table it replaces the IP/RAIL placement.</summary>
        [Parameter]
        [ValidateRange(0.0, 1e6)]
        public double Distance { get; set; } = double.NaN;

        /// <summary>Emit an ExperimentGeometry (Detector, Beam, Crystals, Warnings) instead of the bare DetectorModel.</summary>
        [Parameter]
        public SwitchParameter IncludeBeam { get; set; }

        protected override void ProcessRecord()
        {
            bool literal = ParameterSetName == LiteralSet;
            foreach (var argument in literal ? LiteralPath : Path)
                foreach (var file in PathResolver.Resolve(this, new[] { argument }, literal))
                {
                    WriteVerbose($"Reading detector geometry from {file}");
                    ExperimentGeometry g;
                    try
                    {
                        var kind = Format switch
                        {
                            "Expt" => DetectorModelReader.Kind.Dials,
                            "Geom" => DetectorModelReader.Kind.CrystFel,
                            "Psana" => DetectorModelReader.Kind.Psana,
                            "ImgCif" => DetectorModelReader.Kind.ImgCif,
                            _ => DetectorModelReader.Kind.Auto,
                        };
                        g = DetectorModelReader.Read(file, kind, double.IsNaN(Distance) ? (double?)null : Distance);
                    }
                    catch (Exception e) when (!(e is PipelineStoppedException))
                    {
                        WriteError(ErrorRecords.FromReadException(e, file));
                        continue;
                    }
                    foreach (var w in g.Warnings) WriteWarning($"{System.IO.Path.GetFileName(file)}: {w}");
                    WriteVerbose($"{g.Format}: {g.Detector}" + (g.Beam != null ? $"; {g.Beam}" : "; no beam") + (g.Crystals.Count > 0 ? $"; {g.Crystals.Count} crystal(s)" : ""));
                    if (IncludeBeam) WriteObject(g);
                    else WriteObject(g.Detector);
                }
        }
    }
}
