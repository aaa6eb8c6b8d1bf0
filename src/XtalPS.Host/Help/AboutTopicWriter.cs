using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace XtalPS.Host.Help
{
    /// <summary>
    /// Turns an about topic written to PlatyPS's about schema (<c># Title</c>, <c>## about_Name</c>, then
    /// <c># SHORT DESCRIPTION</c>, <c># LONG DESCRIPTION</c> with optional <c>##</c> subtopics, <c># EXAMPLES</c>,
    /// <c># NOTE</c>, <c># TROUBLESHOOTING NOTE</c>, <c># SEE ALSO</c>, <c># KEYWORDS</c>) into the plain text
    /// <c>about_Name.help.txt</c> that Get-Help shows: the classic layout (TOPIC, section names in capitals, text
    /// indented four spaces and wrapped at 80 columns, code indented eight and never wrapped). LF line ends.
    /// </summary>
    public static class AboutTopicWriter
    {
        public const int Width = 80;
        private const string Indent = "    ";
        private static readonly Regex Link = new Regex(@"\[(?<text>[^\]]+)\]\((?<uri>[^)\s]*)\)", RegexOptions.CultureInvariant);

        /// <summary>The topic name (about_…) and its text.</summary>
        public static (string Name, string Text) Convert(string markdown, string source)
        {
            var doc = MarkdownBlocks.Parse(markdown, source);
            var blocks = doc.Blocks;
            if (blocks.Count < 2 || blocks[0].Kind != MarkdownBlockKind.Heading || blocks[0].Level != 1
                || blocks[1].Kind != MarkdownBlockKind.Heading || blocks[1].Level != 2)
                throw new HelpFormatException(source, 1, "an about topic starts with '# Title' and '## about_Name'.");
            string name = blocks[1].Text.Trim();
            if (!name.StartsWith("about_", StringComparison.OrdinalIgnoreCase) || name.Contains(" "))
                throw new HelpFormatException(source, blocks[1].Line, $"the second heading is the lookup name 'about_Name', found '{name}'.");

            var sb = new StringBuilder();
            sb.Append("TOPIC\n").Append(Indent).Append(name).Append('\n');
            var sections = new List<string>();
            for (int i = 2; i < blocks.Count; i++)
            {
                var b = blocks[i];
                // The first text of a section follows its name directly, as in PowerShell's own about topics.
                bool afterSectionName = blocks[i - 1].Kind == MarkdownBlockKind.Heading && blocks[i - 1].Level == 1;
                if (b.Kind != MarkdownBlockKind.Heading && sections.Count == 0)
                    throw new HelpFormatException(source, b.Line, "text must be inside a '# SECTION'.");
                switch (b.Kind)
                {
                    case MarkdownBlockKind.Heading when b.Level == 1:
                        sections.Add(b.Text.ToUpperInvariant());
                        sb.Append('\n').Append(b.Text.ToUpperInvariant()).Append('\n');
                        break;
                    case MarkdownBlockKind.Heading:
                        if (sections.Count == 0) throw new HelpFormatException(source, b.Line, "a subtopic must be inside a '# SECTION'.");
                        string title = Inline(b.Text);
                        sb.Append('\n').Append(Indent).Append(title).Append('\n');
                        sb.Append(Indent).Append(new string(b.Level == 2 ? '=' : '-', title.Length)).Append('\n');
                        break;
                    case MarkdownBlockKind.Code:
                        if (!afterSectionName) sb.Append('\n');
                        foreach (var line in b.Text.Split('\n'))
                            sb.Append(line.Length == 0 ? "" : Indent + Indent + line).Append('\n');
                        break;
                    case MarkdownBlockKind.Verbatim:
                        if (!afterSectionName) sb.Append('\n');
                        foreach (var line in b.Text.Split('\n')) sb.Append(Indent).Append(line).Append('\n');
                        break;
                    case MarkdownBlockKind.ListItem:
                        // Items of one list follow each other without a blank line.
                        if (!afterSectionName && blocks[i - 1].Kind != MarkdownBlockKind.ListItem) sb.Append('\n');
                        Wrap(sb, Inline(b.Text), Indent + b.Marker + " ", Indent + new string(' ', b.Marker.Length + 1));
                        break;
                    default:
                        if (!afterSectionName) sb.Append('\n');
                        Wrap(sb, Inline(b.Text), Indent, Indent);
                        break;
                }
            }
            foreach (var required in new[] { "SHORT DESCRIPTION", "LONG DESCRIPTION" })
                if (!sections.Contains(required)) throw new HelpFormatException(source, 1, $"the about topic has no '# {required}'.");
            return (name, sb.ToString());
        }

        public static (string Name, string Text) ConvertFile(string path) => Convert(File.ReadAllText(path), path);

        /// <summary>Markdown inline marks a console reader does not need: code backticks go, links become "text (uri)".</summary>
        private static string Inline(string text) =>
            Link.Replace(text.Replace("`", ""), m => m.Groups["uri"].Value.Length == 0 || m.Groups["uri"].Value.StartsWith("#", StringComparison.Ordinal)
                ? m.Groups["text"].Value
                : m.Groups["text"].Value + " (" + m.Groups["uri"].Value + ")");

        /// <summary>Greedy word wrap to <see cref="Width"/> columns; a word longer than a line stands alone.</summary>
        private static void Wrap(StringBuilder sb, string text, string firstIndent, string nextIndent)
        {
            var words = text.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
            var line = new StringBuilder(firstIndent);
            int lineStart = firstIndent.Length;
            foreach (var word in words)
            {
                if (line.Length > lineStart && line.Length + 1 + word.Length > Width)
                {
                    sb.Append(line).Append('\n');
                    line.Clear().Append(nextIndent);
                    lineStart = nextIndent.Length;
                }
                if (line.Length > lineStart) line.Append(' ');
                line.Append(word);
            }
            if (line.Length > lineStart) sb.Append(line).Append('\n');
        }
    }
}
