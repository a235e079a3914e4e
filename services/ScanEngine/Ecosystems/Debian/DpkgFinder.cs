using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.Debian;

/// <summary>
/// Finds Debian packages: dpkg's <c>var/lib/dpkg/status</c> and the per-package files of distroless
/// images in <c>var/lib/dpkg/status.d/</c>.
/// <para>
/// The packages are those the final view shows. Each is attributed to a layer: for the status file, the
/// earliest layer from which the package (name, architecture) was continuously installed with the same
/// version up to the final view, found by re-reading the status as visible after every layer that touches
/// a dpkg path (after every layer, when the status file is a symlink); for a status.d entry, the layer that
/// provided the visible file.
/// </para>
/// </summary>
public sealed class DpkgFinder : IPackageFinder
{
    public const string StatusPath = "var/lib/dpkg/status";
    public const string StatusDirectory = "var/lib/dpkg/status.d";
    private const string StatusDirectoryPrefix = StatusDirectory + "/";

    public string Name => "dpkg";
    public string DatabaseLocation => StatusPath;
    public string Version => "1";

    public bool Wants(string path) => path == StatusPath || IsStatusDirectoryEntry(path);

    private static bool IsStatusDirectoryEntry(string path) =>
        path.Length > StatusDirectoryPrefix.Length
        && path.StartsWith(StatusDirectoryPrefix, StringComparison.Ordinal)
        && !path.EndsWith(".md5sums", StringComparison.Ordinal);

    public IEnumerable<Package> Find(ImageFiles files, Distribution? distribution)
    {
        if (files.Layers.Count == 0) return [];
        var packages = new List<Package>();
        packages.AddRange(FindInStatus(files));
        packages.AddRange(FindInStatusDirectory(files.Final));
        return packages;
    }

    private static readonly string[] StatusPaths = [StatusPath];

    private static IEnumerable<Package> FindInStatus(ImageFiles files) =>
        PackageDatabaseHistory.Attribute(
                files, StatusPaths,
                view => view.TryGet(StatusPath, out var status) ? status : null,
                status => DpkgStatusParser.Parse(status.Content),
                entry => (entry.Name, entry.Architecture),
                entry => entry.Version)
            .Select(a => ToPackage(a.Entry, a.DatabasePath, a.LayerDigest));

    private static IEnumerable<Package> FindInStatusDirectory(FileView final)
    {
        foreach (var file in final.Under(StatusDirectory))
        {
            if (!IsStatusDirectoryEntry(file.Path)) continue;
            foreach (var entry in DpkgStatusParser.Parse(file.Content))
                yield return ToPackage(entry, file.Path, file.LayerDigest);
        }
    }

    private static Package ToPackage(DpkgEntry entry, string path, string layerDigest) => new()
    {
        Name = entry.Name,
        Version = entry.Version,
        Type = "deb",
        SourceName = entry.SourceName,
        SourceVersion = entry.SourceVersion,
        Architecture = entry.Architecture,
        FilePath = path,
        LayerDigest = layerDigest,
    };
}
