using System;
using System.IO;
using XtalPS.Integration;

namespace XtalPS.Formats
{
    /// <summary>
    /// Streams reflection tables (one per image) into one file: rows go to a hidden scratch file beside the target
    /// as they come, and <see cref="Complete"/> writes the finished file through <see cref="AtomicFile"/>, so readers
    /// never see half a file and memory does not grow with the number of images.
    /// </summary>
    public abstract class ReflectionFileWriter : IDisposable
    {
        private readonly FileStream _scratch;
        private bool _completed;

        protected ReflectionFileWriter(string path)
        {
            Path = System.IO.Path.GetFullPath(path);
            string dir = AtomicFile.CheckTarget(Path);
            string scratch = AtomicFile.ScratchName(Path, "rows");
            try { _scratch = new FileStream(scratch, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose); }
            catch (UnauthorizedAccessException e) { throw new UnauthorizedAccessException($"Cannot write '{Path}': access to the folder '{dir}' is denied.", e); }
            catch (IOException e) { throw new IOException($"Cannot write '{Path}': {e.Message.Replace(scratch, Path)}", e); }
            // Outside Windows an open file lives on after its name is removed: removing the name now means a
            // process killed mid-run leaves no scratch file behind. (Windows deletes it when the handle closes,
            // which the system does for a killed process too.)
            if (Environment.OSVersion.Platform != PlatformID.Win32NT)
            {
                try { File.Delete(scratch); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }

        /// <summary>The file being written.</summary>
        public string Path { get; }
        /// <summary>Tables added so far (each is one batch).</summary>
        public int TableCount { get; protected set; }
        public long RowCount { get; protected set; }

        protected Stream Scratch => _scratch;

        /// <summary>Appends the reflections of one image; returns its batch number.</summary>
        public abstract int Add(ReflectionTable table);

        /// <summary>True when the format holds lattices and spot lists as they leave indexing and spot finding (DIALS .refl).</summary>
        public virtual bool TakesLatticesAndSpots => false;

        /// <summary>Appends one crystal lattice with its indexed spots; returns its experiment number. Only formats with <see cref="TakesLatticesAndSpots"/>.</summary>
        public virtual int Add(Lattices.CrystalLattice lattice) =>
            throw new NotSupportedException($"{System.IO.Path.GetExtension(Path)} files hold reflection tables, not lattices: integrate first (Invoke-PeakIntegration) or write a DIALS .refl file.");

        /// <summary>Appends one spot list; returns its experiment number. Only formats with <see cref="TakesLatticesAndSpots"/>.</summary>
        public virtual int Add(Spots.SpotList spots) =>
            throw new NotSupportedException($"{System.IO.Path.GetExtension(Path)} files hold reflection tables, not spot lists: write a DIALS .refl file (strong spots).");

        /// <summary>Writes the target file (atomically) from what was added.</summary>
        public void Complete()
        {
            if (_completed) throw new InvalidOperationException("The file was already written.");
            _scratch.Flush();
            AtomicFile.Write(Path, target =>
            {
                WriteStart(target);
                _scratch.Position = 0;
                _scratch.CopyTo(target, 1 << 16);
                WriteEnd(target);
            });
            _completed = true;
        }

        protected abstract void WriteStart(Stream target);
        protected abstract void WriteEnd(Stream target);

        /// <summary>Removes the scratch file; the target is untouched unless <see cref="Complete"/> ran.</summary>
        public void Dispose() => _scratch.Dispose();

        /// <summary>A writer chosen by extension: .mtz, .csv, .json, .refl, .stream or .hkl. With <paramref name="append"/> an existing
        /// file's reflections are kept first (a DIALS pair's experiments and rows, a stream's chunks as they are); a merged
        /// .hkl list cannot be appended to.</summary>
        public static ReflectionFileWriter Create(string path, bool append = false)
        {
            string ext = System.IO.Path.GetExtension(path).ToLowerInvariant();
            ReflectionFileWriter w = ext switch
            {
                ".mtz" => new MtzWriter(path),
                ".csv" => new ReflectionCsvWriter(path),
                ".json" => new ReflectionJsonWriter(path),
                ".refl" => new DialsReflectionWriter(path),
                ".stream" => new CrystFelStreamWriter(path),
                ".hkl" => new CrystFelHklWriter(path),
                _ => throw new ArgumentException($"Unknown reflection file type '{ext}': use .mtz, .csv, .json, .refl, .stream or .hkl.", nameof(path)),
            };
            try
            {
                if (append && File.Exists(path))
                {
                    if (w is MtzWriter mw) mw.AddExisting(MtzReader.Read(path));
                    else if (w is DialsReflectionWriter dw) dw.AddExisting(path);
                    else if (w is CrystFelStreamWriter sw) sw.AddExisting(path);
                    else if (w is CrystFelHklWriter)
                        throw new InvalidOperationException("A CrystFEL .hkl file holds one merged data set, so -Append cannot add to it: merge all the data together (Merge-ReflectionTable) and write a new file.");
                    else foreach (var t in ReflectionFileReader.Read(path)) w.Add(t);
                }
            }
            catch
            {
                w.Dispose();
                throw;
            }
            return w;
        }
    }
}
