using System;

namespace XtalPS.Imaging
{
    /// <summary>
    /// The pixels of one panel of one frame: row-major (slow × fast) float32 values and a validity mask.
    /// </summary>
    /// <remarks>
    /// float32 holds every count a photon-counting detector produces below 2^24 exactly, which is also DIALS's
    /// limit for a usable pixel; it halves memory traffic against double. The mask is 1 for a pixel that may be
    /// used (inside the trusted range, not a module gap, not masked by the file or the user) and 0 otherwise.
    /// </remarks>
    public sealed class PanelImage
    {
        public PanelImage(int panelIndex, int width, int height, float[] pixels, byte[]? mask = null)
        {
            if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), "Panel dimensions must be positive.");
            if (pixels == null) throw new ArgumentNullException(nameof(pixels));
            if ((long)width * height != pixels.Length) throw new ArgumentException("The pixel array does not match the panel size.", nameof(pixels));
            if (mask != null && mask.Length != pixels.Length) throw new ArgumentException("The mask does not match the panel size.", nameof(mask));
            PanelIndex = panelIndex;
            Width = width;
            Height = height;
            Pixels = pixels;
            if (mask == null)
            {
                mask = new byte[pixels.Length];
                mask.AsSpan().Fill(1);
            }
            Mask = mask;
        }

        public int PanelIndex { get; }
        /// <summary>Pixels along the fast axis.</summary>
        public int Width { get; }
        /// <summary>Pixels along the slow axis.</summary>
        public int Height { get; }
        /// <summary>Row-major pixel values: index = y·Width + x.</summary>
        public float[] Pixels { get; }
        /// <summary>1 = usable pixel, 0 = masked; same layout as <see cref="Pixels"/>.</summary>
        public byte[] Mask { get; }

        public float this[int x, int y] => Pixels[y * Width + x];
        public bool IsValid(int x, int y) => Mask[y * Width + x] != 0;

        public ReadOnlySpan<float> Row(int y) => new ReadOnlySpan<float>(Pixels, y * Width, Width);
        public ReadOnlySpan<byte> MaskRow(int y) => new ReadOnlySpan<byte>(Mask, y * Width, Width);

        private int _maskedCount = -1;

        /// <summary>Number of masked pixels (counted once: images are never modified in place).</summary>
        public int MaskedCount
        {
            get
            {
                if (_maskedCount < 0)
                {
                    int n = 0;
                    foreach (var m in Mask) if (m == 0) n++;
                    _maskedCount = n;
                }
                return _maskedCount;
            }
        }

        /// <summary>A copy with a new mask (pixels shared: images are never modified in place).</summary>
        public PanelImage WithMask(byte[] mask) => new PanelImage(PanelIndex, Width, Height, Pixels, mask);

        public override string ToString() => $"panel {PanelIndex} {Width}x{Height}";
    }
}
