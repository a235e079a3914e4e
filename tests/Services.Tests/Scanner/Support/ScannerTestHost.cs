using ImageScanning.Contracts;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ScannerCore;
using ImageScanning.ScannerCore.Attempts;
using ImageScanning.ScannerCore.Extensions;
using ImageScanning.ScannerCore.Inventory;
using ImageScanning.ServiceDefaults.Storage;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ImageScanning.Services.Tests.Scanner.Support;

/// <summary>
/// A scanner as its host wires it (AddScannerCore: the 'inventories' SQLite file with its inventories, attempts, outbox and inbox,
/// the outbox dispatcher, the advisory database, registry clients for one registry "local") on MassTransit's in-memory bus, with
/// the BASIC consumer and a subscriber recording every result. Retries are this host's own (none by default) so a faulting
/// scan faults in test time, not after the production redelivery schedule.
/// </summary>
internal sealed class ScannerTestHost : IAsyncDisposable
{
    public const string Registry = "local";

    private readonly IHost _host;

    private ScannerTestHost(IHost host, string directory)
    {
        _host = host;
        Directory = directory;
    }

    public string Directory { get; }

    public IServiceProvider Services => _host.Services;

    public IBus Bus => Services.GetRequiredService<IBus>();

    public ScanResults Results => Services.GetRequiredService<ScanResults>();

    public ScanDeliveries Deliveries => Services.GetRequiredService<ScanDeliveries>();

    public IInventoryStore Inventories => Services.GetRequiredService<IInventoryStore>();

    public IScanAttemptStore Attempts => Services.GetRequiredService<IScanAttemptStore>();

    public IAdvisoryStore Advisories => Services.GetRequiredService<IAdvisoryStore>();

    public IServiceDatabase Database => Services.GetRequiredKeyedService<IServiceDatabase>(ScannerDatabase.Name);

    public ScanImageHandler Handler => Services.GetRequiredService<ScanImageHandler>();

    /// <param name="registryUrl">Where registry "local" is.</param>
    /// <param name="settings">More configuration (Scanning:*, Testing:*).</param>
    /// <param name="immediateRetries">Immediate retries of a ScanImage whose handler threw, before it faults.</param>
    public static async Task<ScannerTestHost> StartAsync(Uri registryUrl, IReadOnlyDictionary<string, string?>? settings = null, int immediateRetries = 0)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("scanner-host-").FullName;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = directory, Args = [] });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = directory,
            ["Registries:0:Name"] = Registry,
            ["Registries:0:Url"] = registryUrl.ToString(),
        });
        if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddMetrics();
        builder.AddScannerCore();
        builder.Services.AddSingleton<ScanResults>();
        builder.Services.AddSingleton<ScanDeliveries>();
        builder.Services.Configure<MassTransitHostOptions>(o => o.WaitUntilStarted = true);
        builder.Services.AddMassTransit(x =>
        {
            x.AddConsumer<BasicScanConsumer>().Endpoint(e => e.Name = QueueNames.BasicScanner);
            x.AddConsumer<ScanResultsObserver>().Endpoint(e => e.Name = "scanner-test-results");
            if (immediateRetries > 0)
                x.AddConfigureEndpointsCallback((_, name, endpoint) =>
                {
                    if (name == QueueNames.BasicScanner) endpoint.UseMessageRetry(r => r.Immediate(immediateRetries));
                });
            x.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
        });
        var host = builder.Build();
        await host.StartAsync();
        return new ScannerTestHost(host, directory);
    }

    /// <summary>Publishes a scan command (as the router sends it), with the given message id when it plays a redelivery.</summary>
    public async Task<ScanImage> ScanAsync(string repository, string digest, ScanTrigger trigger = ScanTrigger.PUSH, Guid? scanId = null,
        Guid? messageId = null, string registry = Registry, ScanType scanType = ScanType.BASIC)
    {
        var command = new ScanImage(scanId ?? NewId.NextGuid(), new ImageRef(registry, repository, digest, []), scanType, trigger, DateTimeOffset.UtcNow);
        await SendAsync(command, messageId);
        return command;
    }

    public async Task SendAsync(ScanImage command, Guid? messageId = null)
    {
        var endpoint = await Bus.GetSendEndpoint(QueueNames.For(QueueNames.BasicScanner));
        await endpoint.Send(command, context => { if (messageId is { } id) context.MessageId = id; });
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { } // a file still closing; the temp directory is cleaned by the system
    }
}
