using System.Diagnostics.Metrics;
using ImageScanning.Contracts;
using ImageScanning.Findings;
using ImageScanning.Findings.Consumers;
using ImageScanning.Findings.Data;
using ImageScanning.Findings.Extensions;
using ImageScanning.Findings.IntegrationEvents;
using ImageScanning.Findings.Lifecycle;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using static ImageScanning.Services.Tests.Findings.Lifecycle.LifecycleFixtures;

namespace ImageScanning.Services.Tests.Findings.Lifecycle;

/// <summary>
/// Findings' consumers as the service wires them (one SQLite database, the outbox dispatcher) on MassTransit's harness: what is
/// stored, what is published, in which order.
/// </summary>
public sealed class FindingsConsumerTests
{
    private FindingsHarnessHost _host = null!;
    private ITestHarness _harness = null!;
    private IFindingLifecycleStore _store = null!;
    private ManualClock _clock = null!;

    /// <summary>Records, for each FindingChanged, whether the store already held the finding in that state when it was delivered.</summary>
    public sealed class StoreCheckingConsumer(IFindingLifecycleStore store) : IConsumer<FindingChanged>
    {
        public static readonly System.Collections.Concurrent.ConcurrentBag<(string Arn, bool Stored)> Seen = [];

        public async Task Consume(ConsumeContext<FindingChanged> context)
        {
            var page = await store.QueryAsync(new ListFindings(new FindingFilter(ImageDigest: context.Message.Image.Digest), FindingSortField.VULNERABILITY_ID, SortOrder.ASC, 100, null));
            Seen.Add((context.Message.FindingArn, page.Findings.Any(f => f.FindingArn == context.Message.FindingArn && f.Status == context.Message.Status)));
        }
    }

    [SetUp]
    public async Task StartAsync()
    {
        StoreCheckingConsumer.Seen.Clear();
        _clock = new ManualClock(T0);
        _host = await FindingsHarnessHost.StartAsync(_clock, consumers: x => x.AddConsumer<StoreCheckingConsumer>());
        _harness = _host.Harness;
        _store = _host.Get<IFindingLifecycleStore>();
    }

