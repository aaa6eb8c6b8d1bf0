using System;
using System.IO;
using System.Management.Automation;
using XtalPS.Formats;
using XtalPS.Integration;
using XtalPS.Internal;

namespace XtalPS.Commands
{
    /// <summary>
    /// Export-ReflectionTable: reflection tables to .mtz (unmerged, one batch per image), .csv, .json, or a DIALS pair
    /// (.refl with the .expt experiment list beside it: one experiment per lattice), a CrystFEL stream (.stream) or a
    /// CrystFEL merged list (.hkl). Every table in
    /// the pipeline streams into the one file; a folder as -Path writes one IPLT-style file per image instead
    /// (NAME_ext.mtz for extraction, NAME_int.mtz for integration). Lattices (Get-Lattice) and spot lists
    /// (Find-BraggSpot) go into a DIALS pair as they are: indexed experiments with their indexed spots, and
    /// strong-spot experiments that dials.index takes.
    /// </summary>
    [Cmdlet(VerbsData.Export, "ReflectionTable", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = "Tables")]
    [OutputType(typeof(FileInfo))]
    public sealed class ExportReflectionTableCommand : PSCmdlet, IDisposable
    {
        private ReflectionFileWriter? _writer;
        private string? _target;
        private bool _skip, _folder;
        private int _index;

        [Parameter(Mandatory = true, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = "Tables")]
        [Alias("ReflectionTable")]
        [ValidateNotNull]
        public ReflectionTable? InputObject { get; set; }

        /// <summary>A merged data set from Merge-ReflectionTable: written as a merged MTZ file (one file per -SplitBy group).</summary>
        // By property name too: with only the tables bound by property name, PowerShell's binder would not offer a
        // merged data set to this parameter at all.
        [Parameter(Mandatory = true, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = "Merged")]
        [ValidateNotNull]
        public XtalPS.Merging.MergedReflectionTable? MergedTable { get; set; }

        /// <summary>A lattice from Get-Lattice: written to a DIALS .refl (+ .expt) as an indexed experiment with its indexed spots.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = "Lattices")]
        [ValidateNotNull]
        public XtalPS.Lattices.Lattice? Lattice { get; set; }

        /// <summary>A spot list from Find-BraggSpot: written to a DIALS .refl (+ .expt) as strong spots on their image.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = "Spots")]
        [ValidateNotNull]
        public XtalPS.Spots.SpotList? SpotList { get; set; }

        /// <summary>The file (.mtz, .csv, .json, .refl, .stream, .hkl), or an existing folder for one NAME_ext/NAME_int file per image.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = "";

        /// <summary>Add to an existing file instead of replacing it.</summary>
        [Parameter] public SwitchParameter Append { get; set; }
        /// <summary>Overwrite an existing file.</summary>
        [Parameter] public SwitchParameter Force { get; set; }
        [Parameter] public SwitchParameter PassThru { get; set; }
        /// <summary>With a folder as -Path: the file type of the per-image files.</summary>
        [Parameter] [ValidateSet("mtz", "csv", "json")] public string Extension { get; set; } = "mtz";

        protected override void BeginProcessing()
        {
            string resolved;
            // The one output cannot be written: one non-terminating error (that -ErrorAction and -ErrorVariable
            // handle), and the tables that come are passed over.
            try { resolved = PathResolver.ResolveOutput(this, Path); }
            catch (Exception e) when (e is ArgumentException || e is PSArgumentException || e is NotSupportedException)
            {
                Refuse(ErrorRecords.InvalidArgument(e.Message, "InvalidPath", Path));
                return;
            }
            _folder = Directory.Exists(resolved);
            if (_folder) { _target = resolved; return; }
            string ext = System.IO.Path.GetExtension(resolved).ToLowerInvariant();
            if (ext != ".mtz" && ext != ".csv" && ext != ".json" && ext != ".refl" && ext != ".stream" && ext != ".hkl")
            {
                Refuse(ErrorRecords.InvalidArgument($"'{Path}' has no reflection file extension: use .mtz, .csv, .json, .refl, .stream or .hkl (or give a folder).", "UnknownReflectionFormat", Path));
                return;
            }
            var refusal = PathResolver.RefuseOutput(resolved, Force || Append, "use -Force to overwrite it or -Append to add to it");
            if (refusal != null) { Refuse(refusal); return; }
            _target = resolved;
        }

        private void Refuse(ErrorRecord error)
        {
            _skip = true;
            WriteError(error);
        }

        protected override void ProcessRecord()
        {
            if (MergedTable != null) { WriteMerged(MergedTable); return; }
            if (Lattice != null || SpotList != null) { WriteFound(); return; }
            var table = InputObject!;
            _index++;
            if (_folder) { WriteOne(table); return; }
            if (_skip) return;
            if (!OpenWriter("Append reflection tables", "Write reflection tables")) return;
            try
            {
                int batch = _writer!.Add(table);
                WriteVerbose($"{table.ImageName}: {table.Count} reflections as batch {batch}");
            }
            catch (ArgumentException e)
            {
                // A table this format cannot hold (a planar lattice in a DIALS file, no geometry): that table only.
                WriteError(new ErrorRecord(e, "TableNotWritable", ErrorCategory.InvalidData, table));
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                _writer!.Dispose(); _writer = null; _skip = true;
                WriteError(ErrorRecords.WriteFailed(e, _target!));
            }
        }

