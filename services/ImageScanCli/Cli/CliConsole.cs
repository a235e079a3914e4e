using Spectre.Console;

namespace ImageScanning.Cli.Cli;

/// <summary>
/// Where a command writes: the report or listing to <see cref="Out"/>, messages to <see cref="Error"/>. Progress bars are drawn
/// on standard error only when it is a terminal that can take them; otherwise output stays plain lines.
/// </summary>
public sealed class CliConsole(TextWriter stdout, TextWriter stderr, bool interactive)
{
    public TextWriter Out { get; } = stdout;
    public TextWriter Error { get; } = stderr;

    /// <summary>Standard error is a terminal (progress may be drawn on it).</summary>
    public bool Interactive { get; } = interactive;

    /// <summary>A Spectre console on standard error, for progress bars; null when it cannot draw them (redirected, no ANSI).</summary>
    public IAnsiConsole? ProgressConsole { get; } = interactive ? ProgressConsoleOn(stderr) : null;

    public Task WarnAsync(string message) => Error.WriteLineAsync("imagescan: warning: " + message);

    public Task FailAsync(string message) => Error.WriteLineAsync("imagescan: " + message);

    /// <summary>A Spectre console writing to <paramref name="writer"/>, plain (no colour, no cursor moves) unless <paramref name="interactive"/>.</summary>
    public static IAnsiConsole For(TextWriter writer, bool interactive) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(writer),
        Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
        ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        Interactive = interactive ? InteractionSupport.Detect : InteractionSupport.No,
    });

    private static IAnsiConsole? ProgressConsoleOn(TextWriter stderr)
    {
        var console = For(stderr, interactive: true);
        return console.Profile.Capabilities is { Ansi: true, Interactive: true } ? console : null;
    }
}
