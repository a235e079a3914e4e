using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Images;

/// <summary>
/// Bounds on one image over all its layers, on top of each layer's <see cref="LayerLimits"/>, so an image of many layers cannot
/// add up to what no single layer may hold. The time bound is the scan's own deadline (Scanning:ScanTimeout in the scanners).
/// Bound from Scanning:ImageLimits:* in the scanners.
/// </summary>
public sealed record ImageLimits
{
    /// <summary>Layers in one manifest, checked before any blob is fetched; registries refuse far fewer (Docker Hub 127).</summary>
    public int MaxLayers { get; init; } = 1_000;

    /// <summary>Bytes of files kept in memory from all layers together.</summary>
    public long MaxKeptBytes { get; init; } = 1024L * 1024 * 1024;

    /// <summary>Tar entries of any type over all layers together.</summary>
    public long MaxEntries { get; init; } = 10_000_000;

    public static ImageLimits Default { get; } = new();

    /// <summary>A description of what is wrong with the settings, or null when they are usable.</summary>
    public string? Problem() =>
        MaxLayers < 1 ? $"Scanning:ImageLimits:MaxLayers must be at least 1, not {MaxLayers}."
        : MaxKeptBytes < 0 ? $"Scanning:ImageLimits:MaxKeptBytes must not be negative, not {MaxKeptBytes}."
        : MaxEntries < 1 ? $"Scanning:ImageLimits:MaxEntries must be at least 1, not {MaxEntries}."
        : null;
}

/// <summary>What one image has spent of its <see cref="ImageLimits"/> so far, while its layers are read one after another.</summary>
public sealed class ImageBudget(ImageLimits limits, string image)
{
    private long _entries;
    private long _keptBytes;

    public long Entries => _entries;
    public long KeptBytes => _keptBytes;

    /// <summary>Refuses a manifest with more layers than allowed, before anything is fetched.</summary>
    public void CheckLayers(int layers)
    {
        if (layers > limits.MaxLayers)
            throw new ScanException(ScanFailureKind.UnsupportedImage,
                $"{image} has {layers} layers, more than the {limits.MaxLayers} allowed for one image (limit ImageLimits.MaxLayers).");
    }

    public void AddEntry(string layer)
    {
        if (++_entries > limits.MaxEntries)
            throw new ScanException(ScanFailureKind.LayerTooLarge,
                $"{image} has more than {limits.MaxEntries} tar entries over all its layers, reached in layer {layer} (limit ImageLimits.MaxEntries).");
    }

    /// <summary>Counts a wanted file kept in memory; throws when the image's kept bytes would pass the limit.</summary>
    public void Keep(string layer, string path, long bytes)
    {
        if (!TryKeep(bytes))
            throw new ScanException(ScanFailureKind.LayerTooLarge,
                $"{image} holds more than {limits.MaxKeptBytes} bytes of wanted files over all its layers, reached at {path} in layer {layer} (limit ImageLimits.MaxKeptBytes).");
    }

    /// <summary>Counts bytes kept when they fit; false (nothing counted) when they would pass the limit.</summary>
    public bool TryKeep(long bytes)
    {
        if (_keptBytes + bytes > limits.MaxKeptBytes) return false;
        _keptBytes += bytes;
        return true;
    }

    /// <summary>Counts a layer's files taken from the layer cache, which are held in memory for this image as well.</summary>
    public void KeepCached(LayerFiles layer)
    {
        foreach (var (path, content) in layer.Files) Keep(layer.Digest, path, content.Length);
    }
}
