using System.Diagnostics;
using ImageScanning.Contracts;
using ImageScanning.Findings.Data;
using ImageScanning.Findings.Extensions;
using ImageScanning.Findings.Lifecycle;
using ImageScanning.ScanEngine.Advisories.Store;
using ImageScanning.ScanEngine.Distributions;
using ImageScanning.ServiceDefaults.Outbox;
using ImageScanning.ServiceDefaults.Storage;
using MassTransit;

namespace ImageScanning.Findings.Consumers;

/// <summary>
/// A finished scan in one unit of work of the findings database: the message's inbox mark, the diff against the image's findings,
/// the scan record, each finding change and ScanCompleted (naming the vulnerabilities found) in the outbox. All of it or nothing:
/// a redelivery after the commit finds its mark and does nothing, a failure before it leaves nothing and the retry applies it.
/// Shared by the push lane (ImageScannedConsumer) and the re-scan lane (ImageRescannedConsumer).
/// </summary>
public sealed class ImageScannedHandler(
    [FromKeyedServices(FindingsExtensions.DatabaseName)] IServiceDatabase database,
    IFindingsStore store,
    FindingLifecycleService lifecycle,
    FindingsMetrics metrics)
{
    public async Task HandleAsync<TConsumer>(ConsumeContext context, ImageScanned scan)
    {
        var record = new ImageScanRecord(
            scan.ScanId, scan.Image, scan.ScanType, scan.Trigger, ScanStatus.COMPLETE,
            CompletedDescription(scan.Warnings), null,
            ImageScanRecord.CountBySeverity(scan.Findings), scan.Findings,
            scan.CompletedAt, scan.VulnerabilitySourceUpdatedAt);

        var storing = Stopwatch.GetTimestamp();
        try
        {
            await StoreAsync<TConsumer>(context, scan, record);
        }
        catch (MongoDocumentTooLargeException e)
        {
            // Every redelivery would fail the same way: the scan ends FAILED with the reason instead, in a unit of work of its own.
            await StoreTooLargeAsync<TConsumer>(context, scan, e);
            return;
        }
        metrics.StoreTook(Stopwatch.GetElapsedTime(storing));
        metrics.ScanStored(record);
    }

    private async Task StoreAsync<TConsumer>(ConsumeContext context, ImageScanned scan, ImageScanRecord record)
    {
        var ct = context.CancellationToken;
        await using var work = await database.BeginAsync<TConsumer>(context);
        if (work.AlreadyHandled) return;
        var changes = await lifecycle.In(work).ApplyScanAsync(scan, ct);
        await store.In(work).SaveScanAsync(record, ct);
        foreach (var change in changes) work.Publish(change, EventMessageIds.FindingChanged(change));
        var summaries = scan.Findings
            .Select(f => new ScanFindingSummary(f.VulnerabilityId, f.Severity, f.Package.Name, f.Package.Version, f.FixedInVersion))
            .ToList();
        var completed = record.ToScanCompleted() with { Findings = summaries };
        work.Publish(completed, EventMessageIds.ScanCompleted(completed.ScanId, completed.Status));
        await work.CommitAsync<TConsumer>(context);
    }

    /// <summary>A result too large for the store: recorded and announced as a FAILED scan that names the size and the limit.</summary>
    private async Task StoreTooLargeAsync<TConsumer>(ConsumeContext context, ImageScanned scan, MongoDocumentTooLargeException e)
    {
        var failed = new ImageScanFailed(scan.ScanId, scan.Image, scan.ScanType, scan.Trigger, ScanFailureReason.INTERNAL_ERROR,
            $"The scan found {scan.Findings.Count} findings, but its result could not be stored: {e.Message}", scan.CompletedAt);
        var record = ImageScanFailedConsumer.RecordOf(failed);
        await using var work = await database.BeginAsync<TConsumer>(context);
        if (work.AlreadyHandled) return;
        await store.In(work).SaveScanAsync(record, context.CancellationToken);
        ImageScanFailedConsumer.Announce(work, failed, record);
        await work.CommitAsync<TConsumer>(context);
        metrics.ScanStored(record);
    }

    /// <summary>Files listed in the description before the rest are only counted: the description is one line of ECR's shape.</summary>
    private const int ListedWarnings = 5;

    /// <summary>
    /// ECR's description of a complete scan, and the files the scan did not read (its warnings): a user of DescribeImageScanFindings
    /// or the findings API sees that packages may be missing, never a silent "nothing found" for them.
    /// </summary>
    public static string CompletedDescription(IReadOnlyList<ScanWarningRecord>? warnings)
    {
        const string Completed = "The scan was completed successfully.";
        if (warnings is not { Count: > 0 }) return Completed;
        // An end-of-life base image is no unread file: its warning is said first, in its own (Trivy's) words.
        if (warnings.FirstOrDefault(w => EndOfLifeWarning.Is(w.Path, w.Reason)) is { } endOfLife)
        {
            var rest = CompletedDescription(warnings.Where(w => w != endOfLife).ToList());
            return $"{Completed} {endOfLife.Reason}.{rest[Completed.Length..]}";
        }
        var listed = string.Join("; ", warnings.Take(ListedWarnings).Select(w => $"{w.Path}: {w.Reason}"));
        var more = warnings.Count > ListedWarnings ? $"; and {warnings.Count - ListedWarnings} more" : "";
        var (files, their) = warnings.Count == 1 ? ("file was", "its") : ("files were", "their");
        return $"{Completed} {warnings.Count} {files} not read, so {their} packages may be missing: {listed}{more}.";
    }
}
