using System;
using System.Collections.Generic;
using System.IO;
using XtalPS.Geometry;
using XtalPS.Imaging;
#if NET
using System.Globalization;
using System.Linq;
using PureHDF;
using PureHDF.Selections;
#endif

namespace XtalPS.Formats
{
    /// <summary>
    /// Reads NeXus/NXmx HDF5 files (Eiger masters and single-file NXmx): the detector from
    /// /entry/instrument/detector (pixel sizes, module fast/slow_pixel_direction with their depends_on chains of
    /// NXtransformations down to the root, saturation and underload values, pixel_mask), the wavelength from
    /// the NXbeam, and the frames from /entry/data/data or the data_00000N links (external files next to the
    /// master), one frame in memory at a time. Chunks compressed with bitshuffle+LZ4 (32008), LZ4 (32004),
    /// deflate or shuffle are decoded.
    /// </summary>
    /// <remarks>
    /// NeXus uses the McStas frame (+z along the beam, +y up); DIALS has the beam along −z, so every position
    /// and direction is turned 180° about y: (x, y, z) → (−x, y, −z). HDF5 access uses PureHDF, which exists for
    /// .NET 6+ only: the netstandard2.0 build of XtalPS.Core recognises HDF5 files but reports that they need
    /// the .NET build (PowerShell 7).
    /// </remarks>
    public static class NexusReader
    {
        private static readonly byte[] Signature = { 0x89, (byte)'H', (byte)'D', (byte)'F', 0x0D, 0x0A, 0x1A, 0x0A };

        /// <summary>The HDF5 signature at byte 0 or after a 512-byte user block.</summary>
        public static bool LooksLikeHdf5(ReadOnlySpan<byte> head) =>
            head.Length >= 8 && head.Slice(0, 8).SequenceEqual(Signature) ||
            head.Length >= 520 && head.Slice(512, 8).SequenceEqual(Signature);

#if !NET
        public static DetectorModel ReadDetector(string path) => throw Unsupported(path);
        public static Beam ReadBeam(string path) => throw Unsupported(path);
        public static IEnumerable<DiffractionImage> ReadFrames(string path, FrameSelection? frames) => throw Unsupported(path);
        private static Exception Unsupported(string path) =>
            new InvalidImageDataException(path, "NeXus/HDF5 files are read by the .NET (PowerShell 7) build of XtalPS only.");
#else
        private static readonly object FilterLock = new object();
        private static bool _filtersRegistered;

        /// <summary>The detector model of an NXmx file (needs no data files).</summary>
        public static DetectorModel ReadDetector(string path) => Guard(path, () => { using var f = Open(path); return Geometry(path, f).Detector; });

        /// <summary>The beam of an NXmx file (needs no data files).</summary>
        public static Beam ReadBeam(string path) => Guard(path, () => { using var f = Open(path); return Geometry(path, f).Beam; });

        public static IEnumerable<DiffractionImage> ReadFrames(string path, FrameSelection? frames)
        {
            RegisterFilters();
            var file = Guard(path, () => Open(path));
            try
            {
                var setup = Guard(path, () => Prepare(path, file));
                int[] indices = FrameSelection.Resolve(frames, setup.FrameCount, path);
                foreach (int index in indices)
                    yield return Guard(path, () => ReadFrame(path, setup, index));
            }
            finally
            {
                file.Dispose();
            }
        }

        private sealed class NexusGeometry
        {
            public DetectorModel Detector = null!;
            public Beam Beam = null!;
            public int Width, Height;
            public byte[]? PixelMask;
            public double Underload = double.NegativeInfinity, Saturation = double.PositiveInfinity;
            public Dictionary<string, string> Header = new Dictionary<string, string>();
        }

        /// <summary>One block of frames: a 3D dataset (frames × slow × fast), in its own file or the master.</summary>
        private sealed class DataBlock
        {
            public string Name = "";
            public IH5Dataset Dataset = null!;
            public IDisposable? Owner;
            public int Frames;
            public int FirstFrame;
        }

