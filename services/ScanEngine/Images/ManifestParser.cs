using System.Text.Json;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Images;

/// <summary>Parses OCI and Docker v2 manifests and indexes; refuses schema 1 and anything unknown.</summary>
internal static class ManifestParser
{
    public static ImageManifest Parse(byte[] body, string? contentType, string digest, string what)
    {
        JsonDocument json;
        try
        {
            json = UntrustedJson.Parse(body, new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException e)
        {
            throw new ScanException(ScanFailureKind.UnsupportedImage, $"The {what} is not valid JSON.", e);
        }
        using (json)
        {
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new ScanException(ScanFailureKind.UnsupportedImage, $"The {what} is not a JSON object.");

            var declared = String(root, "mediaType");
            var schemaVersion = root.TryGetProperty("schemaVersion", out var sv) && sv.ValueKind == JsonValueKind.Number && sv.TryGetInt32(out var v) ? v : (int?)null;
            if (schemaVersion == 1 || declared is MediaTypes.DockerSchema1 or MediaTypes.DockerSchema1Signed
                || contentType is MediaTypes.DockerSchema1 or MediaTypes.DockerSchema1Signed)
                throw new ScanException(ScanFailureKind.UnsupportedMediaType, $"The {what} is a Docker schema 1 manifest, which is deprecated and not supported; push the image again with a current client.");

            var mediaType = declared
                ?? (contentType is not null && (MediaTypes.IsIndex(contentType) || MediaTypes.IsImageManifest(contentType)) ? contentType : null)
                ?? (root.TryGetProperty("manifests", out _) ? MediaTypes.OciIndex
                    : root.TryGetProperty("config", out _) && root.TryGetProperty("layers", out _) ? MediaTypes.OciManifest
                    : null);
            if (mediaType is null || schemaVersion != 2 || !(MediaTypes.IsIndex(mediaType) || MediaTypes.IsImageManifest(mediaType)))
                throw new ScanException(ScanFailureKind.UnsupportedMediaType,
                    $"The {what} has media type '{Digests.Printable(mediaType ?? contentType ?? "none")}' (schemaVersion {schemaVersion?.ToString() ?? "none"}); only OCI and Docker v2 manifests and indexes are supported.");

            var memory = (ReadOnlyMemory<byte>)body;
            if (MediaTypes.IsIndex(mediaType))
            {
                var manifests = Array(root, "manifests", what).Select(m => new PlatformManifest(Descriptor(m, what), PlatformOf(m))).ToList();
                return new ImageManifest { Digest = digest, MediaType = mediaType, Raw = memory, Manifests = manifests, ArtifactType = String(root, "artifactType") };
            }

            if (!root.TryGetProperty("config", out var config) || config.ValueKind != JsonValueKind.Object)
                throw new ScanException(ScanFailureKind.UnsupportedImage, $"The {what} has no config descriptor.");
            return new ImageManifest
            {
                Digest = digest,
                MediaType = mediaType,
                Raw = memory,
                Config = Descriptor(config, what),
                Layers = Array(root, "layers", what).Select(l => Descriptor(l, what)).ToList(),
                ArtifactType = String(root, "artifactType"),
            };
        }
    }

    private static IEnumerable<JsonElement> Array(JsonElement root, string name, string what)
    {
        if (!root.TryGetProperty(name, out var array)) return [];
        if (array.ValueKind == JsonValueKind.Null) return [];
        if (array.ValueKind != JsonValueKind.Array)
            throw new ScanException(ScanFailureKind.UnsupportedImage, $"The {what} has a '{name}' that is not an array.");
        return array.EnumerateArray().ToList();
    }

    private static Descriptor Descriptor(JsonElement element, string what)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw new ScanException(ScanFailureKind.UnsupportedImage, $"The {what} has a descriptor that is not an object.");
        var mediaType = String(element, "mediaType") ?? "";
        var digest = String(element, "digest");
        if (digest is null || !Digests.IsDigest(digest))
            throw new ScanException(ScanFailureKind.UnsupportedImage, $"The {what} has a descriptor with an invalid digest '{Digests.Printable(digest ?? "")}'.");
        if (!element.TryGetProperty("size", out var s) || s.ValueKind != JsonValueKind.Number || !s.TryGetInt64(out var size) || size < 0)
            throw new ScanException(ScanFailureKind.UnsupportedImage, $"The {what} has a descriptor for {digest} without a valid size.");
        return new Descriptor(mediaType, digest, size);
    }

    private static Platform? PlatformOf(JsonElement element)
    {
        if (!element.TryGetProperty("platform", out var p) || p.ValueKind != JsonValueKind.Object) return null;
        return new Platform(String(p, "os") ?? "", String(p, "architecture") ?? "", String(p, "variant"));
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
