using System;
using System.Management.Automation;
using XtalPS.Geometry;
using XtalPS.Imaging;
using XtalPS.Simulation;

namespace XtalPS.Commands
{
    /// <summary>New-SimulatedImage: images with known truth for tests and Pester workflows — planar 2D lattices
    /// (electron diffraction) or crystal stills (X-ray, -Crystal / -UnitCell).</summary>
    [Cmdlet(VerbsCommon.New, "SimulatedImage", DefaultParameterSetName = PlanarSet)]
    [OutputType(typeof(DiffractionImage))]
    public sealed class NewSimulatedImageCommand : PSCmdlet
    {
        private const string PlanarSet = "Planar";
        private const string CrystalSet = "Crystal";

        [Parameter(ParameterSetName = PlanarSet)]
        public SwitchParameter Planar { get; set; }

        /// <summary>Simulate a crystal still (implied by -UnitCell).</summary>
        [Parameter(ParameterSetName = CrystalSet)]
        public SwitchParameter Crystal { get; set; }

        /// <summary>Unit cell a, b, c (Å), α, β, γ (degrees).</summary>
        [Parameter(ParameterSetName = CrystalSet, Mandatory = true)] [ValidateCount(6, 6)] public double[]? UnitCell { get; set; }

        /// <summary>Space group: H-M symbol (with or without spaces), number, or "Hall: …".</summary>
        [Parameter(ParameterSetName = CrystalSet)] [ValidateNotNullOrEmpty] public string SpaceGroup { get; set; } = "P 1";

        /// <summary>Orientation U, nine numbers row by row (a proper rotation).</summary>
        [Parameter(ParameterSetName = CrystalSet)] [ValidateCount(9, 9)] public double[]? Orientation { get; set; }

        /// <summary>A random orientation drawn from -Seed (the default when -Orientation is not given).</summary>
        [Parameter(ParameterSetName = CrystalSet)] public SwitchParameter RandomOrientation { get; set; }

        /// <summary>Highest resolution drawn, Å.</summary>
        [Parameter(ParameterSetName = CrystalSet)] [ValidateRange(0.1, 1000)] public double DMin { get; set; } = 2.0;

        /// <summary>σ of the partiality profile in excitation error, 1/Å (mosaicity and domain size).</summary>
        [Parameter(ParameterSetName = CrystalSet)] [ValidateRange(1e-6, 0.1)] public double RlpSigma { get; set; } = 0.0008;

        /// <summary>Wilson B factor, Å².</summary>
        [Parameter(ParameterSetName = CrystalSet)] [ValidateRange(0, 1000)] public double BFactor { get; set; } = 10;

        [Parameter] [ValidateRange(8, 8192)] public int Width { get; set; } = 512;
        [Parameter] [ValidateRange(8, 8192)] public int Height { get; set; } = 512;

        /// <summary>Position of lattice point (0,0), px: two numbers.</summary>
        [Parameter(ParameterSetName = PlanarSet)] [ValidateCount(2, 2)] public double[]? Origin { get; set; }
        [Parameter(ParameterSetName = PlanarSet)] [ValidateCount(2, 2)] public double[]? A { get; set; }
        [Parameter(ParameterSetName = PlanarSet)] [ValidateCount(2, 2)] public double[]? B { get; set; }

