using System.Diagnostics.Metrics;
using ImageScanning.Contracts;

namespace ImageScanning.ScanRouter;

/// <summary>Scans requested by type and trigger, pushes not scanned by reason, re-scan fan-out outcomes, stuck scans and scan usage.</summary>
public sealed class RouterMetrics
{
    private readonly Counter<long> _requested;
    private readonly Counter<long> _skipped;
    private readonly Counter<long> _rescans;
    private readonly Counter<long> _usage;
    private readonly Counter<long> _stuck;

    public RouterMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create("ImageScanning.ScanRouter");
        _requested = meter.CreateCounter<long>("imagescanning.router.scans_requested", "{scan}", "Scans sent to a scanner, by scan type and trigger.");
        _skipped = meter.CreateCounter<long>("imagescanning.router.pushes_not_scanned", "{push}", "Pushed images not scanned, by reason.");
        _rescans = meter.CreateCounter<long>("imagescanning.router.rescans", "{image}",
            "Images holding a package a new advisory affects, by outcome: sent (re-scan requested), not_eligible, expired.");
        // The Grafana usage dashboard reads exactly this name and these attributes.
        _stuck = meter.CreateCounter<long>("imagescanning.router.stuck_scans", "{scan}",
            "Scans without a result past their deadline, by outcome: redispatched (sent again), failed (recorded FAILED).");
        _usage = meter.CreateCounter<long>("imagescanning.usage.scans", "{scan}", "Completed scans counted for usage, by registry, repository and kind (initial, rescan).");
    }

    public void ScanRequested(ScanType type, ScanTrigger trigger, long count = 1)
    {
        if (count > 0) _requested.Add(count, new("scan_type", type.ToString()), new KeyValuePair<string, object?>("trigger", trigger.ToString()));
    }

    public void PushSkipped(string reason) => _skipped.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary><paramref name="outcome"/>: sent, not_eligible or expired.</summary>
    public void Rescan(string outcome, long count = 1)
    {
        if (count > 0) _rescans.Add(count, new KeyValuePair<string, object?>("outcome", outcome));
    }

    /// <summary><paramref name="outcome"/>: redispatched or failed.</summary>
    public void StuckScan(string outcome) => _stuck.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void ScanCounted(string registry, string repository, bool rescan) =>
        _usage.Add(1, new("registry", registry), new("repository", repository), new KeyValuePair<string, object?>("kind", rescan ? "rescan" : "initial"));
}
