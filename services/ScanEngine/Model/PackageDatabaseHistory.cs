namespace ImageScanning.ScanEngine.Model;

/// <summary>
/// One OS package database (dpkg status, apk installed, rpmdb) followed down the layer stack: the entries
/// the final image holds, each with the layer from which it has been present, unchanged, ever since —
/// the layer that added that version. Every OS finder attributes its packages this way.
/// </summary>
/// <remarks>
/// Per layer step that rewrites the database it holds the step's parsed entries and one map, presized to them, from key to
/// (index of the key's first entry, layer since): no per-entry allocation, no order list (the final entries are reported in
/// their database's order, each at its key's first index). Only the previous step's entries and map are alive beside the
/// current step's; for a 400,000-package dpkg status rewritten by a later layer that is what bounds the peak.
/// </remarks>
public static class PackageDatabaseHistory
{
    public readonly record struct Attributed<T>(T Entry, string DatabasePath, string LayerDigest);

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
        var current = Step<T, TKey>.Empty;
        byte[]? lastContent = null;
        // A database reached through a symlink may change through its target, anywhere: then look at every layer.
        var linked = files.Layers.Any(l => l.Symlinks.Keys.Any(databasePaths.Contains));

        for (var i = 0; i < files.Layers.Count; i++)
        {
            if (!linked && !Touches(files.Layers[i], databasePaths)) continue;
            var database = locate(files.At(i));
            if (database is { } unchanged && ReferenceEquals(unchanged.Content, lastContent)) continue;
            lastContent = database?.Content;
            if (database is not { } db)
            {
                current = Step<T, TKey>.Empty;
                continue;
            }

            var parsed = parse(db);
            var entries = parsed as IReadOnlyList<T> ?? parsed.ToList();
            var first = new Dictionary<TKey, (int Index, int Since)>(entries.Count);
            for (var e = 0; e < entries.Count; e++)
            {
                var entry = entries[e];
                var k = key(entry);
                if (first.ContainsKey(k)) continue;
                var since = current.First.TryGetValue(k, out var previous) && version(current.Entries[previous.Index]) == version(entry) ? previous.Since : i;
                first.Add(k, (e, since));
            }
            current = new Step<T, TKey>(entries, first, db.Path);
        }

        var attributed = new List<Attributed<T>>(current.First.Count);
        for (var e = 0; e < current.Entries.Count; e++)
        {
            var entry = current.Entries[e];
            var (index, since) = current.First[key(entry)];
            if (index == e) attributed.Add(new Attributed<T>(entry, current.Path, files.Layers[since].Digest));
        }
        return attributed;
    }

    /// <summary>One rewrite of the database: its entries in order, and each key's first entry and the layer it has been there since.</summary>
    private sealed record Step<T, TKey>(IReadOnlyList<T> Entries, Dictionary<TKey, (int Index, int Since)> First, string Path)
        where TKey : notnull
    {
        public static readonly Step<T, TKey> Empty = new([], [], "");
    }

    /// <summary>Whether a layer adds, replaces or removes anything at or above one of the database paths.</summary>
    public static bool Touches(LayerFiles layer, IReadOnlyCollection<string> databasePaths) =>
        layer.Files.Keys.Any(databasePaths.Contains)
        || layer.Symlinks.Keys.Any(databasePaths.Contains)
        || layer.Whiteouts.Any(r => RemovalTouches(r, databasePaths))
        || layer.OpaqueDirectories.Any(r => RemovalTouches(r, databasePaths));

    private static bool RemovalTouches(string removed, IReadOnlyCollection<string> databasePaths)
    {
        removed = removed.Trim('/');
        return removed.Length == 0 || databasePaths.Any(p => p == removed || p.StartsWith(removed + "/", StringComparison.Ordinal));
    }
}
