using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Consumers;
using ImageScanning.ScanRouter.Data;
using ImageScanning.Services.Tests.ScanRouter;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Data.Sqlite;

namespace ImageScanning.Services.Tests.Routing;

/// <summary>
/// The router's push handling on MassTransit's in-memory harness with the real SQLite stores, the production retry policy and the
/// outbox: the delivery id, the image, the quota, the IN_PROGRESS status and the ScanImage are one unit of work.
/// </summary>
public sealed class ImagePushedConsumerTests
{
    private static readonly string DigestA = "sha256:" + new string('a', 64);
    private string _directory = "";
    private ScanRouterHost _router = null!;
    private ITestHarness _harness = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _directory = Directory.CreateTempSubdirectory("router-consumer-").FullName;
        _router = await ScanRouterHost.StartAsync(_directory, x => x.AddConsumer<ImagePushedConsumer>());
        _harness = _router.Harness;
    }

    [TearDown]
    public async Task StopAsync()
    {
        await _router.DisposeAsync();
        await ScanRouterHost.DeleteDirectoryAsync(_directory);
    }

    private static ImagePushed Push(string deliveryId, string repository, char digest = 'a') =>
        new(deliveryId, "local", repository, "sha256:" + new string(digest, 64), "v1", "application/vnd.oci.image.manifest.v1+json", DateTimeOffset.UtcNow);

    private async Task PublishAndWaitAsync(params ImagePushed[] pushes)
    {
        foreach (var push in pushes) await _harness.Bus.Publish(push);
        var consumer = _harness.GetConsumerHarness<ImagePushedConsumer>();
        for (var i = 0; i < 100 && consumer.Consumed.Select<ImagePushed>().Count() < pushes.Length; i++) await Task.Delay(50);
        Assert.That(consumer.Consumed.Select<ImagePushed>().Count(), Is.EqualTo(pushes.Length));
        await _router.OutboxDrainedAsync();
    }

    private List<ScanImage> SentScans() => _harness.Sent.Select<ScanImage>().Select(s => s.Context.Message).ToList();

    private Task ScanEverythingOnPushAsync(ScanType type = ScanType.BASIC) =>
        _router.Configuration.PutConfigurationAsync("local", new RegistryScanningConfiguration(type,
            [new RegistryScanningRule(ScanFrequency.SCAN_ON_PUSH, [new ScanningRepositoryFilter("*", RepositoryFilterType.WILDCARD)])]));

    [Test]
    public async Task A_duplicate_delivery_of_the_same_event_scans_nothing_twice()
    {
        await ScanEverythingOnPushAsync();

        await PublishAndWaitAsync(Push("event-1", "team/app"), Push("event-1", "team/app"));

        var sent = SentScans();
        Assert.That(sent, Has.Count.EqualTo(1));
        Assert.That(sent[0].ScanType, Is.EqualTo(ScanType.BASIC));
        Assert.That(sent[0].Trigger, Is.EqualTo(ScanTrigger.PUSH));
        var image = await _router.Catalog.GetImageAsync("local", "team/app", DigestA);
        Assert.That(image!.ScanStatus, Is.EqualTo(ScanStatus.IN_PROGRESS));
        Assert.That(image.LastScanId, Is.EqualTo(sent[0].ScanId));
        Assert.That(image.CurrentScan, Is.EqualTo(new ScanDispatch(ScanType.BASIC, ScanTrigger.PUSH, 1, image.ScanStatusAt!.Value)), "what the sweeper re-sends");
    }

    [Test]
    public async Task A_basic_image_is_scanned_on_push_once_per_24_hours_even_when_pushed_again_under_a_new_tag()
    {
        await _router.Configuration.PutConfigurationAsync("local", new RegistryScanningConfiguration(ScanType.BASIC,
            [new RegistryScanningRule(ScanFrequency.SCAN_ON_PUSH, [new ScanningRepositoryFilter("team", RepositoryFilterType.WILDCARD)])]));

        await PublishAndWaitAsync(Push("event-1", "team/app"), Push("event-2", "team/app") with { Tag = "v2" });

        Assert.That(SentScans(), Has.Count.EqualTo(1));
        var image = await _router.Catalog.GetImageAsync("local", "team/app", DigestA);
        Assert.That(image!.Tags, Is.EquivalentTo(new[] { "v1", "v2" }));
    }

    [Test]
    public async Task Repositories_no_scan_on_push_rule_matches_are_catalogued_but_not_scanned()
    {
        await _router.Configuration.PutConfigurationAsync("local", new RegistryScanningConfiguration(ScanType.BASIC,
            [new RegistryScanningRule(ScanFrequency.SCAN_ON_PUSH, [new ScanningRepositoryFilter("prod*", RepositoryFilterType.WILDCARD)])]));

        await PublishAndWaitAsync(Push("event-1", "dev/app"));

        Assert.That(SentScans(), Is.Empty);
        var image = await _router.Catalog.GetImageAsync("local", "dev/app", DigestA);
        Assert.That(image, Is.Not.Null);
        Assert.That(image!.ScanStatus, Is.Null);
    }

    [Test]
    public async Task Enhanced_continuous_repositories_go_to_the_enhanced_scanner_queue()
    {
        await _router.Configuration.PutConfigurationAsync("local", new RegistryScanningConfiguration(ScanType.ENHANCED,
            [new RegistryScanningRule(ScanFrequency.CONTINUOUS_SCAN, [new ScanningRepositoryFilter("prod*", RepositoryFilterType.WILDCARD)])]));

        await PublishAndWaitAsync(Push("event-1", "prod/api"), Push("event-2", "dev/api", 'b'));

        var sent = _harness.Sent.Select<ScanImage>().ToList();
        Assert.That(sent, Has.Count.EqualTo(1));
        Assert.That(sent[0].Context.Message.ScanType, Is.EqualTo(ScanType.ENHANCED));
        Assert.That(sent[0].Context.DestinationAddress!.AbsolutePath, Does.EndWith(QueueNames.EnhancedScanner));
    }

    [Test]
    public async Task A_redelivered_push_finds_its_inbox_mark_and_changes_and_sends_nothing()
    {
        await ScanEverythingOnPushAsync(ScanType.ENHANCED); // no quota: only the inbox can stop a second scan
        var push = Push("event-1", "team/app");
        var messageId = NewId.NextGuid();
        await _router.PublishAndWaitAsync<ImagePushedConsumer, ImagePushed>(push, messageId);
        var first = State(await _router.Catalog.GetImageAsync("local", "team/app", DigestA));
        // Forget the delivery id, so the webhook de-duplication cannot be what stops the copy.
        Assert.That(await _router.Catalog.PurgeDeliveriesAsync(DateTimeOffset.UtcNow.AddDays(1)), Is.EqualTo(1));

        await _router.PublishAndWaitAsync<ImagePushedConsumer, ImagePushed>(push, messageId);

        Assert.That(SentScans(), Has.Count.EqualTo(1));
        Assert.That(State(await _router.Catalog.GetImageAsync("local", "team/app", DigestA)), Is.EqualTo(first), "the image is exactly as the first delivery left it");
        Assert.That(await _router.CountAsync("deliveries"), Is.Zero, "the copy recorded nothing either");
        Assert.That(await _router.CountAsync("outbox_messages"), Is.EqualTo(1));
    }

    /// <summary>
    /// The headline bug: the delivery id used to be recorded on its own first, so a failure after it made the retry look like a
    /// duplicate and the push was never scanned. A trigger makes the catalogue write fail right after the delivery id is written.
    /// </summary>
    [Test]
    public async Task A_failure_after_the_delivery_id_is_written_leaves_nothing_and_the_retry_scans_the_push()
    {
        await ScanEverythingOnPushAsync();
        await ExecuteAsync("CREATE TRIGGER fail_catalogue BEFORE INSERT ON images BEGIN SELECT RAISE(ABORT, 'injected: the catalogue write failed'); END;");

        await _harness.Bus.Publish(Push("event-1", "team/app"));
        var consumer = _harness.GetConsumerHarness<ImagePushedConsumer>();
        await ScanRouterHost.WaitUntilAsync(() => Task.FromResult(consumer.Consumed.Select<ImagePushed>(m => m.Exception is not null).Any()),
            "the push failed once");

        Assert.Multiple(async () =>
        {
            Assert.That(await _router.CountAsync("deliveries"), Is.Zero, "the delivery id went with the rolled-back work");
            Assert.That(await _router.CountAsync("images"), Is.Zero);
            Assert.That(await _router.CountAsync("inbox"), Is.Zero, "no inbox mark: the retry is not a duplicate");
            Assert.That(await _router.CountAsync("outbox_messages"), Is.Zero);
        });

        await ExecuteAsync("DROP TRIGGER fail_catalogue;");
        await ScanRouterHost.WaitUntilAsync(async () => (await _router.Catalog.GetImageAsync("local", "team/app", DigestA))?.ScanStatus == ScanStatus.IN_PROGRESS,
            "a retry scanned the push", TimeSpan.FromSeconds(30));
        await _router.OutboxDrainedAsync();

        var sent = SentScans();
        Assert.That(sent, Has.Count.EqualTo(1), "exactly one ScanImage");
        Assert.That((await _router.Catalog.GetImageAsync("local", "team/app", DigestA))!.LastScanId, Is.EqualTo(sent[0].ScanId));
        Assert.That(await _router.CountAsync("deliveries"), Is.EqualTo(1));
    }

    [Test]
    public async Task A_store_locked_by_another_process_delays_pushes_and_loses_none()
    {
        await ScanEverythingOnPushAsync();
        await using (var other = new SqliteConnection($"Data Source={_router.DatabasePath};Pooling=False"))
        {
            await other.OpenAsync();
            await using (var begin = other.CreateCommand())
            {
                begin.CommandText = "BEGIN EXCLUSIVE;";
                await begin.ExecuteNonQueryAsync();
            }
            foreach (var (delivery, digest) in new[] { ("event-1", 'a'), ("event-2", 'b'), ("event-3", 'c') })
                await _harness.Bus.Publish(Push(delivery, "team/app", digest) with { Tag = delivery });

            // Hold the write lock for a few seconds: the pushes wait for it, and none of them leaves anything half-done meanwhile.
            for (var second = 0; second < 3; second++)
            {
                await Task.Delay(1000);
                Assert.That(await _router.CountAsync("deliveries") + await _router.CountAsync("images") + await _router.CountAsync("inbox"), Is.Zero);
            }
            await using var commit = other.CreateCommand();
            commit.CommandText = "COMMIT;";
            await commit.ExecuteNonQueryAsync();
        }

        await ScanRouterHost.WaitUntilAsync(async () => await _router.CountAsync("images", "scan_status = 'IN_PROGRESS'") == 3, "all three pushes were scanned");
        await _router.OutboxDrainedAsync();
        var sent = SentScans();
        Assert.That(sent.Select(s => s.Image.Digest).Order(), Is.EqualTo(new[] { 'a', 'b', 'c' }.Select(c => "sha256:" + new string(c, 64))), "one ScanImage each");
        foreach (var scan in sent)
            Assert.That((await _router.Catalog.GetImageAsync("local", "team/app", scan.Image.Digest))!.LastScanId, Is.EqualTo(scan.ScanId));
    }

    /// <summary>What a second handling of a push would change (records compare their tag lists by reference, so not the record).</summary>
    private static object? State(ImageRecord? image) => image is null ? null
        : (string.Join(",", image.Tags), image.ScanStatus, image.ScanStatusAt, image.LastScanId, image.CurrentScan, image.LastBasicScanAt, image.UpdatedAt);

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={_router.DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
