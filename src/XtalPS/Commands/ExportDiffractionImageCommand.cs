using System;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using XtalPS.Formats;
using XtalPS.Imaging;
using XtalPS.Internal;

namespace XtalPS.Commands
{
    /// <summary>Export-DiffractionImage: writes images to files, atomically, honouring -WhatIf.</summary>
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

        [Parameter]
        [ValidateSet("MiniCbf")]
        public string Format { get; set; } = "MiniCbf";

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
            if (File.Exists(target) && !Force)
            {
                WriteError(new ErrorRecord(new IOException($"The file '{target}' exists; use -Force to overwrite it."), "FileExists", ErrorCategory.ResourceExists, target));
                return;
            }
            if (!ShouldProcess(target, $"Write {image.Name} as {Format}")) return;
            try
            {
                MiniCbfWriter.Write(image, target);
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
    }
}
