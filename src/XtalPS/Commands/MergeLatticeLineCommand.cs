using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using XtalPS.Formats;
using XtalPS.Integration;
using XtalPS.Internal;
using XtalPS.Lattices;
using XtalPS.Merging;

namespace XtalPS.Commands
{
    /// <summary>Merge-LatticeLine: tilted patterns of a 2D crystal → scaled, sign-resolved lattice lines sampled at (h,k,l).</summary>
    [Cmdlet(VerbsData.Merge, "LatticeLine", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(LatticeLineMergeResult))]
    public sealed class MergeLatticeLineCommand : PSCmdlet
    {
        private readonly List<ReflectionTable> _tables = new List<ReflectionTable>();

        /// <summary>Tilt-step tables (Measure-LatticeTilt output, or tables read back from its MTZ files).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("ReflectionTable")]
        [ValidateNotNull]
        public ReflectionTable? InputObject { get; set; }

        /// <summary>The untilted cell a, b (Å), γ (°).</summary>
        [Parameter(Mandatory = true)] [ValidateCount(3, 3)] public double[]? UnitCell { get; set; }
        /// <summary>Plane group (2dx's names); without a two-fold about the normal each image's tilt sign is found from the data.</summary>
        [Parameter]
        [ValidateSet("p1", "p2", "p12_a", "p12_b", "p121_a", "p121_b", "c12_a", "c12_b", "p222", "p2221a", "p2221b", "p22121", "c222",
            "p4", "p422", "p4212", "p3", "p312", "p321", "p6", "p622", IgnoreCase = true)]
        public string PlaneGroup { get; set; } = "p2";
        /// <summary>Crystal thickness c, Å.</summary>
        [Parameter] [ValidateRange(1.0, 10000.0)] public double Thickness { get; set; } = 40;
        [Parameter] [ValidateRange(0, 50)] public int Cycles { get; set; } = 3;
        /// <summary>Keep every image's tilt as the tilt step measured it (no refinement against the lattice lines).</summary>
        [Parameter] public SwitchParameter NoTiltRefinement { get; set; }
        /// <summary>One scale per image, without a relative B factor.</summary>
        [Parameter] public SwitchParameter NoBFactor { get; set; }
        /// <summary>Weight of the tilt step's geometry (its covariance from σ(z*)) as a prior on the refined tilt; 0 (default) refines freely.</summary>
        [Parameter] [ValidateRange(0.0, 1e6)] public double TiltRestraint { get; set; }
        /// <summary>Merged (h,k,l) reflections to this file: .mtz as a merged MTZ in the plane group's 3D space group (c = thickness), or .csv/.json.</summary>
        [Parameter] [ValidateNotNullOrEmpty] public string? Path { get; set; }
        /// <summary>The fitted curves sampled every 1/(10c) to this CSV file.</summary>
        [Parameter] [ValidateNotNullOrEmpty] public string? CurvePath { get; set; }

        protected override void ProcessRecord()
        {
            var t = InputObject!;
            if (!t.Reflections.Any(r => !double.IsNaN(r.ZStar)))
            {
                WriteError(ErrorRecords.InvalidArgument($"{t.ImageName}: the table has no z*; run Measure-LatticeTilt first.", "NoZStar", t));
                return;
            }
            _tables.Add(t);
        }

        protected override void EndProcessing()
        {
            LatticeLineMergeResult result;
            try
            {
                var settings = new LatticeLineMergeSettings
                {
                    Cell = PlanarCell.FromArray(UnitCell!), PlaneGroup = PlaneGroup, Thickness = Thickness, Cycles = Cycles,
                    RefineTilt = !NoTiltRefinement, RefineBFactor = !NoBFactor, TiltRestraint = TiltRestraint,
                };
                result = LatticeLineMerge.Merge(_tables, settings);
            }
            catch (ArgumentException e)
            {
                ThrowTerminatingError(ErrorRecords.InvalidArgument(e.Message, "InvalidMergeInput", null));
                return;
            }
            WriteVerbose(string.Format(CultureInfo.InvariantCulture, "{0} images, {1} observations, {2} lattice lines, {3} (h,k,l); signs {4}; scales {5}",
                _tables.Count, result.ObservationCount, result.Curves.Count, result.Reflections.Count,
                string.Join(" ", result.Signs), string.Join(" ", result.Scales.Select(s => s.ToString("0.###", CultureInfo.InvariantCulture)))));
            foreach (var im in result.Images) WriteVerbose(im.ToString());
            if (Path != null) WriteMerged(result, Path);
            if (CurvePath != null) WriteCurves(result, CurvePath);
            WriteObject(result);
        }

