using System.Management.Automation;
using XtalPS.Formats;
using XtalPS.Integration;
using XtalPS.Internal;

namespace XtalPS.Commands
{
    /// <summary>Import-ReflectionTable: MTZ (merged or unmerged, any program's), XtalPS CSV and JSON files to reflection tables, one per batch.</summary>
    [Cmdlet(VerbsData.Import, "ReflectionTable", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(ReflectionTable))]
    public sealed class ImportReflectionTableCommand : PSCmdlet
    {
        private const string PathSet = "Path", LiteralSet = "LiteralPath";

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public string[] Path { get; set; } = new string[0];

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralSet)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; } = new string[0];

        protected override void ProcessRecord()
        {
            bool literal = ParameterSetName == LiteralSet;
            foreach (var file in PathResolver.Resolve(this, literal ? LiteralPath : Path, literal))
            {
                try
                {
                    var tables = ReflectionFileReader.Read(file);
                    WriteVerbose($"{file}: {tables.Count} table(s)");
                    foreach (var t in tables) WriteObject(t);
                }
                catch (System.Exception e) when (!(e is PipelineStoppedException))
                {
                    WriteError(ErrorRecords.FromReadException(e, file));
                }
            }
        }
    }
}
