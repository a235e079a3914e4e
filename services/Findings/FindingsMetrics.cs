using System.Diagnostics.Metrics;
using ImageScanning.Contracts;
using ImageScanning.Findings.Data;
using ImageScanning.Findings.Lifecycle;
using ImageScanning.ServiceDefaults.Telemetry;

namespace ImageScanning.Findings;

/// <summary>
/// Scans stored (counter), how long storing took (the "store" scan stage), findings a suppression rule failed to evaluate
/// on (counter), and open findings (gauge for Grafana, from the store, cached a few seconds).
/// </summary>
public sealed class FindingsMetrics
{
    public const string MeterName = "ImageScanning.Findings";
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);

    private readonly Counter<long> _scansStored;
    private readonly Counter<long> _suppressionRuleFailures;
    private readonly Histogram<double> _stageDuration;
    private readonly IFindingLifecycleStore _store;
    private readonly TimeProvider _clock;
    private readonly Lock _gate = new();
    private IReadOnlyList<FindingCountRow> _openCounts = [];
    private DateTimeOffset _countedAt = DateTimeOffset.MinValue;

    public FindingsMetrics(IMeterFactory meterFactory, IFindingLifecycleStore store, TimeProvider clock)
    {
        _store = store;
        _clock = clock;
        var meter = meterFactory.Create(MeterName);
        _scansStored = meter.CreateCounter<long>("imagescanning.findings.scans_stored", "{scan}", "Scans whose results Findings stored.");
        _suppressionRuleFailures = meter.CreateCounter<long>("imagescanning.findings.suppression_rule_failures", "{finding}",
            "Findings a suppression rule threw on while being matched; the rule did not suppress them.");
        meter.CreateObservableGauge("imagescanning.findings.open", ObserveOpenFindings, "{finding}",
            "ACTIVE findings by registry, repository, image, severity and fix availability.");
        _stageDuration = ScanStageMetrics.CreateDuration(meterFactory);
    }

    public void ScanStored(ImageScanRecord scan) => _scansStored.Add(1,
        new KeyValuePair<string, object?>("scan_type", scan.ScanType.ToString()),
        new KeyValuePair<string, object?>("trigger", scan.Trigger.ToString()),
        new KeyValuePair<string, object?>("status", scan.Status.ToString()));

    /// <summary>Tagged with the rule id: rules are few and made by users, and the id is what an operator fixes.</summary>
    public void SuppressionRuleFailed(string ruleId, int findings) =>
        _suppressionRuleFailures.Add(findings, new KeyValuePair<string, object?>("rule_id", ruleId));

    public void StoreTook(TimeSpan duration) => _stageDuration.Record("store", duration);

    /// <summary>One grouped count query per scrape at most every few seconds; a failing store keeps the last counts.</summary>
    private IEnumerable<Measurement<long>> ObserveOpenFindings()
    {
        IReadOnlyList<FindingCountRow> counts;
        lock (_gate)
        {
            if (_clock.GetUtcNow() - _countedAt > CacheFor)
            {
                try
                {
                    // The callback is synchronous; the grouped count is one indexed query.
                    _openCounts = _store.CountAsync(new FindingFilter(Statuses: [FindingStatus.ACTIVE]), FindingCountKey.None)
                        .GetAwaiter().GetResult();
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // Keep the previous counts; the next scrape tries again.
                }
                _countedAt = _clock.GetUtcNow();
            }
            counts = _openCounts;
        }
        return counts.Select(r => new Measurement<long>(r.Count,
            new KeyValuePair<string, object?>("registry", r.Registry),
            new KeyValuePair<string, object?>("repository", r.Repository),
            new KeyValuePair<string, object?>("image_digest", r.Digest),
            new KeyValuePair<string, object?>("severity", r.Severity.ToString()),
            new KeyValuePair<string, object?>("fix_available", r.FixAvailable.ToString())));
    }
}
