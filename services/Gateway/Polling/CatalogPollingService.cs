using System.Diagnostics.Metrics;
using ImageScanning.Gateway.Webhooks;

namespace ImageScanning.Gateway.Polling;

/// <summary>
/// Polls every registry configured with <c>Polling:Interval</c>, each on its own schedule (the first poll at start-up). A failed
/// poll is logged as a Warning and counted (imagescanning.gateway.registry_polls by outcome), and the next one comes at its time:
/// nothing a registry answers stops the service or the other registries' polls.
/// </summary>
public sealed class CatalogPollingService(
    ConfiguredRegistries registries, CatalogPoller poller, IMeterFactory meters, TimeProvider time, ILogger<CatalogPollingService> logger) : BackgroundService
{
    private readonly Counter<long> polls = meters.Create("ImageScanning.Gateway")
        .CreateCounter<long>("imagescanning.gateway.registry_polls", "{poll}", "Catalog polls of registries without webhooks, by registry and outcome.");

    private readonly Counter<long> pushes = meters.Create("ImageScanning.Gateway")
        .CreateCounter<long>("imagescanning.gateway.registry_poll_pushes", "{event}", "ImagePushed events stored by catalog polls, by registry.");

    /// <summary>The last result of each polled registry (what a status page or a test reads).</summary>
    public IReadOnlyDictionary<string, PollResult> LastResults => last;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, PollResult> last = new(StringComparer.Ordinal);

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var polled = registries.Names.Select(name => (Name: name, Options: registries.Find(name)!.Polling)).Where(r => r.Options.Enabled).ToList();
        return Task.WhenAll(polled.Select(r => PollForeverAsync(r.Name, r.Options, stoppingToken)));
    }

    private async Task PollForeverAsync(string registry, RegistryPollingOptions options, CancellationToken stoppingToken)
    {
        if (options.Problem(registry) is { } problem)
        {
            logger.LogError("Registry {Registry} is not polled: {Problem}", registry, problem);
            return;
        }
        using var timer = new PeriodicTimer(options.Interval, time);
        do
        {
            await PollOnceAsync(registry, options, stoppingToken);
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    /// <summary>One poll, recorded; never throws but for the service stopping.</summary>
    public async Task<PollResult> PollOnceAsync(string registry, RegistryPollingOptions options, CancellationToken stoppingToken)
    {
        PollResult result;
        try
        {
            result = await poller.PollAsync(registry, options, stoppingToken);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            result = PollResult.Failure($"{e.GetType().Name}: {e.Message}");
        }
        last[registry] = result;
        var outcome = result.Error is not null ? "failed" : result.Truncated ? "truncated" : "complete";
        polls.Add(1, new("registry", registry), new("outcome", outcome));
        pushes.Add(result.Published, new KeyValuePair<string, object?>("registry", registry));
        if (result.Error is not null)
            logger.LogWarning("Catalog poll of registry {Registry} failed after {Repositories} repositories and {Tags} tags ({Published} published): {Error}",
                registry, result.Repositories, result.Tags, result.Published, result.Error);
        else
            logger.Log(result.Truncated || result.Failed > 0 ? LogLevel.Warning : LogLevel.Information,
                "Catalog poll of registry {Registry}: {Repositories} repositories, {Tags} tags, {Published} published, {Repeated} already published, {Failed} not found{Truncated}",
                registry, result.Repositories, result.Tags, result.Published, result.AlreadyPublished, result.Failed,
                result.Truncated ? "; stopped at Polling:MaxRepositories or MaxTags" : "");
        return result;
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try { return await timer.WaitForNextTickAsync(stoppingToken); }
        catch (OperationCanceledException) { return false; }
    }
}

public static class CatalogPollingRegistration
{
    /// <summary>The poller and its hosted service (idle unless a registry sets Polling:Interval).</summary>
    public static IHostApplicationBuilder AddCatalogPolling(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<CatalogPoller>();
        builder.Services.AddSingleton<CatalogPollingService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CatalogPollingService>());
        return builder;
    }
}
