using System;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using XtalPS.Formats;
using XtalPS.Imaging;
using XtalPS.Internal;

namespace XtalPS.Commands
{
    /// <summary>Export-DiffractionImage: writes images as miniCBF, imgCIF, TIFF or MRC files, atomically, honouring -WhatIf.</summary>
    [Cmdlet(VerbsData.Export, "DiffractionImage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(FileInfo))]
    public sealed class ExportDiffractionImageCommand : PSCmdlet
    {
        private int _index;

        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        [ValidateNotNull]
        public DiffractionImage? Image { get; set; }

        /// <summary>The file to write. With several images, a pattern with {0} for a running number (e.g. frame_{0:D5}.cbf).</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = "";

        /// <summary>MiniCbf (one panel, integer counts), ImgCif (full imgCIF with the detector hierarchy: any number of
        /// panels, integer counts), Tiff (one panel, 32-bit float) or Mrc (one panel, mode 2 float). By default from the
        /// extension: .cbf/.cif → MiniCbf for one panel, ImgCif for several; .tif/.tiff → Tiff; .mrc/.mrcs → Mrc.</summary>
        [Parameter]
        [ValidateSet("MiniCbf", "ImgCif", "Tiff", "Mrc")]
        public string? Format { get; set; }

        /// <summary>Overwrite an existing file.</summary>
        [Parameter] public SwitchParameter Force { get; set; }

        /// <summary>Emit a FileInfo for every file written.</summary>
        [Parameter] public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            var image = Image!;
            string pattern = Path;
            bool templated = pattern.Contains("{0");
            if (!templated && _index > 0)
            {
                WriteError(ErrorRecords.InvalidArgument($"Several images go to '{Path}'; give a pattern with {{0}}, e.g. frame_{{0:D5}}.cbf.", "PathCollision", image));
                _index++;
                return;
            }
            string target;
            try
            {
                target = PathResolver.ResolveOutput(this, templated ? string.Format(CultureInfo.InvariantCulture, pattern, _index) : pattern);
            }
            catch (FormatException e)
            {
                ThrowTerminatingError(new ErrorRecord(e, "BadPathPattern", ErrorCategory.InvalidArgument, Path));
                return;
            }
            _index++;
            string? format = Format ?? FormatFromExtension(target, image.PanelCount);
            if (format == null)
            {
                WriteError(ErrorRecords.InvalidArgument($"'{target}' has no image file extension XtalPS writes: use .cbf, .cif, .tif, .tiff, .mrc or .mrcs, or give -Format.",
                    "UnknownImageFormat", target));
                return;
            }
            var refusal = PathResolver.RefuseOutput(target, Force);
            if (refusal != null) { WriteError(refusal); return; }
            if (!ShouldProcess(target, $"Write {image.Name} as {format}")) return;
            try
            {
                switch (format)
                {
                    case "ImgCif": ImgCifWriter.Write(image, target); break;
                    case "Tiff": TiffWriter.Write(image, target); break;
                    case "Mrc": MrcImage.Write(image, target); break;
                    default: MiniCbfWriter.Write(image, target); break;
                }
                WriteVerbose($"Wrote {image.Name} to {target}");
                if (PassThru) WriteObject(new FileInfo(target));
            }
            catch (ArgumentException e)
            {
                WriteError(ErrorRecords.Invalid(e, "ImageNotWritable", image));
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                WriteError(ErrorRecords.WriteFailed(e, target));
            }
        }

        private static string? FormatFromExtension(string target, int panels)
        {
            switch (System.IO.Path.GetExtension(target).ToLowerInvariant())
            {
                case ".cbf": case ".cif": return panels == 1 ? "MiniCbf" : "ImgCif";
                case ".tif": case ".tiff": return "Tiff";
                case ".mrc": case ".mrcs": return "Mrc";
                default: return null;
            }
        }
    }
}
