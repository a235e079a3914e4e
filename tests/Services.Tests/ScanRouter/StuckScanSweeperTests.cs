using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Consumers;
using ImageScanning.ScanRouter.Data;
using ImageScanning.ScanRouter.Dispatching;
using ImageScanning.Services.Tests.Rescanning;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ImageScanning.Services.Tests.ScanRouter;

/// <summary>
/// Nothing stays IN_PROGRESS: the stuck-scan sweeper in the ScanRouter host (real SQLite stores, outbox, test harness) with a set
/// clock. A scan without a result is sent again with the same scan id, then recorded FAILED with a reason and announced.
/// </summary>
public sealed class StuckScanSweeperTests
{
    private const string Registry = "local";
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly string Digest = "sha256:" + new string('a', 64);

    private string _directory = "";
    private ManualClock _clock = null!;
    private ScanRouterHost _router = null!;

    private static readonly Dictionary<string, string?> Settings = new()
    {
        // The sweeps run when the test says (SweepOnceAsync), not on the timer.
        ["Scanning:StuckScanSweepInterval"] = "01:00:00",
    };

    [SetUp]
    public async Task StartAsync()
    {
        _directory = Directory.CreateTempSubdirectory("router-stuck-").FullName;
        _clock = new ManualClock(Now);
        _router = await ScanRouterHost.StartAsync(_directory, settings: Settings, clock: _clock);
    }

    [TearDown]
    public async Task StopAsync()
    {
        await _router.DisposeAsync();
        await ScanRouterHost.DeleteDirectoryAsync(_directory);
    }

    private StuckScanSweeper Sweeper => _router.Services.GetRequiredService<StuckScanSweeper>();

    private async Task<ScanImage> PushAsync(ScanType type = ScanType.BASIC)
    {
        await _router.Configuration.PutConfigurationAsync(Registry, new RegistryScanningConfiguration(type,
            [new RegistryScanningRule(ScanFrequency.SCAN_ON_PUSH, [new ScanningRepositoryFilter("*", RepositoryFilterType.WILDCARD)])]));
        await _router.PublishAndWaitAsync<ImagePushedConsumer, ImagePushed>(
            new ImagePushed("event-1", Registry, "team/app", Digest, "v1", "application/vnd.oci.image.manifest.v1+json", Now));
        return Sends().Single().Context.Message;
    }

    private List<ISentMessage<ScanImage>> Sends() => _router.Harness.Sent.Select<ScanImage>().ToList();

    private async Task<StuckScanSweeper.Result> SweepAsync()
    {
        var result = await Sweeper.SweepOnceAsync(CancellationToken.None);
        await _router.OutboxDrainedAsync();
        return result;
    }

    private Task<ImageRecord?> ImageAsync() => _router.Catalog.GetImageAsync(Registry, "team/app", Digest);

    [Test]
    public async Task A_scan_without_a_result_is_sent_again_with_the_same_scan_id_and_its_clock_restarts()
    {
        var first = await PushAsync();
        var firstSend = Sends().Single();

        _clock.Now = Now.AddMinutes(14);
        Assert.That(await SweepAsync(), Is.EqualTo(new StuckScanSweeper.Result(0, 0)), "not late yet");

        _clock.Now = Now.AddMinutes(16);
        Assert.That(await SweepAsync(), Is.EqualTo(new StuckScanSweeper.Result(1, 0)));

        var sends = Sends();
        Assert.That(sends, Has.Count.EqualTo(2));
        var again = sends.Single(s => s.Context.MessageId != firstSend.Context.MessageId);
        Assert.Multiple(async () =>
        {
            Assert.That(again.Context.Message.ScanId, Is.EqualTo(first.ScanId), "the same scan: the scanner de-duplicates on its id");
            Assert.That(again.Context.Message.Trigger, Is.EqualTo(ScanTrigger.PUSH));
            Assert.That(again.Context.Message.ScanType, Is.EqualTo(ScanType.BASIC));
            Assert.That(again.Context.DestinationAddress!.AbsolutePath, Does.EndWith(QueueNames.BasicScanner));
            var image = await ImageAsync();
            Assert.That(image!.ScanStatus, Is.EqualTo(ScanStatus.IN_PROGRESS));
            Assert.That(image.ScanStatusAt, Is.EqualTo(Now), "the status time stays");
            Assert.That(image.CurrentScan, Is.EqualTo(new ScanDispatch(ScanType.BASIC, ScanTrigger.PUSH, 2, Now.AddMinutes(16))));
        });

        _clock.Now = Now.AddMinutes(30);
        Assert.That(await SweepAsync(), Is.EqualTo(new StuckScanSweeper.Result(0, 0)), "the clock runs from the last send");
    }

