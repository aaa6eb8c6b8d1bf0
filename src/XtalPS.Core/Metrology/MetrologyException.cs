using System;

namespace XtalPS.Metrology
{
    /// <summary>
    /// Metrology refinement could not run on the input it was given. The input detector and crystals are left
    /// exactly as they were; <see cref="ErrorId"/> is stable so cmdlets can turn it into an ErrorRecord.
    /// </summary>
    public sealed class MetrologyException : Exception
    {
        /// <summary>Observations refer to panels of another detector (wrong panel count, names or sizes, or a panel index out of range).</summary>
        public const string DetectorMismatchId = "DetectorMismatch";
        /// <summary>The requested hierarchy level is deeper than the detector's hierarchy (or negative).</summary>
        public const string HierarchyLevelOutOfRangeId = "HierarchyLevelOutOfRange";
        /// <summary>Too few usable reflections or crystals to determine any parameter.</summary>
        public const string TooFewReflectionsId = "TooFewReflections";
        /// <summary>A crystal or reflection cannot be predicted (singular cell, reflection outside the limiting sphere…).</summary>
        public const string InvalidObservationId = "InvalidObservation";
        /// <summary>The least-squares problem became singular or non-finite.</summary>
        public const string RefinementFailedId = "RefinementFailed";

        /// <summary>A lattice handed to metrology has no image (and so no detector or beam).</summary>
        public const string NoImageId = "NoImage";
        /// <summary>A lattice handed to metrology has no indexed spots.</summary>
        public const string NoIndexedSpotsId = "NoIndexedSpots";

        public MetrologyException(string errorId, string message, Exception? inner = null) : base(message, inner)
        {
            ErrorId = errorId ?? RefinementFailedId;
        }

        /// <summary>Stable identifier of the failure (one of the *Id constants).</summary>
        public string ErrorId { get; }
    }
}
