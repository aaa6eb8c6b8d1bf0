using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace XtalPS.Host
{
    /// <summary>
    /// A plain-text PowerShell host: output, errors, warnings and verbose text go to writers, so the module's
    /// format views render as they would in pwsh. Used by the xtalps script host and by the module tests
    /// (which capture the text). Non-interactive: prompts fail clearly instead of hanging.
    /// </summary>
    public sealed class TextHost : PSHost
    {
        private readonly TextHostUserInterface _ui;
        private readonly Guid _id = Guid.NewGuid();

        public TextHost(TextWriter output, TextWriter error, int width = 120, CultureInfo? culture = null, bool ansi = false)
        {
            Ansi = ansi;
            _ui = new TextHostUserInterface(output, error, width, ansi);
            CurrentCulture = culture ?? CultureInfo.CurrentCulture;
            CurrentUICulture = culture ?? CultureInfo.CurrentUICulture;
        }

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

    internal sealed class TextHostUserInterface : PSHostUserInterface
    {
        private static readonly System.Text.RegularExpressions.Regex Escape =
            new System.Text.RegularExpressions.Regex(@"\u001b\[[0-9;?]*[A-Za-z]", System.Text.RegularExpressions.RegexOptions.Compiled);
        private readonly TextWriter _out, _err;
        private readonly TextRawUserInterface _raw;
        private readonly bool _ansi;

        public TextHostUserInterface(TextWriter output, TextWriter error, int width, bool ansi)
        {
            _out = output; _err = error; _ansi = ansi;
            _raw = new TextRawUserInterface(width);
        }

        /// <summary>The engine styles table headers whatever $PSStyle.OutputRendering says when the host is not the
        /// console host; plain-text output strips the escape sequences here.</summary>
        private string Plain(string value) => _ansi || value.IndexOf('\u001b') < 0 ? value : Escape.Replace(value, "");

        public override bool SupportsVirtualTerminal => _ansi;

        public bool WroteErrors { get; private set; }
        public override PSHostRawUserInterface RawUI => _raw;

        public override void Write(string value) => _out.Write(Plain(value));
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => _out.Write(Plain(value));
        public override void WriteLine(string value) => _out.WriteLine(Plain(value));
        public override void WriteErrorLine(string value) { WroteErrors = true; _err.WriteLine(Plain(value)); }
        public override void WriteDebugLine(string message) => _err.WriteLine("DEBUG: " + Plain(message));
        public override void WriteVerboseLine(string message) => _err.WriteLine("VERBOSE: " + Plain(message));
        public override void WriteWarningLine(string message) => _err.WriteLine("WARNING: " + Plain(message));
        public override void WriteInformation(InformationRecord record) { }
        public override void WriteProgress(long sourceId, ProgressRecord record) { }

        public override string ReadLine() => throw new PSInvalidOperationException("xtalps runs scripts non-interactively; Read-Host is not available.");
        public override SecureString ReadLineAsSecureString() => throw new PSInvalidOperationException("xtalps runs scripts non-interactively.");
        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) =>
            throw new PSInvalidOperationException($"A prompt was needed ({caption}: {message}); xtalps runs non-interactively. Pass the value as a parameter, or -Confirm:$false.");
        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice) =>
            throw new PSInvalidOperationException($"A choice was needed ({caption}: {message}); xtalps runs non-interactively. Use -Confirm:$false or -Force.");
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) =>
            throw new PSInvalidOperationException("xtalps runs non-interactively; pass a credential as a parameter.");
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) =>
            throw new PSInvalidOperationException("xtalps runs non-interactively; pass a credential as a parameter.");
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
