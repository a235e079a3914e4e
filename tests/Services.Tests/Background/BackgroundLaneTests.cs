using System.Text.Json;
using System.Text.Json.Nodes;
using ImageScanning.EnhancedScanner.Extensions;
using ImageScanning.Findings.Extensions;
using ImageScanning.ScanRouter.Extensions;
using ImageScanning.ServiceDefaults.Background;
using ImageScanning.ServiceDefaults.Extensions;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ImageScanning.Services.Tests.Background;

/// <summary>
/// The background lane: bulk work runs on its own low-priority threads, never on the thread pool, and stays there across awaits;
/// and the production bus puts exactly the bulk consumers (re-scans, re-scan results, advisories) on it.
/// </summary>
public sealed class BackgroundLaneTests
{
    private sealed record Seen(string? Thread, bool IsPoolThread, bool IsLaneThread, int? Niceness)
    {
        public static Seen Now(BackgroundLane lane) => new(Environment.CurrentManagedThreadId.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" +
            System.Threading.Thread.CurrentThread.Name, System.Threading.Thread.CurrentThread.IsThreadPoolThread, lane.IsLaneThread,
            BackgroundLane.CurrentThreadNiceness());
    }

    [Test]
    public async Task Work_and_its_continuations_run_on_the_lane_threads_at_the_lowest_priority()
    {
        using var lane = new BackgroundLane(threads: 2);
        var seen = new List<Seen>();
        var result = await lane.RunAsync(async () =>
        {
            seen.Add(Seen.Now(lane));
            await Task.Delay(20); // a real wait: the continuation is scheduled, not inlined
            seen.Add(Seen.Now(lane));
            await Task.Yield();
            seen.Add(Seen.Now(lane));
            return 42;
        });

        Assert.That(result, Is.EqualTo(42));
        Assert.That(seen, Has.Count.EqualTo(3));
        Assert.That(seen, Has.All.Matches<Seen>(s => s.IsLaneThread && !s.IsPoolThread && s.Thread!.Contains(":background-lane-", StringComparison.Ordinal)),
            string.Join(", ", seen));
        if (OperatingSystem.IsLinux())
        {
            Assert.That(seen.Select(s => s.Niceness), Has.All.EqualTo(BackgroundLane.Niceness));
            var poolNiceness = await Task.Run(BackgroundLane.CurrentThreadNiceness);
            Assert.That(poolNiceness, Is.Not.EqualTo(BackgroundLane.Niceness), "only the lane's threads are lowered, not the process");
        }
        Assert.That(lane.IsLaneThread, Is.False, "the test's own thread is not a lane thread");
    }

    [Test]
    public async Task A_failure_reaches_the_caller_and_the_lane_keeps_working()
    {
        using var lane = new BackgroundLane(threads: 1);
        var failed = lane.RunAsync(async () =>
        {
            await Task.Yield();
            throw new InvalidDataException("corrupt inventory");
        });
        Assert.That(async () => await failed, Throws.TypeOf<InvalidDataException>().With.Message.EqualTo("corrupt inventory"));
        Assert.That(await lane.RunAsync(() => Task.FromResult(lane.IsLaneThread)), Is.True);
    }

    [Test]
    public async Task Work_cancelled_before_it_starts_never_runs()
    {
        using var lane = new BackgroundLane(threads: 1);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var ran = false;
        var work = lane.RunAsync(() => { ran = true; return Task.CompletedTask; }, cancelled.Token);
        Assert.That(async () => await work, Throws.InstanceOf<OperationCanceledException>());
        Assert.That(ran, Is.False);
    }

    [Test]
    public async Task More_work_than_threads_all_completes_on_the_lane()
    {
        using var lane = new BackgroundLane(threads: 2);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var onLane = 0;
        var work = Enumerable.Range(0, 20).Select(_ => lane.RunAsync(async () =>
        {
            await release.Task; // every piece waits without holding a lane thread
            if (lane.IsLaneThread) Interlocked.Increment(ref onLane);
        })).ToList();
        release.SetResult();
        await Task.WhenAll(work).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(onLane, Is.EqualTo(20));
    }

    [Test]
    public async Task Work_started_from_the_lane_runs_at_once_on_the_same_thread()
    {
        using var lane = new BackgroundLane(threads: 1);
        var ranInline = await lane.RunAsync(() =>
        {
            var outer = Environment.CurrentManagedThreadId;
            var inner = lane.RunAsync(() => Task.FromResult(Environment.CurrentManagedThreadId));
            return Task.FromResult(inner.IsCompleted && inner.Result == outer);
        }).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(ranInline, Is.True, "a lane thread does not queue work behind itself");
    }

    [Test]
    public void A_lane_needs_a_thread()
    {
        Assert.That(() => new BackgroundLane(threads: 0), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public async Task The_bus_runs_exactly_the_bulk_consumers_on_the_lane()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["Messaging:Transport"] = "InMemory";
        builder.Configuration["Storage:Provider"] = "Sqlite";
        var data = Directory.CreateTempSubdirectory("imagescanning-lane-").FullName;
        builder.Configuration["Storage:DataDirectory"] = data;
        builder.AddScanRouter().AddEnhancedScanner().AddFindings();
        builder.AddMessaging(bus => bus.AddScanRouterConsumers().AddEnhancedScannerConsumers().AddFindingsConsumers());
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var probe = JsonSerializer.SerializeToNode(host.Services.GetRequiredService<IBusControl>().GetProbeResult())!;
            var lanes = EndpointsWithFilter(probe, "backgroundLane");
            Assert.That(lanes, Is.EquivalentTo(new[] { "enhanced-rescanner", "scan-router-rescans", "findings-rescans", "scan-router-advisories" }),
                "the bulk lanes, and nothing a push scan goes through");
        }
        finally
        {
            await host.StopAsync();
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>The names of the receive endpoints whose probe tree holds a filter of that type.</summary>
    private static List<string> EndpointsWithFilter(JsonNode probe, string filterType)
    {
        var found = new List<string>();
        void Walk(JsonNode? node, string? endpoint)
        {
            switch (node)
            {
                case JsonObject o:
                    if (o["receiveTransport"]?["address"]?.GetValue<string>() is { } address) endpoint = new Uri(address).Segments[^1];
                    if (o["filterType"]?.GetValue<string>() == filterType && endpoint is not null && !found.Contains(endpoint)) found.Add(endpoint);
                    foreach (var (_, child) in o) Walk(child, endpoint);
                    break;
                case JsonArray a:
                    foreach (var child in a) Walk(child, endpoint);
                    break;
            }
        }
        Walk(probe, null);
        return found;
    }
}
