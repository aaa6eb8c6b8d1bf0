using System;
using System.Buffers;
using System.Diagnostics;
using System.Linq;
using XtalPS.Formats;
using XtalPS.Pictures;
using XtalPS.Spots;

namespace XtalPS.Benchmarks
{
    /// <summary>
    /// `pictures [PASSES]`: a stopwatch breakdown of drawing a CSPAD image with 1,000 spots (the scene of
    /// <see cref="PictureBenchmarks"/>): assembling the panels, the intensity scale, building the plot, rendering it
    /// to a bitmap and encoding PNG; medians over the passes, after one warm-up pass.
    /// </summary>
    public static class PictureProfile
    {
        public static int Run(string[] args)
        {
            int passes = args.Length > 1 ? int.Parse(args[1]) : 20;
            var bench = new PictureBenchmarks();
            bench.Setup();
            var scene = bench.Scene;
            var settings = new DiffractionPictureSettings();
            var image = scene.ResolveImage();
            var projection = new DetectorProjection(image.Detector, image.Beam);
            var built0 = DiffractionPictureBuilder.Build(scene, settings);
            var frame = built0.Frame;
            int n = frame.Width * frame.Height;
            var values = new float[n];
            var state = new byte[n];
            var bare = new DiffractionPictureSettings { Overlays = PictureOverlay.None };
            var noAxes = new DiffractionPictureSettings { Axes = false };
            const int Rows = 8;
            var t = new double[Rows][];
            for (int k = 0; k < Rows; k++) t[k] = new double[passes];
            var cpuAssemble = new double[passes];
            var proc = Process.GetCurrentProcess();
            for (int pass = -1; pass < passes; pass++)
            {
                var cpu0 = proc.TotalProcessorTime;
                ImageRaster.Assemble(image, projection, frame, values, state);
                proc.Refresh();
                if (pass >= 0) cpuAssemble[pass] = (proc.TotalProcessorTime - cpu0).TotalMilliseconds;
                var sw = Stopwatch.StartNew();
                ImageRaster.Assemble(image, projection, frame, values, state);
                double a = sw.Elapsed.TotalMilliseconds;
                IntensityScale.From(values, state, n, settings.Scaling, settings.Brightness);
                double b = sw.Elapsed.TotalMilliseconds;
                var built = DiffractionPictureBuilder.Build(scene, settings);
                double c = sw.Elapsed.TotalMilliseconds;
                built.Plot.RenderInMemory(built.Width, built.Height);
                double d = sw.Elapsed.TotalMilliseconds;
                PictureRenderer.DrawImage(scene, settings, PictureFormat.Png);
                double e = sw.Elapsed.TotalMilliseconds;
                var bp = DiffractionPictureBuilder.Build(scene, bare);
                sw.Restart();
                bp.Plot.RenderInMemory(bp.Width, bp.Height);
                double f = sw.Elapsed.TotalMilliseconds;
                var ap = DiffractionPictureBuilder.Build(scene, noAxes);
                sw.Restart();
                ap.Plot.RenderInMemory(ap.Width, ap.Height);
                double g = sw.Elapsed.TotalMilliseconds;
                var bare2 = DiffractionPictureBuilder.Build(scene, new DiffractionPictureSettings { Overlays = PictureOverlay.None, Axes = false });
                sw.Restart();
                bare2.Plot.RenderInMemory(bare2.Width, bare2.Height);
                double h = sw.Elapsed.TotalMilliseconds;
                if (pass < 0) continue;
                t[0][pass] = a; t[1][pass] = b - a; t[2][pass] = c - b; t[3][pass] = d - c; t[4][pass] = e - d;
                t[5][pass] = f; t[6][pass] = g; t[7][pass] = h;
            }
            string[] names = { "assemble panels", "intensity scale", "Build (all, incl. raster)", "render bitmap", "whole PNG",
                "render: no overlays", "render: no axes", "render: neither" };
            for (int k = 0; k < Rows; k++)
            {
                Array.Sort(t[k]);
                Console.WriteLine($"{names[k],-28} {t[k][passes / 2],8:F1} ms  (min {t[k][0]:F1})");
            }
            foreach (PictureOverlay only in new[] { PictureOverlay.Spots, PictureOverlay.ResolutionRings, PictureOverlay.IceRings, PictureOverlay.PanelOutlines, PictureOverlay.PanelNames, PictureOverlay.BeamCentre })
            {
                var one = new DiffractionPictureSettings { Overlays = only, Axes = false };
                var times = new double[passes];
                for (int pass = -1; pass < passes; pass++)
                {
                    var built = DiffractionPictureBuilder.Build(scene, one);
                    var sw = Stopwatch.StartNew();
                    built.Plot.RenderInMemory(built.Width, built.Height);
                    if (pass >= 0) times[pass] = sw.Elapsed.TotalMilliseconds;
                }
                Array.Sort(times);
                Console.WriteLine($"{"render only " + only,-28} {times[passes / 2],8:F1} ms  (min {times[0]:F1})");
            }
            {
                var full = DiffractionPictureBuilder.Build(scene, settings);
                using var surface = SkiaSharp.SKSurface.Create(new SkiaSharp.SKImageInfo(full.Width, full.Height, SkiaSharp.SKColorType.Rgba8888, SkiaSharp.SKAlphaType.Premul));
                full.Plot.Render(surface!);
                using var snapshot = surface.Snapshot();
                using var pixmap = snapshot.PeekPixels();
                foreach (var (filter, level) in new[] { (SkiaSharp.SKPngEncoderFilterFlags.AllFilters, 4), (SkiaSharp.SKPngEncoderFilterFlags.AllFilters, 1),
                    (SkiaSharp.SKPngEncoderFilterFlags.Sub, 4), (SkiaSharp.SKPngEncoderFilterFlags.Sub, 1), (SkiaSharp.SKPngEncoderFilterFlags.Up, 1),
                    (SkiaSharp.SKPngEncoderFilterFlags.Paeth, 1), (SkiaSharp.SKPngEncoderFilterFlags.NoFilters, 1), (SkiaSharp.SKPngEncoderFilterFlags.Sub | SkiaSharp.SKPngEncoderFilterFlags.Up, 1) })
                {
                    var times = new double[passes];
                    long size = 0;
                    for (int pass = -1; pass < passes; pass++)
                    {
                        var sw = Stopwatch.StartNew();
                        using var data = pixmap!.Encode(new SkiaSharp.SKPngEncoderOptions(filter, level));
                        if (pass >= 0) times[pass] = sw.Elapsed.TotalMilliseconds;
                        size = data!.Size;
                    }
                    Array.Sort(times);
                    Console.WriteLine($"{"png " + filter + " z" + level,-28} {times[passes / 2],8:F1} ms  (min {times[0]:F1})  {size / 1024} KiB");
                }
            }
            Array.Sort(cpuAssemble);

            Console.WriteLine($"{"assemble panels, CPU",-28} {cpuAssemble[passes / 2],8:F1} ms  (min {cpuAssemble[0]:F1})");
            Console.WriteLine($"picture {built0.Width}×{built0.Height}, data {frame.Width}×{frame.Height}, {frame.Scale:F4} mm per picture pixel, detector pixel {image.Detector.Panels[0].PixelSize} mm, {image.PanelCount} panels");
            return 0;
        }
    }
}
