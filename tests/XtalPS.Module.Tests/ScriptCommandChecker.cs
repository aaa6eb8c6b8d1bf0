using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace XtalPS.Module.Tests
{
    /// <summary>
    /// Checks PowerShell text (Pester suites, help examples) against the commands the module really has: every
    /// command that looks like an XtalPS command must exist, and every named parameter given to it must bind
    /// the way PowerShell would bind it (exact name or alias, or an unambiguous prefix of one).
    /// </summary>
    public sealed class ScriptCommandChecker
    {
        /// <summary>Nouns that mark a command as belonging to XtalPS, besides the nouns of the exported cmdlets.</summary>
        public static readonly string[] XtalPSNouns =
            { "DiffractionImage", "SimulatedImage", "BraggSpot", "Lattice", "Reflection", "Detector" };

        private readonly Dictionary<string, Dictionary<string, string>> _commands;
        private readonly string[] _nouns;

        /// <param name="commands">Command name → (parameter name or alias → parameter name), common parameters included.</param>
        public ScriptCommandChecker(Dictionary<string, Dictionary<string, string>> commands)
        {
            _commands = new Dictionary<string, Dictionary<string, string>>(commands, StringComparer.OrdinalIgnoreCase);
            _nouns = XtalPSNouns.Concat(_commands.Keys.Where(k => k.Contains('-')).Select(k => k.Substring(k.IndexOf('-') + 1)))
                .Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        }

        /// <summary>Asks the engine for every command of the XtalPS module and its parameters (with aliases).</summary>
        public static ScriptCommandChecker FromEngine(EngineFixture e)
        {
            var rows = e.InvokeOk(@"
                foreach ($c in Get-Command -Module XtalPS) {
                    foreach ($p in $c.Parameters.Values) {
                        ""{0}`t{1}`t{2}"" -f $c.Name, $p.Name, ($p.Aliases -join ',')
                    }
                }");
            var commands = new Dictionary<string, Dictionary<string, string>>(StringComparer.OrdinalIgnoreCase);
            foreach (var row in rows.Select(r => r.BaseObject.ToString()!))
            {
                var f = row.Split('\t');
                if (!commands.TryGetValue(f[0], out var parameters))
                    commands[f[0]] = parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                parameters[f[1]] = f[1];
                foreach (var alias in f[2].Split(',', StringSplitOptions.RemoveEmptyEntries)) parameters[alias] = f[1];
            }
            if (commands.Count == 0) throw new InvalidOperationException("The engine lists no XtalPS commands; is the module imported?");
            return new ScriptCommandChecker(commands);
        }

        public IReadOnlyCollection<string> CommandNames => _commands.Keys;

        /// <summary>True for a name that belongs to XtalPS: exported by it, or carrying one of its nouns.</summary>
        public bool LooksLikeXtalPS(string name) =>
            _commands.ContainsKey(name) || _nouns.Any(n => name.IndexOf(n, StringComparison.OrdinalIgnoreCase) >= 0);

        /// <summary>Problems found in the script, as "line: message"; the XtalPS commands it used are added to <paramref name="used"/>.</summary>
        public List<string> Check(Ast script, ISet<string>? used = null)
        {
            var problems = new List<string>();
            // Functions the script defines itself (test helpers) are not module commands.
            var ownFunctions = new HashSet<string>(
                script.FindAll(a => a is FunctionDefinitionAst, true).Cast<FunctionDefinitionAst>().Select(f => f.Name),
                StringComparer.OrdinalIgnoreCase);
            foreach (var command in script.FindAll(a => a is CommandAst, true).Cast<CommandAst>())
            {
                string? name = command.GetCommandName();
                if (name == null || ownFunctions.Contains(name) || !LooksLikeXtalPS(name)) continue;
                int line = command.Extent.StartLineNumber;
                if (!_commands.TryGetValue(name, out var parameters))
                {
                    problems.Add($"{line}: '{name}' is not a command of the XtalPS module.");
                    continue;
                }
                used?.Add(name);
                foreach (var p in command.CommandElements.OfType<CommandParameterAst>())
                {
                    string error = Resolve(parameters, p.ParameterName, out _);
                    if (error.Length > 0) problems.Add($"{line}: {name} -{p.ParameterName}: {error}");
                }
            }
            return problems;
        }

        /// <summary>PowerShell's rule: an exact name or alias wins, else a prefix that names one parameter only.</summary>
        public static string Resolve(Dictionary<string, string> parameters, string given, out string parameter)
        {
            if (parameters.TryGetValue(given, out parameter!)) return "";
            var candidates = parameters.Where(kv => kv.Key.StartsWith(given, StringComparison.OrdinalIgnoreCase))
                .Select(kv => kv.Value).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            if (candidates.Count == 1) { parameter = candidates[0]; return ""; }
            parameter = "";
            return candidates.Count == 0
                ? "no such parameter"
                : "ambiguous, could be " + string.Join(", ", candidates.OrderBy(c => c, StringComparer.Ordinal));
        }

        /// <summary>Parses a file with the engine's parser; parse errors come back as "line: message".</summary>
        public static ScriptBlockAst ParseFile(string path, out List<string> errors)
        {
            var ast = Parser.ParseFile(path, out _, out ParseError[] parseErrors);
            errors = parseErrors.Select(e => $"{e.Extent.StartLineNumber}: {e.Message}").ToList();
            return ast;
        }

        public static ScriptBlockAst ParseText(string text, string name, out List<string> errors)
        {
            var ast = Parser.ParseInput(text, name, out _, out ParseError[] parseErrors);
            errors = parseErrors.Select(e => $"{e.Extent.StartLineNumber}: {e.Message}").ToList();
            return ast;
        }
    }
}
