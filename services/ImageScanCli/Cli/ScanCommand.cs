using ImageScanning.Cli.Cli.Db;
using ImageScanning.Cli.Database;
using ImageScanning.Cli.Reports;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ScanEngine.Distributions;
using ImageScanning.ScanEngine.Ecosystems;
using ImageScanning.ScanEngine.Images;
using ImageScanning.ScanEngine.Images.Local;
using ImageScanning.ScanEngine.Model;
using ImageScanning.ScanEngine.Scanning;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console.Cli;

namespace ImageScanning.Cli.Cli;

/// <summary>
/// `imagescan scan`: import --advisories into the cache, check the database's age, read the image, match, report.
/// Only the report goes to standard output.
/// </summary>
public sealed class ScanCommand(CliConsole console, TimeProvider clock) : AsyncCommand<ScanSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ScanSettings settings, CancellationToken ct)
    {
        ScanTarget target;
        try
        {
            target = ScanTarget.Parse(settings.Target);
        }
        catch (UsageException e)
        {
            await console.FailAsync(e.Message);
            return ImageScanCommand.Error;
        }

        var cacheDir = settings.NoCache ? Directory.CreateTempSubdirectory("imagescan-").FullName : settings.ResolveCacheDir();
        try
        {
            if (settings.Advisories.Length == 0 && !AdvisoryCache.Exists(cacheDir))
            {
                await console.FailAsync(DbCommands.NoDatabase(cacheDir));
                return ImageScanCommand.Error;
            }
            using var cache = AdvisoryCache.Open(cacheDir);
            if (!await PrepareDatabaseAsync(cache, settings, ct)) return ImageScanCommand.Error;

            var report = await ScanAsync(cache.Store, settings, target, ct);
            // Whatever the format: a file that was not read must not pass for one that holds nothing.
            foreach (var warning in report.Warnings) await console.WarnAsync($"{warning.Path} was not read: {warning.Reason}");
            if (report.Os is { Eosl: true } os) await console.WarnAsync(EndOfLifeWarning.Message(new Distribution(os.Id, os.VersionId, null, null)));
            var rendered = ReportWriters.Render(report, settings.ReportFormat);
            if (settings.Output is null) await console.Out.WriteAsync(rendered);
            else await File.WriteAllTextAsync(settings.Output, rendered, ct);
            // As Trivy's --exit-on-eol: checked before the findings' threshold.
            if (settings.ExitOnEol is { } eolCode && report.Os is { Eosl: true }) return eolCode;
            return settings.FailOnSeverity is { } threshold && report.Findings.Any(f => SeverityOrder.Rank(f.Severity) >= SeverityOrder.Rank(threshold))
                ? ImageScanCommand.FindingsAtThreshold
                : ImageScanCommand.Clean;
        }
        catch (Exception e) when (e is ScanException or IOException or UnauthorizedAccessException or InvalidDataException)
        {
            await console.FailAsync(e.Message);
            return ImageScanCommand.Error;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (settings.NoCache) Directory.Delete(cacheDir, recursive: true);
        }
    }

    /// <summary>Imports --advisories (incrementally: unchanged records are only compared) and applies the staleness guard.</summary>
    private async Task<bool> PrepareDatabaseAsync(AdvisoryCache cache, ScanSettings settings, CancellationToken ct)
    {
        if (settings.Advisories.Length > 0)
        {
            Progress($"importing advisories from {string.Join(", ", settings.Advisories)}");
            var changed = new List<string>();
            foreach (var path in settings.Advisories)
            {
                if (!File.Exists(path) && !Directory.Exists(path)) throw new IOException($"No advisories at {path}.");
                // The same file as last time (size and mtime): nothing to read again.
                if (await cache.Sources.GetAsync(DbCommands.FileSourceName(path), ct) is { } previous && previous.ETag == FileFingerprint.Of(path))
                    await cache.Sources.RecordUnchangedAsync(previous, null, clock.GetUtcNow(), ct);
                else changed.Add(path);
            }
            var imports = changed.Count == 0 ? [] : await cache.Importer(NoImportProgress.Instance).ImportAsync(changed, ct);
            foreach (var import in imports)
            {
                await DbCommands.RecordFileImportAsync(cache, import, clock.GetUtcNow(), ct);
                if (import.Result.Failed > 0)
                    await console.FailAsync($"{import.Result.Failed} advisories in {import.Path} could not be read (first: {import.Result.Failures[0].Name}: {import.Result.Failures[0].Reason})");
            }
        }

        var sources = await cache.Sources.ListAsync(ct);
        var lastUpdated = sources.Max(s => s.CheckedAt) ?? await cache.Store.LastChangedAsync(ct);
        if (lastUpdated is null)
        {
            await console.FailAsync(DbCommands.NoDatabase(cache.Directory));
            return false;
        }
        var age = clock.GetUtcNow() - lastUpdated.Value;
        if (age <= TimeSpan.FromDays(settings.DbMaxAgeDays)) return true;
        var message = $"the advisory database in {cache.Directory} was last updated {SourceCatalog.Iso(lastUpdated)}, {age.TotalDays:0.#} days ago "
            + $"(over --db-max-age {settings.DbMaxAgeDays}): run `imagescan db update`, or `imagescan db import` with a newer export.";
        if (settings.FailOnStaleDb)
        {
            await console.FailAsync(message + " (--fail-on-stale-db)");
            return false;
        }
        await console.WarnAsync(message);
        return true;
    }

    private async Task<ScanReport> ScanAsync(IAdvisoryStore store, ScanSettings settings, ScanTarget target, CancellationToken ct)
    {
        await using var services = BuildServices(target, settings);
        var ecosystems = EcosystemCatalog.All();
        var scanner = new ImageScanner(services.GetRequiredService<ImageReader>(), store, ecosystems);
        var wants = scanner.WantsFor(settings.Enhanced);
        var sniffer = scanner.ContentWantsFor(settings.Enhanced);
        if (console.ProgressConsole is null) Progress($"reading {settings.Target}");
        var started = System.Diagnostics.Stopwatch.StartNew();
        // On a terminal, a bar per layer while the image is read (big images take a while); redirected output stays plain.
        var image = await LayerProgressBars.RunAsync(console.ProgressConsole, progress =>
        {
            var local = new LocalImageReader(services.GetRequiredService<LayerReader>(), LayerLimits.Default, sniffer, progress: progress);
            return target.Kind switch
            {
                TargetKind.OciLayout => local.ReadOciLayoutAsync(target.Location, target.Reference, wants, ct, settings.Platform),
                TargetKind.OciArchive => local.ReadOciArchiveAsync(target.Location, target.Reference, wants, ct),
                TargetKind.DockerArchive => local.ReadDockerArchiveAsync(target.Location, wants, ct),
                TargetKind.Directory => local.ReadDirectoryAsync(target.Location, wants, ct),
                _ => ReadFromRegistryAsync(services.GetRequiredService<ImageReader>(), target, settings.Platform ?? "linux/amd64", wants, sniffer, progress, ct),
            };
        });
        Progress($"matching {image.Layers.Count} layers' packages");
        var result = await scanner.ScanReadImageAsync(image, settings.Enhanced, started.Elapsed, ct);
        Progress(null);
        var release = result.Distribution is { } d ? new EndOfLifeFeedDirectory(settings.EolData, ecosystems).Current.ReleaseOf(d) : null;
        return ScanReport.From(settings.Target, settings.Enhanced, result, ecosystems, release, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime));
    }

    private const string CliRegistry = "target";

    /// <summary>A multi-platform tag is resolved to one platform's image, which is scanned and reported on its own digest.</summary>
    private static async Task<ImageReadResult> ReadFromRegistryAsync(
        ImageReader reader, ScanTarget target, string platform, Func<string, bool> wants, IContentSniffer? sniffer,
        IProgress<LayerProgress>? progress, CancellationToken ct)
    {
        var digest = await reader.ResolvePlatformAsync(CliRegistry, target.Repository, target.Reference!, platform, ct);
        return await reader.ReadAsync(CliRegistry, target.Repository, digest, wants, ct, sniffer: sniffer, progress: progress);
    }

    /// <summary>The registry of a docker:// target is the one registry this run may pull from.</summary>
    private static ServiceProvider BuildServices(ScanTarget target, ScanSettings settings)
    {
        var values = new Dictionary<string, string?>();
        if (target.Kind == TargetKind.Registry)
        {
            values["Registries:0:Name"] = CliRegistry;
            values["Registries:0:Url"] = (settings.Insecure ? "http://" : "https://") + target.RegistryHost;
            values["Registries:0:Username"] = Environment.GetEnvironmentVariable("IMAGESCAN_USERNAME");
            values["Registries:0:Password"] = Environment.GetEnvironmentVariable("IMAGESCAN_PASSWORD");
            // A token realm on another host (Docker Hub's auth.docker.io) gets the credentials only when named here, comma-separated.
            var realmHosts = Environment.GetEnvironmentVariable("IMAGESCAN_TOKEN_REALM_HOSTS")?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? [];
            for (var i = 0; i < realmHosts.Length; i++) values[$"Registries:0:TokenRealmHosts:{i}"] = realmHosts[i];
        }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        return new ServiceCollection().AddLogging().AddRegistryClients(configuration).BuildServiceProvider();
    }

    private void Progress(string? stage)
    {
        // A progress line on a terminal only; redirected stderr stays free of it.
        if (!console.Interactive) return;
        console.Error.Write(stage is null ? "\r\u001b[K" : $"\r\u001b[K… {stage}");
        console.Error.Flush();
    }
}