        private sealed class Setup
        {
            public NexusGeometry Geometry = null!;
            public List<DataBlock> Blocks = new List<DataBlock>();
            public int FrameCount;
        }

        private static Setup Prepare(string path, PureHDF.VOL.Native.NativeFile file)
        {
            var setup = new Setup { Geometry = Geometry(path, file) };
            var g = setup.Geometry;
            string dir = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
            var data = file.LinkExists("/entry/data") ? file.Group("/entry/data") : null;
            var candidates = new List<(string Name, Func<(IH5Dataset, IDisposable?)> Open)>();
            if (data != null)
            {
                foreach (var child in data.Children())
                    if (child is IH5Dataset d && (child.Name == "data" || IsDataLink(child.Name)) && d.Space.Rank >= 2)
                    {
                        var captured = d;
                        candidates.Add((child.Name, () => (captured, null)));
                    }
            }
            if (candidates.Count == 0)
            {
                // External links the HDF5 library does not list: find them in the master's bytes.
                foreach (var link in Hdf5ExternalLinks.Find(File.ReadAllBytes(path)))
                {
                    if (!IsDataLink(link.Name)) continue;
                    var l = link;
                    candidates.Add((l.Name, () =>
                    {
                        string target = Path.Combine(dir, l.File);
                        if (!File.Exists(target))
                            throw new InvalidImageDataException(path, $"the data file '{l.File}' that /entry/data/{l.Name} links to is missing (looked in {dir}).");
                        Hdf5StructureCheck.Validate(target);
                        var other = H5File.OpenRead(target);
                        try { return (other.Dataset(l.ObjectPath), other); }
                        catch { other.Dispose(); throw; }
                    }));
                }
            }
            if (candidates.Count == 0) throw new InvalidImageDataException(path, "the NeXus file has no /entry/data/data dataset and no data_00000N links.");
            candidates.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            int first = 0;
            foreach (var c in candidates)
            {
                var (dataset, owner) = c.Open();
                var dims = dataset.Space.Dimensions;
                // A frame cannot expand more than 255:1 (LZ4) from the bytes of the file that holds it.
                string holder = (owner as PureHDF.VOL.Native.NativeFile)?.Path ?? path;
                long justified = 256 * new FileInfo(holder).Length + (1 << 20);
                if ((long)g.Width * g.Height * Math.Max(1, dataset.Type.Size) > justified)
                    throw new InvalidImageDataException(path, $"{c.Name} claims {g.Width}x{g.Height} pixels per frame, more than its file can hold.");
                int frames = dims.Length == 2 ? 1 : checked((int)dims[0]);
                int h = (int)dims[dims.Length - 2], w = (int)dims[dims.Length - 1];
                if (dims.Length > 3) throw new InvalidImageDataException(path, $"{c.Name} has {dims.Length} dimensions; frames × slow × fast are expected.");
                if (w != g.Width || h != g.Height)
                    throw new InvalidImageDataException(path, $"{c.Name} holds {w}x{h} frames but the detector module is {g.Width}x{g.Height}.");
                setup.Blocks.Add(new DataBlock { Name = c.Name, Dataset = dataset, Owner = owner, Frames = frames, FirstFrame = first });
                first += frames;
            }
            setup.FrameCount = first;
            return setup;
        }

        private static bool IsDataLink(string name) => name.StartsWith("data_", StringComparison.Ordinal) && name.Length > 5 && name.Substring(5).All(char.IsDigit);

