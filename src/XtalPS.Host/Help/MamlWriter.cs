using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Xml;

namespace XtalPS.Host.Help
{
    /// <summary>
    /// Writes cmdlet help as the MAML XML that PowerShell's Get-Help reads from <c>&lt;Assembly&gt;-Help.xml</c>:
    /// one command:command per cmdlet with details, description, syntax (one item per parameter set),
    /// parameters, input types, return values, notes (alertSet), examples and related links.
    /// Deterministic: commands sorted by name, UTF-8 without BOM, LF line ends, two-space indentation.
    /// </summary>
    public static class MamlWriter
    {
        private const string Msh = "http://msh";
        private const string Maml = "http://schemas.microsoft.com/maml/2004/10";
        private const string Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
        private const string Dev = "http://schemas.microsoft.com/maml/dev/2004/10";
        private const string MSHelp = "http://msdn.microsoft.com/mshelp";

        public static readonly Encoding Utf8 = new UTF8Encoding(false);

        /// <summary>The MAML document as text (LF line ends, final newline).</summary>
        public static string Write(IEnumerable<CommandHelp> commands)
        {
            using var stream = new MemoryStream();
            Write(commands, stream);
            return Utf8.GetString(stream.ToArray());
        }

        public static void Write(IEnumerable<CommandHelp> commands, Stream stream)
        {
            var settings = new XmlWriterSettings
            {
                Encoding = Utf8,
                Indent = true,
                IndentChars = "  ",
                NewLineChars = "\n",
                NewLineHandling = NewLineHandling.Replace,
                OmitXmlDeclaration = false,
                CloseOutput = false,
            };
            using (var w = XmlWriter.Create(stream, settings))
            {
                w.WriteStartDocument();
                w.WriteStartElement("helpItems", Msh);
                w.WriteAttributeString("schema", "maml");
                foreach (var c in commands.OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase).ThenBy(c => c.Name, StringComparer.Ordinal))
                    WriteCommand(w, c);
                w.WriteEndElement();
                w.WriteEndDocument();
            }
            stream.WriteByte((byte)'\n');
        }

        private static void WriteCommand(XmlWriter w, CommandHelp c)
        {
            w.WriteStartElement("command", "command", Command);
            w.WriteAttributeString("xmlns", "maml", null, Maml);
            w.WriteAttributeString("xmlns", "command", null, Command);
            w.WriteAttributeString("xmlns", "dev", null, Dev);
            w.WriteAttributeString("xmlns", "MSHelp", null, MSHelp);

            w.WriteStartElement("command", "details", Command);
            w.WriteElementString("command", "name", Command, c.Name);
            w.WriteElementString("command", "verb", Command, c.Verb);
            w.WriteElementString("command", "noun", Command, c.Noun);
            Description(w, c.Synopsis);
            w.WriteEndElement();

            Description(w, c.Description);
            WriteSyntax(w, c);

            w.WriteStartElement("command", "parameters", Command);
            foreach (var p in c.Parameters)
                WriteParameter(w, p, p.Metadata[0], inSyntax: false);
            w.WriteEndElement();

            WriteTypes(w, "inputTypes", "inputType", c.Inputs);
            WriteTypes(w, "returnValues", "returnValue", c.Outputs);

            w.WriteStartElement("maml", "alertSet", Maml);
            w.WriteStartElement("maml", "alert", Maml);
            Paras(w, c.Notes);
            w.WriteEndElement();
            w.WriteEndElement();

            w.WriteStartElement("command", "examples", Command);
            for (int i = 0; i < c.Examples.Count; i++)
            {
                var e = c.Examples[i];
                w.WriteStartElement("command", "example", Command);
                w.WriteElementString("maml", "title", Maml, ExampleTitle(e.Title, i + 1));
                if (e.Introduction.Count > 0)
                {
                    w.WriteStartElement("maml", "introduction", Maml);
                    Paras(w, e.Introduction);
                    w.WriteEndElement();
                }
                w.WriteElementString("dev", "code", Dev, string.Join("\n\n", e.Code.Select(x => x.Text)));
                w.WriteStartElement("dev", "remarks", Dev);
                Paras(w, e.Remarks);
                w.WriteEndElement();
                w.WriteEndElement();
            }
            w.WriteEndElement();

            w.WriteStartElement("command", "relatedLinks", Command);
            if (c.OnlineVersion.Length > 0) Link(w, "Online Version:", c.OnlineVersion);
            foreach (var l in c.RelatedLinks)
                Link(w, l.Text, IsAbsoluteUri(l.Uri) ? l.Uri : "");
            w.WriteEndElement();

            w.WriteEndElement();
        }

