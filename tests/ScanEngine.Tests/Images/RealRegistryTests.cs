using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using ImageScanning.ScanEngine.Images;
using ImageScanning.ScanEngine.Model;
using ImageScanning.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace ImageScanning.ScanEngine.Tests.Images;

/// <summary>
/// The registry client and image reader against a real CNCF distribution registry
/// (docker-registry) holding real images built by umoci and pushed by skopeo.
/// One registry and one set of images for the whole fixture.
/// </summary>
[NonParallelizable]
public sealed class RealRegistryTests
{
    private const string Registry = "local";
    private static readonly Func<string, bool> Wants = p =>
        p.StartsWith("etc/", StringComparison.Ordinal) || p == "usr/lib/os-release" || p.StartsWith("var/lib/dpkg/", StringComparison.Ordinal) || p.StartsWith("opt/", StringComparison.Ordinal);

    private RegistryServer registry = null!;
    private ServiceProvider services = null!;
    private OciLayoutImage layered = null!;
    private PushedImage oci = null!;
    private PushedImage docker = null!;
    private string work = null!;

    private IRegistryClientFactory Factory => services.GetRequiredService<IRegistryClientFactory>();
    private ImageReader Reader => services.GetRequiredService<ImageReader>();

    [OneTimeSetUp]
    public async Task StartRegistryAndPushImages()
    {
        registry = await RegistryServer.StartAsync();
        services = RegistryTestServices.Build(new RegistryOptions { Name = Registry, Url = registry.Url.ToString() });
        work = Directory.CreateTempSubdirectory("imagescanning-images-").FullName;

        // Layer 1: a small OS with os-release behind a symlink, as Debian has it.
        var baseDir = Path.Combine(work, "base");
        new RootfsEditor(baseDir)
            .WriteFile("usr/lib/os-release", "PRETTY_NAME=\"Test OS 1\"\nID=testos\nVERSION_ID=\"1\"\n")
            .Symlink("etc/os-release", "../usr/lib/os-release")
            .WriteFile("etc/gone.conf", "deleted in layer 2\n")
            .WriteFile("var/lib/dpkg/status", "Package: base-files\nVersion: 1\n")
            .WriteFile("opt/app/a.txt", "a")
            .WriteFile("opt/app/b.txt", "b")
            .WriteFile("usr/bin/tool", "not wanted");

        layered = await TestImages.Builder()
            .LayerFromDirectory(baseDir)
            .Layer(rootfs => rootfs
                .Delete("etc/gone.conf")
                .Delete("opt/app")
                .WriteFile("var/lib/dpkg/status", "Package: base-files\nVersion: 1\n\nPackage: extra\nVersion: 2\n")
                .WriteFile("etc/new.conf", "added in layer 2\n"))
            .BuildAsync("v1", Path.Combine(work, "layered"));
        oci = await TestImages.PushAsync(layered, registry, "test/layered", "oci");
        docker = await TestImages.PushAsync(layered, registry, "test/layered", "docker", ManifestFormat.DockerV2);
    }

    [OneTimeTearDown]
    public async Task StopRegistry()
    {
        await services.DisposeAsync();
        await registry.DisposeAsync();
        Directory.Delete(work, recursive: true);
    }

    [Test]
    public async Task Fetches_an_OCI_manifest_by_tag_and_by_digest()
    {
        var client = Factory.For(Registry);
        var byTag = await client.GetManifestAsync("test/layered", "oci", CancellationToken.None);
        var byDigest = await client.GetManifestAsync("test/layered", oci.Digest, CancellationToken.None);

        foreach (var manifest in new[] { byTag, byDigest })
        {
            Assert.That(manifest.Digest, Is.EqualTo(oci.Digest));
            Assert.That(manifest.Digest, Is.EqualTo(layered.ManifestDigest), "skopeo pushed the layout's manifest unchanged");
            Assert.That(manifest.MediaType, Is.EqualTo(MediaTypes.OciManifest));
            Assert.That(manifest.IsIndex, Is.False);
            Assert.That(manifest.Config!.MediaType, Is.EqualTo(MediaTypes.OciConfig));
            Assert.That(manifest.Layers, Has.Count.EqualTo(2));
            Assert.That(manifest.Layers.Select(l => l.MediaType), Is.All.EqualTo(MediaTypes.OciLayerGzip));
            Assert.That(manifest.Layers.Select(l => l.Size), Is.All.GreaterThan(0));
            Assert.That(Digests.Sha256(manifest.Raw.Span), Is.EqualTo(oci.Digest));
        }
    }

