using System.Globalization;
using ImageScanning.Contracts;
using ImageScanning.ScanEngine.Distributions;
using ImageScanning.ScanEngine.Model;
using ImageScanning.ScanEngine.Scanning;
using ImageScanning.ScannerCore.Attempts;
using ImageScanning.ScannerCore.Inventory;
using ImageScanning.ScannerCore.Testing;
using ImageScanning.ServiceDefaults.Outbox;
using ImageScanning.ServiceDefaults.Storage;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ImageScanning.ScannerCore;

/// <summary>What a scanner's consumers call for a ScanImage command; an interface so lane tests can hold a scan open.</summary>
public interface IScanImageHandler
{
    Task HandleAsync(ConsumeContext<ScanImage> context, bool includeLanguagePackages);
}

/// <summary>
/// What a scanner does with a ScanImage command, once per scan id however often it arrives (a redelivery, the router's sweeper):
/// scan within <see cref="ScannerOptions.ScanTimeout"/>, then one unit of work in the scanners' database holds the scan's inbox
/// mark, its inventory and its result (ImageScanned, ImageRescanned for a RESCAN, or ImageScanFailed with a reason a user can act
/// on) in the outbox. The scan runs before that unit of work, which on SQLite holds the file's write lock. A failure caused by the
/// image's bytes (every ScanException, and running out of memory or stack on them) is such a result, recorded once and never
/// retried, so the image is not fetched again. Unexpected errors (the store, the bus) are rethrown so MassTransit retries them; past the retries its Fault&lt;ScanImage&gt; makes the failure visible. A RESCAN (new
/// advisories) re-matches the stored inventory without pulling the image, unless it is missing or was made by another finder set.
/// Attempts are counted per scan id: a scan whose scanner stopped <see cref="ScannerOptions.MaxScanAttempts"/> times in the middle
/// of it fails without being tried again.
/// </summary>
public sealed class ScanImageHandler(
    ImageScanner scanner,
    [FromKeyedServices(ScannerDatabase.Name)] IServiceDatabase database,
    IInventoryStore inventories,
    IScanAttemptStore attempts,
    IEnumerable<IEcosystem> ecosystems,
    EndOfLifeFeedDirectory endOfLife,
    ScannerMetrics metrics,
    ScannerFaultInjection faults,
    IOptions<ScannerOptions> options,
    TimeProvider clock,
    ILogger<ScanImageHandler> logger)
    : IScanImageHandler
{
    /// <summary>The inbox consumer name under which both scanners mark a scan id finished.</summary>
    public static readonly string InboxName = ConsumerUnitOfWork.ConsumerName<ScanImageHandler>();

    /// <summary>Attempts of scans that never got a result (dead-lettered) are forgotten after this, as inbox marks are.</summary>
    private static readonly TimeSpan AttemptsKeptFor = TimeSpan.FromDays(7);

    private readonly IReadOnlyList<IEcosystem> _ecosystems = ecosystems.ToList();
    private readonly ScannerOptions _options = options.Value.Problem() is { } problem ? throw new InvalidOperationException(problem) : options.Value;
    private long _lastPruneTicks;

    /// <summary>This scanner process: the attempts it records and never ends are those of a scanner that stopped mid-scan.</summary>
    public Guid ScannerId { get; } = Guid.NewGuid();

    public async Task HandleAsync(ConsumeContext<ScanImage> context, bool includeLanguagePackages)
    {
        var scan = context.Message;
        var ct = context.CancellationToken;
        // Read-only and outside any transaction: a finished scan is not pulled again. Only the mark in the unit of work decides.
        if (await database.Outbox.IsHandledAsync(InboxName, scan.ScanId, ct))
        {
            logger.LogInformation("Scan {ScanId} of {Repository}@{Digest} already has its result; this delivery is skipped",
                scan.ScanId, scan.Image.Repository, scan.Image.Digest);
            return;
        }

        var stopped = await attempts.CountUnfinishedAsync(scan.ScanId, ScannerId, ct);
        if (stopped >= _options.MaxScanAttempts)
        {
            await GiveUpAsync(context, stopped);
            return;
        }

        // Committed before the scan starts, so a process that dies in it leaves the attempt behind.
        await attempts.RecordAsync(scan.ScanId, ScannerId, clock.GetUtcNow(), ct);
        metrics.Started(scan);
        try
        {
            faults.BeforeScan(scan);
            var outcome = await ScanWithinDeadlineAsync(scan, includeLanguagePackages, ct);
            await RecordOutcomeAsync(context, outcome);
        }
        catch (Exception e)
        {
            if (e is not OperationCanceledException) metrics.Failed(scan, ScannerMetrics.UnexpectedFailure);
            await EndAttemptAsync(scan);
            throw;
        }
        await PruneAttemptsAsync(ct);
    }

    /// <summary>A scan's result, or the failure a user sees.</summary>
    private sealed record ScanOutcome(ImageScanResult? Result, bool Rematched, ScanException? Failure);

    private async Task<ScanOutcome> ScanWithinDeadlineAsync(ScanImage scan, bool includeLanguagePackages, CancellationToken ct)
    {
        using var timer = new CancellationTokenSource(_options.ScanTimeout, clock);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct, timer.Token);
        try
        {
            return await ScanAsync(scan, includeLanguagePackages, deadline.Token);
        }
        catch (Exception e) when (timer.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            // Whatever broke once the deadline passed (a cancelled read, a cancelled query), the deadline is why.
            return new ScanOutcome(null, false, new ScanException(ScanFailureKind.Timeout,
                $"The scan of {scan.Image.Repository}@{scan.Image.Digest} did not finish within its deadline of {Describe(_options.ScanTimeout)} " +
                "(Scanning:ScanTimeout) and was stopped.", e));
        }
        catch (ScanException e)
        {
            return new ScanOutcome(null, false, e);
        }
        catch (OutOfMemoryException e)
        {
            // The image's bytes asked for more memory than there is (the layer reader names the layer when it is one): retrying
            // would fetch it again to the same end, so it is a result, not a fault.
            return new ScanOutcome(null, false, new ScanException(ScanFailureKind.LayerTooLarge,
                $"The scan of {scan.Image.Repository}@{scan.Image.Digest} ran out of memory on the image's contents and was stopped; it is not retried.", e));
        }
        catch (InsufficientExecutionStackException e)
        {
            return new ScanOutcome(null, false, new ScanException(ScanFailureKind.CorruptLayer,
                $"The scan of {scan.Image.Repository}@{scan.Image.Digest} met content nested too deeply to read and was stopped; it is not retried.", e));
        }
    }

    private async Task<ScanOutcome> ScanAsync(ScanImage scan, bool includeLanguagePackages, CancellationToken ct)
    {
        var image = scan.Image;
        var rematched = scan.Trigger == ScanTrigger.RESCAN ? await RematchStoredAsync(image, includeLanguagePackages, ct) : null;
        var result = rematched ?? await scanner.ScanAsync(image.Registry, image.Repository, image.Digest, includeLanguagePackages, ct);
        if (rematched is null)
        {
            metrics.Stage("pull", result.Timings.Pull);
            metrics.Stage("inventory", result.Timings.Inventory);
            metrics.LayerBytes(result.CompressedBytesRead);
            metrics.Layers(result.LayersFromCache, result.LayerCount - result.LayersFromCache);
        }
        metrics.Stage("match", result.Timings.Match);
        return new ScanOutcome(result, rematched is not null, null);
    }

    /// <summary>One unit of work: the scan's inbox mark, its inventory (when it pulled the image), its result event.</summary>
    private async Task RecordOutcomeAsync(ConsumeContext<ScanImage> context, ScanOutcome outcome)
    {
        var scan = context.Message;
        var image = scan.Image;
        var ct = context.CancellationToken;
        await using var work = await database.BeginAsync<ScanImageHandler>(context, scan.ScanId);
        if (work.AlreadyHandled)
        {
            logger.LogInformation("Scan {ScanId} of {Repository}@{Digest} got its result from another delivery meanwhile; this one's is dropped",
                scan.ScanId, image.Repository, image.Digest);
            return;
        }
        if (outcome.Result is { } result)
        {
            if (!outcome.Rematched)
                await inventories.In(work).SaveAsync(new StoredInventory(image.Registry, image.Repository, image.Digest, result.ScannerVersion,
                    result.Distribution, result.Packages, result.MediaType, clock.GetUtcNow()), ct);
            var scanned = ToImageScanned(scan, result, outcome.Rematched);
            if (scan.Trigger == ScanTrigger.RESCAN) work.Publish(new ImageRescanned(scanned));
            else work.Publish(scanned);
        }
        else
        {
            var failure = outcome.Failure!;
            work.Publish(new ImageScanFailed(scan.ScanId, image, scan.ScanType, scan.Trigger, failure.Kind.ToReason(), failure.Message, clock.GetUtcNow()));
        }
        await attempts.In(work).ForgetAsync(scan.ScanId, ct);
        await work.CommitAsync<ScanImageHandler>(context);

        if (outcome.Result is { } done)
        {
            metrics.Completed(scan);
            logger.LogInformation("Scanned {Repository}@{Digest}: {Packages} packages, {Findings} findings",
                image.Repository, image.Digest, done.Packages.Count, done.Vulnerabilities.Count);
        }
        else
        {
            metrics.Failed(scan, outcome.Failure!.Kind.ToReason().ToString());
            logger.LogWarning("Scan of {Repository}@{Digest} failed: {Kind}: {Message}", image.Repository, image.Digest, outcome.Failure.Kind, outcome.Failure.Message);
        }
    }

    private ImageScanned ToImageScanned(ScanImage scan, ImageScanResult result, bool rematched)
    {
        OperatingSystemInfo? os = null;
        var warnings = result.Warnings.ToList();
        if (result.Distribution is { } d)
        {
            var release = endOfLife.Current.ReleaseOf(d);
            os = new OperatingSystemInfo(d.Id, d.VersionId, d.PrettyName, release?.EndOfSecuritySupport);
            // Trivy's warning for an end-of-life base image joins the files the scan did not read.
            if (EndOfLifeWarning.For(d, release, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime)) is { } endOfLifeWarning)
                warnings.Add(endOfLifeWarning);
        }
        // A re-match sends no packages: every consumer already holds the inventory it was made from.
        return new ImageScanned(
            scan.ScanId, scan.Image, scan.ScanType, scan.Trigger, os,
            rematched ? [] : result.Packages.Select(p => p.ToRecord(result.Distribution, _ecosystems)).ToList(),
            result.Vulnerabilities.Select(v => v.ToFinding(scan.ScanType, result.Distribution, _ecosystems)).ToList(),
            result.ScannerVersion, result.AdvisoriesUpdatedAt, clock.GetUtcNow(), InventoryUnchanged: rematched,
            Warnings: warnings.Count == 0 ? null : warnings.Select(w => new ScanWarningRecord(w.Path, w.Reason)).ToList());
    }

    /// <summary>The scanner died in this scan too often: record it FAILED, without trying again.</summary>
    private async Task GiveUpAsync(ConsumeContext<ScanImage> context, int stopped)
    {
        var scan = context.Message;
        var message = $"The scanner stopped {stopped} times while scanning this image without finishing (it may have run out of memory); it was not tried again.";
        await using var work = await database.BeginAsync<ScanImageHandler>(context, scan.ScanId);
        if (work.AlreadyHandled) return;
        work.Publish(new ImageScanFailed(scan.ScanId, scan.Image, scan.ScanType, scan.Trigger, ScanFailureReason.INTERNAL_ERROR, message, clock.GetUtcNow()));
        await attempts.In(work).ForgetAsync(scan.ScanId, context.CancellationToken);
        await work.CommitAsync<ScanImageHandler>(context);
        metrics.Failed(scan, nameof(ScanFailureReason.INTERNAL_ERROR));
        logger.LogWarning("Scan {ScanId} of {Repository}@{Digest} failed: the scanner stopped {Stopped} times in it", scan.ScanId,
            scan.Image.Repository, scan.Image.Digest, stopped);
    }

    /// <summary>The attempt ended in this process (the scan threw, or the process is stopping): it is no stop of the scanner.</summary>
    private async Task EndAttemptAsync(ScanImage scan)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await attempts.EndAsync(scan.ScanId, ScannerId, timeout.Token);
        }
        catch (Exception e)
        {
            // Left behind it is counted as one stop by other processes; a retry here records and ends the same attempt.
            logger.LogWarning("Could not end the attempt at scan {ScanId}: {Message}", scan.ScanId, e.Message);
        }
    }

    /// <summary>At most once an hour: attempts older than a week belong to scans that will never come back.</summary>
    private async Task PruneAttemptsAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var last = Interlocked.Read(ref _lastPruneTicks);
        if (now.UtcTicks - last < TimeSpan.TicksPerHour || Interlocked.CompareExchange(ref _lastPruneTicks, now.UtcTicks, last) != last) return;
        try
        {
            await attempts.PruneAsync(now - AttemptsKeptFor, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("Pruning old scan attempts failed: {Message}", e.Message);
        }
    }

    /// <summary>The stored inventory re-matched, or null when there is no current one (the caller then pulls the image again).</summary>
    private async Task<ImageScanResult?> RematchStoredAsync(ImageRef image, bool includeLanguagePackages, CancellationToken ct)
    {
        var version = scanner.VersionFor(includeLanguagePackages);
        StoredInventory? inventory;
        try
        {
            inventory = await inventories.GetCurrentAsync(image.Registry, image.Repository, image.Digest, version, ct);
        }
        catch (InvalidDataException e)
        {
            // An unreadable inventory only costs a pull: the full scan replaces it.
            logger.LogWarning("Stored inventory of {Repository}@{Digest} is unreadable, scanning the image again: {Message}", image.Repository, image.Digest, e.Message);
            return null;
        }
        if (inventory is null)
        {
            logger.LogInformation("No current inventory of {Repository}@{Digest} for finder set {Version}: scanning the image again", image.Repository, image.Digest, version);
            return null;
        }
        return await scanner.RematchAsync(inventory.Distribution, inventory.Packages, inventory.Digest, inventory.ManifestMediaType, includeLanguagePackages, ct);
    }

    /// <summary>A deadline as people write it: "5 min", "90 s", "1500 ms".</summary>
    internal static string Describe(TimeSpan duration) =>
        duration.TotalMinutes >= 1 && duration.TotalMinutes == Math.Floor(duration.TotalMinutes) ? $"{duration.TotalMinutes.ToString(CultureInfo.InvariantCulture)} min"
        : duration.TotalSeconds >= 1 && duration.TotalSeconds == Math.Floor(duration.TotalSeconds) ? $"{duration.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s"
        : $"{Math.Round(duration.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)} ms";
}
