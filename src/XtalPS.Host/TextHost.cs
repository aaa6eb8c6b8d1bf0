using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace XtalPS.Host
{
    /// <summary>
    /// A text PowerShell host: output, errors, warnings and verbose text go to writers, so the module's format views
    /// render as they would in pwsh. Used by the xtalps script host and by the module tests (which capture the text).
    /// Given a terminal (<paramref name="terminal"/>), it draws progress bars on one line of the output and asks
    /// -Confirm and -Debug questions there as pwsh does. Without one, progress is silent, a -Confirm question fails
    /// with a message that names the fix, and a -Debug inquiry goes on (the message is shown), so -Debug never
    /// stops a cmdlet.
    /// </summary>
    public sealed class TextHost : PSHost
    {
        private readonly TextHostUserInterface _ui;
        private readonly Guid _id = Guid.NewGuid();

        /// <param name="terminal">The keyboard of a terminal whose screen is <paramref name="output"/>; null when there is
        /// none (output redirected, CI, tests).</param>
        public TextHost(TextWriter output, TextWriter error, int width = 120, CultureInfo? culture = null, bool ansi = false, TextReader? terminal = null)
        {
            Ansi = ansi;
            _ui = new TextHostUserInterface(output, error, width, ansi, terminal);
            CurrentCulture = culture ?? CultureInfo.CurrentCulture;
            CurrentUICulture = culture ?? CultureInfo.CurrentUICulture;
        }

        /// <summary>True when a person at a terminal can be asked (and sees progress bars).</summary>
        public bool Interactive => _ui.Interactive;

        /// <summary>Render with ANSI colours (a terminal) or as plain text (logs, captures).</summary>
        public bool Ansi { get; }
        public override CultureInfo CurrentCulture { get; }
        public override CultureInfo CurrentUICulture { get; }
        public override Guid InstanceId => _id;
        public override string Name => "XtalPS.Host";
        public override PSHostUserInterface UI => _ui;
        public override Version Version => typeof(TextHost).Assembly.GetName().Version ?? new Version(0, 1);

        /// <summary>The code passed to <c>exit</c>, if the script called it.</summary>
        public int? ExitCode { get; private set; }
        /// <summary>True once anything was written to the error stream of the host.</summary>
        public bool WroteErrors => _ui.WroteErrors;

        public override void SetShouldExit(int exitCode) => ExitCode = exitCode;
        public override void EnterNestedPrompt() => throw new NotSupportedException("Nested prompts need an interactive host.");
        public override void ExitNestedPrompt() => throw new NotSupportedException("Nested prompts need an interactive host.");
        public override void NotifyBeginApplication() { }
        public override void NotifyEndApplication() { }
    }

    internal sealed class TextHostUserInterface : PSHostUserInterface, IHostUISupportsMultipleChoiceSelection
    {
        private static readonly System.Text.RegularExpressions.Regex Escape =
            new System.Text.RegularExpressions.Regex(@"\u001b\[[0-9;?]*[A-Za-z]", System.Text.RegularExpressions.RegexOptions.Compiled);
        private readonly TextWriter _out, _err;
        private readonly TextReader? _terminal;
        private readonly TextRawUserInterface _raw;
        private readonly bool _ansi;
        private readonly object _lock = new object();
        private readonly ProgressLine? _progress;

        public TextHostUserInterface(TextWriter output, TextWriter error, int width, bool ansi, TextReader? terminal)
        {
            _out = output; _err = error; _ansi = ansi; _terminal = terminal;
            _raw = new TextRawUserInterface(width);
            if (terminal != null) _progress = new ProgressLine(output, ansi, () => _raw.BufferSize.Width);
        }

        public bool Interactive => _terminal != null;

        /// <summary>The engine styles table headers whatever $PSStyle.OutputRendering says when the host is not the
        /// console host; plain-text output strips the escape sequences here.</summary>
        private string Plain(string value) => _ansi || value.IndexOf('\u001b') < 0 ? value : Escape.Replace(value, "");

        public override bool SupportsVirtualTerminal => _ansi;

        public bool WroteErrors { get; private set; }
        public override PSHostRawUserInterface RawUI => _raw;

        /// <summary>Every write first takes the progress bar off the screen (it comes back with the next progress record).</summary>
        private void Put(TextWriter writer, string text, bool line)
        {
            lock (_lock)
            {
                _progress?.Clear();
                if (line) writer.WriteLine(text); else writer.Write(text);
            }
        }

        public override void Write(string value) => Put(_out, Plain(value), false);
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Put(_out, Plain(value), false);
        public override void WriteLine(string value) => Put(_out, Plain(value), true);
        public override void WriteErrorLine(string value) { WroteErrors = true; Put(_err, Plain(value), true); }
        public override void WriteDebugLine(string message) => Put(_err, "DEBUG: " + Plain(message), true);
        public override void WriteVerboseLine(string message) => Put(_err, "VERBOSE: " + Plain(message), true);
        public override void WriteWarningLine(string message) => Put(_err, "WARNING: " + Plain(message), true);
        public override void WriteInformation(InformationRecord record) { }

        /// <summary>Progress bars on a terminal; nothing when the output goes to a file or a pipe.</summary>
        public override void WriteProgress(long sourceId, ProgressRecord record)
        {
            if (_progress == null || record == null) return;
            lock (_lock) _progress.Update(sourceId, record);
        }

        private const string NoTerminal = "xtalps has no terminal to ask on (its input or output is redirected, or -NonInteractive was given)";

        public override string ReadLine()
        {
            if (_terminal == null) throw new PSInvalidOperationException($"Read-Host needs a terminal: {NoTerminal}. Pass the value as a parameter instead.");
            lock (_lock) { _progress?.Clear(); _out.Flush(); }
            return _terminal.ReadLine() ?? "";
        }

        public override SecureString ReadLineAsSecureString()
        {
            if (_terminal == null) throw new PSInvalidOperationException($"Reading a secret needs a terminal: {NoTerminal}. Pass it as a parameter instead.");
            var secret = new SecureString();
            foreach (char c in ReadLine()) secret.AppendChar(c);
            secret.MakeReadOnly();
            return secret;
        }

        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions)
        {
            if (_terminal == null)
                throw new PSInvalidOperationException($"A value was needed ({Join(caption, message)}{string.Join(", ", descriptions.Select(d => d.Name))}), but {NoTerminal}. Pass the value as a parameter.");
            if (!string.IsNullOrEmpty(caption)) WriteLine(caption);
            if (!string.IsNullOrEmpty(message)) WriteLine(message);
            var result = new Dictionary<string, PSObject>();
            foreach (var d in descriptions)
            {
                Write(d.Name + ": ");
                result[d.Name] = PSObject.AsPSObject(ReadLine());
            }
            return result;
        }

        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
        {
            if (_terminal == null)
            {
                // A -Debug inquiry (its choices include "Halt Command"): the message was shown; go on, as if "Yes to All".
                int all = DebugInquiryYesToAll(choices);
                if (all >= 0) return all;
                throw new PSInvalidOperationException($"A question needs an answer ({Join(caption, message)}), but {NoTerminal}. Pass -Confirm:$false to go ahead without asking, or -WhatIf to see what would be done.");
            }
            return Ask(caption, message, choices, new[] { defaultChoice }, multiple: false)[0];
        }

        public Collection<int> PromptForChoice(string? caption, string? message, Collection<ChoiceDescription> choices, IEnumerable<int>? defaultChoices)
        {
            if (_terminal == null)
                throw new PSInvalidOperationException($"A question needs an answer ({Join(caption, message)}), but {NoTerminal}. Pass the choice as a parameter.");
            return new Collection<int>(Ask(caption, message, choices, defaultChoices?.ToArray() ?? Array.Empty<int>(), multiple: true));
        }

        /// <summary>pwsh's console prompt: the question, then "[Y] Yes  [A] Yes to All … (default is "Y"):"; a hot key or
        /// a label answers, Enter takes the default, ? lists the help of each choice.</summary>
        private List<int> Ask(string? caption, string? message, Collection<ChoiceDescription> choices, int[] defaults, bool multiple)
        {
            var keys = choices.Select(HotKey).ToArray();
            if (!string.IsNullOrEmpty(caption)) WriteLine(caption);
            if (!string.IsNullOrEmpty(message)) WriteLine(message);
            var line = new System.Text.StringBuilder();
            for (int i = 0; i < choices.Count; i++)
                line.Append('[').Append(keys[i]).Append("] ").Append(choices[i].Label.Replace("&", "")).Append("  ");
            line.Append("[?] Help");
            var valid = defaults.Where(d => d >= 0 && d < choices.Count).ToArray();
            if (valid.Length > 0) line.Append(" (default is \"").Append(string.Join("\",\"", valid.Select(d => keys[d]))).Append("\")");
            var picked = new List<int>();
            while (true)
            {
                Write(line + ": ");
                string answer = ReadLine().Trim();
                if (answer.Length == 0)
                {
                    if (multiple && picked.Count > 0) return picked;
                    if (valid.Length > 0) { picked.AddRange(valid); return picked; }
                    continue;
                }
                if (answer == "?")
                {
                    for (int i = 0; i < choices.Count; i++) WriteLine($"{keys[i]} - {(string.IsNullOrEmpty(choices[i].HelpMessage) ? choices[i].Label.Replace("&", "") : choices[i].HelpMessage)}");
                    continue;
                }
                int match = Array.FindIndex(keys, k => string.Equals(k, answer, StringComparison.OrdinalIgnoreCase));
                if (match < 0) match = choices.ToList().FindIndex(c => string.Equals(c.Label.Replace("&", ""), answer, StringComparison.OrdinalIgnoreCase));
                if (match < 0) continue;
                if (choices[match].Label.Replace("&", "").StartsWith("Suspend", StringComparison.OrdinalIgnoreCase))
                {
                    WriteLine("xtalps has no nested prompt to suspend to; choose another answer.");
                    continue;
                }
                if (!multiple) return new List<int> { match };
                picked.Add(match);
            }
        }

        private static string HotKey(ChoiceDescription c)
        {
            int amp = c.Label.IndexOf('&');
            return amp >= 0 && amp + 1 < c.Label.Length ? c.Label.Substring(amp + 1, 1).ToUpperInvariant() : c.Label.Length > 0 ? c.Label.Substring(0, 1).ToUpperInvariant() : "?";
        }

        private static int DebugInquiryYesToAll(Collection<ChoiceDescription> choices)
        {
            if (!choices.Any(c => c.Label.Replace("&", "").StartsWith("Halt", StringComparison.OrdinalIgnoreCase))) return -1;
            int all = choices.ToList().FindIndex(c => c.Label.Replace("&", "").Equals("Yes to All", StringComparison.OrdinalIgnoreCase));
            return all >= 0 ? all : 0;
        }

        private static string Join(string? caption, string? message) =>
            string.Join(": ", new[] { caption, message?.Replace("\r", " ").Replace("\n", " ") }.Where(t => !string.IsNullOrEmpty(t)));

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) =>
            throw new PSInvalidOperationException("xtalps does not ask for credentials; pass a credential as a parameter.");
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) =>
            throw new PSInvalidOperationException("xtalps does not ask for credentials; pass a credential as a parameter.");
    }

    /// <summary>
    /// One line at the bottom of a terminal showing the newest running activity: "Activity: status [=====     ] 45 %".
    /// Redrawn in place with a carriage return; taken away before any other text is written and when the
    /// activity completes.
    /// </summary>
    internal sealed class ProgressLine
    {
        private readonly TextWriter _out;
        private readonly bool _ansi;
        private readonly Func<int> _width;
        private readonly List<(long Source, int Id, ProgressRecord Record)> _active = new List<(long, int, ProgressRecord)>();
        private string _shown = "";

        public ProgressLine(TextWriter output, bool ansi, Func<int> width) { _out = output; _ansi = ansi; _width = width; }

        public void Update(long source, ProgressRecord record)
        {
            _active.RemoveAll(a => a.Source == source && a.Id == record.ActivityId);
            if (record.RecordType != ProgressRecordType.Completed) _active.Add((source, record.ActivityId, record));
            if (_active.Count == 0) { Clear(); return; }
            string text = Render(_active[_active.Count - 1].Record, Math.Max(20, _width() - 1));
            if (text == _shown) return;
            Clear();
            _out.Write(text);
            _out.Flush();
            _shown = text;
        }

        public void Clear()
        {
            if (_shown.Length == 0) return;
            _out.Write(_ansi ? "\r\u001b[K" : "\r" + new string(' ', _shown.Length) + "\r");
            _out.Flush();
            _shown = "";
        }

        internal static string Render(ProgressRecord r, int width)
        {
            string text = r.Activity + (string.IsNullOrEmpty(r.StatusDescription) ? "" : ": " + r.StatusDescription);
            if (!string.IsNullOrEmpty(r.CurrentOperation)) text += " (" + r.CurrentOperation + ")";
            string bar = "";
            if (r.PercentComplete >= 0)
            {
                int pct = Math.Min(100, r.PercentComplete);
                const int cells = 20;
                int filled = pct * cells / 100;
                bar = " [" + new string('=', filled) + new string(' ', cells - filled) + "] " + pct.ToString(CultureInfo.InvariantCulture) + " %";
            }
            if (r.SecondsRemaining > 0) bar += $" {TimeSpan.FromSeconds(r.SecondsRemaining):g} left";
            int room = width - bar.Length;
            if (room < 8) return (text + bar).Substring(0, Math.Min(width, text.Length + bar.Length));
            if (text.Length > room) text = text.Substring(0, room - 1) + "…";
            return text + bar;
        }
    }

    internal sealed class TextRawUserInterface : PSHostRawUserInterface
    {
        private Size _buffer;

        public TextRawUserInterface(int width) { _buffer = new Size(width, 9999); }

        public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;
        public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;
        public override Size BufferSize { get => _buffer; set => _buffer = value; }
        public override Coordinates CursorPosition { get; set; }
        public override int CursorSize { get; set; } = 1;
        public override bool KeyAvailable => false;
        public override Size MaxPhysicalWindowSize => _buffer;
        public override Size MaxWindowSize => _buffer;
        public override Coordinates WindowPosition { get; set; }
        public override Size WindowSize { get => new Size(_buffer.Width, 50); set { } }
        public override string WindowTitle { get; set; } = "xtalps";

        public override void FlushInputBuffer() { }
        public override BufferCell[,] GetBufferContents(Rectangle rectangle) => throw new NotSupportedException();
        public override KeyInfo ReadKey(ReadKeyOptions options) => throw new PSInvalidOperationException("xtalps runs non-interactively.");
        public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) { }
        public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) { }
        public override void SetBufferContents(Rectangle rectangle, BufferCell fill) { }
    }
}
