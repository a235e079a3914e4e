using ImageScanning.ScanEngine.Advisories;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Sources;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ServiceDefaults.Background;

namespace ImageScanning.CveFeed.Importing;

/// <summary>
/// Imports advisories into the database. The store announces the ones whose affected packages are new or changed (NewCveAdded)
/// in each batch's own transaction (<see cref="AdvisoryAnnouncements"/>); a metadata-only change is stored but announces
/// nothing: it cannot change which images are affected. Every import runs on the background lane: parsing and storing a whole
/// feed must not take CPU from push scans.
/// </summary>
public sealed class AdvisoryImportService(IAdvisoryStore store, BackgroundLane lane, CveFeedMetrics metrics, ILogger<AdvisoryImportService> logger)
{
    public Task<ImportResult> ImportPathAsync(string path, string source, CancellationToken ct) =>
        RunAsync(source, importer => importer.ImportPathAsync(path, ct), ct);

    public Task<ImportResult> ImportZipAsync(Stream zip, string source, CancellationToken ct) =>
        RunAsync(source, importer => importer.ImportZipAsync(zip, ct), ct);

    /// <summary>A native feed document (Debian Security Tracker JSON, Alpine/Wolfi/Chainguard secdb), converted to OSV records.</summary>
    public Task<ImportResult> ImportNativeAsync(INativeAdvisorySource source, Stream feed, CancellationToken ct, string? sourceName = null) =>
        RunAsync(sourceName ?? source.Name, async _ => await NativeFeed.StoreAsync(store, await source.ReadAsync(feed, ct), ct: ct), ct);

    /// <summary>Records already converted to OSV (NVD-enriched advisories, for one).</summary>
    public Task<ImportResult> ImportConvertedAsync(NativeFeedResult feed, string source, CancellationToken ct) =>
        RunAsync(source, _ => NativeFeed.StoreAsync(store, feed, ct: ct), ct);

    /// <summary>One OSV record uploaded as JSON.</summary>
    public Task<ImportResult> ImportJsonAsync(string json, string source, CancellationToken ct) => RunAsync(source, async _ =>
    {
        OsvAdvisory advisory;
        try { advisory = OsvParser.Parse(json); }
        catch (OsvParseException e) { return new ImportResult { Failures = [new ImportFailure("(request body)", e.Message)] }; }
        var result = await store.UpsertAsync(advisory, json, ct);
        return result.Change switch
        {
            AdvisoryChange.New => new ImportResult { Added = 1, NewOrChanged = [advisory] },
            AdvisoryChange.Changed => new ImportResult { Changed = 1, NewOrChanged = [advisory] },
            AdvisoryChange.MetadataChanged => new ImportResult { MetadataChanged = 1 },
            AdvisoryChange.Rejected => new ImportResult { Failures = [new ImportFailure(advisory.Id, result.Rejection ?? "rejected by the advisory store")] },
            _ => new ImportResult { Unchanged = 1 },
        };
    }, ct);

    private Task<ImportResult> RunAsync(string source, Func<OsvImporter, Task<ImportResult>> import, CancellationToken ct) =>
        lane.RunAsync(() => ImportAsync(source, import, ct), ct);

    private async Task<ImportResult> ImportAsync(string source, Func<OsvImporter, Task<ImportResult>> import, CancellationToken ct)
    {
        var result = await import(new OsvImporter(store));
        metrics.Imported(source, result);
        logger.LogInformation(
            "Imported advisories from {Source}: {Added} new, {Changed} changed, {MetadataChanged} metadata-only, {Unchanged} unchanged, {Failed} failed",
            source, result.Added, result.Changed, result.MetadataChanged, result.Unchanged, result.Failed);
        foreach (var failure in result.Failures.Take(20))
            logger.LogWarning("Advisory {Name} from {Source} was not imported: {Reason}", failure.Name, source, failure.Reason);
        return result;
    }
}
