using System.Diagnostics.Metrics;
using ImageScanning.Findings.Data;

namespace ImageScanning.Findings;

/// <summary>Scans stored, by scan type, trigger and outcome.</summary>
public sealed class FindingsMetrics
{
    private readonly Counter<long> _scansStored;

    public FindingsMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create("ImageScanning.Findings");
        _scansStored = meter.CreateCounter<long>("imagescanning.findings.scans_stored", "{scan}", "Scans whose results Findings stored.");
    }

    public void ScanStored(ImageScanRecord scan) => _scansStored.Add(1,
        new KeyValuePair<string, object?>("scan_type", scan.ScanType.ToString()),
        new KeyValuePair<string, object?>("trigger", scan.Trigger.ToString()),
        new KeyValuePair<string, object?>("status", scan.Status.ToString()));
}
