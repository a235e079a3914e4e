using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace ImageScanning.HostileInput.Tests;

/// <summary>
/// Writes an OCI image layout directory (oci-layout, index.json, blobs/sha256/…) by hand, so that a test can put in it what
/// umoci or a registry would refuse to make: a descriptor that lies, a blob under the wrong name, thousands of layers.
/// </summary>
public sealed class OciLayout
{
    public const string Tag = "hostile";
    public const string LayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
    public const string ManifestType = "application/vnd.oci.image.manifest.v1+json";
    public const string IndexType = "application/vnd.oci.image.index.v1+json";

    public string Directory { get; }
    public string Target => $"oci:{Directory}:{Tag}";

    public OciLayout(string directory)
    {
        Directory = directory;
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "blobs", "sha256"));
        File.WriteAllText(Path.Combine(directory, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");
    }

    public static string DigestOf(byte[] content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));

    public static string DigestOfFile(string path)
    {
        using var stream = File.OpenRead(path);
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    public string BlobPath(string digest) => Path.Combine(Directory, "blobs", "sha256", digest["sha256:".Length..]);

    public JsonObject AddBlob(byte[] content, string mediaType)
    {
        var digest = DigestOf(content);
        File.WriteAllBytes(BlobPath(digest), content);
        return Descriptor(mediaType, digest, content.Length);
    }

    /// <summary>Moves a file written elsewhere (a large layer) into the blobs under its digest.</summary>
    public JsonObject AddBlobFile(string path, string mediaType = LayerGzip)
    {
        var digest = DigestOfFile(path);
        var length = new FileInfo(path).Length;
        File.Move(path, BlobPath(digest), overwrite: true);
        return Descriptor(mediaType, digest, length);
    }

    public static JsonObject Descriptor(string mediaType, string digest, long size) =>
        new() { ["mediaType"] = mediaType, ["digest"] = digest, ["size"] = size };

    public JsonObject AddConfig() => AddBlob(Encoding.UTF8.GetBytes(
        """{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"config":{}}"""), "application/vnd.oci.image.config.v1+json");

    /// <summary>A manifest of <paramref name="layers"/> (descriptors as made by the Add methods, or by hand).</summary>
    public JsonObject AddManifest(IEnumerable<JsonObject> layers)
    {
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2, ["mediaType"] = ManifestType, ["config"] = AddConfig(),
            ["layers"] = new JsonArray(layers.Select(l => (JsonNode)l.DeepClone()).ToArray()),
        };
        return AddBlob(Encoding.UTF8.GetBytes(manifest.ToJsonString()), ManifestType);
    }

    /// <summary>index.json, naming <paramref name="image"/> with <see cref="Tag"/>.</summary>
    public OciLayout Tagged(JsonObject image)
    {
        var entry = (JsonObject)image.DeepClone();
        entry["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = Tag };
        var index = new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = IndexType, ["manifests"] = new JsonArray(entry) };
        File.WriteAllText(Path.Combine(Directory, "index.json"), index.ToJsonString());
        return this;
    }

    /// <summary>An image of the given gzip layers, tagged.</summary>
    public OciLayout WithImage(params byte[][] gzipLayers) => Tagged(AddManifest(gzipLayers.Select(l => AddBlob(l, LayerGzip)).ToList()));
}
