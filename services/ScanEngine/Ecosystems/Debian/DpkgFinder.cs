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

    /// <summary>
    /// The status file's packages, each attributed by <see cref="PackageDatabaseHistory"/>. When one layer alone writes the
    /// status (no symlink to it), every package is that layer's: the parser makes the packages themselves and the history (a
    /// map, a list and a record per entry, for a 400,000-package status most of what was allocated on top of the packages
    /// kept) is skipped. Otherwise the history compares small entries, and only the final ones become packages (entries of
    /// every writing layer are alive at once there, so packages in their place would raise the peak).
    /// </summary>
    private static IEnumerable<Package> FindInStatus(ImageFiles files)
    {
        var linked = files.Layers.Any(l => l.Symlinks.ContainsKey(StatusPath));
        var writers = Enumerable.Range(0, files.Layers.Count).Where(i => PackageDatabaseHistory.Touches(files.Layers[i], StatusPaths)).Take(2).ToList();
        if (!linked && writers.Count == 1) return FromOneLayer(files, writers[0]);
        return PackageDatabaseHistory.Attribute(
                files, StatusPaths,
                view => view.TryGet(StatusPath, out var status) ? status : null,
                status => DpkgStatusParser.Parse(status.Content),
                entry => (entry.Name, entry.Architecture),
                entry => entry.Version)
            .Select(a => new Package
            {
                Name = a.Entry.Name,
                Version = a.Entry.Version,
                Type = "deb",
                SourceName = a.Entry.SourceName,
                SourceVersion = a.Entry.SourceVersion,
                Architecture = a.Entry.Architecture,
                FilePath = a.DatabasePath,
                LayerDigest = a.LayerDigest,
            });
    }

    /// <summary>What <see cref="PackageDatabaseHistory.Attribute"/> gives when only layer <paramref name="index"/> touches the status.</summary>
    private static List<Package> FromOneLayer(ImageFiles files, int index)
    {
        if (!files.At(index).TryGet(StatusPath, out var status)) return [];
        var packages = DpkgStatusParser.ParsePackages(status.Content, status.Path, files.Layers[index].Digest);
        // The first of duplicated (name, architecture) wins, as in the history.
        var seen = new HashSet<(string, string?)>(packages.Count);
        var kept = 0;
        for (var i = 0; i < packages.Count; i++)
            if (seen.Add((packages[i].Name, packages[i].Architecture))) packages[kept++] = packages[i];
        packages.RemoveRange(kept, packages.Count - kept);
        return packages;
    }

    private static IEnumerable<Package> FindInStatusDirectory(FileView final)
    {
        foreach (var file in final.Under(StatusDirectory))
        {
            if (!IsStatusDirectoryEntry(file.Path)) continue;
            foreach (var package in DpkgStatusParser.ParsePackages(file.Content, file.Path, file.LayerDigest))
                yield return package;
        }
    }

}
