using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ImageScanning.ServiceDefaults.Storage;

/// <summary>A store type registered on MongoDB whose indexes <see cref="MongoIndexStartup"/> creates.</summary>
public sealed record MongoIndexedStore(Type StoreType);

/// <summary>A service database on MongoDB (keyed by its name) whose outbox and inbox indexes <see cref="MongoIndexStartup"/> creates.</summary>
public sealed record MongoIndexedDatabase(string Name);

/// <summary>
/// Creates the indexes of every MongoDB store of this process when it starts, before the bus delivers its first message; a
/// server that cannot be reached fails the start (the orchestrator restarts it) instead of failing the first messages.
/// </summary>
public sealed partial class MongoIndexStartup(
    IServiceProvider services, IEnumerable<MongoIndexedStore> stores, IEnumerable<MongoIndexedDatabase> databases, ILogger<MongoIndexStartup> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var outboxes = databases.Select(d => d.Name).Distinct(StringComparer.Ordinal)
            .Select(name => services.GetRequiredKeyedService<IServiceDatabase>(name).Outbox);
        var owners = stores.Select(s => s.StoreType).Distinct()
            .Select(services.GetRequiredService).Concat(outboxes).OfType<IMongoIndexOwner>().Distinct().ToList();
        await Task.WhenAll(owners.Select(o => o.EnsureIndexesAsync(cancellationToken)));
        LogCreated(owners.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "MongoDB indexes ensured for {Stores} stores")]
    private partial void LogCreated(int stores);
}
