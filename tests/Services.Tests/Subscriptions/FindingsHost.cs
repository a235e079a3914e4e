using System.Diagnostics.Metrics;
using ImageScanning.Contracts;
using ImageScanning.Findings.Extensions;
using ImageScanning.Findings.Subscriptions;
using ImageScanning.Findings.Subscriptions.Data;
using ImageScanning.ServiceDefaults.Extensions;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ImageScanning.Services.Tests.Subscriptions;

/// <summary>
/// The Findings service as it runs (AddFindings + its consumers on the in-memory bus, SQLite in a directory), without
/// its web endpoints. Two hosts on the same directory, one after the other, are a restart.
/// </summary>
public sealed class FindingsHost : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly MeterListener _listener = new();
    private readonly List<(string Name, long Value, string? Outcome)> _measurements = [];

    private FindingsHost(IHost host)
    {
        _host = host;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == SubscriptionMetrics.MeterName) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? outcome = null;
            foreach (var tag in tags) if (tag.Key == "outcome") outcome = tag.Value as string;
            lock (_measurements) _measurements.Add((instrument.Name, value, outcome));
        });
        _listener.Start();
    }

    public static readonly Dictionary<string, string?> FastRetries = new()
    {
        ["Subscriptions:MaxAttempts"] = "3",
        ["Subscriptions:InitialBackoff"] = "00:00:00.200",
        ["Subscriptions:MaxBackoff"] = "00:00:02",
        ["Subscriptions:PollInterval"] = "00:00:00.100",
        ["Subscriptions:RequestTimeout"] = "00:00:05",
        // A host stopped between claiming and recording an attempt leaves a lease; keep it short so a restart test waits little.
        ["Subscriptions:Lease"] = "00:00:03",
    };

    /// <summary>The test receivers listen on http://127.0.0.1: plain http and that loopback address must be allowed.</summary>
    public static readonly Dictionary<string, string?> LocalReceivers = new()
    {
        ["Subscriptions:AllowHttp"] = "true",
        ["Outbound:AllowList:0"] = "127.0.0.1",
    };

    public static async Task<FindingsHost> StartAsync(string dataDirectory, IReadOnlyDictionary<string, string?>? settings = null, bool allowLocalReceivers = true)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = dataDirectory });
        if (allowLocalReceivers) builder.Configuration.AddInMemoryCollection(LocalReceivers);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(settings ?? FastRetries)
        {
            ["Storage:DataDirectory"] = dataDirectory,
            ["Aws:AccountId"] = "123456789012",
            ["Aws:Region"] = "eu-central-1",
        });
        builder.Services.AddMetrics();
        // MassTransit keeps the first bus's logger factory in a static context; one that is never disposed lets a
        // second host (the restart) start in the same process.
        builder.Services.AddSingleton<Microsoft.Extensions.Logging.ILoggerFactory>(Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        builder.AddFindings();
        builder.AddMessaging(bus => bus.AddFindingsConsumers());
        var host = builder.Build();
        var findingsHost = new FindingsHost(host);
        host.Services.GetRequiredService<IBus>().ConnectConsumeObserver(findingsHost.Consumed);
        await host.StartAsync();
        return findingsHost;
    }

    public IBus Bus => _host.Services.GetRequiredService<IBus>();

    /// <summary>Messages the Findings consumers finished, by type.</summary>
    public ConsumedMessages Consumed { get; } = new();

    /// <summary>Waits until the consumers finished at least <paramref name="count"/> messages of type <typeparamref name="T"/>.</summary>
    public async Task WaitForConsumedAsync<T>(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Consumed.Of<T>() < count && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.That(Consumed.Of<T>(), Is.GreaterThanOrEqualTo(count), $"{typeof(T).Name} messages consumed");
    }

    public ISubscriptionStore Store => _host.Services.GetRequiredService<ISubscriptionStore>();

    public async Task<TResponse> RequestAsync<TRequest, TResponse>(TRequest request) where TRequest : class where TResponse : class
    {
        using var scope = _host.Services.CreateScope();
        var client = scope.ServiceProvider.GetRequiredService<IRequestClient<TRequest>>();
        return (await client.GetResponse<TResponse>(request)).Message;
    }

    /// <summary>Creates a subscription through the bus, as the Gateway does, and insists it was accepted.</summary>
    public async Task<SubscriptionResult> SubscribeAsync(Uri target, string pattern, bool cloudEvents = false)
    {
        var result = await RequestAsync<CreateSubscription, SubscriptionResult>(
            new CreateSubscription(new SubscriptionDefinition(target.ToString(), pattern, cloudEvents, "test")));
        Assert.That(result.Error, Is.Null);
        return result;
    }

    /// <summary>Sum of the deliveries counter for one outcome.</summary>
    public long Deliveries(string outcome)
    {
        lock (_measurements)
            return _measurements.Where(m => m.Name == "imagescanning.subscriptions.deliveries" && m.Outcome == outcome).Sum(m => m.Value);
    }

    /// <summary>Waits until the outbox is empty (everything sent or dead-lettered).</summary>
    public async Task WaitForEmptyOutboxAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (await Store.CountPendingAsync() > 0 && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.That(await Store.CountPendingAsync(), Is.Zero, "deliveries still pending");
    }

    public async ValueTask DisposeAsync()
    {
        // Testing:ThrowAfterCommit is process-wide: a host's fault injection ends with it.
        ImageScanning.ServiceDefaults.Outbox.FaultInjection.ThrowAfterCommit([]);
        _listener.Dispose();
        await _host.StopAsync();
        _host.Dispose();
    }
}
