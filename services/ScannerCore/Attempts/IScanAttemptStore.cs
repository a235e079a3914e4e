using ImageScanning.ServiceDefaults.Storage;

namespace ImageScanning.ScannerCore.Attempts;

/// <summary>
/// Attempts at scans not finished yet, one per scan id and scanner process. A scanner records its attempt (a committed write of its
/// own) before it starts and erases it when the attempt ends in that process, whatever the outcome; the scan's result erases them
/// all, in its unit of work. So the attempts of other processes still recorded are those whose scanner stopped in the middle: killed,
/// or out of memory.
/// </summary>
public interface IScanAttemptStore : ITransactionalStore<IScanAttemptStore>
{
    /// <summary>Records that <paramref name="scanner"/> (a process) is starting <paramref name="scanId"/>; again is the same attempt.</summary>
    Task RecordAsync(Guid scanId, Guid scanner, DateTimeOffset startedAt, CancellationToken ct = default);

    /// <summary>Attempts at <paramref name="scanId"/> by scanners other than <paramref name="scanner"/> that never ended.</summary>
    Task<int> CountUnfinishedAsync(Guid scanId, Guid scanner, CancellationToken ct = default);

    /// <summary>The attempt of <paramref name="scanner"/> at <paramref name="scanId"/> ended in its process.</summary>
    Task EndAsync(Guid scanId, Guid scanner, CancellationToken ct = default);

    /// <summary>Every attempt at <paramref name="scanId"/>: the scan has its result.</summary>
    Task ForgetAsync(Guid scanId, CancellationToken ct = default);

    /// <summary>Attempts started before <paramref name="startedBefore"/>: scans that never got a result (dead-lettered) stop being counted.</summary>
    Task<long> PruneAsync(DateTimeOffset startedBefore, CancellationToken ct = default);
}
