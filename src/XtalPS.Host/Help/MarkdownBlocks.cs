using System;
using System.Collections.Generic;
using System.Text;

namespace XtalPS.Host.Help
{
    /// <summary>The kinds of block the help markdown is made of.</summary>
    public enum MarkdownBlockKind
    {
        /// <summary>An ATX heading (<c># …</c> to <c>###### …</c>).</summary>
        Heading,
        /// <summary>Consecutive text lines, soft-wrapped: the lines are joined with single spaces.</summary>
        Paragraph,
        /// <summary>One list item (<c>- </c>, <c>* </c>, <c>+ </c> or <c>1. </c>), continuation lines joined.</summary>
        ListItem,
        /// <summary>A fenced code block; <see cref="MarkdownBlock.Info"/> is the word after the fence.</summary>
        Code,
        /// <summary>Lines kept as they are (tables).</summary>
        Verbatim,
    }

    /// <summary>One block of a markdown file, with the 1-based line it starts on (for error messages).</summary>
    public sealed class MarkdownBlock
    {
        public MarkdownBlock(MarkdownBlockKind kind, string text, int line, int level = 0, string info = "", string marker = "")
        {
            Kind = kind; Text = text; Line = line; Level = level; Info = info; Marker = marker;
        }

        public MarkdownBlockKind Kind { get; }
        /// <summary>Heading text, paragraph text, list item text (without its marker), or code (lines joined by LF).</summary>
        public string Text { get; }
        public int Line { get; }
        /// <summary>Heading level (1 for <c>#</c>).</summary>
        public int Level { get; }
        /// <summary>The info string of a code fence, e.g. <c>powershell</c> or <c>yaml</c>.</summary>
        public string Info { get; }
        /// <summary>The list marker as written (<c>-</c>, <c>1.</c>).</summary>
        public string Marker { get; }

        public override string ToString() => $"{Kind}@{Line}: {Text}";
    }

    /// <summary>
    /// A deliberately small CommonMark subset: YAML front matter, ATX headings, fenced code, lists, tables and
    /// paragraphs. That is all the PlatyPS schema uses; anything else reads as paragraph text.
    /// </summary>
    public sealed class MarkdownBlocks
    {
        private MarkdownBlocks(IReadOnlyList<KeyValuePair<string, string>> frontMatter, IReadOnlyList<MarkdownBlock> blocks)
        {
            FrontMatter = frontMatter; Blocks = blocks;
        }

        /// <summary>The <c>key: value</c> lines between the leading <c>---</c> fences, in file order.</summary>
        public IReadOnlyList<KeyValuePair<string, string>> FrontMatter { get; }
        public IReadOnlyList<MarkdownBlock> Blocks { get; }

