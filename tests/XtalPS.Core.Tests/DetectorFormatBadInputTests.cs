using System;
using System.IO;
using System.Linq;
using XtalPS.Formats;
using Xunit;

namespace XtalPS.Core.Tests
{
    /// <summary>Corrupt, truncated and hostile geometry files: InvalidImageDataException naming the file, nothing else.</summary>
    public class DetectorFormatBadInputTests
    {
        private static void AssertInvalid(string name, string text, Func<string, string, object> parse, string? contains = null)
        {
            var e = Assert.Throws<InvalidImageDataException>(() => parse(name, text));
            Assert.Equal(name, e.Path);
            if (contains != null) Assert.Contains(contains, e.Message);
        }

        private static object Dials(string p, string t) => DialsExperimentJson.Parse(p, t);
        private static object Geom(string p, string t) => CrystFelGeometry.Parse(p, t);
        private static object Psana(string p, string t) => PsanaGeometry.Parse(p, t);

        private const string Panel = "{\"name\":\"P\",\"origin\":[0,0,-100],\"fast_axis\":[1,0,0],\"slow_axis\":[0,-1,0],\"pixel_size\":[0.1,0.1],\"image_size\":[10,10]}";

        [Theory]
        [InlineData("", "ends")]
        [InlineData("{\"detector\": [", "ends")]
        [InlineData("[1,2,3]", "not an object")]
        [InlineData("{\"beam\": []}", "detector")]
        [InlineData("{\"detector\": [{\"panels\": []}]}", "panels")]
        [InlineData("{\"panels\": [{\"name\":\"P\"}]}", "origin")]
        [InlineData("{\"panels\": [" + "{\"name\":\"P\",\"origin\":[0,0],\"fast_axis\":[1,0,0],\"slow_axis\":[0,-1,0],\"pixel_size\":[0.1,0.1],\"image_size\":[10,10]}" + "]}", "origin")]
        [InlineData("{\"panels\": [" + "{\"name\":\"P\",\"origin\":[0,0,NaN],\"fast_axis\":[1,0,0],\"slow_axis\":[0,-1,0],\"pixel_size\":[0.1,0.1],\"image_size\":[10,10]}" + "]}", "out of range")]
        [InlineData("{\"panels\": [" + "{\"name\":\"P\",\"origin\":[0,0,1e300],\"fast_axis\":[1,0,0],\"slow_axis\":[0,-1,0],\"pixel_size\":[0.1,0.1],\"image_size\":[10,10]}" + "]}", "out of range")]
        [InlineData("{\"panels\": [" + "{\"name\":\"P\",\"origin\":[0,0,-1],\"fast_axis\":[1,0,0],\"slow_axis\":[2,0,0],\"pixel_size\":[0.1,0.1],\"image_size\":[10,10]}" + "]}", "parallel")]
        [InlineData("{\"panels\": [" + "{\"name\":\"P\",\"origin\":[0,0,-1],\"fast_axis\":[1,0,0],\"slow_axis\":[0,1,0],\"pixel_size\":[-0.1,0.1],\"image_size\":[10,10]}" + "]}", "pixel_size")]
        [InlineData("{\"panels\": [" + "{\"name\":\"P\",\"origin\":[0,0,-1],\"fast_axis\":[1,0,0],\"slow_axis\":[0,1,0],\"pixel_size\":[0.1,0.1],\"image_size\":[2000000000,10]}" + "]}", "image_size")]
        [InlineData("{\"panels\": [" + Panel + "], \"hierarchy\": {\"origin\":[0,0,0],\"fast_axis\":[1,0,0],\"slow_axis\":[0,1,0],\"children\":[{\"panel\":3}]}}", "panel index")]
        [InlineData("{\"panels\": [" + Panel + "], \"hierarchy\": {\"origin\":[0,0,0],\"fast_axis\":[1,0,0],\"slow_axis\":[0,1,0],\"children\":[{\"panel\":0},{\"panel\":0}]}}", "twice")]
        [InlineData("{\"panels\": [" + Panel + "], \"hierarchy\": {\"origin\":[0,0,0],\"fast_axis\":[1,0,0],\"slow_axis\":[0,1,0],\"children\":[]}}", "not in the hierarchy")]
        [InlineData("{\"detector\": [{\"panels\": [" + Panel + "]}], \"beam\": [{\"direction\":[0,0,1],\"wavelength\":-1}]}", "wavelength")]
        [InlineData("{\"detector\": [{\"panels\": [" + Panel + "]}], \"experiment\": [{\"detector\": 5}]}", "detector")]
        [InlineData("{\"detector\": [{\"panels\": [" + Panel + "]}], \"crystal\": [{\"real_space_a\":[1,0,0],\"real_space_b\":[2,0,0],\"real_space_c\":[0,0,1]}]}", "coplanar")]
        public void Dials_bad_input_is_invalid_data_with_the_path(string text, string contains) =>
            AssertInvalid("bad.expt", text, Dials, contains);

        [Fact]
        public void Dials_deep_nesting_is_refused_without_stack_overflow()
        {
            var text = new string('[', 100000) + new string(']', 100000);
            AssertInvalid("deep.json", text, Dials, "nesting");
        }

