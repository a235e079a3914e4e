using System.Diagnostics;
using System.Text;

namespace ImageScanning.TestSupport;

/// <summary>The outcome of a finished process.</summary>
public sealed record ProcessResult(string Command, int ExitCode, string StandardOutput, string StandardError);

/// <summary>A process that failed or timed out, with what it printed.</summary>
public sealed class ProcessFailedException(string message) : Exception(message);

/// <summary>Runs a command with arguments (no shell), captures its output, enforces a timeout.</summary>
public static class ProcessRunner
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Runs <paramref name="fileName"/> with <paramref name="arguments"/>. Throws
    /// <see cref="ProcessFailedException"/> with the output on a non-zero exit (unless
    /// <paramref name="throwOnError"/> is false) and on timeout, after killing the process tree.
    /// </summary>
    public static async Task<ProcessResult> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        TimeSpan? timeout = null,
        string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null,
        bool throwOnError = true,
        CancellationToken ct = default)
    {
        var args = arguments.ToList();
        var command = string.Join(' ', new[] { fileName }.Concat(args.Select(Quote)));
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        if (environment is not null)
            foreach (var (key, value) in environment) start.Environment[key] = value;

        using var process = new Process { StartInfo = start };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ProcessFailedException($"Cannot start '{command}': {e.Message}. Is {fileName} installed?");
        }
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var limit = timeout ?? DefaultTimeout;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(limit);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            await process.WaitForExitAsync(CancellationToken.None);
            if (ct.IsCancellationRequested) throw;
            throw new ProcessFailedException($"'{command}' timed out after {limit.TotalSeconds:0} s.\n{Output(stdout, stderr)}");
        }
        // The parameterless wait flushes the asynchronous output handlers.
        process.WaitForExit();

        var result = new ProcessResult(command, process.ExitCode, Locked(stdout), Locked(stderr));
        if (throwOnError && result.ExitCode != 0)
            throw new ProcessFailedException($"'{command}' exited with {result.ExitCode}.\n{Output(stdout, stderr)}");
        return result;
    }

    public static Task<ProcessResult> RunAsync(string fileName, params string[] arguments) => RunAsync(fileName, arguments, timeout: null);

    /// <summary>Synchronous form, for fixtures and one-time setup.</summary>
    public static ProcessResult Run(string fileName, IEnumerable<string> arguments, TimeSpan? timeout = null, string? workingDirectory = null, bool throwOnError = true) =>
        RunAsync(fileName, arguments, timeout, workingDirectory, null, throwOnError).GetAwaiter().GetResult();

    /// <summary>Whether a program is on PATH.</summary>
    public static bool IsInstalled(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, program)));

    private static string Locked(StringBuilder sb) { lock (sb) return sb.ToString(); }

    private static string Output(StringBuilder stdout, StringBuilder stderr) =>
        $"--- stdout ---\n{Tail(Locked(stdout))}\n--- stderr ---\n{Tail(Locked(stderr))}";

    private static string Tail(string text) => text.Length <= 8000 ? text : "..." + text[^8000..];

    private static string Quote(string arg) => arg.Length > 0 && arg.All(c => !char.IsWhiteSpace(c) && c != '\'' && c != '"') ? arg : $"'{arg.Replace("'", "'\\''")}'";
}
