using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using XtalPS.Formats;
using XtalPS.Imaging;
using XtalPS.Integration;
using XtalPS.Lattices;
using XtalPS.Spots;

namespace XtalPS.Benchmarks
{
    /// <summary>
    /// A quick stopwatch profile of the stills pipeline outside BenchmarkDotNet, for a machine shared with other work:
    /// <c>XtalPS.Benchmarks profile [FOLDER] [PASSES] [THREADS]</c>. Prints the first image's cost per stage (cold JIT),
    /// then the steady-state milliseconds per frame of each stage on one thread (wall and process CPU), then frames/s
    /// end to end with THREADS images in flight. Each figure is the median of the passes, so a burst of load from other
    /// processes moves it less than a mean would.
    /// </summary>
    public static class PipelineProfile
    {
        public static int Run(string[] args)
        {
            string folder = args.Length > 1 ? args[1] : Program.Data("sim/cspad");
            int passes = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5;
            int threads = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : Environment.ProcessorCount;
            var files = StillsPipeline.Files(folder);
            if (files.Length == 0) { Console.Error.WriteLine($"No .cbf files in {folder}"); return 1; }
            var bytes = files.Select(File.ReadAllBytes).ToArray();
            var pipeline = new StillsPipeline();
            Console.WriteLine(double.IsNaN(ThreadCpu.Milliseconds()) ? "stage times are wall clock" : "stage times are thread CPU time");
            Console.WriteLine($"{files.Length} files in {folder}; {passes} passes; end to end on {threads} thread(s); " +
                $"server GC {System.Runtime.GCSettings.IsServerGC}, tiered {Environment.GetEnvironmentVariable("DOTNET_TieredCompilation") ?? "default"}");

            // The first image: what a freshly started process pays (tier-0 code, first allocations).
            var first = TimeStages(pipeline, files[0], bytes[0]);
            Console.WriteLine("first image (ms):   " + Format(first));

            var perPass = new List<double[]>();
            int reflections = 0, indexed = 0;
            for (int pass = 0; pass < passes; pass++)
            {
                var sum = new double[first.Length];
                for (int i = 0; i < files.Length; i++)
                {
                    var t = TimeStages(pipeline, files[i], bytes[i], out int n, out bool ok);
                    for (int k = 0; k < t.Length; k++) sum[k] += t[k] / files.Length;
                    if (pass == 0) { reflections += n; indexed += ok ? 1 : 0; }
                }
                perPass.Add(sum);
            }
            var median = Enumerable.Range(0, first.Length).Select(k => Median(perPass.Select(p => p[k]))).ToArray();
            var best = Enumerable.Range(0, first.Length).Select(k => perPass.Min(p => p[k])).ToArray();
            Console.WriteLine("steady (ms/frame):  " + Format(median) + "   (median of the passes)");
            Console.WriteLine("steady (ms/frame):  " + Format(best) + "   (best pass: least disturbed by other processes)");
            Console.WriteLine($"  {indexed} of {files.Length} indexed, {reflections / (double)Math.Max(1, indexed):0} reflections per indexed still");

            // End to end: every frame through every stage, THREADS frames in flight, output kept in input order.
            var rates = new List<double>();
            var cpus = new List<double>();
            for (int pass = 0; pass < passes; pass++)
            {
                int frames = files.Length * Math.Max(1, 64 / files.Length);
                var proc = Process.GetCurrentProcess();
                var cpu0 = proc.TotalProcessorTime;
                var sw = Stopwatch.StartNew();
                var tables = new ReflectionTable?[frames];
                using (var mtz = new MtzWriter(Path.Combine(Path.GetTempPath(), $"xtalps-profile-{Environment.ProcessId}.mtz")))
                {
                    Parallel.For(0, frames, new ParallelOptions { MaxDegreeOfParallelism = threads }, i =>
                        tables[i] = pipeline.Run(files[i % files.Length], bytes[i % files.Length], null));
                    foreach (var t in tables) if (t != null) mtz.Add(t);
                }
                sw.Stop();
                proc.Refresh();
                rates.Add(frames / sw.Elapsed.TotalSeconds);
                cpus.Add((proc.TotalProcessorTime - cpu0).TotalMilliseconds / frames);
            }
            Console.WriteLine($"GC: {GC.CollectionCount(0)} gen0, {GC.CollectionCount(1)} gen1, {GC.CollectionCount(2)} gen2, pause {GC.GetTotalPauseDuration().TotalMilliseconds:0} ms in all");
            Console.WriteLine($"end to end: {Median(rates):0.0} frames/s on {threads} thread(s) (median of {passes}; best {rates.Max():0.0}), " +
                $"{Median(cpus):0.0} ms CPU per frame");
            return 0;
        }

