using ImageScanning.Contracts;
using ImageScanning.EnhancedScanner.Extensions;
using ImageScanning.ScannerCore;
using ImageScanning.ServiceDefaults.Extensions;
using ImageScanning.TestSupport;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ImageScanning.Services.Tests.Rescanning;

/// <summary>
/// The enhanced scanner's two lanes on the production bus set-up (AddMessaging, the real consumer definitions), in memory and on
/// RabbitMQ: with re-scans filling their capped lane, a push scan is still consumed at once; re-scans run on the low-priority
/// background lane's threads, push scans on the thread pool.
/// </summary>
[NonParallelizable]
public sealed class RescanLaneTests
{
    private const int Cap = 2;

    /// <summary>Holds every re-scan open until released, counting how many run at once; push scans finish at once.</summary>
    private sealed class GatedScans : IScanImageHandler
    {
        private int _inFlight;
        private int _maxInFlight;
        private int _rescansDone;
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource<ScanImage> PushScanned { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int InFlight => Volatile.Read(ref _inFlight);
        public int MaxInFlight => Volatile.Read(ref _maxInFlight);
        public int RescansDone => Volatile.Read(ref _rescansDone);
        /// <summary>Where each re-scan ran, before and after its wait: a lane thread name, or "thread pool".</summary>
        public System.Collections.Concurrent.ConcurrentBag<string> RescanThreads { get; } = [];
        public string? PushThread { get; private set; }

        private static string ThreadNow() => Thread.CurrentThread.IsThreadPoolThread ? "thread pool" : Thread.CurrentThread.Name ?? "unnamed";

        public async Task HandleAsync(ConsumeContext<ScanImage> context, bool includeLanguagePackages)
        {
            if (context.Message.Trigger != ScanTrigger.RESCAN)
            {
                PushThread = ThreadNow();
                PushScanned.TrySetResult(context.Message);
                return;
            }
            var now = Interlocked.Increment(ref _inFlight);
            int seen;
            while (now > (seen = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, seen) != seen) { }
            RescanThreads.Add(ThreadNow());
            await Release.Task;
            RescanThreads.Add(ThreadNow());
            Interlocked.Decrement(ref _inFlight);
            Interlocked.Increment(ref _rescansDone);
        }
    }

    [TestCase("InMemory")]
    [TestCase("RabbitMQ")]
    public async Task A_push_scan_is_consumed_while_rescans_are_capped(string transport)
    {
        string? virtualHost = null;
        if (transport == "RabbitMQ")
        {
            if (!ProcessRunner.IsInstalled("rabbitmqctl")) Assert.Fail("rabbitmqctl is missing (tests/run.sh installs rabbitmq-server).");
            virtualHost = RabbitMqVirtualHosts.NewName("lanes");
            await RabbitMqVirtualHosts.CreateAsync(virtualHost);
        }
        try
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Configuration["Messaging:Transport"] = transport;
            builder.Configuration["Messaging:RabbitMqHost"] = Environment.GetEnvironmentVariable("RABBITMQ_HOST") ?? "127.0.0.1";
            builder.Configuration["Security:AllowInsecureDefaults"] = "true"; // the local test broker's guest account
            if (virtualHost is not null) builder.Configuration["Messaging:RabbitMqVirtualHost"] = virtualHost;
            builder.Configuration["Scanning:MaxConcurrentRescans"] = Cap.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var scans = new GatedScans();
            builder.Services.AddSingleton<IScanImageHandler>(scans);
            builder.AddMessaging(bus => bus.AddEnhancedScannerConsumers());
            // Sends go to the queue's exchange: start only once the queues are bound, or the first sends have nowhere to go.
            builder.Services.Configure<MassTransitHostOptions>(o => o.WaitUntilStarted = true);
            using var host = builder.Build();
            await host.StartAsync();
            try
            {
                var bus = host.Services.GetRequiredService<IBus>();
                var image = new ImageRef("local", "apps/shop", "sha256:" + new string('a', 64), []);
                var rescanQueue = await bus.GetSendEndpoint(QueueNames.For(QueueNames.EnhancedRescanner));
                const int rescans = 12;
                for (var i = 0; i < rescans; i++)
                    await rescanQueue.Send(new ScanImage(NewId.NextGuid(), image, ScanType.ENHANCED, ScanTrigger.RESCAN, DateTimeOffset.UtcNow));

                var deadline = DateTime.UtcNow.AddSeconds(30);
                while (scans.InFlight < Cap && DateTime.UtcNow < deadline) await Task.Delay(20);
                Assert.That(scans.InFlight, Is.EqualTo(Cap), "re-scans fill their lane up to the cap");

                var pushQueue = await bus.GetSendEndpoint(QueueNames.For(QueueNames.EnhancedScanner));
                var push = new ScanImage(NewId.NextGuid(), image, ScanType.ENHANCED, ScanTrigger.PUSH, DateTimeOffset.UtcNow);
                await pushQueue.Send(push);
                var finished = await Task.WhenAny(scans.PushScanned.Task, Task.Delay(TimeSpan.FromSeconds(15)));
                Assert.That(finished, Is.SameAs(scans.PushScanned.Task), "the push scan did not wait behind the blocked re-scans");
                // The push, sent after every re-scan, has been consumed: the scanner has had the whole burst in front of it. "No further
                // than the cap" is proven over the whole run by MaxInFlight below, read once every re-scan is done, not after a sleep.
                Assert.That(scans.InFlight, Is.EqualTo(Cap), "re-scans fill their lane up to the cap, no further");
                Assert.That(scans.RescansDone, Is.Zero, "every re-scan was still held when the push scan ran");

                scans.Release.SetResult();
                deadline = DateTime.UtcNow.AddSeconds(30);
                while (scans.RescansDone < rescans && DateTime.UtcNow < deadline) await Task.Delay(20);
                Assert.That(scans.RescansDone, Is.EqualTo(rescans), $"in flight: {scans.InFlight}, started at most {scans.MaxInFlight} at once");
                Assert.That(scans.MaxInFlight, Is.EqualTo(Cap));
                Assert.That(scans.RescanThreads, Has.Count.EqualTo(2 * rescans));
                Assert.That(scans.RescanThreads, Has.All.StartsWith("background-lane-"), "re-scans run on the low-priority lane, before and after each await");
                Assert.That(scans.PushThread, Is.EqualTo("thread pool"), "push scans keep the normal-priority thread pool");
            }
            finally
            {
                scans.Release.TrySetResult();
                await host.StopAsync();
            }
        }
        finally
        {
            if (virtualHost is not null) await RabbitMqVirtualHosts.DeleteAsync(virtualHost);
        }
    }
}
