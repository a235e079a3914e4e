using ImageScanning.ScanEngine.Ecosystems.RedHat;
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
/// Each package carries its VENDOR and MODULARITYLABEL tags, and, in Red Hat built images, the content sets (source
/// repositories) of its layer from <c>root/buildinfo/content_manifests/*.json</c> (<see cref="RedHatContentManifests"/>):
/// the rpm database does not say which repository a package came from, and Red Hat files advisories per repository.
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
    public string DatabaseLocation => "var/lib/rpm";
    public string Version => "2";

    public bool Wants(string path)
    {
        if (RedHatContentManifests.Wants(path)) return true;
        // Cheap checks first: this runs for every file of every layer.
        if (path.Length < 20 || !(path.EndsWith("Packages", StringComparison.Ordinal)
            || path.EndsWith("Packages.db", StringComparison.Ordinal) || path.EndsWith("rpmdb.sqlite", StringComparison.Ordinal)))
            return false;
        foreach (var candidate in DatabasePaths)
            if (path == candidate) return true;
        return false;
    }

    public IEnumerable<Package> Find(ImageFiles files, Distribution? distribution)
    {
        var contentSets = RedHatContentManifests.ByLayer(files);
        return PackageDatabaseHistory.Attribute(
                files, DatabasePaths,
                view => LiveDatabase(files, view),
                database => Read(database).Where(h => h.Name != "gpg-pubkey"), // imported signing keys are not packages
                header => (header.Name, header.Architecture, header.Evr),
                _ => "")
            .Select(a => ToPackage(a.Entry, a.DatabasePath, a.LayerDigest, contentSets.For(a.LayerDigest)))
            .ToList();
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

    private static Package ToPackage(RpmHeader header, string path, string layerDigest, IReadOnlyList<string>? contentSets) => new()
    {
        Name = header.Name,
        Version = header.Evr,
        Type = PackageType.Rpm.Id,
        SourceName = header.SourceName,
        SourceVersion = header.SourceEvr,
        Architecture = header.Architecture,
        Vendor = header.Vendor,
        ModularityLabel = header.ModularityLabel,
        ContentSets = contentSets,
        FilePath = path,
        LayerDigest = layerDigest,
    };
}
