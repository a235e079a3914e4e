using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ImageScanning.CveFeed.Feeds.Status;
using ImageScanning.ScanEngine.Advisories;

namespace ImageScanning.CveFeed;

/// <summary>
/// Advisories imported per source and outcome, and per feed source (names fixed, dashboards use them):
/// gauge imagescanning.feed.advisories {advisory}, gauge imagescanning.feed.last_success (s, Unix time),
/// counter imagescanning.feed.runs {run} with outcome = changed | not_modified | failed; all with attribute source.
/// </summary>
public sealed class CveFeedMetrics
{
    public const string MeterName = "ImageScanning.CveFeed";

    private readonly Counter<long> _imported;
    private readonly Counter<long> _runs;
    private readonly ConcurrentDictionary<string, FeedStatus> _statuses = new(StringComparer.Ordinal);

    public CveFeedMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _imported = meter.CreateCounter<long>("imagescanning.cvefeed.advisories_imported", "{advisory}", "Advisory records imported, by source and outcome.");
        _runs = meter.CreateCounter<long>("imagescanning.feed.runs", "{run}", "Feed source runs, by source and outcome (changed, not_modified, failed).");
        meter.CreateObservableGauge("imagescanning.feed.advisories",
            () => _statuses.Values.Select(s => new Measurement<long>(s.AdvisoryCount, Source(s.Name))),
            "{advisory}", "Advisories a feed source holds (records read at its last successful import).");
        meter.CreateObservableGauge("imagescanning.feed.last_success",
            () => _statuses.Values.Where(s => s.LastSuccess is not null)
                .Select(s => new Measurement<double>(s.LastSuccess!.Value.ToUnixTimeMilliseconds() / 1000.0, Source(s.Name))),
            "s", "Unix time of a feed source's last successful run.");
    }

    public void Imported(string source, ImportResult result)
    {
        Add(source, "added", result.Added);
        Add(source, "changed", result.Changed);
        Add(source, "metadata_changed", result.MetadataChanged);
        Add(source, "unchanged", result.Unchanged);
        Add(source, "failed", result.Failed);
    }

    /// <summary>Makes the gauges show a stored status (at start-up).</summary>
    public void Observe(FeedStatus status) => _statuses[status.Name] = status;

    public void FeedRun(FeedStatus status, string outcome)
    {
        Observe(status);
        _runs.Add(1, Source(status.Name), new KeyValuePair<string, object?>("outcome", outcome));
    }

    private static KeyValuePair<string, object?> Source(string name) => new("source", name);

    private void Add(string source, string outcome, int count) =>
        _imported.Add(count, Source(source), new KeyValuePair<string, object?>("outcome", outcome));
}
