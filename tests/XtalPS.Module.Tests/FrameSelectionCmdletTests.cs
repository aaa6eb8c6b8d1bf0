using System;
using System.IO;
using System.Linq;
using XtalPS.Formats;
using XtalPS.Imaging;
using Xunit;

namespace XtalPS.Module.Tests
{
    [Collection(EngineCollection.Name)]
    public class FrameSelectionCmdletTests
    {
        private readonly EngineFixture _e;
        public FrameSelectionCmdletTests(EngineFixture e) { _e = e; }

        [Fact]
        public void Frame_picks_sections_of_an_mrc_stack_and_a_missing_frame_is_an_InvalidImageData_error()
        {
            var dir = Directory.CreateTempSubdirectory("xtalps_frames_").FullName;
            try
            {
                int w = 16, h = 8;
                var frames = Enumerable.Range(0, 6).Select(f => Enumerable.Repeat((float)f * 10, w * h).ToArray()).ToArray();
                var stack = Path.Combine(dir, "stack.mrc");
                MrcImage.WriteStack(frames, w, h, stack);

                var all = _e.InvokeOk("Import-DiffractionImage -LiteralPath $args[0]", stack);
                Assert.Equal(6, all.Count);
                var some = _e.InvokeOk("Import-DiffractionImage -LiteralPath $args[0] -Frame 1..3", stack).Select(o => (DiffractionImage)o.BaseObject).ToArray();
                Assert.Equal(new[] { 1, 2, 3 }, some.Select(i => i.FrameIndex));
                Assert.Equal(20f, some[1].PanelImages[0].Pixels[0]);
                Assert.Equal("stack.mrc#3", some[2].Name);
                var same = _e.InvokeOk("Import-DiffractionImage -LiteralPath $args[0] -Frame (1..3)", stack).Select(o => ((DiffractionImage)o.BaseObject).FrameIndex);
                Assert.Equal(new[] { 1, 2, 3 }, same);
                var two = _e.InvokeOk("Import-DiffractionImage -LiteralPath $args[0] -Frame 5,0", stack).Select(o => ((DiffractionImage)o.BaseObject).FrameIndex);
                Assert.Equal(new[] { 5, 0 }, two);

                var none = _e.Invoke("Import-DiffractionImage -LiteralPath $args[0] -Frame 9", out var errors, stack);
                Assert.Empty(none);
                var e = Assert.Single(errors);
                Assert.Equal("InvalidImageData,XtalPS.Commands.ImportDiffractionImageCommand", e.FullyQualifiedErrorId);
                Assert.Contains("6 frames", e.Exception.Message);

                _e.Invoke("Import-DiffractionImage -LiteralPath $args[0] -Frame -1", out var bad, stack);
                Assert.NotEmpty(bad);
            }
            finally { Directory.Delete(dir, true); }
        }
    }
}
