using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text.Json;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Images.Local;

/// <summary>
/// Reads images that are not in a registry: an OCI image layout (a directory or its tar archive), a
/// `docker save` archive, or a root filesystem directory. Layers are streamed through the same
/// <see cref="LayerReader"/> as registry layers, and their digests are checked against the files.
/// </summary>
/// <param name="progress">Optional: told how far each layer's bytes have been read (the CLI's progress bar).</param>
public sealed class LocalImageReader(
    LayerReader layerReader, LayerLimits limits, IContentSniffer? sniffer = null, ImageLimits? imageLimits = null, IProgress<LayerProgress>? progress = null)
{
    private const string DefaultPlatform = "linux/amd64";

    public async Task<ImageReadResult> ReadOciLayoutAsync(string layout, string? tag, Func<string, bool> wants, CancellationToken ct, string? platform = null)
    {
        var indexPath = Path.Combine(layout, "index.json");
        if (!File.Exists(indexPath)) throw new ScanException(ScanFailureKind.UnsupportedImage, $"{layout} is not an OCI image layout: it has no index.json.");
        var entries = await ReadIndexEntriesAsync(indexPath, ct);
        var chosen = tag is null
            ? entries.Count == 1 ? entries[0] : throw new ScanException(ScanFailureKind.UnsupportedImage,
                $"{layout} holds {entries.Count} images; name one with oci:{layout}:TAG (tags: {string.Join(", ", entries.Select(e => e.Tag ?? e.Descriptor.Digest))}).")
            : entries.FirstOrDefault(e => e.Tag == tag) ?? throw new ScanException(ScanFailureKind.ImageNotFound, $"{layout} has no image tagged '{tag}'.");

        var manifest = await ReadManifestAsync(layout, chosen.Descriptor.Digest, chosen.Descriptor.MediaType, ct);
        if (manifest.IsIndex)
        {
            // A multi-platform image: scan the requested platform (linux/amd64 by default), on its own digest.
            var wanted = platform ?? DefaultPlatform;
            var match = manifest.Manifests.FirstOrDefault(m => m.Platform is { } p && $"{p.Os}/{p.Architecture}{(p.Variant is null ? "" : "/" + p.Variant)}".StartsWith(wanted, StringComparison.Ordinal))
                ?? throw new ScanException(ScanFailureKind.UnsupportedImage,
                    $"The image index {manifest.Digest} has no {wanted} image; platforms: {string.Join(", ", manifest.Manifests.Select(m => m.Platform is { } p ? $"{p.Os}/{p.Architecture}" : m.Descriptor.Digest))}.");
            manifest = await ReadManifestAsync(layout, match.Descriptor.Digest, match.Descriptor.MediaType, ct);
        }

        var config = manifest.Config ?? throw new ScanException(ScanFailureKind.UnsupportedImage, $"The manifest {manifest.Digest} has no config.");
        var (os, architecture, variant) = ParseConfig(await ReadBlobAsync(layout, config.Digest, ct));
        var layers = manifest.Layers.Select(l => (Digest: (string?)l.Digest, l.MediaType, Path: BlobPath(layout, l.Digest))).ToList();
        return await ReadLayersAsync(layout, tag ?? chosen.Descriptor.Digest, manifest.Digest, manifest.MediaType, config.Digest, os, architecture, variant, layers, wants, ct);
    }

    /// <summary>An OCI layout packed in a tar file (oci-archive:), extracted to a temporary directory first.</summary>
    public Task<ImageReadResult> ReadOciArchiveAsync(string archive, string? tag, Func<string, bool> wants, CancellationToken ct) =>
        WithExtractedAsync(archive, dir => ReadOciLayoutAsync(dir, tag, wants, ct), ct);

    /// <summary>A `docker save` archive (docker-archive:): manifest.json names the config and the layer files.</summary>
    public Task<ImageReadResult> ReadDockerArchiveAsync(string archive, Func<string, bool> wants, CancellationToken ct) =>
        WithExtractedAsync(archive, async dir =>
        {
            var manifestPath = Path.Combine(dir, "manifest.json");
            if (!File.Exists(manifestPath)) throw new ScanException(ScanFailureKind.UnsupportedImage, $"{archive} is not a docker-archive: it has no manifest.json.");
            using var json = UntrustedJson.Parse(await File.ReadAllBytesAsync(manifestPath, ct));
            var images = json.RootElement.ValueKind == JsonValueKind.Array ? json.RootElement.EnumerateArray().ToList() : [];
            if (images.Count != 1) throw new ScanException(ScanFailureKind.UnsupportedImage, $"{archive} holds {images.Count} images; save one image per archive.");
            var image = images[0];
            var configFile = Inside(dir, image.GetProperty("Config").GetString()!);
            var configBytes = await File.ReadAllBytesAsync(configFile, ct);
            var (os, architecture, variant) = ParseConfig(configBytes);
            var layers = new List<(string? Digest, string MediaType, string Path)>();
            foreach (var layer in image.GetProperty("Layers").EnumerateArray())
            {
                // docker save stores layers as plain tars named by path; the bytes decide the codec anyway. Their digests are
                // taken while they are read (one pass over each file, not two).
                layers.Add((null, MediaTypes.DockerLayerTar, Inside(dir, layer.GetString()!)));
            }
            var tag = image.TryGetProperty("RepoTags", out var tags) && tags.ValueKind == JsonValueKind.Array && tags.GetArrayLength() > 0 ? tags[0].GetString() : null;
            return await ReadLayersAsync(archive, tag ?? "", Digests.Sha256(configBytes), MediaTypes.DockerManifest, Digests.Sha256(configBytes),
                os, architecture, variant, layers, wants, ct);
        }, ct);

    /// <summary>A root filesystem directory (dir:): one layer, read from the files themselves. Symlinks are recorded, never followed.</summary>
    public Task<ImageReadResult> ReadDirectoryAsync(string root, Func<string, bool> wants, CancellationToken ct)
    {
        if (!Directory.Exists(root)) throw new ScanException(ScanFailureKind.ImageNotFound, $"No directory {root}.");
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var links = new Dictionary<string, string>(StringComparer.Ordinal);
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true, ReturnSpecialDirectories = false };
        foreach (var entry in new DirectoryInfo(root).EnumerateFileSystemInfos("*", options))
        {
            ct.ThrowIfCancellationRequested();
            var path = Path.GetRelativePath(root, entry.FullName).Replace(Path.DirectorySeparatorChar, '/');
            if (entry.LinkTarget is { } target)
            {
                if (wants(path)) links[path] = target;
            }
            else if (entry is FileInfo file && (wants(path) || Sniffed(path, file)))
            {
                if (file.Length > limits.MaxFileBytes)
                    throw new ScanException(ScanFailureKind.LayerTooLarge, $"{path} is {file.Length} bytes, more than {limits.MaxFileBytes} (limit MaxFileBytes).");
                files[path] = File.ReadAllBytes(file.FullName);
            }
        }
        const string digest = "rootfs";
        var layer = new LayerFiles { Digest = digest, Files = files, Symlinks = links };
        return Task.FromResult(new ImageReadResult
        {
            Registry = "", Repository = root, Reference = root, ManifestDigest = digest, ManifestMediaType = "inode/directory",
            ConfigDigest = digest, Os = "linux", Architecture = "",
            Layers = [new ImageLayer(digest, "inode/directory", 0, new LayerReadStats { KeptFiles = files.Count })],
            Files = new ImageFiles([layer]),
        });
    }

    /// <summary>Executables are recognised by their first bytes (Go and cargo-auditable binaries), not by their path.</summary>
    private bool Sniffed(string path, FileInfo file)
    {
        if (sniffer is null || file.Length == 0 || file.Length > limits.MaxSniffedFileBytes) return false;
        var head = new byte[Math.Min(file.Length, IContentSniffer.HeadLength)];
        using (var stream = file.OpenRead()) stream.ReadExactly(head);
        return sniffer.WantsContent(path, head) && sniffer.KeepsContent(path, File.ReadAllBytes(file.FullName));
    }

    private async Task<ImageReadResult> ReadLayersAsync(
        string source, string reference, string manifestDigest, string manifestMediaType, string configDigest, string os, string architecture, string? variant,
        IReadOnlyList<(string? Digest, string MediaType, string Path)> layers, Func<string, bool> wants, CancellationToken ct)
    {
        if (layers.Count == 0) throw new ScanException(ScanFailureKind.UnsupportedImage, $"The image in {source} has no layers.");
        var budget = new ImageBudget(imageLimits ?? ImageLimits.Default, $"The image in {source}");
        budget.CheckLayers(layers.Count);
        var files = new List<LayerFiles>();
        var read = new List<ImageLayer>();
        for (var index = 0; index < layers.Count; index++)
        {
            var (digest, mediaType, path) = layers[index];
            var name = digest ?? $"{index + 1} ({Path.GetFileName(Path.GetDirectoryName(path))}/{Path.GetFileName(path)})";
            if (!File.Exists(path)) throw new ScanException(ScanFailureKind.ImageNotFound, $"Layer {name} is missing from {source}.");
            // The digest is checked (or, for a docker-archive layer, taken) in the pass that reads the layer: the reader reads every
            // byte of the file, and nothing it found is kept when the digest does not match.
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var length = new FileInfo(path).Length;
            LayerReadResult result;
            await using (var stream = ProgressReportingStream.Wrap(new HashingStream(File.OpenRead(path), hash), progress, index + 1, layers.Count, name, length))
                result = await layerReader.ReadWithStatsAsync(stream, mediaType, name, wants, limits, ct, sniffer, budget);
            var actual = "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
            if (digest is not null && digest.StartsWith("sha256:", StringComparison.Ordinal) && actual != digest)
                throw new ScanException(ScanFailureKind.DigestMismatch, $"Layer file {path} does not match its digest {digest}.");
            files.Add(digest is null ? result.Files.WithDigest(actual) : result.Files);
            read.Add(new ImageLayer(digest ?? actual, mediaType, length, result.Stats));
        }
        return new ImageReadResult
        {
            Registry = "", Repository = source, Reference = reference, ManifestDigest = manifestDigest, ManifestMediaType = manifestMediaType,
            ConfigDigest = configDigest, Os = os, Architecture = architecture, Variant = variant, Layers = read, Files = new ImageFiles(files),
        };
    }

    private sealed record IndexEntry(Descriptor Descriptor, string? Tag);

    private static async Task<List<IndexEntry>> ReadIndexEntriesAsync(string indexPath, CancellationToken ct)
    {
        using var json = UntrustedJson.Parse(await File.ReadAllBytesAsync(indexPath, ct));
        var entries = new List<IndexEntry>();
        if (!json.RootElement.TryGetProperty("manifests", out var manifests) || manifests.ValueKind != JsonValueKind.Array) return entries;
        foreach (var m in manifests.EnumerateArray())
        {
            var tag = m.TryGetProperty("annotations", out var a) && a.TryGetProperty("org.opencontainers.image.ref.name", out var name) ? name.GetString() : null;
            entries.Add(new IndexEntry(new Descriptor(m.GetProperty("mediaType").GetString() ?? "", m.GetProperty("digest").GetString() ?? "", m.GetProperty("size").GetInt64()), tag));
        }
        return entries;
    }

    private static async Task<ImageManifest> ReadManifestAsync(string layout, string digest, string mediaType, CancellationToken ct)
    {
        var bytes = await ReadBlobAsync(layout, digest, ct);
        return ManifestParser.Parse(bytes, mediaType, digest, $"manifest {digest}");
    }

    private static async Task<byte[]> ReadBlobAsync(string layout, string digest, CancellationToken ct)
    {
        var path = BlobPath(layout, digest);
        if (!File.Exists(path)) throw new ScanException(ScanFailureKind.ImageNotFound, $"Blob {digest} is missing from {layout}.");
        var bytes = await File.ReadAllBytesAsync(path, ct);
        if (Digests.Sha256(bytes) != digest) throw new ScanException(ScanFailureKind.DigestMismatch, $"Blob {path} does not match its digest {digest}.");
        return bytes;
    }

    private static string BlobPath(string layout, string digest)
    {
        if (!Digests.IsDigest(digest)) throw new ScanException(ScanFailureKind.UnsupportedImage, $"'{Digests.Printable(digest)}' is not a digest.");
        var colon = digest.IndexOf(':');
        return Path.Combine(layout, "blobs", digest[..colon], digest[(colon + 1)..]);
    }

    private static (string Os, string Architecture, string? Variant) ParseConfig(byte[] config)
    {
        try
        {
            using var json = UntrustedJson.Parse(config);
            string? Text(string name) => json.RootElement.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            return (Text("os") ?? "", Text("architecture") ?? "", Text("variant"));
        }
        catch (JsonException e)
        {
            throw new ScanException(ScanFailureKind.UnsupportedImage, "The image config is not valid JSON.", e);
        }
    }

    /// <summary>A path named inside an archive, refused when it would leave the extraction directory.</summary>
    private static string Inside(string root, string relative)
    {
        var full = Path.GetFullPath(Path.Combine(root, relative));
        if (!full.StartsWith(Path.GetFullPath(root) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ScanException(ScanFailureKind.UnsupportedImage, $"The archive names a file outside itself: {relative}.");
        return full;
    }

    private static async Task<T> WithExtractedAsync<T>(string archive, Func<string, Task<T>> read, CancellationToken ct)
    {
        if (!File.Exists(archive)) throw new ScanException(ScanFailureKind.ImageNotFound, $"No file {archive}.");
        var dir = Directory.CreateTempSubdirectory("imagescan-archive-").FullName;
        try
        {
            // TarFile refuses entries that would land outside the directory; layer blobs stay compressed.
            try { await TarFile.ExtractToDirectoryAsync(archive, dir, overwriteFiles: false, ct); }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                throw new ScanException(ScanFailureKind.CorruptLayer, $"{archive} is not a readable tar archive: {e.Message}", e);
            }
            return await read(dir);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
