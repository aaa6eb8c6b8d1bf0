using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace XtalPS.Host.Help
{
    /// <summary>
    /// Reads a cmdlet page written to the PlatyPS markdown schema 2.0.0 (front matter, <c># Verb-Noun</c>, then the
    /// level-2 sections SYNOPSIS, SYNTAX, DESCRIPTION, EXAMPLES, PARAMETERS, INPUTS, OUTPUTS, NOTES, RELATED LINKS)
    /// into a <see cref="CommandHelp"/>. Strict where a mistake would silently lose help: an unknown section, a
    /// parameter without its yaml block or an unknown yaml key is an error naming the file and line.
    /// </summary>
    public static class PlatyPSMarkdownReader
    {
        private static readonly string[] Sections =
            { "SYNOPSIS", "SYNTAX", "DESCRIPTION", "EXAMPLES", "PARAMETERS", "INPUTS", "OUTPUTS", "NOTES", "RELATED LINKS" };

        private static readonly Regex Link = new Regex(@"\[(?<text>[^\]]+)\]\((?<uri>[^)\s]*)\)", RegexOptions.CultureInvariant);

        public static CommandHelp ReadFile(string path) => Read(File.ReadAllText(path), path);

        public static CommandHelp Read(string markdown, string source)
        {
            var doc = MarkdownBlocks.Parse(markdown, source);
            var blocks = doc.Blocks;
            if (doc.FrontMatter.Count == 0) throw new HelpFormatException(source, 1, "a cmdlet page starts with front matter (---, external help file: …, Module Name: …, ---).");
            if (blocks.Count == 0 || blocks[0].Kind != MarkdownBlockKind.Heading || blocks[0].Level != 1)
                throw new HelpFormatException(source, blocks.Count > 0 ? blocks[0].Line : 1, "the first heading must be '# Verb-Noun'.");

            var help = new CommandHelp(blocks[0].Text, source)
            {
                ExternalHelpFile = doc.Front("external help file") ?? "",
                ModuleName = doc.Front("Module Name") ?? "",
                OnlineVersion = doc.Front("online version") ?? "",
            };
            if (help.ExternalHelpFile.Length == 0) throw new HelpFormatException(source, 1, "the front matter has no 'external help file'.");

            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            int i = 1;
            while (i < blocks.Count)
            {
                var h = blocks[i];
                if (h.Kind != MarkdownBlockKind.Heading || h.Level != 2)
                    throw new HelpFormatException(source, h.Line, $"expected a section heading ('## SYNOPSIS' …), found '{h.Text}'.");
                string section = h.Text.ToUpperInvariant();
                if (!Sections.Contains(section)) throw new HelpFormatException(source, h.Line, $"unknown section '## {h.Text}'; the schema has {string.Join(", ", Sections)}.");
                if (!seen.Add(section)) throw new HelpFormatException(source, h.Line, $"the section '## {h.Text}' appears twice.");
                int end = i + 1;
                while (end < blocks.Count && !(blocks[end].Kind == MarkdownBlockKind.Heading && blocks[end].Level <= 2)) end++;
                var body = blocks.Skip(i + 1).Take(end - i - 1).ToList();
                switch (section)
                {
                    case "SYNOPSIS": help.Synopsis.AddRange(Paragraphs(body, source)); break;
                    case "DESCRIPTION": help.Description.AddRange(Paragraphs(body, source)); break;
                    case "NOTES": help.Notes.AddRange(Paragraphs(body, source)); break;
                    case "SYNTAX": ReadSyntax(help, body, source); break;
                    case "EXAMPLES": ReadExamples(help, body, source); break;
                    case "PARAMETERS": ReadParameters(help, body, source); break;
                    case "INPUTS": ReadTypes(help.Inputs, body, source); break;
                    case "OUTPUTS": ReadTypes(help.Outputs, body, source); break;
                    case "RELATED LINKS": ReadLinks(help, body); break;
                }
                i = end;
            }
            return help;
        }

        /// <summary>Help paragraphs from blocks: text as written, list items with their marker, code verbatim.</summary>
        public static IEnumerable<string> Paragraphs(IEnumerable<MarkdownBlock> blocks, string source)
        {
            foreach (var b in blocks)
            {
                switch (b.Kind)
                {
                    case MarkdownBlockKind.Heading:
                        throw new HelpFormatException(source, b.Line, $"a heading ('{b.Text}') is not allowed here.");
                    case MarkdownBlockKind.ListItem:
                        yield return b.Marker + " " + b.Text;
                        break;
                    default:
                        yield return b.Text;
                        break;
                }
            }
        }

        /// <summary>Splits a section body at its level-3 headings; text before the first one is an error.</summary>
        private static List<(MarkdownBlock Heading, List<MarkdownBlock> Body)> Subsections(List<MarkdownBlock> body, string source, string section)
        {
            var result = new List<(MarkdownBlock, List<MarkdownBlock>)>();
            foreach (var b in body)
            {
                if (b.Kind == MarkdownBlockKind.Heading && b.Level == 3) { result.Add((b, new List<MarkdownBlock>())); continue; }
                if (b.Kind == MarkdownBlockKind.Heading) throw new HelpFormatException(source, b.Line, $"in {section} use '### …' headings, not level {b.Level}.");
                if (result.Count == 0) throw new HelpFormatException(source, b.Line, $"text in {section} must follow a '### …' heading.");
                result[result.Count - 1].Item2.Add(b);
            }
            return result;
        }

        private static void ReadSyntax(CommandHelp help, List<MarkdownBlock> body, string source)
        {
            // A page with a single unnamed set may give the code block without a heading.
            if (body.Count > 0 && body[0].Kind == MarkdownBlockKind.Code)
            {
                foreach (var b in body)
                {
                    if (b.Kind != MarkdownBlockKind.Code) throw new HelpFormatException(source, b.Line, "SYNTAX holds '### Set' headings and code blocks only.");
                    help.Syntax.Add(new SyntaxBlock("", true, b.Text));
                }
                return;
            }
            foreach (var (heading, blocks) in Subsections(body, source, "SYNTAX"))
            {
                string name = heading.Text;
                bool isDefault = false;
                const string marker = "(Default)";
                if (name.EndsWith(marker, StringComparison.OrdinalIgnoreCase))
                {
                    isDefault = true;
                    name = name.Substring(0, name.Length - marker.Length).Trim();
                }
                var code = blocks.Where(b => b.Kind == MarkdownBlockKind.Code).ToList();
                if (code.Count != 1 || blocks.Count != 1) throw new HelpFormatException(source, heading.Line, $"the syntax of set '{name}' is one code block.");
                help.Syntax.Add(new SyntaxBlock(name, isDefault, code[0].Text));
            }
        }

        private static void ReadExamples(CommandHelp help, List<MarkdownBlock> body, string source)
        {
            foreach (var (heading, blocks) in Subsections(body, source, "EXAMPLES"))
            {
                var example = new ExampleHelp(heading.Text);
                foreach (var b in blocks)
                {
                    if (b.Kind == MarkdownBlockKind.Code) example.Code.Add(new ExampleCode(b.Info, b.Text));
                    else if (example.Code.Count == 0) example.Introduction.AddRange(Paragraphs(new[] { b }, source));
                    else example.Remarks.AddRange(Paragraphs(new[] { b }, source));
                }
                if (example.Code.Count == 0) throw new HelpFormatException(source, heading.Line, $"the example '{heading.Text}' has no code block.");
                help.Examples.Add(example);
            }
        }

        private static void ReadParameters(CommandHelp help, List<MarkdownBlock> body, string source)
        {
            foreach (var (heading, blocks) in Subsections(body, source, "PARAMETERS"))
            {
                string title = heading.Text;
                if (string.Equals(title, "CommonParameters", StringComparison.OrdinalIgnoreCase) || title == "<CommonParameters>")
                {
                    help.CommonParameters = true;
                    continue;
                }
                if (string.Equals(title.Trim('<', '>'), "WorkflowCommonParameters", StringComparison.OrdinalIgnoreCase)) continue;
                if (!title.StartsWith("-", StringComparison.Ordinal) || title.Length < 2 || title.Contains(" "))
                    throw new HelpFormatException(source, heading.Line, $"a parameter heading is '### -Name', found '### {title}'.");
                var parameter = new ParameterHelp(title.Substring(1));
                if (help.Parameter(parameter.Name) != null) throw new HelpFormatException(source, heading.Line, $"the parameter -{parameter.Name} is documented twice.");
                foreach (var b in blocks)
                {
                    if (b.Kind == MarkdownBlockKind.Code && string.Equals(b.Info, "yaml", StringComparison.OrdinalIgnoreCase))
                        parameter.Metadata.Add(ReadYaml(b, source));
                    else if (parameter.Metadata.Count == 0)
                        parameter.Description.AddRange(Paragraphs(new[] { b }, source));
                    else
                        throw new HelpFormatException(source, b.Line, $"the description of -{parameter.Name} goes before its yaml block.");
                }
                if (parameter.Metadata.Count == 0) throw new HelpFormatException(source, heading.Line, $"-{parameter.Name} has no ```yaml block.");
                help.Parameters.Add(parameter);
            }
        }

        private static ParameterYaml ReadYaml(MarkdownBlock block, string source)
        {
            var m = new ParameterYaml { Line = block.Line };
            var lines = block.Text.Split('\n');
            for (int k = 0; k < lines.Length; k++)
            {
                string line = lines[k];
                if (line.Trim().Length == 0) continue;
                int colon = line.IndexOf(':');
                int lineNo = block.Line + 1 + k;
                if (colon <= 0) throw new HelpFormatException(source, lineNo, $"yaml line '{line}' is not 'Key: value'.");
                string key = line.Substring(0, colon).Trim().ToLowerInvariant();
                string value = line.Substring(colon + 1).Trim();
                switch (key)
                {
                    case "type": m.Type = value; break;
                    case "parameter sets": m.ParameterSets.AddRange(List(value)); break;
                    case "aliases": m.Aliases.AddRange(List(value)); break;
                    case "accepted values": m.AcceptedValues.AddRange(List(value)); break;
                    case "required": m.Required = Bool(value, source, lineNo); break;
                    case "position":
                        if (!string.Equals(value, "Named", StringComparison.OrdinalIgnoreCase) && !int.TryParse(value, out _))
                            throw new HelpFormatException(source, lineNo, $"Position is a number or Named, not '{value}'.");
                        m.Position = string.Equals(value, "Named", StringComparison.OrdinalIgnoreCase) ? "Named" : value;
                        break;
                    case "default value": m.DefaultValue = value.Length == 0 ? "None" : value; break;
                    case "accept pipeline input": m.PipelineInput = value.Length == 0 ? "False" : value; break;
                    case "accept wildcard characters": m.Globbing = Bool(value, source, lineNo); break;
                    case "applicable": break; // PlatyPS's "Applicable:" (product versions) carries nothing for Get-Help.
                    default: throw new HelpFormatException(source, lineNo, $"unknown yaml key '{line.Substring(0, colon).Trim()}'.");
                }
            }
            if (m.Type.Length == 0) throw new HelpFormatException(source, block.Line, "the yaml block has no Type.");
            return m;
        }

        private static IEnumerable<string> List(string value) =>
            value.Split(',').Select(s => s.Trim()).Where(s => s.Length > 0);

        private static bool Bool(string value, string source, int line)
        {
            if (string.Equals(value, "True", StringComparison.OrdinalIgnoreCase)) return true;
            if (string.Equals(value, "False", StringComparison.OrdinalIgnoreCase)) return false;
            throw new HelpFormatException(source, line, $"expected True or False, found '{value}'.");
        }

        private static void ReadTypes(List<TypeHelp> types, List<MarkdownBlock> body, string source)
        {
            foreach (var (heading, blocks) in Subsections(body, source, "INPUTS/OUTPUTS"))
            {
                var t = new TypeHelp(heading.Text);
                t.Description.AddRange(Paragraphs(blocks, source));
                types.Add(t);
            }
        }

        private static void ReadLinks(CommandHelp help, List<MarkdownBlock> body)
        {
            foreach (var b in body)
            {
                var matches = Link.Matches(b.Text);
                if (matches.Count == 0)
                {
                    if (b.Text.Trim().Length > 0) help.RelatedLinks.Add(new LinkHelp(b.Text.Trim(), ""));
                    continue;
                }
                foreach (Match match in matches)
                    help.RelatedLinks.Add(new LinkHelp(match.Groups["text"].Value, match.Groups["uri"].Value));
            }
        }
    }
}