        private static DiffractionImage ReadFrame(string path, Setup setup, int index)
        {
            var block = setup.Blocks.Last(b => b.FirstFrame <= index);
            int k = index - block.FirstFrame;
            var g = setup.Geometry;
            var d = block.Dataset;
            int rank = d.Space.Rank;
            var selection = rank == 2
                ? new HyperslabSelection(2, new ulong[] { 0, 0 }, new ulong[] { (ulong)g.Height, (ulong)g.Width })
                : new HyperslabSelection(3, new ulong[] { (ulong)k, 0, 0 }, new ulong[] { 1, (ulong)g.Height, (ulong)g.Width });
            var memory = new ulong[] { (ulong)g.Height * (ulong)g.Width };
            float[] pixels = ReadAsFloat(path, d, selection, memory);
            var mask = TrustedRange.Mask(pixels, g.Underload, g.Saturation);
            if (g.PixelMask != null)
                for (int i = 0; i < mask.Length; i++) if (g.PixelMask[i] != 0) mask[i] = 0;
            var header = new Dictionary<string, string>(g.Header) { ["DataBlock"] = block.Name, ["FrameInBlock"] = k.ToString(CultureInfo.InvariantCulture) };
            return new DiffractionImage(path, index, "NeXus", g.Detector, g.Beam, new[] { new PanelImage(0, g.Width, g.Height, pixels, mask) }, header);
        }

        private static float[] ReadAsFloat(string path, IH5Dataset d, Selection selection, ulong[] memory)
        {
            var t = d.Type;
            int n = (int)memory[0];
            var result = new float[n];
            if (t.Class == H5DataTypeClass.FloatingPoint)
            {
                if (t.Size == 4) return d.Read<float[]>(selection, null, memory);
                var v = d.Read<double[]>(selection, null, memory);
                for (int i = 0; i < n; i++) result[i] = (float)v[i];
                return result;
            }
            if (t.Class != H5DataTypeClass.FixedPoint) throw new InvalidImageDataException(path, $"pixel type {t.Class} is not supported.");
            bool signed = t.FixedPoint.IsSigned;
            switch (t.Size)
            {
                case 1: if (signed) Copy(d.Read<sbyte[]>(selection, null, memory), result); else Copy(d.Read<byte[]>(selection, null, memory), result); break;
                case 2: if (signed) Copy(d.Read<short[]>(selection, null, memory), result); else Copy(d.Read<ushort[]>(selection, null, memory), result); break;
                case 4: if (signed) Copy(d.Read<int[]>(selection, null, memory), result); else Copy(d.Read<uint[]>(selection, null, memory), result); break;
                case 8: if (signed) Copy(d.Read<long[]>(selection, null, memory), result); else Copy(d.Read<ulong[]>(selection, null, memory), result); break;
                default: throw new InvalidImageDataException(path, $"{t.Size}-byte integer pixels are not supported.");
            }
            return result;
        }

        private static void Copy<T>(T[] source, float[] target) where T : struct, IConvertible
        {
            if (source.Length != target.Length) throw new InvalidDataException($"read {source.Length} values, {target.Length} were expected.");
            for (int i = 0; i < source.Length; i++) target[i] = source[i].ToSingle(CultureInfo.InvariantCulture);
        }

