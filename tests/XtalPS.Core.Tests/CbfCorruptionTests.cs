using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Threading.Tasks;
using XtalPS.Formats;
using Xunit;
using Xunit.Abstractions;

namespace XtalPS.Core.Tests
{
    /// <summary>
    /// Hostile-file test: every CBF sample mutated thousands of times in total (truncations, bit flips in the
    /// text and in the payloads, lying sizes and dimensions, billion-element claims). A read may succeed or fail
    /// with InvalidImageDataException / InvalidDataException; nothing else, no hang, and no allocation beyond
    /// 40× the file size + 64 MB.
    /// </summary>
    public class CbfCorruptionTests
    {
        private readonly ITestOutputHelper _out;
        public CbfCorruptionTests(ITestOutputHelper output) { _out = output; }

        private static readonly (string File, int Cuts, int TextFlips, int PayloadFlips)[] Samples =
        {
            ("sim/cspad/cspad_00000.cbf", 150, 30, 15),
            ("real/cspad_thermolysin/idx-20130301060858601.cbf", 150, 30, 15),
            ("real/rayonix/hit-20181213155134902.cbf", 160, 30, 15),
            ("real/pilatus/l-cyst_01_00001.cbf", 160, 35, 15),
            ("real/cbf_headers/omega_scan.cbf", 350, 200, 100),
            ("real/cbf_headers/fel_test1.cbf", 300, 250, 0),
            ("sim/single1024/still_00000.cbf", 160, 40, 15),
            ("real/eiger/dlsnxs2cbf_therm_0001.cbf.gz", 40, 6, 3),
        };

        [Fact]
        public void Mutated_cbf_files_fail_only_with_invalid_data()
        {
            var rng = new Random(20240611);
            int total = 0, ok = 0, rejected = 0;
            var failures = new List<string>();
            foreach (var (file, cuts, textFlips, payloadFlips) in Samples)
            {
                var sw = System.Diagnostics.Stopwatch.StartNew();
                var original = DiffractionImageReader.ReadAllBytes(SharedData.File_(file));
                int firstMarker = original.AsSpan().IndexOf(CbfBinarySection.Marker);
                int textEnd = firstMarker < 0 ? original.Length : firstMarker;
                foreach (var (what, bytes) in Mutations(original, textEnd, cuts, textFlips, payloadFlips, rng))
                {
                    total++;
                    var outcome = TryRead(file, bytes);
                    if (outcome == null) ok++;
                    else if (outcome.Length == 0) rejected++;
                    else if (failures.Count < 20) failures.Add($"{file} [{what}]: {outcome}");
                    else failures.Add("…");
                }
                _out.WriteLine($"{file}: {sw.ElapsedMilliseconds} ms");
            }
            foreach (var kv in Messages) _out.WriteLine($"{kv.Value,5} {kv.Key}");
            _out.WriteLine($"{total} mutated files: {ok} read, {rejected} rejected as invalid data.");
            Assert.True(total > 2000, $"only {total} mutations ran");
            Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        }

        internal static readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> Messages = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        private static void Seen(string m) { var k = System.Text.RegularExpressions.Regex.Replace(m.Substring(m.IndexOf(':') + 1), @"[0-9]+", "#"); k = k.Length > 90 ? k.Substring(0, 90) : k; Messages.AddOrUpdate(k, 1, (_, c) => c + 1); }

        [Fact]
        public async Task A_header_with_tens_of_thousands_of_arrays_is_read_without_quadratic_cost()
        {
            // 20000 one-row panels: a table scan per panel would take minutes; indexed lookups take well under a second.
            var panels = new System.Collections.Generic.List<Geometry.Panel>();
            for (int i = 0; i < 20000; i++)
                panels.Add(new Geometry.Panel("P" + i, 4, 1, 0.1, new Geometry.Vec3(i * 0.5, 0, -100), Geometry.Vec3.UnitX, -Geometry.Vec3.UnitY));
            var header = ImgCifWriter.WriteHeader(new Geometry.DetectorModel("many", panels), new Geometry.Beam(1.0));
            var bytes = Encoding.ASCII.GetBytes(header);
            var task = Task.Run(() => ImgCifReader.ReadGeometry("many.cbf", bytes));
            var geometry = await task.WaitAsync(TimeSpan.FromSeconds(30)); // watchdog against a hang, not a timing
            Assert.Equal(20000, geometry.Detector.PanelCount);
            Assert.Equal(0.5 * 19999, geometry.Detector.Panels[19999].Origin.X, 9);
        }

        /// <summary>null = read fine; "" = rejected with an InvalidData exception; otherwise what went wrong.</summary>
        private static string? TryRead(string name, byte[] bytes)
        {
            long budget = 40L * bytes.Length + (64L << 20);
            var task = Task.Run(() =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                string? result;
                try { CbfReader.Read(name, bytes); result = null; }
                catch (InvalidImageDataException e) { result = ""; Seen(e.Message); }
                catch (InvalidDataException e) { result = ""; Seen(e.Message); }
                catch (Exception e) { result = $"{e.GetType().Name}: {e.Message}"; }
                long used = GC.GetAllocatedBytesForCurrentThread() - before;
                if (used > budget) result = $"allocated {used} bytes for a {bytes.Length}-byte file ({result ?? "read"})";
                return result;
            });
            // A watchdog against hangs, not a timing: an 18-Mpixel Eiger frame on a busy machine can take seconds.
            if (!task.Wait(TimeSpan.FromSeconds(60))) return "no answer within 60 s";
            return task.Result;
        }

