using System;

namespace XtalPS.Pictures
{
    /// <summary>A picture that cannot be drawn, with a stable id the cmdlets report it under.</summary>
    public sealed class PictureException : Exception
    {
        /// <summary>The pixels of an image are gone: the lattice or table no longer holds them and the file cannot be read.</summary>
        public const string ImageMissingId = "PictureImageMissing";
        /// <summary>An object without any image to draw on (an imported reflection table, a lattice typed in by hand).</summary>
        public const string NeedsImageId = "PictureNeedsImage";
        /// <summary>The region asked for shows nothing of the detector, or names a panel the detector lacks.</summary>
        public const string EmptyRegionId = "PictureRegionEmpty";
        /// <summary>A plot kind without any of the data it needs.</summary>
        public const string NoPlotDataId = "NoPlotData";
        /// <summary>Pictures need the drawing libraries of PowerShell 7.</summary>
        public const string UnavailableId = "PicturesNeedPowerShell7";

        public PictureException(string errorId, string message, Exception? inner = null) : base(message, inner) { ErrorId = errorId; }

        public string ErrorId { get; }
    }
}