        private static NexusGeometry Geometry(string path, PureHDF.VOL.Native.NativeFile file)
        {
            var g = new NexusGeometry();
            string detPath = FindByClass(file, "/entry/instrument", "NXdetector") ?? "/entry/instrument/detector";
            if (!file.LinkExists(detPath)) throw new InvalidImageDataException(path, "the NeXus file has no NXdetector under /entry/instrument.");
            var det = file.Group(detPath);
            string? modPath = FindByClass(file, detPath, "NXdetector_module");

            double pixelX = Scalar(det, "x_pixel_size", "mm", double.NaN), pixelY = Scalar(det, "y_pixel_size", "mm", double.NaN);
            g.Saturation = Scalar(det, "saturation_value", "", double.PositiveInfinity);
            g.Underload = Scalar(det, "underload_value", "", -1);
            double thickness = Scalar(det, "sensor_thickness", "mm", 0);
            string material = Text(det, "sensor_material") ?? "";
            string name = Text(det, "description") ?? "Detector";

            Vec3 origin, fast, slow;
            double pxFast, pxSlow;
            int width, height;
            if (modPath != null)
            {
                var mod = file.Group(modPath);
                // data_size is (slow, fast) in NXmx; some writers (DLS 2019) stored (fast, slow), so the Eiger
                // x/y_pixels_in_detector (x = fast) win when present.
                var size = Integers(mod, "data_size");
                if (size.Length < 2) throw new InvalidImageDataException(path, $"{modPath}/data_size is missing.");
                height = (int)size[0]; width = (int)size[1];
                var xs = Integers(det, "detectorSpecific/x_pixels_in_detector");
                var ys = Integers(det, "detectorSpecific/y_pixels_in_detector");
                if (xs.Length == 1 && ys.Length == 1 && xs[0] * ys[0] == size[0] * size[1]) { width = (int)xs[0]; height = (int)ys[0]; }
                var fastDs = mod.Dataset("fast_pixel_direction");
                var slowDs = mod.Dataset("slow_pixel_direction");
                pxFast = Scalar(mod, "fast_pixel_direction", "mm", pixelX);
                pxSlow = Scalar(mod, "slow_pixel_direction", "mm", pixelY);
                var fastT = Transformation(path, file, modPath + "/fast_pixel_direction");
                var slowT = Transformation(path, file, modPath + "/slow_pixel_direction");
                fast = Chain(path, file, fastT.DependsOn, fastT.Vector, false);
                slow = Chain(path, file, slowT.DependsOn, slowT.Vector, false);
                origin = Chain(path, file, fastT.DependsOn, fastT.Offset, true);
            }
            else
            {
                // No module: a flat panel from the beam centre (pixels) and the distance, fast +x, slow −y (DIALS).
                var dims = FirstDataDims(file);
                if (dims == null) throw new InvalidImageDataException(path, "the NeXus file gives neither a detector module nor data to size the panel.");
                (height, width) = dims.Value;
                pxFast = pixelX; pxSlow = pixelY;
                double distance = Scalar(det, "distance", "mm", Scalar(det, "detector_distance", "mm", 100));
                double bx = Scalar(det, "beam_center_x", "", width / 2.0), by = Scalar(det, "beam_center_y", "", height / 2.0);
                origin = new Vec3(-bx * pxFast, by * pxSlow, -distance);
                fast = Vec3.UnitX; slow = -Vec3.UnitY;
                // Already in the DIALS frame: undo the flip applied below.
                origin = McStasToDials(origin); fast = McStasToDials(fast); slow = McStasToDials(slow);
            }
            if (width < 1 || height < 1 || width > 1 << 16 || height > 1 << 16 || (long)width * height > 1 << 28)
                throw new InvalidImageDataException(path, $"the detector module is {width}x{height} pixels.");
            if (!(pxFast > 0) || !(pxSlow > 0)) throw new InvalidImageDataException(path, "the NeXus file gives no positive pixel size.");
            g.Width = width; g.Height = height;
            var panel = new Panel(name, width, height, pxFast, McStasToDials(origin), McStasToDials(fast), McStasToDials(slow),
                g.Underload, g.Saturation, 1.0, pxSlow, thickness, material);
            g.Detector = new DetectorModel(name, new[] { panel });

            double wavelength = double.NaN;
            foreach (var beamPath in new[] { "/entry/instrument/beam", "/entry/sample/beam" })
                if (double.IsNaN(wavelength) && file.LinkExists(beamPath + "/incident_wavelength"))
                    wavelength = Scalar(file.Group(beamPath), "incident_wavelength", "angstrom", double.NaN);
            if (!(wavelength > 0)) throw new InvalidImageDataException(path, "the NeXus file gives no incident_wavelength.");
            g.Beam = new Beam(wavelength);

            if (det.LinkExists("pixel_mask"))
            {
                var m = det.Dataset("pixel_mask");
                var dims = m.Space.Dimensions;
                if (dims.Length == 2 && (int)dims[0] == height && (int)dims[1] == width)
                {
                    // Even deflated, a mask cannot shrink more than about 1000:1.
                    long masterBytes = new FileInfo(path).Length;
                    if ((long)width * height * m.Type.Size > 1100 * masterBytes + (1 << 20))
                        throw new InvalidImageDataException(path, $"the pixel_mask claims {width}x{height} values, more than the file can hold.");
                    var values = Integers(det, "pixel_mask", (ulong)width * (ulong)height);
                    g.PixelMask = new byte[values.Length];
                    for (int i = 0; i < values.Length; i++) g.PixelMask[i] = values[i] != 0 ? (byte)1 : (byte)0;
                }
            }
            var inv = CultureInfo.InvariantCulture;
            g.Header["Detector"] = detPath;
            g.Header["Description"] = name;
            if (!double.IsInfinity(g.Saturation)) g.Header["SaturationValue"] = g.Saturation.ToString(inv);
            g.Header["Definition"] = file.LinkExists("/entry/definition") ? Text(file.Group("/entry"), "definition") ?? "" : "";
            return g;
        }

