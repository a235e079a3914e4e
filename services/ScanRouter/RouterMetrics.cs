using System.Diagnostics.Metrics;
using ImageScanning.Contracts;

namespace ImageScanning.ScanRouter;

/// <summary>Scans requested by type and trigger, pushes not scanned by reason, re-scan fan-out outcomes and scan usage.</summary>
public sealed class RouterMetrics
{
    private readonly Counter<long> _requested;
    private readonly Counter<long> _skipped;
    private readonly Counter<long> _rescans;
    private readonly Counter<long> _usage;

    public RouterMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create("ImageScanning.ScanRouter");
        _requested = meter.CreateCounter<long>("imagescanning.router.scans_requested", "{scan}", "Scans sent to a scanner, by scan type and trigger.");
        _skipped = meter.CreateCounter<long>("imagescanning.router.pushes_not_scanned", "{push}", "Pushed images not scanned, by reason.");
        _rescans = meter.CreateCounter<long>("imagescanning.router.rescans", "{image}",
            "Images holding a package a new advisory affects, by outcome: sent (re-scan requested), not_eligible, expired.");
        // The Grafana usage dashboard reads exactly this name and these attributes.
        _usage = meter.CreateCounter<long>("imagescanning.usage.scans", "{scan}", "Completed scans counted for usage, by registry, repository and kind (initial, rescan).");
    }

    public void ScanRequested(ScanType type, ScanTrigger trigger) =>
        _requested.Add(1, new("scan_type", type.ToString()), new KeyValuePair<string, object?>("trigger", trigger.ToString()));

    public void PushSkipped(string reason) => _skipped.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary><paramref name="outcome"/>: sent, not_eligible or expired.</summary>
    public void Rescan(string outcome) => _rescans.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void ScanCounted(string registry, string repository, bool rescan) =>
        _usage.Add(1, new("registry", registry), new("repository", repository), new KeyValuePair<string, object?>("kind", rescan ? "rescan" : "initial"));
}
