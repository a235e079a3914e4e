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

    private readonly record struct Key(string Name, string? Architecture);

    private sealed record Attributed(DpkgEntry Entry, int Layer);

    private static IEnumerable<Package> FindInStatus(ImageFiles files)
    {
        // Visible status entries with the layer each has been continuously present (same version) since.
        var current = new Dictionary<Key, Attributed>();
        var order = new List<Key>();
        byte[]? lastContent = null;
        // A status file that is a symlink may change through its target, anywhere: then look at every layer.
        var linked = files.Layers.Any(l => l.Symlinks.Keys.Any(IsDpkgPath));

        for (var i = 0; i < files.Layers.Count; i++)
        {
            if (!linked && !Touches(files.Layers[i])) continue;
            byte[]? content = files.At(i).TryGet(StatusPath, out var status) ? status.Content : null;
            if (content is not null && ReferenceEquals(content, lastContent)) continue; // the status did not change
            lastContent = content;

            var next = new Dictionary<Key, Attributed>();
            order = [];
            foreach (var entry in content is null ? [] : DpkgStatusParser.Parse(content))
            {
                var key = new Key(entry.Name, entry.Architecture);
                if (next.ContainsKey(key)) continue; // a duplicated paragraph: keep the first
                var since = current.TryGetValue(key, out var previous) && previous.Entry.Version == entry.Version
                    ? previous.Layer
                    : i;
                next[key] = new Attributed(entry, since);
                order.Add(key);
            }
            current = next;
        }

        foreach (var key in order)
        {
            var (entry, layer) = current[key];
            yield return ToPackage(entry, StatusPath, files.Layers[layer].Digest);
        }
    }

    private static IEnumerable<Package> FindInStatusDirectory(FileView final)
    {
        foreach (var file in final.Under(StatusDirectory))
        {
            if (!IsStatusDirectoryEntry(file.Path)) continue;
            foreach (var entry in DpkgStatusParser.Parse(file.Content))
                yield return ToPackage(entry, file.Path, file.LayerDigest);
        }
    }

    /// <summary>Whether a layer adds, replaces or removes anything that may change the dpkg database.</summary>
    private static bool Touches(LayerFiles layer) =>
        layer.Files.Keys.Any(IsDpkgPath)
        || layer.Symlinks.Keys.Any(IsDpkgPath)
        || layer.Whiteouts.Any(RemovalTouches)
        || layer.OpaqueDirectories.Any(RemovalTouches);

    private static bool IsDpkgPath(string path) =>
        path == StatusPath || path.StartsWith(StatusDirectoryPrefix, StringComparison.Ordinal);

    /// <summary>A removed path touches dpkg when it is a dpkg path, lies under one, or is an ancestor.</summary>
    private static bool RemovalTouches(string removed)
    {
        removed = removed.Trim('/');
        if (removed.Length == 0) return true;
        return IsDpkgPath(removed) || removed == StatusDirectory
            || StatusPath.StartsWith(removed + "/", StringComparison.Ordinal);
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
