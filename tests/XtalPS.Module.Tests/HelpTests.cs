using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using XtalPS.Host.Help;
using Xunit;

namespace XtalPS.Module.Tests
{
    /// <summary>
    /// docs/ is the source of the help; these tests keep it, the committed en-US help files and the cmdlets in
    /// step. They iterate over whatever the module exports, so they hold as cmdlets are added.
    /// </summary>
    [Collection(EngineCollection.Name)]
    public class HelpTests
    {
        private const string HelpFileName = "XtalPS.dll-Help.xml";
        private readonly EngineFixture _e;
        public HelpTests(EngineFixture e) { _e = e; }

        private string Docs => Path.Combine(_e.RepoRoot, "docs");
        private string EnUs => Path.Combine(_e.ModulePath, "en-US");

        private string[] ExportedCmdlets() =>
            _e.InvokeOk("(Get-Module XtalPS).ExportedCmdlets.Keys").Select(o => o.BaseObject.ToString()!).OrderBy(n => n, StringComparer.Ordinal).ToArray();

        private static HashSet<string> CommonParameters() =>
            new HashSet<string>(Cmdlet.CommonParameters, StringComparer.OrdinalIgnoreCase);

        private CmdletInfo Command(string name) => (CmdletInfo)_e.InvokeOk("Get-Command -Name $args[0] -Module XtalPS", name).Single().BaseObject;

        // ---- the committed help is what the compiler makes from docs/ ----

        [Fact]
        public void Committed_MAML_help_is_what_the_compiler_makes_from_docs()
        {
            string expected = HelpCompiler.CompileMaml(Docs, HelpFileName);
            string path = Path.Combine(EnUs, HelpFileName);
            Assert.True(File.Exists(path), $"{path} is missing; run: XtalPS.Host -CompileHelp docs module/XtalPS/en-US/{HelpFileName}");
            string committed = File.ReadAllText(path, new UTF8Encoding(false));
            Assert.True(expected == committed,
                $"{path} is out of step with docs/ (first difference at character {FirstDifference(expected, committed)}); " +
                $"run: XtalPS.Host -CompileHelp docs module/XtalPS/en-US/{HelpFileName}");
        }

        [Fact]
        public void Committed_about_topics_are_what_the_compiler_makes_from_docs()
        {
            var topics = HelpCompiler.AboutTopics(Docs);
            Assert.Contains(topics, t => Path.GetFileName(t) == "about_XtalPS.md");
            foreach (var topic in topics)
            {
                var (name, text) = HelpCompiler.CompileAbout(topic);
                string path = Path.Combine(EnUs, name + ".help.txt");
                Assert.True(File.Exists(path), $"{path} is missing; run XtalPS.Host -CompileHelp.");
                Assert.True(text == File.ReadAllText(path), $"{path} is out of step with {topic}; run XtalPS.Host -CompileHelp.");
                Assert.All(text.Split('\n').Where(l => !l.StartsWith("        ", StringComparison.Ordinal)),
                    l => Assert.True(l.Length <= AboutTopicWriter.Width, $"line longer than {AboutTopicWriter.Width}: '{l}'"));
            }
        }

        [Fact]
        public void The_MAML_is_deterministic_UTF8_without_BOM_LF_and_one_command_per_page()
        {
            string a = HelpCompiler.CompileMaml(Docs, HelpFileName);
            string b = HelpCompiler.CompileMaml(Docs, HelpFileName);
            Assert.Equal(a, b);
            Assert.DoesNotContain('\r', a);
            Assert.EndsWith("</helpItems>\n", a);
            var bytes = File.ReadAllBytes(Path.Combine(EnUs, HelpFileName));
            Assert.False(bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF, "no byte-order mark");
            XNamespace command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
            var names = XDocument.Parse(a).Descendants(command + "details").Select(d => d.Element(command + "name")!.Value).ToArray();
            var pages = HelpCompiler.CommandPages(Docs).Select(Path.GetFileNameWithoutExtension).OrderBy(n => n, StringComparer.OrdinalIgnoreCase).ToArray();
            Assert.Equal(pages, names);
        }

