using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace XtalPS.Host.Help
{
    /// <summary>
    /// docs/ → en-US/: every cmdlet page (<c>Verb-Noun.md</c>) whose front matter names the output file becomes one
    /// command in the MAML help file, every <c>about_*.md</c> becomes <c>about_*.help.txt</c> beside it.
    /// Same input, same bytes. Callable from a script in the host:
    /// <c>[XtalPS.Host.Help.HelpCompiler]::Compile('docs', 'module/XtalPS/en-US/XtalPS.dll-Help.xml')</c>.
    /// </summary>
    public static class HelpCompiler
    {
        /// <summary>Cmdlet pages of a docs folder, sorted by file name (README.md and about_*.md excluded).</summary>
        public static IReadOnlyList<string> CommandPages(string docsFolder) =>
            Directory.GetFiles(docsFolder, "*.md")
                .Where(f => !IsAboutTopic(f) && !string.Equals(Path.GetFileName(f), "README.md", StringComparison.OrdinalIgnoreCase))
                .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal)
                .ToArray();

        /// <summary>About topics of a docs folder, sorted by file name.</summary>
        public static IReadOnlyList<string> AboutTopics(string docsFolder) =>
            Directory.GetFiles(docsFolder, "about_*.md").OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal).ToArray();

        /// <summary>Reads every cmdlet page that belongs to the given help file.</summary>
        public static IReadOnlyList<CommandHelp> ReadCommands(string docsFolder, string helpFileName)
        {
            var result = new List<CommandHelp>();
            foreach (var page in CommandPages(docsFolder))
            {
                var help = PlatyPSMarkdownReader.ReadFile(page);
                if (!string.Equals(help.ExternalHelpFile, helpFileName, StringComparison.OrdinalIgnoreCase)) continue;
                string expected = Path.GetFileNameWithoutExtension(page);
                if (!string.Equals(help.Name, expected, StringComparison.OrdinalIgnoreCase))
                    throw new HelpFormatException(page, 1, $"the page documents '{help.Name}' but is named '{expected}.md'.");
                result.Add(help);
            }
            return result;
        }

        /// <summary>The MAML text for the pages of a docs folder that name <paramref name="helpFileName"/>.</summary>
        public static string CompileMaml(string docsFolder, string helpFileName = "XtalPS.dll-Help.xml") =>
            MamlWriter.Write(ReadCommands(docsFolder, helpFileName));

        /// <summary>The help text of one about topic: (about_Name, text).</summary>
        public static (string Name, string Text) CompileAbout(string markdownPath) => AboutTopicWriter.ConvertFile(markdownPath);

        /// <summary>Writes the MAML file and every about topic beside it; returns the files written.</summary>
        public static IReadOnlyList<string> Compile(string docsFolder, string outputXml)
        {
            if (!Directory.Exists(docsFolder)) throw new DirectoryNotFoundException($"The docs folder '{docsFolder}' does not exist.");
            string output = Path.GetFullPath(outputXml);
            string folder = Path.GetDirectoryName(output)!;
            Directory.CreateDirectory(folder);
            var written = new List<string>();
            string maml = CompileMaml(docsFolder, Path.GetFileName(output));
            WriteAtomically(output, maml);
            written.Add(output);
            foreach (var about in AboutTopics(docsFolder))
            {
                var (name, text) = CompileAbout(about);
                string target = Path.Combine(folder, name + ".help.txt");
                WriteAtomically(target, text);
                written.Add(target);
            }
            return written;
        }

        /// <summary>The host's <c>-CompileHelp docs out.xml</c>: 0 on success, 1 on a schema error, 2 on a missing folder.</summary>
        public static int Run(string docsFolder, string outputXml, TextWriter output, TextWriter error)
        {
            try
            {
                foreach (var f in Compile(docsFolder, outputXml)) output.WriteLine($"wrote {f}");
                return 0;
            }
            catch (HelpFormatException e)
            {
                error.WriteLine("xtalps: " + e.Message);
                return 1;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                error.WriteLine("xtalps: " + e.Message);
                return 2;
            }
        }

        private static bool IsAboutTopic(string path) => Path.GetFileName(path).StartsWith("about_", StringComparison.OrdinalIgnoreCase);

        /// <summary>Temporary file in the same folder, then a rename: readers never see half a help file.</summary>
        private static void WriteAtomically(string path, string text)
        {
            string temp = path + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp";
            try
            {
                File.WriteAllBytes(temp, MamlWriter.Utf8.GetBytes(text));
                File.Move(temp, path, overwrite: true);
            }
            finally
            {
                if (File.Exists(temp)) File.Delete(temp);
            }
        }
    }
}