    [Test]
    public async Task After_the_last_send_the_scan_is_recorded_failed_with_its_reason_and_announced()
    {
        var scan = await PushAsync(ScanType.ENHANCED);
        for (var sweep = 1; sweep <= 2; sweep++)
        {
            _clock.Now = Now.AddMinutes(16 * sweep);
            Assert.That(await SweepAsync(), Is.EqualTo(new StuckScanSweeper.Result(1, 0)), $"re-send {sweep}");
        }

        _clock.Now = Now.AddMinutes(48);
        Assert.That(await SweepAsync(), Is.EqualTo(new StuckScanSweeper.Result(0, 1)));

        const string reason = "No scan result within 15 minutes, 3 times; the scanner may have crashed on this image.";
        Assert.Multiple(async () =>
        {
            Assert.That(Sends().Select(s => s.Context.Message.ScanId), Is.EqualTo(Enumerable.Repeat(scan.ScanId, 3)), "sent three times, no more");
            Assert.That(Sends().Select(s => s.Context.DestinationAddress!.AbsolutePath), Has.All.EndWith(QueueNames.EnhancedScanner));
            var image = await ImageAsync();
            Assert.That(image!.ScanStatus, Is.EqualTo(ScanStatus.FAILED));
            Assert.That(image.ScanStatusDescription, Is.EqualTo(reason));
            Assert.That(image.ScanStatusAt, Is.EqualTo(Now.AddMinutes(48)));
            var failed = _router.Harness.Published.Select<ImageScanFailed>().Select(p => p.Context.Message).ToList();
            Assert.That(failed, Has.Count.EqualTo(1), "Findings records and announces it");
            Assert.That(failed[0], Is.EqualTo(new ImageScanFailed(scan.ScanId, scan.Image, ScanType.ENHANCED, ScanTrigger.PUSH,
                ScanFailureReason.TIMEOUT, reason, Now.AddMinutes(48))).Using<ImageScanFailed>(SameFailure));
        });

        // ScanRouter's own ImageScanFailed consumer takes the announcement too: it records the same, and a later sweep finds nothing.
        await ScanRouterHost.WaitUntilAsync(async () => await _router.CountAsync("inbox", "consumer = 'ImageScanFailedConsumer'") == 1,
            "ScanRouter consumed its own ImageScanFailed");
        Assert.That((await ImageAsync())!.ScanStatusDescription, Is.EqualTo(reason));
        _clock.Now = Now.AddHours(2);
        Assert.That(await SweepAsync(), Is.EqualTo(new StuckScanSweeper.Result(0, 0)));
    }

    /// <summary>Records compare the image's tag list by reference; compare the failure field by field.</summary>
    private static bool SameFailure(ImageScanFailed a, ImageScanFailed b) =>
        a.ScanId == b.ScanId && a.Image.Registry == b.Image.Registry && a.Image.Repository == b.Image.Repository && a.Image.Digest == b.Image.Digest
        && a.Image.Tags.SequenceEqual(b.Image.Tags) && a.ScanType == b.ScanType && a.Trigger == b.Trigger && a.Reason == b.Reason
        && a.Message == b.Message && a.FailedAt == b.FailedAt;

    [Test]
    public async Task A_scan_whose_result_came_is_left_alone()
    {
        var scan = await PushAsync();
        await _router.PublishAndWaitAsync<ImageScannedConsumer, ImageScanned>(new ImageScanned(scan.ScanId, scan.Image, ScanType.BASIC, ScanTrigger.PUSH,
            null, [], [], "test", null, Now.AddMinutes(1)));

        _clock.Now = Now.AddHours(1);
        Assert.That(await SweepAsync(), Is.EqualTo(new StuckScanSweeper.Result(0, 0)));
        Assert.That(Sends(), Has.Count.EqualTo(1));
        Assert.That((await ImageAsync())!.ScanStatus, Is.EqualTo(ScanStatus.COMPLETE));
    }

    [Test]
    public async Task On_the_in_memory_bus_every_scan_in_progress_is_sent_again_at_start_up_whatever_its_age()
    {
        var scan = await PushAsync();
        var original = Sends().Single().Context.MessageId;
        await _router.DisposeAsync();

        _clock.Now = Now.AddMinutes(1);
        _router = await ScanRouterHost.StartAsync(_directory, settings: new Dictionary<string, string?>(Settings)
        {
            ["Scanning:RedispatchOnStart"] = null,   // the default: on because the bus is in memory
            ["Outbox:ReplayOnStart"] = "false",      // so the only copy is the sweeper's
        }, clock: _clock);

        await ScanRouterHost.WaitUntilAsync(() => Task.FromResult(Sends().Count == 1), "the scan in progress was sent again");
        await _router.OutboxDrainedAsync();
        var again = Sends().Single();
        Assert.That(again.Context.Message.ScanId, Is.EqualTo(scan.ScanId));
        Assert.That(again.Context.MessageId, Is.Not.EqualTo(original));
        Assert.That((await ImageAsync())!.CurrentScan, Is.EqualTo(new ScanDispatch(ScanType.BASIC, ScanTrigger.PUSH, 2, Now.AddMinutes(1))), "the send counts");
    }

    [TestCase(15 * 60, "15 minutes")]
    [TestCase(60, "1 minute")]
    [TestCase(90, "90 seconds")]
    [TestCase(2 * 3600, "2 hours")]
    [TestCase(90 * 60, "90 minutes")]
    public void Durations_read_as_a_user_reads_them(int seconds, string expected)
    {
        Assert.That(StuckScanSweeper.Describe(TimeSpan.FromSeconds(seconds)), Is.EqualTo(expected));
    }

    [Test]
    public async Task Settings_that_would_never_sweep_stop_the_host()
    {
        await _router.DisposeAsync();
        var settings = new Dictionary<string, string?>(Settings) { ["Scanning:MaxScanDispatches"] = "0" };
        Assert.That(async () => _router = await ScanRouterHost.StartAsync(_directory, settings: settings), Throws.InstanceOf<OptionsValidationException>());
        _router = await ScanRouterHost.StartAsync(_directory, settings: Settings, clock: _clock); // for the tear-down
    }
}
