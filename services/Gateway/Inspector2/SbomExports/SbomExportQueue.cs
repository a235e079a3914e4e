using System.Collections.Concurrent;
using System.Threading.Channels;

namespace ImageScanning.Gateway.Inspector2.SbomExports;

/// <summary>One queued export: its report and the images it selects (resolved when it runs, not when it was asked for).</summary>
public sealed record SbomExportJob(string ReportId, SbomExportDestination Destination, string KeyPrefix, JsonCriteria Criteria);

/// <summary>The resourceFilterCriteria as given (parsed again by the worker, which lists the coverage itself).</summary>
public sealed record JsonCriteria(System.Text.Json.Nodes.JsonObject? Value);

/// <summary>
/// The Gateway's SBOM exports: their reports, in memory, and the queue the worker runs them from one at a time. A report lives as
/// long as the Gateway process: after a restart GetSbomExport no longer knows it, and an export that was running stops where it
/// was (the files it wrote stay). At most <see cref="MaxQueued"/> wait; more is ThrottlingException.
/// </summary>
public sealed class SbomExportQueue
{
    public const int MaxQueued = 16;
    private const int MaxKept = 1000;

    private readonly ConcurrentDictionary<string, SbomExportReport> _reports = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();
    private readonly Channel<SbomExportJob> _queue = Channel.CreateBounded<SbomExportJob>(MaxQueued);

    public ChannelReader<SbomExportJob> Queue => _queue.Reader;

    /// <summary>Records the report IN_PROGRESS and queues its job; false (nothing recorded) when the queue is full.</summary>
    public bool TryStart(SbomExportReport report, SbomExportJob job)
    {
        _reports[report.ReportId] = report;
        if (!_queue.Writer.TryWrite(job))
        {
            _reports.TryRemove(report.ReportId, out _);
            return false;
        }
        _order.Enqueue(report.ReportId);
        // Bounded memory: the oldest finished reports are forgotten first.
        while (_order.Count > MaxKept && _order.TryPeek(out var oldest) && _reports.TryGetValue(oldest, out var r) && r.Status != SbomExportReport.InProgress)
            if (_order.TryDequeue(out oldest)) _reports.TryRemove(oldest, out _);
        return true;
    }

    public SbomExportReport? Get(string reportId) => _reports.GetValueOrDefault(reportId);

    public void Update(string reportId, Func<SbomExportReport, SbomExportReport> change)
    {
        if (_reports.TryGetValue(reportId, out var report)) _reports[reportId] = change(report);
    }
}
