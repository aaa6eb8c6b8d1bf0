using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using XtalPS.Formats;
using XtalPS.Imaging;
using XtalPS.Internal;

namespace XtalPS.Commands
{
    /// <summary>Add-ImageMask: masks rectangles, circles, resolution ranges, a mask file and/or the detector's
    /// declared bad regions on each image, emitting new images (pixels shared, masks copied on change).</summary>
    [Cmdlet(VerbsCommon.Add, "ImageMask")]
    [OutputType(typeof(DiffractionImage))]
    public sealed class AddImageMaskCommand : PSCmdlet
    {
        private ImageMask? _mask;
        private Dictionary<int, byte[]>? _fileMask;
        private (int W, int H)[]? _fileSizes;

        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        [ValidateNotNull]
        public DiffractionImage[] Image { get; set; } = Array.Empty<DiffractionImage>();

        /// <summary>Rectangles in pixels: x0, y0, x1, y1 (one rectangle), or several as (x0,y0,x1,y1),(…).</summary>
        [Parameter]
        public object[]? Rectangle { get; set; }

        /// <summary>Circles in pixels: x, y, radius (one circle), or several as (x,y,r),(…).</summary>
        [Parameter]
        public object[]? Circle { get; set; }

        /// <summary>Resolution ranges in Å: dmin, dmax (one range), or several as (dmin,dmax),(…). Pixels whose
        /// resolution lies in the range are masked; dmax may be [double]::PositiveInfinity.</summary>
        [Parameter]
        public object[]? Resolution { get; set; }

        /// <summary>Panels that -Rectangle and -Circle apply to (0-based); all panels by default.</summary>
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int[]? Panel { get; set; }

        /// <summary>An image file (any format Import-DiffractionImage reads) whose pixels are 1 (usable) or 0 (masked), one per panel.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? MaskFile { get; set; }

        /// <summary>Also mask the rectangles the detector model declares bad (DIALS panel masks, CrystFEL bad regions).</summary>
        [Parameter]
        public SwitchParameter DeclaredBadRegions { get; set; }

        protected override void BeginProcessing()
        {
            var mask = new ImageMask();
            try
            {
                foreach (var g in NumberGroups.Parse(Rectangle, 4, "Rectangle")) mask.AddRectangle(g[0], g[1], g[2], g[3], Panel);
                foreach (var g in NumberGroups.Parse(Circle, 3, "Circle")) mask.AddCircle(g[0], g[1], g[2], Panel);
                foreach (var g in NumberGroups.Parse(Resolution, 2, "Resolution")) mask.AddResolutionRange(Math.Min(g[0], g[1]), Math.Max(g[0], g[1]));
            }
            catch (ArgumentException e)
            {
                ThrowTerminatingError(new ErrorRecord(e, "InvalidMaskShape", ErrorCategory.InvalidArgument, null));
            }
            if (DeclaredBadRegions) mask.AddDeclaredBadRegions(Panel);
            if (MaskFile != null)
            {
                string path = GetUnresolvedProviderPathFromPSPath(MaskFile);
                try
                {
                    var frame = DiffractionImageReader.ReadFrames(path).First();
                    _fileMask = new Dictionary<int, byte[]>();
                    _fileSizes = frame.PanelImages.Select(p => (p.Width, p.Height)).ToArray();
                    for (int i = 0; i < frame.PanelCount; i++)
                    {
                        var px = frame.PanelImages[i].Pixels;
                        var usable = new byte[px.Length];
                        for (int k = 0; k < px.Length; k++) usable[k] = px[k] > 0.5f ? (byte)1 : (byte)0;
                        _fileMask[i] = usable;
                    }
                    WriteVerbose($"Mask file {path}: {_fileMask.Values.Sum(u => u.LongLength - u.Count(b => b != 0))} masked pixel(s)");
                }
                catch (Exception e) when (!(e is PipelineStoppedException))
                {
                    ThrowTerminatingError(ErrorRecords.FromReadException(e, path));
                }
            }
            if (mask.RegionCount == 0 && _fileMask == null)
                ThrowTerminatingError(ErrorRecords.InvalidArgument("Give at least one of -Rectangle, -Circle, -Resolution, -MaskFile or -DeclaredBadRegions.", "NoMaskGiven", null));
            _mask = mask;
        }

