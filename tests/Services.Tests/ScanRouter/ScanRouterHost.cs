using ImageScanning.ScanRouter.Data;
using ImageScanning.ScanRouter.Extensions;
using ImageScanning.ServiceDefaults.Extensions;
using ImageScanning.ServiceDefaults.Storage;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ImageScanning.Services.Tests.ScanRouter;

/// <summary>
/// ScanRouter as the service runs it — AddScanRouter (its four stores in a real scanrouter.db, the outbox and its dispatcher, the
/// sweepers) and AddMessaging (retries, endpoint definitions) — in a host whose bus the MassTransit test harness replaces with its
/// in-memory one, so tests see every message sent, published and consumed. The start-up re-dispatch of scans in progress is off
/// unless a test turns it on (Scanning:RedispatchOnStart).
/// </summary>
public sealed class ScanRouterHost : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly ConsumeCounter _consumed = new();

    private ScanRouterHost(IHost host, string dataDirectory)
    {
        _host = host;
        DataDirectory = dataDirectory;
        Harness = host.Services.GetTestHarness();
        Harness.Bus.ConnectConsumeObserver(_consumed);
    }

    public IServiceProvider Services => _host.Services;
    public ITestHarness Harness { get; }
    public string DataDirectory { get; }
    public string DatabasePath => Path.Combine(DataDirectory, ScanRouterDatabase.Name + ".db");

    public IServiceDatabase Database => Services.GetRequiredKeyedService<IServiceDatabase>(ScanRouterDatabase.Name);
    public IScanningConfigurationStore Configuration => Services.GetRequiredService<IScanningConfigurationStore>();
    public IImageCatalogStore Catalog => Services.GetRequiredService<IImageCatalogStore>();
    public IPackageIndexStore PackageIndex => Services.GetRequiredService<IPackageIndexStore>();
    public IScanUsageStore Usage => Services.GetRequiredService<IScanUsageStore>();

    /// <param name="consumers">The consumers on the bus; all of ScanRouter's when null.</param>
    /// <param name="clock">The clock every part reads (a ManualClock); the system clock when null.</param>
    public static async Task<ScanRouterHost> StartAsync(
        string dataDirectory,
        Action<IBusRegistrationConfigurator>? consumers = null,
        IDictionary<string, string?>? settings = null,
        TimeProvider? clock = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = dataDirectory, DisableDefaults = true });
        var configuration = new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = dataDirectory,
            ["Messaging:Transport"] = "InMemory",
            ["Outbox:PollInterval"] = "00:00:00.100",
            ["Outbox:RetryInterval"] = "00:00:00.200",
            ["Scanning:RedispatchOnStart"] = "false",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) configuration[key] = value;
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (clock is not null) builder.Services.AddSingleton(clock); // before AddScanRouter, whose registration yields to it
        builder.Services.AddMetrics();
        builder.AddScanRouter();
        builder.AddMessaging(consumers ?? (bus => bus.AddScanRouterConsumers()));
        builder.Services.AddMassTransitTestHarness();
        var host = builder.Build();
        try
        {
            await host.StartAsync();
        }
        catch
        {
            host.Dispose();
            throw;
        }
        // Not Harness.Start(): it starts every hosted service again (two dispatchers, two sweepers). The harness records from the
        // bus's creation on; its timers run from the first wait.
        var router = new ScanRouterHost(host, dataDirectory);
        _ = router.Database; // the file and its tables exist from here on
        return router;
    }

    /// <summary>Publishes <paramref name="message"/> with <paramref name="messageId"/> (a redelivery reuses one) and waits until it was consumed and its outbox sent.</summary>
    public async Task PublishAndWaitAsync<TConsumer, TMessage>(TMessage message, Guid? messageId = null)
        where TConsumer : class, IConsumer where TMessage : class
    {
        var id = messageId ?? NewId.NextGuid();
        // The harness's message lists keep one entry per message id, so a redelivery is counted here instead.
        var before = _consumed.Count(id);
        await Harness.Bus.Publish(message, context => context.MessageId = id);
        await WaitUntilAsync(() => Task.FromResult(_consumed.Count(id) > before), $"{typeof(TConsumer).Name} consumed {typeof(TMessage).Name} {id}");
        Assert.That(Harness.GetConsumerHarness<TConsumer>().Consumed.Select<TMessage>(m => m.Context.MessageId == id).Any(), Is.True,
            $"{typeof(TConsumer).Name} took it");
        await OutboxDrainedAsync();
    }

    /// <summary>Waits until every outbox row was handed to the bus, then for the bus to go quiet.</summary>
    public async Task OutboxDrainedAsync()
    {
        await WaitUntilAsync(async () => (await Database.Outbox.GetStatusAsync()).Pending == 0, "the outbox is empty");
        await Harness.InactivityTask;
    }

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Timed out waiting until {what}.");
            await Task.Delay(50);
        }
    }

    /// <summary>Rows of one of the database's tables, read on a connection of the test's own.</summary>
    public async Task<long> CountAsync(string table, string where = "1 = 1")
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table} WHERE {where};";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Successful consumptions per message id, every delivery counted.</summary>
    private sealed class ConsumeCounter : IConsumeObserver
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, int> _counts = new();

        public int Count(Guid messageId) => _counts.GetValueOrDefault(messageId);

        public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

        public Task PostConsume<T>(ConsumeContext<T> context) where T : class
        {
            if (context.MessageId is { } id) _counts.AddOrUpdate(id, 1, (_, n) => n + 1);
            return Task.CompletedTask;
        }

        public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class => Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        SqliteConnection.ClearAllPools();
    }

    /// <summary>Deletes a test's data directory; the stopping dispatcher may hold the file a moment longer.</summary>
    public static async Task DeleteDirectoryAsync(string directory)
    {
        for (var attempt = 1; ; attempt++)
        {
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(directory, recursive: true);
                return;
            }
            catch (IOException) when (attempt < 20)
            {
                await Task.Delay(100);
            }
        }
    }
}
