using System.Diagnostics.Metrics;

namespace ImageScanning.ServiceDefaults.Telemetry;

/// <summary>
/// The one scan-stage duration histogram (stage = pull, inventory, match, store). The scanners record the
/// first three and Findings the last, so it lives on a meter both share: in one process (Standalone) the
/// factory hands both the same meter and the SDK merges the identical instruments into one series set.
/// </summary>
public static class ScanStageMetrics
{
    public const string MeterName = ServiceDefaults.Extensions.ServiceDefaultsExtensions.TelemetryPrefix + ".Scan";
    public const string DurationName = "imagescanning.scan.stage.duration";

    /// <summary>From 5 ms (a re-match of a small inventory) to 10 min (pulling a multi-GB image over a slow link).</summary>
    public static readonly IReadOnlyList<double> DurationBuckets =
        [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

    public static Histogram<double> CreateDuration(IMeterFactory meterFactory) =>
        meterFactory.Create(MeterName).CreateHistogram(DurationName, "s", "Time spent per scan stage: pull, inventory, match (scanners), store (Findings).",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });

    public static void Record(this Histogram<double> duration, string stage, TimeSpan elapsed) =>
        duration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("stage", stage));
}
