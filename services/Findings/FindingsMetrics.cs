using System.Diagnostics.Metrics;
using ImageScanning.Findings.Data;
using ImageScanning.ServiceDefaults.Telemetry;

namespace ImageScanning.Findings;

/// <summary>Scans stored, by scan type, trigger and outcome; how long storing took (the "store" scan stage).</summary>
public sealed class FindingsMetrics
{
    private readonly Counter<long> _scansStored;
    private readonly Histogram<double> _stageDuration;

    public FindingsMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create("ImageScanning.Findings");
        _scansStored = meter.CreateCounter<long>("imagescanning.findings.scans_stored", "{scan}", "Scans whose results Findings stored.");
        _stageDuration = ScanStageMetrics.CreateDuration(meterFactory);
    }

    public void ScanStored(ImageScanRecord scan) => _scansStored.Add(1,
        new KeyValuePair<string, object?>("scan_type", scan.ScanType.ToString()),
        new KeyValuePair<string, object?>("trigger", scan.Trigger.ToString()),
        new KeyValuePair<string, object?>("status", scan.Status.ToString()));

    public void StoreTook(TimeSpan duration) => _stageDuration.Record("store", duration);
}
