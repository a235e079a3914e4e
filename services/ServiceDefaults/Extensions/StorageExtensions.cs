using MongoDB.Driver;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
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

    /// <summary>Registers a service's store with the implementation configuration chooses.</summary>
    public static IHostApplicationBuilder AddStore<TStore>(
        this IHostApplicationBuilder builder,
        string storeName,
        Func<string, TStore> sqlite,
        Func<IMongoDatabase, TStore> mongo)
        where TStore : class
    {
        // Services hosted in one process may share a store (the advisory database): register it once.
        if (builder.Services.Any(d => d.ServiceType == typeof(TStore))) return builder;
        var options = builder.Configuration.GetStorageOptions();
        builder.Services.AddSingleton(_ => options.IsMongo
            ? mongo(MongoClientFor(options.MongoConnectionString).GetDatabase(options.MongoDatabasePrefix + storeName))
            : sqlite(SqlitePath(options, builder.Environment.ContentRootPath, storeName)));
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
