using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Consumers;
using ImageScanning.ScanRouter.Dispatching;
using ImageScanning.Services.Tests.Rescanning;
using Microsoft.Extensions.DependencyInjection;

namespace ImageScanning.Services.Tests.ScanRouter;

/// <summary>Registry delivery ids are kept for Outbox:InboxRetention (7 days), then forgotten, so the table does not grow for ever.</summary>
public sealed class DeliveryIdPurgeTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private string _directory = "";
    private ManualClock _clock = null!;
    private ScanRouterHost _router = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _directory = Directory.CreateTempSubdirectory("router-deliveries-").FullName;
        _clock = new ManualClock(Now);
        _router = await ScanRouterHost.StartAsync(_directory, clock: _clock);
    }

    [TearDown]
    public async Task StopAsync()
    {
        await _router.DisposeAsync();
        await ScanRouterHost.DeleteDirectoryAsync(_directory);
    }

    [Test]
    public async Task Delivery_ids_older_than_the_inbox_retention_are_forgotten_and_newer_ones_kept()
    {
        foreach (var (deliveryId, digest) in new[] { ("event-1", 'a'), ("event-2", 'b') })
            await _router.PublishAndWaitAsync<ImagePushedConsumer, ImagePushed>(new ImagePushed(
                deliveryId, "local", "team/app", "sha256:" + new string(digest, 64), "v1", "application/vnd.oci.image.manifest.v1+json", Now));
        var purge = _router.Services.GetRequiredService<DeliveryIdPurge>();

        _clock.Now = Now.AddDays(6);
        Assert.That(await purge.PurgeOnceAsync(CancellationToken.None), Is.Zero, "within 7 days a repeated webhook must still be recognised");
        Assert.That(await _router.Catalog.TryRecordDeliveryAsync("local/event-1", _clock.Now), Is.False, "still remembered");

        _clock.Now = Now.AddDays(8);
        Assert.That(await purge.PurgeOnceAsync(CancellationToken.None), Is.EqualTo(2));
        Assert.That(await _router.Catalog.TryRecordDeliveryAsync("local/event-1", _clock.Now), Is.True, "forgotten");
    }
}
