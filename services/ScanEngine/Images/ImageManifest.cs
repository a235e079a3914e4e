namespace ImageScanning.ScanEngine.Images;

/// <summary>A content descriptor: what a manifest says about one blob or manifest it points to.</summary>
public sealed record Descriptor(string MediaType, string Digest, long Size);

/// <summary>The platform an index entry was built for.</summary>
public sealed record Platform(string Os, string Architecture, string? Variant)
{
    public override string ToString() => Variant is null ? $"{Os}/{Architecture}" : $"{Os}/{Architecture}/{Variant}";
}

/// <summary>One entry of an image index (manifest list).</summary>
public sealed record PlatformManifest(Descriptor Descriptor, Platform? Platform);

/// <summary>
/// A manifest as fetched from a registry: either an image manifest (config and layers) or an index
/// (a list of per-platform manifests). <see cref="Digest"/> is the sha256 of the bytes received.
/// </summary>
public sealed class ImageManifest
{
    public required string Digest { get; init; }
    public required string MediaType { get; init; }

    /// <summary>The manifest exactly as the registry sent it (its digest is <see cref="Digest"/>).</summary>
    public required ReadOnlyMemory<byte> Raw { get; init; }

    /// <summary>True for an OCI image index or a Docker manifest list: see <see cref="Manifests"/>.</summary>
    public bool IsIndex => MediaTypes.IsIndex(MediaType);

    /// <summary>The image configuration blob; null for an index.</summary>
    public Descriptor? Config { get; init; }

    /// <summary>The layers, base first; empty for an index.</summary>
    public IReadOnlyList<Descriptor> Layers { get; init; } = [];

    /// <summary>The per-platform manifests of an index; empty for an image manifest.</summary>
    public IReadOnlyList<PlatformManifest> Manifests { get; init; } = [];

    /// <summary>OCI 1.1 artifactType, when the manifest declares one.</summary>
    public string? ArtifactType { get; init; }
}
