using System.ComponentModel;
using ImageScanning.Cli.Database;
using Spectre.Console.Cli;

namespace ImageScanning.Cli.Cli.Db;

public sealed class DbUpdateSettings : CacheSettings
{
    [CommandOption("--source <NAME=URL>")]
    [Description("A source to update from, instead of those in the cache's config.json (repeatable). An URL ending in /all.zip is an "
        + "osv.dev-style ecosystem, updated incrementally through the modified_id.csv beside it; any other URL is one advisory file. "
        + "Default: osv.dev's all.zip of every ecosystem imagescan matches")]
    public string[] Sources { get; init; } = [];

    [CommandOption("--timeout <SECONDS>")]
    [Description("How long one request may take (default 600)")]
    public int TimeoutSeconds { get; init; } = 600;
}

/// <summary>`imagescan db update`: every configured source in turn; one that fails keeps what it had, and the command exits 2.</summary>
public sealed class DbUpdateCommand(CliConsole console, TimeProvider clock) : AsyncCommand<DbUpdateSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, DbUpdateSettings settings, CancellationToken ct)
    {
        var cacheDir = settings.ResolveCacheDir();
        IReadOnlyList<UpdateSource> sources;
        try
        {
            Directory.CreateDirectory(cacheDir);
            sources = UpdateSources.Resolve(settings.Sources, Path.Combine(cacheDir, AdvisoryCache.ConfigFileName));
        }
        catch (UsageException e)
        {
            await console.FailAsync(e.Message);
            return ImageScanCommand.Error;
        }

        // Only the configured URLs are contacted: a redirect elsewhere is an answer to report, not to follow.
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(Math.Max(1, settings.TimeoutSeconds)) };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("imagescan");
        using var cache = AdvisoryCache.Open(cacheDir);
        var lines = new DbCommands.Lines(console.Out, hold: console.ProgressConsole is not null);
        var errors = new List<string>();
        await SpectreImportProgress.RunAsync(console.ProgressConsole, async progress =>
        {
            var updater = new SourceUpdater(http, cache, progress, clock);
            foreach (var source in sources)
            {
                try
                {
                    var outcome = await updater.UpdateAsync(source, ct);
                    await lines.WriteAsync(outcome.Summary);
                    if (outcome.Result is { } result)
                        foreach (var failure in ImportSummary.Failures(source.Name, result)) await console.WarnAsync(failure);
                }
                catch (Exception e) when (e is SourceUpdateException or IOException)
                {
                    errors.Add(e.Message);
                }
            }
            return 0;
        });
        await lines.FlushAsync();
        foreach (var error in errors) await console.FailAsync($"db update: {error} The database keeps what it had from this source.");
        return errors.Count == 0 ? ImageScanCommand.Clean : ImageScanCommand.Error;
    }
}
