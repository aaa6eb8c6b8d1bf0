using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using XtalPS.Imaging;
using Xunit;

namespace XtalPS.Module.Tests
{
    /// <summary>
    /// Writers that refuse one output write one non-terminating error that -ErrorAction SilentlyContinue and
    /// -ErrorVariable handle (and -ErrorAction Stop turns into a stop), name the target and never a temporary
    /// file; a folder given as a file says so; every image format Core writes is offered by Export-DiffractionImage.
    /// </summary>
    [Collection(EngineCollection.Name)]
    public sealed class WriterErrorTests : IDisposable
    {
        private readonly EngineFixture _e;
        private readonly string _dir;

        public WriterErrorTests(EngineFixture e)
        {
            _e = e;
            _dir = Directory.CreateTempSubdirectory("xtalps_writers_").FullName;
        }

        public void Dispose() => Directory.Delete(_dir, true);

        private const string Tables = "$t = New-SimulatedImage -Width 96 -Height 96 -A 16,1 -B -1,16 -Seed 3 | Get-Lattice -Planar | Invoke-PeakIntegration; ";
        private const string Image = "$i = New-SimulatedImage -Width 64 -Height 48 -A 12,0 -B 0,12 -Seed 4; ";

        /// <summary>Runs the writer with -ErrorAction SilentlyContinue -ErrorVariable: nothing reaches the error stream,
        /// the variable holds exactly one record, and the script goes on to its last line.</summary>
        private ErrorRecord RefusedQuietly(string setup, string writer, params object[] args)
        {
            var output = _e.Invoke(setup + writer + " -ErrorAction SilentlyContinue -ErrorVariable refused; 'went on'; $refused", out var errors, args);
            Assert.Empty(errors);
            Assert.Equal("went on", output[0].BaseObject);
            var record = (ErrorRecord)Assert.Single(output.Skip(1)).BaseObject;
            Assert.DoesNotContain(".tmp", record.ToString());
            Assert.DoesNotContain("xtalps-", record.ToString());
            return record;
        }

        [Fact]
        public void Export_ReflectionTable_refusals_are_non_terminating()
        {
            string mtz = Path.Combine(_dir, "run.mtz");
            File.WriteAllText(mtz, "someone else's file");
            Assert.StartsWith("FileExists,", RefusedQuietly(Tables, "$t | Export-ReflectionTable -Path $args[0]", mtz).FullyQualifiedErrorId);
            Assert.Equal("someone else's file", File.ReadAllText(mtz));
            Assert.StartsWith("UnknownReflectionFormat,", RefusedQuietly(Tables, "$t | Export-ReflectionTable -Path $args[0]", Path.Combine(_dir, "run.xyz")).FullyQualifiedErrorId);
            Assert.StartsWith("FolderNotFound,", RefusedQuietly(Tables, "$t | Export-ReflectionTable -Path $args[0]", Path.Combine(mtz, "inside.mtz")).FullyQualifiedErrorId);
            // An unwritable place (even for root): the system's refusal, with the target's name.
            var denied = RefusedQuietly(Tables, "$t | Export-ReflectionTable -Path $args[0]", "/proc/xtalps_denied.mtz");
            Assert.StartsWith("FileWriteError,", denied.FullyQualifiedErrorId);
            Assert.Contains("xtalps_denied.mtz", denied.ToString());
            // -ErrorAction Stop still stops.
            Assert.ThrowsAny<RuntimeException>(() => _e.Invoke(Tables + "$t | Export-ReflectionTable -Path $args[0] -ErrorAction Stop", out _, mtz));
            Assert.Equal(new[] { "run.mtz" }, Directory.GetFiles(_dir).Select(Path.GetFileName));
        }

