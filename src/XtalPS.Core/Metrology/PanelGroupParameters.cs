using System;
using System.Globalization;

namespace XtalPS.Metrology
{
    /// <summary>The six rigid-body parameters of a panel group.</summary>
    [Flags]
    public enum PanelGroupParameter
    {
        None = 0,
        Dist = 1,
        Shift1 = 2,
        Shift2 = 4,
        Tau1 = 8,
        Tau2 = 16,
        Tau3 = 32,
        All = 63,
    }

    /// <summary>
    /// The rigid motion refined for one panel group at one hierarchy level, in the group's frame at the start of the
    /// level: Dist along its normal, Shift1/Shift2 along its fast/slow axes (mm), and Tau1/Tau2/Tau3 rotations about
    /// its normal/fast/slow axes through its origin (mrad), with estimated standard deviations (NaN when fixed).
    /// </summary>
    public sealed class PanelGroupParameters
    {
        internal PanelGroupParameters(string name, int level, int panelCount, int reflectionCount, double[] values, double[] esds,
            PanelGroupParameter fixedParameters, bool autoFixed, double pixelSize, int[]? panelIndices = null, double esdInflation = 1)
        {
            EsdInflation = esdInflation;
            PanelIndices = panelIndices ?? System.Array.Empty<int>();
            Name = name; Level = level; PanelCount = panelCount; ReflectionCount = reflectionCount;
            Dist = values[0]; Shift1 = values[1]; Shift2 = values[2]; Tau1 = values[3]; Tau2 = values[4]; Tau3 = values[5];
            DistEsd = esds[0]; Shift1Esd = esds[1]; Shift2Esd = esds[2]; Tau1Esd = esds[3]; Tau2Esd = esds[4]; Tau3Esd = esds[5];
            FixedParameters = fixedParameters; AutoFixed = autoFixed; PixelSize = pixelSize;
        }

        public string Name { get; }
        public int Level { get; }
        /// <summary>Indices of the detector panels in the group.</summary>
        public System.Collections.Generic.IReadOnlyList<int> PanelIndices { get; }
        public int PanelCount { get; }
        /// <summary>Reflections on the group's panels used at this level.</summary>
        public int ReflectionCount { get; }
        /// <summary>Shift along the group normal, mm.</summary>
        public double Dist { get; }
        /// <summary>Shift along the group fast axis, mm.</summary>
        public double Shift1 { get; }
        /// <summary>Shift along the group slow axis, mm.</summary>
        public double Shift2 { get; }
        /// <summary>Rotation about the group normal, mrad.</summary>
        public double Tau1 { get; }
        /// <summary>Rotation about the group fast axis, mrad.</summary>
        public double Tau2 { get; }
        /// <summary>Rotation about the group slow axis, mrad.</summary>
        public double Tau3 { get; }
        public double DistEsd { get; }
        public double Shift1Esd { get; }
        public double Shift2Esd { get; }
        public double Tau1Esd { get; }
        public double Tau2Esd { get; }
        public double Tau3Esd { get; }
        /// <summary>Parameters held fixed (by request, gauge, or too few reflections).</summary>
        public PanelGroupParameter FixedParameters { get; }
        /// <summary>True when the group was fixed because it had too few reflections.</summary>
        public bool AutoFixed { get; }
        /// <summary>
        /// Factor already applied to the esds: √(max(1, χ²/n of the group's own x and y residuals) ÷ χ²/n of all residuals
        /// of the level, Δψ included), so the esds follow the group's own scatter rather than the overall fit.
        /// </summary>
        public double EsdInflation { get; }
        /// <summary>Pixel size (mm) of the group's first panel, to express shifts in pixels.</summary>
        public double PixelSize { get; }
        /// <summary>In-plane shift, px.</summary>
        public double ShiftPixels => Math.Sqrt(Shift1 * Shift1 + Shift2 * Shift2) / PixelSize;

        public override string ToString() => string.Format(CultureInfo.InvariantCulture,
            "{0}: Dist {1:0.####} Shift1 {2:0.####} Shift2 {3:0.####} mm, Tau1 {4:0.###} Tau2 {5:0.###} Tau3 {6:0.###} mrad{7}",
            Name, Dist, Shift1, Shift2, Tau1, Tau2, Tau3, AutoFixed ? " (fixed: too few reflections)" : "");
    }
}