        private static Vec3 McStasToDials(Vec3 v) => new Vec3(-v.X, v.Y, -v.Z);

        private sealed class TransformationStep
        {
            public string Type = "";
            public Vec3 Vector, Offset;
            public double Value;
            public string DependsOn = ".";
        }

        private static TransformationStep Transformation(string path, PureHDF.VOL.Native.NativeFile file, string dsPath)
        {
            if (!file.LinkExists(dsPath)) throw new InvalidImageDataException(path, $"the transformation {dsPath} does not exist.");
            var d = file.Dataset(dsPath);
            var s = new TransformationStep
            {
                Type = AttrText(d, "transformation_type") ?? "",
                Vector = AttrVector(d, "vector") ?? Vec3.Zero,
                DependsOn = AttrText(d, "depends_on") ?? ".",
            };
            string units = AttrText(d, "units") ?? "";
            var values = Doubles(d);
            s.Value = values.Length > 0 ? values[0] : 0;
            s.Value = s.Type == "rotation" ? ToDegrees(path, s.Value, units) : ToMm(path, s.Value, units);
            var offset = AttrVector(d, "offset") ?? Vec3.Zero;
            string offsetUnits = AttrText(d, "offset_units") ?? units;
            double scale = s.Type == "rotation" ? ToMm(path, 1, offsetUnits == "" || offsetUnits.StartsWith("deg") || offsetUnits.StartsWith("rad") ? "mm" : offsetUnits) : ToMm(path, 1, offsetUnits);
            s.Offset = offset * scale;
            return s;
        }

        /// <summary>Applies the depends_on chain starting at <paramref name="dependsOn"/> to a point (translations and
        /// rotations) or a direction (rotations only), McStas frame, mm.</summary>
        private static Vec3 Chain(string path, PureHDF.VOL.Native.NativeFile file, string dependsOn, Vec3 v, bool point)
        {
            int guard = 0;
            while (!string.IsNullOrEmpty(dependsOn) && dependsOn != ".")
            {
                if (++guard > 64) throw new InvalidImageDataException(path, "a depends_on chain does not end (cycle?).");
                var t = Transformation(path, file, dependsOn);
                if (t.Type == "rotation")
                {
                    v = Mat3.Rotation(t.Vector, t.Value * Math.PI / 180) * v;
                    if (point) v += t.Offset;
                }
                else if (point) v += t.Vector.Normalized() * t.Value + t.Offset;
                dependsOn = t.DependsOn;
            }
            return point ? v : v.Normalized();
        }

        private static double ToMm(string path, double v, string units)
        {
            switch (units.Trim().ToLowerInvariant())
            {
                case "m": case "metre": case "meter": case "meters": case "metres": return v * 1000;
                case "mm": case "millimetre": case "millimeter": case "": return v;
                case "um": case "µm": case "micron": case "microns": case "micrometre": case "micrometer": return v / 1000;
                case "nm": return v / 1e6;
                case "cm": return v * 10;
                default: throw new InvalidImageDataException(path, $"the length unit '{units}' is not known.");
            }
        }

        private static double ToDegrees(string path, double v, string units)
        {
            var u = units.Trim().ToLowerInvariant();
            if (u == "" || u.StartsWith("deg")) return v;
            if (u.StartsWith("rad")) return v * 180 / Math.PI;
            throw new InvalidImageDataException(path, $"the angle unit '{units}' is not known.");
        }

