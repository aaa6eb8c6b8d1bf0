using System.Management.Automation;
using XtalPS.Formats;
using XtalPS.Integration;
using XtalPS.Internal;

namespace XtalPS.Commands
{
    /// <summary>Import-ReflectionTable: MTZ (merged or unmerged, any program's), XtalPS CSV and JSON files to reflection tables, one per batch;
    /// DIALS .refl (+ .expt) to one reflection table per indexed experiment and one spot list per strong-spot experiment;
    /// CrystFEL .stream files to one table per crystal (or, with -AsSpotList, one spot list per chunk's peak list) and
    /// .hkl files to merged tables; a campaign folder (Start-ProcessingJob) to the tables of all its complete chunks.</summary>
    [Cmdlet(VerbsData.Import, "ReflectionTable", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(ReflectionTable), typeof(XtalPS.Spots.SpotList))]
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

        /// <summary>CrystFEL streams: each chunk's peak list as a spot list (for Get-Lattice), instead of the crystals' reflection tables.</summary>
        [Parameter] public SwitchParameter AsSpotList { get; set; }

        protected override void ProcessRecord()
        {
            bool literal = ParameterSetName == LiteralSet;
            var arguments = literal ? LiteralPath : Path;
            // A campaign folder (Start-ProcessingJob's output) gathers every complete chunk, streamed in lattice order.
            var files = new System.Collections.Generic.List<string>();
            foreach (var argument in arguments)
            {
                var folders = CampaignFolders(argument, literal);
                if (folders.Count == 0) { files.AddRange(PathResolver.Resolve(this, new[] { argument }, literal)); continue; }
                foreach (var folder in folders)
                {
                    WriteVerbose($"{folder}: gathering the campaign's chunks");
                    CampaignEngine.Get(this).ImportTables(this, folder);
                }
            }
            foreach (var file in files)
            {
                string ext = System.IO.Path.GetExtension(file);
                if (ext.Equals(".refl", System.StringComparison.OrdinalIgnoreCase)) { ReadDials(file); continue; }
                if (AsSpotList)
                {
                    if (ext.Equals(".stream", System.StringComparison.OrdinalIgnoreCase)) ReadPeaks(file);
                    else WriteError(ErrorRecords.InvalidArgument($"'{file}': -AsSpotList reads the peak lists of CrystFEL .stream files (DIALS .refl files give their strong spots as spot lists without it).", "NoPeakLists", file));
                    continue;
                }
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

        /// <summary>A DIALS .refl (with its .expt): reflection tables for experiments with a crystal, spot lists for
        /// strong spots; an experiment that cannot be read is one error, and the others still come.</summary>
        private void ReadDials(string file)
        {
            System.Collections.Generic.IEnumerator<DialsReflectionTables.ImportedItem> items;
            try { items = DialsReflectionReader.Read(file).GetEnumerator(); }
            catch (System.NotSupportedException e) { WriteError(new ErrorRecord(e, "DialsNeedsPowerShell7", ErrorCategory.NotImplemented, file)); return; }
            catch (System.Exception e) when (!(e is PipelineStoppedException)) { WriteError(ErrorRecords.FromReadException(e, file)); return; }
            int n = 0;
            using (items)
            {
                while (true)
                {
                    try { if (!items.MoveNext()) break; }
                    catch (System.Exception e) when (!(e is PipelineStoppedException)) { WriteError(ErrorRecords.FromReadException(e, file)); return; }
                    var item = items.Current;
                    if (item.Error != null) WriteError(ErrorRecords.FromReadException(item.Error, file));
                    else { WriteObject(item.Item); n++; }
                }
            }
            WriteVerbose($"{file}: {n} experiment(s)");
        }

        /// <summary>A CrystFEL stream's peak lists: one spot list per chunk with peaks; a chunk that cannot be placed is one error.</summary>
        private void ReadPeaks(string file)
        {
            CrystFelStream.Contents contents;
            try { contents = CrystFelStream.Read(file); }
            catch (System.Exception e) when (!(e is PipelineStoppedException)) { WriteError(ErrorRecords.FromReadException(e, file)); return; }
            int n = 0;
            foreach (var item in CrystFelStreamSpots.ToSpotLists(file, contents))
            {
                if (item.Error != null) WriteError(ErrorRecords.FromReadException(item.Error, file));
                else { WriteObject(item.Spots); n++; }
            }
            WriteVerbose($"{file}: {n} peak list(s) of {contents.Chunks.Count} chunk(s)");
        }

        /// <summary>The folders an argument names that hold a campaign (campaign.json); empty for files and other folders.</summary>
        private System.Collections.Generic.List<string> CampaignFolders(string argument, bool literal)
        {
            var result = new System.Collections.Generic.List<string>();
            try
            {
                var candidates = literal ? new[] { SessionState.Path.GetUnresolvedProviderPathFromPSPath(argument) }
                    : (System.Collections.Generic.IEnumerable<string>)SessionState.Path.GetResolvedProviderPathFromPSPath(argument, out _);
                foreach (var c in candidates)
                    if (System.IO.File.Exists(System.IO.Path.Combine(c, "campaign.json"))) result.Add(c);
            }
            catch (System.Exception e) when (e is ItemNotFoundException || e is PSArgumentException || e is System.ArgumentException
                                             || e is DriveNotFoundException || e is ProviderNotFoundException || e is System.NotSupportedException) { }
            return result;
        }
    }
}
