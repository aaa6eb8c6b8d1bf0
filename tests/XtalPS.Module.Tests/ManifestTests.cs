using System;
using System.Collections;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using System.Xml.Linq;
using Xunit;

namespace XtalPS.Module.Tests
{
    /// <summary>The shipped manifest and format file against the assembly they describe.</summary>
    [Collection(EngineCollection.Name)]
    public class ManifestTests
    {
        private readonly EngineFixture _e;
        public ManifestTests(EngineFixture e) { _e = e; }

        private string Manifest => Path.Combine(_e.ModulePath, "XtalPS.psd1");

        private Assembly ModuleAssembly() =>
            (Assembly)_e.InvokeOk("(Get-Module XtalPS).ImplementingAssembly").Single().BaseObject;

        /// <summary>Every non-abstract Cmdlet class with a [Cmdlet] attribute in the module assembly, as Verb-Noun.</summary>
        private string[] CmdletClasses() =>
            ModuleAssembly().GetTypes()
                .Where(t => typeof(Cmdlet).IsAssignableFrom(t) && !t.IsAbstract)
                .Select(t => t.GetCustomAttribute<CmdletAttribute>())
                .Where(a => a != null)
                .Select(a => a!.VerbName + "-" + a.NounName)
                .OrderBy(n => n, StringComparer.OrdinalIgnoreCase).ToArray();

        private static string VersionPrefix(string repoRoot)
        {
            var props = XDocument.Load(Path.Combine(repoRoot, "Directory.Build.props"));
            return props.Descendants("VersionPrefix").Single().Value.Trim();
        }

        /// <summary>Versions compared as four numbers, a missing part counting as 0.</summary>
        private static Version Normal(Version v) => new Version(v.Major, v.Minor, Math.Max(0, v.Build), Math.Max(0, v.Revision));

        [Fact]
        public void TestModuleManifest_passes()
        {
            var info = (PSModuleInfo)_e.InvokeOk("Test-ModuleManifest -Path $args[0]", Manifest).Single().BaseObject;
            Assert.Equal("XtalPS", info.Name);
            Assert.Contains("XtalPS.format.ps1xml", info.ExportedFormatFiles.Select(Path.GetFileName));
        }

        [Fact]
        public void ModuleVersion_equals_VersionPrefix_and_the_assembly_version()
        {
            string prefix = VersionPrefix(_e.RepoRoot);
            var data = (Hashtable)_e.InvokeOk("Import-PowerShellDataFile -LiteralPath $args[0]", Manifest).Single().BaseObject;
            Assert.Equal(prefix, (string)data["ModuleVersion"]!);
            var loaded = (Version)_e.InvokeOk("(Get-Module XtalPS).Version").Single().BaseObject;
            Assert.Equal(Normal(Version.Parse(prefix)), Normal(loaded));
            Assert.Equal(Normal(Version.Parse(prefix)), Normal(ModuleAssembly().GetName().Version!));
        }

        [Fact]
        public void CmdletsToExport_is_exactly_the_cmdlet_classes_of_the_assembly()
        {
            var classes = CmdletClasses();
            Assert.NotEmpty(classes);
            var data = (Hashtable)_e.InvokeOk("Import-PowerShellDataFile -LiteralPath $args[0]", Manifest).Single().BaseObject;
            var listed = ((object[])data["CmdletsToExport"]!).Select(o => o.ToString()!).OrderBy(n => n, StringComparer.OrdinalIgnoreCase).ToArray();
            Assert.Equal(classes, listed, StringComparer.OrdinalIgnoreCase);
            Assert.Equal(listed.Length, listed.Distinct(StringComparer.OrdinalIgnoreCase).Count());
            var exported = _e.InvokeOk("(Get-Module XtalPS).ExportedCmdlets.Keys").Select(o => o.BaseObject.ToString()!)
                .OrderBy(n => n, StringComparer.OrdinalIgnoreCase).ToArray();
            Assert.Equal(classes, exported, StringComparer.OrdinalIgnoreCase);
        }

        [Fact]
        public void Every_cmdlet_uses_an_approved_verb()
        {
            var approved = _e.InvokeOk("Get-Verb | ForEach-Object Verb").Select(o => o.BaseObject.ToString()).ToHashSet(StringComparer.OrdinalIgnoreCase);
            Assert.All(CmdletClasses(), name => Assert.Contains(name.Split('-')[0], approved));
        }

        [Fact]
        public void Every_OutputType_has_a_table_view()
        {
            var format = XDocument.Load(Path.Combine(_e.ModulePath, "XtalPS.format.ps1xml"));
            var tableViews = format.Descendants("View")
                .Where(v => v.Element("TableControl") != null)
                .SelectMany(v => v.Element("ViewSelectedBy")!.Elements("TypeName").Select(t => t.Value.Trim()))
                .ToHashSet(StringComparer.OrdinalIgnoreCase);
            var outputTypes = ModuleAssembly().GetTypes()
                .Where(t => typeof(Cmdlet).IsAssignableFrom(t) && !t.IsAbstract)
                .SelectMany(t => t.GetCustomAttributes<OutputTypeAttribute>(true))
                .SelectMany(a => a.Type)
                .Select(t => t.Type?.FullName ?? t.Name)
                .Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
            Assert.NotEmpty(outputTypes);
            foreach (var type in outputTypes)
            {
                if (type.StartsWith("XtalPS.", StringComparison.Ordinal))
                {
                    Assert.True(tableViews.Contains(type), $"XtalPS.format.ps1xml has no table view for {type}");
                    continue;
                }
                // Types of .NET or PowerShell (FileInfo) are formatted by PowerShell's own views.
                var views = _e.InvokeOk("Get-FormatData -TypeName $args[0]", type);
                Assert.True(views.Count > 0, $"no view for {type}, neither in XtalPS.format.ps1xml nor in PowerShell");
            }
        }
    }
}
