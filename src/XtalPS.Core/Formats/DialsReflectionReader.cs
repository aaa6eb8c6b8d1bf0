using System.Collections.Generic;
using System.IO;
using System.Linq;
using XtalPS.Imaging;
using XtalPS.Integration;

namespace XtalPS.Formats
{
    /// <summary>
    /// Reads a DIALS pair: the <c>.refl</c> table and, when it is there, the <c>.expt</c> list beside it (same name).
    /// Experiments with a crystal become reflection tables with their lattice; strong-spot experiments become spot
    /// lists on their image, read again from the file and frame the list names (relative names are taken from the
    /// folder of the list).
    /// </summary>
    public static class DialsReflectionReader
    {
        public static IEnumerable<DialsReflectionTables.ImportedItem> Read(string path)
        {
            var file = DialsReflectionFile.Read(path);
            string expt = DialsReflectionWriter.ExperimentsPathOf(path);
            var experiments = File.Exists(expt) ? DialsExperimentJson.ReadExperiments(expt) : null;
            string folder = Path.GetDirectoryName(Path.GetFullPath(expt)) ?? ".";
            return DialsReflectionTables.ToItems(path, file, experiments, e => LoadImage(expt, folder, e));
        }

        /// <summary>The tables only (experiments with a crystal), for readers that want reflection tables.</summary>
        public static List<ReflectionTable> ReadTables(string path)
        {
            var tables = new List<ReflectionTable>();
            foreach (var item in Read(path))
            {
                if (item.Error != null) throw item.Error;
                if (item.Item is ReflectionTable t) tables.Add(t);
            }
            return tables;
        }

        private static DiffractionImage LoadImage(string expt, string folder, DialsExperiment e)
        {
            if (e.ImagePath.Length == 0)
                throw new InvalidImageDataException(expt, $"experiment '{e.Identifier}' names no image; strong spots need their image.");
            string image = Path.IsPathRooted(e.ImagePath) ? e.ImagePath : Path.Combine(folder, e.ImagePath);
            if (!File.Exists(image))
                throw new InvalidImageDataException(expt, $"the image '{image}' of experiment '{e.Identifier}' is gone; strong spots need their image.");
            var frame = DiffractionImageReader.ReadFrames(image, FrameSelection.Single(e.Frame)).FirstOrDefault()
                ?? throw new InvalidImageDataException(image, $"the file has no frame {e.Frame}.");
            return frame.WithGeometry(e.Detector, e.Beam);
        }
    }
}
