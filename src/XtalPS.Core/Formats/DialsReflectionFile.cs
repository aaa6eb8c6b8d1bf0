using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
#if NET
using System.Buffers;
using MessagePack;
#endif

namespace XtalPS.Formats
{
    /// <summary>
    /// A DIALS reflection table file (<c>.refl</c>) as columns: the MessagePack document
    /// <c>["dials::af::reflection_table", 1, {"identifiers": {id: text}, "nrows": n, "data": {name: [type, value]}}]</c>,
    /// where a fixed-size column's value is <c>[n, bin]</c> (the elements' little-endian bytes) and a string
    /// column's value is an array of strings. This is the layout of dials/array_family reflection_table msgpack
    /// serialisation (DIALS 2+); read and written in column order so a table read and written again is byte-identical.
    /// </summary>
    /// <remarks>The MessagePack package loads in the .NET (PowerShell 7) build only; the Windows PowerShell 5.1 build
    /// refuses with <see cref="NotSupportedException"/>.</remarks>
    public sealed class DialsReflectionFile
    {
        public const string Tag = "dials::af::reflection_table";
        public const int Version = 1;
        /// <summary>Largest .refl file read (a 10^6-row integrated table is ~300 MB).</summary>
        public const long MaxFileBytes = 4L * 1024 * 1024 * 1024 - 1;
        public const int MaxColumns = 4096;

        public DialsReflectionFile(long rows, IEnumerable<KeyValuePair<ulong, string>>? identifiers = null, IEnumerable<DialsColumn>? columns = null)
        {
            if (rows < 0 || rows > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(rows));
            RowCount = rows;
            Identifiers = (identifiers ?? Enumerable.Empty<KeyValuePair<ulong, string>>()).ToList();
            Columns = (columns ?? Enumerable.Empty<DialsColumn>()).ToList();
            foreach (var c in Columns)
                if (c.Rows >= 0 && c.Rows != rows) throw new ArgumentException($"The column '{c.Name}' has {c.Rows} rows, the table {rows}.", nameof(columns));
        }

        public long RowCount { get; }
        /// <summary>Experiment id (the <c>id</c> column's value) → experiment identifier, in file order.</summary>
        public List<KeyValuePair<ulong, string>> Identifiers { get; }
        public List<DialsColumn> Columns { get; }

        public DialsColumn? this[string name] => Columns.FirstOrDefault(c => c.Name == name);

        /// <summary>True when the bytes start like a DIALS MessagePack table: a 3-element array whose first item is the tag.</summary>
        public static bool LooksLikeRefl(ReadOnlySpan<byte> head)
        {
            if (head.Length < 2 + Tag.Length || head[0] != 0x93) return false;
            if (head[1] != (byte)(0xA0 | Tag.Length)) return false;
            for (int i = 0; i < Tag.Length; i++) if (head[2 + i] != Tag[i]) return false;
            return true;
        }

        public static DialsReflectionFile Read(string path)
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new FileNotFoundException($"The file '{path}' does not exist.", path);
            if (info.Length > MaxFileBytes) throw new InvalidImageDataException(path, $"the file is {info.Length} bytes; the largest .refl read is {MaxFileBytes}.");
            return Parse(path, File.ReadAllBytes(path));
        }

        /// <summary>Writes the table atomically.</summary>
        public void Write(string path)
        {
            var bytes = ToBytes();
            AtomicFile.Write(path, s => s.Write(bytes, 0, bytes.Length));
        }

#if !NET
        public static DialsReflectionFile Parse(string path, byte[] bytes) => throw Unsupported();
        public byte[] ToBytes() => throw Unsupported();
        internal static NotSupportedException Unsupported() =>
            new NotSupportedException("DIALS .refl files (MessagePack) are read and written by the PowerShell 7 build of XtalPS only; Windows PowerShell 5.1 cannot load the MessagePack library.");
#else
        /// <summary>Decodes a .refl document; <paramref name="path"/> names the file in errors.</summary>
        public static DialsReflectionFile Parse(string path, byte[] bytes)
        {
            try { return Decode(path, bytes); }
            catch (MessagePackSerializationException e) { throw new InvalidImageDataException(path, "not a valid DIALS reflection file: " + e.Message, e); }
            catch (EndOfStreamException e) { throw new InvalidImageDataException(path, "the file ends inside the reflection table.", e); }
            catch (OverflowException e) { throw new InvalidImageDataException(path, "a count or id in the file is out of range.", e); }
        }