        [Fact]
        public void A_script_in_the_engine_can_compile_the_help_to_a_folder()
        {
            var dir = Directory.CreateTempSubdirectory("xtalps_help_").FullName;
            try
            {
                var written = _e.InvokeOk("[XtalPS.Host.Help.HelpCompiler]::Compile($args[0], (Join-Path $args[1] 'XtalPS.dll-Help.xml'))", Docs, dir)
                    .Select(o => Path.GetFileName(o.BaseObject.ToString()!)).ToArray();
                Assert.Contains(HelpFileName, written);
                Assert.Contains("about_XtalPS.help.txt", written);
                Assert.Equal(File.ReadAllBytes(Path.Combine(EnUs, HelpFileName)), File.ReadAllBytes(Path.Combine(dir, HelpFileName)));
                Assert.Equal(File.ReadAllBytes(Path.Combine(EnUs, "about_XtalPS.help.txt")), File.ReadAllBytes(Path.Combine(dir, "about_XtalPS.help.txt")));
                Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
            }
            finally { Directory.Delete(dir, true); }
        }

        // ---- Get-Help shows complete help for every exported cmdlet ----

        [Fact]
        public void GetHelp_Full_shows_synopsis_description_examples_and_every_parameter_of_every_exported_cmdlet()
        {
            var common = CommonParameters();
            var problems = new List<string>();
            foreach (var name in ExportedCmdlets())
            {
                var h = _e.InvokeOk(@"
                    $h = Get-Help -Name $args[0] -Full
                    [pscustomobject]@{
                        Synopsis    = ""$($h.Synopsis)"".Trim()
                        Description = (@($h.description | ForEach-Object Text) -join ""`n"").Trim()
                        Examples    = @($h.examples.example | Where-Object { ""$($_.code)"".Trim().Length -gt 0 }).Count
                        Parameters  = @($h.parameters.parameter | ForEach-Object { '{0}={1}' -f $_.name, (@($_.description | ForEach-Object Text) -join ' ').Trim() })
                    }", name).Single();
                string synopsis = (string)h.Properties["Synopsis"].Value;
                // Without a help file Get-Help makes the synopsis up from the syntax; that does not count.
                if (synopsis.Length == 0 || synopsis.Contains("<CommonParameters>") || synopsis.StartsWith(name + " ", StringComparison.Ordinal))
                    problems.Add($"{name}: no synopsis from the help file (got '{synopsis}')");
                if (((string)h.Properties["Description"].Value).Length == 0) problems.Add($"{name}: no description");
                if ((int)h.Properties["Examples"].Value < 1) problems.Add($"{name}: no example");
                var raw = h.Properties["Parameters"].Value;
                var documented = ((object[])(raw is PSObject pso ? pso.BaseObject : raw))
                    .Select(o => o.ToString()!.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.OrdinalIgnoreCase);
                foreach (var p in Command(name).Parameters.Keys.Where(k => !common.Contains(k)))
                {
                    if (!documented.TryGetValue(p, out var text)) problems.Add($"{name} -{p}: not in Get-Help -Full");
                    else if (text.Length == 0) problems.Add($"{name} -{p}: empty description in Get-Help -Full");
                }
            }
            Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        }

        [Fact]
        public void GetHelp_about_XtalPS_returns_the_about_text()
        {
            var result = _e.InvokeOk("Get-Help about_XtalPS");
            string text = string.Join("\n", result.Select(o => o.BaseObject.ToString())).Replace("\r\n", "\n");
            string file = File.ReadAllText(Path.Combine(EnUs, "about_XtalPS.help.txt")).Replace("\r\n", "\n");
            Assert.Equal(file.Trim(), text.Trim());
            Assert.Contains("SHORT DESCRIPTION", text);
            Assert.Contains("(0.5, 0.5)", text);
        }

        // ---- docs pages match the cmdlets ----

        [Fact]
        public void Every_exported_cmdlet_has_a_page_that_documents_exactly_its_parameters_with_their_real_metadata()
        {
            var common = CommonParameters();
            var problems = new List<string>();
            foreach (var name in ExportedCmdlets())
            {
                string page = Path.Combine(Docs, name + ".md");
                if (!File.Exists(page)) { problems.Add($"{name}: no page docs/{name}.md"); continue; }
                var help = PlatyPSMarkdownReader.ReadFile(page);
                if (help.Name != name) problems.Add($"{page}: the title is '{help.Name}', not '{name}'");
                if (help.ExternalHelpFile != HelpFileName) problems.Add($"{page}: external help file is '{help.ExternalHelpFile}', not {HelpFileName}");
                if (help.ModuleName != "XtalPS") problems.Add($"{page}: Module Name is '{help.ModuleName}', not XtalPS");
                if (!help.CommonParameters) problems.Add($"{page}: no '### CommonParameters' entry");
                if (help.Synopsis.Count == 0 || help.Description.Count == 0) problems.Add($"{page}: SYNOPSIS or DESCRIPTION is empty");
                if (help.Outputs.Count == 0 || help.Inputs.Count == 0) problems.Add($"{page}: INPUTS or OUTPUTS is empty");

                var info = Command(name);
                var real = info.Parameters.Values.Where(p => !common.Contains(p.Name)).ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
                foreach (var p in real.Keys.Where(k => help.Parameter(k) == null)) problems.Add($"{page}: -{p} is not documented");
                foreach (var p in help.Parameters.Where(p => !real.ContainsKey(p.Name))) problems.Add($"{page}: documents -{p.Name}, which {name} does not have");
                foreach (var doc in help.Parameters.Where(p => real.ContainsKey(p.Name)))
                {
                    if (doc.Name != real[doc.Name].Name) problems.Add($"{page}: -{doc.Name} is spelled -{real[doc.Name].Name}");
                    if (doc.Description.Count == 0) problems.Add($"{page}: -{doc.Name} has no description");
                    problems.AddRange(CompareMetadata(page, doc, real[doc.Name], info));
                }
            }
            Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        }

        /// <summary>The yaml block against the engine's parameter metadata and the cmdlet's initial property values.</summary>
        private static IEnumerable<string> CompareMetadata(string page, ParameterHelp doc, ParameterMetadata real, CmdletInfo info)
        {
            string where = $"{Path.GetFileName(page)} -{doc.Name}";
            if (doc.Metadata.Count != 1) { yield return $"{where}: expected one yaml block"; yield break; }
            var m = doc.Metadata[0];
            var type = real.ParameterType;
            if (!string.Equals(m.Type, type.Name, StringComparison.OrdinalIgnoreCase) && !string.Equals(m.Type, type.FullName, StringComparison.OrdinalIgnoreCase))
                yield return $"{where}: Type is '{m.Type}', the parameter is {type.Name}";

            bool all = real.ParameterSets.ContainsKey(ParameterAttribute.AllParameterSets);
            var sets = all ? new[] { ParameterYaml.AllSets } : real.ParameterSets.Keys.OrderBy(s => s, StringComparer.Ordinal).ToArray();
            var docSets = m.ParameterSets.OrderBy(s => s, StringComparer.Ordinal).ToArray();
            if (!sets.SequenceEqual(docSets, StringComparer.OrdinalIgnoreCase))
                yield return $"{where}: Parameter Sets '{string.Join(", ", docSets)}', really '{string.Join(", ", sets)}'";

            var aliases = real.Aliases.OrderBy(a => a, StringComparer.OrdinalIgnoreCase);
            if (!aliases.SequenceEqual(m.Aliases.OrderBy(a => a, StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase))
                yield return $"{where}: Aliases '{string.Join(", ", m.Aliases)}', really '{string.Join(", ", real.Aliases)}'";

            // PlatyPS writes one block for a parameter that looks the same in every set it is in.
            var perSet = real.ParameterSets.Values.ToArray();
            if (perSet.Select(s => (s.IsMandatory, s.Position, s.ValueFromPipeline, s.ValueFromPipelineByPropertyName)).Distinct().Count() != 1)
                yield return $"{where}: differs between parameter sets; document one yaml block per set";
            var s0 = perSet[0];
            if (m.Required != s0.IsMandatory) yield return $"{where}: Required {m.Required}, really {s0.IsMandatory}";
            string position = s0.Position == int.MinValue ? "Named" : s0.Position.ToString(CultureInfo.InvariantCulture);
            if (!string.Equals(m.Position, position, StringComparison.OrdinalIgnoreCase)) yield return $"{where}: Position {m.Position}, really {position}";
            if (m.ByValue != s0.ValueFromPipeline || m.ByPropertyName != s0.ValueFromPipelineByPropertyName
                || m.PipelineInput.StartsWith("True", StringComparison.OrdinalIgnoreCase) != (s0.ValueFromPipeline || s0.ValueFromPipelineByPropertyName))
                yield return $"{where}: Accept pipeline input '{m.PipelineInput}', really ByValue={s0.ValueFromPipeline} ByPropertyName={s0.ValueFromPipelineByPropertyName}";

            bool wildcards = real.Attributes.OfType<SupportsWildcardsAttribute>().Any();
            if (m.Globbing != wildcards) yield return $"{where}: Accept wildcard characters {m.Globbing}, really {wildcards}";

            // PlatyPS lists a [ValidateSet] or, for an enum parameter, the enum's names as "Accepted values".
            var enumType = type.IsArray ? type.GetElementType()! : type;
            var validSet = real.Attributes.OfType<ValidateSetAttribute>().SelectMany(v => v.ValidValues).ToArray();
            if (validSet.Length == 0 && enumType.IsEnum) validSet = Enum.GetNames(enumType);
            validSet = validSet.OrderBy(v => v, StringComparer.Ordinal).ToArray();
            if (!validSet.SequenceEqual(m.AcceptedValues.OrderBy(v => v, StringComparer.Ordinal)))
                yield return $"{where}: Accepted values '{string.Join(", ", m.AcceptedValues)}', really '{string.Join(", ", validSet)}'";

            string? defaultProblem = CompareDefault(m.DefaultValue, info.ImplementingType, real);
            if (defaultProblem != null) yield return $"{where}: {defaultProblem}";
        }

        /// <summary>The documented default against the value a new cmdlet object holds before binding.</summary>
        private static string? CompareDefault(string documented, Type cmdletType, ParameterMetadata real)
        {
            var property = cmdletType.GetProperty(real.Name);
            if (property == null)
                return real.SwitchParameter && documented != "False" ? $"Default value '{documented}', a switch defaults to False" : null;
            object instance = Activator.CreateInstance(cmdletType)!;
            object? value;
            try { value = property.GetValue(instance); }
            finally { (instance as IDisposable)?.Dispose(); }
            switch (value)
            {
                case null:
                    return null; // computed or absent: the text may explain it
                case SwitchParameter sw:
                    return documented == (sw.IsPresent ? "True" : "False") ? null : $"Default value '{documented}', really {sw.IsPresent}";
                case string s:
                    return s.Length == 0 ? (documented == "None" ? null : $"Default value '{documented}', really none")
                        : (documented == s ? null : $"Default value '{documented}', really '{s}'");
                case Array array:
                    var items = array.Cast<object>().Select(o => Convert.ToString(o, CultureInfo.InvariantCulture)).ToArray();
                    if (items.Length == 0) return documented == "None" ? null : $"Default value '{documented}', really none";
                    var docItems = documented.Split(',').Select(x => x.Trim()).ToArray();
                    return items.SequenceEqual(docItems) ? null : $"Default value '{documented}', really '{string.Join(", ", items)}'";
                default:
                    string text = Convert.ToString(value, CultureInfo.InvariantCulture)!;
                    bool isZero = value.Equals(Activator.CreateInstance(value.GetType()));
                    return documented == text || (isZero && documented == "None") ? null : $"Default value '{documented}', really '{text}'";
            }
        }

        [Fact]
        public void The_SYNTAX_of_every_page_is_what_GetCommand_Syntax_prints()
        {
            var problems = new List<string>();
            foreach (var name in ExportedCmdlets())
            {
                string page = Path.Combine(Docs, name + ".md");
                if (!File.Exists(page)) continue; // reported by the page test
                var help = PlatyPSMarkdownReader.ReadFile(page);
                var info = Command(name);
                var sets = info.ParameterSets.ToArray();
                string Normal(string s) => Regex.Replace(s, @"\s+", " ").Trim();
                if (sets.Length == 1)
                {
                    string real = Normal(name + " " + sets[0]);
                    if (help.Syntax.Count != 1 || !string.Equals(Normal(help.Syntax[0].Text), real, StringComparison.OrdinalIgnoreCase))
                        problems.Add($"{name}: SYNTAX should be\n  {real}\nbut is\n  {string.Join(" | ", help.Syntax.Select(x => Normal(x.Text)))}");
                    continue;
                }
                foreach (var set in sets)
                {
                    var doc = help.Syntax.FirstOrDefault(x => x.ParameterSet == set.Name);
                    string real = Normal(name + " " + set);
                    if (doc == null) { problems.Add($"{name}: SYNTAX has no '### {set.Name}'"); continue; }
                    if (doc.IsDefault != set.IsDefault) problems.Add($"{name}: '### {set.Name}' is{(set.IsDefault ? "" : " not")} the default set");
                    if (!string.Equals(Normal(doc.Text), real, StringComparison.OrdinalIgnoreCase))
                        problems.Add($"{name} ({set.Name}): SYNTAX should be\n  {real}\nbut is\n  {Normal(doc.Text)}");
                }
                foreach (var extra in help.Syntax.Where(x => sets.All(s => s.Name != x.ParameterSet)))
                    problems.Add($"{name}: SYNTAX documents a set '{extra.ParameterSet}' the cmdlet does not have");
            }
            Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        }

        [Fact]
        public void Every_example_parses_and_uses_real_XtalPS_commands_and_parameters()
        {
            var checker = ScriptCommandChecker.FromEngine(_e);
            var problems = new List<string>();
            var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            int examples = 0;
            foreach (var page in HelpCompiler.CommandPages(Docs))
            {
                var help = PlatyPSMarkdownReader.ReadFile(page);
                foreach (var example in help.Examples)
                {
                    var code = example.Code.Where(c => c.IsPowerShell).ToList();
                    if (code.Count == 0) { problems.Add($"{help.Name} '{example.Title}': no powershell code block"); continue; }
                    foreach (var block in code)
                    {
                        examples++;
                        var ast = ScriptCommandChecker.ParseText(block.Text, $"{help.Name} {example.Title}", out var errors);
                        problems.AddRange(errors.Select(e => $"{help.Name} '{example.Title}' line {e}"));
                        var exampleUsed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                        problems.AddRange(checker.Check(ast, exampleUsed).Select(p => $"{help.Name} '{example.Title}' line {p}"));
                        used.UnionWith(exampleUsed);
                    }
                    if (!example.Code.Where(c => c.IsPowerShell).Any(c => c.Text.IndexOf(help.Name, StringComparison.OrdinalIgnoreCase) >= 0))
                        problems.Add($"{help.Name} '{example.Title}': the example does not use {help.Name}");
                }
            }
            Assert.True(examples > 0);
            Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        }

        [Fact]
        public void Every_error_id_the_cmdlets_write_is_documented()
        {
            string about = File.ReadAllText(Path.Combine(Docs, "about_XtalPS.md"));
            var problems = new List<string>();
            var all = new HashSet<string>(StringComparer.Ordinal);
            foreach (var file in Directory.GetFiles(Path.Combine(_e.RepoRoot, "src", "XtalPS"), "*.cs", SearchOption.AllDirectories))
            {
                var ids = ErrorIds(File.ReadAllText(file));
                all.UnionWith(ids);
                // A cmdlet's own error ids also belong on its page.
                var cmdlet = Regex.Match(File.ReadAllText(file), @"\[Cmdlet\(Verbs\w+\.(?<verb>\w+),\s*""(?<noun>\w+)""");
                if (!cmdlet.Success) continue;
                string page = Path.Combine(Docs, $"{cmdlet.Groups["verb"].Value}-{cmdlet.Groups["noun"].Value}.md");
                if (!File.Exists(page)) continue; // reported by the page test
                string text = File.ReadAllText(page);
                foreach (var id in ids.Where(id => !Regex.IsMatch(text, $@"\b{id}\b")))
                    problems.Add($"{Path.GetFileName(page)} does not mention the error id {id}, which {Path.GetFileName(file)} writes");
            }
            // Ids that XtalPS.Core raises inside exceptions with an ErrorId (SpotFindingException, …) and the cmdlets
            // pass on as the ErrorRecord's id: new SomethingException("TheId", …).
            var carriers = typeof(XtalPS.Spots.SpotList).Assembly.GetTypes()
                .Where(t => typeof(Exception).IsAssignableFrom(t) && t.GetProperty("ErrorId")?.PropertyType == typeof(string))
                .Select(t => t.Name).ToArray();
            foreach (var file in Directory.GetFiles(Path.Combine(_e.RepoRoot, "src", "XtalPS.Core"), "*.cs", SearchOption.AllDirectories))
            {
                string source = File.ReadAllText(file);
                foreach (var carrier in carriers)
                    foreach (Match m in Regex.Matches(source, $@"new\s+{carrier}\s*\(\s*""(?<id>[A-Z][A-Za-z0-9]+)"""))
                        all.Add(m.Groups["id"].Value);
            }
            Assert.Contains("TooManyStrongPixels", all);
            Assert.Contains("InvalidImageData", all);
            Assert.Contains("FileExists", all);
            foreach (var id in all.Where(id => !Regex.IsMatch(about, $@"\b{id}\b")))
                problems.Add($"about_XtalPS.md does not list the error id {id}");
            Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        }

        /// <summary>Error ids in C# source: plain PascalCase string literals in statements whose code builds an ErrorRecord.</summary>
        public static HashSet<string> ErrorIds(string source)
        {
            var ids = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (code, literals) in Statements(source))
                if (code.Contains("ErrorRecord"))
                    foreach (var literal in literals.Where(l => Regex.IsMatch(l, "^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+$")))
                        ids.Add(literal);
            return ids;
        }

        /// <summary>
        /// Splits C# source at the semicolons that end statements (not those inside strings or comments); for each
        /// statement, its code without string contents and the values of its plain (not interpolated, not verbatim)
        /// string literals.
        /// </summary>
        private static IEnumerable<(string Code, List<string> Literals)> Statements(string source)
        {
            var code = new StringBuilder();
            var literals = new List<string>();
            int i = 0, n = source.Length;
            while (i < n)
            {
                char c = source[i];
                if (c == '/' && i + 1 < n && source[i + 1] == '/') { while (i < n && source[i] != '\n') i++; continue; }
                if (c == '/' && i + 1 < n && source[i + 1] == '*') { int end = source.IndexOf("*/", i + 2, StringComparison.Ordinal); i = end < 0 ? n : end + 2; continue; }
                if (c == '\'') { i++; while (i < n && source[i] != '\'') { if (source[i] == '\\') i++; i++; } i++; continue; }
                if (c == '"' || ((c == '$' || c == '@') && i + 1 < n && (source[i + 1] == '"' || ((source[i + 1] == '$' || source[i + 1] == '@') && i + 2 < n && source[i + 2] == '"'))))
                {
                    bool verbatim = false, interpolated = false;
                    while (source[i] != '"') { verbatim |= source[i] == '@'; interpolated |= source[i] == '$'; i++; }
                    i++;
                    var value = new StringBuilder();
                    while (i < n)
                    {
                        if (verbatim && source[i] == '"' && i + 1 < n && source[i + 1] == '"') { value.Append('"'); i += 2; continue; }
                        if (!verbatim && source[i] == '\\' && i + 1 < n) { value.Append(source[i + 1]); i += 2; continue; }
                        if (source[i] == '"') { i++; break; }
                        value.Append(source[i]);
                        i++;
                    }
                    if (!verbatim && !interpolated) literals.Add(value.ToString());
                    code.Append("\"\"");
                    continue;
                }
                if (c == ';' || c == '{' || c == '}')
                {
                    yield return (code.ToString(), literals);
                    code.Clear();
                    literals = new List<string>();
                    i++;
                    continue;
                }
                code.Append(c);
                i++;
            }
            yield return (code.ToString(), literals);
        }

        // ---- the compiler itself ----

        private const string MinimalPage = @"---
external help file: Demo-Help.xml
Module Name: Demo
---

# Get-Thing

## SYNOPSIS
Gets things.

## SYNTAX

### ByName (Default)
```
Get-Thing [-Name] <string> [-Force] [<CommonParameters>]
```

### ById
```
Get-Thing -Id <int> [-Force] [<CommonParameters>]
```

## DESCRIPTION
First paragraph
continues here.

- item one
- item two

## EXAMPLES

### Example 1: One
```powershell
Get-Thing x
```

It gets x.

## PARAMETERS

### -Force
Forces it.

```yaml
Type: SwitchParameter
Parameter Sets: (All)
Aliases: f

Required: False
Position: Named
Default value: False
Accept pipeline input: False
Accept wildcard characters: False
```

### -Id
The id.

```yaml
Type: Int32
Parameter Sets: ById
Aliases:

Required: True
Position: Named
Default value: None
Accept pipeline input: True (ByPropertyName)
Accept wildcard characters: False
```

### -Name
The name & more <stuff>.

```yaml
Type: String
Parameter Sets: ByName
Aliases:

Required: True
Position: 0
Default value: None
Accept pipeline input: True (ByValue)
Accept wildcard characters: True
```

### CommonParameters
Ignored.

## INPUTS

### System.String

## OUTPUTS

### Demo.Thing
A thing.

## NOTES
A note.

## RELATED LINKS

[Online](https://example.org/thing)

[Other-Thing](Other-Thing.md)
";

        [Fact]
        public void The_reader_builds_the_model_of_a_page()
        {
            var help = PlatyPSMarkdownReader.Read(MinimalPage, "Get-Thing.md");
            Assert.Equal("Get", help.Verb);
            Assert.Equal("Thing", help.Noun);
            Assert.Equal(new[] { "First paragraph continues here.", "- item one", "- item two" }, help.Description);
            Assert.Equal(new[] { "ByName", "ById" }, help.ParameterSetNames());
            Assert.True(help.Syntax[0].IsDefault);
            Assert.True(help.CommonParameters);
            var name = help.Parameter("name")!;
            Assert.Equal("0", name.Metadata[0].Position);
            Assert.True(name.Metadata[0].Globbing && name.Metadata[0].ByValue && !name.Metadata[0].ByPropertyName);
            Assert.Equal(new[] { "f" }, help.Parameter("Force")!.Metadata[0].Aliases);
            Assert.Equal("It gets x.", Assert.Single(help.Examples).Remarks.Single());
            Assert.Equal("Get-Thing x", help.Examples[0].Code.Single().Text);
            Assert.Equal(2, help.RelatedLinks.Count);
        }

        [Fact]
        public void The_MAML_has_one_syntax_item_per_set_with_positional_then_mandatory_then_optional_parameters()
        {
            var xml = MamlWriter.Write(new[] { PlatyPSMarkdownReader.Read(MinimalPage, "Get-Thing.md") });
            XNamespace maml = "http://schemas.microsoft.com/maml/2004/10", command = "http://schemas.microsoft.com/maml/dev/command/2004/10",
                dev = "http://schemas.microsoft.com/maml/dev/2004/10";
            var doc = XDocument.Parse(xml);
            var items = doc.Descendants(command + "syntaxItem").ToArray();
            Assert.Equal(2, items.Length);
            Assert.Equal(new[] { "Name", "Force" }, items[0].Elements(command + "parameter").Select(p => p.Element(maml + "name")!.Value));
            Assert.Equal(new[] { "Id", "Force" }, items[1].Elements(command + "parameter").Select(p => p.Element(maml + "name")!.Value));
            // A switch has no value in the syntax, but its type in the parameter list.
            Assert.Null(items[0].Elements(command + "parameter").Last().Element(command + "parameterValue"));
            var parameters = doc.Descendants(command + "parameters").Single().Elements(command + "parameter").ToArray();
            Assert.Equal(new[] { "Force", "Id", "Name" }, parameters.Select(p => p.Element(maml + "name")!.Value));
            var nameParam = parameters[2];
            Assert.Equal("true", nameParam.Attribute("required")!.Value);
            Assert.Equal("true", nameParam.Attribute("globbing")!.Value);
            Assert.Equal("0", nameParam.Attribute("position")!.Value);
            Assert.Equal("True (ByValue)", nameParam.Attribute("pipelineInput")!.Value);
            Assert.Equal("The name & more <stuff>.", nameParam.Element(maml + "description")!.Element(maml + "para")!.Value);
            Assert.Equal("f", parameters[0].Attribute("aliases")!.Value);
            Assert.Equal("none", parameters[1].Attribute("aliases")!.Value);
            Assert.Equal("Demo.Thing", doc.Descendants(command + "returnValue").Single().Element(dev + "type")!.Element(maml + "name")!.Value);
            Assert.Equal("A note.", doc.Descendants(maml + "alert").Single().Element(maml + "para")!.Value);
            var links = doc.Descendants(maml + "navigationLink").ToArray();
            Assert.Equal("https://example.org/thing", links[0].Element(maml + "uri")!.Value);
            Assert.Equal("", links[1].Element(maml + "uri")!.Value); // a relative .md link means nothing in a console
            Assert.Contains("Example 1: One", doc.Descendants(maml + "title").Single().Value);
        }

        [Theory]
        [InlineData("## SYNOPSIS", "## SYNOPSYS", "unknown section")]
        [InlineData("```yaml\nType: Int32", "```\nType: Int32", "has no ```yaml block")]
        [InlineData("Required: True\nPosition: 0", "Required: yes\nPosition: 0", "expected True or False")]
        [InlineData("Accept wildcard characters: True", "Accept wildcards: True", "unknown yaml key")]
        [InlineData("external help file: Demo-Help.xml\n", "", "no 'external help file'")]
        [InlineData("```powershell\nGet-Thing x\n```", "Get-Thing x", "has no code block")]
        public void The_reader_rejects_pages_that_break_the_schema_naming_file_and_line(string from, string to, string message)
        {
            string page = MinimalPage.Replace("\r\n", "\n");
            Assert.Contains(from, page);
            var e = Assert.Throws<HelpFormatException>(() => PlatyPSMarkdownReader.Read(page.Replace(from, to), "Get-Thing.md"));
            Assert.Contains(message, e.Message);
            Assert.StartsWith("Get-Thing.md(", e.Message);
            Assert.True(e.Line >= 1);
        }

        [Fact]
        public void About_topics_wrap_at_80_columns_and_keep_code_as_written()
        {
            string md = "# Demo\n\n## about_Demo\n\n# SHORT DESCRIPTION\nShort.\n\n# LONG DESCRIPTION\n" +
                        string.Join(" ", Enumerable.Repeat("word", 40)) + "\n\n```powershell\n" + new string('x', 90) + "\n```\n\n- a `list` item\n- [link](https://example.org)\n";
            var (name, text) = AboutTopicWriter.Convert(md, "about_Demo.md");
            Assert.Equal("about_Demo", name);
            Assert.StartsWith("TOPIC\n    about_Demo\n\nSHORT DESCRIPTION\n    Short.\n\nLONG DESCRIPTION\n    word word", text);
            Assert.Contains("\n        " + new string('x', 90) + "\n", text);
            Assert.Contains("\n    - a list item\n    - link (https://example.org)\n", text);
            Assert.All(text.Split('\n').Where(l => !l.Contains("xxx")), l => Assert.True(l.Length <= 80, l));
            Assert.Throws<HelpFormatException>(() => AboutTopicWriter.Convert("# Demo\n\n## about_Demo\n\n# LONG DESCRIPTION\nx\n", "about_Demo.md"));
        }

        private static int FirstDifference(string a, string b)
        {
            int n = Math.Min(a.Length, b.Length);
            for (int i = 0; i < n; i++) if (a[i] != b[i]) return i;
            return n;
        }
    }
}
