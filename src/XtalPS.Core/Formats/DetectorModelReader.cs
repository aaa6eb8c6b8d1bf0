using System;
using System.IO;
using System.Text;
using XtalPS.Geometry;

namespace XtalPS.Formats
{
    /// <summary>Reads a detector description of any supported kind, recognised by extension and then by content:
    /// DIALS experiment list / detector JSON, CrystFEL .geom, psana geometry .data, and the imgCIF axis header of a
    /// CBF (with or without pixel data).</summary>
    public static class DetectorModelReader
    {
        public enum Kind { Auto, Dials, CrystFel, Psana, ImgCif }

        public static ExperimentGeometry Read(string path, Kind kind = Kind.Auto, double? distanceMm = null)
        {
            if (!File.Exists(path)) throw new FileNotFoundException($"The file '{path}' does not exist.", path);
            if (kind == Kind.Auto) kind = Detect(path);
            switch (kind)
            {
                case Kind.Dials: return DialsExperimentJson.Read(path);
                case Kind.CrystFel: return CrystFelGeometry.Read(path, distanceMm);
                case Kind.Psana: return PsanaGeometry.Read(path, distanceMm);
                case Kind.ImgCif:
                {
                    var g = ImgCifReader.ReadGeometry(path, DiffractionImageReader.ReadAllBytes(path));
                    return new ExperimentGeometry(path, "imgCIF", g.Detector, g.Beam);
                }
                default: throw new ArgumentOutOfRangeException(nameof(kind));
            }
        }

        /// <summary>The format of a geometry file: by extension (.expt/.json, .geom, .data) and, failing that, by its first 64 KiB.</summary>
        public static Kind Detect(string path)
        {
            var ext = Path.GetExtension(path).ToLowerInvariant();
            if (ext == ".expt" || ext == ".json") return Kind.Dials;
            if (ext == ".geom") return Kind.CrystFel;
            if (ext == ".cbf" || ext == ".cif") return Kind.ImgCif;
            byte[] head;
            using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
            {
                head = new byte[(int)Math.Min(fs.Length, 1 << 16)];
                int n = 0, r;
                while (n < head.Length && (r = fs.Read(head, n, head.Length - n)) > 0) n += r;
            }
            if (DialsExperimentJson.LooksLikeJson(head)) return Kind.Dials;
            if (CbfReader.LooksLikeCbf(head)) return Kind.ImgCif;
            var text = Encoding.UTF8.GetString(head);
            int lastNewline = text.LastIndexOf('\n');
            if (head.Length == 1 << 16 && lastNewline > 0) text = text.Substring(0, lastNewline);
            if (PsanaGeometry.LooksLikePsana(text)) return Kind.Psana;
            if (CrystFelGeometry.LooksLikeGeom(text)) return Kind.CrystFel;
            throw new InvalidImageDataException(path, "the file is not a detector description XtalPS reads (DIALS .expt/.json, CrystFEL .geom, psana .data, imgCIF/CBF header).");
        }
    }
}
