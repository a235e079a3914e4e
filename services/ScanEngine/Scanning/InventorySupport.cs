using ImageScanning.ScanEngine.Ecosystems;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Scanning;

/// <summary>
/// Whether an inventory can be reported honestly. An image with an os-release but no OS package database (distroless,
/// static builds) is reported with its language packages and a warning, as Trivy does ("no OS package is detected");
/// a BASIC scan of it has nothing to inventory and fails UNSUPPORTED_IMAGE, as ECR's basic scanning does. An image with
/// neither an OS nor packages fails: "no findings" would pass for a clean image.
/// </summary>
public static class InventorySupport
{
    public static bool IsOsPackage(Package package) => PackageType.IsOperatingSystemType(package.Type);

    /// <summary>The warning the result carries (null for none), or a <see cref="ScanException"/> when it cannot be reported.</summary>
    public static ScanWarning? Check(Distribution? distribution, IReadOnlyList<Package> packages, IReadOnlyList<IEcosystem> selected)
    {
        var osPackages = packages.Where(IsOsPackage).ToList();
        var languagePackages = packages.Count - osPackages.Count;
        if (osPackages.Count > 0)
        {
            if (osPackages.Any(p => selected.Any(e => e.IsOperatingSystem && e.AdvisoryKeyFor(p, distribution) is not null))) return null;
            throw new ScanException(ScanFailureKind.UnsupportedImage,
                $"The operating system {distribution?.ToString() ?? "(no os-release)"} is not supported: its packages have no advisory source.");
        }
        if (distribution is null)
        {
            // No os-release: a scratch image with a Go binary or a lock file has no OS to inventory, so nothing is missing.
            if (languagePackages > 0) return null;
            throw new ScanException(ScanFailureKind.UnsupportedImage, "No operating system (os-release) and no packages were found in the image.");
        }
        var database = ExpectedDatabaseOf(distribution);
        if (selected.All(e => e.IsOperatingSystem))
            throw new ScanException(ScanFailureKind.UnsupportedImage,
                $"The image's operating system is {distribution}, but no OS package database ({database}) was found in it, as in a "
                + "distroless or static build: a BASIC scan inventories OS packages only. An ENHANCED scan reports its language packages.");
        return new ScanWarning(database,
            $"No OS package database was found for {distribution} (a distroless or static build): OS packages were not inventoried, "
            + $"so their vulnerabilities are not reported; {languagePackages} language packages were.");
    }

    /// <summary>
    /// Where the distribution keeps its package database, for the warning's path: the database of the OS ecosystem that
    /// names its os-release ID; every OS database for an unknown one.
    /// </summary>
    public static string ExpectedDatabaseOf(Distribution distribution)
    {
        var ecosystems = EcosystemCatalog.All();
        var locations = ecosystems.Where(e => e.IsOperatingSystem).SelectMany(e => e.Finders)
            .Where(f => f.DatabaseLocation is not null).ToList();
        var owner = ecosystems.FirstOrDefault(e => e.DistributionIds.Contains(distribution.Id, StringComparer.Ordinal));
        var owned = owner is null ? [] : ecosystems.Where(e => e.PackageType == owner.PackageType).SelectMany(e => e.Finders)
            .Where(f => f.DatabaseLocation is not null).ToList();
        var candidates = (owned.Count > 0 ? owned : locations).Select(f => f.DatabaseLocation!).Distinct().ToList();
        return candidates.Count == 1 ? candidates[0] : string.Join(", ", candidates[..^1]) + " or " + candidates[^1];
    }
}
