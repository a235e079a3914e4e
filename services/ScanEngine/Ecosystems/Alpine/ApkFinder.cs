using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.Alpine;

/// <summary>
/// Finds apk packages (Alpine, Wolfi, Chainguard OS): apk's <c>lib/apk/db/installed</c>, or
/// <c>usr/lib/apk/db/installed</c> on usr-merged systems when the former is not there.
/// <para>
/// The packages are those the final view shows. Each is attributed to the earliest layer from which the package
/// (by name) was continuously installed with the same version up to the final view, found by re-reading the
/// database as visible after every layer that touches an apk database path (after every layer, when the database
/// is reached through a symlink), like the dpkg finder does.
/// </para>
/// </summary>
public sealed class ApkFinder : IPackageFinder
{
    public const string InstalledPath = "lib/apk/db/installed";
    public const string UsrInstalledPath = "usr/lib/apk/db/installed";

    public string Name => "apk";
    public string DatabaseLocation => InstalledPath;
    public string Version => "1";

    public bool Wants(string path) => path == InstalledPath || path == UsrInstalledPath;

    private static readonly string[] DatabasePaths = [InstalledPath, UsrInstalledPath];

    public IEnumerable<Package> Find(ImageFiles files, Distribution? distribution) =>
        PackageDatabaseHistory.Attribute(
                files, DatabasePaths,
                // apk reads lib/apk/db/installed; usr/lib/apk/db/installed only where the former is absent.
                view => view.TryGet(InstalledPath, out var db) || view.TryGet(UsrInstalledPath, out db) ? db : null,
                db => ApkInstalledParser.Parse(db.Content),
                entry => entry.Name,
                entry => entry.Version)
            .Select(a => ToPackage(a.Entry, a.DatabasePath, a.LayerDigest))
            .ToList();

    private static Package ToPackage(ApkEntry entry, string path, string layerDigest) => new()
    {
        Name = entry.Name,
        Version = entry.Version,
        Type = PackageType.Apk.Id,
        // apk builds every subpackage of an origin with the origin's version: the source version is the same.
        SourceName = entry.Origin,
        SourceVersion = entry.Version,
        Architecture = entry.Architecture,
        FilePath = path,
        LayerDigest = layerDigest,
    };
}
