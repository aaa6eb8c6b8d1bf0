using System;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using XtalPS.Extraction;
using XtalPS.Integration;
using XtalPS.Internal;
using XtalPS.Lattices;

namespace XtalPS.Commands
{
    /// <summary>Measure-LatticeTilt: tilt angle and axis of a 2D crystal from its measured lattice and untilted cell; z* for every reflection.</summary>
    [Cmdlet(VerbsDiagnostic.Measure, "LatticeTilt")]
    [OutputType(typeof(LatticeTilt))]
    public sealed class MeasureLatticeTiltCommand : PSCmdlet
    {
        /// <summary>The output of Invoke-PeakIntegration (or Invoke-LatticeExtract) for a planar lattice.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        public ReflectionTable? InputObject { get; set; }

        /// <summary>The untilted cell: a, b (Å), γ (degrees).</summary>
        [Parameter(Mandatory = true)] [ValidateCount(3, 3)] public double[]? UnitCell { get; set; }

        /// <summary>Camera constant λL/pixel, px·Å; default the detector distance × wavelength / pixel size.</summary>
        [Parameter] [ValidateRange(1.0, 1e9)] public double CameraConstant { get; set; }

        /// <summary>Largest relative difference between the fitted and the expected camera constant.</summary>
        [Parameter] [ValidateRange(0.001, 1.0)] public double ScaleTolerance { get; set; } = 0.05;

        /// <summary>How I and σ are corrected for the tilt.</summary>
        [Parameter] public TiltIntensityCorrection IntensityCorrection { get; set; } = TiltIntensityCorrection.BeamLimited;

        private LatticeTiltSettings? _settings;

        protected override void BeginProcessing()
        {
            try
            {
                _settings = new LatticeTiltSettings
                {
                    Cell = PlanarCell.FromArray(UnitCell!),
                    CameraConstant = MyInvocation.BoundParameters.ContainsKey(nameof(CameraConstant)) ? CameraConstant : double.NaN,
                    ScaleTolerance = ScaleTolerance,
                    IntensityCorrection = IntensityCorrection,
                };
            }
            catch (ArgumentException e)
            {
                ThrowTerminatingError(ErrorRecords.InvalidArgument(e.Message, "InvalidUnitCell", UnitCell));
            }
        }

        protected override void ProcessRecord()
        {
            var table = InputObject!;
            if (!(table.RefinedLattice is PlanarLattice) && !(table.Lattice is PlanarLattice) && table.Lattice != null)
            {
                WriteError(ErrorRecords.InvalidArgument($"{table.ImageName}: the tilt step needs a planar lattice, not a {table.Lattice.Kind.ToString().ToLowerInvariant()} one.", "NotPlanarLattice", table));
                return;
            }
            if (double.IsNaN(_settings!.CameraConstant) && double.IsNaN(LatticeTilt.NominalCameraConstant(table.Source)))
                WriteWarning($"{table.ImageName}: the image carries no camera length, so the lattice setting is chosen by the smallest tilt; give -CameraConstant (px·Å) to choose it by scale.");
            try
            {
                var tilt = LatticeTilt.Apply(table, _settings!);
                var g = tilt.Geometry;
                WriteVerbose(string.Format(CultureInfo.InvariantCulture, "{0}: {1}; from {2} centres (rmsd {3:0.###} px); I and σ × {4:0.####}",
                    table.ImageName, g, tilt.CentresUsed, tilt.Rmsd, tilt.IntensityFactor));
                if (g.TiltAngle < 15)
                    WriteWarning(string.Format(CultureInfo.InvariantCulture, "{0}: the tilt is {1:0.##}°; below about 15° the tilt axis is poorly defined (±{2:0.##}°).", table.ImageName, g.TiltAngle, g.TiltAxisSigma));
                WriteObject(tilt);
            }
            catch (TiltGeometryException e)
            {
                WriteError(new ErrorRecord(e, e.ErrorId, ErrorCategory.InvalidResult, table));
            }
        }
    }
}
