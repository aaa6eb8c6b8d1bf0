using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace XtalPS.Completion
{
    /// <summary>Tab completion for -SpaceGroup: Hermann–Mauguin symbols (quoted when they hold spaces) and numbers.</summary>
    public sealed class SpaceGroupCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string word = (wordToComplete ?? "").Trim('\'', '"');
            foreach (var g in Lattices.SpaceGroup.All)
            {
                string symbol = g.Symbol;
                string compact = symbol.Replace(" ", "");
                bool match = symbol.StartsWith(word, StringComparison.OrdinalIgnoreCase)
                    || compact.StartsWith(word.Replace(" ", ""), StringComparison.OrdinalIgnoreCase)
                    || g.Number.ToString(System.Globalization.CultureInfo.InvariantCulture) == word;
                if (!match) continue;
                string text = symbol.Contains(" ") ? "'" + symbol + "'" : symbol;
                yield return new CompletionResult(text, symbol, CompletionResultType.ParameterValue, $"{symbol} (No. {g.Number})");
            }
        }
    }
}
