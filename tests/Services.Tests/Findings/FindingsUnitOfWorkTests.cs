using ImageScanning.Contracts;
using ImageScanning.Findings.Consumers;
using ImageScanning.Findings.Data;
using ImageScanning.Findings.Extensions;
using ImageScanning.ServiceDefaults.Outbox;
using ImageScanning.ServiceDefaults.Storage;
using ImageScanning.Services.Tests.Findings.Lifecycle;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using static ImageScanning.Services.Tests.Findings.Lifecycle.LifecycleFixtures;

namespace ImageScanning.Services.Tests.Findings;

/// <summary>
/// Exactly once in effect, at least once on the bus: Findings' consumers under redelivery, a failure right after the commit
/// (Testing:ThrowAfterCommit) and a failure before it, counted in the SQLite file and in what the harness saw published.
/// </summary>
[NonParallelizable] // FaultInjection is process-wide
public sealed class FindingsUnitOfWorkTests
{
    private FindingsHarnessHost? _host;

    [TearDown]
    public async Task StopAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
        _host = null;
    }

    private async Task<FindingsHarnessHost> StartAsync(
        IReadOnlyList<string>? throwAfterCommit = null, int immediateRetries = 3, Action<Microsoft.Extensions.Hosting.IHostApplicationBuilder>? configure = null,
        Action<IBusRegistrationConfigurator>? consumers = null) =>
        _host = await FindingsHarnessHost.StartAsync(new ManualClock(T0), throwAfterCommit, immediateRetries, configure, consumers);

    private static ImageScanned TwoFindings(char digest) =>
        Scan(Image(digest), T0, Finding("CVE-1", FindingSeverity.HIGH, "openssl"), Finding("CVE-2", FindingSeverity.LOW, "zlib"));

    /// <summary>Rows of the effect, the outbox and the inbox, as the file holds them.</summary>
    private static (long Findings, long Images, long Scans, long Outbox, long Inbox) Rows(FindingsHarnessHost host) => (
        host.Count("SELECT COUNT(*) FROM findings"), host.Count("SELECT COUNT(*) FROM images"), host.Count("SELECT COUNT(*) FROM scans"),
        host.Count("SELECT COUNT(*) FROM outbox_messages"), host.Count("SELECT COUNT(*) FROM inbox"));

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        for (var i = 0; i < 200 && !condition(); i++) await Task.Delay(50);
        Assert.That(condition(), Is.True, $"timed out waiting until {what}");
    }

    [Test]
    public async Task A_redelivered_ImageScanned_adds_no_rows_and_queues_no_events_twice()
    {
        var host = await StartAsync();
        var scan = TwoFindings('a');
        var messageId = NewId.NextGuid();

        await host.PublishAsync(scan, messageId);
        await host.PublishedAsync<ScanCompleted>(s => s.ScanId == scan.ScanId);
        await host.DrainAsync();
        var first = Rows(host);
        await host.PublishAsync(scan, messageId);
        await WaitUntilAsync(() => host.Recorder.Consumed<ImageScanned>(messageId) == 2, "both copies were consumed");
        await host.DrainAsync();

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo((2L, 1L, 1L, 3L, 1L)), "two findings, the image, the scan; two FindingChanged and a ScanCompleted; one mark");
            Assert.That(Rows(host), Is.EqualTo(first), "the redelivery found its mark and wrote nothing");
            Assert.That(host.Recorder.Copies<FindingChanged>().Values, Is.EqualTo(new[] { 1, 1 }));
            Assert.That(host.Recorder.Copies<ScanCompleted>().Values, Is.EqualTo(new[] { 1 }));
        });
    }

    [Test]
    public async Task A_consumer_that_fails_right_after_its_commit_still_has_its_events_published_exactly_once()
    {
        var host = await StartAsync(throwAfterCommit: [nameof(ImageScannedConsumer)]);
        var scan = TwoFindings('b');
        var messageId = NewId.NextGuid();

        await host.PublishAsync(scan, messageId);
        await host.PublishedAsync<ScanCompleted>(s => s.ScanId == scan.ScanId);
        await host.DrainAsync();

        var changes = host.Recorder.Published<FindingChanged>();
        Assert.Multiple(() =>
        {
            Assert.That(host.Recorder.Retried<ImageScanned>().Select(r => (r.MessageId, r.Exception.GetType())),
                Is.EqualTo(new[] { (messageId, typeof(InjectedFaultException)) }), "the first attempt failed right after its commit");
            Assert.That(host.Recorder.Consumed<ImageScanned>(messageId), Is.EqualTo(1), "the retry found its mark and ended the delivery");
            Assert.That(host.Recorder.Published<Fault<ImageScanned>>(), Is.Empty);
            Assert.That(changes.Select(c => c.Message.Finding.VulnerabilityId), Is.EquivalentTo(new[] { "CVE-1", "CVE-2" }));
            Assert.That(host.Recorder.Copies<FindingChanged>().Values, Is.EqualTo(new[] { 1, 1 }), "each change once, under one id");
            Assert.That(changes.Select(c => c.MessageId), Is.EquivalentTo(changes.Select(c => EventMessageIds.FindingChanged(c.Message))));
            Assert.That(host.Recorder.Copies<ScanCompleted>(), Is.EqualTo(new Dictionary<Guid, int> { [EventMessageIds.ScanCompleted(scan.ScanId, ScanStatus.COMPLETE)] = 1 }));
            Assert.That(Rows(host), Is.EqualTo((2L, 1L, 1L, 3L, 1L)));
        });
    }

    [Test]
    public async Task A_failure_before_the_commit_stores_and_publishes_nothing_and_the_redelivery_applies_it_once()
    {
        var failing = new FailingOnceFindingsStore.Switch();
        // No retries: the message faults, and its redelivery is played by publishing it again with the same id.
        var host = await StartAsync(immediateRetries: 0, configure: builder => builder.Services.AddSingleton<IFindingsStore>(provider =>
            new FailingOnceFindingsStore(new SqliteFindingsStore((SqliteDatabase)provider.GetRequiredKeyedService<IServiceDatabase>(FindingsExtensions.DatabaseName)), failing)));
        var scan = TwoFindings('c');
        var messageId = NewId.NextGuid();

        await host.PublishAsync(scan, messageId);
        Assert.That(await host.Harness.Published.Any<Fault<ImageScanned>>(f => f.Context.Message.Message.ScanId == scan.ScanId), Is.True);
        await host.DrainAsync();
        Assert.Multiple(() =>
        {
            Assert.That(failing.Failed, Is.True, "the scan record failed after the lifecycle rows were written in the work");
            Assert.That(Rows(host), Is.EqualTo((0L, 0L, 0L, 0L, 0L)), "nothing of the work was kept, not even its inbox mark");
            Assert.That(host.Recorder.Published<FindingChanged>(), Is.Empty);
            Assert.That(host.Recorder.Published<ScanCompleted>(), Is.Empty);
        });

        await host.PublishAsync(scan, messageId);
        await host.PublishedAsync<ScanCompleted>(s => s.ScanId == scan.ScanId);
        await host.DrainAsync();
        Assert.Multiple(() =>
        {
            Assert.That(Rows(host), Is.EqualTo((2L, 1L, 1L, 3L, 1L)));
            Assert.That(host.Recorder.Copies<FindingChanged>().Values, Is.EqualTo(new[] { 1, 1 }));
            Assert.That(host.Recorder.Copies<ScanCompleted>().Values, Is.EqualTo(new[] { 1 }));
        });
    }

    [Test]
    public async Task A_scan_fault_is_recorded_failed_through_the_outbox_once_even_when_its_consumer_fails_after_the_commit()
    {
        var host = await StartAsync(throwAfterCommit: [nameof(ScanImageFaultConsumer), nameof(ImageScanFailedConsumer)],
            consumers: x => x.AddConsumer<CrashingScanner>().Endpoint(e => e.Name = "crashing-scanner"));
        var command = new ScanImage(NewId.NextGuid(), Image('d'), ScanType.BASIC, ScanTrigger.PUSH, T0);

        await host.Harness.Bus.Publish(command);
        var completed = await host.PublishedAsync<ScanCompleted>(s => s.ScanId == command.ScanId);
        await host.DrainAsync();

        var stored = await host.Get<IFindingsStore>().GetScanAsync(command.ScanId);
        Assert.Multiple(() =>
        {
            Assert.That((completed.Status, completed.FailureReason), Is.EqualTo((ScanStatus.FAILED, nameof(ScanFailureReason.INTERNAL_ERROR))));
            Assert.That((stored?.Status, stored?.StatusDescription), Is.EqualTo(((ScanStatus?)ScanStatus.FAILED, (string?)"Internal error: " + CrashingScanner.Crash)));
            Assert.That(host.Recorder.Copies<ImageScanFailed>(), Is.EqualTo(new Dictionary<Guid, int> { [EventMessageIds.ImageScanFailed(command.ScanId)] = 1 }));
            Assert.That(host.Recorder.Copies<ScanFailed>(), Is.EqualTo(new Dictionary<Guid, int> { [EventMessageIds.ScanFailed(command.ScanId)] = 1 }));
            Assert.That(host.Recorder.Copies<ScanCompleted>(), Is.EqualTo(new Dictionary<Guid, int> { [EventMessageIds.ScanCompleted(command.ScanId, ScanStatus.FAILED)] = 1 }));
        });
    }

    [Test]
    public async Task Saving_and_deleting_a_suppression_rule_announce_each_change_once_even_when_the_consumer_fails_after_the_commit()
    {
        var host = await StartAsync(throwAfterCommit: [nameof(SaveSuppressionRuleConsumer), nameof(DeleteSuppressionRuleConsumer)]);
        var image = Image('e');
        await host.Harness.Bus.Publish(Scan(image, T0, Finding("CVE-1", FindingSeverity.LOW, "zlib"), Finding("CVE-2", FindingSeverity.HIGH, "openssl")));
        await host.PublishedAsync<ScanCompleted>(s => s.Image.Digest == image.Digest);

        var saved = (await host.Harness.GetRequestClient<SaveSuppressionRule>().GetResponse<SuppressionRulesResult>(
            new SaveSuppressionRule(null, "low", "accepted", new SuppressionFilter(Severities: [FindingSeverity.LOW]), null))).Message;
        await host.PublishedAsync<FindingChanged>(c => c.Status == FindingStatus.SUPPRESSED);
        var deleted = (await host.Harness.GetRequestClient<DeleteSuppressionRule>().GetResponse<SuppressionRulesResult>(
            new DeleteSuppressionRule(saved.Rules.Single().Id))).Message;
        await host.PublishedAsync<FindingChanged>(c => c.Status == FindingStatus.ACTIVE && c.Change == FindingChangeKind.UPDATED);
        await host.DrainAsync();

        var updates = host.Recorder.Published<FindingChanged>().Where(c => c.Message.Change == FindingChangeKind.UPDATED).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(saved.Rules.Select(r => r.Name), Is.EqualTo(new[] { "low" }), "the retry answered with the rule the first attempt saved");
            Assert.That(deleted.NotFound, Is.False, "the retry knows the rule was deleted by the first attempt");
            Assert.That(updates.Select(c => (c.Message.Finding.VulnerabilityId, c.Message.Status)),
                Is.EqualTo(new[] { ("CVE-1", FindingStatus.SUPPRESSED), ("CVE-1", FindingStatus.ACTIVE) }), "each change once");
            Assert.That(updates.Select(c => c.MessageId).Distinct().Count(), Is.EqualTo(2));
            Assert.That(host.Count("SELECT COUNT(*) FROM suppression_rules"), Is.Zero);
            Assert.That(host.Count("SELECT COUNT(*) FROM findings WHERE status = 'ACTIVE'"), Is.EqualTo(2));
        });
    }

    /// <summary>A scanner that crashes on every image: MassTransit publishes Fault&lt;ScanImage&gt; after the retries.</summary>
    public sealed class CrashingScanner : IConsumer<ScanImage>
    {
        public const string Crash = "the scanner ran out of memory";

        public Task Consume(ConsumeContext<ScanImage> context) => throw new InvalidOperationException(Crash);
    }

    /// <summary>
    /// The real SQLite scan store, whose first SaveScanAsync inside a unit of work fails: after the lifecycle rows were written in
    /// the same work, as a full disk or a crash would fail it.
    /// </summary>
    private sealed class FailingOnceFindingsStore(IFindingsStore inner, FailingOnceFindingsStore.Switch failing) : IFindingsStore
    {
        public sealed class Switch
        {
            private int _failed;

            public bool Failed => _failed == 1;

            public bool TryFail() => Interlocked.Exchange(ref _failed, 1) == 0;
        }

        public IFindingsStore In(UnitOfWork work) => new FailingOnceFindingsStore(inner.In(work), failing);

        public Task SaveScanAsync(ImageScanRecord scan, CancellationToken cancellationToken = default) =>
            failing.TryFail() ? throw new IOException("Injected: the scan record could not be written.") : inner.SaveScanAsync(scan, cancellationToken);

        public Task<ImageScanRecord?> GetScanAsync(Guid scanId, CancellationToken cancellationToken = default) => inner.GetScanAsync(scanId, cancellationToken);

        public Task<ImageScanRecord?> GetLatestScanAsync(string registry, string repository, string digest, CancellationToken cancellationToken = default) =>
            inner.GetLatestScanAsync(registry, repository, digest, cancellationToken);

        public Task<IReadOnlyList<ImageScanRecord>> ListScansAsync(DateTimeOffset? completedAfter, int limit, CancellationToken cancellationToken = default) =>
            inner.ListScansAsync(completedAfter, limit, cancellationToken);
    }
}
