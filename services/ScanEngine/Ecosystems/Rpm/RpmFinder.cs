using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Ecosystems.Rpm;

/// <summary>
/// Finds rpm packages in the package database of an image: SQLite <c>rpmdb.sqlite</c>, ndb
/// <c>Packages.db</c> or Berkeley DB <c>Packages</c>, under <c>var/lib/rpm/</c> or <c>usr/lib/sysimage/rpm/</c>.
/// <para>
/// When several databases are visible (an image converted from one backend to another keeps the old file),
/// the one written by the most recent layer is the live one; on a tie, SQLite, then ndb, then Berkeley DB.
/// Each package (name, architecture, epoch:version-release) is attributed to the earliest layer from which it
/// was continuously installed up to the final view, found by re-reading the database as visible after every
/// layer that touches an rpm database path (after every layer, when a database path is a symlink).
/// gpg-pubkey entries (imported signing keys, not software) are left out.
/// </para>
/// <para>
/// A database that cannot be read is reported as a <see cref="ScanException"/> of kind
/// <see cref="ScanFailureKind.CorruptLayer"/> naming the file and the layer, never as a crash.
/// </para>
/// </summary>
public sealed class RpmFinder : IPackageFinder
{
    /// <summary>Database paths, most preferred first.</summary>
    public static IReadOnlyList<string> DatabasePaths { get; } =
    [
        "usr/lib/sysimage/rpm/rpmdb.sqlite", "var/lib/rpm/rpmdb.sqlite",
        "usr/lib/sysimage/rpm/Packages.db", "var/lib/rpm/Packages.db",
        "usr/lib/sysimage/rpm/Packages", "var/lib/rpm/Packages",
    ];

    private static readonly string[] Directories = ["var/lib/rpm", "usr/lib/sysimage/rpm"];

    public string Name => "rpm";
    public string Version => "1";

    public bool Wants(string path)
    {
        // Cheap checks first: this runs for every file of every layer.
        if (path.Length < 20 || !(path.EndsWith("Packages", StringComparison.Ordinal)
            || path.EndsWith("Packages.db", StringComparison.Ordinal) || path.EndsWith("rpmdb.sqlite", StringComparison.Ordinal)))
            return false;
        foreach (var candidate in DatabasePaths)
            if (path == candidate) return true;
        return false;
    }

    private readonly record struct Key(string Name, string? Architecture, string Evr);

    private sealed record Attributed(RpmHeader Header, string Path, int Layer);

    public IEnumerable<Package> Find(ImageFiles files, Distribution? distribution)
    {
        if (files.Layers.Count == 0) return [];
        var current = new Dictionary<Key, Attributed>();
        var order = new List<Key>();
        byte[]? lastContent = null;
        var linked = files.Layers.Any(l => l.Symlinks.Keys.Any(IsRpmPath));

        for (var i = 0; i < files.Layers.Count; i++)
        {
            if (!linked && !Touches(files.Layers[i])) continue;
            var database = LiveDatabase(files, files.At(i));
            if (database is { } d && ReferenceEquals(d.Content, lastContent)) continue; // unchanged database
            lastContent = database?.Content;

            var next = new Dictionary<Key, Attributed>();
            order = [];
            foreach (var header in database is { } db ? Read(db) : [])
            {
                if (header.Name == "gpg-pubkey") continue;
                var key = new Key(header.Name, header.Architecture, header.Evr);
                if (next.ContainsKey(key)) continue;
                var since = current.TryGetValue(key, out var previous) ? previous.Layer : i;
                next[key] = new Attributed(header, database!.Value.Path, since);
                order.Add(key);
            }
            current = next;
        }

        return order.Select(key => current[key]).Select(a => ToPackage(a.Header, a.Path, files.Layers[a.Layer].Digest)).ToList();
    }

    /// <summary>The database rpm would use in this view: the most recently written one, then by preference.</summary>
    private static VisibleFile? LiveDatabase(ImageFiles files, FileView view)
    {
        VisibleFile? best = null;
        var bestLayer = -1;
        foreach (var path in DatabasePaths)
        {
            if (!view.TryGet(path, out var file)) continue;
            var layer = LayerIndex(files, file.LayerDigest);
            if (layer > bestLayer) { best = file; bestLayer = layer; }
        }
        return best;
    }

    private static int LayerIndex(ImageFiles files, string digest)
    {
        for (var i = files.Layers.Count - 1; i >= 0; i--)
            if (files.Layers[i].Digest == digest) return i;
        return -1;
    }

    private static IReadOnlyList<RpmHeader> Read(VisibleFile database)
    {
        try
        {
            return RpmDatabase.ReadHeaders(database.Content);
        }
        catch (InvalidDataException e)
        {
            throw new ScanException(ScanFailureKind.CorruptLayer,
                $"The rpm database /{database.Path} in layer {database.LayerDigest} cannot be read: {e.Message}", e);
        }
    }

    private static bool IsRpmPath(string path) => DatabasePaths.Contains(path);

    /// <summary>Whether a layer adds, replaces or removes anything that may change the rpm database.</summary>
    private static bool Touches(LayerFiles layer) =>
        layer.Files.Keys.Any(IsRpmPath)
        || layer.Symlinks.Keys.Any(IsRpmPath)
        || layer.Whiteouts.Any(RemovalTouches)
        || layer.OpaqueDirectories.Any(RemovalTouches);

    /// <summary>A removed path touches rpm when it is a database path or one of its ancestors.</summary>
    private static bool RemovalTouches(string removed)
    {
        removed = removed.Trim('/');
        if (removed.Length == 0) return true;
        return IsRpmPath(removed) || Directories.Any(d => d == removed || d.StartsWith(removed + "/", StringComparison.Ordinal));
    }

    private static Package ToPackage(RpmHeader header, string path, string layerDigest) => new()
    {
        Name = header.Name,
        Version = header.Evr,
        Type = "rpm",
        SourceName = header.SourceName,
        SourceVersion = header.SourceEvr,
        Architecture = header.Architecture,
        FilePath = path,
        LayerDigest = layerDigest,
    };
}
