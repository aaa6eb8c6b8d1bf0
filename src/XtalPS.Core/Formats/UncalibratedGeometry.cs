using XtalPS.Geometry;

namespace XtalPS.Formats
{
    /// <summary>
    /// The geometry given to images from files that carry none (TIFF, MRC): one flat panel facing the beam,
    /// fast axis +x, slow axis −y as dxtbx lays out a simple detector, pixels of <see cref="PixelSize"/> mm,
    /// <see cref="Distance"/> mm from the sample, the direct beam on the centre of the image
    /// (pixel width/2, height/2), and a wavelength of <see cref="Wavelength"/> Å. These are placeholders so that
    /// pixel-space work (spot finding, 2D lattices) runs; give the real values with -Detector / -Beam.
    /// </summary>
    public static class UncalibratedGeometry
    {
        public const double PixelSize = 0.1;
        public const double Distance = 100.0;
        public const double Wavelength = 1.0;

        public static DetectorModel Detector(string name, int width, int height) =>
            DetectorModel.SinglePanel(name, width, height, PixelSize, Distance, width / 2.0, height / 2.0);

        public static Beam Beam() => new Beam(Wavelength);
    }
}
