using System;

namespace XtalPS.Metrology
{
    /// <summary>Parameters to hold fixed during metrology refinement.</summary>
    [Flags]
    public enum MetrologyFix
    {
        None = 0,
        /// <summary>Dist: motion along the group normal.</summary>
        Distance = 1,
        /// <summary>Shift1 and Shift2: in-plane translations.</summary>
        Shift = 2,
        /// <summary>Tau1: rotation about the group normal (in-plane rotation).</summary>
        Rotation = 4,
        /// <summary>Tau2 and Tau3: rotations about the group's fast and slow axes (tilts).</summary>
        Tilt = 8,
        /// <summary>The crystals' unit cells (orientations are always refined).</summary>
        Cell = 16,
    }

    /// <summary>Outlier rejection applied to reflections at the start of every level.</summary>
    public enum OutlierMethod
    {
        None,
        /// <summary>Tukey's fences (quartiles ± IQR multiplier × IQR) per panel on x, y and Δψ residuals.</summary>
        Tukey,
    }

    /// <summary>Settings of <see cref="HierarchicalMetrology"/>.</summary>
    public sealed class MetrologySettings
    {
        /// <summary>First hierarchy level refined (0 = the whole detector).</summary>
        public int MinLevel { get; set; }
        /// <summary>Last hierarchy level refined; −1 for the deepest (every panel on its own).</summary>
        public int MaxLevel { get; set; } = -1;
        public MetrologyFix Fix { get; set; }
        /// <summary>
        /// First level at which <see cref="Fix"/> applies (0: every level). With Fix = Distance | Tilt and FixFromLevel = 1
        /// the whole detector gets its distance and tilt at level 0 and the groups below only move in their planes: a small
        /// group far from the beam can hardly tell a move along its line of sight from an in-plane shift.
        /// </summary>
        public int FixFromLevel { get; set; }
        /// <summary>Levenberg–Marquardt iterations per level.</summary>
        public int MaxIterations { get; set; } = 100;
        /// <summary>Stop when every RMSD component changes by less than this, relative.</summary>
        public double RmsdTolerance { get; set; } = 1e-4;
        /// <summary>Initial damping relative to the largest diagonal element of the normal matrix.</summary>
        public double Tau { get; set; } = 1e-3;
        /// <summary>
        /// Fewest reflections per free parameter. A panel group with fewer first loses its out-of-plane parameters
        /// (Dist, Tau2, Tau3), then, if its in-plane ones still have too few, all of them (reported as auto-fixed); a crystal
        /// with fewer for orientation and cell has its cell fixed, and with fewer than this × 3 it is left out of the level.
        /// 3 as in cctbx.xfel (DIALS uses 5): on the 8 simulated CSPAD stills, 5 fixes the tilt of an outer ASIC with 19
        /// reflections at its sensor's value and leaves it 1.9 px off, while 3 recovers every ASIC to 0.07 px.
        /// </summary>
        public int MinReflectionsPerParameter { get; set; } = 3;
        public OutlierMethod Outliers { get; set; } = OutlierMethod.Tukey;
        public double IqrMultiplier { get; set; } = 1.5;
        /// <summary>Between levels, drop images whose RMSD is above the upper Tukey fence of all images' RMSDs.</summary>
        public bool RejectOutlierImages { get; set; } = true;
        /// <summary>
        /// Standard deviation (rad) given to Δψ residuals; 0 leaves Δψ out of the target. 0.4 mrad, tighter than DIALS's
        /// stills weight (1 mrad, 10⁶ rad⁻²) and far tighter than the Δψ actually seen (about 3 mrad RMS on simulated CSPAD
        /// stills): the centroid of a reflection far from the Ewald sphere sits off its stills prediction by an amount that
        /// grows with |Δψ| and runs partly along the radial direction, so crystal orientations fitted mostly to positions
        /// trade against the panels. Measured on two independent sets of 20 simulated CSPAD stills (panel centres after
        /// removing the global rotation and shift, default pipeline): σ = 3, 1, 0.5, 0.4, 0.3, 0.2, 0.1 mrad gave 0.126,
        /// 0.086, 0.069, 0.063, 0.061, 0.067, 0.087 px on the first and −, 0.077, 0.063, 0.060, 0.064, 0.070, − px on the
        /// second; in-plane rotations stayed at 0.03°.
        /// </summary>
        public double DeltaPsiSigma { get; set; } = 4e-4;
        public int MaxDegreeOfParallelism { get; set; } = Environment.ProcessorCount;
        /// <summary>
        /// Weight each centroid by its own variance plus the variance of the stills prediction's error at its Δψ, estimated
        /// from the residuals after every step (<see cref="PredictionErrorModel"/>). On 20 simulated CSPAD stills this takes
        /// the panel centres from 0.2 to 0.05 px RMS: reflections far from the Ewald sphere are predicted 5–10× worse.
        /// </summary>
        public bool WeightByDeltaPsi { get; set; } = true;
        /// <summary>
        /// Passes down the hierarchy: 1 refines each level once (out-of-plane parameters as <see cref="Fix"/> says); 2 (the
        /// default) first refines every level in the plane, then every level again with Dist, Tau2 and Tau3 free where
        /// the data determine them (see <see cref="OutOfPlaneTolerance"/>).
        /// </summary>
        public int Sweeps { get; set; } = 2;
        /// <summary>
        /// Largest in-plane error (px, at a group's worst panel corner) that the standard deviation of an out-of-plane
        /// parameter may imply for it to be refined; parameters determined worse keep their values and are reported.
        /// </summary>
        public double OutOfPlaneTolerance { get; set; } = 0.05;
    }
}
