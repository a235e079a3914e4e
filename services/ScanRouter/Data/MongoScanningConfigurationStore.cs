using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Scanning;
using ImageScanning.ServiceDefaults.Storage;
using MongoDB.Bson;
using MongoDB.Driver;
using static ImageScanning.ScanRouter.Data.MongoStoreSupport;

namespace ImageScanning.ScanRouter.Data;

/// <summary>
/// <see cref="IScanningConfigurationStore"/> in the ScanRouter's MongoDB database: one document per registry (scanning and re-scan
/// configuration, _id the registry) or per repository (legacy scanOnPush, unique on the fields registry and repository), each one
/// single-document write; the last write wins.
/// </summary>
public sealed class MongoScanningConfigurationStore : IScanningConfigurationStore, IMongoIndexOwner
{
    public const string ConfigurationsCollection = "scanning_configurations";
    public const string RescanConfigurationsCollection = "rescan_configurations";
    public const string RepositorySettingsCollection = "repository_settings";

    private readonly MongoServiceDatabase _database;
    private readonly IClientSessionHandle? _session;
    private readonly MongoIndexes _indexes;
    private readonly TimeProvider _clock;

    public MongoScanningConfigurationStore(MongoServiceDatabase database, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _clock = clock ?? TimeProvider.System;
        _indexes = new MongoIndexes(CreateIndexesAsync);
    }

    private MongoScanningConfigurationStore(MongoScanningConfigurationStore store, IClientSessionHandle session)
    {
        _database = store._database;
        _indexes = store._indexes;
        _clock = store._clock;
        _session = session;
    }

    public IScanningConfigurationStore In(UnitOfWork work) => new MongoScanningConfigurationStore(this, _database.Join(work).Session);

    private SessionCollection Configurations => new(_database.Database.GetCollection<BsonDocument>(ConfigurationsCollection), _session);
    private SessionCollection RescanConfigurations => new(_database.Database.GetCollection<BsonDocument>(RescanConfigurationsCollection), _session);
    private SessionCollection RepositorySettings => new(_database.Database.GetCollection<BsonDocument>(RepositorySettingsCollection), _session);

    /// <summary>Creates the indexes (idempotent). Every operation awaits it first; MongoIndexStartup calls it at start-up.</summary>
    public Task EnsureIndexesAsync(CancellationToken cancellationToken = default) => _indexes.EnsureAsync(cancellationToken);

    private Task CreateIndexesAsync(CancellationToken cancellationToken) =>
        _database.Database.GetCollection<BsonDocument>(RepositorySettingsCollection).Indexes.CreateManyAsync(
        [
            // The repository's identity as two fields: "a/b" + "c" and "a" + "b/c" are two repositories (a joined string key made
            // them one). Documents of the previous version (_id that joined string) carry the same fields, so they still match.
            new CreateIndexModel<BsonDocument>(IndexKeys.Ascending("registry").Ascending("repository"),
                new CreateIndexOptions { Unique = true, Name = "ux_repository" }),
            // The registry's scanOnPush repositories, covered.
            new CreateIndexModel<BsonDocument>(IndexKeys.Ascending("registry").Ascending("scanOnPush").Ascending("repository"),
                new CreateIndexOptions { Name = "ix_registry_scan_on_push_repository" }),
        ], cancellationToken);

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
            { "updatedAt", Date(_clock.GetUtcNow()) },
        };
        // Bounded by ScanningConfigurationValidator (2 rules of 100 filters): far below the limit, checked so a change there cannot pass it unseen.
        EnsureFits(document, nameof(MongoScanningConfigurationStore), ConfigurationsCollection);
        await Configurations.ReplaceOneAsync(Filter.Eq("_id", registry), document, upsert: true, cancellationToken);
    }

    public async Task<IReadOnlyList<string>> ListConfiguredRegistriesAsync(CancellationToken cancellationToken = default)
    {
        await EnsureIndexesAsync(cancellationToken);
        // The _id index alone (a cursor: a distinct command's one-document answer is bounded by 16 MiB).
        var documents = await Configurations.Find(Filter.Empty)
            .Project(Builders<BsonDocument>.Projection.Include("_id"))
            .Sort(Builders<BsonDocument>.Sort.Ascending("_id"))
            .ToListAsync(cancellationToken);
        var registries = documents.Select(d => d["_id"].AsString).ToList();
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

    private static FilterDefinition<BsonDocument> RepositoryKey(string registry, string repository) =>
        Filter.Eq("registry", registry) & Filter.Eq("repository", repository);

    public async Task<bool> GetRepositoryScanOnPushAsync(string registry, string repository, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(repository);
        await EnsureIndexesAsync(cancellationToken);
        var document = await RepositorySettings.Find(RepositoryKey(registry, repository))
            .Project(Builders<BsonDocument>.Projection.Include("scanOnPush").Exclude("_id"))
            .FirstOrDefaultAsync(cancellationToken);
        return document is not null && document.GetValue("scanOnPush", false).AsBoolean;
    }

    public async Task SetRepositoryScanOnPushAsync(string registry, string repository, bool scanOnPush, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(repository);
        await EnsureIndexesAsync(cancellationToken);
        // The key fields come from the equality filter on insert.
        var update = Update.Set("scanOnPush", scanOnPush).Set("updatedAt", Date(_clock.GetUtcNow()));
        var settings = RepositorySettings;
        try
        {
            await settings.UpdateOneAsync(RepositoryKey(registry, repository), update, cancellationToken, upsert: true);
        }
        catch (MongoWriteException e) when (IsDuplicateKey(e) && !settings.InTransaction)
        {
            // Two first settings of one repository raced to insert (the server retries most such upserts itself); the document
            // exists now, so this is a plain update. (In a transaction the error aborted the work: its retry updates.)
            await settings.UpdateOneAsync(RepositoryKey(registry, repository), update, cancellationToken, upsert: true);
        }
    }

    public async Task<IReadOnlySet<string>> ListScanOnPushRepositoriesAsync(string registry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        await EnsureIndexesAsync(cancellationToken);
        // One document per repository, streamed: a registry with 10,000 settings is 10,000 small documents, no large one.
        var settings = await RepositorySettings.Find(Filter.Eq("registry", registry) & Filter.Eq("scanOnPush", true))
            .Project(Builders<BsonDocument>.Projection.Include("repository").Exclude("_id"))
            .ToListAsync(cancellationToken);
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
