using System;
using System.IO;
using System.Linq;
using XtalPS.Formats;
using XtalPS.Imaging;
using XtalPS.Lattices;

namespace XtalPS.Internal
{
    /// <summary>
    /// The pixels a lattice was found on: the image it still holds, or — for a pixel-free lattice that has left
    /// integration or metrology — frame <see cref="ImageSource.Frame"/> of its file read again with the geometry and
    /// gain the lattice carries. Fails with a message that says why when the file is gone.
    /// </summary>
    internal static class LatticePixels
    {
        public static DiffractionImage? Resolve(Lattice lattice, out string? problem)
        {
            problem = null;
            if (lattice.Image != null) return lattice.Image;
            var source = lattice.Source;
            if (source == null || source.Path.Length == 0)
            {
                problem = "The lattice has no image: it holds no pixels and names no file to read them from.";
                return null;
            }
            if (!File.Exists(source.Path))
            {
                problem = $"The lattice of {source.Name} holds no pixels and its file '{source.Path}' is gone.";
                return null;
            }
            DiffractionImage? read;
            try { read = DiffractionImageReader.ReadFrames(source.Path, FrameSelection.Single(source.Frame)).FirstOrDefault(); }
            catch (Exception e) when (!(e is OutOfMemoryException))
            {
                problem = $"The lattice of {source.Name} holds no pixels; reading frame {source.Frame} of '{source.Path}' again failed: {e.Message}";
                return null;
            }
            if (read == null || read.PanelCount != source.Detector.PanelCount)
            {
                problem = $"The lattice of {source.Name} holds no pixels, and '{source.Path}' no longer has frame {source.Frame} as it was read.";
                return null;
            }
            return new DiffractionImage(read.SourcePath, read.FrameIndex, read.Format, source.Detector, source.Beam, read.PanelImages, read.Header,
                read.Truth, source.GainSource);
        }
    }
}
