using System.Globalization;

namespace XtalPS.Metrology
{
    /// <summary>
    /// What metrology did to one panel: the move of its centre and its rotation from the starting to the refined detector,
    /// the precision of the deepest group it was refined in, and how well its reflections are predicted before and after
    /// (the same reflections, those used at the end). Rows of a residual map.
    /// </summary>
    public sealed class PanelMetrology
    {
        internal PanelMetrology(int panel, string name, string group, double shiftFast, double shiftSlow, double shiftNormal, double rotation,
            double shiftEsd, double rotationEsd, int reflections, double rmsdBefore, double rmsdAfter, PanelGroupParameter fixedParameters)
        {
            Panel = panel; Name = name ?? ""; Group = group ?? ""; ShiftFast = shiftFast; ShiftSlow = shiftSlow; ShiftNormal = shiftNormal;
            Rotation = rotation; ShiftEsd = shiftEsd; RotationEsd = rotationEsd; Reflections = reflections;
            RmsdBefore = rmsdBefore; RmsdAfter = rmsdAfter; FixedParameters = fixedParameters;
        }

        /// <summary>Panel index in the detector.</summary>
        public int Panel { get; }
        public string Name { get; }
        /// <summary>The group of the deepest level refined that holds the panel (the panel itself at the deepest level).</summary>
        public string Group { get; }
        /// <summary>Move of the panel centre along the panel's starting fast axis, px.</summary>
        public double ShiftFast { get; }
        /// <summary>Move of the panel centre along the panel's starting slow axis, px.</summary>
        public double ShiftSlow { get; }
        /// <summary>In-plane move of the panel centre, px.</summary>
        public double Shift => System.Math.Sqrt(ShiftFast * ShiftFast + ShiftSlow * ShiftSlow);
        /// <summary>Move of the panel centre along the panel's starting normal, mm.</summary>
        public double ShiftNormal { get; }
        /// <summary>Rotation of the panel about its normal, degrees.</summary>
        public double Rotation { get; }
        /// <summary>Standard deviation of the in-plane position of the panel's group (√(σ²Shift1 + σ²Shift2)), px; NaN when fixed.</summary>
        public double ShiftEsd { get; }
        /// <summary>Standard deviation of the group's in-plane rotation, degrees; NaN when fixed (the gauge group's rotation is).</summary>
        public double RotationEsd { get; }
        /// <summary>Reflections on the panel used at the end.</summary>
        public int Reflections { get; }
        /// <summary>Positional RMSD √(Σ(dx² + dy²)/n) of those reflections on the starting detector and crystals, px.</summary>
        public double RmsdBefore { get; }
        /// <summary>The same on the refined detector and crystals, px.</summary>
        public double RmsdAfter { get; }
        /// <summary>Parameters of the panel's group held fixed at the deepest level.</summary>
        public PanelGroupParameter FixedParameters { get; }

        public override string ToString() => string.Format(CultureInfo.InvariantCulture,
            "{0} {1}: shift ({2:0.###}, {3:0.###}) ± {4:0.###} px, rotation {5:0.####} ± {6:0.####}°, {7} reflections, RMSD {8:0.###} → {9:0.###} px",
            Panel, Name, ShiftFast, ShiftSlow, ShiftEsd, Rotation, RotationEsd, Reflections, RmsdBefore, RmsdAfter);
    }
}
