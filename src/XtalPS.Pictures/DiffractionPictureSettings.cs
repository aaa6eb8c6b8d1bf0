using System;
using System.Collections.Generic;

namespace XtalPS.Pictures
{
    /// <summary>How a diffraction image is drawn: size, scaling, colours, region and overlays.</summary>
    public sealed class DiffractionPictureSettings
    {
        /// <summary>Width of the whole picture, px.</summary>
        public int Width { get; set; } = 1000;
        /// <summary>Height of the whole picture, px; 0 = whatever keeps the detector's millimetres square.</summary>
        public int Height { get; set; }
        public ImageScaling Scaling { get; set; } = ImageScaling.Linear;
        public ColourMap ColourMap { get; set; } = ColourMap.Inverted;
        /// <summary>As in dials.image_viewer: 100 is the default, larger is brighter (saturates sooner).</summary>
        public double Brightness { get; set; } = 100;
        public PictureOverlay Overlays { get; set; } = PictureOverlay.Default;
        /// <summary>Overlays asked for by name (not just by default): predictions are then drawn even where a
        /// reflection table already shows the lattice's reflections.</summary>
        public PictureOverlay Requested { get; set; }
        /// <summary>Resolution rings to draw, Å; null = four rounded values spread over the picture.</summary>
        public IReadOnlyList<double>? ResolutionRings { get; set; }
        /// <summary>Region shown, mm in the detector plane seen from the sample with the direct beam at 0:
        /// x min, y min, x max, y max; null = every panel.</summary>
        public IReadOnlyList<double>? Region { get; set; }
        /// <summary>Show only this panel (0-based), or with <see cref="PixelRegion"/> part of it.</summary>
        public int? Panel { get; set; }
        /// <summary>x0, y0, x1, y1 in the pixels of <see cref="Panel"/>.</summary>
        public IReadOnlyList<double>? PixelRegion { get; set; }
        /// <summary>Draw axes in mm, a title and colour bar around the image; false = the bare image filling the picture.</summary>
        public bool Axes { get; set; } = true;
        /// <summary>Title above the image; null = the image name.</summary>
        public string? Title { get; set; }
        /// <summary>Highest resolution (Å) of the reflections a crystal lattice predicts on the picture; NaN = the picture's corner.</summary>
        public double PredictionDMin { get; set; } = double.NaN;
        /// <summary>The -BoxSize Invoke-LatticeExtract fitted with (reflection tables do not record it); the fit box drawn
        /// is 2·(BoxSize + grow + rim) + 1 px with that cmdlet's default grow (1) and rim (2).</summary>
        public int FitBoxSize { get; set; } = 6;

        public void Validate()
        {
            if (Width < 64 || Width > 16384) throw new ArgumentOutOfRangeException(nameof(Width), "The picture width lies between 64 and 16384 px.");
            if (Height != 0 && (Height < 64 || Height > 16384)) throw new ArgumentOutOfRangeException(nameof(Height), "The picture height lies between 64 and 16384 px.");
            if (!(Brightness > 0 && Brightness <= 100000)) throw new ArgumentOutOfRangeException(nameof(Brightness), "The brightness is a positive number (100 by default).");
            if (Region != null)
            {
                if (Region.Count != 4) throw new ArgumentException("A region is four numbers: x min, y min, x max, y max (mm).", nameof(Region));
                if (!(Region[2] > Region[0]) || !(Region[3] > Region[1])) throw new ArgumentException("A region needs x max > x min and y max > y min.", nameof(Region));
            }
            if (PixelRegion != null)
            {
                if (Panel == null) throw new ArgumentException("A pixel region needs the panel it lies on.", nameof(PixelRegion));
                if (PixelRegion.Count != 4) throw new ArgumentException("A pixel region is four numbers: x0, y0, x1, y1 (px).", nameof(PixelRegion));
                if (!(PixelRegion[2] > PixelRegion[0]) || !(PixelRegion[3] > PixelRegion[1])) throw new ArgumentException("A pixel region needs x1 > x0 and y1 > y0.", nameof(PixelRegion));
            }
            if (Region != null && Panel != null) throw new ArgumentException("Give either a region in mm or a panel, not both.");
            if (ResolutionRings != null)
                foreach (var d in ResolutionRings)
                    if (!(d > 0) || double.IsInfinity(d)) throw new ArgumentOutOfRangeException(nameof(ResolutionRings), $"A resolution ring is a positive number of Å (got {d}).");
        }
    }

    /// <summary>How a plot is drawn.</summary>
    public sealed class PlotSettings
    {
        public int Width { get; set; } = 1000;
        /// <summary>0 = the kind's own proportions.</summary>
        public int Height { get; set; }
        /// <summary>Title above the plot; null = the kind's own.</summary>
        public string? Title { get; set; }
        /// <summary>An image with at least this many spots is a hit.</summary>
        public int MinSpots { get; set; } = 20;
        /// <summary>How much metrology residuals are magnified on the detector map; NaN = so that the RMSD before refinement is a quarter of a panel.</summary>
        public double Magnification { get; set; } = double.NaN;
        /// <summary>Resolution shells of the I/σ and Wilson plots.</summary>
        public int Shells { get; set; } = 20;

        public void Validate()
        {
            if (Width < 200 || Width > 16384) throw new ArgumentOutOfRangeException(nameof(Width), "The plot width lies between 200 and 16384 px.");
            if (Height != 0 && (Height < 150 || Height > 16384)) throw new ArgumentOutOfRangeException(nameof(Height), "The plot height lies between 150 and 16384 px.");
            if (MinSpots < 0) throw new ArgumentOutOfRangeException(nameof(MinSpots), "The hit threshold is a number of spots ≥ 0.");
            if (!double.IsNaN(Magnification) && !(Magnification > 0)) throw new ArgumentOutOfRangeException(nameof(Magnification), "The magnification is a positive number.");
            if (Shells < 2 || Shells > 200) throw new ArgumentOutOfRangeException(nameof(Shells), "The number of resolution shells lies between 2 and 200.");
        }
    }

    /// <summary>What goes into an HTML run report.</summary>
    public sealed class RunReportSettings
    {
        public string Title { get; set; } = "XtalPS run report";
        /// <summary>How many example images with overlays the report shows.</summary>
        public int ExampleCount { get; set; } = 4;
        /// <summary>Settings of the plots in the report (width, hit threshold, shells).</summary>
        public PlotSettings Plots { get; set; } = new PlotSettings { Width = 900 };
        /// <summary>Settings of the example pictures.</summary>
        public DiffractionPictureSettings Pictures { get; set; } = new DiffractionPictureSettings { Width = 700 };

        public void Validate()
        {
            if (ExampleCount < 0 || ExampleCount > 50) throw new ArgumentOutOfRangeException(nameof(ExampleCount), "A report shows between 0 and 50 example images.");
            Plots.Validate();
            Pictures.Validate();
        }
    }
}
