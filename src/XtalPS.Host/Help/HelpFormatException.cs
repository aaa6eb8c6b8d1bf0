using System;

namespace XtalPS.Host.Help
{
    /// <summary>A help markdown file that does not follow the PlatyPS schema; names the file and line.</summary>
    public sealed class HelpFormatException : Exception
    {
        public HelpFormatException(string source, int line, string message)
            : base($"{source}({line}): {message}")
        {
            File = source; Line = line;
        }

        /// <summary>The markdown file.</summary>
        public string File { get; }
        /// <summary>1-based line.</summary>
        public int Line { get; }
    }
}
