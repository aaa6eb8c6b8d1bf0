using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace XtalPS.Formats
{
    /// <summary>
    /// One category of a CIF data block as a table: item names (columns) and rows of raw values. Single
    /// <c>_category.item value</c> pairs and <c>loop_</c> tables of the same category both end up here.
    /// </summary>
    public sealed class CifTable
    {
        private readonly List<string> _columns = new List<string>();
        private readonly Dictionary<string, int> _index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        private readonly List<string?[]> _rows = new List<string?[]>();

        public CifTable(string category) { Category = category; }

        /// <summary>Category name without the leading underscore, lower case (e.g. <c>axis</c>).</summary>
        public string Category { get; }
        public IReadOnlyList<string> Columns => _columns;
        public int RowCount => _rows.Count;

        public bool HasColumn(string item) => _index.ContainsKey(item);

        /// <summary>The raw value (quotes removed) at a row and item, or null when absent, '.' or '?'.</summary>
        public string? Get(int row, string item)
        {
            if (!_index.TryGetValue(item, out int c)) return null;
            var r = _rows[row];
            if (c >= r.Length) return null;
            var v = r[c];
            return v == null || v == "." || v == "?" ? null : v;
        }

        /// <summary>A number at a row and item; <paramref name="fallback"/> when absent or unknown.
        /// Throws <see cref="FormatException"/> when the value is present but not a finite number.</summary>
        public double GetDouble(int row, string item, double fallback)
        {
            var s = Get(row, item);
            if (s == null) return fallback;
            // CIF numbers may carry a standard uncertainty in brackets: 1.2345(6).
            int b = s.IndexOf('(');
            if (b > 0) s = s.Substring(0, b);
            if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) || double.IsNaN(d) || double.IsInfinity(d))
                throw new FormatException($"_{Category}.{item} is '{s}', not a number.");
            return d;
        }

        /// <summary>Rows whose <paramref name="item"/> equals <paramref name="value"/> (case-insensitive, as CIF ids are).</summary>
        public IEnumerable<int> RowsWhere(string item, string value)
        {
            for (int r = 0; r < _rows.Count; r++)
                if (string.Equals(Get(r, item), value, StringComparison.OrdinalIgnoreCase)) yield return r;
        }

        internal int ColumnIndex(string item)
        {
            if (_index.TryGetValue(item, out int c)) return c;
            _index[item] = _columns.Count;
            _columns.Add(item);
            return _columns.Count - 1;
        }

        internal void AddRow(string?[] values) => _rows.Add(values);

        /// <summary>Sets an item of the one-row form; starts a new row when that item is already set in the last.</summary>
        internal void SetSingle(string item, string value)
        {
            int c = ColumnIndex(item);
            if (_rows.Count == 0 || (c < _rows[_rows.Count - 1].Length && _rows[_rows.Count - 1][c] != null)) _rows.Add(new string?[0]);
            var last = _rows[_rows.Count - 1];
            if (c >= last.Length)
            {
                Array.Resize(ref last, _columns.Count);
                _rows[_rows.Count - 1] = last;
            }
            last[c] = value;
        }

        public override string ToString() => $"_{Category}: {_columns.Count} items, {_rows.Count} rows";
    }

    /// <summary>A CIF data block: its name and its categories.</summary>
    public sealed class CifBlock
    {
        private readonly Dictionary<string, CifTable> _tables = new Dictionary<string, CifTable>(StringComparer.OrdinalIgnoreCase);

        public CifBlock(string name) { Name = name; }

        public string Name { get; }
        public IEnumerable<CifTable> Tables => _tables.Values;

        /// <summary>The table of a category (name without the leading underscore), or null.</summary>
        public CifTable? this[string category] => _tables.TryGetValue(category, out var t) ? t : null;

        internal CifTable GetOrAdd(string category)
        {
            if (!_tables.TryGetValue(category, out var t)) _tables[category] = t = new CifTable(category);
            return t;
        }
    }

    /// <summary>
    /// A small CIF 1.1 reader for the text part of CBF/imgCIF files (Hall, Allen &amp; Brown 1991; STAR syntax):
    /// data blocks, <c>_category.item value</c> pairs, <c>loop_</c> tables, quoted strings, <c>;</c> text
    /// fields and comments. Throws <see cref="InvalidDataException"/> on malformed text.
    /// </summary>
    public static class CifText
    {
        /// <summary>Parses every data block in <paramref name="text"/>.</summary>
        public static List<CifBlock> Parse(string text)
        {
            var blocks = new List<CifBlock>();
            var tokens = new Tokenizer(text);
            CifBlock? block = null;
            string? pendingTag = null;
            while (tokens.Next(out var tok, out bool isValue))
            {
                if (pendingTag != null)
                {
                    if (!isValue) throw new InvalidDataException($"The CIF tag {pendingTag} has no value.");
                    AddSingle(block!, pendingTag, tok);
                    pendingTag = null;
                    continue;
                }
                if (!isValue && tok.StartsWith("data_", StringComparison.OrdinalIgnoreCase))
                {
                    block = new CifBlock(tok.Substring(5));
                    blocks.Add(block);
                    continue;
                }
                if (block == null) throw new InvalidDataException($"CIF text '{Clip(tok)}' appears before any data_ block.");
                if (!isValue && tok.Equals("loop_", StringComparison.OrdinalIgnoreCase))
                {
                    ReadLoop(tokens, block);
                    continue;
                }
                if (!isValue && tok.StartsWith("_", StringComparison.Ordinal)) { pendingTag = tok; continue; }
                if (!isValue && (tok.StartsWith("save_", StringComparison.OrdinalIgnoreCase) || tok.Equals("global_", StringComparison.OrdinalIgnoreCase) || tok.Equals("stop_", StringComparison.OrdinalIgnoreCase)))
                    continue;
                throw new InvalidDataException($"Unexpected CIF value '{Clip(tok)}' outside a loop.");
            }
            if (pendingTag != null) throw new InvalidDataException($"The CIF tag {pendingTag} has no value.");
            return blocks;
        }

        private static void ReadLoop(Tokenizer tokens, CifBlock block)
        {
            var tags = new List<string>();
            string? tok; bool isValue;
            while (true)
            {
                if (!tokens.Peek(out tok, out isValue)) throw new InvalidDataException("A CIF loop_ ends before its values.");
                if (isValue || !tok.StartsWith("_", StringComparison.Ordinal)) break;
                tokens.Next(out _, out _);
                tags.Add(tok);
            }
            if (tags.Count == 0) throw new InvalidDataException("A CIF loop_ has no tags.");
            string category = SplitTag(tags[0], out _);
            var table = block.GetOrAdd(category);
            var columns = new int[tags.Count];
            for (int i = 0; i < tags.Count; i++)
            {
                string cat = SplitTag(tags[i], out string item);
                if (!cat.Equals(category, StringComparison.OrdinalIgnoreCase))
                    throw new InvalidDataException($"A CIF loop mixes categories _{category} and _{cat}.");
                columns[i] = table.ColumnIndex(item);
            }
            int width = 0;
            foreach (var c in columns) width = Math.Max(width, c + 1);
            string?[]? row = null;
            int filled = 0;
            while (tokens.Peek(out tok, out isValue) && isValue)
            {
                tokens.Next(out _, out _);
                if (row == null) row = new string?[width];
                row[columns[filled++]] = tok;
                if (filled == columns.Length) { table.AddRow(row); row = null; filled = 0; }
            }
            if (filled != 0) throw new InvalidDataException($"A loop of _{category} ends in the middle of a row.");
        }

        private static void AddSingle(CifBlock block, string tag, string value)
        {
            string category = SplitTag(tag, out string item);
            block.GetOrAdd(category).SetSingle(item, value);
        }

        /// <summary>"_axis.vector[1]" → category "axis", item "vector[1]". Tags without a dot are their own category.</summary>
        private static string SplitTag(string tag, out string item)
        {
            int dot = tag.IndexOf('.');
            if (dot < 0) { item = ""; return tag.Substring(1); }
            item = tag.Substring(dot + 1);
            return tag.Substring(1, dot - 1);
        }

        private static string Clip(string s) => s.Length > 40 ? s.Substring(0, 40) + "…" : s;

        /// <summary>Splits CIF text into tags, reserved words and values (a value is anything quoted or plain that is not a tag).</summary>
        private sealed class Tokenizer
        {
            private readonly string _s;
            private int _p;
            private bool _hasPeek;
            private string _peek = "";
            private bool _peekIsValue;

            public Tokenizer(string s) { _s = s; }

            public bool Peek(out string token, out bool isValue)
            {
                if (!_hasPeek)
                {
                    if (!Read(out _peek, out _peekIsValue)) { token = ""; isValue = false; return false; }
                    _hasPeek = true;
                }
                token = _peek; isValue = _peekIsValue;
                return true;
            }

            public bool Next(out string token, out bool isValue)
            {
                if (_hasPeek) { _hasPeek = false; token = _peek; isValue = _peekIsValue; return true; }
                return Read(out token, out isValue);
            }

            private bool Read(out string token, out bool isValue)
            {
                string s = _s;
                int n = s.Length;
                while (true)
                {
                    while (_p < n && IsSpace(s[_p])) _p++;
                    if (_p >= n) { token = ""; isValue = false; return false; }
                    if (s[_p] == '#') { while (_p < n && s[_p] != '\n' && s[_p] != '\r') _p++; continue; }
                    break;
                }
                char c = s[_p];
                bool lineStart = _p == 0 || s[_p - 1] == '\n' || s[_p - 1] == '\r';
                if (c == ';' && lineStart)
                {
                    // Text field: up to the next line that starts with ';'.
                    int start = _p + 1;
                    int q = start;
                    while (true)
                    {
                        int nl = s.IndexOf('\n', q);
                        if (nl < 0) throw new InvalidDataException("A CIF text field (;…;) is not closed.");
                        if (nl + 1 < n && s[nl + 1] == ';')
                        {
                            int end = nl;
                            if (end > start && s[end - 1] == '\r') end--;
                            token = s.Substring(start, end - start);
                            _p = nl + 2;
                            isValue = true;
                            return true;
                        }
                        q = nl + 1;
                    }
                }
                if (c == '\'' || c == '"')
                {
                    // Quoted: ends at the same quote followed by white space, on the same line.
                    int lineEnd = _p + 1;
                    while (lineEnd < n && s[lineEnd] != '\n' && s[lineEnd] != '\r') lineEnd++;
                    int q = _p + 1;
                    while (true)
                    {
                        int e = q < lineEnd ? s.IndexOf(c, q, lineEnd - q) : -1;
                        if (e < 0) throw new InvalidDataException("A quoted CIF value is not closed on its line.");
                        if (e + 1 >= n || IsSpace(s[e + 1]))
                        {
                            token = s.Substring(_p + 1, e - _p - 1);
                            _p = e + 1;
                            isValue = true;
                            return true;
                        }
                        q = e + 1;
                    }
                }
                int b = _p;
                while (_p < n && !IsSpace(s[_p])) _p++;
                token = s.Substring(b, _p - b);
                isValue = !(c == '_' || token.StartsWith("data_", StringComparison.OrdinalIgnoreCase) || token.Equals("loop_", StringComparison.OrdinalIgnoreCase)
                    || token.StartsWith("save_", StringComparison.OrdinalIgnoreCase) || token.Equals("global_", StringComparison.OrdinalIgnoreCase) || token.Equals("stop_", StringComparison.OrdinalIgnoreCase));
                return true;
            }

            private static bool IsSpace(char c) => c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\0';
        }
    }
}
