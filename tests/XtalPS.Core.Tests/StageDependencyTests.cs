using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using Xunit;

namespace XtalPS.Core.Tests
{
    /// <summary>
    /// The science stages of XtalPS.Core depend one way: Geometry → Imaging → Spots → Lattices → Extraction →
    /// Integration → Metrology → Merging, each using only earlier ones; Formats and Simulation are outer layers that may
    /// use any stage and that no science stage uses. Checked twice: in the source (namespace = folder, using directives
    /// and qualified names) and in the compiled types' signatures (base types, fields, properties, methods).
    /// </summary>
    public class StageDependencyTests
    {
        private static readonly string[] Stages = { "Geometry", "Imaging", "Spots", "Lattices", "Extraction", "Integration", "Metrology", "Merging" };
        private static readonly string[] Outer = { "Formats", "Simulation" };

        /// <summary>
        /// The one dependency against the order still in the tree: extraction builds the per-reflection records that
        /// integration defines (Reflection with its ReflectionFlags, ReflectionTable). They move with the reflection-record consolidation; until
        /// then only these two types may cross, and nothing else from Integration.
        /// </summary>
        private static readonly Dictionary<(string From, string To), string[]> Pending = new Dictionary<(string, string), string[]>
        {
            [("Extraction", "Integration")] = new[] { "Reflection", "ReflectionFlags", "ReflectionTable" },
        };

        private static string? Stage(string? ns)
        {
            if (ns == null || !ns.StartsWith("XtalPS.", StringComparison.Ordinal)) return null;
            var part = ns.Substring(7).Split('.')[0];
            return Stages.Contains(part) || Outer.Contains(part) ? part : null;
        }

        /// <summary>True when a science stage <paramref name="from"/> may not use <paramref name="to"/>.</summary>
        private static bool Forbidden(string from, string to)
        {
            if (from == to || Outer.Contains(from)) return false;
            if (Outer.Contains(to)) return true;
            return Array.IndexOf(Stages, to) > Array.IndexOf(Stages, from);
        }