    [TearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    private Task<T> PublishedAsync<T>(Func<T, bool> match) where T : class => _host.PublishedAsync(match);

    [Test]
    public async Task A_scan_stores_findings_then_announces_each_change_and_a_scan_completed_naming_the_vulnerabilities()
    {
        var image = Image('a');
        await _harness.Bus.Publish(Scan(image, T0, Finding("CVE-1", FindingSeverity.HIGH, "openssl"), Finding("CVE-2", FindingSeverity.LOW, "zlib", fixedIn: null)));

        var completed = await PublishedAsync<ScanCompleted>(s => s.Image.Digest == image.Digest);
        await _harness.InactivityTask;
        var changes = _harness.Published.Select<FindingChanged>().Select(m => m.Context.Message).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(completed.Findings!.Select(f => (f.VulnerabilityId, f.PackageName, f.FixedInVersion)),
                Is.EquivalentTo(new[] { ("CVE-1", "openssl", (string?)"2.0-1"), ("CVE-2", "zlib", null) }));
            Assert.That(changes.Select(c => (c.Finding.VulnerabilityId, c.Change, c.Status)), Is.EquivalentTo(new[]
                { ("CVE-1", FindingChangeKind.CREATED, FindingStatus.ACTIVE), ("CVE-2", FindingChangeKind.CREATED, FindingStatus.ACTIVE) }));
            Assert.That(StoreCheckingConsumer.Seen, Has.Count.EqualTo(2));
            Assert.That(StoreCheckingConsumer.Seen.Select(s => s.Stored), Is.All.True, "every event describes a stored finding");
        });
    }

    [Test]
    public async Task A_rematch_without_packages_updates_the_findings_and_keeps_the_stored_inventory()
    {
        var image = Image('r');
        await _harness.Bus.Publish(Scan(image, T0, Finding("CVE-1", FindingSeverity.HIGH, "openssl")));
        await PublishedAsync<ScanCompleted>(s => s.Image.Digest == image.Digest && s.Trigger == ScanTrigger.PUSH);
        var rematch = Scan(image, T0.AddHours(1), Finding("CVE-1", FindingSeverity.HIGH, "openssl"), Finding("CVE-9", FindingSeverity.CRITICAL, "openssl"))
            with { Trigger = ScanTrigger.RESCAN, Packages = [], InventoryUnchanged = true };
        await _harness.Bus.Publish(new ImageRescanned(rematch));
        await PublishedAsync<ScanCompleted>(s => s.ScanId == rematch.ScanId);
        await _harness.InactivityTask;

        var inventory = await _store.GetInventoryAsync(FindingRecord.KeyOf(image));
        Assert.That(inventory, Is.Not.Null);
        Assert.That(inventory!.Packages.Select(p => p.Name), Is.EqualTo(new[] { "openssl" }), "the push scan's inventory is still there");
        Assert.That(inventory.ScannedAt, Is.EqualTo(T0), "as read by the push scan");
        var created = _harness.Published.Select<FindingChanged>().Select(m => m.Context.Message)
            .Where(c => c.Change == FindingChangeKind.CREATED).Select(c => c.Finding.VulnerabilityId);
        Assert.That(created, Is.EquivalentTo(new[] { "CVE-1", "CVE-9" }), "the re-match's new finding was created");
    }

    [Test]
    public async Task Push_results_are_consumed_on_the_findings_queue_and_rescan_results_only_as_ImageRescanned_on_findings_rescans()
    {
        var image = Image('l');
        var push = Scan(image, T0, Finding("CVE-1", FindingSeverity.HIGH, "openssl"));
        var rescan = Scan(image, T0.AddHours(1), Finding("CVE-1", FindingSeverity.HIGH, "openssl")) with { Trigger = ScanTrigger.RESCAN };

        await _harness.Bus.Publish(push);
        await PublishedAsync<ScanCompleted>(s => s.ScanId == push.ScanId);
        await _harness.Bus.Publish(new ImageRescanned(rescan));
        await PublishedAsync<ScanCompleted>(s => s.ScanId == rescan.ScanId);
        await _host.DrainAsync();

        var pushLane = _harness.GetConsumerHarness<ImageScannedConsumer>().Consumed.Select<ImageScanned>().ToList();
        var rescanLane = _harness.GetConsumerHarness<ImageRescannedConsumer>().Consumed.Select<ImageRescanned>().ToList();
        var completed = _harness.Published.Select<ScanCompleted>().Select(m => m.Context.Message).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(pushLane.Select(m => (m.Context.Message.ScanId, QueueOf(m.Context))), Is.EqualTo(new[] { (push.ScanId, FindingsExtensions.EndpointName) }));
            Assert.That(rescanLane.Select(m => (m.Context.Message.Scan.ScanId, QueueOf(m.Context))),
                Is.EqualTo(new[] { (rescan.ScanId, ImageRescannedConsumerDefinition.QueueName) }));
            Assert.That(completed.Select(c => (c.ScanId, c.Trigger)), Is.EquivalentTo(new[] { (push.ScanId, ScanTrigger.PUSH), (rescan.ScanId, ScanTrigger.RESCAN) }),
                "each result announced once, by the lane of its type");
        });
    }

    private static string QueueOf(ConsumeContext context) => context.ReceiveContext.InputAddress.AbsolutePath.Split('/')[^1];

    [Test]
    public async Task A_failed_scan_publishes_scan_failed_and_the_failed_scan_completed()
    {
        var image = Image('b');
        await _harness.Bus.Publish(new ImageScanFailed(Guid.NewGuid(), image, ScanType.BASIC, ScanTrigger.PUSH, ScanFailureReason.UNSUPPORTED_IMAGE,
            "No os-release file.", T0));

        var failed = await PublishedAsync<ScanFailed>(s => s.Image.Digest == image.Digest);
        var completed = await PublishedAsync<ScanCompleted>(s => s.Image.Digest == image.Digest);

        Assert.That((failed.Status, failed.Reason), Is.EqualTo((ScanStatus.UNSUPPORTED_IMAGE, "No os-release file.")));
        Assert.That(completed.Status, Is.EqualTo(ScanStatus.FAILED));
    }

    [Test]
    public async Task Eligibility_expiry_closes_the_open_findings_and_announces_each()
    {
        var image = Image('c');
        await _harness.Bus.Publish(Scan(image, T0, Finding("CVE-1", FindingSeverity.HIGH, "openssl")));
        await PublishedAsync<ScanCompleted>(s => s.Image.Digest == image.Digest);

        await _harness.Bus.Publish(new ScanEligibilityExpired(image, T0.AddDays(30)));
        var closed = await PublishedAsync<FindingChanged>(c => c.Change == FindingChangeKind.CLOSED);

        Assert.That(closed.Status, Is.EqualTo(FindingStatus.CLOSED));
        var stored = await _store.QueryAsync(new ListFindings(new FindingFilter(ImageDigest: image.Digest), FindingSortField.SEVERITY, SortOrder.DESC, 10, null));
        Assert.That(stored.Findings.Single().Status, Is.EqualTo(FindingStatus.CLOSED));
    }

    [Test]
    public async Task ListFindings_answers_pages_of_up_to_a_thousand_for_ecr_and_refuses_more()
    {
        var image = Image('e');
        var findings = Enumerable.Range(0, 150).Select(i => Finding($"CVE-2026-{i:D4}", FindingSeverity.MEDIUM, $"pkg{i}")).ToArray();
        await _harness.Bus.Publish(Scan(image, T0, findings));
        await PublishedAsync<ScanCompleted>(s => s.Image.Digest == image.Digest);
        var client = _harness.GetRequestClient<ListFindings>();
        ListFindings Page(int size) => new(new FindingFilter(ImageDigest: image.Digest), FindingSortField.VULNERABILITY_ID, SortOrder.ASC, size, null);

        var large = (await client.GetResponse<FindingsPage>(Page(1000))).Message;
        var tooLarge = (await client.GetResponse<FindingsPage>(Page(1001))).Message;
        var empty = (await client.GetResponse<FindingsPage>(Page(0))).Message;

        Assert.Multiple(() =>
        {
            Assert.That(large.ErrorMessage, Is.Null);
            Assert.That(large.Findings, Has.Count.EqualTo(150), "more than Inspector's 100 in one page");
            Assert.That(large.NextToken, Is.Null);
            Assert.That(tooLarge.ErrorMessage, Is.EqualTo("maxResults must be between 1 and 1000."));
            Assert.That(empty.ErrorMessage, Is.EqualTo("maxResults must be between 1 and 1000."));
        });
    }

    [Test]
    public async Task Suppression_rules_are_validated_applied_and_removed_over_request_response()
    {
        var image = Image('d', repository: "team/api");
        await _harness.Bus.Publish(Scan(image, T0, Finding("CVE-1", FindingSeverity.LOW, "zlib"), Finding("CVE-2", FindingSeverity.HIGH, "openssl")));
        await PublishedAsync<ScanCompleted>(s => s.Image.Digest == image.Digest);
        var save = _harness.GetRequestClient<SaveSuppressionRule>();
        var delete = _harness.GetRequestClient<DeleteSuppressionRule>();

        var empty = await save.GetResponse<SuppressionRulesResult>(new SaveSuppressionRule(null, "all", "why not", new SuppressionFilter(), null));
        var created = await save.GetResponse<SuppressionRulesResult>(
            new SaveSuppressionRule(null, "low in team", "accepted", new SuppressionFilter(Severities: [FindingSeverity.LOW], Repository: "team/*"), null));
        var suppressed = await PublishedAsync<FindingChanged>(c => c.Status == FindingStatus.SUPPRESSED);
        var missing = await delete.GetResponse<SuppressionRulesResult>(new DeleteSuppressionRule("no-such-rule"));
        var deleted = await delete.GetResponse<SuppressionRulesResult>(new DeleteSuppressionRule(created.Message.Rules[0].Id));

        Assert.Multiple(() =>
        {
            Assert.That(empty.Message.ErrorMessage, Does.Contain("at least one criterion"));
            Assert.That(created.Message.FindingsChanged, Is.EqualTo(1));
            Assert.That(suppressed.Finding.VulnerabilityId, Is.EqualTo("CVE-1"));
            Assert.That(missing.Message.NotFound, Is.True);
            Assert.That(deleted.Message.FindingsChanged, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task An_expiring_rule_reactivates_its_findings_at_the_next_check()
    {
        var image = Image('f');
        await _harness.Bus.Publish(Scan(image, T0, Finding("CVE-7", FindingSeverity.MEDIUM, "bash")));
        await PublishedAsync<ScanCompleted>(s => s.Image.Digest == image.Digest);
        var save = _harness.GetRequestClient<SaveSuppressionRule>();
        await save.GetResponse<SuppressionRulesResult>(new SaveSuppressionRule(null, "temporary", "waiting for the vendor",
            new SuppressionFilter(PackageNames: ["bash"]), T0.AddHours(1)));
        var expiry = new SuppressionRuleExpiry(_host.Database, _store, _host.Get<FindingLifecycleService>(), _clock,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<SuppressionRuleExpiry>.Instance);

        var beforeExpiry = await expiry.CheckAsync(default);
        _clock.Now = T0.AddHours(2);
        var afterExpiry = await expiry.CheckAsync(default);
        var reactivated = await PublishedAsync<FindingChanged>(c => c.Status == FindingStatus.ACTIVE && c.Change == FindingChangeKind.UPDATED);

        Assert.That((beforeExpiry, afterExpiry), Is.EqualTo((0, 1)));
        Assert.That(reactivated.Finding.VulnerabilityId, Is.EqualTo("CVE-7"));
    }

    [Test]
    public async Task The_open_findings_gauge_counts_active_findings_by_image_severity_and_fix()
    {
        var image = Image('e');
        await _harness.Bus.Publish(Scan(image, T0, Finding("CVE-1", FindingSeverity.HIGH, "openssl"), Finding("CVE-2", FindingSeverity.HIGH, "curl"),
            Finding("CVE-3", FindingSeverity.LOW, "zlib", fixedIn: null)));
        await PublishedAsync<ScanCompleted>(s => s.Image.Digest == image.Digest);
        _ = _host.Get<FindingsMetrics>();

        var measured = new List<(long Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "imagescanning.findings.open") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            measured.Add((value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        listener.Start();
        listener.RecordObservableInstruments();

        Assert.That(measured.Select(m => ((string?)m.Tags["severity"], (string?)m.Tags["fix_available"], m.Value)), Is.EquivalentTo(new[]
            { ("HIGH", (string?)"YES", 2L), ("LOW", "NO", 1L) }));
        Assert.That(measured.Select(m => m.Tags["image_digest"]), Is.All.EqualTo(image.Digest));
        Assert.That(measured.Select(m => m.Tags["repository"]), Is.All.EqualTo("team/app"));
    }
}
