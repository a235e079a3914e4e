using ImageScanning.ServiceDefaults.Outbox;
using ImageScanning.ServiceDefaults.Storage;
using MongoDB.Driver;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace ImageScanning.ServiceDefaults.Extensions;

/// <summary>Storage:Provider = Sqlite (embedded, the default) or MongoDB (a database per service).</summary>
public sealed class StorageOptions
{
    public string Provider { get; set; } = "Sqlite";

    /// <summary>Directory of the SQLite files, one per service.</summary>
    public string DataDirectory { get; set; } = ".data";

    public string MongoConnectionString { get; set; } = "mongodb://localhost:27017";
    public string MongoDatabasePrefix { get; set; } = "imagescanning-";

    public bool IsMongo => string.Equals(Provider, "MongoDB", StringComparison.OrdinalIgnoreCase);
}

public static class StorageExtensions
{
    public static StorageOptions GetStorageOptions(this IConfiguration configuration) =>
        configuration.GetSection("Storage").Get<StorageOptions>() ?? new StorageOptions();

    /// <summary>
    /// Registers a service's database (keyed by <paramref name="databaseName"/>: inject it with
    /// <c>[FromKeyedServices(name)] IServiceDatabase</c>): one SQLite file or one Mongo database, as configuration chooses.
    /// Idempotent: services hosted in one process may share a database (the two scanners' inventories).
    /// </summary>
    public static IHostApplicationBuilder AddServiceDatabase(this IHostApplicationBuilder builder, string databaseName)
    {
        if (builder.Services.Any(d => d.ServiceType == typeof(IServiceDatabase) && Equals(d.ServiceKey, databaseName))) return builder;
        var options = builder.Configuration.GetStorageOptions();
        builder.Services.TryAddSingleton<OutboxChannel>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        if (options.IsMongo)
        {
            builder.Services.AddSingleton(new MongoIndexedDatabase(databaseName));
            builder.Services.AddHostedService<MongoIndexStartup>();
        }
        builder.Services.AddKeyedSingleton<IServiceDatabase>(databaseName, (provider, _) => options.IsMongo
            ? new MongoServiceDatabase(MongoClientFor(options.MongoConnectionString).GetDatabase(options.MongoDatabasePrefix + databaseName), databaseName,
                provider.GetRequiredService<OutboxChannel>(), provider.GetRequiredService<TimeProvider>())
            : new SqliteDatabase(SqlitePath(options, builder.Environment.ContentRootPath, databaseName),
                provider.GetRequiredService<OutboxChannel>(), provider.GetRequiredService<TimeProvider>()));
        return builder;
    }

    /// <summary>
    /// Registers a store of the service database <paramref name="databaseName"/>, built by the implementation configuration
    /// chooses. Registered once (services hosted in one process may share a store: the advisory database).
    /// </summary>
    public static IHostApplicationBuilder AddStore<TStore>(
        this IHostApplicationBuilder builder,
        string databaseName,
        Func<SqliteDatabase, TStore> sqlite,
        Func<MongoServiceDatabase, TStore> mongo)
        where TStore : class
    {
        builder.AddServiceDatabase(databaseName);
        if (builder.Services.Any(d => d.ServiceType == typeof(TStore))) return builder;
        builder.AddMongoIndexes<TStore>();
        builder.Services.AddSingleton(provider => provider.GetRequiredKeyedService<IServiceDatabase>(databaseName) switch
        {
            SqliteDatabase file => sqlite(file),
            MongoServiceDatabase database => mongo(database),
            var other => throw new InvalidOperationException($"No store implementation for {other.GetType().Name}."),
        });
        return builder;
    }

    /// <summary>
    /// Registers a store on a file (or Mongo database) of its own, named <paramref name="storeName"/>: for stores that take part in
    /// no unit of work. Registered once.
    /// </summary>
    public static IHostApplicationBuilder AddStore<TStore>(
        this IHostApplicationBuilder builder,
        string storeName,
        Func<string, TStore> sqlite,
        Func<IMongoDatabase, TStore> mongo)
        where TStore : class
    {
        if (builder.Services.Any(d => d.ServiceType == typeof(TStore))) return builder;
        builder.AddMongoIndexes<TStore>();
        var options = builder.Configuration.GetStorageOptions();
        builder.Services.AddSingleton(_ => options.IsMongo
            ? mongo(MongoClientFor(options.MongoConnectionString).GetDatabase(options.MongoDatabasePrefix + storeName))
            : sqlite(SqlitePath(options, builder.Environment.ContentRootPath, storeName)));
        return builder;
    }

    /// <summary>
    /// Dispatches the outbox of <paramref name="databaseName"/> from this process: only the service that owns the database calls
    /// it (a scanner reads CveFeed's advisories, but never sends CveFeed's messages).
    /// </summary>
    public static IHostApplicationBuilder AddOutbox(this IHostApplicationBuilder builder, string databaseName)
    {
        builder.AddServiceDatabase(databaseName);
        builder.Services.AddSingleton(new OwnedOutbox(databaseName));
        if (builder.Services.Any(d => d.ServiceType == typeof(OutboxDatabases))) return builder;
        builder.Services.AddOptions<OutboxOptions>().BindConfiguration("Outbox").Validate(o => { o.Validate(); return true; });
        builder.Services.AddSingleton(provider => provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<OutboxOptions>>().Value);
        builder.Services.TryAddSingleton(builder.Configuration.GetSection("Messaging").Get<MessagingOptions>() ?? new MessagingOptions());
        builder.Services.AddSingleton<OutboxDatabases>();
        builder.Services.AddSingleton<OutboxMetrics>();
        builder.Services.AddSingleton<OutboxDispatcher>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<OutboxDispatcher>());
        return builder;
    }

    /// <summary>
    /// On MongoDB, has <see cref="MongoIndexStartup"/> create <typeparamref name="TStore"/>'s indexes at start-up (when the store
    /// is an <see cref="IMongoIndexOwner"/>). Stores registered by <c>AddStore</c> are included; call it for a store registered
    /// another way.
    /// </summary>
    public static IHostApplicationBuilder AddMongoIndexes<TStore>(this IHostApplicationBuilder builder) where TStore : class
    {
        if (!builder.Configuration.GetStorageOptions().IsMongo) return builder;
        builder.Services.AddSingleton(new MongoIndexedStore(typeof(TStore)));
        builder.Services.AddHostedService<MongoIndexStartup>(); // registered once: AddHostedService adds a hosted type only once
        return builder;
    }

    public static string SqlitePath(StorageOptions options, string contentRoot, string storeName)
    {
        var directory = Path.GetFullPath(options.DataDirectory, contentRoot);
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, storeName + ".db");
    }

    // One MongoClient per connection string per process: it holds the connection pool.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, MongoClient> Clients = new();

    private static MongoClient MongoClientFor(string connectionString) => Clients.GetOrAdd(connectionString, cs => new MongoClient(cs));
}
