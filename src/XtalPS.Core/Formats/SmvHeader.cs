using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace XtalPS.Formats
{
    /// <summary>
    /// The ASCII header of an SMV (ADSC-style) image: <c>{</c> then lines <c>KEY=value;</c> then <c>}</c>, padded
    /// to HEADER_BYTES, after which the raw pixels start.
    /// </summary>
    public sealed class SmvHeader
    {
        /// <summary>Largest header we accept (real ones are 512 or a few KiB).</summary>
        public const int MaxHeaderBytes = 1 << 20;

        public Dictionary<string, string> Keys { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        public int HeaderBytes { get; private set; }

        /// <summary>True when the file starts like an SMV header.</summary>
        public static bool Looks(ReadOnlySpan<byte> head)
        {
            if (head.Length < 16 || head[0] != (byte)'{') return false;
            var text = Encoding.ASCII.GetString(head.Slice(0, Math.Min(head.Length, 512)).ToArray());
            return text.IndexOf("HEADER_BYTES", StringComparison.Ordinal) > 0;
        }

        public static SmvHeader Parse(string path, ReadOnlySpan<byte> file)
        {
            if (!Looks(file)) throw new InvalidImageDataException(path, "the SMV header does not start with '{' and HEADER_BYTES.");
            // Find the closing brace within the first MaxHeaderBytes; HEADER_BYTES then tells where pixels start.
            int limit = Math.Min(file.Length, MaxHeaderBytes);
            int close = file.Slice(0, limit).IndexOf((byte)'}');
            if (close < 0) throw new InvalidImageDataException(path, "the SMV header has no closing '}'.");
            var h = new SmvHeader();
            var text = Encoding.ASCII.GetString(file.Slice(1, close - 1).ToArray());
            foreach (var raw in text.Split(';', '\n', '\r'))
            {
                int eq = raw.IndexOf('=');
                if (eq <= 0) continue;
                string key = raw.Substring(0, eq).Trim();
                string value = raw.Substring(eq + 1).Trim();
                if (key.Length > 0 && !h.Keys.ContainsKey(key)) h.Keys[key] = value;
            }
            long hb = h.Long(path, "HEADER_BYTES", -1);
            if (hb <= close || hb > MaxHeaderBytes)
                throw new InvalidImageDataException(path, $"HEADER_BYTES is {hb}; it must cover the header text ({close + 1} bytes) and be at most {MaxHeaderBytes}.");
            h.HeaderBytes = (int)hb;
            return h;
        }

        public string Get(string key, string fallback = "") => Keys.TryGetValue(key, out var v) ? v : fallback;

        public bool Has(string key) => Keys.ContainsKey(key);

        public long Long(string path, string key, long fallback)
        {
            if (!Keys.TryGetValue(key, out var v)) return fallback;
            if (!long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out long r))
                throw new InvalidImageDataException(path, $"{key} is '{v}', not an integer.");
            return r;
        }

        public double Double(string path, string key, double fallback)
        {
            if (!Keys.TryGetValue(key, out var v)) return fallback;
            if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double r) || double.IsNaN(r) || double.IsInfinity(r))
                throw new InvalidImageDataException(path, $"{key} is '{v}', not a number.");
            return r;
        }
    }
}
