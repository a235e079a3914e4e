using System.Diagnostics;
using System.Text;

namespace ImageScanning.HostileInput.Tests;

/// <summary>What one `imagescan` child process did: its exit code, output, wall time and peak resident memory.</summary>
public sealed record ImagescanRun(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed, long PeakResidentBytes, bool Killed)
{
    public static readonly TimeSpan MaxTime = TimeSpan.FromSeconds(60);
    public const long MaxResidentBytes = 1L << 30;

    public override string ToString() =>
        $"exit {ExitCode}{(Killed ? " (killed)" : "")} after {Elapsed.TotalSeconds:F1} s, peak RSS {PeakResidentBytes / (1024 * 1024)} MiB; stderr: {Tail(Stderr)}";

    private static string Tail(string text) => text.Length <= 2000 ? text : "…" + text[^2000..];

    /// <summary>The bounds every hostile input must stay within, whatever the outcome.</summary>
    public ImagescanRun AssertBounded()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Killed, Is.False, $"imagescan was still running after {ImagescanProcess.KillAfter.TotalSeconds} s: {this}");
            Assert.That(Elapsed, Is.LessThan(MaxTime), $"wall time: {this}");
            Assert.That(PeakResidentBytes, Is.LessThan(MaxResidentBytes), $"peak memory: {this}");
        });
        return this;
    }

    /// <summary>A refused scan: exit code 2 and a message that names each of <paramref name="parts"/> (case-insensitive).</summary>
    public ImagescanRun AssertRefused(params string[] parts)
    {
        AssertBounded();
        Assert.That(ExitCode, Is.EqualTo(2), $"refused with exit code 2: {this}");
        foreach (var part in parts) Assert.That(Stderr, Does.Contain(part).IgnoreCase, $"the reason names '{part}': {this}");
        Assert.That(Stderr, Does.Not.Contain("Unhandled exception").And.Not.Contain("   at "), $"a reason, not a stack trace: {this}");
        return this;
    }

    public ImagescanRun AssertScanned()
    {
        AssertBounded();
        Assert.That(ExitCode, Is.EqualTo(0), $"scanned: {this}");
        return this;
    }
}

/// <summary>
/// Runs the real `imagescan` CLI (the build output of services/ImageScanCli) as a child process and samples its VmHWM
/// (the kernel's peak resident set) from /proc while it runs; the last sample before exit is the peak.
/// </summary>
public static class ImagescanProcess
{
    public static readonly TimeSpan KillAfter = TimeSpan.FromSeconds(90);

    /// <summary>
    /// The CLI's own build output (built through the project reference), not the copy in this project's output: that copy
    /// resolves its dependencies against this test project's deps.json, which is not what a user runs.
    /// </summary>
    private static readonly string Dll = Path.Combine(ImageScanning.TestSupport.Corpus.RepositoryRoot, "services", "ImageScanCli", "bin",
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release",
        Path.GetFileName(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)), "imagescan.dll");

    public static async Task<ImagescanRun> ScanAsync(string target, params string[] options)
    {
        var advisories = Path.Combine(AppContext.BaseDirectory, "hostile-advisories");
        if (!Directory.Exists(advisories))
        {
            Directory.CreateDirectory(advisories);
            File.WriteAllText(Path.Combine(advisories, "TEST-1.json"),
                """{"id":"TEST-1","modified":"2026-11-28T00:00:00Z","affected":[{"package":{"ecosystem":"Debian:12","name":"acl"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.3.1-3+deb12u1"}]}]}]}""");
        }
        return await RunAsync(["scan", target, "--advisories", advisories, .. options]);
    }

    public static async Task<ImagescanRun> RunAsync(IReadOnlyList<string> args)
    {
        if (!File.Exists(Dll)) Assert.Fail($"{Dll} is missing: the test project builds services/ImageScanCli into its output");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Dll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        long peak = 0;
        var killed = false;
        while (!process.HasExited)
        {
            peak = Math.Max(peak, PeakResidentBytes(process.Id));
            if (clock.Elapsed > KillAfter)
            {
                killed = true;
                process.Kill(entireProcessTree: true);
                break;
            }
            await Task.Delay(20);
        }
        await process.WaitForExitAsync();
        clock.Stop();
        var run = new ImagescanRun(process.ExitCode, await stdout, await stderr, clock.Elapsed, peak, killed);
        await TestContext.Out.WriteLineAsync($"imagescan {string.Join(' ', args.Take(2))}: {run}");
        return run;
    }

    /// <summary>VmHWM of a live process in bytes; 0 once it is gone.</summary>
    private static long PeakResidentBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status", Encoding.ASCII))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0]) * 1024;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return 0;
    }
}