        /// <summary>`fits`: how many Gaussian fits extraction runs per still and how many iterations they take.</summary>
        public static int Fits(string[] args)
        {
            var files = StillsPipeline.Files(args.Length > 1 ? args[1] : Program.Data("sim/cspad"));
            var pipeline = new StillsPipeline();
            var hist = new SortedDictionary<string, int>();
            long iters = 0, fits = 0;
            foreach (var f in files)
            {
                var image = StillsPipeline.Decode(f, File.ReadAllBytes(f));
                var lattice = pipeline.Index(pipeline.FindSpots(image));
                if (lattice == null) continue;
                var points = XtalPS.Extraction.LatticePrediction.Predict(lattice, image, null);
                var fitter = new XtalPS.Extraction.GaussianPeakFitter(9, 2);
                foreach (var pr in points)
                {
                    if (pr.Panel < 0) continue;
                    var fit = fitter.Fit(image.PanelImages[pr.Panel], pr.X, pr.Y, 1);
                    string key = fit.Status + " " + (fit.Iterations >= 50 ? "50" : fit.Iterations >= 20 ? "20-49" : fit.Iterations >= 10 ? "10-19" : "<10");
                    hist[key] = hist.TryGetValue(key, out int n) ? n + 1 : 1;
                    iters += fit.Iterations; fits++;
                }
            }
            Console.WriteLine($"{fits} fits over {files.Length} stills, {iters / (double)fits:0.0} iterations per fit");
            foreach (var kv in hist) Console.WriteLine($"  {kv.Key}: {kv.Value}");
            return 0;
        }

        /// <summary>`decode`: where the time of one imgCIF decode goes (median thread CPU ms of each step over the files, 5 passes).</summary>
        public static int DecodeSteps(string[] args)
        {
            var files = StillsPipeline.Files(args.Length > 1 ? args[1] : Program.Data("sim/cspad"));
            var bytes = files.Select(File.ReadAllBytes).ToArray();
            var steps = new[] { "sections", "text", "geometry", "payloads", "whole read" };
            var times = steps.Select(_ => new List<double>()).ToArray();
            for (int pass = 0; pass < 6; pass++)
                for (int i = 0; i < files.Length; i++)
                {
                    var sw = Stopwatch.StartNew();
                    StartLaps(sw);
                    var sections = CbfBinarySection.FindAll(files[i], bytes[i]);
                    double a = Lap(sw);
                    var text = ImgCifReader.TextWithoutPayloads(files[i], bytes[i], sections);
                    double b = Lap(sw);
                    var geometry = ImgCifReader.ReadGeometry(files[i], text, sections, ImgCifOriginConvention.Dxtbx);
                    double c = Lap(sw);
                    foreach (var s in sections) s.Decode(files[i], bytes[i]);
                    double d = Lap(sw);
                    CbfReader.Read(files[i], bytes[i]);
                    double e = Lap(sw);
                    if (pass == 0) continue;
                    times[0].Add(a); times[1].Add(b); times[2].Add(c); times[3].Add(d); times[4].Add(e);
                }
            Console.WriteLine(string.Join("  ", steps.Select((s, k) => string.Format(CultureInfo.InvariantCulture, "{0} {1:0.00}", s, Median(times[k])))) + " ms");
            Console.WriteLine($"GC: {GC.CollectionCount(0)} gen0, {GC.CollectionCount(1)} gen1, {GC.CollectionCount(2)} gen2, pause {GC.GetTotalPauseDuration().TotalMilliseconds:0} ms");
            return 0;
        }

        private static readonly string[] Stages = { "read", "decode", "spots", "index", "integrate", "mtz", "total" };

        private static double[] TimeStages(StillsPipeline p, string path, byte[] bytes) => TimeStages(p, path, bytes, out _, out _);

        private static double[] TimeStages(StillsPipeline p, string path, byte[] bytes, out int reflections, out bool indexed)
        {
            var t = new double[Stages.Length];
            var sw = Stopwatch.StartNew();
            StartLaps(sw);
            var fileBytes = File.ReadAllBytes(path);
            t[0] = Lap(sw);
            var image = StillsPipeline.Decode(path, fileBytes);
            t[1] = Lap(sw);
            var spots = p.FindSpots(image);
            t[2] = Lap(sw);
            var lattice = p.Index(spots);
            t[3] = Lap(sw);
            reflections = 0;
            indexed = lattice != null;
            if (lattice != null)
            {
                var table = p.Integrate(image, lattice);
                t[4] = Lap(sw);
                reflections = table.Count;
                using var mtz = new MtzWriter(Path.Combine(Path.GetTempPath(), $"xtalps-profile-{Environment.ProcessId}.mtz"));
                mtz.Add(table);
                t[5] = Lap(sw);
            }
            t[6] = t.Take(6).Sum();
            return t;
        }

        /// <summary>Milliseconds since the last lap: this thread's CPU time where the system tells it (Linux), else wall time.
        /// CPU time is what a stage costs however many other processes share the cores.</summary>
        private static double Lap(Stopwatch sw)
        {
            double now = ThreadCpu.Milliseconds();
            if (double.IsNaN(now))
            {
                double ms = sw.Elapsed.TotalMilliseconds;
                sw.Restart();
                return ms;
            }
            double lap = now - _last;
            _last = now;
            return lap;
        }

        [ThreadStatic] private static double _last;

        private static void StartLaps(Stopwatch sw)
        {
            _last = ThreadCpu.Milliseconds();
            sw.Restart();
        }

        private static double Median(IEnumerable<double> values)
        {
            var v = values.OrderBy(x => x).ToArray();
            return v.Length == 0 ? double.NaN : v.Length % 2 == 1 ? v[v.Length / 2] : 0.5 * (v[v.Length / 2 - 1] + v[v.Length / 2]);
        }

        private static string Format(double[] t) =>
            string.Join("  ", Stages.Select((s, k) => string.Format(CultureInfo.InvariantCulture, "{0} {1:0.0}", s, t[k])));
    }
}
