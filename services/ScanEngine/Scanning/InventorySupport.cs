using ImageScanning.ScanEngine.Ecosystems.Alpine;
using ImageScanning.ScanEngine.Ecosystems.Debian;
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
    private static readonly HashSet<string> OsPackageTypes = ["deb", "apk", "rpm"];
    private static readonly HashSet<string> DpkgDistributions = ["debian", "ubuntu"];
    private static readonly HashSet<string> ApkDistributions = ["alpine", "wolfi", "chainguard"];
    private static readonly HashSet<string> RpmDistributions =
        ["rhel", "centos", "fedora", "rocky", "almalinux", "amzn", "ol", "sles", "sled", "opensuse-leap", "opensuse-tumbleweed", "azurelinux", "mariner"];

    public static bool IsOsPackage(Package package) => OsPackageTypes.Contains(package.Type);

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

    /// <summary>Where the distribution keeps its package database, for the warning's path; every candidate for an unknown one.</summary>
    public static string ExpectedDatabaseOf(Distribution distribution) =>
        DpkgDistributions.Contains(distribution.Id) ? DpkgFinder.StatusPath
        : ApkDistributions.Contains(distribution.Id) ? ApkFinder.InstalledPath
        : RpmDistributions.Contains(distribution.Id) ? "var/lib/rpm"
        : $"{DpkgFinder.StatusPath}, {ApkFinder.InstalledPath} or var/lib/rpm";
}