    [Test]
    public async Task Fetches_a_Docker_v2_manifest_by_tag_and_by_digest()
    {
        var client = Factory.For(Registry);
        var byTag = await client.GetManifestAsync("test/layered", "docker", CancellationToken.None);
        var byDigest = await client.GetManifestAsync("test/layered", docker.Digest, CancellationToken.None);

        Assert.That(docker.Digest, Is.Not.EqualTo(oci.Digest));
        foreach (var manifest in new[] { byTag, byDigest })
        {
            Assert.That(manifest.Digest, Is.EqualTo(docker.Digest));
            Assert.That(manifest.MediaType, Is.EqualTo(MediaTypes.DockerManifest));
            Assert.That(manifest.Config!.MediaType, Is.EqualTo(MediaTypes.DockerConfig));
            Assert.That(manifest.Layers.Select(l => l.MediaType), Is.All.EqualTo(MediaTypes.DockerLayerGzip));
        }
    }

    [TestCase("oci")]
    [TestCase("docker")]
    public async Task Reads_an_image_layer_by_layer_with_whiteouts_and_symlinks(string tag)
    {
        var from = registry.LogPosition;
        var image = await Reader.ReadAsync(Registry, "test/layered", tag, Wants, CancellationToken.None);

        Assert.That(image.ManifestDigest, Is.EqualTo(tag == "oci" ? oci.Digest : docker.Digest));
        Assert.That((image.Os, image.Architecture), Is.EqualTo(("linux", "amd64")));
        Assert.That(image.Layers, Has.Count.EqualTo(2));
        Assert.That(image.CompressedBytesRead, Is.EqualTo(image.Layers.Sum(l => l.Size)));
        Assert.That(image.UncompressedBytesRead, Is.GreaterThan(image.CompressedBytesRead));

        var first = image.Files.At(0);
        var final = image.Files.Final;
        Assert.That(first.TryGet("etc/gone.conf", out _), Is.True);
        Assert.That(final.TryGet("etc/gone.conf", out _), Is.False, "deleted in layer 2 (whiteout)");
        Assert.That(first.Under("opt/app").Count(), Is.EqualTo(2));
        Assert.That(final.Under("opt/app"), Is.Empty, "directory deleted in layer 2");
        Assert.That(final.TryGet("etc/new.conf", out var added), Is.True);
        Assert.That(added.LayerDigest, Is.EqualTo(image.Layers[1].Digest));

        Assert.That(final.TryGet("var/lib/dpkg/status", out var status), Is.True);
        Assert.That(Encoding.UTF8.GetString(status.Content), Does.Contain("Package: extra"));
        Assert.That(status.LayerDigest, Is.EqualTo(image.Layers[1].Digest));

        Assert.That(image.Files.Layers[0].Symlinks["etc/os-release"], Is.EqualTo("../usr/lib/os-release"));
        Assert.That(final.TryGet("etc/os-release", out var osRelease), Is.True, "resolved through the symlink");
        Assert.That(Encoding.UTF8.GetString(osRelease.Content), Does.Contain("ID=testos"));
        Assert.That(final.All.Select(f => f.Path), Has.None.EqualTo("usr/bin/tool"), "unwanted files are not kept");

        // The access log shows exactly one manifest, the config and two layers fetched.
        await registry.SyncLogAsync();
        var fetches = registry.Fetches("test/layered", from).Where(r => r.Method == "GET").ToList();
        Assert.That(fetches.Count(r => r.Path.Contains("/manifests/")), Is.EqualTo(1));
        Assert.That(fetches.Count(r => r.Path.Contains("/blobs/")), Is.EqualTo(3));
    }

    [Test]
    public async Task Reads_the_platform_from_the_config()
    {
        var pushed = await TestImages.BuildAndPushAsync(
            TestImages.Builder().Platform("linux", "arm64").Layer(r => r.WriteFile("etc/hostname", "arm\n")), registry, "test/arm64", "v1");
        var image = await Reader.ReadAsync(Registry, "test/arm64", pushed.Digest, Wants, CancellationToken.None);
        Assert.That((image.Os, image.Architecture), Is.EqualTo(("linux", "arm64")));
        Assert.That(image.ManifestDigest, Is.EqualTo(pushed.Digest));
    }

    [Test]
    public async Task Blobs_are_streamed_and_verified()
    {
        var client = Factory.For(Registry);
        var manifest = await client.GetManifestAsync("test/layered", "oci", CancellationToken.None);
        var config = await client.GetBlobAsync("test/layered", manifest.Config!.Digest, 1 << 20, CancellationToken.None);
        Assert.That(Digests.Sha256(config), Is.EqualTo(manifest.Config.Digest));
        using (var json = JsonDocument.Parse(config))
            Assert.That(json.RootElement.GetProperty("architecture").GetString(), Is.EqualTo("amd64"));

        var tooSmall = Assert.ThrowsAsync<ScanException>(() => client.GetBlobAsync("test/layered", manifest.Config.Digest, 10, CancellationToken.None));
        Assert.That(tooSmall!.Kind, Is.EqualTo(ScanFailureKind.UnsupportedImage));

        var layer = manifest.Layers[0];
        await using var stream = await client.OpenBlobAsync("test/layered", layer.Digest, layer.Size, CancellationToken.None);
        var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        Assert.That(Digests.Sha256(copy.ToArray()), Is.EqualTo(layer.Digest));
    }

