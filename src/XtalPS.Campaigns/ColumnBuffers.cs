using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Parquet;
using Parquet.Schema;

namespace XtalPS.Campaigns
{
    /// <summary>A growable column of one Parquet field: int32, int64, double or (nullable) string.</summary>
    internal abstract class Column
    {
        protected Column(DataField field) { Field = field; }
        public DataField Field { get; }
        public abstract int Count { get; }
        public abstract Task WriteAsync(ParquetRowGroupWriter writer);
        /// <summary>Reads the column from a row group; <paramref name="field"/> is the file's own field of that name.</summary>
        public abstract Task ReadAsync(ParquetRowGroupReader reader, DataField field, int rows);
        public abstract void Clear();
    }

    internal sealed class Column<T> : Column where T : struct
    {
        private T[] _values = new T[64];
        private int _count;

        public Column(string name) : base(new DataField<T>(name)) { }

        public override int Count => _count;
        public T this[int row] => _values[row];

        public void Add(T value)
        {
            if (_count == _values.Length) Array.Resize(ref _values, _values.Length * 2);
            _values[_count++] = value;
        }

        public override Task WriteAsync(ParquetRowGroupWriter writer) =>
            writer.WriteAsync<T>(Field, new ReadOnlyMemory<T>(_values, 0, _count), null, null, default);

        public override async Task ReadAsync(ParquetRowGroupReader reader, DataField field, int rows)
        {
            if (_values.Length < rows) _values = new T[rows];
            _count = rows;
            await reader.ReadAsync<T>(field, new Memory<T>(_values, 0, rows), null, default).ConfigureAwait(false);
        }

        public override void Clear() => _count = 0;
    }

    internal sealed class TextColumn : Column
    {
        private readonly List<string?> _values = new List<string?>();
        private string?[] _read = Array.Empty<string?>();

        public TextColumn(string name) : base(new DataField<string>(name, true)) { }

        public override int Count => _values.Count;
        public string? this[int row] => _values[row];

        public void Add(string? value) => _values.Add(value);

        public override Task WriteAsync(ParquetRowGroupWriter writer) => writer.WriteAsync(Field, _values!, null);

        public override async Task ReadAsync(ParquetRowGroupReader reader, DataField field, int rows)
        {
            if (_read.Length < rows) _read = new string?[rows];
            await reader.ReadAsync(field, new Memory<string?>(_read, 0, rows), null, default).ConfigureAwait(false);
            _values.Clear();
            for (int i = 0; i < rows; i++) _values.Add(_read[i]);
        }

        public override void Clear() => _values.Clear();
    }

    /// <summary>The columns of one table kind, written as Parquet row groups and read back one row group at a time.</summary>
    internal class ColumnTable
    {
        private readonly List<Column> _columns = new List<Column>();

        protected Column<T> Add<T>(string name) where T : struct { var c = new Column<T>(name); _columns.Add(c); return c; }
        protected TextColumn AddText(string name) { var c = new TextColumn(name); _columns.Add(c); return c; }

        public IReadOnlyList<Column> Columns => _columns;
        public ParquetSchema Schema => new ParquetSchema(_columns.Select(c => (Field)c.Field).ToArray());
        public int Rows => _columns.Count == 0 ? 0 : _columns[0].Count;

        public void Clear() { foreach (var c in _columns) c.Clear(); }

        /// <summary>Writes the buffered rows as one row group and empties the buffers.</summary>
        public async Task FlushAsync(ParquetWriter writer)
        {
            if (Rows == 0) return;
            using (var rg = writer.CreateRowGroup())
                foreach (var c in _columns) await c.WriteAsync(rg).ConfigureAwait(false);
            Clear();
        }

        /// <summary>Loads row group <paramref name="index"/> into the buffers; returns its row count.</summary>
        public async Task<int> LoadAsync(ParquetReader reader, int index)
        {
            using var rg = reader.OpenRowGroupReader(index);
            int rows = checked((int)rg.RowCount);
            foreach (var c in _columns)
            {
                // Columns are found by name in the file's schema (a reader may want only some of them).
                DataField? field = null;
                try { field = reader.Schema.FindDataField(c.Field.Name); } catch (ParquetException) { }
                catch (ArgumentException) { }
                if (field == null || field.ClrType != c.Field.ClrType)
                    throw new System.IO.InvalidDataException($"the column '{c.Field.Name}' ({c.Field.ClrType.Name}) is missing or of another type.");
                await c.ReadAsync(rg, field, rows).ConfigureAwait(false);
            }
            return rows;
        }
    }
}
