using System.Text.Json;
using ImageScanning.ScanEngine.Model;
using Microsoft.Extensions.Logging;

namespace ImageScanning.ScanEngine.Images;

/// <summary>One layer of a read image: its descriptor and what reading it took.</summary>
public sealed record ImageLayer(string Digest, string MediaType, long Size, LayerReadStats Stats);

/// <summary>An image as read from its registry: identity, platform, layers and the wanted files.</summary>
public sealed class ImageReadResult
{
    public required string Registry { get; init; }
    public required string Repository { get; init; }

    /// <summary>The tag or digest the caller asked for.</summary>
    public required string Reference { get; init; }

    public required string ManifestDigest { get; init; }
    public required string ManifestMediaType { get; init; }
    public required string ConfigDigest { get; init; }
    public required string Os { get; init; }
    public required string Architecture { get; init; }
    public string? Variant { get; init; }

    /// <summary>The layers, base first, in manifest order.</summary>
    public required IReadOnlyList<ImageLayer> Layers { get; init; }

    public required ImageFiles Files { get; init; }

    /// <summary>Bytes transferred for the layers (compressed) and unpacked from them.</summary>
    public long CompressedBytesRead => Layers.Sum(l => l.Stats.CompressedBytes);
    public long UncompressedBytesRead => Layers.Sum(l => l.Stats.UncompressedBytes);
}

