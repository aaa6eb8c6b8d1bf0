using System;
using System.Collections.Generic;

namespace XtalPS.Formats
{
    /// <summary>
    /// One column of a DIALS reflection table as the file stores it: its name, its C++ element type name and the
    /// values. Fixed-size types keep their little-endian bytes exactly as read (so a table read and written again is
    /// the same file); <c>std::string</c> columns keep their strings; any other type (shoeboxes, …) keeps its
    /// MessagePack encoding untouched.
    /// </summary>
    public sealed class DialsColumn
    {
        /// <summary>The element types DIALS stores as one binary blob, with their size in bytes.</summary>
        public static readonly IReadOnlyDictionary<string, int> FixedSizes = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            ["bool"] = 1, ["int"] = 4, ["std::size_t"] = 8, ["double"] = 8, ["vec2<double>"] = 16, ["vec3<double>"] = 24,
            ["mat3<double>"] = 72, ["int6"] = 24, ["cctbx::miller::index<>"] = 12,
        };

        public const string StringType = "std::string";

        private DialsColumn(string name, string type, byte[]? data, string[]? strings, byte[]? encoded)
        {
            Name = name; Type = type; Data = data; Strings = strings; Encoded = encoded;
        }

        /// <summary>A fixed-size column from its little-endian bytes (rows × element size).</summary>
        public static DialsColumn Fixed(string name, string type, byte[] data) => new DialsColumn(name, type, data, null, null);
        public static DialsColumn OfStrings(string name, string[] values) => new DialsColumn(name, StringType, null, values, null);
        /// <summary>A column of a type XtalPS does not interpret, as its MessagePack encoding (kept as read).</summary>
        public static DialsColumn Opaque(string name, string type, byte[] encoded) => new DialsColumn(name, type, null, null, encoded);

        public string Name { get; }
        /// <summary>The C++ type name DIALS writes, e.g. <c>vec3&lt;double&gt;</c>.</summary>
        public string Type { get; }
        /// <summary>Little-endian element bytes of a fixed-size column, else null.</summary>
        public byte[]? Data { get; }
        public string[]? Strings { get; }
        /// <summary>The MessagePack encoding of the column's value for types XtalPS does not interpret, else null.</summary>
        public byte[]? Encoded { get; }

        public int ElementSize => FixedSizes.TryGetValue(Type, out int n) ? n : 0;
        /// <summary>Numbers per element (3 for vec3, 6 for int6, 9 for mat3 …).</summary>
        public int Components => Type switch
        {
            "vec2<double>" => 2, "vec3<double>" => 3, "mat3<double>" => 9, "int6" => 6, "cctbx::miller::index<>" => 3, _ => 1,
        };

        /// <summary>Element count of a fixed-size or string column; −1 for an opaque one.</summary>
        public long Rows => Data != null ? Data.Length / Math.Max(1, ElementSize) : Strings != null ? Strings.Length : -1;

        /// <summary>Component <paramref name="component"/> of row <paramref name="row"/> as a double (integers widened).</summary>
        public double Get(int row, int component = 0)
        {
            if (Data == null) throw new InvalidOperationException($"The column '{Name}' ({Type}) holds no numbers.");
            int size = ElementSize, comps = Components;
            int offset = row * size + component * (size / comps);
            switch (Type)
            {
                case "bool": return Data[offset];
                case "int": case "int6": case "cctbx::miller::index<>": return ReadInt32(Data, offset);
                case "std::size_t": return ReadUInt64(Data, offset);
                default: return BitConverter.Int64BitsToDouble((long)ReadUInt64(Data, offset));
            }
        }

        private static int ReadInt32(byte[] b, int o) => b[o] | b[o + 1] << 8 | b[o + 2] << 16 | b[o + 3] << 24;
        private static ulong ReadUInt64(byte[] b, int o)
        {
            ulong v = 0;
            for (int i = 7; i >= 0; i--) v = v << 8 | b[o + i];
            return v;
        }

        /// <summary>Builds a fixed-size column from per-row values (<paramref name="rows"/> × components numbers, row-major).</summary>
        public static DialsColumn FromNumbers(string name, string type, int rows, Func<int, int, double> value)
        {
            if (!FixedSizes.TryGetValue(type, out int size)) throw new ArgumentException($"'{type}' is not a fixed-size DIALS column type.", nameof(type));
            var probe = Fixed(name, type, Array.Empty<byte>());
            int comps = probe.Components, width = size / comps;
            var data = new byte[(long)rows * size];
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < comps; c++)
                {
                    int o = r * size + c * width;
                    double v = value(r, c);
                    switch (type)
                    {
                        case "bool": data[o] = (byte)(v != 0 ? 1 : 0); break;
                        case "int": case "int6": case "cctbx::miller::index<>": WriteInt64(data, o, (long)v, 4); break;
                        case "std::size_t": WriteInt64(data, o, v < 0 ? 0 : (long)(ulong)v, 8); break;
                        default: WriteInt64(data, o, BitConverter.DoubleToInt64Bits(v), 8); break;
                    }
                }
            return Fixed(name, type, data);
        }

        private static void WriteInt64(byte[] b, int o, long v, int bytes)
        {
            for (int i = 0; i < bytes; i++) b[o + i] = (byte)(v >> (8 * i));
        }

        public override string ToString() => $"{Name} ({Type})";
    }
}
