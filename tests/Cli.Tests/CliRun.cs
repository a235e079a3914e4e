using ImageScanning.Cli.Cli;

namespace ImageScanning.Cli.Tests;

/// <summary>Runs the imagescan command entry in-process with redirected (plain) output, as the real program does.</summary>
public static class CliRun
{
    public static Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args) => RunAtAsync(null, args);

    /// <summary>As if run at <paramref name="now"/> (null: now), so a database can be made days old.</summary>
    public static async Task<(int Exit, string Stdout, string Stderr)> RunAtAsync(DateTimeOffset? now, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var clock = now is { } at ? new FixedClock(at) : null;
        var exit = await new ImageScanCommand(stdout, stderr, interactive: false, clock).ExecuteAsync(args, CancellationToken.None);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>
    /// A scan in a cache directory of its own, so one test's --advisories are not another's findings (and the user's
    /// ~/.cache/imagescan is never touched). Other commands and calls that name --cache-dir are left as they are.
    /// </summary>
    public static string[] WithFreshCache(string[] args) =>
        args.Length > 0 && args[0] == "scan" && !args.Contains("--cache-dir")
            ? [.. args, "--cache-dir", NewCacheDir()]
            : args;

    /// <summary>A fresh cache directory under one root that <see cref="CacheRoot"/> deletes after the run.</summary>
    public static string NewCacheDir() => Directory.CreateDirectory(Path.Combine(CacheRoot.Path, Guid.NewGuid().ToString("N"))).FullName;
}

[SetUpFixture]
public sealed class CacheRoot
{
    public static string Path { get; } = Directory.CreateTempSubdirectory("imagescan-cli-caches-").FullName;

    [OneTimeTearDown]
    public void DeleteCaches()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Path, recursive: true);
    }
}