        private static IEnumerable<(string, byte[])> Mutations(byte[] original, int textEnd, int cuts, int textFlips, int payloadFlips, Random rng)
        {
            // Truncation at many points, denser near the start where the structure is.
            for (int i = 0; i < cuts; i++)
            {
                int at = i % 2 == 0 ? rng.Next(0, Math.Max(1, Math.Min(original.Length, textEnd + 600))) : rng.Next(0, original.Length);
                yield return ($"cut at {at}", original.AsSpan(0, at).ToArray());
            }
            // Bit flips in the text (CIF header and MIME headers).
            for (int i = 0; i < textFlips; i++)
            {
                var b = (byte[])original.Clone();
                int flips = 1 + rng.Next(4);
                for (int f = 0; f < flips; f++) b[rng.Next(textEnd)] ^= (byte)(1 << rng.Next(8));
                yield return ($"text flips #{i}", b);
            }
            // Bit flips in the payloads.
            if (textEnd < original.Length)
                for (int i = 0; i < payloadFlips; i++)
                {
                    var b = (byte[])original.Clone();
                    int flips = 1 + rng.Next(8);
                    for (int f = 0; f < flips; f++) b[rng.Next(textEnd + 4, b.Length)] ^= (byte)(1 << rng.Next(8));
                    yield return ($"payload flips #{i}", b);
                }
            // Lying sizes and dimensions.
            string[] keys =
            {
                "X-Binary-Size: ", "X-Binary-Number-of-Elements: ", "X-Binary-Size-Fastest-Dimension: ",
                "X-Binary-Size-Second-Dimension: ", "X-Binary-Size-Third-Dimension: ",
            };
            string[] lies = { "0", "1", "7", "999999999", "1000000000", "4294967296", "-5", "1048576", "99999999999999999999", "abc" };
            foreach (var key in keys)
                foreach (var lie in lies)
                {
                    var b = ReplaceNumberAfter(original, key, lie, rng.Next(3));
                    if (b != null) yield return ($"{key}{lie}", b);
                }
            // A billion elements, consistently claimed.
            var billion = ReplaceNumberAfter(original, "X-Binary-Number-of-Elements: ", "1000000000", 0);
            if (billion != null)
            {
                billion = ReplaceNumberAfter(billion, "X-Binary-Size-Fastest-Dimension: ", "1000000", 0) ?? billion;
                billion = ReplaceNumberAfter(billion, "X-Binary-Size-Second-Dimension: ", "1000", 0) ?? billion;
                var third = ReplaceNumberAfter(billion, "X-Binary-Size-Third-Dimension: ", "1", 0);
                yield return ("10^9 elements", third ?? billion);
            }
            // Lying CIF dimensions in _array_structure_list rows (" increasing" follows the dimension and precedence).
            foreach (var lie in new[] { "0", "1000000", "194000", "3" })
            {
                var b = ReplaceCifDimension(original, lie);
                if (b != null) yield return ($"CIF dimension {lie}", b);
            }
        }

        /// <summary>Replaces the number after the <paramref name="skip"/>-th occurrence of <paramref name="key"/>.</summary>
        private static byte[]? ReplaceNumberAfter(byte[] bytes, string key, string value, int skip)
        {
            var k = Encoding.ASCII.GetBytes(key);
            int at = -1, from = 0;
            for (int i = 0; i <= skip; i++)
            {
                int found = bytes.AsSpan(from).IndexOf(k);
                if (found < 0) break;
                at = from + found;
                from = at + k.Length;
            }
            if (at < 0) return null;
            int start = at + k.Length, end = start;
            while (end < bytes.Length && (char.IsDigit((char)bytes[end]) || bytes[end] == '-')) end++;
            var v = Encoding.ASCII.GetBytes(value);
            var result = new byte[bytes.Length - (end - start) + v.Length];
            Array.Copy(bytes, result, start);
            Array.Copy(v, 0, result, start, v.Length);
            Array.Copy(bytes, end, result, start + v.Length, bytes.Length - end);
            return result;
        }

        private static byte[]? ReplaceCifDimension(byte[] bytes, string value)
        {
            // The first "_array_structure_list" data row: "<array> [section] 1 <dimension> 1 increasing <axis set>".
            var marker = Encoding.ASCII.GetBytes(" increasing ");
            int at = bytes.AsSpan().IndexOf(marker);
            if (at < 0) return null;
            int p = at - 1;
            while (p > 0 && char.IsDigit((char)bytes[p])) p--;          // precedence
            int dimEnd = p;
            int q = dimEnd - 1;
            while (q > 0 && char.IsDigit((char)bytes[q])) q--;
            int dimStart = q + 1;
            if (dimStart >= dimEnd) return null;
            var v = Encoding.ASCII.GetBytes(value);
            var result = new byte[bytes.Length - (dimEnd - dimStart) + v.Length];
            Array.Copy(bytes, result, dimStart);
            Array.Copy(v, 0, result, dimStart, v.Length);
            Array.Copy(bytes, dimEnd, result, dimStart + v.Length, bytes.Length - dimEnd);
            return result;
        }
    }
}
