using System;
using System.Collections.Generic;
using System.Linq;

namespace XtalPS.Host.Help
{
    /// <summary>A documented parameter: its description and one metadata block per distinct set of attributes.</summary>
    public sealed class ParameterHelp
    {
        public ParameterHelp(string name) { Name = name; }

        /// <summary>Name without the leading dash.</summary>
        public string Name { get; }
        public List<string> Description { get; } = new List<string>();
        /// <summary>The yaml blocks; PlatyPS writes a second one only when the parameter differs between sets.</summary>
        public List<ParameterYaml> Metadata { get; } = new List<ParameterYaml>();

        /// <summary>The metadata that applies in a parameter set, or null when the parameter is not in it.</summary>
        public ParameterYaml? In(string parameterSet) =>
            Metadata.FirstOrDefault(m => m.ParameterSets.Contains(parameterSet, StringComparer.OrdinalIgnoreCase))
            ?? Metadata.FirstOrDefault(m => m.InAllSets);

        public override string ToString() => "-" + Name;
    }

    /// <summary>The yaml block of a parameter, as PlatyPS writes it.</summary>
    public sealed class ParameterYaml
    {
        public const string AllSets = "(All)";

        public string Type { get; set; } = "";
        public List<string> ParameterSets { get; } = new List<string>();
        public List<string> Aliases { get; } = new List<string>();
        public List<string> AcceptedValues { get; } = new List<string>();
        public bool Required { get; set; }
        /// <summary>"Named" or a number.</summary>
        public string Position { get; set; } = "Named";
        public string DefaultValue { get; set; } = "None";
        /// <summary>As written, e.g. <c>False</c> or <c>True (ByPropertyName, ByValue)</c>.</summary>
        public string PipelineInput { get; set; } = "False";
        public bool Globbing { get; set; }
        public int Line { get; set; }

        public bool InAllSets => ParameterSets.Count == 0 || ParameterSets.Contains(AllSets);
        public bool IsSwitch => string.Equals(Type, "SwitchParameter", StringComparison.OrdinalIgnoreCase)
                                || string.Equals(Type, "System.Management.Automation.SwitchParameter", StringComparison.OrdinalIgnoreCase);
        public bool IsNamed => string.Equals(Position, "Named", StringComparison.OrdinalIgnoreCase);
        public bool ByValue => PipelineInput.IndexOf("ByValue", StringComparison.OrdinalIgnoreCase) >= 0;
        public bool ByPropertyName => PipelineInput.IndexOf("ByPropertyName", StringComparison.OrdinalIgnoreCase) >= 0;
    }
}