        public static MarkdownBlocks Parse(string text, string source)
        {
            var lines = text.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');
            int i = 0;
            var front = new List<KeyValuePair<string, string>>();
            if (lines.Length > 0 && lines[0].TrimEnd() == "---")
            {
                i = 1;
                while (i < lines.Length && lines[i].TrimEnd() != "---")
                {
                    string l = lines[i];
                    if (l.Trim().Length > 0)
                    {
                        int colon = l.IndexOf(':');
                        if (colon <= 0) throw new HelpFormatException(source, i + 1, $"front matter line '{l}' is not 'key: value'.");
                        front.Add(new KeyValuePair<string, string>(l.Substring(0, colon).Trim(), l.Substring(colon + 1).Trim()));
                    }
                    i++;
                }
                if (i >= lines.Length) throw new HelpFormatException(source, 1, "the front matter is not closed with '---'.");
                i++;
            }

            var blocks = new List<MarkdownBlock>();
            while (i < lines.Length)
            {
                string line = lines[i];
                string trimmed = line.Trim();
                if (trimmed.Length == 0) { i++; continue; }

                if (IsFence(trimmed, out string fence))
                {
                    int start = i + 1;
                    string info = trimmed.Substring(fence.Length).Trim();
                    int indent = line.Length - line.TrimStart().Length;
                    var code = new List<string>();
                    i++;
                    while (i < lines.Length && !(lines[i].Trim().StartsWith(fence, StringComparison.Ordinal) && lines[i].Trim().Trim(fence[0]).Length == 0))
                    {
                        code.Add(Unindent(lines[i], indent));
                        i++;
                    }
                    if (i >= lines.Length) throw new HelpFormatException(source, start, "a code fence is not closed.");
                    i++;
                    blocks.Add(new MarkdownBlock(MarkdownBlockKind.Code, string.Join("\n", code), start, info: info));
                    continue;
                }

                if (IsHeading(trimmed, out int level, out string heading))
                {
                    blocks.Add(new MarkdownBlock(MarkdownBlockKind.Heading, heading, i + 1, level));
                    i++;
                    continue;
                }

                if (trimmed.StartsWith("|", StringComparison.Ordinal))
                {
                    int start = i + 1;
                    var rows = new List<string>();
                    while (i < lines.Length && lines[i].Trim().StartsWith("|", StringComparison.Ordinal)) rows.Add(lines[i++].Trim());
                    blocks.Add(new MarkdownBlock(MarkdownBlockKind.Verbatim, string.Join("\n", rows), start));
                    continue;
                }

                if (IsListItem(line, out string marker, out string itemText, out int contentIndent))
                {
                    int start = i + 1;
                    var sb = new StringBuilder(itemText.Trim());
                    i++;
                    // Continuation: indented lines that are not a new item, a fence or a heading.
                    while (i < lines.Length && lines[i].Trim().Length > 0 && !IsListItem(lines[i], out _, out _, out _)
                           && !IsFence(lines[i].Trim(), out _) && !IsHeading(lines[i].Trim(), out _, out _)
                           && (lines[i].Length - lines[i].TrimStart().Length) >= Math.Min(contentIndent, 2))
                    {
                        sb.Append(' ').Append(lines[i].Trim());
                        i++;
                    }
                    blocks.Add(new MarkdownBlock(MarkdownBlockKind.ListItem, sb.ToString(), start, marker: marker));
                    continue;
                }

                {
                    int start = i + 1;
                    var sb = new StringBuilder(trimmed);
                    i++;
                    while (i < lines.Length && lines[i].Trim().Length > 0 && !IsFence(lines[i].Trim(), out _)
                           && !IsHeading(lines[i].Trim(), out _, out _) && !IsListItem(lines[i], out _, out _, out _)
                           && !lines[i].Trim().StartsWith("|", StringComparison.Ordinal))
                    {
                        sb.Append(' ').Append(lines[i].Trim());
                        i++;
                    }
                    blocks.Add(new MarkdownBlock(MarkdownBlockKind.Paragraph, sb.ToString(), start));
                }
            }
            return new MarkdownBlocks(front, blocks);
        }

        /// <summary>The front-matter value for a key (case-insensitive), or null.</summary>
        public string? Front(string key)
        {
            foreach (var kv in FrontMatter)
                if (string.Equals(kv.Key, key, StringComparison.OrdinalIgnoreCase)) return kv.Value;
            return null;
        }

        private static bool IsFence(string trimmed, out string fence)
        {
            fence = trimmed.StartsWith("```", StringComparison.Ordinal) ? "```" : trimmed.StartsWith("~~~", StringComparison.Ordinal) ? "~~~" : "";
            return fence.Length > 0;
        }

        private static bool IsHeading(string trimmed, out int level, out string text)
        {
            level = 0;
            while (level < trimmed.Length && trimmed[level] == '#') level++;
            if (level == 0 || level > 6 || (level < trimmed.Length && trimmed[level] != ' '))
            {
                text = "";
                level = 0;
                return false;
            }
            text = trimmed.Substring(level).Trim().TrimEnd('#').Trim();
            return true;
        }

        private static bool IsListItem(string line, out string marker, out string text, out int contentIndent)
        {
            marker = ""; text = ""; contentIndent = 0;
            int indent = line.Length - line.TrimStart().Length;
            string t = line.TrimStart();
            if (t.Length >= 2 && (t[0] == '-' || t[0] == '*' || t[0] == '+') && t[1] == ' ')
            {
                if (t[0] == '-' && t.Trim().Trim('-').Length == 0) return false; // a rule, not a list
                marker = t.Substring(0, 1);
                text = t.Substring(2);
                contentIndent = indent + 2;
                return true;
            }
            int d = 0;
            while (d < t.Length && d < 9 && char.IsDigit(t[d])) d++;
            if (d > 0 && d + 1 < t.Length && (t[d] == '.' || t[d] == ')') && t[d + 1] == ' ')
            {
                marker = t.Substring(0, d + 1);
                text = t.Substring(d + 2);
                contentIndent = indent + d + 2;
                return true;
            }
            return false;
        }

        private static string Unindent(string line, int indent)
        {
            int n = 0;
            while (n < indent && n < line.Length && line[n] == ' ') n++;
            return line.Substring(n).TrimEnd();
        }
    }
}
