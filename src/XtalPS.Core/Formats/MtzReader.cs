using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace XtalPS.Formats
{
    /// <summary>
    /// Reads CCP4 MTZ reflection files (the CCP4 MTZ format, Winn et al. 2011, Acta Cryst D67:235): merged and unmerged, little- and big-endian, 32- or 64-bit
    /// header offset. Every size is checked against the file length before anything is allocated.
    /// </summary>
    public static class MtzReader
    {
        private const int RecordLength = 80;

        public static MtzFile Read(string path)
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new FileNotFoundException($"Cannot find the file '{path}'.", path);
            if (info.Length > int.MaxValue) throw new InvalidImageDataException(path, "the file is larger than 2 GB, more than an MTZ reader here takes.");
            return Parse(File.ReadAllBytes(path), path);
        }

        public static MtzFile Parse(byte[] bytes, string path)
        {
            if (bytes.Length < RecordLength || bytes[0] != (byte)'M' || bytes[1] != (byte)'T' || bytes[2] != (byte)'Z' || bytes[3] != (byte)' ')
                throw new InvalidImageDataException(path, "not an MTZ file (no 'MTZ ' magic).");
            int nibble = bytes[8] >> 4;
            bool big = nibble == 1;
            if (nibble != 1 && nibble != 4) throw new InvalidImageDataException(path, $"unknown MTZ machine stamp 0x{bytes[8]:x2}{bytes[9]:x2}.");
            var file = new MtzFile { BigEndian = big };
            long headerWord = Int32(bytes, 4, big);
            if (headerWord == -1) headerWord = Int64(bytes, 12, big);
            long headerByte = 4 * (headerWord - 1);
            if (headerWord < 21 || headerByte + RecordLength > bytes.Length)
                throw new InvalidImageDataException(path, $"the header position (word {headerWord}) lies outside the file.");

            int ncol = -1, nref = -1, nbatchDeclared = 0;
            long pos = headerByte;
            var batchNumbers = new List<int>();
            var datasets = new Dictionary<int, MtzDataset>();
            MtzDataset Ds(int id)
            {
                if (!datasets.TryGetValue(id, out var d)) { d = new MtzDataset { Id = id }; datasets[id] = d; file.Datasets.Add(d); }
                return d;
            }
            bool end = false;
            while (!end && pos + RecordLength <= bytes.Length)
            {
                string rec = Record(bytes, pos); pos += RecordLength;
                string key = Keyword(rec);
                string rest = rec.Length > key.Length ? rec.Substring(key.Length).Trim() : "";
                var w = rest.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
                switch (key)
                {
                    case "VERS": break;
                    case "TITLE": file.Title = rest; break;
                    case "NCOL":
                        if (w.Length < 2 || !int.TryParse(w[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out ncol) ||
                            !int.TryParse(w[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out nref) || ncol < 0 || nref < 0)
                            throw new InvalidImageDataException(path, $"bad NCOL record '{rec.TrimEnd()}'.");
                        if (w.Length > 2) int.TryParse(w[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out nbatchDeclared);
                        break;
                    case "CELL": file.Cell = Numbers(w, 6); break;
                    case "SORT": { var s = Numbers(w, 5); for (int i = 0; i < 5; i++) file.SortOrder[i] = (int)s[i]; break; }
                    case "SYMINF": ParseSyminf(rest, file); break;
                    case "SYMM": file.SymmetryOperators.Add(rest); break;
                    case "RESO": { var r = Numbers(w, 2); file.MinReciprocalResolution = r[0]; file.MaxReciprocalResolution = r[1]; break; }
                    case "VALM":
                        file.MissingValue = w.Length > 0 && !w[0].StartsWith("NAN", StringComparison.OrdinalIgnoreCase) &&
                            float.TryParse(w[0], NumberStyles.Float, CultureInfo.InvariantCulture, out float vm) ? vm : float.NaN;
                        break;
                    case "COLUMN":
                        if (w.Length < 2 || w[1].Length != 1) throw new InvalidImageDataException(path, $"bad COLUMN record '{rec.TrimEnd()}'.");
                        if (file.Columns.Count >= Math.Max(0, ncol)) throw new InvalidImageDataException(path, "more COLUMN records than NCOL declares.");
                        var col = new MtzColumn(w[0], w[1][0], w.Length > 4 && int.TryParse(w[4], NumberStyles.Integer, CultureInfo.InvariantCulture, out int dsid) ? dsid : 0);
                        if (w.Length > 3) { col.Min = Num(w[2]); col.Max = Num(w[3]); }
                        file.Columns.Add(col);
                        break;
                    case "PROJECT": if (w.Length > 0 && int.TryParse(w[0], out int pid)) Ds(pid).Project = Tail(rest, 1); break;
                    case "CRYSTAL": if (w.Length > 0 && int.TryParse(w[0], out int cid)) Ds(cid).Crystal = Tail(rest, 1); break;
                    case "DATASET": if (w.Length > 0 && int.TryParse(w[0], out int did)) Ds(did).Dataset = Tail(rest, 1); break;
                    case "DCELL": if (w.Length >= 7 && int.TryParse(w[0], out int eid)) { var c = new string[6]; Array.Copy(w, 1, c, 0, 6); Ds(eid).Cell = Numbers(c, 6); } break;
                    case "DWAVEL": if (w.Length >= 2 && int.TryParse(w[0], out int fid)) Ds(fid).Wavelength = Num(w[1]); break;
                    case "BATCH":
                        foreach (var s in w)
                            if (int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int bn) && batchNumbers.Count < 10_000_000) batchNumbers.Add(bn);
                        break;
                    case "END": end = true; break;
                }
            }
            if (ncol < 0) throw new InvalidImageDataException(path, "the header has no NCOL record.");
            if (file.Columns.Count != ncol) throw new InvalidImageDataException(path, $"NCOL says {ncol} columns but {file.Columns.Count} COLUMN records follow.");
            long values = (long)ncol * nref;
            if (80 + 4 * values > headerByte) throw new InvalidImageDataException(path, $"{nref} reflections × {ncol} columns do not fit before the header.");

            // History, then the batch headers of unmerged files.
            while (pos + RecordLength <= bytes.Length)
            {
                string rec = Record(bytes, pos);
                string key = Keyword(rec);
                if (key == "MTZHIST")
                {
                    pos += RecordLength;
                    int n = int.TryParse(rec.Substring(7).Trim(), out int h) ? h : 0;
                    for (int i = 0; i < n && pos + RecordLength <= bytes.Length; i++) { file.History.Add(Record(bytes, pos).TrimEnd()); pos += RecordLength; }
                }
                else if (key == "MTZBATS") { pos += RecordLength; ReadBatches(bytes, ref pos, big, file, path); }
                else break;
            }
            if (nbatchDeclared > 0 && file.Batches.Count == 0 && batchNumbers.Count > 0)
                foreach (var bn in batchNumbers) file.Batches.Add(MtzBatch.Create(bn)); // numbers without binary headers

            file.ReflectionCount = nref;
            var data = new float[values];
            for (long i = 0; i < values; i++)
            {
                int o = (int)(80 + 4 * i);
                int raw = big ? BinaryPrimitives.ReadInt32BigEndian(new ReadOnlySpan<byte>(bytes, o, 4)) : BinaryPrimitives.ReadInt32LittleEndian(new ReadOnlySpan<byte>(bytes, o, 4));
                data[i] = Int32BitsToSingle(raw);
            }
            file.Data = data;
            return file;
        }

        private static void ReadBatches(byte[] bytes, ref long pos, bool big, MtzFile file, string path)
        {
            while (pos + RecordLength <= bytes.Length)
            {
                string rec = Record(bytes, pos);
                string key = Keyword(rec);
                if (key != "BH") return;
                pos += RecordLength;
                var w = rec.Substring(2).Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
                if (w.Length < 4 || !int.TryParse(w[0], out int number) || !int.TryParse(w[1], out int nwords) ||
                    !int.TryParse(w[2], out int nint) || !int.TryParse(w[3], out int nreal) || nwords < 0 || nint < 0 || nreal < 0 || nint + nreal != nwords)
                    throw new InvalidImageDataException(path, $"bad batch header record '{rec.TrimEnd()}'.");
                if (pos + RecordLength + 4L * nwords + RecordLength > bytes.Length) throw new InvalidImageDataException(path, $"batch {number}'s header runs past the end of the file.");
                var batch = MtzBatch.Create(number);
                string title = Record(bytes, pos); pos += RecordLength;
                batch.Title = title.StartsWith("TITLE", StringComparison.Ordinal) ? title.Substring(5).Trim() : title.Trim();
                for (int i = 0; i < nwords; i++)
                {
                    int raw = big ? BinaryPrimitives.ReadInt32BigEndian(new ReadOnlySpan<byte>(bytes, (int)pos, 4)) : BinaryPrimitives.ReadInt32LittleEndian(new ReadOnlySpan<byte>(bytes, (int)pos, 4));
                    pos += 4;
                    if (i < nint) { if (i < MtzBatch.IntWords) batch.Ints[i] = raw; }
                    else if (i - nint < MtzBatch.RealWords) batch.Floats[i - nint] = Int32BitsToSingle(raw);
                }
                string axes = Record(bytes, pos);
                if (axes.StartsWith("BHCH", StringComparison.Ordinal))
                {
                    pos += RecordLength;
                    var a = axes.Substring(4).Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
                    batch.Axes = new[] { a.Length > 0 ? a[0] : "", a.Length > 1 ? a[1] : "", a.Length > 2 ? a[2] : "" };
                }
                file.Batches.Add(batch);
            }
        }

        private static void ParseSyminf(string rest, MtzFile file)
        {
            // nsym nprim latt sgnum 'name' PGname
            int q1 = rest.IndexOf('\''), q2 = q1 >= 0 ? rest.IndexOf('\'', q1 + 1) : -1;
            var head = (q1 >= 0 ? rest.Substring(0, q1) : rest).Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
            if (head.Length >= 3 && head[2].Length == 1) file.LatticeType = head[2][0];
            if (head.Length >= 4 && int.TryParse(head[3], out int n)) file.SpaceGroupNumber = n;
            if (q2 > q1) file.SpaceGroupName = rest.Substring(q1 + 1, q2 - q1 - 1);
            if (q2 >= 0 && q2 + 1 < rest.Length) file.PointGroupName = rest.Substring(q2 + 1).Trim();
        }

        private static string Record(byte[] b, long pos) => Encoding.ASCII.GetString(b, (int)pos, RecordLength);

        private static string Keyword(string rec)
        {
            int i = 0;
            while (i < rec.Length && rec[i] != ' ') i++;
            return rec.Substring(0, i).ToUpperInvariant();
        }

        private static string Tail(string s, int skipWords)
        {
            s = s.Trim();
            for (int k = 0; k < skipWords; k++)
            {
                int i = s.IndexOf(' ');
                if (i < 0) return "";
                s = s.Substring(i).TrimStart();
            }
            return s.Trim();
        }

        private static double Num(string s) =>
            double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v :
            s.StartsWith("nan", StringComparison.OrdinalIgnoreCase) ? double.NaN : double.NaN;

        private static double[] Numbers(string[] w, int n)
        {
            var r = new double[n];
            for (int i = 0; i < n; i++) r[i] = i < w.Length ? Num(w[i]) : double.NaN;
            return r;
        }

        private static int Int32(byte[] b, int o, bool big) => big ? BinaryPrimitives.ReadInt32BigEndian(new ReadOnlySpan<byte>(b, o, 4)) : BinaryPrimitives.ReadInt32LittleEndian(new ReadOnlySpan<byte>(b, o, 4));
        private static long Int64(byte[] b, int o, bool big) => big ? BinaryPrimitives.ReadInt64BigEndian(new ReadOnlySpan<byte>(b, o, 8)) : BinaryPrimitives.ReadInt64LittleEndian(new ReadOnlySpan<byte>(b, o, 8));

        internal static unsafe float Int32BitsToSingle(int v) => *(float*)&v;
        internal static unsafe int SingleToInt32Bits(float v) => *(int*)&v;
    }
}