        [Theory]
        [InlineData("just some text", "key = value")]
        [InlineData("res = 1000\nclen = 0.1\n", "no panels")]
        [InlineData("p/min_fs = 0\np/max_fs = 9\np/min_ss = 0\np/max_ss = 9\np/fs = x\np/ss = y\np/corner_x = 0\np/corner_y = 0\n", "res")]
        [InlineData("res = 1000\np/min_fs = 0\np/max_fs = 9\np/min_ss = 0\np/max_ss = 9\np/fs = x\np/ss = banana\np/corner_x = 0\np/corner_y = 0\n", "vector")]
        [InlineData("res = 1000\np/min_fs = 0\np/max_fs = 9\np/min_ss = 0\np/max_ss = 9\np/fs = x\np/ss = 2x\np/corner_x = 0\np/corner_y = 0\n", "parallel")]
        [InlineData("res = 1000\np/min_fs = 9\np/max_fs = 0\np/min_ss = 0\np/max_ss = 9\np/fs = x\np/ss = y\np/corner_x = 0\np/corner_y = 0\n", "window")]
        [InlineData("res = 1000\np/min_fs = 0\np/max_fs = 99999999\np/min_ss = 0\np/max_ss = 9\np/fs = x\np/ss = y\np/corner_x = 0\np/corner_y = 0\n", "window")]
        [InlineData("res = 1000\np/min_fs = 0.5\np/max_fs = 9\np/min_ss = 0\np/max_ss = 9\np/fs = x\np/ss = y\np/corner_x = 0\np/corner_y = 0\n", "whole number")]
        [InlineData("res = -5\np/min_fs = 0\np/max_fs = 9\np/min_ss = 0\np/max_ss = 9\np/fs = x\np/ss = y\np/corner_x = 0\np/corner_y = 0\n", "res")]
        [InlineData("res = 1000\np/min_fs = 0\np/max_fs = 9\np/min_ss = 0\np/max_ss = 9\np/fs = x\np/ss = y\np/corner_x = nan\np/corner_y = 0\n", "corner_x")]
        [InlineData("res = 1000\nphoton_energy = -9000\np/min_fs = 0\np/max_fs = 9\np/min_ss = 0\np/max_ss = 9\np/fs = x\np/ss = y\np/corner_x = 0\np/corner_y = 0\n", "photon_energy")]
        public void Geom_bad_input_is_invalid_data_with_the_path(string text, string contains) =>
            AssertInvalid("bad.geom", text, Geom, contains);

        [Theory]
        [InlineData("QUAD:V1 0 SENS2X1:V1 0 1 2 3", "13")]
        [InlineData("QUAD:V1 x SENS2X1:V1 0 1 2 3 0 0 0 0 0 0", "whole numbers")]
        [InlineData("QUAD:V1 0 SENS2X1:V1 0 1 2 zz 0 0 0 0 0 0", "not a number")]
        [InlineData("QUAD:V1 0 EPIX:V1 0 1 2 3 0 0 0 0 0 0", "not supported")]
        [InlineData("A 0 B 0 0 0 0 0 0 0 0 0 0\nB 0 A 0 0 0 0 0 0 0 0 0 0", "top objects")]
        [InlineData("QUAD:V1 0 SENS2X1:V1 0 1 2 3 0 0 0 0 0 0\nQUAD:V1 0 SENS2X1:V1 0 1 2 3 0 0 0 0 0 0", "twice")]
        [InlineData("# only comments\n", "no geometry rows")]
        public void Psana_bad_input_is_invalid_data_with_the_path(string text, string contains) =>
            AssertInvalid("bad.data", text, Psana, contains);

        [Theory]
        [InlineData("sim/cspad/cspad_true_detector.json")]
        [InlineData("real/dials_files/indexed.expt")]
        [InlineData("real/geometry/psgeom_cspad/refgeom_crystfel.geom")]
        [InlineData("real/crystfel/geom/jf-swissfel-16M.geom")]
        [InlineData("real/geometry/psgeom_cspad/refgeom_psana.data")]
        public void Truncated_real_files_fail_cleanly_or_read_fewer_panels(string file)
        {
            var text = File.ReadAllText(SharedData.File_(file));
            Func<string, string, object> parse = file.EndsWith(".geom") ? Geom : file.EndsWith(".data") ? Psana : Dials;
            var rng = new Random(7);
            var cuts = Enumerable.Range(0, 60).Select(_ => rng.Next(text.Length)).Concat(new[] { 0, 1, text.Length - 1 });
            foreach (var cut in cuts)
            {
                try { parse(file, text.Substring(0, cut)); }
                catch (InvalidImageDataException e) { Assert.Equal(file, e.Path); }
            }
            // Random byte damage: still only InvalidImageDataException.
            for (int k = 0; k < 40; k++)
            {
                var chars = text.ToCharArray();
                for (int n = 0; n < 5; n++) chars[rng.Next(chars.Length)] = "{}[],:\"x9-;=/ \n"[rng.Next(15)];
                try { parse(file, new string(chars)); }
                catch (InvalidImageDataException e) { Assert.Equal(file, e.Path); }
            }
        }

        [Fact]
        public void Missing_file_is_file_not_found()
        {
            Assert.Throws<FileNotFoundException>(() => DetectorModelReader.Read("/nonexistent/x.expt"));
            var dir = Directory.CreateTempSubdirectory("xtalps_geo_").FullName;
            try
            {
                var junk = Path.Combine(dir, "junk.bin");
                File.WriteAllBytes(junk, new byte[] { 0, 1, 2, 3, 0xFF });
                var e = Assert.Throws<InvalidImageDataException>(() => DetectorModelReader.Read(junk));
                Assert.Equal(junk, e.Path);
            }
            finally { Directory.Delete(dir, true); }
        }
    }
}
