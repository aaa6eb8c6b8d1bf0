using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace XtalPS.Formats
{
    /// <summary>One image folder of an IPLT project: NAME/ holding the image NAME.ext and its info.xml.</summary>
    public sealed class IpltImageFolder
    {
        internal IpltImageFolder(string directory, string? imagePath, bool ignored)
        {
            Directory = directory; ImagePath = imagePath; Ignored = ignored;
            Name = Path.GetFileName(directory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
        }

        public string Name { get; }
        public string Directory { get; }
        /// <summary>The image file, or null when the folder holds none.</summary>
        public string? ImagePath { get; }
        /// <summary>An <c>ignore</c> file in the folder: IPLT skips it.</summary>
        public bool Ignored { get; }
        public string InfoPath => Path.Combine(Directory, "info.xml");
        /// <summary>Output of a step, named as IPLT names them: NAME_ext.mtz, NAME_int.mtz (and NAME_tilt.mtz).</summary>
        public string OutputPath(string suffix) => Path.Combine(Directory, Name + "_" + suffix + ".mtz");
    }

    /// <summary>
    /// An IPLT project folder: <c>project.xml</c> with the processing parameters under <c>DiffProcessing</c>, one
    /// sub-folder per image with an <c>info.xml</c> whose <c>DiffProcessing</c> overrides the project's and whose
    /// <c>DiffProcessingResults</c> receive the results.
    /// </summary>
    public sealed class IpltProject
    {
        public const string ParametersGroup = "DiffProcessing";
        public const string ResultsGroup = "DiffProcessingResults";
        private static readonly string[] ImageExtensions = { ".tif", ".tiff", ".mrc", ".map", ".cbf", ".img", ".smv", ".h5", ".nxs" };

        private IpltProject(string root, IpltInfo projectInfo) { Root = root; ProjectInfo = projectInfo; }

        public string Root { get; }
        public string ProjectPath => Path.Combine(Root, "project.xml");
        public IpltInfo ProjectInfo { get; }

        public static IpltProject Open(string root)
        {
            root = Path.GetFullPath(root);
            if (!System.IO.Directory.Exists(root)) throw new DirectoryNotFoundException($"The IPLT project folder '{root}' does not exist.");
            string p = Path.Combine(root, "project.xml");
            return new IpltProject(root, IpltInfo.LoadOrCreate(p));
        }

        /// <summary>Image folders in name order: sub-folders holding an image file (or an info.xml), ignored ones included and marked.</summary>
        public IReadOnlyList<IpltImageFolder> ImageFolders()
        {
            var list = new List<IpltImageFolder>();
            foreach (var d in System.IO.Directory.GetDirectories(Root).OrderBy(x => x, StringComparer.Ordinal))
            {
                string name = Path.GetFileName(d);
                var images = System.IO.Directory.GetFiles(d)
                    .Where(f => ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()) && !Path.GetFileName(f).StartsWith(".", StringComparison.Ordinal))
                    .OrderBy(f => f, StringComparer.Ordinal).ToList();
                string? image = images.FirstOrDefault(f => Path.GetFileNameWithoutExtension(f) == name) ?? (images.Count == 1 ? images[0] : null);
                bool hasInfo = File.Exists(Path.Combine(d, "info.xml"));
                if (image == null && !hasInfo) continue;
                list.Add(new IpltImageFolder(d, image, File.Exists(Path.Combine(d, "ignore"))));
            }
            return list;
        }

        /// <summary>
        /// The effective DiffProcessing parameters of an image: the project's, overridden by the image's info.xml,
        /// overridden by <paramref name="explicitValues"/> (the cmdlet's bound parameters). Keys are paths below DiffProcessing.
        /// </summary>
        public SortedDictionary<string, string> EffectiveParameters(IpltInfo imageInfo, IReadOnlyDictionary<string, string>? explicitValues = null)
        {
            var p = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var (path, value, _) in ProjectInfo.Items(ParametersGroup)) p[path] = value;
            foreach (var (path, value, _) in imageInfo.Items(ParametersGroup)) p[path] = value;
            if (explicitValues != null) foreach (var kv in explicitValues) p[kv.Key] = kv.Value;
            return p;
        }

        /// <summary>
        /// The rerun key of a step: SHA-256 over the step's effective parameters (every key under its groups, sorted)
        /// and the hashes of its inputs. A step reruns when this differs from the one recorded with its results
        /// (not by file times, which copying a project changes).
        /// </summary>
        public static string StepHash(string step, IReadOnlyDictionary<string, string> parameters, IEnumerable<string> groups, IEnumerable<string> inputHashes)
        {
            var sb = new StringBuilder("XtalPS-IPLT-step/1\n").Append(step).Append('\n');
            var prefixes = groups.Select(g => g + "/").ToArray();
            foreach (var kv in parameters)
                if (prefixes.Any(pr => kv.Key.StartsWith(pr, StringComparison.Ordinal))) sb.Append(kv.Key).Append('=').Append(kv.Value).Append('\n');
            foreach (var h in inputHashes) sb.Append("input ").Append(h).Append('\n');
            return Hex(Sha256(Encoding.UTF8.GetBytes(sb.ToString())));
        }

        /// <summary>SHA-256 of a file's bytes, hex.</summary>
        public static string FileHash(string path)
        {
            using var s = File.OpenRead(path);
            using var sha = SHA256.Create();
            return Hex(sha.ComputeHash(s));
        }

        private static byte[] Sha256(byte[] data) { using var sha = SHA256.Create(); return sha.ComputeHash(data); }
        private static string Hex(byte[] b) => string.Concat(b.Select(x => x.ToString("x2", CultureInfo.InvariantCulture)));
    }
}