        [Fact]
        public void Export_DiffractionImage_refusals_are_non_terminating_and_a_folder_is_named_as_one()
        {
            string cbf = Path.Combine(_dir, "frame.cbf");
            File.WriteAllText(cbf, "keep");
            Assert.StartsWith("FileExists,", RefusedQuietly(Image, "$i | Export-DiffractionImage -Path $args[0]", cbf).FullyQualifiedErrorId);
            Assert.StartsWith("UnknownImageFormat,", RefusedQuietly(Image, "$i | Export-DiffractionImage -Path $args[0]", Path.Combine(_dir, "frame.img")).FullyQualifiedErrorId);
            string folder = Path.Combine(_dir, "looks_like_a_file.cbf");
            Directory.CreateDirectory(folder);
            var isFolder = RefusedQuietly(Image, "$i | Export-DiffractionImage -Path $args[0]", folder);
            Assert.StartsWith("PathIsDirectory,", isFolder.FullyQualifiedErrorId);
            Assert.Contains("is a directory", isFolder.ToString());
            Assert.StartsWith("FileWriteError,", RefusedQuietly(Image, "$i | Export-DiffractionImage -Path $args[0]", "/proc/xtalps_denied.cbf").FullyQualifiedErrorId);
            Assert.Equal("keep", File.ReadAllText(cbf));
        }

        [Fact]
        public void Export_DetectorModel_refuses_a_folder_and_an_existing_file_without_stopping()
        {
            string folder = Path.Combine(_dir, "model.expt");
            Directory.CreateDirectory(folder);
            Assert.StartsWith("PathIsDirectory,", RefusedQuietly(Image, "$i.Detector | Export-DetectorModel -Path $args[0]", folder).FullyQualifiedErrorId);
        }

        [Fact]
        public void A_folder_given_to_a_reader_is_named_as_a_folder()
        {
            foreach (var reader in new[] { "Import-DiffractionImage", "Import-ReflectionTable", "Import-DetectorModel" })
            {
                _e.Invoke(reader + " -LiteralPath $args[0]", out var errors, _dir);
                var error = Assert.Single(errors);
                Assert.StartsWith("PathIsDirectory,", error.FullyQualifiedErrorId);
                Assert.Contains("is a directory", error.ToString());
                _e.Invoke(reader + " -Path $args[0]", out errors, _dir);
                Assert.StartsWith("PathIsDirectory,", Assert.Single(errors).FullyQualifiedErrorId);
            }
        }

        [Theory]
        [InlineData("frame.cbf", "miniCBF")]
        [InlineData("frame.tif", "TIFF")]
        [InlineData("frame.mrc", "MRC")]
        [InlineData("frame_imgcif.cbf", "imgCIF")]
        public void Export_DiffractionImage_writes_every_format_Core_writes_and_the_pixels_come_back(string name, string format)
        {
            string path = Path.Combine(_dir, name);
            string formatArgument = format == "imgCIF" ? " -Format ImgCif" : "";
            var file = (FileInfo)_e.InvokeOk(Image + "$i | Export-DiffractionImage -Path $args[0] -PassThru" + formatArgument, path).Single().BaseObject;
            Assert.True(file.Length > 0);
            var sent = (DiffractionImage)_e.InvokeOk(Image + "$i").Single().BaseObject;
            var back = (DiffractionImage)_e.InvokeOk("Import-DiffractionImage -LiteralPath $args[0]", path).Single().BaseObject;
            Assert.Equal(sent.PanelImages[0].Pixels, back.PanelImages[0].Pixels);
            Assert.Equal(new[] { name }, Directory.GetFiles(_dir).Select(Path.GetFileName));
            if (format == "imgCIF") Assert.Contains("_axis", File.ReadAllText(path));
        }

        [Fact]
        public void What_a_killed_writer_left_is_gone_after_the_next_export_to_the_folder()
        {
            // A process killed mid-write: a hidden temporary file of our naming whose process is gone.
            string dead;
            using (var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("dotnet", "--version") { RedirectStandardOutput = true })!)
            {
                p.WaitForExit();
                dead = p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            string left = System.Text.RegularExpressions.Regex.Replace(XtalPS.Formats.AtomicFile.ScratchName(Path.Combine(_dir, "run7_int.mtz"), "tmp"), @"xtalps-\d+-", $"xtalps-{dead}-");
            File.WriteAllBytes(left, new byte[4096]);
            _e.InvokeOk(Image + "$i | Export-DiffractionImage -Path $args[0]", Path.Combine(_dir, "next.cbf"));
            Assert.Equal(new[] { "next.cbf" }, Directory.GetFiles(_dir).Select(Path.GetFileName));
        }
    }
}