        private static void WriteSyntax(XmlWriter w, CommandHelp c)
        {
            w.WriteStartElement("command", "syntax", Command);
            var sets = c.ParameterSetNames();
            if (sets.Count == 0) sets = new[] { "" };
            foreach (var set in sets)
            {
                var members = new List<(ParameterHelp P, ParameterYaml M, int Order)>();
                for (int i = 0; i < c.Parameters.Count; i++)
                {
                    var p = c.Parameters[i];
                    var m = set.Length == 0 ? p.Metadata[0] : p.In(set);
                    if (m != null) members.Add((p, m, i));
                }
                // As Get-Command -Syntax lists them: positional by position, then mandatory, then the rest.
                var ordered = members
                    .OrderBy(x => x.M.IsNamed ? 1 : 0)
                    .ThenBy(x => x.M.IsNamed ? 0 : int.Parse(x.M.Position, System.Globalization.CultureInfo.InvariantCulture))
                    .ThenBy(x => x.M.IsNamed && x.M.Required ? 0 : 1)
                    .ThenBy(x => x.Order);
                w.WriteStartElement("command", "syntaxItem", Command);
                w.WriteElementString("maml", "name", Maml, c.Name);
                foreach (var x in ordered) WriteParameter(w, x.P, x.M, inSyntax: true);
                w.WriteEndElement();
            }
            w.WriteEndElement();
        }

        private static void WriteParameter(XmlWriter w, ParameterHelp p, ParameterYaml m, bool inSyntax)
        {
            bool array = m.Type.EndsWith("[]", StringComparison.Ordinal);
            w.WriteStartElement("command", "parameter", Command);
            w.WriteAttributeString("required", m.Required ? "true" : "false");
            w.WriteAttributeString("variableLength", array ? "true" : "false");
            w.WriteAttributeString("globbing", m.Globbing ? "true" : "false");
            w.WriteAttributeString("pipelineInput", m.PipelineInput);
            w.WriteAttributeString("position", m.IsNamed ? "named" : m.Position);
            w.WriteAttributeString("aliases", m.Aliases.Count == 0 ? "none" : string.Join(", ", m.Aliases));
            w.WriteElementString("maml", "name", Maml, p.Name);
            Description(w, p.Description);
            if (inSyntax && m.AcceptedValues.Count > 0)
            {
                w.WriteStartElement("command", "parameterValueGroup", Command);
                foreach (var v in m.AcceptedValues)
                {
                    w.WriteStartElement("command", "parameterValue", Command);
                    w.WriteAttributeString("required", "false");
                    w.WriteAttributeString("command", "variableLength", Command, "false");
                    w.WriteString(v);
                    w.WriteEndElement();
                }
                w.WriteEndElement();
            }
            else if (!(inSyntax && m.IsSwitch))
            {
                w.WriteStartElement("command", "parameterValue", Command);
                w.WriteAttributeString("required", m.IsSwitch ? "false" : "true");
                w.WriteAttributeString("variableLength", array ? "true" : "false");
                w.WriteString(m.Type);
                w.WriteEndElement();
            }
            w.WriteStartElement("dev", "type", Dev);
            w.WriteElementString("maml", "name", Maml, m.Type);
            w.WriteElementString("maml", "uri", Maml, "");
            w.WriteEndElement();
            w.WriteElementString("dev", "defaultValue", Dev, m.DefaultValue);
            w.WriteEndElement();
        }

        private static void WriteTypes(XmlWriter w, string listName, string itemName, List<TypeHelp> types)
        {
            w.WriteStartElement("command", listName, Command);
            foreach (var t in types)
            {
                w.WriteStartElement("command", itemName, Command);
                w.WriteStartElement("dev", "type", Dev);
                w.WriteElementString("maml", "name", Maml, t.TypeName);
                w.WriteEndElement();
                Description(w, t.Description);
                w.WriteEndElement();
            }
            w.WriteEndElement();
        }

        private static void Link(XmlWriter w, string text, string uri)
        {
            w.WriteStartElement("maml", "navigationLink", Maml);
            w.WriteElementString("maml", "linkText", Maml, text);
            w.WriteElementString("maml", "uri", Maml, uri);
            w.WriteEndElement();
        }

        private static void Description(XmlWriter w, List<string> paragraphs)
        {
            w.WriteStartElement("maml", "description", Maml);
            Paras(w, paragraphs);
            w.WriteEndElement();
        }

        private static void Paras(XmlWriter w, List<string> paragraphs)
        {
            foreach (var p in paragraphs) w.WriteElementString("maml", "para", Maml, p);
        }

        /// <summary>The dashed banner Get-Help shows above an example, around the markdown title.</summary>
        private static string ExampleTitle(string title, int number)
        {
            string t = title.Trim();
            if (t.Length == 0) t = "Example " + number;
            return "-------------------------- " + t + " --------------------------";
        }

        private static bool IsAbsoluteUri(string uri) =>
            uri.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || uri.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
    }
}
