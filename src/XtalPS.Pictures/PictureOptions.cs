using System;

namespace XtalPS.Pictures
{
    /// <summary>How pixel values become colours after scaling to 0…1.</summary>
    public enum ColourMap
    {
        /// <summary>White background, black spots: the look of dials.image_viewer.</summary>
        Inverted,
        /// <summary>Black background, white spots.</summary>
        Grey,
        /// <summary>Black through red and yellow to white.</summary>
        Heat,
    }

    /// <summary>How pixel values are mapped to 0…1 before the colour map.</summary>
    public enum ImageScaling
    {
        /// <summary>0 at zero counts, 1 at the background (median) plus 20 robust σ of the pixels shown, divided by brightness/100.</summary>
        Linear,
        /// <summary>log(1 + v) from zero counts to the largest pixel shown, scaled by brightness/100.</summary>
        Log,
        /// <summary>Histogram equalisation: each value goes to the fraction of the pixels shown at or below it.</summary>
        Equalised,
    }

    /// <summary>What is drawn over a diffraction image (each only when its data are at hand).</summary>
    [Flags]
    public enum PictureOverlay
    {
        None = 0,
        /// <summary>Found spots: an open circle at every centroid; indexed and unindexed spots in two colours when a lattice is known.</summary>
        Spots = 1,
        /// <summary>The bounding box of every found spot.</summary>
        SpotBoxes = 2,
        /// <summary>Reflections a crystal lattice predicts on the detector (open squares).</summary>
        Predictions = 4,
        /// <summary>Miller indices beside predictions, planar lattice points and reflections.</summary>
        MillerIndices = 8,
        /// <summary>Integrated or extracted reflections, filled and coloured by I/σ(I), with a colour bar.</summary>
        Reflections = 16,
        /// <summary>The boxes of the 2D Gaussian fits of Invoke-LatticeExtract.</summary>
        FitBoxes = 32,
        /// <summary>The points of a planar (2D-crystal) lattice and its two basis vectors.</summary>
        Lattice = 64,
        /// <summary>Resolution rings, labelled in Å.</summary>
        ResolutionRings = 128,
        /// <summary>The powder rings of hexagonal ice.</summary>
        IceRings = 256,
        /// <summary>A cross where the direct beam meets the detector.</summary>
        BeamCentre = 512,
        /// <summary>Masked pixels in their own colour.</summary>
        Mask = 1024,
        /// <summary>The bad-pixel rectangles the detector description declares.</summary>
        BadRegions = 2048,
        /// <summary>The outline of every panel.</summary>
        PanelOutlines = 4096,
        /// <summary>The name of every panel at its centre.</summary>
        PanelNames = 8192,
        /// <summary>What is drawn unless asked otherwise.</summary>
        Default = Spots | Predictions | Reflections | FitBoxes | Lattice | ResolutionRings | BeamCentre | Mask | BadRegions,
    }

    /// <summary>The plots made from pipeline results.</summary>
    /// <remarks>A new kind (for example the merging statistics) is one member here and one builder class registered
    /// in the plot catalogue of the drawing build; its inputs are reduced by <see cref="RunCollector"/>.</remarks>
    public enum PlotKind
    {
        /// <summary>Histograms of a, b, c, α, β, γ of indexed lattices, with the consensus cell of Measure-UnitCell.</summary>
        UnitCell,
        /// <summary>Per image: spots, lattices, indexed fraction and resolution against image number, with the hit rate.</summary>
        Run,
        /// <summary>Observed − predicted positions per panel before and after metrology, magnified, and the RMSD per panel.</summary>
        Metrology,
        /// <summary>I/σ(I) of integrated reflections against resolution.</summary>
        IOverSigma,
        /// <summary>ln⟨I⟩ against 1/d² in resolution shells with the fitted B factor.</summary>
        Wilson,
        /// <summary>A merged data set against resolution: CC½ and CC*, Rsplit, completeness, multiplicity and ⟨I/σ(I)⟩ in shells.</summary>
        Merging,
        /// <summary>The normal probability plot of a merged data set's normalised deviations, with the line of slope 1.</summary>
        NormalProbability,
    }
}
