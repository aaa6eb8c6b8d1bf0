using System;
using System.Collections.Generic;

namespace XtalPS.Host.Help
{
    /// <summary>
    /// The help of one cmdlet as a PlatyPS page states it: the model between the markdown reader and the MAML
    /// writer. Paragraph lists hold one entry per markdown paragraph, list item or code block.
    /// </summary>
    public sealed class CommandHelp
    {
        public CommandHelp(string name, string sourceFile)
        {
            Name = name; SourceFile = sourceFile;
        }

        /// <summary>Verb-Noun.</summary>
        public string Name { get; }
        public string SourceFile { get; }
        public string Verb => Name.IndexOf('-') > 0 ? Name.Substring(0, Name.IndexOf('-')) : Name;
        public string Noun => Name.IndexOf('-') > 0 ? Name.Substring(Name.IndexOf('-') + 1) : "";

        /// <summary>The <c>external help file</c> named in the front matter, e.g. XtalPS.dll-Help.xml.</summary>
        public string ExternalHelpFile { get; set; } = "";
        public string ModuleName { get; set; } = "";
        /// <summary>The <c>online version</c> URL of the front matter (may be empty).</summary>
        public string OnlineVersion { get; set; } = "";

        public List<string> Synopsis { get; } = new List<string>();
        public List<SyntaxBlock> Syntax { get; } = new List<SyntaxBlock>();
        public List<string> Description { get; } = new List<string>();
        public List<ExampleHelp> Examples { get; } = new List<ExampleHelp>();
        public List<ParameterHelp> Parameters { get; } = new List<ParameterHelp>();
        /// <summary>True when the page has the <c>### CommonParameters</c> entry.</summary>
        public bool CommonParameters { get; set; }
        public List<TypeHelp> Inputs { get; } = new List<TypeHelp>();
        public List<TypeHelp> Outputs { get; } = new List<TypeHelp>();
        public List<string> Notes { get; } = new List<string>();
        public List<LinkHelp> RelatedLinks { get; } = new List<LinkHelp>();

        /// <summary>The parameter sets in syntax order (the SYNTAX headings; else as the parameters name them).</summary>
        public IReadOnlyList<string> ParameterSetNames()
        {
            var names = new List<string>();
            foreach (var s in Syntax)
                if (s.ParameterSet.Length > 0 && !names.Contains(s.ParameterSet)) names.Add(s.ParameterSet);
            if (names.Count > 0) return names;
            foreach (var p in Parameters)
                foreach (var m in p.Metadata)
                    foreach (var set in m.ParameterSets)
                        if (set != ParameterYaml.AllSets && !names.Contains(set)) names.Add(set);
            return names;
        }

        public ParameterHelp? Parameter(string name) =>
            Parameters.Find(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

        public override string ToString() => Name;
    }

    /// <summary>One <c>### Set</c> entry of the SYNTAX section: the set, whether it is the default, and the syntax text.</summary>
    public sealed class SyntaxBlock
    {
        public SyntaxBlock(string parameterSet, bool isDefault, string text)
        {
            ParameterSet = parameterSet; IsDefault = isDefault; Text = text;
        }

        public string ParameterSet { get; }
        public bool IsDefault { get; }
        public string Text { get; }
    }

    /// <summary>One example: its title, the text before the code, the code, and the remarks after it.</summary>
    public sealed class ExampleHelp
    {
        public ExampleHelp(string title) { Title = title; }

        public string Title { get; }
        public List<string> Introduction { get; } = new List<string>();
        /// <summary>The code blocks of the example, in order (a <c>powershell</c> block, maybe an <c>Output</c> block).</summary>
        public List<ExampleCode> Code { get; } = new List<ExampleCode>();
        public List<string> Remarks { get; } = new List<string>();
    }

    /// <summary>One fenced block of an example: its info string (language) and text.</summary>
    public sealed class ExampleCode
    {
        public ExampleCode(string language, string text) { Language = language; Text = text; }

        public string Language { get; }
        public string Text { get; }
        public bool IsPowerShell => Language.Length == 0 || string.Equals(Language, "powershell", System.StringComparison.OrdinalIgnoreCase)
                                    || string.Equals(Language, "pwsh", System.StringComparison.OrdinalIgnoreCase)
                                    || string.Equals(Language, "ps1", System.StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>An input or output type and what it means.</summary>
    public sealed class TypeHelp
    {
        public TypeHelp(string typeName) { TypeName = typeName; }

        public string TypeName { get; }
        public List<string> Description { get; } = new List<string>();
    }

    /// <summary>A related link: text and, when there is one, the URI.</summary>
    public sealed class LinkHelp
    {
        public LinkHelp(string text, string uri) { Text = text; Uri = uri; }

        public string Text { get; }
        public string Uri { get; }
    }
}
