using System;
using System.Management.Automation;
using XtalPS.Geometry;
using XtalPS.Imaging;
using XtalPS.Simulation;

namespace XtalPS.Commands
{
    /// <summary>New-SimulatedImage: images with known truth for tests and Pester workflows.</summary>
    [Cmdlet(VerbsCommon.New, "SimulatedImage", DefaultParameterSetName = PlanarSet)]
    [OutputType(typeof(DiffractionImage))]
    public sealed class NewSimulatedImageCommand : PSCmdlet
    {
        private const string PlanarSet = "Planar";

        [Parameter(ParameterSetName = PlanarSet)]
        public SwitchParameter Planar { get; set; }

        [Parameter] [ValidateRange(8, 8192)] public int Width { get; set; } = 512;
        [Parameter] [ValidateRange(8, 8192)] public int Height { get; set; } = 512;

        /// <summary>Position of lattice point (0,0), px: two numbers.</summary>
        [Parameter(ParameterSetName = PlanarSet)] [ValidateCount(2, 2)] public double[]? Origin { get; set; }
        [Parameter(ParameterSetName = PlanarSet)] [ValidateCount(2, 2)] public double[]? A { get; set; }
        [Parameter(ParameterSetName = PlanarSet)] [ValidateCount(2, 2)] public double[]? B { get; set; }

        /// <summary>Gaussian σ of the spots, px: one number, or σx, σy.</summary>
        [Parameter] [ValidateCount(1, 2)] public double[] SpotSigma { get; set; } = { 1.5 };

        /// <summary>Mean integrated intensity per spot.</summary>
        [Parameter] [ValidateRange(0, 1e12)] public double Intensity { get; set; } = 5000;

        /// <summary>Give every spot the same intensity instead of Wilson-distributed ones.</summary>
        [Parameter] public SwitchParameter ConstantIntensity { get; set; }

        /// <summary>Background at the image centre, counts per pixel.</summary>
        [Parameter] [ValidateRange(0, 1e9)] public double Background { get; set; } = 20;

        /// <summary>Background slopes along x and y, counts per pixel per pixel.</summary>
        [Parameter] [ValidateCount(2, 2)] public double[] BackgroundTilt { get; set; } = { 0.01, -0.005 };

        [Parameter] [ValidateRange(1e-6, 1e6)] public double Gain { get; set; } = 1;

        /// <summary>No Poisson noise: the exact expected counts.</summary>
        [Parameter] public SwitchParameter NoNoise { get; set; }

        [Parameter] public int Seed { get; set; } = 1;

        /// <summary>How many images to make (seeds Seed, Seed+1, …).</summary>
        [Parameter] [ValidateRange(1, 100000)] public int Count { get; set; } = 1;

        [Parameter] public DetectorModel? Detector { get; set; }
        [Parameter] public Beam? Beam { get; set; }

        protected override void EndProcessing()
        {
            for (int i = 0; i < Count; i++)
            {
                var settings = new PlanarLatticeSettings
                {
                    Width = Width,
                    Height = Height,
                    SigmaX = SpotSigma[0],
                    SigmaY = SpotSigma.Length > 1 ? SpotSigma[1] : SpotSigma[0],
                    Intensity = Intensity,
                    WilsonIntensities = !ConstantIntensity,
                    Background = Background,
                    BackgroundTiltX = BackgroundTilt[0],
                    BackgroundTiltY = BackgroundTilt[1],
                    Gain = Gain,
                    Noise = !NoNoise,
                    Seed = unchecked(Seed + i),
                    Frame = i,
                    Detector = Detector,
                    Beam = Beam,
                };
                settings.Origin = Origin != null ? Vec2.FromArray(Origin) : new Vec2(Width / 2.0 + 0.3, Height / 2.0 - 0.2);
                if (A != null) settings.A = Vec2.FromArray(A);
                if (B != null) settings.B = Vec2.FromArray(B);
                if (Count > 1)
                    WriteProgress(new ProgressRecord(1, "New-SimulatedImage", $"Image {i + 1} of {Count}") { PercentComplete = 100 * i / Count });
                try
                {
                    var image = PlanarLatticeSimulator.Simulate(settings);
                    WriteVerbose($"Simulated {((PlanarSimulationTruth)image.Truth!).Spots.Count} spots on {Width}x{Height} px (seed {settings.Seed}, noise {!NoNoise})");
                    WriteObject(image);
                }
                catch (ArgumentException e)
                {
                    ThrowTerminatingError(new ErrorRecord(e, "InvalidSimulationSettings", ErrorCategory.InvalidArgument, settings));
                }
            }
            if (Count > 1)
                WriteProgress(new ProgressRecord(1, "New-SimulatedImage", "Done") { RecordType = ProgressRecordType.Completed });
        }
    }
}