    [Test]
    public async Task A_missing_tag_repository_or_digest_is_ImageNotFound()
    {
        var client = Factory.For(Registry);
        var tag = Assert.ThrowsAsync<ScanException>(() => client.GetManifestAsync("test/layered", "no-such-tag", CancellationToken.None));
        Assert.That(tag!.Kind, Is.EqualTo(ScanFailureKind.ImageNotFound));
        Assert.That(tag.Message, Does.Contain("test/layered").And.Contain("no-such-tag"));

        var repository = Assert.ThrowsAsync<ScanException>(() => Reader.ReadAsync(Registry, "test/nothing-here", "latest", Wants, CancellationToken.None));
        Assert.That(repository!.Kind, Is.EqualTo(ScanFailureKind.ImageNotFound));
        Assert.That(repository.Message, Does.Contain("test/nothing-here").And.Contain("latest"));

        var digest = "sha256:" + new string('0', 64);
        var byDigest = Assert.ThrowsAsync<ScanException>(() => client.GetManifestAsync("test/layered", digest, CancellationToken.None));
        Assert.That(byDigest!.Kind, Is.EqualTo(ScanFailureKind.ImageNotFound));
        var blob = Assert.ThrowsAsync<ScanException>(() => client.OpenBlobAsync("test/layered", digest, CancellationToken.None));
        Assert.That(blob!.Kind, Is.EqualTo(ScanFailureKind.ImageNotFound));
    }

    [TestCase("Test/Upper")]
    [TestCase("../v2")]
    [TestCase("a//b")]
    public async Task An_invalid_repository_name_never_reaches_the_registry(string repository)
    {
        var from = registry.LogPosition;
        var e = Assert.ThrowsAsync<ScanException>(() => Factory.For(Registry).GetManifestAsync(repository, "latest", CancellationToken.None));
        Assert.That(e!.Kind, Is.EqualTo(ScanFailureKind.ImageNotFound));
        await registry.SyncLogAsync();
        Assert.That(registry.Requests(from), Is.Empty);
    }

    [Test]
    public void An_unknown_registry_name_is_RegistryNotConfigured()
    {
        var e = Assert.Throws<ScanException>(() => Factory.For("http://127.0.0.1:5000"));
        Assert.That(e!.Kind, Is.EqualTo(ScanFailureKind.RegistryNotConfigured));
        var viaReader = Assert.ThrowsAsync<ScanException>(() => Reader.ReadAsync("elsewhere", "test/layered", "oci", Wants, CancellationToken.None));
        Assert.That(viaReader!.Kind, Is.EqualTo(ScanFailureKind.RegistryNotConfigured));
        Assert.That(viaReader.Message, Does.Contain("elsewhere"));
        Assert.That(Factory.RegistryNames, Is.EquivalentTo(new[] { Registry }));
    }

