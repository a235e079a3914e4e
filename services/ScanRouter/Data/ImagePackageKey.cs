using ImageScanning.Contracts;
using ImageScanning.ScanEngine.Advisories;

namespace ImageScanning.ScanRouter.Data;

/// <summary>
/// A package as OSV advisories name it: the advisory ecosystem ("Debian:12", "npm", "PyPI"...) and the package name
/// (for OS packages the source package). Stores compare keys after <see cref="Canonical"/>, so "PyYAML" and "pyyaml"
/// in PyPI are one key.
/// </summary>
public sealed record ImagePackageKey(string Ecosystem, string Name)
{
    /// <summary>
    /// The key an advisory for this package would carry, or null when the package has no advisory ecosystem
    /// (nothing could ever be looked up by it). OS packages are keyed by their source package, as Debian, Ubuntu and
    /// Alpine advisories are.
    /// </summary>
    public static ImagePackageKey? From(PackageRecord package)
    {
        ArgumentNullException.ThrowIfNull(package);
        if (string.IsNullOrEmpty(package.Ecosystem)) return null;
        var name = string.IsNullOrEmpty(package.SourceName) ? package.Name : package.SourceName;
        return string.IsNullOrEmpty(name) ? null : new ImagePackageKey(package.Ecosystem, name).Canonical();
    }

    /// <summary>
    /// The distinct keys of an image's packages: each package's advisory keys as the scanner gave them (every ecosystem that keys
    /// it, with the name it is filed under: the source package on Debian, the binary rpm on RHEL), else, for an inventory sent
    /// before packages carried them, the one key <see cref="From"/> derives. Packages without an ecosystem are skipped.
    /// </summary>
    public static IReadOnlyCollection<ImagePackageKey> FromPackages(IEnumerable<PackageRecord> packages)
    {
        ArgumentNullException.ThrowIfNull(packages);
        return packages.SelectMany(p => p.AdvisoryKeys is { Count: > 0 } keys
                ? keys.Where(k => k.Ecosystem.Length > 0 && k.Name.Length > 0).Select(k => new ImagePackageKey(k.Ecosystem, k.Name).Canonical())
                : From(p) is { } key ? [key] : [])
            .ToHashSet();
    }

    /// <summary>The name normalised as the advisory store normalises it (PEP 503 for PyPI, lower case for NuGet/Packagist).</summary>
    public ImagePackageKey Canonical() => this with { Name = AdvisoryPackageNames.Normalize(Ecosystem, Name) };

    /// <summary>Validated, canonical, distinct keys; what the stores write and look up.</summary>
    internal static List<ImagePackageKey> CanonicalSet(IReadOnlyCollection<ImagePackageKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var set = new HashSet<ImagePackageKey>();
        foreach (var key in keys)
        {
            if (key is null || string.IsNullOrEmpty(key.Ecosystem) || string.IsNullOrEmpty(key.Name))
                throw new ArgumentException("A package key needs an ecosystem and a name.", nameof(keys));
            set.Add(key.Canonical());
        }
        return [.. set];
    }
}

/// <summary>An image of the catalog, by its key.</summary>
public sealed record ImageKey(string Registry, string Repository, string Digest);

/// <summary>The order the stores return images in: (registry, repository, digest), ordinal.</summary>
internal sealed class ImageKeyOrder : IComparer<ImageKey>
{
    public static readonly ImageKeyOrder Ordinal = new();

    public int Compare(ImageKey? x, ImageKey? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        var c = string.CompareOrdinal(x.Registry, y.Registry);
        if (c == 0) c = string.CompareOrdinal(x.Repository, y.Repository);
        return c != 0 ? c : string.CompareOrdinal(x.Digest, y.Digest);
    }
}
