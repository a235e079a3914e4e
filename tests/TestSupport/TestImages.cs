using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace ImageScanning.TestSupport;

/// <summary>Edits the root filesystem of the layer being built (paths relative to the image root).</summary>
public sealed class RootfsEditor(string root)
{
    public string Root { get; } = root;

    public string PathOf(string path) => Path.Combine(Root, path.TrimStart('/'));

    public RootfsEditor WriteFile(string path, string content) => WriteFile(path, System.Text.Encoding.UTF8.GetBytes(content));

    public RootfsEditor WriteFile(string path, byte[] content)
    {
        var full = PathOf(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        if (File.Exists(full) || Directory.Exists(full)) Delete(path);
        File.WriteAllBytes(full, content);
        return this;
    }

    public RootfsEditor Symlink(string path, string target)
    {
        var full = PathOf(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        if (File.Exists(full) || Directory.Exists(full) || new FileInfo(full).LinkTarget is not null) Delete(path);
        File.CreateSymbolicLink(full, target);
        return this;
    }

    /// <summary>Removes a file, link or directory; umoci turns the removal into a whiteout.</summary>
    public RootfsEditor Delete(string path)
    {
        var full = PathOf(path);
        var info = new FileInfo(full);
        if (info.LinkTarget is not null || File.Exists(full)) File.Delete(full);
        else if (Directory.Exists(full)) Directory.Delete(full, recursive: true);
        return this;
    }

    /// <summary>Copies a directory tree into the rootfs (merging), keeping modes, owners and links (cp -a).</summary>
    public RootfsEditor CopyDirectory(string source, string destination = "")
    {
        var target = PathOf(destination);
        Directory.CreateDirectory(target);
        ProcessRunner.Run("cp", ["-a", "--", Path.Combine(source, "."), target], TimeSpan.FromMinutes(5));
        return this;
    }
}

/// <summary>An image in an OCI layout directory, as umoci built it.</summary>
public sealed record OciLayoutImage(string LayoutDirectory, string Tag, string ManifestDigest)
{
    /// <summary>The skopeo/containers-image reference: oci:DIR:TAG.</summary>
    public string Reference => $"oci:{LayoutDirectory}:{Tag}";
}

public enum ManifestFormat
{
    /// <summary>OCI manifest and media types, as umoci builds them.</summary>
    Oci,

    /// <summary>Docker image manifest v2 schema 2 (skopeo --format v2s2).</summary>
    DockerV2,
}

/// <summary>An image pushed to a registry.</summary>
public sealed record PushedImage(string HostPort, string Repository, string Tag, string Digest)
{
    public string TagReference => $"{HostPort}/{Repository}:{Tag}";
    public string DigestReference => $"{HostPort}/{Repository}@{Digest}";
}

/// <summary>
/// Builds real OCI images with umoci, one layer per step: each step edits the unpacked rootfs and
/// <c>umoci repack</c> stores the difference (deletions as whiteouts) as a new gzip layer.
/// </summary>
public sealed class TestImageBuilder
{
    private readonly List<Func<RootfsEditor, Task>> layers = [];
    private string os = "linux";
    private string architecture = "amd64";

    public TestImageBuilder Platform(string operatingSystem, string cpuArchitecture)
    {
        os = operatingSystem;
        architecture = cpuArchitecture;
        return this;
    }

    /// <summary>A layer made of whatever <paramref name="edit"/> changes in the rootfs.</summary>
    public TestImageBuilder Layer(Action<RootfsEditor> edit)
    {
        layers.Add(e => { edit(e); return Task.CompletedTask; });
        return this;
    }

    /// <summary>A layer made by an asynchronous edit, e.g. <c>DebianRootfs.InstallDebAsync(editor.Root, deb)</c>.</summary>
    public TestImageBuilder Layer(Func<RootfsEditor, Task> edit)
    {
        layers.Add(edit);
        return this;
    }

    /// <summary>A layer that copies <paramref name="sourceDirectory"/> into the rootfs root.</summary>
    public TestImageBuilder LayerFromDirectory(string sourceDirectory) => Layer(e => e.CopyDirectory(sourceDirectory));

    /// <summary>Builds the image into a new OCI layout under <paramref name="workDirectory"/> (a temp directory by default).</summary>
    public async Task<OciLayoutImage> BuildAsync(string tag = "latest", string? workDirectory = null, CancellationToken ct = default)
    {
        if (layers.Count == 0) throw new InvalidOperationException("An image needs at least one layer.");
        var work = workDirectory ?? Directory.CreateTempSubdirectory("imagescanning-image-").FullName;
        var layout = Path.Combine(work, "layout");
        var bundle = Path.Combine(work, "bundle");
        var image = $"{layout}:{tag}";
        var timeout = TimeSpan.FromMinutes(10);
        await ProcessRunner.RunAsync("umoci", ["init", "--layout", layout], timeout, ct: ct);
        await ProcessRunner.RunAsync("umoci", ["new", "--image", image], timeout, ct: ct);
        await ProcessRunner.RunAsync("umoci", ["config", "--image", image, "--os", os, "--architecture", architecture], timeout, ct: ct);
        List<string> unpack = ["unpack", "--image", image, bundle];
        if (!Environment.IsPrivilegedProcess) unpack.Insert(1, "--rootless");
        await ProcessRunner.RunAsync("umoci", unpack, timeout, ct: ct);
        foreach (var edit in layers)
        {
            await edit(new RootfsEditor(Path.Combine(bundle, "rootfs")));
            await ProcessRunner.RunAsync("umoci", ["repack", "--refresh-bundle", "--image", image, bundle], timeout, ct: ct);
        }
        Directory.Delete(bundle, recursive: true);
        await ProcessRunner.RunAsync("umoci", ["gc", "--layout", layout], timeout, ct: ct);
        return new OciLayoutImage(layout, tag, ManifestDigestOf(layout, tag));
    }

    /// <summary>The manifest digest that the layout's index.json gives the tag.</summary>
    public static string ManifestDigestOf(string layout, string tag)
    {
        using var index = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(layout, "index.json")));
        foreach (var manifest in index.RootElement.GetProperty("manifests").EnumerateArray())
            if (manifest.TryGetProperty("annotations", out var annotations)
                && annotations.TryGetProperty("org.opencontainers.image.ref.name", out var name) && name.GetString() == tag)
                return manifest.GetProperty("digest").GetString()!;
        throw new InvalidOperationException($"Tag {tag} is not in {layout}/index.json.");
    }
}

