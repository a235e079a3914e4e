using System.Diagnostics;
using System.Diagnostics.Metrics;
using ImageScanning.Contracts;
using ImageScanning.ServiceDefaults.Telemetry;

namespace ImageScanning.ScannerCore;

/// <summary>
/// Scans started, completed and failed (by scan type, trigger and failure reason); pull, inventory and
/// match durations; layer bytes read and layer cache hits.
/// </summary>
public sealed class ScannerMetrics
{
    /// <summary>The reason recorded for an error the scanner did not anticipate (MassTransit retries the message).</summary>
    public const string UnexpectedFailure = "UNEXPECTED_ERROR";

    private readonly Counter<long> _started;
    private readonly Counter<long> _completed;
    private readonly Counter<long> _failed;
    private readonly Histogram<double> _stageDuration;
    private readonly Counter<long> _layerBytes;
    private readonly Counter<long> _layers;

    public ScannerMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create("ImageScanning.Scanner");
        _started = meter.CreateCounter<long>("imagescanning.scanner.scans.started", "{scan}", "Scans a scanner began, by scan type and trigger.");
        _completed = meter.CreateCounter<long>("imagescanning.scanner.scans.completed", "{scan}", "Scans that produced results, by scan type and trigger.");
        _failed = meter.CreateCounter<long>("imagescanning.scanner.scans.failed", "{scan}", "Scans that failed, by scan type, trigger and reason.");
        _stageDuration = ScanStageMetrics.CreateDuration(meterFactory);
        _layerBytes = meter.CreateCounter<long>("imagescanning.scanner.layer.read", "By", "Compressed layer bytes streamed from registries.");
        _layers = meter.CreateCounter<long>("imagescanning.scanner.layers", "{layer}", "Layers inventoried, by source: the layer cache (hit) or the registry (miss).");
    }

    // Registry and repository are bounded by what users configure (the per-repository drill-down needs them);
    // image digests are not, so they stay out of every scanner metric.
    public void Started(ScanImage scan) => _started.Add(1, Type(scan), Trigger(scan), Registry(scan), Repository(scan));

    public void Completed(ScanImage scan) => _completed.Add(1, Type(scan), Trigger(scan), Registry(scan), Repository(scan));

    public void Failed(ScanImage scan, string reason) =>
        _failed.Add(1, new TagList { Type(scan), Trigger(scan), Registry(scan), Repository(scan), new("reason", reason) });

    public void Stage(string stage, TimeSpan duration) => _stageDuration.Record(stage, duration);

    public void LayerBytes(long bytes) => _layerBytes.Add(bytes);

    public void Layers(int fromCache, int fetched)
    {
        _layers.Add(fromCache, new KeyValuePair<string, object?>("cache", "hit"));
        _layers.Add(fetched, new KeyValuePair<string, object?>("cache", "miss"));
    }

    private static KeyValuePair<string, object?> Type(ScanImage scan) => new("scan_type", scan.ScanType.ToString());

    private static KeyValuePair<string, object?> Trigger(ScanImage scan) => new("trigger", scan.Trigger.ToString());

    private static KeyValuePair<string, object?> Registry(ScanImage scan) => new("registry", scan.Image.Registry);

    private static KeyValuePair<string, object?> Repository(ScanImage scan) => new("repository", scan.Image.Repository);
}
