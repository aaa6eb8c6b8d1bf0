using System;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using XtalPS.Formats;
using XtalPS.Geometry;
using XtalPS.Internal;

namespace XtalPS.Commands
{
    /// <summary>Export-DetectorModel: a DetectorModel (and optional Beam) → DIALS .expt or CrystFEL .geom, atomically.</summary>
    [Cmdlet(VerbsData.Export, "DetectorModel", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(FileInfo))]
    public sealed class ExportDetectorModelCommand : PSCmdlet
    {
        private int _index;

        /// <summary>The detector. Binds by value (a DetectorModel) or by property name (the Detector of an
        /// ExperimentGeometry or a DiffractionImage).</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNull]
        public DetectorModel? Detector { get; set; }

        /// <summary>The beam to store with the detector (.expt: a beam model; .geom: photon_energy).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public Beam? Beam { get; set; }

        /// <summary>The file to write. With several detectors, a pattern with {0} for a running number.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = "";

        /// <summary>Expt (DIALS experiment list), Geom (CrystFEL) or ImgCif (the imgCIF axis header of a CBF); by default
        /// from the extension (.geom → Geom, .cbf/.cif → ImgCif, else Expt).</summary>
        [Parameter]
        [ValidateSet("Expt", "Geom", "ImgCif")]
        public string? Format { get; set; }

        [Parameter] public SwitchParameter Force { get; set; }
        [Parameter] public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            var detector = Detector!;
            bool templated = Path.Contains("{0");
            if (!templated && _index > 0)
            {
                WriteError(ErrorRecords.InvalidArgument($"Several detectors go to '{Path}'; give a pattern with {{0}}, e.g. detector_{{0:D3}}.expt.", "PathCollision", detector));
                _index++;
                return;
            }
            string target;
            try
            {
                target = PathResolver.ResolveOutput(this, templated ? string.Format(CultureInfo.InvariantCulture, Path, _index) : Path);
            }
            catch (FormatException e)
            {
                ThrowTerminatingError(new ErrorRecord(e, "BadPathPattern", ErrorCategory.InvalidArgument, Path));
                return;
            }
            _index++;
            string extension = System.IO.Path.GetExtension(target).ToLowerInvariant();
            string format = Format ?? (extension == ".geom" ? "Geom" : extension == ".cbf" || extension == ".cif" ? "ImgCif" : "Expt");
            var refusal = PathResolver.RefuseOutput(target, Force);
            if (refusal != null) { WriteError(refusal); return; }
            if (!ShouldProcess(target, $"Write detector {detector.Name} ({detector.PanelCount} panels) as {format}")) return;
            try
            {
                if (format == "Geom") CrystFelGeometry.Write(target, detector, Beam);
                else if (format == "ImgCif")
                {
                    // An imgCIF header needs a wavelength; without -Beam the DIALS default direction and 1 Å are written.
                    var header = ImgCifWriter.WriteHeader(detector, Beam ?? new Beam(1.0));
                    AtomicFile.Write(target, stream => { var bytes = System.Text.Encoding.ASCII.GetBytes(header); stream.Write(bytes, 0, bytes.Length); });
                }
                else DialsExperimentJson.Write(target, detector, Beam);
                WriteVerbose($"Wrote {detector} to {target}" + (Beam != null ? $" with {Beam}" : ""));
                if (PassThru) WriteObject(new FileInfo(target));
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                WriteError(ErrorRecords.WriteFailed(e, target));
            }
            catch (ArgumentException e)
            {
                WriteError(ErrorRecords.Invalid(e, "DetectorNotWritable", detector));
            }
        }
    }
}
