using System;
using System.Collections.Generic;
using System.Management.Automation;
using XtalPS.Imaging;
using XtalPS.Integration;
using XtalPS.Lattices;
using XtalPS.Spots;

namespace XtalPS.Campaigns
{
    /// <summary>
    /// What the pipeline script made of one image, reduced at once to pixel-free rows: the image record, a lattice row
    /// per reflection table (or bare lattice) it output, in output order, and the reflections by lattice id. Spots are
    /// counted from whatever spot list the output or the errors carry (a table's lattice, a lattice, a spot list, or
    /// the target of an error such as Get-Lattice's TooFewSpots).
    /// </summary>
    internal sealed class ImageOutcome
    {
        public ImageRecord Record { get; } = new ImageRecord();
        public List<LatticeRow> Lattices { get; } = new List<LatticeRow>();
        public List<(long LatticeId, Reflection Reflection)> Reflections { get; } = new List<(long, Reflection)>();

        public static ImageOutcome FromScript(int chunk, int fileIndex, string path, int frame, IEnumerable<PSObject> output,
            IReadOnlyList<ErrorRecord> errors, double seconds)
        {
            var o = new ImageOutcome();
            var r = o.Record;
            r.Chunk = chunk; r.FileIndex = fileIndex; r.Path = path; r.Frame = frame; r.Seconds = seconds;
            var bareLattices = new Dictionary<Lattice, LatticeRow>(ReferenceEqualityComparer.Instance);
            foreach (var item in output)
            {
                switch (item?.BaseObject)
                {
                    case ReflectionTable t:
                        o.NoteSpots(t.Lattice?.Spots);
                        if (t.Lattice != null && bareLattices.TryGetValue(t.Lattice, out var bare))
                        {
                            bareLattices.Remove(t.Lattice);
                            o.Attach(bare, t);
                        }
                        else o.Attach(o.NewLattice(t.Lattice, t.Stage), t);
                        break;
                    case Lattice l:
                        o.NoteSpots(l.Spots);
                        if (!bareLattices.ContainsKey(l)) bareLattices[l] = o.NewLattice(l, "");
                        break;
                    case SpotList s:
                        o.NoteSpots(s);
                        break;
                }
            }
            foreach (var e in errors)
            {
                switch (e.TargetObject)
                {
                    case SpotList s: o.NoteSpots(s); break;
                    case Lattice l: o.NoteSpots(l.Spots); break;
                    case ReflectionTable t: o.NoteSpots(t.Lattice?.Spots); break;
                }
                if (r.ErrorId == null) { r.ErrorId = ErrorId(e); r.ErrorMessage = Message(e); }
            }
            r.Errors = errors.Count;
            r.Lattices = o.Lattices.Count;
            foreach (var row in o.Lattices)
                if (row.Lattice is CrystalLattice c) { r.Cell = c.UnitCell; break; }
            return o;
        }

        /// <summary>An image file that could not be read: one record, frame −1, with the reader's error.</summary>
        public static ImageOutcome Unreadable(int chunk, int fileIndex, string path, IReadOnlyList<ErrorRecord> errors, double seconds)
        {
            var o = new ImageOutcome();
            var r = o.Record;
            r.Chunk = chunk; r.FileIndex = fileIndex; r.Path = path; r.Frame = -1; r.Seconds = seconds;
            r.Errors = Math.Max(1, errors.Count);
            r.ErrorId = errors.Count > 0 ? ErrorId(errors[0]) : "ImageReadFailed";
            r.ErrorMessage = errors.Count > 0 ? Message(errors[0]) : "the file gave no image";
            return o;
        }

        private LatticeRow NewLattice(Lattice? lattice, string stage)
        {
            var row = new LatticeRow
            {
                FileIndex = Record.FileIndex, Path = Record.Path, Frame = Record.Frame, LatticeIndex = Lattices.Count,
                Lattice = lattice, Stage = stage ?? "",
            };
            row.LatticeId = LatticeIdentity.Of(Record.Path, Record.Frame, row.LatticeIndex);
            Lattices.Add(row);
            return row;
        }

        private void Attach(LatticeRow row, ReflectionTable table)
        {
            row.Stage = table.Stage;
            row.Refined = table.RefinedLattice;
            row.Reflections += table.Count;
            Record.Reflections += table.Count;
            foreach (var reflection in table.Reflections)
            {
                Reflections.Add((row.LatticeId, reflection.Clone()));
                if (reflection.Sigma > 0 && reflection.Intensity >= 2 * reflection.Sigma && reflection.D > 0
                    && (double.IsNaN(Record.DMin) || reflection.D < Record.DMin))
                    Record.DMin = reflection.D;
            }
        }

        private void NoteSpots(SpotList? spots)
        {
            if (spots == null || Record.Spots >= 0) return;
            Record.Spots = spots.Count;
            Record.SpotDMin = spots.DMin;
        }

        /// <summary>The stable error id: the cmdlet's id (before the comma of FullyQualifiedErrorId), or ScriptThrew for a
        /// bare <c>throw "text"</c> (whose id is the text itself).</summary>
        public static string ErrorId(ErrorRecord e)
        {
            if (e.Exception is RuntimeException re && re.WasThrownFromThrowStatement && e.FullyQualifiedErrorId == re.Message) return "ScriptThrew";
            string id = e.FullyQualifiedErrorId ?? "";
            int comma = id.IndexOf(',');
            id = comma > 0 ? id.Substring(0, comma) : id;
            return id.Length == 0 || id.Length > 80 ? "ScriptError" : id;
        }

        private static string Message(ErrorRecord e)
        {
            string text = e.ErrorDetails?.Message ?? e.Exception?.Message ?? e.ToString();
            return text.Length > 500 ? text.Substring(0, 500) + "…" : text;
        }
    }

    /// <summary>The campaign's name for <see cref="XtalPS.Lattices.LatticeId.Of"/>, the one definition of a lattice's stable id.</summary>
    public static class LatticeIdentity
    {
        public static long Of(string path, int frame, int latticeIndex) => XtalPS.Lattices.LatticeId.Of(path, frame, latticeIndex);
    }
}
