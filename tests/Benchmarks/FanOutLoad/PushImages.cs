using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ImageScanning.TestSupport;

namespace ImageScanning.Benchmarks.FanOutLoad;

public sealed record PushImage(string Repository, string Tag, string Digest);

/// <summary>
/// Distinct single-layer OCI images in a real docker-registry, for the push stream: the Debian 12 dpkg status and the trivy-happy npm
/// lock file from the corpus, plus a file unique to each image, so every push scan pulls and inventories a layer no cache holds.
/// </summary>
public static class PushImages
{
    public const string ManifestMediaType = "application/vnd.oci.image.manifest.v1+json";

    public static async Task<IReadOnlyList<PushImage>> PushAsync(RegistryServer registry, string workDirectory, int count)
    {
        var root = Path.Combine(workDirectory, "push-root");
        LoadInventories.WriteRoot(root, LoadInventories.OperatingSystems[0], "npm/trivy-happy");
        var images = new List<PushImage>(count);
        for (var i = 0; i < count; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(root, "etc", "build-id"), $"push-{i}-{Guid.NewGuid():N}\n");
            using var tar = new MemoryStream();
            await TarFile.CreateFromDirectoryAsync(root, tar, includeBaseDirectory: false);
            var diffId = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(tar.ToArray()));
            using var gzip = new MemoryStream();
            await using (var compressor = new GZipStream(gzip, CompressionLevel.Fastest, leaveOpen: true)) { tar.Position = 0; await tar.CopyToAsync(compressor); }
            var layer = gzip.ToArray();

            var repository = $"push/app{i % 20}";
            var config = Encoding.UTF8.GetBytes(new JsonObject
            {
                ["architecture"] = "amd64", ["os"] = "linux",
                ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray(diffId) },
            }.ToJsonString());
            var configDigest = await TestImages.PushBlobAsync(registry, repository, config);
            var layerDigest = await TestImages.PushBlobAsync(registry, repository, layer);
            var manifest = new JsonObject
            {
                ["schemaVersion"] = 2,
                ["mediaType"] = ManifestMediaType,
                ["config"] = new JsonObject { ["mediaType"] = "application/vnd.oci.image.config.v1+json", ["digest"] = configDigest, ["size"] = config.Length },
                ["layers"] = new JsonArray(new JsonObject { ["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip", ["digest"] = layerDigest, ["size"] = layer.Length }),
            };
            var tag = $"v{i}";
            var digest = await TestImages.PutManifestAsync(registry, repository, tag, ManifestMediaType, Encoding.UTF8.GetBytes(manifest.ToJsonString()));
            images.Add(new PushImage(repository, tag, digest));
        }
        return images;
    }
}
