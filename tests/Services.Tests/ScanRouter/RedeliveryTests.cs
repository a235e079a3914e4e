using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Consumers;
using ImageScanning.ScanRouter.Data;
using MassTransit;

namespace ImageScanning.Services.Tests.ScanRouter;

/// <summary>
/// A message delivered twice with the same message id (RabbitMQ redelivers what a killed process had not acknowledged) finds its
/// inbox mark and changes nothing, sends nothing twice. Each test makes the second handling observable: without the mark it would
/// change something. Push and scan results: ImagePushedConsumerTests, ImageScannedConsumerTests; advisories: NewCveAddedConsumerTests.
/// </summary>
public sealed class RedeliveryTests
{
    private const string Registry = "local";
    private const string Repository = "team/app";
    private static readonly string Digest = "sha256:" + new string('a', 64);
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private string _directory = "";
    private ScanRouterHost _router = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _directory = Directory.CreateTempSubdirectory("router-redelivery-").FullName;
        _router = await ScanRouterHost.StartAsync(_directory);
        await _router.Catalog.UpsertImageAsync(new ImageRecord(Registry, Repository, Digest, ["v1"], "application/vnd.oci.image.manifest.v1+json",
            T0, null, null, null, null, null, T0));
    }

    [TearDown]
    public async Task StopAsync()
    {
        await _router.DisposeAsync();
        await ScanRouterHost.DeleteDirectoryAsync(_directory);
    }

    private async Task<ManualScanResult> StartManualScanAsync(Guid messageId)
    {
        var client = _router.Harness.GetRequestClient<StartManualScan>();
        var response = await client.GetResponse<ManualScanResult>(new StartManualScan(Registry, Repository, new ImageSelector(null, "v1")),
            request => request.UseExecute(context => context.MessageId = messageId));
        await _router.OutboxDrainedAsync();
        return response.Message;
    }

    [Test]
    public async Task A_redelivered_manual_scan_request_answers_started_again_and_sends_one_scan()
    {
        var messageId = NewId.NextGuid();
        var first = await StartManualScanAsync(messageId);
        var reserved = (await _router.Catalog.GetImageAsync(Registry, Repository, Digest))!.LastBasicScanAt;

        var again = await StartManualScanAsync(messageId);
        var another = await StartManualScanAsync(NewId.NextGuid());

        Assert.Multiple(async () =>
        {
            Assert.That(first.Outcome, Is.EqualTo(ManualScanOutcome.STARTED));
            Assert.That(again.Outcome, Is.EqualTo(ManualScanOutcome.STARTED), "the lost reply of a started scan, answered again");
            Assert.That(again.Status, Is.EqualTo(ScanStatus.IN_PROGRESS));
            Assert.That(another.Outcome, Is.EqualTo(ManualScanOutcome.QUOTA_EXCEEDED), "a new request meets the quota the first one spent");
            Assert.That(_router.Harness.Sent.Select<ScanImage>().Count(), Is.EqualTo(1));
            var image = await _router.Catalog.GetImageAsync(Registry, Repository, Digest);
            Assert.That(image!.LastBasicScanAt, Is.EqualTo(reserved));
            Assert.That(image.LastScanId, Is.EqualTo(_router.Harness.Sent.Select<ScanImage>().Single().Context.Message.ScanId));
        });
    }

    [Test]
    public async Task A_redelivered_scan_failure_does_not_fail_the_scan_that_started_since()
    {
        var failedScan = Guid.NewGuid();
        await _router.Catalog.StartScanAsync(Registry, Repository, Digest, failedScan, new ScanDispatch(ScanType.BASIC, ScanTrigger.PUSH, 1, T0));
        var failure = new ImageScanFailed(failedScan, new ImageRef(Registry, Repository, Digest, ["v1"]), ScanType.BASIC, ScanTrigger.PUSH,
            ScanFailureReason.REGISTRY_UNREACHABLE, "The registry did not answer.", T0.AddMinutes(1));
        var messageId = NewId.NextGuid();
        await _router.PublishAndWaitAsync<ImageScanFailedConsumer, ImageScanFailed>(failure, messageId);
        Assert.That((await _router.Catalog.GetImageAsync(Registry, Repository, Digest))!.ScanStatus, Is.EqualTo(ScanStatus.FAILED));

        // A new scan starts at the failure's own time: a second handling of the old failure would pass the ordering rule.
        var nextScan = Guid.NewGuid();
        Assert.That(await _router.Catalog.StartScanAsync(Registry, Repository, Digest, nextScan,
            new ScanDispatch(ScanType.BASIC, ScanTrigger.MANUAL, 1, failure.FailedAt)), Is.True);
        await _router.PublishAndWaitAsync<ImageScanFailedConsumer, ImageScanFailed>(failure, messageId);

        var image = await _router.Catalog.GetImageAsync(Registry, Repository, Digest);
        Assert.That(image!.ScanStatus, Is.EqualTo(ScanStatus.IN_PROGRESS));
        Assert.That(image.LastScanId, Is.EqualTo(nextScan));
        Assert.That(await _router.CountAsync("inbox", "consumer = 'ImageScanFailedConsumer'"), Is.EqualTo(1));
    }

    [Test]
    public async Task A_redelivered_pull_changes_nothing()
    {
        var pulled = new ImagePulled("pull-1", Registry, Repository, Digest, T0.AddDays(1));
        var messageId = NewId.NextGuid();
        await _router.PublishAndWaitAsync<ImagePulledConsumer, ImagePulled>(pulled, messageId);
        await _router.PublishAndWaitAsync<ImagePulledConsumer, ImagePulled>(pulled, messageId);

        Assert.That((await _router.Catalog.GetImageAsync(Registry, Repository, Digest))!.LastPulledAt, Is.EqualTo(T0.AddDays(1)));
        Assert.That(await _router.CountAsync("inbox", "consumer = 'ImagePulledConsumer'"), Is.EqualTo(1));
        Assert.That(await _router.CountAsync("outbox_messages"), Is.Zero, "a pull announces nothing");
    }
}
