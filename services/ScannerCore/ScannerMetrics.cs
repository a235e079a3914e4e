using System.Diagnostics.Metrics;
using ImageScanning.Contracts;

namespace ImageScanning.ScannerCore;

/// <summary>Scans by type, trigger and outcome; stage durations; layer bytes read.</summary>
public sealed class ScannerMetrics
{
    private readonly Counter<long> _scans;
    private readonly Histogram<double> _stageDuration;
    private readonly Counter<long> _layerBytes;
    private readonly Counter<long> _layers;

    public ScannerMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create("ImageScanning.Scanner");
        _scans = meter.CreateCounter<long>("imagescanning.scanner.scans", "{scan}", "Scans finished by the scanners, by scan type, trigger and outcome.");
        _stageDuration = meter.CreateHistogram<double>("imagescanning.scanner.stage.duration", "s", "Time spent per scan stage.");
        _layerBytes = meter.CreateCounter<long>("imagescanning.scanner.layer_bytes_read", "By", "Compressed layer bytes streamed from registries.");
        _layers = meter.CreateCounter<long>("imagescanning.scanner.layers", "{layer}", "Layers inventoried, by source: the layer cache (hit) or the registry (miss).");
    }

    public void Finished(ScanImage scan, string outcome) => _scans.Add(1,
        new("scan_type", scan.ScanType.ToString()), new("trigger", scan.Trigger.ToString()), new("outcome", outcome));

    public void Stage(string stage, TimeSpan duration) => _stageDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("stage", stage));

    public void LayerBytes(long bytes) => _layerBytes.Add(bytes);

    public void Layers(int fromCache, int fetched)
    {
        _layers.Add(fromCache, new KeyValuePair<string, object?>("cache", "hit"));
        _layers.Add(fetched, new KeyValuePair<string, object?>("cache", "miss"));
    }
}