        private static DialsReflectionFile Decode(string path, byte[] bytes)
        {
            var r = new MessagePackReader(new ReadOnlyMemory<byte>(bytes));
            if (r.End || r.NextMessagePackType != MessagePackType.Array || r.ReadArrayHeader() != 3)
                throw new InvalidImageDataException(path, "not a DIALS reflection table (the document is not a 3-element array).");
            if (r.NextMessagePackType != MessagePackType.String || r.ReadString() != Tag)
                throw new InvalidImageDataException(path, $"not a DIALS reflection table (no '{Tag}' tag).");
            if (r.NextMessagePackType != MessagePackType.Integer) throw new InvalidImageDataException(path, "the version is not a number.");
            long version = r.ReadInt64();
            if (version != Version) throw new InvalidImageDataException(path, $"reflection table version {version}; XtalPS reads version {Version}.");
            if (r.NextMessagePackType != MessagePackType.Map) throw new InvalidImageDataException(path, "the table body is not a map.");
            int members = r.ReadMapHeader();
            long rows = -1;
            var identifiers = new List<KeyValuePair<ulong, string>>();
            var columns = new List<DialsColumn>();
            bool sawData = false;
            for (int m = 0; m < members; m++)
            {
                string key = ReadText(path, ref r, "a table member name");
                switch (key)
                {
                    case "identifiers":
                        if (r.NextMessagePackType != MessagePackType.Map) throw new InvalidImageDataException(path, "'identifiers' is not a map.");
                        int n = r.ReadMapHeader();
                        for (int i = 0; i < n; i++)
                        {
                            if (r.NextMessagePackType != MessagePackType.Integer) throw new InvalidImageDataException(path, "an experiment id is not an integer.");
                            ulong id = r.ReadUInt64();
                            identifiers.Add(new KeyValuePair<ulong, string>(id, ReadText(path, ref r, "an experiment identifier")));
                        }
                        break;
                    case "nrows":
                        if (r.NextMessagePackType != MessagePackType.Integer) throw new InvalidImageDataException(path, "'nrows' is not an integer.");
                        ulong nr = r.ReadUInt64();
                        if (nr > int.MaxValue) throw new InvalidImageDataException(path, $"'nrows' {nr} is more than XtalPS reads.");
                        rows = (long)nr;
                        break;
                    case "data":
                        if (rows < 0) throw new InvalidImageDataException(path, "'data' comes before 'nrows'.");
                        if (r.NextMessagePackType != MessagePackType.Map) throw new InvalidImageDataException(path, "'data' is not a map.");
                        int nc = r.ReadMapHeader();
                        if (nc > MaxColumns) throw new InvalidImageDataException(path, $"the table claims {nc} columns.");
                        for (int c = 0; c < nc; c++) columns.Add(ReadColumn(path, ref r, rows));
                        sawData = true;
                        break;
                    default:
                        throw new InvalidImageDataException(path, $"unknown table member '{key}'.");
                }
            }
            if (rows < 0 || !sawData) throw new InvalidImageDataException(path, "the table has no 'nrows' or no 'data'.");
            if (!r.End) throw new InvalidImageDataException(path, "bytes follow the reflection table.");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var c in columns) if (!seen.Add(c.Name)) throw new InvalidImageDataException(path, $"the column '{c.Name}' appears twice.");
            return new DialsReflectionFile(rows, identifiers, columns);
        }

        private static DialsColumn ReadColumn(string path, ref MessagePackReader r, long rows)
        {
            string name = ReadText(path, ref r, "a column name");
            if (r.NextMessagePackType != MessagePackType.Array || r.ReadArrayHeader() != 2)
                throw new InvalidImageDataException(path, $"column '{name}' is not a [type, value] pair.");
            string type = ReadText(path, ref r, $"the type of column '{name}'");
            if (DialsColumn.FixedSizes.TryGetValue(type, out int size))
            {
                if (r.NextMessagePackType != MessagePackType.Array || r.ReadArrayHeader() != 2)
                    throw new InvalidImageDataException(path, $"column '{name}' is not a [count, bytes] pair.");
                if (r.NextMessagePackType != MessagePackType.Integer) throw new InvalidImageDataException(path, $"column '{name}': the count is not an integer.");
                ulong n = r.ReadUInt64();
                if (n != (ulong)rows) throw new InvalidImageDataException(path, $"column '{name}' has {n} rows, the table {rows}.");
                if (r.NextMessagePackType != MessagePackType.Binary) throw new InvalidImageDataException(path, $"column '{name}': the values are not a binary blob.");
                var blob = r.ReadBytes();
                if (blob == null || blob.Value.Length != (long)n * size)
                    throw new InvalidImageDataException(path, $"column '{name}' holds {blob?.Length ?? 0} bytes for {n} elements of {size} bytes.");
                return DialsColumn.Fixed(name, type, blob.Value.ToArray());
            }
            if (type == DialsColumn.StringType)
            {
                if (r.NextMessagePackType != MessagePackType.Array) throw new InvalidImageDataException(path, $"column '{name}' is not a list of strings.");
                int n = r.ReadArrayHeader();
                if (n != rows) throw new InvalidImageDataException(path, $"column '{name}' has {n} rows, the table {rows}.");
                // Every string takes at least one byte: a count beyond the bytes left is a lie, refused before allocating.
                if (n > r.Sequence.Length - r.Consumed) throw new InvalidImageDataException(path, $"column '{name}' claims {n} strings in {r.Sequence.Length - r.Consumed} bytes.");
                var values = new string[n];
                for (int i = 0; i < n; i++) values[i] = ReadText(path, ref r, $"a value of column '{name}'");
                return DialsColumn.OfStrings(name, values);
            }
            // A type XtalPS does not interpret (shoeboxes …): its encoding is kept as it is.
            var raw = r.ReadRaw();
            return DialsColumn.Opaque(name, type, raw.ToArray());
        }

        private static string ReadText(string path, ref MessagePackReader r, string what)
        {
            if (r.NextMessagePackType != MessagePackType.String) throw new InvalidImageDataException(path, $"{what} is not a string.");
            return r.ReadString() ?? "";
        }

        /// <summary>The MessagePack bytes of the table, in the smallest encodings (as msgpack-c writes them).</summary>
        public byte[] ToBytes()
        {
            var buffer = new ArrayBufferWriter<byte>(1 << 16);
            var w = new MessagePackWriter(buffer);
            w.WriteArrayHeader(3);
            w.Write(Tag);
            w.Write(Version);
            w.WriteMapHeader(3);
            w.Write("identifiers");
            w.WriteMapHeader(Identifiers.Count);
            foreach (var id in Identifiers) { w.Write(id.Key); w.Write(id.Value); }
            w.Write("nrows");
            w.Write((ulong)RowCount);
            w.Write("data");
            w.WriteMapHeader(Columns.Count);
            foreach (var c in Columns)
            {
                w.Write(c.Name);
                w.WriteArrayHeader(2);
                w.Write(c.Type);
                if (c.Data != null)
                {
                    w.WriteArrayHeader(2);
                    w.Write((ulong)RowCount);
                    w.Write(new ReadOnlySpan<byte>(c.Data));
                }
                else if (c.Strings != null)
                {
                    w.WriteArrayHeader(c.Strings.Length);
                    foreach (var s in c.Strings) w.Write(s);
                }
                else w.WriteRaw(new ReadOnlySpan<byte>(c.Encoded));
            }
            w.Flush();
            return buffer.WrittenSpan.ToArray();
        }
#endif
    }
}
