using System;
using System.Globalization;

namespace XtalPS.Merging
{
    /// <summary>
    /// One image of a lattice-line merge: the choice the merge made for it, its scale and relative B factor, and its
    /// tilt geometry before and after refinement against the lattice lines of the other images
    /// (<see cref="LatticeLineRefinement"/>). Angles in degrees, in the conventions of <see cref="Lattices.TiltGeometry"/>:
    /// the tilt angle is |θ|, TAXA is measured in the crystal plane for the sign of the tilt the merge chose, TLTAXIS is
    /// on the pattern folded into (−90°, 90°].
    /// </summary>
    public sealed class LatticeLineImage
    {
        internal LatticeLineImage(int index, string name, int choice, double scale, double bFactor, int observations, int used,
            double tiltBefore, double tiltAfter, double tiltSigma, double taxaBefore, double taxaAfter, double axisBefore, double axisAfter, double axisSigma)
        {
            Index = index; Name = name; Choice = choice; Scale = scale; BFactor = bFactor; Observations = observations; ObservationsUsed = used;
            InitialTiltAngle = tiltBefore; TiltAngle = tiltAfter; TiltAngleSigma = tiltSigma; InitialTaxa = taxaBefore; Taxa = taxaAfter;
            InitialTiltAxis = axisBefore; TiltAxis = axisAfter; TiltAxisSigma = axisSigma;
        }

        /// <summary>Position of the image in the merge's input.</summary>
        public int Index { get; }
        public string Name { get; }
        /// <summary>+1 as given, −1 through the group's ambiguity (see <see cref="LatticeLineMergeResult.Signs"/>).</summary>
        public int Choice { get; }
        /// <summary>G: measured = G·exp(−B·s²/2)·I(common), s = 1/d.</summary>
        public double Scale { get; }
        /// <summary>B relative to the mean of the images, Å².</summary>
        public double BFactor { get; }
        public int Observations { get; }
        /// <summary>Measurements on lattice lines fitted from the other images (what the refinement used).</summary>
        public int ObservationsUsed { get; }
        /// <summary>|θ| from the lattice (the tilt step), degrees.</summary>
        public double InitialTiltAngle { get; }
        /// <summary>|θ| refined against the lattice lines, degrees.</summary>
        public double TiltAngle { get; }
        public double TiltAngleSigma { get; }
        public double InitialTaxa { get; }
        public double Taxa { get; }
        /// <summary>TLTAXIS from the tilt step, degrees (NaN when the table has no predicted positions).</summary>
        public double InitialTiltAxis { get; }
        /// <summary>TLTAXIS refined, degrees.</summary>
        public double TiltAxis { get; }
        public double TiltAxisSigma { get; }
        /// <summary>Mean squared normalised residual (Huber) against the other images' lines.</summary>
        public double Misfit { get; internal set; } = double.NaN;
        /// <summary>Left out of the lattice lines for a misfit far above the median image's.</summary>
        public bool Rejected { get; internal set; }

        public override string ToString() => string.Format(CultureInfo.InvariantCulture,
            "{0}: θ {1:0.00}° → {2:0.00}°, TLTAXIS {3:0.00}° → {4:0.00}°, G {5:0.###} B {6:0.#} Å²{7}", Name, InitialTiltAngle, TiltAngle, InitialTiltAxis, TiltAxis, Scale, BFactor, Rejected ? " (rejected)" : "");
    }
}