        private void WriteMerged(LatticeLineMergeResult result, string path)
        {
            string target = GetUnresolvedProviderPathFromPSPath(path);
            if (!ShouldProcess(target, $"Write {result.Reflections.Count} merged reflections")) return;
            try
            {
                if (target.EndsWith(".mtz", StringComparison.OrdinalIgnoreCase))
                {
                    // A merged MTZ of the 3D crystal: the plane group's space group, c = thickness, IMEAN/SIGIMEAN and F/SIGF.
                    double wavelength = _tables.Select(t => t.Source?.Beam?.Wavelength ?? 0).FirstOrDefault(w => w > 0);
                    MergedReflectionTable merged;
                    try { merged = LatticeLineMergedTable.Build(result, Provenance(result), "lattice_lines", wavelength); }
                    catch (ArgumentException e)
                    {
                        WriteError(ErrorRecords.InvalidArgument(e.Message, "NoSpaceGroupSetting", target));
                        return;
                    }
                    MergedMtzWriter.Write(target, merged);
                }
                else
                {
                    var rows = result.Reflections.Select(p => new Reflection { H = p.H, K = p.K, L = p.L, Intensity = p.Intensity, Sigma = p.Sigma, D = p.D, ZStar = p.ZStar, PeakPixels = p.Observations, WellBehaved = true });
                    var table = new ReflectionTable(null, null, null, rows, "Merged", "lattice lines");
                    using var w = ReflectionFileWriter.Create(target);
                    w.Add(table);
                    w.Complete();
                }
                WriteVerbose($"Wrote {target}");
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is ArgumentException)
            {
                WriteError(ErrorRecords.WriteFailed(e, target));
            }
        }

        private List<string> Provenance(LatticeLineMergeResult result)
        {
            var inv = CultureInfo.InvariantCulture;
            string version = typeof(LatticeLineMerge).Assembly.GetName().Version?.ToString() ?? "";
            var list = new List<string>
            {
                $"From XtalPS {version} Merge-LatticeLine, {DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", inv)} UTC",
                string.Format(inv, "UnitCell {0} PlaneGroup {1} Thickness {2} Cycles {3} RefineTilt {4} RefineBFactor {5} TiltRestraint {6}",
                    string.Join(",", UnitCell!.Select(x => x.ToString(inv))), PlaneGroup, Thickness, Cycles, !NoTiltRefinement, !NoBFactor, TiltRestraint),
                string.Format(inv, "{0} images, {1} observations", _tables.Count, result.ObservationCount),
            };
            string line = MyInvocation.Line?.Trim() ?? "";
            if (line.Length > 0) list.Add("Command: " + line);
            return list;
        }

        private void WriteCurves(LatticeLineMergeResult result, string path)
        {
            string target = GetUnresolvedProviderPathFromPSPath(path);
            if (!ShouldProcess(target, $"Write {result.Curves.Count} lattice-line curves")) return;
            var sb = new StringBuilder("H,K,ZSTAR,I,SIGI,NOBS\n");
            double step = 1 / (10 * result.Settings.Thickness);
            foreach (var kv in result.Curves.OrderBy(x => x.Key.H).ThenBy(x => x.Key.K))
            {
                var c = kv.Value;
                double z0 = c.IsEven ? 0 : c.ZMin;
                for (double z = z0; z <= c.ZMax + 1e-12; z += step)
                    sb.AppendFormat(CultureInfo.InvariantCulture, "{0},{1},{2:0.######},{3:R},{4:R},{5}\n", kv.Key.H, kv.Key.K, z, c.Value(z), c.Sigma(z), c.Count);
            }
            try
            {
                var bytes = new UTF8Encoding(false).GetBytes(sb.ToString());
                AtomicFile.Write(target, s => s.Write(bytes, 0, bytes.Length));
                WriteVerbose($"Wrote {target}");
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                WriteError(ErrorRecords.WriteFailed(e, target));
            }
        }
    }
}
