using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using ImageScanning.ScanEngine.Images;
using ImageScanning.ScanEngine.Tests.Images;
using ImageScanning.ScanEngine.Vex;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ImageScanning.ScanEngine.Tests.Vex;

/// <summary>
/// The OCI 1.1 referrers API itself. No registry that implements it installs here (Debian's docker-registry 2.8 predates it;
/// zot, the CNCF distribution 3.x and oras' test registries are neither Debian nor npm packages), so a minimal HTTP server answers
/// as the distribution spec 1.1 says: GET /v2/&lt;name&gt;/referrers/&lt;digest&gt; is 200 with an image index of descriptors
/// carrying artifactType (empty when there are none), manifests and blobs by digest. The tag-schema fallback is tested against
/// the real registry in <see cref="VexReferrerDiscoveryTests"/>.
/// </summary>
public sealed class ReferrersApiTests
{
    private const string Repository = "team/app";
    private static readonly byte[] ImageConfig = """{"architecture":"amd64","os":"linux"}"""u8.ToArray();

    private sealed class SpecRegistry
    {
        public readonly Dictionary<string, (string ContentType, byte[] Body)> Content = new(StringComparer.Ordinal);
        public readonly ConcurrentQueue<string> Requests = new();

        public async Task Handle(HttpContext context)
        {
            var path = context.Request.Path.Value!;
            Requests.Enqueue(path);
            if (path == "/v2/") return;
            if (Content.TryGetValue(path, out var found))
            {
                context.Response.ContentType = found.ContentType;
                await context.Response.Body.WriteAsync(found.Body);
                return;
            }
            context.Response.StatusCode = 404;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"errors":[{"code":"MANIFEST_UNKNOWN","message":"unknown"}]}""");
        }

        public void Manifest(string digest, string mediaType, byte[] body) => Content[$"/v2/{Repository}/manifests/{digest}"] = (mediaType, body);

        public void Blob(byte[] body) => Content[$"/v2/{Repository}/blobs/{Digests.Sha256(body)}"] = ("application/octet-stream", body);

        public void Artifact(VexArtifact artifact)
        {
            Manifest(artifact.Digest, MediaTypes.OciManifest, artifact.Manifest);
            Blob(VexArtifact.EmptyConfig);
            Blob(artifact.Layer);
        }

        public void Referrers(string digest, IEnumerable<VexArtifact> artifacts) =>
            Content[$"/v2/{Repository}/referrers/{digest}"] = (MediaTypes.OciIndex, VexArtifact.Index(artifacts));
    }

    private static (byte[] Manifest, string Digest) Image()
    {
        var manifest = JsonSerializer.SerializeToUtf8Bytes(new
        {
            schemaVersion = 2,
            mediaType = MediaTypes.OciManifest,
            config = new { mediaType = MediaTypes.OciConfig, digest = Digests.Sha256(ImageConfig), size = ImageConfig.Length },
            layers = Array.Empty<object>(),
        });
        return (manifest, Digests.Sha256(manifest));
    }

    private static ServiceProvider Services(TestHttpServer server) =>
        RegistryTestServices.Build([new RegistryOptions { Name = "spec", Url = server.Url.ToString() }]);

    /// <summary>A Sigstore bundle (cosign attest since v3) whose DSSE envelope carries an in-toto statement with an OpenVEX predicate.</summary>
    private static byte[] SigstoreBundle(byte[] openVex)
    {
        var statement = "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[],\"predicateType\":\"https://openvex.dev/ns/v0.2.0\",\"predicate\":"
            + Encoding.UTF8.GetString(openVex) + "}";
        return JsonSerializer.SerializeToUtf8Bytes(new
        {
            mediaType = "application/vnd.dev.sigstore.bundle.v0.3+json",
            verificationMaterial = new { },
            dsseEnvelope = new
            {
                payload = Convert.ToBase64String(Encoding.UTF8.GetBytes(statement)),
                payloadType = "application/vnd.in-toto+json",
                signatures = new[] { new { sig = "c2lnbmF0dXJl" } },
            },
        });
    }

    [Test]
    public async Task The_referrers_API_answer_is_used_without_the_fallback_tag()
    {
        var spec = new SpecRegistry();
        var (manifest, digest) = Image();
        spec.Manifest(digest, MediaTypes.OciManifest, manifest);
        var openVex = VexArtifact.Create(VexArtifactTypes.OpenVex, VexReferrerDiscoveryTests.OpenVexFor(digest), digest, manifest.Length, "2026-12-01T00:00:00Z");
        var bundle = VexArtifact.Create(VexArtifactTypes.SigstoreBundle, SigstoreBundle(VexCorpus.Bytes("openvex", "trivy-oci.openvex.json")),
            digest, manifest.Length, "2026-11-01T00:00:00Z");
        spec.Artifact(openVex);
        spec.Artifact(bundle);
        spec.Referrers(digest, [openVex, bundle]);
        await using var server = await TestHttpServer.StartAsync(spec.Handle);
        await using var services = Services(server);
        var client = services.GetRequiredService<IRegistryClientFactory>().For("spec");

        var result = await VexReferrerDiscovery.DiscoverAsync(client, Repository, digest);
        Assert.Multiple(() =>
        {
            Assert.That(result.FromTagSchema, Is.False);
            Assert.That(result.Skipped, Is.Empty);
            Assert.That(result.Documents.Select(d => d.ReferrerDigest), Is.EqualTo(new[] { openVex.Digest, bundle.Digest }));
            Assert.That(result.Documents[1].Document.Statements, Has.Count.EqualTo(7), "the OpenVEX predicate inside the Sigstore bundle");
            Assert.That(spec.Requests, Does.Contain($"/v2/{Repository}/referrers/{digest}"));
            Assert.That(spec.Requests.Any(p => p.Contains("/manifests/sha256-", StringComparison.Ordinal)), Is.False);
        });
    }

    [Test]
    public async Task An_empty_referrers_answer_means_no_referrers()
    {
        var spec = new SpecRegistry();
        var (manifest, digest) = Image();
        spec.Manifest(digest, MediaTypes.OciManifest, manifest);
        spec.Referrers(digest, []);
        await using var server = await TestHttpServer.StartAsync(spec.Handle);
        await using var services = Services(server);
        var listing = await services.GetRequiredService<IRegistryClientFactory>().For("spec").ListReferrersAsync(Repository, digest, CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(listing.Referrers, Is.Empty);
            Assert.That(listing.FromTagSchema, Is.False);
            Assert.That(spec.Requests.Any(p => p.Contains("/manifests/sha256-", StringComparison.Ordinal)), Is.False);
        });
    }

    [Test]
    public async Task A_descriptor_naming_another_host_is_fetched_from_the_registry_only()
    {
        var other = new SpecRegistry();
        await using var otherServer = await TestHttpServer.StartAsync(other.Handle);
        var spec = new SpecRegistry();
        var (manifest, digest) = Image();
        spec.Manifest(digest, MediaTypes.OciManifest, manifest);
        var layer = VexReferrerDiscoveryTests.OpenVexFor(digest);
        // An artifact whose layer descriptor offers URLs on another host (as foreign layers do): only the digest is used.
        var artifactManifest = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.OciManifest,
            ["artifactType"] = VexArtifactTypes.OpenVex,
            ["config"] = new { mediaType = VexArtifact.EmptyMediaType, digest = Digests.Sha256(VexArtifact.EmptyConfig), size = VexArtifact.EmptyConfig.Length },
            ["layers"] = new[] { new { mediaType = VexArtifactTypes.OpenVex, digest = Digests.Sha256(layer), size = layer.Length, urls = new[] { new Uri(otherServer.Url, "vex.json").ToString() } } },
            ["subject"] = new { mediaType = MediaTypes.OciManifest, digest, size = manifest.Length },
        });
        var artifact = new VexArtifact(artifactManifest, Digests.Sha256(artifactManifest), VexArtifactTypes.OpenVex, layer, new Dictionary<string, string>());
        spec.Artifact(artifact);
        spec.Referrers(digest, [artifact]);
        await using var server = await TestHttpServer.StartAsync(spec.Handle);
        await using var services = Services(server);

        var result = await VexReferrerDiscovery.DiscoverAsync(services.GetRequiredService<IRegistryClientFactory>().For("spec"), Repository, digest);
        Assert.Multiple(() =>
        {
            Assert.That(result.Documents.Single().Document.Id, Is.EqualTo("urn:vex:team-app:1"));
            Assert.That(other.Requests, Is.Empty);
            Assert.That(spec.Requests, Does.Contain($"/v2/{Repository}/blobs/{Digests.Sha256(layer)}"));
        });
    }
}