/// <summary>Pushes images to a registry with skopeo, and raw blobs and manifests over the registry API.</summary>
public static class TestImages
{
    public static TestImageBuilder Builder() => new();

    /// <summary>
    /// Pushes with <c>skopeo copy</c> and returns the digest of the manifest as pushed (for
    /// <see cref="ManifestFormat.DockerV2"/> it differs from the layout's OCI manifest).
    /// <paramref name="credentials"/> is "user:password" for a registry with auth.
    /// <paramref name="compressFormat"/> recompresses the layers (e.g. "zstd").
    /// </summary>
    public static async Task<PushedImage> PushAsync(
        OciLayoutImage image, string hostPort, string repository, string tag,
        ManifestFormat format = ManifestFormat.Oci, string? credentials = null, string? compressFormat = null, CancellationToken ct = default)
    {
        var digestFile = Path.Combine(Path.GetTempPath(), $"imagescanning-digest-{Guid.NewGuid():N}");
        try
        {
            List<string> args = ["copy", "--quiet", "--dest-tls-verify=false", "--digestfile", digestFile];
            if (format == ManifestFormat.DockerV2) args.AddRange(["--format", "v2s2"]);
            else args.AddRange(["--format", "oci"]);
            if (credentials is not null) args.AddRange(["--dest-creds", credentials]);
            if (compressFormat is not null) args.AddRange(["--dest-compress-format", compressFormat]);
            args.AddRange([image.Reference, $"docker://{hostPort}/{repository}:{tag}"]);
            await ProcessRunner.RunAsync("skopeo", args, TimeSpan.FromMinutes(10), ct: ct);
            var digest = (await File.ReadAllTextAsync(digestFile, ct)).Trim();
            return new PushedImage(hostPort, repository, tag, digest);
        }
        finally
        {
            File.Delete(digestFile);
        }
    }

    public static Task<PushedImage> PushAsync(OciLayoutImage image, RegistryServer registry, string repository, string tag,
        ManifestFormat format = ManifestFormat.Oci, string? credentials = null, string? compressFormat = null, CancellationToken ct = default) =>
        PushAsync(image, registry.HostPort, repository, tag, format, credentials, compressFormat, ct);

    /// <summary>Builds and pushes in one go.</summary>
    public static async Task<PushedImage> BuildAndPushAsync(TestImageBuilder builder, RegistryServer registry, string repository, string tag = "latest",
        ManifestFormat format = ManifestFormat.Oci, CancellationToken ct = default)
    {
        var work = Directory.CreateTempSubdirectory("imagescanning-image-").FullName;
        try
        {
            var image = await builder.BuildAsync(tag, work, ct);
            return await PushAsync(image, registry, repository, tag, format, ct: ct);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Uploads a blob with a monolithic POST+PUT (open registry) and returns its digest.</summary>
    public static async Task<string> PushBlobAsync(RegistryServer registry, string repository, byte[] content, CancellationToken ct = default)
    {
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));
        using var http = new HttpClient { BaseAddress = registry.Url };
        using var start = await http.PostAsync($"/v2/{repository}/blobs/uploads/", null, ct);
        if (start.StatusCode != HttpStatusCode.Accepted) throw new InvalidOperationException($"Blob upload start answered {(int)start.StatusCode}.");
        var location = start.Headers.Location ?? throw new InvalidOperationException("Blob upload gave no Location.");
        var uri = location.IsAbsoluteUri ? location : new Uri(registry.Url, location);
        var put = new UriBuilder(uri);
        put.Query = (put.Query.Length > 1 ? put.Query[1..] + "&" : "") + "digest=" + Uri.EscapeDataString(digest);
        using var body = new ByteArrayContent(content);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var done = await http.PutAsync(put.Uri, body, ct);
        if (done.StatusCode != HttpStatusCode.Created)
            throw new InvalidOperationException($"Blob upload answered {(int)done.StatusCode}: {await done.Content.ReadAsStringAsync(ct)}");
        return digest;
    }

    /// <summary>PUTs a manifest (any media type the registry accepts) and returns its digest.</summary>
    public static async Task<string> PutManifestAsync(RegistryServer registry, string repository, string reference, string mediaType, byte[] content, CancellationToken ct = default)
    {
        using var http = new HttpClient { BaseAddress = registry.Url };
        using var body = new ByteArrayContent(content);
        body.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        using var response = await http.PutAsync($"/v2/{repository}/manifests/{reference}", body, ct);
        if (response.StatusCode != HttpStatusCode.Created)
            throw new InvalidOperationException($"Manifest PUT answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));
    }
}