        private static string CoreSource()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "XtalPS.sln"))) dir = dir.Parent;
            Assert.True(dir != null, "the repository root (XtalPS.sln) was not found above the test folder");
            return Path.Combine(dir!.FullName, "src", "XtalPS.Core");
        }

        /// <summary>Code without comments, string and character literals (so prose cannot count as a dependency).</summary>
        private static string Code(string text)
        {
            text = Regex.Replace(text, @"/\*.*?\*/", " ", RegexOptions.Singleline);
            text = Regex.Replace(text, @"@""(?:[^""]|"""")*""|\$?""(?:[^""\\\n]|\\.)*""|'(?:[^'\\\n]|\\.)+'", "\"\"");
            return Regex.Replace(text, @"//[^\n]*", " ");
        }

        [Fact]
        public void SourceFilesLiveInTheirStageAndUseOnlyEarlierStages()
        {
            string root = CoreSource();
            var problems = new List<string>();
            int files = 0;
            foreach (var path in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
            {
                string rel = path.Substring(root.Length + 1).Replace('\\', '/');
                if (rel.StartsWith("bin/", StringComparison.Ordinal) || rel.StartsWith("obj/", StringComparison.Ordinal)) continue;
                string folder = rel.Split('/')[0];
                if (!Stages.Contains(folder) && !Outer.Contains(folder)) continue;
                files++;
                string code = Code(File.ReadAllText(path));
                foreach (Match m in Regex.Matches(code, @"\bnamespace\s+([\w.]+)"))
                    if (Stage(m.Groups[1].Value) != folder) problems.Add($"{rel}: namespace {m.Groups[1].Value} in folder {folder}");
                var used = new HashSet<string>();
                foreach (Match m in Regex.Matches(code, @"\bXtalPS\.(\w+)")) used.Add(m.Groups[1].Value);
                // A qualified name relative to the XtalPS namespace ("Simulation.RandomSource" inside XtalPS.Lattices).
                foreach (var name in Stages.Concat(Outer))
                    if (Regex.IsMatch(code, @"(?<![\w.])" + name + @"\.[A-Z]")) used.Add(name);
                foreach (var to in used)
                {
                    if (!Stages.Contains(to) && !Outer.Contains(to)) continue;
                    if (!Forbidden(folder, to)) continue;
                    if (Pending.TryGetValue((folder, to), out var allowed))
                    {
                        var other = OtherTypesUsed(code, to, allowed);
                        if (other.Count == 0) continue;
                        problems.Add($"{rel}: {folder} uses {to} ({string.Join(", ", other)})");
                        continue;
                    }
                    problems.Add($"{rel}: {folder} uses {to}");
                }
            }
            Assert.True(files > 100, $"only {files} source files found under {root}");
            Assert.True(problems.Count == 0, "Stage dependencies against the order:\n" + string.Join("\n", problems));
        }

        /// <summary>Types of stage <paramref name="to"/> other than <paramref name="allowed"/> named in the code.</summary>
        private static List<string> OtherTypesUsed(string code, string to, string[] allowed) =>
            CoreTypes().Where(t => Stage(t.Namespace) == to && !allowed.Contains(t.Name) && !t.Name.Contains('<'))
                .Select(t => t.Name.Split('`')[0]).Distinct()
                .Where(n => Regex.IsMatch(code, @"(?<![\w.])" + Regex.Escape(n) + @"\b")).OrderBy(n => n, StringComparer.Ordinal).ToList();

        private static IEnumerable<Type> CoreTypes()
        {
            var asm = typeof(XtalPS.Geometry.Vec3).Assembly;
            try { return asm.GetTypes(); }
            catch (ReflectionTypeLoadException e) { return e.Types.Where(t => t != null)!; }
        }

        [Fact]
        public void CompiledTypesOfAStageExposeOnlyEarlierStages()
        {
            const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            var problems = new SortedSet<string>(StringComparer.Ordinal);
            int checkedTypes = 0;
            foreach (var type in CoreTypes())
            {
                string? from = Stage(type.Namespace);
                if (from == null || Outer.Contains(from)) continue;
                if (type.IsDefined(typeof(System.Runtime.CompilerServices.CompilerGeneratedAttribute), false)) continue;
                checkedTypes++;
                var referenced = new List<Type>();
                if (type.BaseType != null) referenced.Add(type.BaseType);
                referenced.AddRange(type.GetInterfaces());
                foreach (var f in type.GetFields(all)) referenced.Add(f.FieldType);
                foreach (var p in type.GetProperties(all)) referenced.Add(p.PropertyType);
                foreach (var m in type.GetMethods(all))
                {
                    referenced.Add(m.ReturnType);
                    referenced.AddRange(m.GetParameters().Select(p => p.ParameterType));
                }
                foreach (var c in type.GetConstructors(all)) referenced.AddRange(c.GetParameters().Select(p => p.ParameterType));
                foreach (var r in referenced.SelectMany(Expand))
                {
                    string? to = Stage(r.Namespace);
                    if (to == null || !Forbidden(from, to)) continue;
                    if (Pending.TryGetValue((from, to), out var allowed) && allowed.Contains(r.Name)) continue;
                    problems.Add($"{type.FullName} ({from}) uses {r.FullName} ({to})");
                }
            }
            Assert.True(checkedTypes > 100, $"only {checkedTypes} types checked");
            Assert.True(problems.Count == 0, "Stage dependencies against the order:\n" + string.Join("\n", problems));
        }

        /// <summary>A type and the types inside it: element types of arrays, by-ref and pointers, generic arguments.</summary>
        private static IEnumerable<Type> Expand(Type t)
        {
            if (t.HasElementType) { foreach (var e in Expand(t.GetElementType()!)) yield return e; yield break; }
            yield return t;
            if (t.IsGenericType)
                foreach (var a in t.GetGenericArguments())
                    foreach (var e in Expand(a)) yield return e;
        }
    }
}
