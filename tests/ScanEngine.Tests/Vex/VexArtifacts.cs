using System.Text.Json;
using ImageScanning.ScanEngine.Images;
using ImageScanning.TestSupport;

namespace ImageScanning.ScanEngine.Tests.Vex;

/// <summary>One OCI 1.1 artifact manifest (empty config, one layer) referring to an image, as oras and cosign write them.</summary>
internal sealed record VexArtifact(byte[] Manifest, string Digest, string ArtifactType, byte[] Layer, IReadOnlyDictionary<string, string> Annotations)
{
    public const string EmptyMediaType = "application/vnd.oci.empty.v1+json";
    public static readonly byte[] EmptyConfig = "{}"u8.ToArray();

    public static VexArtifact Create(string artifactType, byte[] layer, string subjectDigest, long subjectSize, string created, string? predicateType = null)
    {
        var annotations = new Dictionary<string, string> { ["org.opencontainers.image.created"] = created };
        if (predicateType is not null) annotations["in-toto.io/predicate-type"] = predicateType;
        var manifest = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.OciManifest,
            ["artifactType"] = artifactType,
            ["config"] = new { mediaType = EmptyMediaType, digest = Digests.Sha256(EmptyConfig), size = EmptyConfig.Length },
            ["layers"] = new[] { new { mediaType = artifactType, digest = Digests.Sha256(layer), size = layer.Length } },
            ["subject"] = new { mediaType = MediaTypes.OciManifest, digest = subjectDigest, size = subjectSize },
            ["annotations"] = annotations,
        });
        return new VexArtifact(manifest, Digests.Sha256(manifest), artifactType, layer, annotations);
    }

    /// <summary>The referrers index listing these artifacts, as the referrers API answers and the tag-schema fallback stores it.</summary>
    public static byte[] Index(IEnumerable<VexArtifact> artifacts) => JsonSerializer.SerializeToUtf8Bytes(new
    {
        schemaVersion = 2,
        mediaType = MediaTypes.OciIndex,
        manifests = artifacts.Select(a => new { mediaType = MediaTypes.OciManifest, digest = a.Digest, size = a.Manifest.Length, artifactType = a.ArtifactType, annotations = a.Annotations }),
    });

    /// <summary>Pushes the artifact to a real registry with the distribution API (blob uploads and a manifest PUT by digest).</summary>
    public async Task PushAsync(RegistryServer registry, string repository)
    {
        await TestImages.PushBlobAsync(registry, repository, EmptyConfig);
        await TestImages.PushBlobAsync(registry, repository, Layer);
        await TestImages.PutManifestAsync(registry, repository, Digest, MediaTypes.OciManifest, Manifest);
    }
}