        private static string? FindByClass(PureHDF.VOL.Native.NativeFile file, string parent, string nxClass)
        {
            if (!file.LinkExists(parent)) return null;
            foreach (var c in file.Group(parent).Children())
                if (c is IH5Group && c.AttributeExists("NX_class") && AttrText(c, "NX_class") == nxClass)
                    return parent.TrimEnd('/') + "/" + c.Name;
            return null;
        }

        private static (int, int)? FirstDataDims(PureHDF.VOL.Native.NativeFile file)
        {
            if (!file.LinkExists("/entry/data/data")) return null;
            var dims = file.Dataset("/entry/data/data").Space.Dimensions;
            return dims.Length >= 2 ? ((int)dims[dims.Length - 2], (int)dims[dims.Length - 1]) : ((int, int)?)null;
        }

        private static double Scalar(IH5Group g, string name, string targetUnits, double fallback)
        {
            if (!g.LinkExists(name)) return fallback;
            var d = g.Dataset(name);
            var v = Doubles(d);
            if (v.Length == 0) return fallback;
            if (targetUnits == "") return v[0];
            string units = AttrText(d, "units") ?? "";
            if (targetUnits == "angstrom")
            {
                switch (units.Trim().ToLowerInvariant())
                {
                    case "": case "angstrom": case "angstroms": case "a": case "å": return v[0];
                    case "nm": return v[0] * 10;
                    case "m": return v[0] * 1e10;
                    default: throw new InvalidImageDataException("", $"the wavelength unit '{units}' is not known.");
                }
            }
            return ToMm("", v[0], units.Length == 0 && name.EndsWith("_size") && v[0] < 0.01 ? "m" : units);
        }

        /// <summary>Metadata datasets and attributes hold a few values (a vector, an offset, a wavelength); a damaged
        /// dataspace can claim billions, which would be allocated before anything else could object.</summary>
        private const ulong MaxMetadataValues = 1 << 16;

        private static void CheckCount(ulong[] dims, ulong max)
        {
            ulong n = 1;
            foreach (var x in dims)
            {
                if (x != 0 && n > max / x) throw new InvalidImageDataException("", $"a dataset or attribute claims more than {max} values where a few are expected.");
                n *= x;
            }
            if (n > max) throw new InvalidImageDataException("", $"a dataset or attribute claims {n} values where a few are expected.");
        }

        private static double[] Doubles(IH5Dataset d, ulong max = MaxMetadataValues)
        {
            CheckCount(d.Space.Dimensions, max);
            var t = d.Type;
            if (t.Class == H5DataTypeClass.FloatingPoint) return t.Size == 4 ? d.Read<float[]>().Select(x => (double)x).ToArray() : d.Read<double[]>();
            if (t.Class == H5DataTypeClass.FixedPoint) return Integers(d, max).Select(x => (double)x).ToArray();
            return Array.Empty<double>();
        }

        private static long[] Integers(IH5Group g, string name, ulong max = MaxMetadataValues) => g.LinkExists(name) ? Integers(g.Dataset(name), max) : Array.Empty<long>();

        private static long[] Integers(IH5Dataset d, ulong max = MaxMetadataValues)
        {
            CheckCount(d.Space.Dimensions, max);
            var t = d.Type;
            if (t.Class == H5DataTypeClass.FloatingPoint) return Doubles(d, max).Select(x => (long)x).ToArray();
            if (t.Class != H5DataTypeClass.FixedPoint) return Array.Empty<long>();
            bool s = t.FixedPoint.IsSigned;
            return t.Size switch
            {
                1 => s ? d.Read<sbyte[]>().Select(x => (long)x).ToArray() : d.Read<byte[]>().Select(x => (long)x).ToArray(),
                2 => s ? d.Read<short[]>().Select(x => (long)x).ToArray() : d.Read<ushort[]>().Select(x => (long)x).ToArray(),
                4 => s ? d.Read<int[]>().Select(x => (long)x).ToArray() : d.Read<uint[]>().Select(x => (long)x).ToArray(),
                8 => s ? d.Read<long[]>() : d.Read<ulong[]>().Select(x => x > long.MaxValue ? long.MaxValue : (long)x).ToArray(),
                _ => Array.Empty<long>(),
            };
        }

