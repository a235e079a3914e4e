using ImageScanning.ServiceDefaults.Storage;

namespace ImageScanning.ScannerCore.Inventory;

/// <summary>
/// The scanners' store of image inventories, one per image digest (the latest scan's), in the scanners' service database: a scan's
/// inventory is saved in the unit of work that publishes its result (<c>inventories.In(work)</c>).
/// </summary>
public interface IInventoryStore : ITransactionalStore<IInventoryStore>
{
    /// <summary>Stores the image's inventory, replacing any earlier one for the same registry, repository and digest.</summary>
    Task SaveAsync(StoredInventory inventory, CancellationToken cancellationToken = default);

    /// <summary>The image's stored inventory whatever finder set made it; null when there is none.</summary>
    Task<StoredInventory?> GetAsync(string registry, string repository, string digest, CancellationToken cancellationToken = default);
}

public static class InventoryStoreExtensions
{
    /// <summary>The image's inventory only when the current finder set made it: one made by another is stale and must not be re-matched.</summary>
    public static async Task<StoredInventory?> GetCurrentAsync(this IInventoryStore store, string registry, string repository, string digest,
        string currentScannerVersion, CancellationToken cancellationToken = default)
    {
        var inventory = await store.GetAsync(registry, repository, digest, cancellationToken);
        return inventory is not null && string.Equals(inventory.ScannerVersion, currentScannerVersion, StringComparison.Ordinal) ? inventory : null;
    }
}
