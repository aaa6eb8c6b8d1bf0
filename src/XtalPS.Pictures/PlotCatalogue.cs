using System.Collections.Generic;
using System.Linq;

namespace XtalPS.Pictures
{
    /// <summary>Which plots the collected results can make.</summary>
    public static class PlotCatalogue
    {
        /// <summary>True when <paramref name="data"/> holds what a plot of <paramref name="kind"/> draws.</summary>
        public static bool HasData(PlotKind kind, RunCollector data)
        {
            switch (kind)
            {
                case PlotKind.UnitCell: return data.Cells.Count > 0 || data.PlanarCells.Count > 0 || data.UnitCellSummaries.Any(s => s.Lattices.Count > 0);
                case PlotKind.Run: return data.Images.Count > 0;
                case PlotKind.Metrology: return data.MetrologyResults.Count > 0;
                case PlotKind.IOverSigma:
                case PlotKind.Wilson: return data.ReflectionD.Count > 0;
                case PlotKind.Merging: return data.MergedDataSets.Any(m => m.Statistics.Shells.Count > 0);
                case PlotKind.NormalProbability: return data.MergedDataSets.Any(m => m.Statistics.NormalDeviations.Count >= 10);
                default: return false;
            }
        }

        /// <summary>The plot kinds the data can make, in the order a report shows them.</summary>
        public static IReadOnlyList<PlotKind> Available(RunCollector data) =>
            new[] { PlotKind.Run, PlotKind.UnitCell, PlotKind.Metrology, PlotKind.IOverSigma, PlotKind.Wilson, PlotKind.Merging, PlotKind.NormalProbability }.Where(k => HasData(k, data)).ToArray();

        /// <summary>What a plot kind needs, for error messages.</summary>
        public static string Needs(PlotKind kind)
        {
            switch (kind)
            {
                case PlotKind.UnitCell: return "crystal or planar lattices (Get-Lattice) or a cell summary (Measure-UnitCell)";
                case PlotKind.Run: return "images, spot lists, lattices or reflection tables";
                case PlotKind.Metrology: return "a metrology result (Update-DetectorMetrology)";
                case PlotKind.IOverSigma:
                case PlotKind.Wilson: return "reflection tables with intensities and resolutions (Invoke-PeakIntegration)";
                case PlotKind.Merging: return "a merged data set with statistics in resolution shells (Merge-ReflectionTable)";
                case PlotKind.NormalProbability: return "a merged data set whose reflections were measured more than once (Merge-ReflectionTable)";
                default: return "data";
            }
        }
    }
}
