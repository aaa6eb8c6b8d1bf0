using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using XtalPS.Integration;

namespace XtalPS.Formats
{
    /// <summary>
    /// Writes reflection tables as a DIALS pair: <c>NAME.refl</c> (MessagePack reflection table) and <c>NAME.expt</c>
    /// beside it (one experiment per lattice: beam, detector, crystal, image set). Both files are written atomically;
    /// the experiment list first, so a .refl never points to experiments that are not there.
    /// </summary>
    public sealed class DialsReflectionWriter : ReflectionFileWriter
    {
        private readonly DialsReflectionTables.Builder _builder = new DialsReflectionTables.Builder();
        private DialsReflectionFile? _existing;
        private List<DialsExperiment>? _existingExperiments;

        public DialsReflectionWriter(string path) : base(path)
        {
#if !NET
            throw DialsReflectionFile.Unsupported();
#endif
        }

        /// <summary>The experiment list written beside the .refl file.</summary>
        public string ExperimentsPath => ExperimentsPathOf(Path);

        public static string ExperimentsPathOf(string reflPath) => System.IO.Path.ChangeExtension(reflPath, ".expt");

        public override int Add(ReflectionTable table)
        {
            int id = _builder.Add(table);
            TableCount++;
            RowCount += table.Count;
            return id + 1;
        }

        public override bool TakesLatticesAndSpots => true;

        /// <summary>One crystal lattice as an indexed experiment (its indexed spots as rows, as dials.index writes them).</summary>
        public override int Add(Lattices.CrystalLattice lattice)
        {
            int id = _builder.Add(lattice);
            TableCount++;
            RowCount += lattice.IndexedSpots.Count;
            return id + 1;
        }

        /// <summary>One spot list as a strong-spot experiment without a crystal (as dials.find_spots writes it).</summary>
        public override int Add(Spots.SpotList spots)
        {
            int id = _builder.Add(spots);
            TableCount++;
            RowCount += spots.Count;
            return id + 1;
        }

        /// <summary>
        /// Keeps an existing pair first (for -Append): its rows and experiments are written before what is added, the
        /// added experiment ids follow its experiments, and a lattice on an image the pair already holds gets the next
        /// lattice index, so identifiers stay unique.
        /// </summary>
        public void AddExisting(string reflPath)
        {
            string expt = ExperimentsPathOf(reflPath);
            if (!File.Exists(expt))
                throw new InvalidOperationException($"'{expt}' is missing: -Append adds experiments to a DIALS pair and needs both the .refl and the .expt file.");
            var table = DialsReflectionFile.Read(reflPath);
            var experiments = DialsExperimentJson.ReadExperiments(expt);
            var id = table["id"];
            if (id != null && id.Data != null)
                for (int i = 0; i < table.RowCount; i++)
                    if (id.Get(i) >= experiments.Count)
                        throw new InvalidImageDataException(reflPath, $"row {i} has experiment id {id.Get(i)}; the experiment list holds {experiments.Count}.");
            string folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(expt)) ?? ".";
            foreach (var e in experiments)
            {
                if (e.ImagePath.Length == 0) continue;
                _builder.Reserve(e.ImagePath, e.Frame);
                if (!System.IO.Path.IsPathRooted(e.ImagePath)) _builder.Reserve(System.IO.Path.GetFullPath(System.IO.Path.Combine(folder, e.ImagePath)), e.Frame);
            }
            _existing = table;
            _existingExperiments = experiments;
            TableCount += experiments.Count;
            RowCount += table.RowCount;
        }

        protected override void WriteStart(Stream target)
        {
            var (file, experiments) = _builder.Build();
            if (_existing != null)
            {
                file = DialsTableJoin.Concatenate(_existing, file, _existingExperiments!.Count);
                experiments = _existingExperiments.Concat(experiments).ToList();
            }
            DialsExperimentJson.Write(ExperimentsPath, experiments);
            var bytes = file.ToBytes();
            target.Write(bytes, 0, bytes.Length);
        }

        protected override void WriteEnd(Stream target) { }
    }
}
