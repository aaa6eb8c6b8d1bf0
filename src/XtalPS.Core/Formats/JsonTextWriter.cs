using System;
using System.Globalization;
using System.Text;

namespace XtalPS.Formats
{
    /// <summary>A minimal indented JSON writer (objects, arrays, strings, round-trip doubles) for the files we write.</summary>
    internal sealed class JsonTextWriter
    {
        private readonly StringBuilder _sb = new StringBuilder();
        private int _depth;
        private bool _needComma;
        private bool _afterName;

        public void BeginObject() { Prefix(); _sb.Append('{'); _depth++; _needComma = false; }
        public void EndObject() { _depth--; NewLine(); _sb.Append('}'); _needComma = true; }
        public void BeginArray() { Prefix(); _sb.Append('['); _depth++; _needComma = false; }
        public void EndArray() { _depth--; NewLine(); _sb.Append(']'); _needComma = true; }

        public void Name(string name)
        {
            Prefix();
            AppendString(name);
            _sb.Append(": ");
            _afterName = true;
        }

        public void String(string value) { Prefix(); AppendString(value); _needComma = true; }
        public void Null() { Prefix(); _sb.Append("null"); _needComma = true; }
        public void Bool(bool value) { Prefix(); _sb.Append(value ? "true" : "false"); _needComma = true; }
        public void Number(long value) { Prefix(); _sb.Append(value.ToString(CultureInfo.InvariantCulture)); _needComma = true; }

        /// <summary>A finite double with round-trip precision; infinities become ±1.7976931348623157e308 (JSON has none).</summary>
        public void Number(double value)
        {
            if (double.IsNaN(value)) throw new ArgumentException("JSON cannot hold NaN.");
            if (double.IsPositiveInfinity(value)) value = double.MaxValue;
            if (double.IsNegativeInfinity(value)) value = double.MinValue;
            Prefix();
            var text = value.ToString("R", CultureInfo.InvariantCulture);
            if (text.IndexOf('.') < 0 && text.IndexOf('E') < 0) text += ".0";
            _sb.Append(text);
            _needComma = true;
        }

        /// <summary>A short array of numbers on one line.</summary>
        public void Numbers(params double[] values)
        {
            Prefix();
            _sb.Append('[');
            for (int i = 0; i < values.Length; i++)
            {
                if (i > 0) _sb.Append(", ");
                var v = values[i];
                if (double.IsPositiveInfinity(v)) v = double.MaxValue;
                if (double.IsNegativeInfinity(v)) v = double.MinValue;
                var text = v.ToString("R", CultureInfo.InvariantCulture);
                if (text.IndexOf('.') < 0 && text.IndexOf('E') < 0) text += ".0";
                _sb.Append(text);
            }
            _sb.Append(']');
            _needComma = true;
        }

        public void Integers(params long[] values)
        {
            Prefix();
            _sb.Append('[');
            for (int i = 0; i < values.Length; i++)
            {
                if (i > 0) _sb.Append(", ");
                _sb.Append(values[i].ToString(CultureInfo.InvariantCulture));
            }
            _sb.Append(']');
            _needComma = true;
        }

        public override string ToString() => _sb.ToString() + "\n";

        private void Prefix()
        {
            if (_afterName) { _afterName = false; return; }
            if (_needComma) _sb.Append(',');
            if (_sb.Length > 0) NewLine();
        }

        private void NewLine()
        {
            _sb.Append('\n');
            _sb.Append(' ', 2 * _depth);
        }

        private void AppendString(string s)
        {
            _sb.Append('"');
            foreach (char c in s ?? "")
            {
                switch (c)
                {
                    case '"': _sb.Append("\\\""); break;
                    case '\\': _sb.Append("\\\\"); break;
                    case '\n': _sb.Append("\\n"); break;
                    case '\r': _sb.Append("\\r"); break;
                    case '\t': _sb.Append("\\t"); break;
                    default:
                        if (c < 0x20) _sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        else _sb.Append(c);
                        break;
                }
            }
            _sb.Append('"');
        }
    }
}