    [Test]
    public async Task A_port_nobody_listens_on_is_RegistryUnreachable()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        await using var unreachable = RegistryTestServices.Build(new RegistryOptions { Name = "gone", Url = $"http://127.0.0.1:{port}" });
        var e = Assert.ThrowsAsync<ScanException>(() => unreachable.GetRequiredService<IRegistryClientFactory>().For("gone").GetManifestAsync("test/layered", "oci", CancellationToken.None));
        Assert.That(e!.Kind, Is.EqualTo(ScanFailureKind.RegistryUnreachable));
        Assert.That(e.Message, Does.Contain("gone"));
    }

    [Test]
    public async Task An_index_is_reported_with_its_platforms_and_the_reader_refuses_it()
    {
        var index = JsonSerializer.SerializeToUtf8Bytes(new
        {
            schemaVersion = 2,
            mediaType = MediaTypes.OciIndex,
            manifests = new[]
            {
                new { mediaType = MediaTypes.OciManifest, digest = oci.Digest, size = (await Factory.For(Registry).GetManifestAsync("test/layered", "oci", CancellationToken.None)).Raw.Length,
                      platform = new { os = "linux", architecture = "amd64" } },
            },
        });
        var digest = await TestImages.PutManifestAsync(registry, "test/layered", "multi", MediaTypes.OciIndex, index);

        var manifest = await Factory.For(Registry).GetManifestAsync("test/layered", "multi", CancellationToken.None);
        Assert.That(manifest.IsIndex, Is.True);
        Assert.That(manifest.Digest, Is.EqualTo(digest));
        Assert.That(manifest.Manifests.Single().Descriptor.Digest, Is.EqualTo(oci.Digest));
        Assert.That(manifest.Manifests.Single().Platform, Is.EqualTo(new Platform("linux", "amd64", null)));

        var e = Assert.ThrowsAsync<ScanException>(() => Reader.ReadAsync(Registry, "test/layered", "multi", Wants, CancellationToken.None));
        Assert.That(e!.Kind, Is.EqualTo(ScanFailureKind.UnsupportedImage));
        Assert.That(e.Message, Does.Contain("per-platform digest").And.Contain(oci.Digest).And.Contain("linux/amd64"));
    }

    [Test]
    public async Task An_image_without_layers_and_a_non_image_artifact_are_unsupported()
    {
        var config = await TestImages.PushBlobAsync(registry, "test/odd", Encoding.UTF8.GetBytes("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"));
        var configSize = Encoding.UTF8.GetByteCount("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}");
        var empty = JsonSerializer.SerializeToUtf8Bytes(new
        {
            schemaVersion = 2,
            mediaType = MediaTypes.OciManifest,
            config = new { mediaType = MediaTypes.OciConfig, digest = config, size = configSize },
            layers = Array.Empty<object>(),
        });
        await TestImages.PutManifestAsync(registry, "test/odd", "empty", MediaTypes.OciManifest, empty);
        var noLayers = Assert.ThrowsAsync<ScanException>(() => Reader.ReadAsync(Registry, "test/odd", "empty", Wants, CancellationToken.None));
        Assert.That(noLayers!.Kind, Is.EqualTo(ScanFailureKind.UnsupportedImage));
        Assert.That(noLayers.Message, Does.Contain("no layers"));

        var payload = await TestImages.PushBlobAsync(registry, "test/odd", Encoding.UTF8.GetBytes("{\"spdxVersion\":\"SPDX-2.3\"}"));
        var artifactConfig = await TestImages.PushBlobAsync(registry, "test/odd", Encoding.UTF8.GetBytes("{}"));
        var artifact = JsonSerializer.SerializeToUtf8Bytes(new
        {
            schemaVersion = 2,
            mediaType = MediaTypes.OciManifest,
            config = new { mediaType = "application/vnd.example.sbom.config+json", digest = artifactConfig, size = 2 },
            layers = new[] { new { mediaType = "application/spdx+json", digest = payload, size = Encoding.UTF8.GetByteCount("{\"spdxVersion\":\"SPDX-2.3\"}") } },
        });
        await TestImages.PutManifestAsync(registry, "test/odd", "sbom", MediaTypes.OciManifest, artifact);
        var from = registry.LogPosition;
        var notImage = Assert.ThrowsAsync<ScanException>(() => Reader.ReadAsync(Registry, "test/odd", "sbom", Wants, CancellationToken.None));
        Assert.That(notImage!.Kind, Is.EqualTo(ScanFailureKind.UnsupportedImage));
        Assert.That(notImage.Message, Does.Contain("application/vnd.example.sbom.config+json"));
        await registry.SyncLogAsync();
        Assert.That(registry.Fetches("test/odd", from).Where(r => r.Path.Contains("/blobs/")), Is.Empty, "nothing but the manifest is fetched");
    }

    [Test]
    public async Task A_zstd_image_is_read_like_a_gzip_one()
    {
        // A fresh image: skopeo reuses blobs the registry already has (gzip) rather than recompress them.
        var content = Guid.NewGuid().ToString();
        var image = await TestImages.Builder().Layer(r => r.WriteFile("etc/os-release", "ID=zstd\nVERSION_ID=" + content + "\n")).BuildAsync("v1", Path.Combine(work, "zstd"));
        var pushed = await TestImages.PushAsync(image, registry, "test/zstd", "v1", compressFormat: "zstd");
        var manifest = await Factory.For(Registry).GetManifestAsync("test/zstd", "v1", CancellationToken.None);
        Assert.That(manifest.Layers.Select(l => l.MediaType), Is.All.EqualTo(MediaTypes.OciLayerZstd), "skopeo recompressed the layers with zstd");

        var result = await Reader.ReadAsync(Registry, "test/zstd", pushed.Digest, Wants, CancellationToken.None);

        Assert.That(System.Text.Encoding.UTF8.GetString(result.Files.Final.All.Single(f => f.Path == "etc/os-release").Content), Does.Contain(content));
    }
}
