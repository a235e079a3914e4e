namespace ImageScanning.ScanEngine.Model;

/// <summary>
/// The files one layer added or changed, restricted to the paths some finder wants, plus the
/// deletions (whiteouts) it made. Paths are relative to the root, '/'-separated, no leading '/'.
/// </summary>
public sealed class LayerFiles
{
    public required string Digest { get; init; }
    public IReadOnlyDictionary<string, byte[]> Files { get; init; } = new Dictionary<string, byte[]>();

    /// <summary>Symbolic links to wanted paths: link path to target as written in the tar header.</summary>
    public IReadOnlyDictionary<string, string> Symlinks { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Hard links at wanted paths whose target is not in this layer (link path to the target's root-relative path): in the
    /// unpacked image they name a lower layer's file, so they take its content as it is when this layer is applied.
    /// </summary>
    public IReadOnlyDictionary<string, string> HardLinks { get; init; } = new Dictionary<string, string>();

    /// <summary>Paths a ".wh.NAME" entry removed (files or whole directories).</summary>
    public IReadOnlyList<string> Whiteouts { get; init; } = [];

    /// <summary>Directories a ".wh..wh..opq" entry emptied of everything below it from lower layers.</summary>
    public IReadOnlyList<string> OpaqueDirectories { get; init; } = [];

    /// <summary>The same files under another digest (a local layer's, known only once its bytes have been read and hashed).</summary>
    public LayerFiles WithDigest(string digest) => new()
    {
        Digest = digest, Files = Files, Symlinks = Symlinks, HardLinks = HardLinks, Whiteouts = Whiteouts, OpaqueDirectories = OpaqueDirectories,
    };
}

/// <summary>A wanted file as visible at some point of the layer stack.</summary>
public readonly record struct VisibleFile(string Path, byte[] Content, string LayerDigest);

/// <summary>The wanted files of an image, layer by layer, with overlay semantics.</summary>
public sealed class ImageFiles(IReadOnlyList<LayerFiles> layers)
{
    public IReadOnlyList<LayerFiles> Layers { get; } = layers;

    /// <summary>The files visible after the whole stack is applied.</summary>
    public FileView Final => At(Layers.Count - 1);

    /// <summary>The files visible after layers 0..index are applied.</summary>
    public FileView At(int index)
    {
        var files = new Dictionary<string, VisibleFile>(StringComparer.Ordinal);
        var links = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i <= index && i < Layers.Count; i++)
        {
            var layer = Layers[i];
            foreach (var dir in layer.OpaqueDirectories) { RemoveUnder(files, dir); RemoveUnder(links, dir); }
            foreach (var gone in layer.Whiteouts) { RemovePathOrUnder(files, gone); RemovePathOrUnder(links, gone); }
            foreach (var (path, content) in layer.Files)
            {
                links.Remove(path);
                files[path] = new VisibleFile(path, content, layer.Digest);
            }
            foreach (var (path, target) in layer.Symlinks)
            {
                files.Remove(path);
                links[path] = target;
            }
            // A hard link is a second name of the lower file, not a pointer: it keeps that content even if a later layer
            // deletes or replaces the target.
            foreach (var (path, target) in layer.HardLinks)
            {
                if (files.TryGetValue(target, out var lower))
                {
                    links.Remove(path);
                    files[path] = new VisibleFile(path, lower.Content, layer.Digest);
                }
                else if (links.TryGetValue(target, out var linkTarget))
                {
                    files.Remove(path);
                    links[path] = linkTarget;
                }
            }
        }
        return new FileView(files, links);
    }

    private static void RemovePathOrUnder<T>(Dictionary<string, T> map, string path)
    {
        map.Remove(path);
        RemoveUnder(map, path);
    }

    private static void RemoveUnder<T>(Dictionary<string, T> map, string dir)
    {
        var prefix = dir.Length == 0 ? "" : dir.TrimEnd('/') + "/";
        foreach (var key in map.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList())
            map.Remove(key);
    }
}

/// <summary>A read-only view of the wanted files at one point of the layer stack; resolves symlinks.</summary>
public sealed class FileView(IReadOnlyDictionary<string, VisibleFile> files, IReadOnlyDictionary<string, string> symlinks)
{
    private const int MaxLinkDepth = 16;

    public IEnumerable<VisibleFile> All => files.Values;

    public bool TryGet(string path, out VisibleFile file)
    {
        for (var depth = 0; depth < MaxLinkDepth; depth++)
        {
            if (files.TryGetValue(path, out file)) return true;
            if (!symlinks.TryGetValue(path, out var target)) break;
            path = ResolveLink(path, target);
        }
        file = default;
        return false;
    }

    /// <summary>Files directly or indirectly under a directory, e.g. "var/lib/dpkg/status.d".</summary>
    public IEnumerable<VisibleFile> Under(string directory)
    {
        var prefix = directory.TrimEnd('/') + "/";
        return files.Values.Where(f => f.Path.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(f => f.Path, StringComparer.Ordinal);
    }

    /// <summary>Resolves a link target relative to the link's directory, never escaping the root.</summary>
    public static string ResolveLink(string linkPath, string target)
    {
        var parts = new List<string>();
        if (!target.StartsWith('/'))
        {
            var slash = linkPath.LastIndexOf('/');
            if (slash > 0) parts.AddRange(linkPath[..slash].Split('/'));
        }
        foreach (var part in target.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            if (part == "..") { if (parts.Count > 0) parts.RemoveAt(parts.Count - 1); continue; }
            parts.Add(part);
        }
        return string.Join('/', parts);
    }
}
