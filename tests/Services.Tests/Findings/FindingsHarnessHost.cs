using ImageScanning.Findings.Extensions;
using ImageScanning.ServiceDefaults.Outbox;
using ImageScanning.ServiceDefaults.Storage;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ImageScanning.Services.Tests.Findings;

/// <summary>
/// Findings as its host wires it (AddFindings: the one 'findings' SQLite file with the scan records, the lifecycle, the
/// subscriptions, the outbox and the inbox; the outbox dispatcher, started with the host) with its consumers on MassTransit's
/// in-memory test harness. Every endpoint retries a failed message immediately <c>immediateRetries</c> times, as production's
/// quick retries do, so a consumer that fails once is seen to recover in test time.
/// </summary>
public sealed class FindingsHarnessHost : IAsyncDisposable
{
    private readonly IHost _host;

    private FindingsHarnessHost(IHost host, string directory, BusRecorder recorder)
    {
        _host = host;
        Directory = directory;
        Recorder = recorder;
    }

    /// <summary>Every copy published, consumed or retried (the harness's lists keep one per message id).</summary>
    public BusRecorder Recorder { get; }

    public string Directory { get; }

    public IServiceProvider Services => _host.Services;

    public ITestHarness Harness => Services.GetTestHarness();

    public IServiceDatabase Database => Services.GetRequiredKeyedService<IServiceDatabase>(FindingsExtensions.DatabaseName);

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <param name="clock">The clock of the lifecycle, the stores and the outbox.</param>
    /// <param name="throwAfterCommit">Consumers that fail once per message right after their commit (Testing:ThrowAfterCommit).</param>
    /// <param name="immediateRetries">Immediate retries of a message whose consumer threw, before it faults.</param>
    /// <param name="configure">Registrations made before AddFindings (a store registered here replaces the service's own).</param>
    /// <param name="consumers">More consumers on the bus.</param>
    public static async Task<FindingsHarnessHost> StartAsync(
        TimeProvider clock,
        IReadOnlyList<string>? throwAfterCommit = null,
        int immediateRetries = 3,
        Action<IHostApplicationBuilder>? configure = null,
        Action<IBusRegistrationConfigurator>? consumers = null)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("findings-host-").FullName;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = directory, DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = directory,
            ["Aws:AccountId"] = "123456789012",
            ["Aws:Region"] = "eu-central-1",
            ["Outbox:PollInterval"] = "00:00:00.100",
            ["Outbox:RetryInterval"] = "00:00:00.200",
        });
        // AddMessaging sets this hook from configuration in production; the harness replaces AddMessaging, and a host resets it.
        FaultInjection.ThrowAfterCommit(throwAfterCommit ?? []);
        builder.Services.AddMetrics();
        builder.Services.AddSingleton(clock);
        // The dispatcher starts sending once the host has started: the bus must be up by then.
        builder.Services.Configure<MassTransitHostOptions>(o => o.WaitUntilStarted = true);
        configure?.Invoke(builder);
        builder.AddFindings();
        var recorder = new BusRecorder();
        builder.Services.AddMassTransitTestHarness(x =>
        {
            x.AddFindingsConsumers();
            consumers?.Invoke(x);
            x.AddPublishObserver(_ => recorder);
            x.AddConsumeObserver(_ => recorder);
            if (immediateRetries > 0)
                x.AddConfigureEndpointsCallback((_, _, endpoint) => endpoint.UseMessageRetry(r =>
                {
                    r.Immediate(immediateRetries);
                    r.ConnectRetryObserver(recorder);
                }));
        });
        var host = builder.Build();
        await host.StartAsync();
        await host.Services.GetTestHarness().Start();
        return new FindingsHarnessHost(host, directory, recorder);
    }

    /// <summary>Publishes a message as a producer's outbox does: with the message id it was stored with (the same on a redelivery).</summary>
    public Task PublishAsync<T>(T message, Guid messageId) where T : class =>
        Harness.Bus.Publish(message, context => context.MessageId = messageId);

    /// <summary>Waits until a message of type T matching <paramref name="match"/> was published.</summary>
    public async Task<T> PublishedAsync<T>(Func<T, bool> match) where T : class
    {
        for (var i = 0; i < 200; i++)
        {
            if (Harness.Published.Select<T>().Select(m => m.Context.Message).FirstOrDefault(match) is { } found) return found;
            await Task.Delay(50);
        }
        Assert.Fail($"No {typeof(T).Name} published.");
        return null!;
    }

    /// <summary>Waits until every committed outbox row was handed to the bus, then until the bus is idle.</summary>
    public async Task DrainAsync()
    {
        for (var i = 0; i < 200 && (await Database.Outbox.GetStatusAsync()).Pending > 0; i++) await Task.Delay(50);
        Assert.That((await Database.Outbox.GetStatusAsync()).Pending, Is.Zero, "outbox rows still waiting");
        await Harness.InactivityTask;
    }

    /// <summary>A count read straight from the service's SQLite file (rows of its stores, its outbox, its inbox).</summary>
    public long Count(string sql)
    {
        using var connection = ((SqliteDatabase)Database).Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    public async ValueTask DisposeAsync()
    {
        FaultInjection.ThrowAfterCommit([]);
        await _host.StopAsync();
        _host.Dispose();
        // The stopping dispatcher's last flush may still hold the file: clear the pool and retry the clean-up briefly.
        for (var attempt = 1; ; attempt++)
        {
            SqliteConnection.ClearAllPools();
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
                return;
            }
            catch (IOException) when (attempt < 20)
            {
                await Task.Delay(100);
            }
        }
    }
}