        /// <summary>A tilted 2D crystal: its untilted cell a, b (Å), γ (°); the lattice then follows from the cell, tilt and camera constant, and intensities from a random thin structure.</summary>
        [Parameter(ParameterSetName = PlanarSet)] [ValidateCount(3, 3)] public double[]? PlanarCell { get; set; }
        /// <summary>With -PlanarCell: signed tilt angle θ, degrees (TLTANG).</summary>
        [Parameter(ParameterSetName = PlanarSet)] [ValidateRange(-80.0, 80.0)] public double TiltAngle { get; set; }
        /// <summary>With -PlanarCell: tilt axis on the pattern from +x towards +y, degrees (TLTAXIS).</summary>
        [Parameter(ParameterSetName = PlanarSet)] [ValidateRange(-360.0, 360.0)] public double TiltAxis { get; set; }
        /// <summary>With -PlanarCell: angle from the tilt axis to a* in the crystal plane, degrees (TAXA).</summary>
        [Parameter(ParameterSetName = PlanarSet)] [ValidateRange(-360.0, 360.0)] public double Taxa { get; set; }
        /// <summary>With -PlanarCell: plane group of the random structure (2dx names, p1 … p622).</summary>
        [Parameter(ParameterSetName = PlanarSet)] [ValidateSet("p1", "p2", "p12_a", "p12_b", "p121_a", "p121_b", "c12_a", "c12_b", "p222", "p2221a", "p2221b", "p22121", "c222",
            "p4", "p422", "p4212", "p3", "p312", "p321", "p6", "p622", IgnoreCase = true)] public string PlaneGroup { get; set; } = "p1";
        /// <summary>Seed of the structure: the random thin structure with -PlanarCell, the Wilson intensities of a crystal
        /// still (the same seed, cell and space group is the same crystal in every image).</summary>
        [Parameter(ParameterSetName = PlanarSet)] [Parameter(ParameterSetName = CrystalSet)] public int StructureSeed { get; set; } = 1;

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
            if (ParameterSetName == CrystalSet) { SimulateCrystal(); return; }
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
                if (PlanarCell != null)
                {
                    try
                    {
                        var cell = Lattices.PlanarCell.FromArray(PlanarCell);
                        settings.TiltedCrystal = new TiltedCrystalSettings(new ThinCrystalStructure(cell, planeGroup: PlaneGroup, seed: StructureSeed))
                        { TiltAngle = TiltAngle, TiltAxis = TiltAxis, Taxa = Taxa };
                    }
                    catch (ArgumentException e) { ThrowTerminatingError(new ErrorRecord(e, "InvalidSimulationSettings", ErrorCategory.InvalidArgument, PlanarCell)); }
                }
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
    
        private void SimulateCrystal()
        {
            if (!Lattices.SpaceGroup.TryParse(SpaceGroup, out var group))
                ThrowTerminatingError(new ErrorRecord(new ArgumentException($"'{SpaceGroup}' is not a space group: give a Hermann–Mauguin symbol such as 'P 43 21 2' or 'P43212', a number 1–230, or 'Hall: P 4nw 2abw'."),
                    "InvalidSpaceGroup", ErrorCategory.InvalidArgument, SpaceGroup));
            if (Orientation != null && RandomOrientation)
                ThrowTerminatingError(new ErrorRecord(new ArgumentException("Give -Orientation or -RandomOrientation, not both."), "InvalidSimulationSettings", ErrorCategory.InvalidArgument, null));
            Lattices.UnitCell cell = default;
            try
            {
                cell = Lattices.UnitCell.FromArray(UnitCell!);
                if (!group!.IsCellCompatible(cell, 0.001, 0.01))
                    throw new ArgumentException($"The cell {cell} does not obey the {group.LatticeSystem.ToString().ToLowerInvariant()} lattice of {group.Symbol}.");
            }
            catch (ArgumentException e)
            {
                ThrowTerminatingError(new ErrorRecord(e, "InvalidUnitCell", ErrorCategory.InvalidArgument, UnitCell));
            }
            var bound = MyInvocation.BoundParameters;
            for (int i = 0; i < Count; i++)
            {
                int seed = unchecked(Seed + i);
                var settings = new CrystalStillSettings
                {
                    UnitCell = cell,
                    SpaceGroup = group!,
                    Orientation = Orientation != null ? Mat3.FromArray(Orientation) : CrystalStillSimulator.RandomOrientation(seed),
                    Detector = Detector ?? CrystalStillSettings.DefaultDetector(bound.ContainsKey(nameof(Width)) ? Width : 1024, bound.ContainsKey(nameof(Height)) ? Height : 1024),
                    Beam = Beam,
                    DMin = DMin,
                    RlpSigma = RlpSigma,
                    BFactor = BFactor,
                    SpotSigma = bound.ContainsKey(nameof(SpotSigma)) ? SpotSigma[0] : 1.0,
                    Intensity = bound.ContainsKey(nameof(Intensity)) ? Intensity : 2000,
                    WilsonIntensities = !ConstantIntensity,
                    Background = bound.ContainsKey(nameof(Background)) ? Background : 10,
                    Gain = Gain,
                    Noise = !NoNoise,
                    Seed = seed,
                    StructureSeed = StructureSeed,
                    Frame = i,
                };
                if (Count > 1)
                    WriteProgress(new ProgressRecord(1, "New-SimulatedImage", $"Image {i + 1} of {Count}") { PercentComplete = 100 * i / Count });
                try
                {
                    var image = CrystalStillSimulator.Simulate(settings);
                    WriteVerbose($"Simulated a {group!.Symbol} still ({cell}) with {((CrystalSimulationTruth)image.Truth!).Reflections.Count} reflections to {DMin} Å (seed {seed}, noise {!NoNoise})");
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
