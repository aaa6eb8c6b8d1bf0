using System;
using System.Collections.Generic;

namespace XtalPS.Pictures
{
    /// <summary>The drawing entry points the cmdlets call: a diffraction image with overlays, a plot, an HTML run report.</summary>
    public static class PictureRenderer
    {
        public static bool IsAvailable => true;

        public static string UnavailableReason => "";

        /// <summary>Draws one image and what was piped in with it.</summary>
        public static RenderedPicture DrawImage(DiffractionScene scene, DiffractionPictureSettings settings, PictureFormat format)
        {
            if (scene == null) throw new ArgumentNullException(nameof(scene));
            NativeLibraries.EnsureResolvers();
            return DiffractionPictureBuilder.Draw(scene, settings ?? new DiffractionPictureSettings(), format);
        }

        /// <summary>Draws a plot of the collected results.</summary>
        public static RenderedPicture DrawPlot(PlotKind kind, RunCollector data, PlotSettings settings, PictureFormat format)
        {
            if (data == null) throw new ArgumentNullException(nameof(data));
            NativeLibraries.EnsureResolvers();
            settings ??= new PlotSettings();
            settings.Validate();
            if (!PlotCatalogue.HasData(kind, data))
                throw new PictureException(PictureException.NoPlotDataId, $"A {kind} plot needs {PlotCatalogue.Needs(kind)}; none came through the pipeline.");
            return PlotBuilders.Draw(kind, data, settings, format);
        }

        /// <summary>A debug mosaic of profile boxes (row-major float values, NaN for empty boxes) as PNG bytes.</summary>
        public static byte[] DrawMosaic(float[] pixels, int width, int height, int magnification = 4)
        {
            NativeLibraries.EnsureResolvers();
            return MosaicPicture.Png(pixels, width, height, magnification);
        }

        /// <summary>The HTML of a self-contained run report; problems met while drawing it are added to <paramref name="problems"/>.</summary>
        public static string WriteReport(RunCollector data, RunReportSettings settings, IList<RunWarning> problems)
        {
            if (data == null) throw new ArgumentNullException(nameof(data));
            NativeLibraries.EnsureResolvers();
            settings ??= new RunReportSettings();
            settings.Validate();
            return RunReport.Write(data, settings, problems ?? new List<RunWarning>());
        }
    }
}
