using System;
using System.IO;
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

        protected override void WriteStart(Stream target)
        {
            var (file, experiments) = _builder.Build();
            DialsExperimentJson.Write(ExperimentsPath, experiments);
            var bytes = file.ToBytes();
            target.Write(bytes, 0, bytes.Length);
        }

        protected override void WriteEnd(Stream target) { }
    }
}
