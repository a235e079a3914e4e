using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net.Http.Headers;
using ImageScanning.Contracts;
using ImageScanning.CveFeed;
using ImageScanning.CveFeed.Extensions;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ServiceDefaults.Extensions;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ImageScanning.Services.Tests.CveFeed;

/// <summary>Every NewCveAdded the hosted CveFeed published, as a consumer on its bus received it.</summary>
public sealed class NewCveLog
{
    public ConcurrentQueue<NewCveAdded> Received { get; } = new();

    /// <summary>The bus message id of each delivery, in the same order.</summary>
    public ConcurrentQueue<Guid> MessageIds { get; } = new();
}

public sealed class NewCveRecorder(NewCveLog log) : IConsumer<NewCveAdded>
{
    public Task Consume(ConsumeContext<NewCveAdded> context)
    {
        log.Received.Enqueue(context.Message);
        log.MessageIds.Enqueue(context.MessageId ?? Guid.Empty);
        return Task.CompletedTask;
    }
}

/// <summary>Every ExploitIntelligenceChanged the hosted CveFeed published, with its bus message id.</summary>
public sealed class ExploitChangeLog
{
    public ConcurrentQueue<(ExploitIntelligenceChanged Message, Guid MessageId)> Received { get; } = new();
}

public sealed class ExploitChangeRecorder(ExploitChangeLog log) : IConsumer<ExploitIntelligenceChanged>
{
    public Task Consume(ConsumeContext<ExploitIntelligenceChanged> context)
    {
        log.Received.Enqueue((context.Message, context.MessageId ?? Guid.Empty));
        return Task.CompletedTask;
    }
}

/// <summary>
/// The CveFeed service wired as its Program.cs does (service defaults, CveFeed, in-memory bus) on a real Kestrel
/// port, with its SQLite stores in a temporary directory, a consumer recording NewCveAdded, and a MeterListener on
/// the CveFeed meter.
/// </summary>
public sealed class CveFeedHost : IAsyncDisposable
{
    public const string Token = "feeds-test-token";

    private readonly WebApplication app;
    private readonly MeterListener listener = new();
    private readonly ConcurrentDictionary<(string Instrument, string Source, string? Outcome), double> measurements = new();

    private CveFeedHost(WebApplication app, HttpClient client)
    {
        this.app = app;
        Client = client;
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == CveFeedMetrics.MeterName && instrument.Name.StartsWith("imagescanning.feed.", StringComparison.Ordinal))
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        listener.Start();
    }

    public HttpClient Client { get; }
    public NewCveLog NewCves => app.Services.GetRequiredService<NewCveLog>();
    public IAdvisoryStore Advisories => app.Services.GetRequiredService<IAdvisoryStore>();
    public ExploitChangeLog ExploitChanges => app.Services.GetRequiredService<ExploitChangeLog>();

    /// <summary>Waits until at least <paramref name="count"/> ExploitIntelligenceChanged arrived, then a little longer for stragglers.</summary>
    public async Task<IReadOnlyList<(ExploitIntelligenceChanged Message, Guid MessageId)>> WaitForExploitChangesAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (ExploitChanges.Received.Count < count && DateTime.UtcNow < deadline) await Task.Delay(100);
        await Task.Delay(500);
        return ExploitChanges.Received.ToList();
    }

    /// <summary>The advisory database file (advisories and their outbox).</summary>
    public static string AdvisoriesPath(string dataDirectory) => Path.Combine(dataDirectory, "data", "advisories.db");

    public static async Task<CveFeedHost> StartAsync(string dataDirectory, IDictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = dataDirectory });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = Path.Combine(dataDirectory, "data"),
            ["Security:ApiTokens:0"] = Token,
            ["Messaging:Transport"] = "InMemory",
            ["CveFeed:Http:MaxRetryAttempts"] = "1",
            ["CveFeed:Http:RetryDelay"] = "00:00:00.050",
            ["CveFeed:Http:AttemptTimeout"] = "00:00:03",
        }.Concat(settings));
        builder.AddServiceDefaults("cve-feed");
        builder.AddCveFeed();
        builder.Services.AddSingleton<NewCveLog>();
        builder.Services.AddSingleton<ExploitChangeLog>();
        builder.AddMessaging(x =>
        {
            x.AddConsumer<NewCveRecorder>();
            x.AddConsumer<ExploitChangeRecorder>();
        });
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapCveFeedEndpoints();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(2) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return new CveFeedHost(app, client);
    }

    /// <summary>The last value of a feed instrument for a source (gauges are observed now; counters are summed).</summary>
    public double? Metric(string instrument, string source, string? outcome = null)
    {
        listener.RecordObservableInstruments();
        return measurements.TryGetValue((instrument, source, outcome), out var v) ? v : null;
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? source = null, outcome = null;
        foreach (var tag in tags)
        {
            if (tag.Key == "source") source = tag.Value as string;
            if (tag.Key == "outcome") outcome = tag.Value as string;
        }
        if (source is null) return;
        var key = (instrument.Name, source, outcome);
        if (instrument is Counter<long>) measurements.AddOrUpdate(key, value, (_, old) => old + value);
        else measurements[key] = value;
    }

    /// <summary>Waits until the bus has delivered at least <paramref name="count"/> NewCveAdded, then a little longer for stragglers.</summary>
    public async Task<IReadOnlyList<NewCveAdded>> WaitForNewCvesAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (NewCves.Received.Count < count && DateTime.UtcNow < deadline) await Task.Delay(100);
        await Task.Delay(500);
        return NewCves.Received.ToList();
    }

    public async ValueTask DisposeAsync()
    {
        listener.Dispose();
        Client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }
}
