using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ImageScanning.Contracts;
using ImageScanning.Findings;
using ImageScanning.Findings.Lifecycle;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static ImageScanning.Services.Tests.Findings.Lifecycle.LifecycleFixtures;

namespace ImageScanning.Services.Tests.Findings.Lifecycle;

/// <summary>
/// Hostile or broken suppression rules against Findings' consumers as the service wires them: whatever a rule holds, the scan is
/// stored and announced; a rule that cannot be evaluated suppresses nothing and is logged (with its id) and counted.
/// </summary>
public sealed class SuppressionRuleEvaluationTests
{
    // Accepted by the API; as a backtracking regex with a 100 ms timeout it threw on every 40-'a' repository name.
    private const string PathologicalRepositoryPattern = "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*ab";

    private FindingsHarnessHost _host = null!;
    private ITestHarness _harness = null!;
    private readonly CapturingLoggerProvider _logs = new();

    [SetUp]
    public async Task StartAsync()
    {
        _host = await FindingsHarnessHost.StartAsync(new ManualClock(T0), configure: b => b.Logging.AddProvider(_logs));
        _harness = _host.Harness;
    }

    [TearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    [Test]
    public async Task A_scan_of_a_forty_a_repository_is_stored_under_the_pathological_rule_which_still_matches_what_it_describes()
    {
        var save = _harness.GetRequestClient<SaveSuppressionRule>();
        var saved = await save.GetResponse<SuppressionRulesResult>(new SaveSuppressionRule(null, "hostile", "issue 12",
            new SuppressionFilter(Repository: PathologicalRepositoryPattern), null));
        var ruleId = saved.Message.Rules.Single().Id;
        var unmatched = Image('a', repository: new string('a', 40));
        var matched = Image('b', repository: new string('a', 40) + "b");

        await _harness.Bus.Publish(Scan(unmatched, T0, Finding("CVE-1", FindingSeverity.HIGH, "openssl")));
        await _harness.Bus.Publish(Scan(matched, T0, Finding("CVE-1", FindingSeverity.HIGH, "openssl")));
        var completed = await _host.PublishedAsync<ScanCompleted>(s => s.Image.Digest == unmatched.Digest);
        await _host.PublishedAsync<ScanCompleted>(s => s.Image.Digest == matched.Digest);
        var stored = await ImageFindingsAsync(unmatched);
        var unmatchedStatuses = await StatusesAsync(unmatched);
        var matchedStatuses = await StatusesAsync(matched);

        Assert.Multiple(() =>
        {
            Assert.That(saved.Message.ErrorMessage, Is.Null, "the API accepts the rule");
            Assert.That((stored.Found, stored.Status), Is.EqualTo((true, (ScanStatus?)ScanStatus.COMPLETE)), "the image's findings are there, not a 404");
            Assert.That(completed.Status, Is.EqualTo(ScanStatus.COMPLETE));
            Assert.That(unmatchedStatuses, Is.EqualTo(new[] { (FindingStatus.ACTIVE, (string?)null) }), "no 'b' at the end: not suppressed");
            Assert.That(matchedStatuses, Is.EqualTo(new[] { (FindingStatus.SUPPRESSED, (string?)ruleId) }));
            Assert.That(_harness.Published.Select<Fault<ImageScanned>>().Any(), Is.False);
        });
    }

    [Test]
    public async Task A_rule_that_throws_while_matching_does_not_stop_the_scan_being_stored_and_is_logged_and_counted_by_id()
    {
        // The API refuses a rule without a filter; a row written some other way (by hand, by an older version) can still hold one.
        var store = _host.Get<IFindingLifecycleStore>();
        await store.SaveRuleAsync(new SuppressionRule("rule-without-filter", "broken", "r", null!, null, T0.AddDays(-2), T0.AddDays(-2)));
        await store.SaveRuleAsync(new SuppressionRule("low-ones", "low", "accepted", new SuppressionFilter(Severities: [FindingSeverity.LOW]), null,
            T0.AddDays(-1), T0.AddDays(-1)));
        var failed = new ConcurrentBag<(long Findings, object? RuleId)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == FindingsMetrics.MeterName && instrument.Name == "imagescanning.findings.suppression_rule_failures")
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            failed.Add((value, tags.ToArray().Single(t => t.Key == "rule_id").Value)));
        listener.Start();
        var image = Image('c');

        await _harness.Bus.Publish(Scan(image, T0, Finding("CVE-1", FindingSeverity.HIGH, "openssl"), Finding("CVE-2", FindingSeverity.LOW, "zlib")));
        await _host.PublishedAsync<ScanCompleted>(s => s.Image.Digest == image.Digest);
        var stored = await ImageFindingsAsync(image);
        var statuses = await StatusesAsync(image);

        Assert.Multiple(() =>
        {
            Assert.That(stored.Found, Is.True, "the scan was stored");
            Assert.That(statuses, Is.EquivalentTo(new[] { (FindingStatus.ACTIVE, (string?)null), (FindingStatus.SUPPRESSED, "low-ones") }),
                "the broken rule suppresses nothing, the rule after it still applies");
            Assert.That(_logs.Errors.Where(m => m.Contains("rule-without-filter", StringComparison.Ordinal)).ToList(), Has.Count.EqualTo(1),
                "one error per rule per scan, naming the rule");
            Assert.That(failed, Is.EqualTo(new[] { (2L, (object?)"rule-without-filter") }), "counted once per finding it failed on");
            Assert.That(_harness.Published.Select<Fault<ImageScanned>>().Any(), Is.False);
        });
    }

    private async Task<ImageFindingsResult> ImageFindingsAsync(ImageRef image) =>
        (await _harness.GetRequestClient<GetImageFindings>().GetResponse<ImageFindingsResult>(
            new GetImageFindings(image.Registry, image.Repository, image.Digest))).Message;

    private async Task<IEnumerable<(FindingStatus, string?)>> StatusesAsync(ImageRef image)
    {
        var page = await _host.Get<IFindingLifecycleStore>().QueryAsync(new ListFindings(new FindingFilter(ImageDigest: image.Digest),
            FindingSortField.VULNERABILITY_ID, SortOrder.ASC, 100, null));
        return page.Findings.Select(f => (f.Status, f.SuppressedByRuleId)).ToList();
    }

    /// <summary>Keeps the text of every error logged, exception included.</summary>
    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Errors { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose() { }

        private sealed class Logger(CapturingLoggerProvider provider) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel)) provider.Errors.Enqueue(formatter(state, exception) + (exception is null ? "" : " " + exception.GetType().Name));
            }
        }
    }
}
