using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using XtalPS.Formats;
using XtalPS.Pictures;

namespace XtalPS.Internal
{
    /// <summary>What the picture cmdlets share: the PowerShell 7 check, output names, the write itself and the error ids.</summary>
    internal static class PictureFiles
    {
        /// <summary>Stops the command on Windows PowerShell 5.1, where the drawing libraries do not run.</summary>
        public static void RequireDrawing(PSCmdlet cmdlet)
        {
            if (PictureRenderer.IsAvailable) return;
            cmdlet.ThrowTerminatingError(new ErrorRecord(new PlatformNotSupportedException(PictureRenderer.UnavailableReason),
                "PicturesNeedPowerShell7", ErrorCategory.ResourceUnavailable, null));
        }

        /// <summary>The picture format the path asks for; stops the command for another extension.</summary>
        public static PictureFormat FormatOf(PSCmdlet cmdlet, string path)
        {
            var format = RenderedPicture.FormatOf(path);
            if (format.HasValue) return format.Value;
            cmdlet.ThrowTerminatingError(new ErrorRecord(new ArgumentException($"'{path}' does not end in .png or .svg, the picture formats written."),
                "UnknownPictureFormat", ErrorCategory.InvalidArgument, path));
            return PictureFormat.Png;
        }

        /// <summary>A file-name-safe name for an image: the file name without extension, and the frame when not 0.</summary>
        public static string SafeName(string name)
        {
            string stem = name;
            int hash = stem.LastIndexOf('#');
            string frame = hash >= 0 ? "_" + stem.Substring(hash + 1) : "";
            if (hash >= 0) stem = stem.Substring(0, hash);
            stem = Path.GetFileNameWithoutExtension(stem.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) || stem.EndsWith(".bz2", StringComparison.OrdinalIgnoreCase)
                ? Path.GetFileNameWithoutExtension(stem) : stem);
            var invalid = Path.GetInvalidFileNameChars();
            return new string((stem + frame).Select(c => invalid.Contains(c) || c == ' ' ? '_' : c).ToArray());
        }

        /// <summary>The output path for one picture: the -Path pattern with {0} and {1} filled in, resolved.</summary>
        public static string Target(PSCmdlet cmdlet, string pattern, object first, string second)
        {
            try
            {
                return PathResolver.ResolveOutput(cmdlet, string.Format(CultureInfo.InvariantCulture, pattern, first, second));
            }
            catch (FormatException e)
            {
                cmdlet.ThrowTerminatingError(new ErrorRecord(e, "BadPathPattern", ErrorCategory.InvalidArgument, pattern));
                return "";
            }
        }

        /// <summary>Writes the picture atomically, honouring -Force, -WhatIf and -Confirm; true when written.</summary>
        public static bool Write(PSCmdlet cmdlet, string target, bool force, string action, Func<RenderedPicture?> draw, object item, bool passThru)
        {
            if (File.Exists(target) && !force)
            {
                cmdlet.WriteError(new ErrorRecord(new IOException($"The file '{target}' exists; use -Force to overwrite it."), "FileExists", ErrorCategory.ResourceExists, target));
                return false;
            }
            if (!cmdlet.ShouldProcess(target, action)) return false;
            RenderedPicture? picture;
            try
            {
                picture = draw();
            }
            catch (PictureException e)
            {
                cmdlet.WriteError(FromPictureException(e, item));
                return false;
            }
            if (picture == null) return false;
            try
            {
                AtomicFile.Write(target, s => s.Write(picture.Bytes, 0, picture.Bytes.Length));
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                cmdlet.WriteError(ErrorRecords.WriteFailed(e, target));
                return false;
            }
            cmdlet.WriteVerbose(picture.Width > 0 ? $"Wrote {target} ({picture.Width}x{picture.Height} px): {picture.Description}" : $"Wrote {target}: {picture.Description}");
            if (passThru) cmdlet.WriteObject(new FileInfo(target));
            return true;
        }

        /// <summary>The error record of a picture that could not be drawn, under its stable id.</summary>
        public static ErrorRecord FromPictureException(PictureException e, object target)
        {
            switch (e.ErrorId)
            {
                case PictureException.ImageMissingId: return new ErrorRecord(e, "PictureImageMissing", ErrorCategory.ObjectNotFound, target);
                case PictureException.NeedsImageId: return new ErrorRecord(e, "PictureNeedsImage", ErrorCategory.InvalidData, target);
                case PictureException.EmptyRegionId: return new ErrorRecord(e, "PictureRegionEmpty", ErrorCategory.InvalidArgument, target);
                case PictureException.NoPlotDataId: return new ErrorRecord(e, "NoPlotData", ErrorCategory.InvalidData, target);
                case PictureException.UnavailableId: return new ErrorRecord(e, "PicturesNeedPowerShell7", ErrorCategory.ResourceUnavailable, target);
                default: return new ErrorRecord(e, "PictureFailed", ErrorCategory.NotSpecified, target);
            }
        }
    }
}