        private static string? Text(IH5Group g, string name)
        {
            if (!g.LinkExists(name)) return null;
            var d = g.Dataset(name);
            if (!IsText(d.Type)) return null;
            CheckCount(d.Space.Dimensions, MaxMetadataValues);
            return d.Space.Rank == 0 ? d.Read<string>() : d.Read<string[]>().FirstOrDefault();
        }

        private static string? AttrText(IH5Object o, string name)
        {
            if (!o.AttributeExists(name)) return null;
            var a = o.Attribute(name);
            if (!IsText(a.Type)) return null;
            CheckCount(a.Space.Dimensions, MaxMetadataValues);
            return (a.Space.Rank == 0 ? a.Read<string>() : a.Read<string[]>().FirstOrDefault())?.TrimEnd('\0').Trim();
        }

        /// <summary>Fixed-length strings, or variable-length strings (h5py's and PureHDF's default).</summary>
        private static bool IsText(IH5DataType t) => t.Class == H5DataTypeClass.String || t.Class == H5DataTypeClass.VariableLength;

        private static Vec3? AttrVector(IH5Object o, string name)
        {
            if (!o.AttributeExists(name)) return null;
            var a = o.Attribute(name);
            CheckCount(a.Space.Dimensions, MaxMetadataValues);
            double[] v = a.Type.Class == H5DataTypeClass.FloatingPoint
                ? (a.Type.Size == 4 ? a.Read<float[]>().Select(x => (double)x).ToArray() : a.Read<double[]>())
                : a.Type.Class == H5DataTypeClass.FixedPoint && a.Type.Size == 4 ? a.Read<int[]>().Select(x => (double)x).ToArray()
                : a.Type.Class == H5DataTypeClass.FixedPoint && a.Type.Size == 8 ? a.Read<long[]>().Select(x => (double)x).ToArray()
                : Array.Empty<double>();
            return v.Length == 3 ? new Vec3(v[0], v[1], v[2]) : (Vec3?)null;
        }

        private static PureHDF.VOL.Native.NativeFile Open(string path)
        {
            RegisterFilters();
            // The HDF5 library allocates whatever a header field claims: the structure is checked against the file first.
            Hdf5StructureCheck.Validate(path);
            return H5File.OpenRead(path);
        }

        /// <summary>Makes the bitshuffle (32008) and LZ4 (32004) filters known to PureHDF, for reading and (bitshuffle) writing.</summary>
        public static void RegisterFilters()
        {
            lock (FilterLock)
            {
                if (_filtersRegistered) return;
                PureHDF.Filters.H5Filter.Register(new Hdf5BitshuffleFilter());
                PureHDF.Filters.H5Filter.Register(new Hdf5Lz4Filter());
                _filtersRegistered = true;
            }
        }

        /// <summary>Turns PureHDF's and the codecs' failures on a corrupt file into <see cref="InvalidImageDataException"/>.</summary>
        private static T Guard<T>(string path, Func<T> work)
        {
            try { return work(); }
            catch (InvalidImageDataException e) when (e.Path.Length == 0) { throw new InvalidImageDataException(path, e.Message, e); }
            catch (InvalidImageDataException) { throw; }
            catch (FileNotFoundException) { throw; }
            catch (OutOfMemoryException e) { throw new InvalidImageDataException(path, "the HDF5 file asks for more memory than it can justify.", e); }
            catch (Exception e) when (!(e is OperationCanceledException))
            {
                var inner = e;
                while (inner.InnerException != null && inner.Message.StartsWith("Filter pipeline failed", StringComparison.Ordinal)) inner = inner.InnerException;
                throw new InvalidImageDataException(path, "the HDF5/NeXus file cannot be read: " + inner.Message, e);
            }
        }
#endif
    }
}
