using System.Collections.Generic;

namespace XtalPS.Pictures
{
    /// <summary>The drawing entry points, in the build for Windows PowerShell 5.1: pictures need PowerShell 7.</summary>
    public static class PictureRenderer
    {
        public static bool IsAvailable => false;

        public static string UnavailableReason =>
            "Pictures need PowerShell 7 (.NET): the drawing libraries (ScottPlot 5, SkiaSharp 3) do not run in Windows PowerShell 5.1. Run this command in pwsh.";

        public static RenderedPicture DrawImage(DiffractionScene scene, DiffractionPictureSettings settings, PictureFormat format) => throw Unavailable();

        public static RenderedPicture DrawPlot(PlotKind kind, RunCollector data, PlotSettings settings, PictureFormat format) => throw Unavailable();

        public static byte[] DrawMosaic(float[] pixels, int width, int height, int magnification = 4) => throw Unavailable();

        public static string WriteReport(RunCollector data, RunReportSettings settings, IList<RunWarning> problems) => throw Unavailable();

        private static PictureException Unavailable() => new PictureException(PictureException.UnavailableId, UnavailableReason);
    }
}
