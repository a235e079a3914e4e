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
    public string Version => "1";

    public bool Wants(string path) => path == InstalledPath || path == UsrInstalledPath;

    private sealed record Attributed(ApkEntry Entry, int Layer);

    public IEnumerable<Package> Find(ImageFiles files, Distribution? distribution)
    {
        if (files.Layers.Count == 0) return [];

        var current = new Dictionary<string, Attributed>(StringComparer.Ordinal);
        var order = new List<string>();
        string? path = null;
        byte[]? lastContent = null;
        // A database reached through a symlink may change through its target, anywhere: then look at every layer.
        var linked = files.Layers.Any(l => l.Symlinks.Keys.Any(IsApkPath));

        for (var i = 0; i < files.Layers.Count; i++)
        {
            if (!linked && !Touches(files.Layers[i])) continue;
            var view = files.At(i);
            VisibleFile database = default;
            var found = view.TryGet(InstalledPath, out database) || view.TryGet(UsrInstalledPath, out database);
            var content = found ? database.Content : null;
            if (content is not null && ReferenceEquals(content, lastContent)) continue; // the database did not change
            lastContent = content;
            path = found ? (view.TryGet(InstalledPath, out _) ? InstalledPath : UsrInstalledPath) : null;

            var next = new Dictionary<string, Attributed>(StringComparer.Ordinal);
            order = [];
            foreach (var entry in content is null ? [] : ApkInstalledParser.Parse(content))
            {
                if (next.ContainsKey(entry.Name)) continue; // a duplicated paragraph: keep the first
                var since = current.TryGetValue(entry.Name, out var previous) && previous.Entry.Version == entry.Version
                    ? previous.Layer
                    : i;
                next[entry.Name] = new Attributed(entry, since);
                order.Add(entry.Name);
            }
            current = next;
        }

        return order.Select(name =>
        {
            var (entry, layer) = current[name];
            return ToPackage(entry, path!, files.Layers[layer].Digest);
        }).ToList();
    }

    /// <summary>Whether a layer adds, replaces or removes anything that may change the apk database.</summary>
    private static bool Touches(LayerFiles layer) =>
        layer.Files.Keys.Any(IsApkPath)
        || layer.Symlinks.Keys.Any(IsApkPath)
        || layer.Whiteouts.Any(RemovalTouches)
        || layer.OpaqueDirectories.Any(RemovalTouches);

    private static bool IsApkPath(string path) => path == InstalledPath || path == UsrInstalledPath;

    /// <summary>A removed path touches apk when it is a database path or one of its ancestors.</summary>
    private static bool RemovalTouches(string removed)
    {
        removed = removed.Trim('/');
        if (removed.Length == 0) return true;
        return IsApkPath(removed)
            || InstalledPath.StartsWith(removed + "/", StringComparison.Ordinal)
            || UsrInstalledPath.StartsWith(removed + "/", StringComparison.Ordinal);
    }

    private static Package ToPackage(ApkEntry entry, string path, string layerDigest) => new()
    {
        Name = entry.Name,
        Version = entry.Version,
        Type = "apk",
        // apk builds every subpackage of an origin with the origin's version: the source version is the same.
        SourceName = entry.Origin,
        SourceVersion = entry.Version,
        Architecture = entry.Architecture,
        FilePath = path,
        LayerDigest = layerDigest,
    };
}
