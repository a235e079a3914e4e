using System.ComponentModel;
using ImageScanning.Cli.Database;
using Spectre.Console.Cli;

namespace ImageScanning.Cli.Cli.Db;

public sealed class DbImportSettings : CacheSettings
{
    [CommandArgument(0, "<PATH>")]
    [Description("OSV zips, directories or records, CveFeed export bundles (GET /api/v1/advisories/export), Debian security tracker JSON "
        + "or a native feed file of any vendor the engine reads (Debian tracker, Alpine secdb...), told apart by content")]
    public string[] Paths { get; init; } = [];
}

/// <summary>
/// `imagescan db import PATH...`: the air-gapped way to fill or refresh the cache. Every path is recognised first, so an
/// unrecognised one stops the command before anything is stored.
/// </summary>
public sealed class DbImportCommand(CliConsole console, TimeProvider clock) : AsyncCommand<DbImportSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, DbImportSettings settings, CancellationToken ct)
    {
        var cacheDir = settings.ResolveCacheDir();
        try
        {
            foreach (var path in settings.Paths) AdvisoryFileFormat.Detect(path);
            using var cache = AdvisoryCache.Open(cacheDir);
            var lines = new DbCommands.Lines(console.Out, hold: console.ProgressConsole is not null);
            var exit = await SpectreImportProgress.RunAsync(console.ProgressConsole, async progress =>
            {
                var unreadable = 0;
                foreach (var import in await cache.Importer(progress).ImportAsync(settings.Paths, ct))
                {
                    await DbCommands.RecordFileImportAsync(cache, import, clock.GetUtcNow(), ct);
                    var name = $"{import.Path} ({import.Kind.Name})";
                    await lines.WriteAsync(ImportSummary.Line(name, import.Result, import.Elapsed));
                    foreach (var failure in ImportSummary.Failures(name, import.Result)) await console.WarnAsync(failure);
                    if (import.Result.Total > 0 && import.Result.Failed == import.Result.Total) unreadable++;
                }
                return unreadable == 0 ? ImageScanCommand.Clean : ImageScanCommand.Error;
            });
            await lines.FlushAsync();
            await console.Out.WriteLineAsync($"{await cache.Store.CountAsync(ct)} advisories in {cache.DatabasePath} ({cache.SizeOnDisk() / 1024.0 / 1024.0:0.0} MiB)");
            if (exit != ImageScanCommand.Clean) await console.FailAsync("no record of at least one file could be read (see the warnings above).");
            return exit;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            await console.FailAsync(e.Message);
            return ImageScanCommand.Error;
        }
    }
}
