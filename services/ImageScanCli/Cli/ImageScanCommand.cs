using ImageScanning.Cli.Reports;
using ImageScanning.ScanEngine.Advisories;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ScanEngine.Ecosystems;
using ImageScanning.ScanEngine.Images;
using ImageScanning.ScanEngine.Images.Local;
using ImageScanning.ScanEngine.Model;
using ImageScanning.ScanEngine.Scanning;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ImageScanning.Cli.Cli;

/// <summary>`imagescan scan`: import the advisories, read the image, match, report. Only the report goes to standard output.</summary>
public sealed class ImageScanCommand(TextWriter stdout, TextWriter stderr, bool interactive)
{
    public const int Clean = 0, FindingsAtThreshold = 1, Error = 2;

    public static Task<int> RunAsync(string[] args, CancellationToken ct) =>
        new ImageScanCommand(Console.Out, Console.Error, interactive: !Console.IsErrorRedirected).ExecuteAsync(args, ct);

    public async Task<int> ExecuteAsync(IReadOnlyList<string> args, CancellationToken ct)
    {
        CommandLineOptions options;
        ScanTarget target;
        try
        {
            options = CommandLineOptions.Parse(args);
            target = ScanTarget.Parse(options.Target);
        }
        catch (UsageException e)
        {
            if (e.Message.Length > 0) await stderr.WriteLineAsync("imagescan: " + e.Message);
            await stderr.WriteLineAsync(CommandLineOptions.Usage);
            return Error;
        }

        var work = Directory.CreateTempSubdirectory("imagescan-").FullName;
        try
        {
            var report = await ScanAsync(options, target, work, ct);
            // Whatever the format: a file that was not read must not pass for one that holds nothing.
            foreach (var warning in report.Warnings) await stderr.WriteLineAsync($"imagescan: warning: {warning.Path} was not read: {warning.Reason}");
            var rendered = ReportWriters.Render(report, options.Format);
            if (options.Output is null) await stdout.WriteAsync(rendered);
            else await File.WriteAllTextAsync(options.Output, rendered, ct);
            return options.FailOn is { } threshold && report.Findings.Any(f => SeverityOrder.Rank(f.Severity) >= SeverityOrder.Rank(threshold))
                ? FindingsAtThreshold
                : Clean;
        }
        catch (Exception e) when (e is ScanException or IOException or UnauthorizedAccessException or InvalidDataException)
        {
            await stderr.WriteLineAsync($"imagescan: {e.Message}");
            return Error;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(work, recursive: true);
        }
    }

    private async Task<ScanReport> ScanAsync(CommandLineOptions options, ScanTarget target, string work, CancellationToken ct)
    {
        using var store = new SqliteAdvisoryStore(Path.Combine(work, "advisories.db"));
        var importer = new OsvImporter(store);
        foreach (var path in options.Advisories)
        {
            Progress($"importing advisories from {path}");
            if (!File.Exists(path) && !Directory.Exists(path)) throw new IOException($"No advisories at {path}.");
            var imported = await importer.ImportPathAsync(path, ct);
            if (imported.Failed > 0) await stderr.WriteLineAsync($"imagescan: {imported.Failed} advisories in {path} could not be read (first: {imported.Failures[0].Name}: {imported.Failures[0].Reason})");
        }

        await using var services = BuildServices(target, options);
        var ecosystems = EcosystemCatalog.All();
        var scanner = new ImageScanner(services.GetRequiredService<ImageReader>(), store, ecosystems);
        var wants = scanner.WantsFor(options.Enhanced);
        var sniffer = scanner.ContentWantsFor(options.Enhanced);
        var local = new LocalImageReader(services.GetRequiredService<LayerReader>(), LayerLimits.Default, sniffer);

        Progress($"reading {options.Target}");
        var started = System.Diagnostics.Stopwatch.StartNew();
        var image = target.Kind switch
        {
            TargetKind.OciLayout => await local.ReadOciLayoutAsync(target.Location, target.Reference, wants, ct, options.Platform),
            TargetKind.OciArchive => await local.ReadOciArchiveAsync(target.Location, target.Reference, wants, ct),
            TargetKind.DockerArchive => await local.ReadDockerArchiveAsync(target.Location, wants, ct),
            TargetKind.Directory => await local.ReadDirectoryAsync(target.Location, wants, ct),
            _ => await ReadFromRegistryAsync(services.GetRequiredService<ImageReader>(), target, options.Platform ?? "linux/amd64", wants, sniffer, ct),
        };
        Progress($"matching {image.Layers.Count} layers' packages");
        var result = await scanner.ScanReadImageAsync(image, options.Enhanced, started.Elapsed, ct);
        Progress(null);
        return ScanReport.From(options.Target, options.Enhanced, result, ecosystems);
    }

    private const string CliRegistry = "target";

    /// <summary>A multi-platform tag is resolved to one platform's image, which is scanned and reported on its own digest.</summary>
    private static async Task<ImageReadResult> ReadFromRegistryAsync(
        ImageReader reader, ScanTarget target, string platform, Func<string, bool> wants, IContentSniffer? sniffer, CancellationToken ct)
    {
        var digest = await reader.ResolvePlatformAsync(CliRegistry, target.Repository, target.Reference!, platform, ct);
        return await reader.ReadAsync(CliRegistry, target.Repository, digest, wants, ct, sniffer: sniffer);
    }

    /// <summary>The registry of a docker:// target is the one registry this run may pull from.</summary>
    private static ServiceProvider BuildServices(ScanTarget target, CommandLineOptions options)
    {
        var settings = new Dictionary<string, string?>();
        if (target.Kind == TargetKind.Registry)
        {
            settings["Registries:0:Name"] = CliRegistry;
            settings["Registries:0:Url"] = (options.Insecure ? "http://" : "https://") + target.RegistryHost;
            settings["Registries:0:Username"] = Environment.GetEnvironmentVariable("IMAGESCAN_USERNAME");
            settings["Registries:0:Password"] = Environment.GetEnvironmentVariable("IMAGESCAN_PASSWORD");
            // A token realm on another host (Docker Hub's auth.docker.io) gets the credentials only when named here, comma-separated.
            var realmHosts = Environment.GetEnvironmentVariable("IMAGESCAN_TOKEN_REALM_HOSTS")?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? [];
            for (var i = 0; i < realmHosts.Length; i++) settings[$"Registries:0:TokenRealmHosts:{i}"] = realmHosts[i];
        }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddLogging().AddRegistryClients(configuration).BuildServiceProvider();
    }

    private void Progress(string? stage)
    {
        // A progress line on a terminal only; redirected stderr stays free of it.
        if (!interactive) return;
        stderr.Write(stage is null ? "\r\u001b[K" : $"\r\u001b[K… {stage}");
        stderr.Flush();
    }
}
