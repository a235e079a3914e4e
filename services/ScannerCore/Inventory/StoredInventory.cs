using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScannerCore.Inventory;

/// <summary>
/// What a scan found in an image before matching: enough to re-match it against a newer advisory
/// database without pulling the image again. ScannerVersion is the finder set that produced it
/// (<see cref="ImageScanning.ScanEngine.Scanning.ImageScanner.VersionFor"/>); another finder set makes it stale.
/// </summary>
public sealed record StoredInventory(
    string Registry,
    string Repository,
    string Digest,
    string ScannerVersion,
    Distribution? Distribution,
    IReadOnlyList<Package> Packages,
    string ManifestMediaType,
    DateTimeOffset SavedAt)
{
    public static string ImageKey(string registry, string repository, string digest) => $"{registry}/{repository}@{digest}";

    public string Key => ImageKey(Registry, Repository, Digest);
}
