using System.Management.Automation;
using XtalPS.Imaging;
using XtalPS.Internal;
using XtalPS.Spots;

namespace XtalPS.Commands
{
    /// <summary>Measure-DetectorGain: estimates ADU per photon from background dispersion, per image.</summary>
    [Cmdlet(VerbsDiagnostic.Measure, "DetectorGain")]
    [OutputType(typeof(GainEstimate))]
    public sealed class MeasureDetectorGainCommand : PSCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        public DiffractionImage? Image { get; set; }

        /// <summary>Half-size of the square windows whose dispersion is measured.</summary>
        [Parameter] [ValidateRange(1, 20)] public int WindowHalfSize { get; set; } = 3;

        protected override void ProcessRecord()
        {
            try
            {
                var estimate = GainEstimator.Estimate(Image!, WindowHalfSize);
                WriteVerbose($"{Image!.Name}: median dispersion over {estimate.Windows} background windows at {estimate.MeanLevel:0.##} ADU → gain {estimate.Gain:0.###} (the file says {estimate.PanelGain:0.###})");
                if (estimate.Ratio > 1.5 || estimate.Ratio < 0.67)
                    WriteWarning($"{Image.Name}: the estimated gain {estimate.Gain:0.###} differs from the detector model's {estimate.PanelGain:0.###}; pass -Gain {estimate.Gain:0.###} to Find-BraggSpot.");
                WriteObject(estimate);
            }
            catch (SpotFindingException e)
            {
                WriteError(new ErrorRecord(e, e.ErrorId, ErrorCategory.InvalidData, Image));
            }
        }
    }
}
