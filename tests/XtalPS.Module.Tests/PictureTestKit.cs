using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using SkiaSharp;
using Xunit;

namespace XtalPS.Module.Tests
{
    /// <summary>Reading back the pictures the cmdlets write: pixels, colours, blobs of a colour.</summary>
    internal static class PictureTestKit
    {
        public static SKBitmap Load(string path)
        {
            Assert.True(File.Exists(path), $"{path} was not written");
            var bitmap = SKBitmap.Decode(path);
            Assert.NotNull(bitmap);
            return bitmap;
        }

        /// <summary>The centroid (pixel centres, px) of the pixels within <paramref name="radius"/> of a point that match a colour test.</summary>
        public static (double X, double Y, int Count) Centroid(SKBitmap bitmap, double x, double y, double radius, Func<SKColor, bool> match)
        {
            double sx = 0, sy = 0; int n = 0;
            for (int j = (int)Math.Floor(y - radius); j <= (int)Math.Ceiling(y + radius); j++)
                for (int i = (int)Math.Floor(x - radius); i <= (int)Math.Ceiling(x + radius); i++)
                {
                    if (i < 0 || j < 0 || i >= bitmap.Width || j >= bitmap.Height) continue;
                    if (!match(bitmap.GetPixel(i, j))) continue;
                    sx += i + 0.5; sy += j + 0.5; n++;
                }
            return n == 0 ? (double.NaN, double.NaN, 0) : (sx / n, sy / n, n);
        }

        /// <summary>True for a saturated colour near <paramref name="reference"/> (the overlays are drawn in pure hues over grey pixels).</summary>
        public static Func<SKColor, bool> Near(SKColor reference, int tolerance = 60) =>
            c => Math.Abs(c.Red - reference.Red) <= tolerance && Math.Abs(c.Green - reference.Green) <= tolerance && Math.Abs(c.Blue - reference.Blue) <= tolerance
                 && Math.Max(c.Red, Math.Max(c.Green, c.Blue)) - Math.Min(c.Red, Math.Min(c.Green, c.Blue)) > 80;

        public static string TempFolder()
        {
            string dir = Path.Combine(Path.GetTempPath(), "xtalps-pictures-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            Directory.CreateDirectory(dir);
            return dir;
        }

        /// <summary>Debian's chromium, when installed.</summary>
        public static string? Chromium => new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" }.FirstOrDefault(File.Exists);

        public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

        /// <summary>Runs headless Chromium on a file with the given action flags; returns its exit code and everything it logged.</summary>
        public static (int Code, string Output, string Log) RunChromium(string file, params string[] action)
        {
            string profile = Path.Combine(Path.GetTempPath(), "xtalps-chromium-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            Directory.CreateDirectory(profile);
            try
            {
                var psi = new ProcessStartInfo(Chromium!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000" })
                    psi.ArgumentList.Add(a);
                foreach (var a in action) psi.ArgumentList.Add(a);
                psi.ArgumentList.Add(new Uri(file).AbsoluteUri);
                using var p = Process.Start(psi)!;
                var stdout = p.StandardOutput.ReadToEndAsync();
                var stderr = p.StandardError.ReadToEndAsync();
                // A generous watchdog against a hung browser, not a timing.
                if (!p.WaitForExit(180_000)) { p.Kill(true); throw new TimeoutException("chromium did not finish within 3 minutes"); }
                return (p.ExitCode, stdout.Result, stderr.Result);
            }
            finally
            {
                try { Directory.Delete(profile, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }
    }

    /// <summary>A test that needs headless Chromium: skipped with the reason when it is missing, except in CI, where it runs and fails.</summary>
    public sealed class ChromiumFactAttribute : FactAttribute
    {
        public ChromiumFactAttribute()
        {
            if (PictureTestKit.Chromium == null && !PictureTestKit.InCi)
                Skip = "chromium is not installed (apt-get install chromium); the HTML report was not opened in a browser";
        }
    }
}
