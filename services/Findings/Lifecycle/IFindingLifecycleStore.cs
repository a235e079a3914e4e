using ImageScanning.Contracts;
using ImageScanning.ServiceDefaults.Storage;

namespace ImageScanning.Findings.Lifecycle;

/// <summary>
/// Findings with their lifecycle (one row per image, vulnerability and package), each image's latest inventory, and the
/// suppression rules. Implementations: <see cref="SqliteFindingLifecycleStore"/> and <see cref="MongoFindingLifecycleStore"/>.
/// Joined with a unit of work (<see cref="ITransactionalStore{TStore}.In"/>), every read and write is part of its transaction.
/// </summary>
public interface IFindingLifecycleStore : ITransactionalStore<IFindingLifecycleStore>
{
    /// <summary>The image's revision, applied point and every finding row it ever had (open and closed).</summary>
    Task<ImageFindingsState> GetImageAsync(string imageKey, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes the rows (by id), the applied point and the inventory (when given) only if the image is still at
    /// ExpectedRevision; false when another commit came first (re-read and re-apply). All of it or nothing: outside a unit of
    /// work the store uses a transaction of its own.
    /// </summary>
    Task<bool> TryCommitAsync(ImageFindingsCommit commit, CancellationToken cancellationToken = default);

    /// <summary>Replaces rows by id (status changes from suppression rules).</summary>
    Task UpdateFindingsAsync(IReadOnlyList<FindingRecord> findings, CancellationToken cancellationToken = default);

    /// <summary>Every ACTIVE or SUPPRESSED finding.</summary>
    Task<IReadOnlyList<FindingRecord>> ListOpenFindingsAsync(CancellationToken cancellationToken = default);

    /// <summary>The findings with these row ids (any status); ids it does not hold are left out.</summary>
    Task<IReadOnlyList<FindingRecord>> GetFindingsAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken = default);

    /// <summary>A keyset page of findings; <exception cref="ArgumentException">a NextToken not issued for this sort.</exception></summary>
    Task<FindingsPage> QueryAsync(ListFindings query, CancellationToken cancellationToken = default);

    /// <summary>Counts of the selected findings grouped by image, <paramref name="key"/>, severity and fixAvailable.</summary>
    Task<IReadOnlyList<FindingCountRow>> CountAsync(FindingFilter filter, FindingCountKey key, CancellationToken cancellationToken = default);

    Task<ImageInventory?> GetInventoryAsync(string imageKey, CancellationToken cancellationToken = default);

    Task SaveRuleAsync(SuppressionRule rule, CancellationToken cancellationToken = default);

    Task<bool> DeleteRuleAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>All rules, oldest first.</summary>
    Task<IReadOnlyList<SuppressionRule>> ListRulesAsync(CancellationToken cancellationToken = default);
}