        protected override void ProcessRecord()
        {
            foreach (var image in Image)
            {
                var mask = _mask!;
                if (_fileMask != null)
                {
                    if (_fileSizes!.Length != image.PanelCount || _fileSizes.Where((s, i) => s.W != image.PanelImages[i].Width || s.H != image.PanelImages[i].Height).Any())
                    {
                        WriteError(ErrorRecords.InvalidArgument($"The mask file's panels ({string.Join(", ", _fileSizes.Select(s => $"{s.W}x{s.H}"))}) do not match {image.Name}.", "MaskSizeMismatch", image));
                        continue;
                    }
                    mask = CloneWithFile(image);
                }
                if (Panel != null && Panel.Any(p => p >= image.PanelCount))
                {
                    WriteError(ErrorRecords.InvalidArgument($"{image.Name} has {image.PanelCount} panel(s); -Panel {string.Join(",", Panel)} names one that does not exist.", "PanelOutOfRange", image));
                    continue;
                }
                var result = mask.Apply(image, out long n);
                WriteVerbose($"{image.Name}: {n} more pixel(s) masked");
                WriteObject(result);
            }
        }

        private ImageMask CloneWithFile(DiffractionImage image)
        {
            // The shapes, then the file's arrays: rebuilt per image (cheap: the shapes are a handful of numbers).
            var mask = new ImageMask();
            foreach (var g in NumberGroups.Parse(Rectangle, 4, "Rectangle")) mask.AddRectangle(g[0], g[1], g[2], g[3], Panel);
            foreach (var g in NumberGroups.Parse(Circle, 3, "Circle")) mask.AddCircle(g[0], g[1], g[2], Panel);
            foreach (var g in NumberGroups.Parse(Resolution, 2, "Resolution")) mask.AddResolutionRange(Math.Min(g[0], g[1]), Math.Max(g[0], g[1]));
            if (DeclaredBadRegions) mask.AddDeclaredBadRegions(Panel);
            foreach (var kv in _fileMask!) mask.AddArray(kv.Key, image.PanelImages[kv.Key].Width, image.PanelImages[kv.Key].Height, kv.Value);
            return mask;
        }
    }

    /// <summary>Reads "1,2,3,4" (one group) or "(1,2,3,4),(5,6,7,8)" (several) as groups of numbers.</summary>
    internal static class NumberGroups
    {
        public static List<double[]> Parse(object[]? value, int size, string name)
        {
            var groups = new List<double[]>();
            if (value == null || value.Length == 0) return groups;
            var items = value.Select(v => v is PSObject ps ? ps.BaseObject : v).ToArray();
            if (items.All(v => !(v is IEnumerable) || v is string))
            {
                if (items.Length % size != 0) throw new ArgumentException($"-{name} takes groups of {size} numbers; got {items.Length}.");
                var all = items.Select(v => ToDouble(v, name)).ToArray();
                for (int i = 0; i < all.Length; i += size) groups.Add(all.Skip(i).Take(size).ToArray());
                return groups;
            }
            foreach (var item in items)
            {
                var g = (item is IEnumerable e && !(item is string) ? e.Cast<object>() : new[] { item })
                    .Select(v => ToDouble(v is PSObject p ? p.BaseObject : v, name)).ToArray();
                if (g.Length != size) throw new ArgumentException($"-{name} takes groups of {size} numbers; one group has {g.Length}.");
                groups.Add(g);
            }
            return groups;
        }

        private static double ToDouble(object v, string name)
        {
            try { return LanguagePrimitives.ConvertTo<double>(v); }
            catch (PSInvalidCastException) { throw new ArgumentException($"-{name}: '{v}' is not a number."); }
        }
    }
}
