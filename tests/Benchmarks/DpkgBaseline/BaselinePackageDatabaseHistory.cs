using ImageScanning.ScanEngine.Model;

namespace ImageScanning.Benchmarks.DpkgBaseline;

/// <summary>
/// BASELINE, not used by the engine: PackageDatabaseHistory as of commit 0485b94 (a map of (entry, path, layer) tuples grown
/// from empty, an order list of keys and a record per entry), kept so --dpkg-memory measures the rework against it in one run.
/// One OS package database (dpkg status, apk installed, rpmdb) followed down the layer stack: the entries
/// the final image holds, each with the layer from which it has been present, unchanged, ever since —
/// the layer that added that version. Every OS finder attributes its packages this way.
/// </summary>
public static class BaselinePackageDatabaseHistory
{
    public sealed record Attributed<T>(T Entry, string DatabasePath, string LayerDigest);

    /// <param name="databasePaths">Where the database may live; a layer touching none of them cannot change it.</param>
    /// <param name="locate">The database visible in a view, when several paths hold one.</param>
    /// <param name="parse">The database's entries; the first of duplicated keys wins.</param>
    /// <param name="key">What identifies an entry across layers (name, architecture, ...).</param>
    /// <param name="version">An entry whose version changes is attributed to the layer that changed it.</param>
    public static IReadOnlyList<Attributed<T>> Attribute<T, TKey>(
        ImageFiles files,
        IReadOnlyCollection<string> databasePaths,
        Func<FileView, VisibleFile?> locate,
        Func<VisibleFile, IEnumerable<T>> parse,
        Func<T, TKey> key,
        Func<T, string> version)
        where TKey : notnull
    {
        var current = new Dictionary<TKey, (T Entry, string Path, int Layer)>();
        var order = new List<TKey>();
        byte[]? lastContent = null;
        // A database reached through a symlink may change through its target, anywhere: then look at every layer.
        var linked = files.Layers.Any(l => l.Symlinks.Keys.Any(databasePaths.Contains));

        for (var i = 0; i < files.Layers.Count; i++)
        {
            if (!linked && !PackageDatabaseHistory.Touches(files.Layers[i], databasePaths)) continue;
            var database = locate(files.At(i));
            if (database is { } unchanged && ReferenceEquals(unchanged.Content, lastContent)) continue;
            lastContent = database?.Content;

            var next = new Dictionary<TKey, (T Entry, string Path, int Layer)>();
            order = [];
            foreach (var entry in database is { } db ? parse(db) : [])
            {
                var k = key(entry);
                if (next.ContainsKey(k)) continue;
                var since = current.TryGetValue(k, out var previous) && version(previous.Entry) == version(entry) ? previous.Layer : i;
                next[k] = (entry, database!.Value.Path, since);
                order.Add(k);
            }
            current = next;
        }

        return order.Select(k => current[k]).Select(a => new Attributed<T>(a.Entry, a.Path, files.Layers[a.Layer].Digest)).ToList();
    }
}
