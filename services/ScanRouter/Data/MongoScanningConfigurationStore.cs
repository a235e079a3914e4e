using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Scanning;
using ImageScanning.ServiceDefaults.Storage;
using MongoDB.Bson;
using MongoDB.Driver;
using static ImageScanning.ScanRouter.Data.MongoStoreSupport;

namespace ImageScanning.ScanRouter.Data;

/// <summary>
/// <see cref="IScanningConfigurationStore"/> in the ScanRouter's MongoDB database: one document per registry (scanning and re-scan
/// configuration) or per repository (legacy scanOnPush), replaced whole; the last write wins.
/// </summary>
public sealed class MongoScanningConfigurationStore : IScanningConfigurationStore
{
    public const string ConfigurationsCollection = "scanning_configurations";
    public const string RescanConfigurationsCollection = "rescan_configurations";
    public const string RepositorySettingsCollection = "repository_settings";

    private readonly MongoServiceDatabase _database;
    private readonly IClientSessionHandle? _session;
    private readonly MongoIndexes _indexes;

    public MongoScanningConfigurationStore(MongoServiceDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _indexes = new MongoIndexes(CreateIndexesAsync);
    }

    private MongoScanningConfigurationStore(MongoScanningConfigurationStore store, IClientSessionHandle session)
    {
        _database = store._database;
        _indexes = store._indexes;
        _session = session;
    }

    public IScanningConfigurationStore In(UnitOfWork work) => new MongoScanningConfigurationStore(this, _database.Join(work).Session);

    private SessionCollection Configurations => new(_database.Database.GetCollection<BsonDocument>(ConfigurationsCollection), _session);
    private SessionCollection RescanConfigurations => new(_database.Database.GetCollection<BsonDocument>(RescanConfigurationsCollection), _session);
    private SessionCollection RepositorySettings => new(_database.Database.GetCollection<BsonDocument>(RepositorySettingsCollection), _session);

    /// <summary>Creates the indexes (idempotent). Every operation awaits it first; call it at start-up to fail fast.</summary>
    public Task EnsureIndexesAsync(CancellationToken cancellationToken = default) => _indexes.EnsureAsync(cancellationToken);

    private Task CreateIndexesAsync(CancellationToken cancellationToken) =>
        _database.Database.GetCollection<BsonDocument>(RepositorySettingsCollection).Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(
            Builders<BsonDocument>.IndexKeys.Ascending("registry").Ascending("scanOnPush"), new CreateIndexOptions { Name = "ix_registry_scan_on_push" }),
            cancellationToken: cancellationToken);

    public async Task<RegistryScanningConfiguration> GetConfigurationAsync(string registry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        await EnsureIndexesAsync(cancellationToken);
        var document = await Configurations.Find(Filter.Eq("_id", registry)).FirstOrDefaultAsync(cancellationToken);
        return document is null ? ScanningRules.DefaultConfiguration : ReadConfiguration(document);
    }

    public async Task PutConfigurationAsync(string registry, RegistryScanningConfiguration configuration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(configuration);
        await EnsureIndexesAsync(cancellationToken);
        var document = new BsonDocument
        {
            { "_id", registry },
            { "scanType", configuration.ScanType.ToString() },
            { "rules", new BsonArray((configuration.Rules ?? []).Select(rule => new BsonDocument
                {
                    { "scanFrequency", rule.ScanFrequency.ToString() },
                    { "repositoryFilters", new BsonArray((rule.RepositoryFilters ?? []).Select(f => new BsonDocument
                        {
                            { "filter", f.Filter },
                            { "filterType", f.FilterType.ToString() },
                        })) },
                })) },
            { "updatedAt", new BsonDateTime(DateTime.UtcNow) },
        };
        await Configurations.ReplaceOneAsync(Filter.Eq("_id", registry), document, upsert: true, cancellationToken);
    }

    public async Task<IReadOnlyList<string>> ListConfiguredRegistriesAsync(CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        using var cursor = await Configurations.DistinctAsync<string>("_id", Filter.Empty, cancellationToken);
        var registries = await cursor.ToListAsync(cancellationToken);
        registries.Sort(StringComparer.Ordinal);
        return registries;
    }

    public async Task<StoredRescanConfiguration> GetRescanConfigurationAsync(string registry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        await EnsureIndexesAsync(cancellationToken);
        var d = await RescanConfigurations.Find(Filter.Eq("_id", registry)).FirstOrDefaultAsync(cancellationToken);
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
        await RescanConfigurations.ReplaceOneAsync(Filter.Eq("_id", registry), document, upsert: true, cancellationToken);
    }

    private static string RepositoryId(string registry, string repository) => registry + "/" + repository;

    public async Task<bool> GetRepositoryScanOnPushAsync(string registry, string repository, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(repository);
        await EnsureIndexesAsync(cancellationToken);
        var document = await RepositorySettings.Find(Filter.Eq("_id", RepositoryId(registry, repository))).FirstOrDefaultAsync(cancellationToken);
        return document is not null && document.GetValue("scanOnPush", false).AsBoolean;
    }

    public async Task SetRepositoryScanOnPushAsync(string registry, string repository, bool scanOnPush, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(repository);
        await EnsureIndexesAsync(cancellationToken);
        var update = Update.Set("registry", registry).Set("repository", repository).Set("scanOnPush", scanOnPush)
            .Set("updatedAt", Date(DateTimeOffset.UtcNow));
        await RepositorySettings.UpdateOneAsync(Filter.Eq("_id", RepositoryId(registry, repository)), update, cancellationToken, upsert: true);
    }

    public async Task<IReadOnlySet<string>> ListScanOnPushRepositoriesAsync(string registry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        await EnsureIndexesAsync(cancellationToken);
        var settings = await RepositorySettings.Find(Filter.Eq("registry", registry) & Filter.Eq("scanOnPush", true)).ToListAsync(cancellationToken);
        return settings.Select(s => s["repository"].AsString).ToHashSet(StringComparer.Ordinal);
    }

    private static RegistryScanningConfiguration ReadConfiguration(BsonDocument document)
    {
        var scanType = Enum.Parse<ScanType>(document["scanType"].AsString);
        var rules = document.GetValue("rules", new BsonArray()).AsBsonArray
            .Select(r => r.AsBsonDocument)
            .Select(r => new RegistryScanningRule(
                Enum.Parse<ScanFrequency>(r["scanFrequency"].AsString),
                r.GetValue("repositoryFilters", new BsonArray()).AsBsonArray
                    .Select(f => f.AsBsonDocument)
                    .Select(f => new ScanningRepositoryFilter(f["filter"].AsString, Enum.Parse<RepositoryFilterType>(f["filterType"].AsString)))
                    .ToList()))
            .ToList();
        return new RegistryScanningConfiguration(scanType, rules);
    }
}
