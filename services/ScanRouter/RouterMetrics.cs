using System.Diagnostics.Metrics;
using ImageScanning.Contracts;

namespace ImageScanning.ScanRouter;

/// <summary>Scans requested by type and trigger, and pushes not scanned by reason.</summary>
public sealed class RouterMetrics
{
    private readonly Counter<long> _requested;
    private readonly Counter<long> _skipped;

    public RouterMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create("ImageScanning.ScanRouter");
        _requested = meter.CreateCounter<long>("imagescanning.router.scans_requested", "{scan}", "Scans sent to a scanner, by scan type and trigger.");
        _skipped = meter.CreateCounter<long>("imagescanning.router.pushes_not_scanned", "{push}", "Pushed images not scanned, by reason.");
    }

    public void ScanRequested(ScanType type, ScanTrigger trigger) =>
        _requested.Add(1, new("scan_type", type.ToString()), new KeyValuePair<string, object?>("trigger", trigger.ToString()));

    public void PushSkipped(string reason) => _skipped.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
