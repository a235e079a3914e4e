using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Scanning;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ImageScanning.ScanRouter.Data;

/// <summary>Re-scan configuration, pull dates, eligibility expiry and scan usage (one document per counted scan, keyed by scan id).</summary>
public sealed partial class MongoScanRouterStore
{
    public const string RescanConfigurationsCollection = "rescan_configurations";
    public const string ScanUsageCollection = "scan_usage";

    private readonly IMongoCollection<BsonDocument> _rescanConfigurations;
    private readonly IMongoCollection<BsonDocument> _scanUsage;

    private Task CreateUsageIndexesAsync(CancellationToken cancellationToken) =>
        _scanUsage.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(
            Builders<BsonDocument>.IndexKeys.Ascending("registry").Ascending("month").Ascending("repository"),
            new CreateIndexOptions { Name = "ix_registry_month" }), cancellationToken: cancellationToken);

    public async Task<StoredRescanConfiguration> GetRescanConfigurationAsync(string registry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        await EnsureIndexesAsync(cancellationToken);
        var d = await _rescanConfigurations.Find(Filter.Eq("_id", registry)).FirstOrDefaultAsync(cancellationToken);
        if (d is null) return new StoredRescanConfiguration(RescanEligibility.DefaultConfiguration, null);
        var configuration = new EcrRescanConfiguration(
            Enum.Parse<EcrRescanDuration>(d["rescanDuration"].AsString),
            OptionalString(d, "pullDateRescanDuration") is { } pull ? Enum.Parse<EcrPullDateRescanDuration>(pull) : null,
            OptionalString(d, "pullDateRescanMode") is { } mode ? Enum.Parse<EcrPullDateRescanMode>(mode) : null);
        return new StoredRescanConfiguration(configuration, OptionalDate(d, "updatedAt"));
    }

    public async Task PutRescanConfigurationAsync(string registry, EcrRescanConfiguration configuration, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(configuration);
        await EnsureIndexesAsync(cancellationToken);
        var document = new BsonDocument
        {
            { "_id", registry },
            { "rescanDuration", configuration.RescanDuration.ToString() },
            { "pullDateRescanDuration", Nullable(configuration.PullDateRescanDuration?.ToString()) },
            { "pullDateRescanMode", Nullable(configuration.PullDateRescanMode?.ToString()) },
            { "updatedAt", Date(at) },
        };
        await _rescanConfigurations.ReplaceOneAsync(Filter.Eq("_id", registry), document, new ReplaceOptions { IsUpsert = true }, cancellationToken);
    }

    public async Task<IReadOnlyList<string>> ListConfiguredRegistriesAsync(CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        using var cursor = await _configurations.DistinctAsync<string>("_id", Filter.Empty, cancellationToken: cancellationToken);
        var registries = await cursor.ToListAsync(cancellationToken);
        registries.Sort(StringComparer.Ordinal);
        return registries;
    }

    public async Task<bool> RecordPullAsync(string registry, string repository, string digest, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        // $max never moves the date back; a missing field counts as lower than any date.
        var result = await _images.UpdateOneAsync(Key(registry, repository, digest), Update.Max("lastPulledAt", Date(at)), cancellationToken: cancellationToken);
        return result.MatchedCount == 1;
    }

    public async Task<bool> TryExpireImageAsync(string registry, string repository, string digest, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        var expired = nameof(ScanStatus.SCAN_ELIGIBILITY_EXPIRED);
        var filter = Key(registry, repository, digest) & Filter.Ne("scanStatus", expired);
        var update = Update.Set("scanStatus", expired).Set("scanStatusDescription", RescanEligibility.ExpiredDescription)
            .Set("scanStatusAt", Date(at)).Set("updatedAt", Date(at));
        var result = await _images.UpdateOneAsync(filter, update, cancellationToken: cancellationToken);
        return result.ModifiedCount == 1;
    }

    public async Task<bool> TryRecordScanUsageAsync(
        Guid scanId, string registry, string repository, ScanUsageKind kind, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(repository);
        await EnsureIndexesAsync(cancellationToken);
        try
        {
            await _scanUsage.InsertOneAsync(new BsonDocument
            {
                { "_id", scanId.ToString("D") },
                { "registry", registry },
                { "repository", repository },
                { "month", UsageMonth.Of(at) },
                { "kind", kind.ToString() },
                { "countedAt", Date(at) },
            }, cancellationToken: cancellationToken);
            return true;
        }
        catch (MongoWriteException e) when (e.WriteError?.Category == ServerErrorCategory.DuplicateKey)
        {
            return false;
        }
    }

    public async Task<IReadOnlyList<RepositoryUsageCount>> GetScanUsageAsync(string registry, int year, int month, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        await EnsureIndexesAsync(cancellationToken);
        var documents = await _scanUsage.Find(Filter.Eq("registry", registry) & Filter.Eq("month", UsageMonth.Of(year, month)))
            .Project(Builders<BsonDocument>.Projection.Include("repository").Include("kind").Exclude("_id"))
            .ToListAsync(cancellationToken);
        var counts = documents
            .GroupBy(d => d["repository"].AsString, StringComparer.Ordinal)
            .Select(g => new RepositoryUsageCount(g.Key,
                g.LongCount(d => d["kind"].AsString == nameof(ScanUsageKind.Initial)),
                g.LongCount(d => d["kind"].AsString == nameof(ScanUsageKind.Rescan))))
            .ToList();
        counts.Sort((a, b) => string.CompareOrdinal(a.Repository, b.Repository));
        return counts;
    }
}
