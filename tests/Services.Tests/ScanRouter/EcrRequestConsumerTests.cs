using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Consumers;
using ImageScanning.ScanRouter.Data;
using MassTransit;
using MassTransit.Testing;

namespace ImageScanning.Services.Tests.ScanRouter;

/// <summary>
/// ScanRouter's answers to the ECR API (manual scans, legacy scanOnPush, repository scanning, catalog pages) on
/// MassTransit's in-memory harness with the real SQLite stores
/// (scans go out through the outbox: tests wait for it to drain before counting them).
/// </summary>
public sealed class EcrRequestConsumerTests
{
    private const string Registry = "local";
    private const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    private const string OciIndex = "application/vnd.oci.image.index.v1+json";
    private static readonly string DigestA = "sha256:" + new string('a', 64);
    private static readonly string DigestB = "sha256:" + new string('b', 64);

    private string _directory = "";
    private ScanRouterHost _router = null!;
    private ITestHarness _harness = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _directory = Directory.CreateTempSubdirectory("router-ecr-").FullName;
        _router = await ScanRouterHost.StartAsync(_directory, x =>
        {
            x.AddConsumer<StartManualScanConsumer>();
            x.AddConsumer<PutRepositoryScanOnPushConsumer>();
            x.AddConsumer<GetRepositoryScanningConsumer>();
            x.AddConsumer<ListCatalogImagesConsumer>();
            x.AddConsumer<ImagePushedConsumer>();
        });
        _harness = _router.Harness;
    }

    [TearDown]
    public async Task StopAsync()
    {
        await _router.DisposeAsync();
        await ScanRouterHost.DeleteDirectoryAsync(_directory);
    }

    private Task CatalogueAsync(string repository, string digest, string tag, string mediaType = OciManifest) =>
        _router.Catalog.UpsertImageAsync(new ImageRecord(Registry, repository, digest, [tag], mediaType, DateTimeOffset.UtcNow, null, null, null, null, null,
            DateTimeOffset.UtcNow));

    private async Task<TResult> AskAsync<TRequest, TResult>(TRequest request) where TRequest : class where TResult : class =>
        (await _harness.GetRequestClient<TRequest>().GetResponse<TResult>(request)).Message;

    private Task<ManualScanResult> StartAsync(string repository, string? digest = null, string? tag = null) =>
        AskAsync<StartManualScan, ManualScanResult>(new StartManualScan(Registry, repository, new ImageSelector(digest, tag)));

    [Test]
    public async Task A_manual_scan_goes_to_the_basic_scanner_and_uses_the_days_quota()
    {
        await CatalogueAsync("team/app", DigestA, "v1");

        var first = await StartAsync("team/app", tag: "v1");
        var second = await StartAsync("team/app", digest: DigestA);
        await _router.OutboxDrainedAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(first.Outcome, Is.EqualTo(ManualScanOutcome.STARTED));
            Assert.That(first.Status, Is.EqualTo(ScanStatus.IN_PROGRESS));
            Assert.That(second.Outcome, Is.EqualTo(ManualScanOutcome.QUOTA_EXCEEDED));
            var sent = _harness.Sent.Select<ScanImage>().ToList();
            Assert.That(sent, Has.Count.EqualTo(1));
            Assert.That(sent[0].Context.Message.Trigger, Is.EqualTo(ScanTrigger.MANUAL));
            Assert.That(sent[0].Context.Message.ScanType, Is.EqualTo(ScanType.BASIC));
            Assert.That(sent[0].Context.DestinationAddress!.AbsolutePath, Does.EndWith(QueueNames.BasicScanner));
            var stored = await _router.Catalog.GetImageAsync(Registry, "team/app", DigestA);
            Assert.That(stored!.ScanStatus, Is.EqualTo(ScanStatus.IN_PROGRESS));
            Assert.That(stored.LastScanId, Is.EqualTo(sent[0].Context.Message.ScanId));
        });
    }

    [Test]
    public async Task Manual_scans_are_refused_for_indexes_under_enhanced_scanning_and_for_unknown_images()
    {
        await CatalogueAsync("team/app", DigestA, "multi", OciIndex);
        await CatalogueAsync("team/app", DigestB, "v1");

        var index = await StartAsync("team/app", tag: "multi");
        var unknownRepository = await StartAsync("team/none", tag: "v1");
        var unknownTag = await StartAsync("team/app", tag: "v9");
        var digestWithOtherTag = await StartAsync("team/app", digest: DigestB, tag: "multi");
        await _router.Configuration.PutConfigurationAsync(Registry, new RegistryScanningConfiguration(ScanType.ENHANCED, []));
        var enhanced = await StartAsync("team/app", tag: "v1");
        await _router.OutboxDrainedAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(index.Outcome, Is.EqualTo(ManualScanOutcome.UNSUPPORTED_IMAGE_TYPE));
            Assert.That(unknownRepository.Outcome, Is.EqualTo(ManualScanOutcome.REPOSITORY_NOT_FOUND));
            Assert.That(unknownTag.Outcome, Is.EqualTo(ManualScanOutcome.IMAGE_NOT_FOUND));
            Assert.That(digestWithOtherTag.Outcome, Is.EqualTo(ManualScanOutcome.IMAGE_NOT_FOUND));
            Assert.That(enhanced.Outcome, Is.EqualTo(ManualScanOutcome.ENHANCED_SCANNING));
            Assert.That(_harness.Sent.Select<ScanImage>().Any(), Is.False);
            Assert.That((await _router.Catalog.GetImageAsync(Registry, "team/app", DigestB))!.LastBasicScanAt, Is.Null, "a refused scan spends no quota");
        });
    }

    private async Task WaitForPushAsync(string deliveryId)
    {
        var consumer = _harness.GetConsumerHarness<ImagePushedConsumer>();
        for (var i = 0; i < 100 && !consumer.Consumed.Select<ImagePushed>(m => m.Context.Message.DeliveryId == deliveryId).Any(); i++)
            await Task.Delay(50);
        Assert.That(consumer.Consumed.Select<ImagePushed>(m => m.Context.Message.DeliveryId == deliveryId).Any(), Is.True);
        await _router.OutboxDrainedAsync();
    }

    [Test]
    public async Task Legacy_scan_on_push_scans_pushes_only_while_the_registry_has_no_rules()
    {
        await CatalogueAsync("team/app", DigestA, "v1");
        var put = await AskAsync<PutRepositoryScanOnPush, PutRepositoryScanOnPushResult>(new(Registry, "team/app", true));
        var missing = await AskAsync<PutRepositoryScanOnPush, PutRepositoryScanOnPushResult>(new(Registry, "team/none", true));
        var scanning = await AskAsync<GetRepositoryScanning, RepositoryScanningResult>(new(Registry, ["team/app", "team/none"]));

        await _harness.Bus.Publish(new ImagePushed("event-1", Registry, "team/app", DigestB, "v2", OciManifest, DateTimeOffset.UtcNow));
        await WaitForPushAsync("event-1");
        var scansWithoutRules = _harness.Sent.Select<ScanImage>().Count();

        await _router.Configuration.PutConfigurationAsync(Registry, new RegistryScanningConfiguration(ScanType.BASIC,
            [new RegistryScanningRule(ScanFrequency.SCAN_ON_PUSH, [new ScanningRepositoryFilter("prod*", RepositoryFilterType.WILDCARD)])]));
        await _harness.Bus.Publish(new ImagePushed("event-2", Registry, "team/app", "sha256:" + new string('c', 64), "v3", OciManifest, DateTimeOffset.UtcNow));
        await WaitForPushAsync("event-2");
        var withRules = await AskAsync<GetRepositoryScanning, RepositoryScanningResult>(new(Registry, ["team/app"]));

        Assert.Multiple(() =>
        {
            Assert.That(put.RepositoryFound, Is.True);
            Assert.That(missing.RepositoryFound, Is.False);
            Assert.That(scanning.Repositories.Single().ScanFrequency, Is.EqualTo(ScanFrequency.SCAN_ON_PUSH));
            Assert.That(scanning.Repositories.Single().ScanOnPush, Is.True);
            Assert.That(scanning.NotFound, Is.EqualTo(new[] { "team/none" }));
            Assert.That(scansWithoutRules, Is.EqualTo(1), "the legacy setting scanned the push");
            Assert.That(_harness.Sent.Select<ScanImage>().Count(), Is.EqualTo(1), "once rules exist, they alone decide");
            Assert.That(withRules.Repositories.Single().ScanFrequency, Is.EqualTo(ScanFrequency.MANUAL));
        });
    }

    [Test]
    public async Task Catalog_pages_follow_next_tokens_and_report_missing_selectors()
    {
        await CatalogueAsync("team/app", DigestA, "v1");
        await CatalogueAsync("team/app", DigestB, "v2");

        var first = await AskAsync<ListCatalogImages, CatalogImagesResult>(new(Registry, "team/app", null, 1, null));
        var second = await AskAsync<ListCatalogImages, CatalogImagesResult>(new(Registry, "team/app", null, 1, first.NextToken));
        var forged = await AskAsync<ListCatalogImages, CatalogImagesResult>(new(Registry, "team/app", null, 1, "forged"));
        var selected = await AskAsync<ListCatalogImages, CatalogImagesResult>(new(Registry, "team/app",
            [new ImageSelector(null, "v2"), new ImageSelector(null, "v9")], 100, null));
        var none = await AskAsync<ListCatalogImages, CatalogImagesResult>(new(Registry, "team/none", null, 100, null));

        Assert.Multiple(() =>
        {
            Assert.That(first.Images.Select(i => i.Digest), Is.EqualTo(new[] { DigestA }));
            Assert.That(second.Images.Select(i => i.Digest), Is.EqualTo(new[] { DigestB }));
            Assert.That(second.NextToken, Is.Null);
            Assert.That(forged.InvalidNextToken, Is.True);
            Assert.That(selected.Images.Select(i => i.Digest), Is.EqualTo(new[] { DigestB }));
            Assert.That(selected.NotFound, Is.EqualTo(new[] { new ImageSelector(null, "v9") }));
            Assert.That(none.RepositoryFound, Is.False);
        });
    }
}
