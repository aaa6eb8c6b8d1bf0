using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace XtalPS.Formats
{
    /// <summary>
    /// A small JSON document model and strict parser (RFC 8259) for the geometry files we read. Our own rather than
    /// System.Text.Json: the Core library then ships without extra assemblies (whose version conflicts with the ones
    /// PowerShell itself loads are a known pain in Windows PowerShell 5.1), and we control the limits on hostile
    /// input (nesting depth, size) ourselves.
    /// </summary>
    internal sealed class JsonValue
    {
        public const int MaxDepth = 64;

        public enum Kind { Null, False, True, Number, String, Array, Object }

        private JsonValue(Kind kind) { Type = kind; }

        public Kind Type { get; }
        public double Number { get; private set; }
        public string Text { get; private set; } = "";
        public List<JsonValue> Items { get; } = new List<JsonValue>();
        public List<KeyValuePair<string, JsonValue>> Members { get; } = new List<KeyValuePair<string, JsonValue>>();

        public bool IsObject => Type == Kind.Object;
        public bool IsArray => Type == Kind.Array;
        public bool IsNumber => Type == Kind.Number;
        public bool IsString => Type == Kind.String;
        public bool IsNull => Type == Kind.Null;

        /// <summary>The member named <paramref name="key"/> of an object (the last one if repeated), or null.</summary>
        public JsonValue? this[string key]
        {
            get
            {
                if (Type != Kind.Object) return null;
                for (int i = Members.Count - 1; i >= 0; i--) if (Members[i].Key == key) return Members[i].Value;
                return null;
            }
        }

        public static JsonValue Parse(string text)
        {
            var p = new Parser(text);
            p.SkipSpace();
            var v = p.ParseValue(0);
            p.SkipSpace();
            if (p.Pos != text.Length) throw p.Error("unexpected text after the JSON value");
            return v;
        }

        private sealed class Parser
        {
            private readonly string _s;
            public int Pos;
            public Parser(string s) { _s = s; }

            public FormatException Error(string what)
            {
                int line = 1;
                for (int i = 0; i < Math.Min(Pos, _s.Length); i++) if (_s[i] == '\n') line++;
                return new FormatException($"invalid JSON at line {line}: {what}");
            }

            public void SkipSpace()
            {
                while (Pos < _s.Length && (_s[Pos] == ' ' || _s[Pos] == '\t' || _s[Pos] == '\n' || _s[Pos] == '\r')) Pos++;
            }

            public JsonValue ParseValue(int depth)
            {
                if (depth > MaxDepth) throw Error($"nesting deeper than {MaxDepth} levels");
                if (Pos >= _s.Length) throw Error("the text ends where a value was expected");
                char c = _s[Pos];
                switch (c)
                {
                    case '{': return ParseObject(depth);
                    case '[': return ParseArray(depth);
                    case '"': return new JsonValue(Kind.String) { Text = ParseString() };
                    case 't': Expect("true"); return new JsonValue(Kind.True);
                    case 'f': Expect("false"); return new JsonValue(Kind.False);
                    case 'n': Expect("null"); return new JsonValue(Kind.Null);
                    // Python's json writes these for non-finite floats; DIALS files can contain them.
                    case 'N': Expect("NaN"); return new JsonValue(Kind.Number) { Number = double.NaN };
                    case 'I': Expect("Infinity"); return new JsonValue(Kind.Number) { Number = double.PositiveInfinity };
                    default:
                        if (c == '-' || (c >= '0' && c <= '9')) return ParseNumber();
                        throw Error($"unexpected character '{c}'");
                }
            }

            private void Expect(string word)
            {
                if (string.CompareOrdinal(_s, Pos, word, 0, word.Length) != 0) throw Error($"expected '{word}'");
                Pos += word.Length;
            }

            private JsonValue ParseObject(int depth)
            {
                var o = new JsonValue(Kind.Object);
                Pos++;
                SkipSpace();
                if (Pos < _s.Length && _s[Pos] == '}') { Pos++; return o; }
                while (true)
                {
                    SkipSpace();
                    if (Pos >= _s.Length || _s[Pos] != '"') throw Error("expected a quoted member name");
                    string key = ParseString();
                    SkipSpace();
                    if (Pos >= _s.Length || _s[Pos] != ':') throw Error("expected ':'");
                    Pos++;
                    SkipSpace();
                    o.Members.Add(new KeyValuePair<string, JsonValue>(key, ParseValue(depth + 1)));
                    SkipSpace();
                    if (Pos >= _s.Length) throw Error("the text ends inside an object");
                    if (_s[Pos] == ',') { Pos++; continue; }
                    if (_s[Pos] == '}') { Pos++; return o; }
                    throw Error("expected ',' or '}'");
                }
            }

            private JsonValue ParseArray(int depth)
            {
                var a = new JsonValue(Kind.Array);
                Pos++;
                SkipSpace();
                if (Pos < _s.Length && _s[Pos] == ']') { Pos++; return a; }
                while (true)
                {
                    SkipSpace();
                    a.Items.Add(ParseValue(depth + 1));
                    SkipSpace();
                    if (Pos >= _s.Length) throw Error("the text ends inside an array");
                    if (_s[Pos] == ',') { Pos++; continue; }
                    if (_s[Pos] == ']') { Pos++; return a; }
                    throw Error("expected ',' or ']'");
                }
            }

            private string ParseString()
            {
                Pos++; // opening quote
                var sb = new StringBuilder();
                while (true)
                {
                    if (Pos >= _s.Length) throw Error("the text ends inside a string");
                    char c = _s[Pos++];
                    if (c == '"') return sb.ToString();
                    if (c < 0x20) throw Error("control character inside a string");
                    if (c != '\\') { sb.Append(c); continue; }
                    if (Pos >= _s.Length) throw Error("the text ends inside an escape");
                    char e = _s[Pos++];
                    switch (e)
                    {
                        case '"': sb.Append('"'); break;
                        case '\\': sb.Append('\\'); break;
                        case '/': sb.Append('/'); break;
                        case 'b': sb.Append('\b'); break;
                        case 'f': sb.Append('\f'); break;
                        case 'n': sb.Append('\n'); break;
                        case 'r': sb.Append('\r'); break;
                        case 't': sb.Append('\t'); break;
                        case 'u':
                            if (Pos + 4 > _s.Length || !int.TryParse(_s.Substring(Pos, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code))
                                throw Error("bad \\u escape");
                            sb.Append((char)code);
                            Pos += 4;
                            break;
                        default: throw Error($"unknown escape '\\{e}'");
                    }
                }
            }

            private JsonValue ParseNumber()
            {
                int start = Pos;
                if (_s[Pos] == '-')
                {
                    Pos++;
                    if (Pos < _s.Length && _s[Pos] == 'I') { Expect("Infinity"); return new JsonValue(Kind.Number) { Number = double.NegativeInfinity }; }
                }
                while (Pos < _s.Length && "0123456789.eE+-".IndexOf(_s[Pos]) >= 0) Pos++;
                var token = _s.Substring(start, Pos - start);
                if (token.Length > 64 || !double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
                    throw Error($"'{(token.Length > 20 ? token.Substring(0, 20) + "…" : token)}' is not a number");
                return new JsonValue(Kind.Number) { Number = v };
            }
        }
    }
}
