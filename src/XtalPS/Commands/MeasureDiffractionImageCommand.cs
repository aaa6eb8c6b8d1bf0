using System.Management.Automation;
using XtalPS.Imaging;

namespace XtalPS.Commands
{
    /// <summary>Measure-DiffractionImage: per-panel pixel statistics over unmasked pixels.</summary>
    [Cmdlet(VerbsDiagnostic.Measure, "DiffractionImage")]
    [OutputType(typeof(PanelStatistics))]
    public sealed class MeasureDiffractionImageCommand : PSCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        public DiffractionImage[] Image { get; set; } = System.Array.Empty<DiffractionImage>();

        protected override void ProcessRecord()
        {
            foreach (var image in Image)
            {
                WriteVerbose($"Measuring {image.Name}: {image.PanelCount} panel(s)");
                for (int i = 0; i < image.PanelCount; i++)
                    WriteObject(PanelStatistics.Compute(image.Name, image.Detector.Panels[i].Name, image.PanelImages[i]));
            }
        }
    }
}
