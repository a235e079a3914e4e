using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Images;

/// <summary>
/// Layer inventories by layer digest: a base layer shared by many images is streamed once. The key
/// also carries the scope (which finders wanted which files), so a BASIC read never serves an
/// ENHANCED one that wants more files.
/// </summary>
public interface ILayerCache
{
    bool TryGet(string scope, string layerDigest, out LayerFiles files);
    void Put(string scope, string layerDigest, LayerFiles files);
}

/// <summary>An in-process LRU bounded by the bytes of the files it keeps.</summary>
public sealed class MemoryLayerCache(long maxBytes = MemoryLayerCache.DefaultMaxBytes) : ILayerCache
{
    public const long DefaultMaxBytes = 256L * 1024 * 1024;

    private readonly Lock _gate = new();
    private readonly LinkedList<(string Key, LayerFiles Files, long Bytes)> _order = new();
    private readonly Dictionary<string, LinkedListNode<(string Key, LayerFiles Files, long Bytes)>> _entries = new(StringComparer.Ordinal);
    private long _bytes;

    public long Bytes { get { lock (_gate) return _bytes; } }
    public int Count { get { lock (_gate) return _entries.Count; } }

    public bool TryGet(string scope, string layerDigest, out LayerFiles files)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(Key(scope, layerDigest), out var node))
            {
                _order.Remove(node);
                _order.AddFirst(node);
                files = node.Value.Files;
                return true;
            }
        }
        files = null!;
        return false;
    }

    public void Put(string scope, string layerDigest, LayerFiles files)
    {
        var size = SizeOf(files);
        if (size > maxBytes) return; // one layer bigger than the whole cache: not worth evicting everything for it
        var key = Key(scope, layerDigest);
        lock (_gate)
        {
            if (_entries.Remove(key, out var existing))
            {
                _order.Remove(existing);
                _bytes -= existing.Value.Bytes;
            }
            _entries[key] = _order.AddFirst((key, files, size));
            _bytes += size;
            while (_bytes > maxBytes && _order.Last is { } oldest)
            {
                _order.RemoveLast();
                _entries.Remove(oldest.Value.Key);
                _bytes -= oldest.Value.Bytes;
            }
        }
    }

    private static string Key(string scope, string layerDigest) => scope + "\n" + layerDigest;

    private static long SizeOf(LayerFiles files) =>
        files.Files.Sum(f => (long)f.Value.Length + f.Key.Length * 2) +
        files.Symlinks.Sum(s => (long)(s.Key.Length + s.Value.Length) * 2) +
        files.Whiteouts.Sum(w => (long)w.Length * 2) + files.OpaqueDirectories.Sum(d => (long)d.Length * 2) + 256;
}
