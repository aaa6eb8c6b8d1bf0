using System;
using System.Linq;
using BenchmarkDotNet.Attributes;
using XtalPS.Formats;
using XtalPS.Imaging;
using XtalPS.Pictures;
using XtalPS.Spots;

namespace XtalPS.Benchmarks
{
    /// <summary>
    /// A CSPAD image (64 ASICs, 2.3 Mpx) with 1,000 spots drawn over it, 1000 px wide with axes, rings and beam centre:
    /// assembling, scaling and drawing to a bitmap, and the whole picture to PNG bytes.
    /// </summary>
    // In process: the project BenchmarkDotNet generates also reaches XtalPS.Pictures through the module's
    // netstandard2.0 build and can end up with its drawing-less copy.
    [MemoryDiagnoser]
    [InProcess]
    public class PictureBenchmarks
    {
        private DiffractionScene _scene = null!;

        internal DiffractionScene Scene => _scene;
        private readonly DiffractionPictureSettings _settings = new DiffractionPictureSettings();

        [GlobalSetup]
        public void Setup()
        {
            var image = DiffractionImageReader.ReadFrames(Program.Data("sim/cspad/cspad_00000.cbf")).Single();
            // 1,000 spots spread over the panels (fixed seed), each a 3×3 box.
            var rnd = new Random(16);
            var spots = Enumerable.Range(0, 1000).Select(_ =>
            {
                int p = rnd.Next(image.PanelCount);
                var panel = image.PanelImages[p];
                double x = 2 + rnd.NextDouble() * (panel.Width - 4), y = 2 + rnd.NextDouble() * (panel.Height - 4);
                return new BraggSpot(p, x, y, 0.1, 0.1, 100, 100, 9, (int)x - 1, (int)x + 1, (int)y - 1, (int)y + 1, 50);
            }).ToArray();
            _scene = new DiffractionScene("cspad");
            _scene.Add(new SpotList(image, spots));
            PictureRenderer.DrawImage(_scene, _settings, PictureFormat.Png); // native libraries and fonts loaded
        }

        [Benchmark(Description = "CSPAD + 1,000 spots → bitmap (1000 px)")]
        public int Render()
        {
            var built = DiffractionPictureBuilder.Build(_scene, _settings);
            built.Plot.RenderInMemory(built.Width, built.Height);
            return built.Counts["Spots"];
        }

        [Benchmark(Description = "CSPAD + 1,000 spots → PNG bytes (1000 px)")]
        public int Png() => PictureRenderer.DrawImage(_scene, _settings, PictureFormat.Png).Bytes.Length;
    }
}
