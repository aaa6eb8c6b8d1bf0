using XtalPS.Integration;

namespace XtalPS.Formats
{
    /// <summary>
    /// The bits of a DIALS reflection table's <c>flags</c> column (dials/array_family reflection_table flags, as DIALS
    /// 3.12 numbers them) and how they correspond to <see cref="ReflectionFlags"/>. DIALS has no "weak" bit, and XtalPS
    /// none for "used in refinement"; the XtalPS bits travel in their own column so nothing is lost.
    /// </summary>
    public static class DialsFlags
    {
        public const ulong Predicted = 1UL << 0;
        public const ulong Observed = 1UL << 1;
        public const ulong Indexed = 1UL << 2;
        public const ulong UsedInRefinement = 1UL << 3;
        public const ulong Strong = 1UL << 5;
        public const ulong ReferenceSpot = 1UL << 6;
        public const ulong DontIntegrate = 1UL << 7;
        public const ulong IntegratedSum = 1UL << 8;
        public const ulong IntegratedPrf = 1UL << 9;
        public const ulong Overloaded = 1UL << 10;
        public const ulong OverlappedBackground = 1UL << 11;
        public const ulong OverlappedForeground = 1UL << 12;
        public const ulong InPowderRing = 1UL << 13;
        public const ulong ForegroundIncludesBadPixels = 1UL << 14;
        public const ulong BackgroundIncludesBadPixels = 1UL << 15;
        public const ulong UsedInModelling = 1UL << 16;
        public const ulong CentroidOutlier = 1UL << 17;
        public const ulong FailedDuringBackgroundModelling = 1UL << 18;
        public const ulong FailedDuringSummation = 1UL << 19;
        public const ulong FailedDuringProfileFitting = 1UL << 20;
        public const ulong BadReference = 1UL << 21;
        public const ulong UserExcludedInScaling = 1UL << 22;
        public const ulong OutlierInScaling = 1UL << 23;
        public const ulong ExcludedForScaling = 1UL << 24;
        public const ulong ExcludedForRefinement = 1UL << 25;
        public const ulong Scaled = 1UL << 26;

        /// <summary>The DIALS bits of an XtalPS reflection's problems (without the state bits indexed/integrated).</summary>
        public static ulong FromProblems(ReflectionFlags f)
        {
            ulong d = 0;
            if ((f & ReflectionFlags.FitFailed) != 0) d |= FailedDuringProfileFitting;
            // A box that runs off the panel lacks background pixels, as a DIALS shoebox that leaves the panel does.
            if ((f & ReflectionFlags.NearEdge) != 0) d |= BackgroundIncludesBadPixels;
            if ((f & ReflectionFlags.Masked) != 0) d |= ForegroundIncludesBadPixels;
            if ((f & ReflectionFlags.Overloaded) != 0) d |= Overloaded;
            if ((f & ReflectionFlags.BadBackground) != 0) d |= FailedDuringBackgroundModelling;
            return d;
        }

        /// <summary>The XtalPS problems a DIALS flag word states.</summary>
        public static ReflectionFlags ToProblems(ulong d)
        {
            var f = ReflectionFlags.None;
            if ((d & (FailedDuringProfileFitting | FailedDuringSummation)) != 0) f |= ReflectionFlags.FitFailed;
            if ((d & BackgroundIncludesBadPixels) != 0) f |= ReflectionFlags.NearEdge;
            if ((d & ForegroundIncludesBadPixels) != 0) f |= ReflectionFlags.Masked;
            if ((d & Overloaded) != 0) f |= ReflectionFlags.Overloaded;
            if ((d & FailedDuringBackgroundModelling) != 0) f |= ReflectionFlags.BadBackground;
            return f;
        }
    }
}