/// <summary>
/// Reads an image from a configured registry: manifest, config, then each layer in order, streamed
/// through <see cref="LayerReader"/>. Indexes and non-image artifacts fail as UnsupportedImage.
/// </summary>
public sealed class ImageReader(
    IRegistryClientFactory registries, LayerReader layerReader, LayerLimits limits, ImageLimits imageLimits, ILogger<ImageReader> logger, ILayerCache? cache = null)
{
    /// <summary>Largest image config accepted.</summary>
    public const int MaxConfigBytes = 8 * 1024 * 1024;

    /// <param name="cacheScope">
    /// Names what <paramref name="wants"/> selects (e.g. the finders and their versions); layers read under the
    /// same scope are taken from the layer cache by digest instead of being fetched again. Null: no caching.
    /// </param>
    /// <param name="sniffer">Optional: also keeps files recognised by content (executables); see <see cref="LayerReader"/>.</param>
    /// <param name="progress">Optional: told how far each layer's download has got (the CLI's progress bar).</param>
    public async Task<ImageReadResult> ReadAsync(
        string registry, string repository, string reference, Func<string, bool> wants, CancellationToken ct, string? cacheScope = null,
        IContentSniffer? sniffer = null, IProgress<LayerProgress>? progress = null)
    {
        var client = registries.For(registry);
        var manifest = await client.GetManifestAsync(repository, reference, ct);
        var image = $"{repository}@{manifest.Digest}";

        if (manifest.IsIndex)
        {
            var platforms = manifest.Manifests.Count == 0 ? "none"
                : string.Join(", ", manifest.Manifests.Take(20).Select(m => $"{m.Platform?.ToString() ?? "unknown platform"} {m.Descriptor.Digest}"));
            throw new ScanException(ScanFailureKind.UnsupportedImage,
                $"{repository}:{reference} in registry '{registry}' is a multi-platform image index ({manifest.MediaType}); scan the per-platform digest instead. Platforms: {platforms}.");
        }

        var config = manifest.Config!;
        if (!MediaTypes.IsImageConfig(config.MediaType))
            throw new ScanException(ScanFailureKind.UnsupportedImage,
                $"{image} is not a container image: its config has media type '{Digests.Printable(config.MediaType)}'{(manifest.ArtifactType is null ? "" : $" (artifact type '{Digests.Printable(manifest.ArtifactType)}')")}.");
        if (manifest.Layers.Count == 0)
            throw new ScanException(ScanFailureKind.UnsupportedImage, $"{image} has no layers.");
        // Refuse too many layers and unknown layer types before downloading anything.
        var budget = new ImageBudget(imageLimits, image);
        budget.CheckLayers(manifest.Layers.Count);
        foreach (var layer in manifest.Layers) LayerReader.RequireSupported(layer.MediaType, layer.Digest);

        if (config.Size > MaxConfigBytes)
            throw new ScanException(ScanFailureKind.UnsupportedImage, $"The config of {image} is {config.Size} bytes, more than {MaxConfigBytes}.");
        var configBytes = await client.GetBlobAsync(repository, config.Digest, MaxConfigBytes, ct);
        var (os, architecture, variant) = ParseConfig(configBytes, image);

        var files = new List<LayerFiles>(manifest.Layers.Count);
        var layers = new List<ImageLayer>(manifest.Layers.Count);
        for (var index = 0; index < manifest.Layers.Count; index++)
        {
            var layer = manifest.Layers[index];
            if (cacheScope is not null && cache is not null && cache.TryGet(cacheScope, layer.Digest, out var cached))
            {
                budget.KeepCached(cached);
                files.Add(cached);
                layers.Add(new ImageLayer(layer.Digest, layer.MediaType, layer.Size, new LayerReadStats { FromCache = true, KeptFiles = cached.Files.Count }));
                continue;
            }
            await using var blob = ProgressReportingStream.Wrap(await client.OpenBlobAsync(repository, layer.Digest, layer.Size, ct),
                progress, index + 1, manifest.Layers.Count, layer.Digest, layer.Size);
            var read = await layerReader.ReadWithStatsAsync(blob, layer.MediaType, layer.Digest, wants, limits, ct, sniffer, budget);
            files.Add(read.Files);
            if (cacheScope is not null) cache?.Put(cacheScope, layer.Digest, read.Files);
            layers.Add(new ImageLayer(layer.Digest, layer.MediaType, layer.Size, read.Stats));
            logger.LogDebug("Read layer {Digest} of {Image}: {Compressed} bytes, {Uncompressed} unpacked, {Kept} files kept",
                layer.Digest, image, read.Stats.CompressedBytes, read.Stats.UncompressedBytes, read.Stats.KeptFiles);
        }

        return new ImageReadResult
        {
            Registry = registry,
            Repository = repository,
            Reference = reference,
            ManifestDigest = manifest.Digest,
            ManifestMediaType = manifest.MediaType,
            ConfigDigest = config.Digest,
            Os = os,
            Architecture = architecture,
            Variant = variant,
            Layers = layers,
            Files = new ImageFiles(files),
        };
    }

    /// <summary>
    /// The digest of the image to scan for a reference: the manifest itself, or, when it is an image index,
    /// the manifest of the requested platform (e.g. "linux/amd64"; attestation entries never match).
    /// </summary>
    public async Task<string> ResolvePlatformAsync(string registry, string repository, string reference, string platform, CancellationToken ct)
    {
        var manifest = await registries.For(registry).GetManifestAsync(repository, reference, ct);
        if (!manifest.IsIndex) return manifest.Digest;
        var match = manifest.Manifests.FirstOrDefault(m => m.Platform is { } p && p.ToString().StartsWith(platform, StringComparison.Ordinal));
        return match?.Descriptor.Digest ?? throw new ScanException(ScanFailureKind.UnsupportedImage,
            $"{repository}@{manifest.Digest} is an image index without a {platform} image; it has: " +
            string.Join(", ", manifest.Manifests.Select(m => m.Platform?.ToString() ?? m.Descriptor.Digest)) + ".");
    }

    private static (string Os, string Architecture, string? Variant) ParseConfig(byte[] config, string image)
    {
        try
        {
            using var json = UntrustedJson.Parse(config, new JsonDocumentOptions { MaxDepth = 64 });
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new ScanException(ScanFailureKind.UnsupportedImage, $"The config of {image} is not a JSON object.");
            string? Text(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            return (Text("os") ?? "", Text("architecture") ?? "", Text("variant"));
        }
        catch (JsonException e)
        {
            throw new ScanException(ScanFailureKind.UnsupportedImage, $"The config of {image} is not valid JSON.", e);
        }
    }
}