        /// <summary>Opens the one writer on the first item (after -WhatIf/-Confirm); false when the file cannot be written.</summary>
        private bool OpenWriter(string appendAction, string writeAction)
        {
            if (_writer != null) return true;
            bool append = Append && File.Exists(_target);
            if (!ShouldProcess(_target!, append ? appendAction : writeAction)) { _skip = true; return false; }
            try { _writer = ReflectionFileWriter.Create(_target!, append); }
            catch (NotSupportedException e)
            {
                Refuse(new ErrorRecord(e, "DialsNeedsPowerShell7", ErrorCategory.NotImplemented, _target));
                return false;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is InvalidOperationException || e is InvalidImageDataException)
            {
                Refuse(e is InvalidOperationException || e is InvalidImageDataException
                    ? new ErrorRecord(e, "CannotAppend", ErrorCategory.InvalidData, _target) : ErrorRecords.WriteFailed(e, _target!));
                return false;
            }
            return true;
        }

        /// <summary>A lattice or spot list into the DIALS file: indexed or strong-spot experiments.</summary>
        private void WriteFound()
        {
            object item = (object?)Lattice ?? SpotList!;
            string name = Lattice?.ImageName ?? SpotList!.Source.Name;
            if (_skip) return;
            if (_folder || !string.Equals(System.IO.Path.GetExtension(_target), ".refl", StringComparison.OrdinalIgnoreCase))
            {
                Refuse(ErrorRecords.InvalidArgument($"'{Path}': lattices and spot lists are written as a DIALS pair (NAME.refl with NAME.expt); give a file name ending in .refl, or integrate first (Invoke-PeakIntegration) for MTZ, CSV, JSON and CrystFEL files.",
                    "LatticesNeedDialsFile", Path));
                return;
            }
            if (Lattice != null && !(Lattice is XtalPS.Lattices.CrystalLattice))
            {
                WriteError(new ErrorRecord(new ArgumentException($"{name}: a planar (2D) lattice has no DIALS experiment; DIALS describes 3D crystals only."),
                    "TableNotWritable", ErrorCategory.InvalidData, item));
                return;
            }
            if (!OpenWriter("Append experiments", "Write experiments")) return;
            try
            {
                if (Lattice is XtalPS.Lattices.CrystalLattice crystal)
                {
                    int id = _writer!.Add(crystal);
                    WriteVerbose($"{name}: {crystal.IndexedSpots.Count} indexed spots as experiment {id - 1}");
                }
                else
                {
                    int id = _writer!.Add(SpotList!);
                    WriteVerbose($"{name}: {SpotList!.Count} strong spots as experiment {id - 1}");
                }
            }
            catch (ArgumentException e)
            {
                // A lattice or spot list this file cannot hold (no detector): that one only.
                WriteError(new ErrorRecord(e, "TableNotWritable", ErrorCategory.InvalidData, item));
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                _writer!.Dispose(); _writer = null; _skip = true;
                WriteError(ErrorRecords.WriteFailed(e, _target!));
            }
        }

        protected override void EndProcessing()
        {
            if (_writer == null) return;
            try
            {
                _writer.Complete();
                WriteVerbose($"Wrote {_writer.RowCount} reflections of {_writer.TableCount} image(s) to {_target}");
                if (PassThru) WriteObject(new FileInfo(_target!));
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                WriteError(ErrorRecords.WriteFailed(e, _target!));
            }
            finally { _writer.Dispose(); _writer = null; }
        }

        /// <summary>NAME_ext / NAME_int (IPLT's naming) for one table in a folder.</summary>
        private void WriteOne(ReflectionTable table)
        {
            string stem = table.ImageName.Length > 0 ? System.IO.Path.GetFileNameWithoutExtension(table.ImageName.Replace('#', '_')) : $"table_{_index:D5}";
            string tag = table.Stage == "Extract" ? "_ext" : table.Stage == "Integrate" ? "_int" : "_refl";
            string target = System.IO.Path.Combine(_target!, stem + tag + "." + Extension);
            var refusal = PathResolver.RefuseOutput(target, Force);
            if (refusal != null) { WriteError(refusal); return; }
            if (!ShouldProcess(target, $"Write {table.Count} reflections")) return;
            try
            {
                using var w = ReflectionFileWriter.Create(target);
                w.Add(table);
                w.Complete();
                WriteVerbose($"Wrote {table.Count} reflections to {target}");
                if (PassThru) WriteObject(new FileInfo(target));
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                WriteError(ErrorRecords.WriteFailed(e, target));
            }
        }

        /// <summary>A merged data set to .mtz: the file given, or NAME_group.mtz for a -SplitBy group.</summary>
        private void WriteMerged(XtalPS.Merging.MergedReflectionTable merged)
        {
            if (_skip || _target == null) return;
            if (_folder || !string.Equals(System.IO.Path.GetExtension(_target), ".mtz", StringComparison.OrdinalIgnoreCase))
            {
                Refuse(ErrorRecords.InvalidArgument($"'{Path}': merged data are written as a merged MTZ file; give a file name ending in .mtz.", "MergedNeedsMtz", Path));
                return;
            }
            string target = _target;
            if (merged.Name.Length > 0)
            {
                var safe = new System.Text.StringBuilder();
                foreach (char c in merged.Name) safe.Append(char.IsLetterOrDigit(c) || c == '-' || c == '.' ? c : '_');
                target = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(_target) ?? ".", System.IO.Path.GetFileNameWithoutExtension(_target) + "_" + safe + ".mtz");
                var refusal = PathResolver.RefuseOutput(target, Force);
                if (refusal != null) { WriteError(refusal); return; }
            }
            if (!ShouldProcess(target, $"Write {merged.Count} merged reflections")) return;
            try
            {
                MergedMtzWriter.Write(target, merged);
                WriteVerbose($"Wrote {merged.Count} merged reflections to {target}");
                if (PassThru) WriteObject(new FileInfo(target));
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                WriteError(ErrorRecords.WriteFailed(e, target));
            }
        }

        public void Dispose() => _writer?.Dispose();
    }
}
