using System.Text;
using ImageScanning.ScanEngine.Images;
using ImageScanning.ScanEngine.Tests.Images;
using ImageScanning.ScanEngine.Vex;
using ImageScanning.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace ImageScanning.ScanEngine.Tests.Vex;

/// <summary>
/// VEX attached to an image in a real CNCF distribution registry (Debian's docker-registry 2.8). It has no referrers API, so
/// the artifacts are pushed with the distribution API and listed by the OCI 1.1 tag-schema fallback index "sha256-&lt;hex&gt;",
/// as oras and cosign do for such registries; the client must get a 404 from /referrers/ and read the tag.
/// </summary>
[NonParallelizable]
public sealed class VexReferrerDiscoveryTests
{
    private const string Registry = "local";
    private const string Repository = "team/app";

    private RegistryServer registry = null!;
    private ServiceProvider services = null!;
    private PushedImage image = null!;
    private PushedImage bare = null!;
    private PushedImage cosigned = null!;
    private string attestations = null!;
    private VexArtifact openVex = null!;
    private VexArtifact cycloneDx = null!;
    private VexArtifact inToto = null!;
    private VexArtifact spdx = null!;
    private VexArtifact elsewhere = null!;

    private IRegistryClient Client => services.GetRequiredService<IRegistryClientFactory>().For(Registry);

    internal static byte[] OpenVexFor(string digest) => Encoding.UTF8.GetBytes($$"""
        {"@context":"https://openvex.dev/ns/v0.2.0","@id":"urn:vex:team-app:1","author":"Team App","timestamp":"2026-12-01T10:00:00Z",
         "statements":[{"vulnerability":{"name":"CVE-2023-4911","aliases":["DSA-5514-1"]},
                        "products":[{"@id":"pkg:oci/app@{{Uri.EscapeDataString(digest)}}","subcomponents":[{"@id":"pkg:deb/debian/libc6"}]}],
                        "status":"not_affected","justification":"vulnerable_code_not_in_execute_path",
                        "impact_statement":"No setuid binaries in the image; GLIBC_TUNABLES is never read with privileges."}]}
        """);

    [OneTimeSetUp]
    public async Task PushAnImageWithVexNextToIt()
    {
        registry = await RegistryServer.StartAsync();
        services = RegistryTestServices.Build([new RegistryOptions { Name = Registry, Url = registry.Url.ToString() }]);
        image = await TestImages.BuildAndPushAsync(TestImages.Builder().Layer(r => r.WriteFile("etc/hostname", "app\n")), registry, Repository, "v1");
        bare = await TestImages.BuildAndPushAsync(TestImages.Builder().Layer(r => r.WriteFile("etc/hostname", "bare\n")), registry, Repository, "bare");
        var subject = await Client.GetManifestAsync(Repository, image.Digest, CancellationToken.None);
        var other = await Client.GetManifestAsync(Repository, bare.Digest, CancellationToken.None);

        openVex = VexArtifact.Create(VexArtifactTypes.OpenVex, OpenVexFor(image.Digest), image.Digest, subject.Raw.Length, "2026-12-01T10:00:00Z");
        cycloneDx = VexArtifact.Create("application/vnd.cyclonedx+json;version=1.4", VexCorpus.Bytes("cyclonedx", "cisa-case1-vex-not_affected.json"),
            image.Digest, subject.Raw.Length, "2026-11-01T00:00:00Z");
        var statement = Encoding.UTF8.GetBytes(
            "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"app\",\"digest\":{\"sha256\":\"" + image.Digest[7..] + "\"}}],"
            + "\"predicateType\":\"https://openvex.dev/ns/v0.2.0\",\"predicate\":" + Encoding.UTF8.GetString(VexCorpus.Bytes("openvex", "trivy-oci.openvex.json")) + "}");
        inToto = VexArtifact.Create(VexArtifactTypes.InToto, statement, image.Digest, subject.Raw.Length, "2026-10-01T00:00:00Z", "https://openvex.dev/ns/v0.2.0");
        spdx = VexArtifact.Create("application/spdx+json", """{"spdxVersion":"SPDX-2.3"}"""u8.ToArray(), image.Digest, subject.Raw.Length, "2026-12-02T00:00:00Z");
        // Listed under the image but made for another one: its subject gives it away.
        elsewhere = VexArtifact.Create(VexArtifactTypes.OpenVex, OpenVexFor(bare.Digest), bare.Digest, other.Raw.Length, "2026-12-03T00:00:00Z");

        cosigned = await TestImages.BuildAndPushAsync(TestImages.Builder().Layer(r => r.WriteFile("etc/hostname", "cosigned\n")), registry, Repository, "cosigned");
        attestations = await PushCosignAttestationsAsync(cosigned.Digest);

        VexArtifact[] all = [openVex, cycloneDx, inToto, spdx, elsewhere];
        foreach (var artifact in all) await artifact.PushAsync(registry, Repository);
        await TestImages.PutManifestAsync(registry, Repository, image.Digest.Replace(':', '-'), MediaTypes.OciIndex, VexArtifact.Index(all));
    }

    /// <summary>
    /// cosign v2's layout: an image manifest at tag "sha256-HEX.att", one DSSE envelope layer per attestation (here SLSA provenance,
    /// then OpenVEX), each annotated with its predicateType.
    /// </summary>
    private async Task<string> PushCosignAttestationsAsync(string digest)
    {
        static byte[] Envelope(string predicateType, string predicate) => Encoding.UTF8.GetBytes(
            "{\"payloadType\":\"application/vnd.in-toto+json\",\"signatures\":[{\"keyid\":\"\",\"sig\":\"MEUCIQ==\"}],\"payload\":\""
            + Convert.ToBase64String(Encoding.UTF8.GetBytes(
                "{\"_type\":\"https://in-toto.io/Statement/v0.1\",\"predicateType\":\"" + predicateType + "\",\"subject\":[],\"predicate\":" + predicate + "}"))
            + "\"}");
        var provenance = Envelope("https://slsa.dev/provenance/v0.2", "{\"builder\":{\"id\":\"ci\"}}");
        var vex = Envelope("https://openvex.dev/ns/v0.2.0", Encoding.UTF8.GetString(OpenVexFor(digest)));
        var config = """{"architecture":"","os":"","rootfs":{"type":"layers","diff_ids":[]},"config":{}}"""u8.ToArray();
        foreach (var blob in new[] { provenance, vex, config }) await TestImages.PushBlobAsync(registry, Repository, blob);
        var manifest = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new
        {
            schemaVersion = 2,
            mediaType = MediaTypes.OciManifest,
            config = new { mediaType = MediaTypes.OciConfig, digest = Digests.Sha256(config), size = config.Length },
            layers = new[] { (provenance, "https://slsa.dev/provenance/v0.2"), (vex, "https://openvex.dev/ns/v0.2.0") }.Select(l => new
            {
                mediaType = VexArtifactTypes.DsseEnvelope, digest = Digests.Sha256(l.Item1), size = l.Item1.Length,
                annotations = new Dictionary<string, string> { ["predicateType"] = l.Item2 },
            }),
        });
        return await TestImages.PutManifestAsync(registry, Repository, digest.Replace(':', '-') + ".att", MediaTypes.OciManifest, manifest);
    }

    [OneTimeTearDown]
    public async Task StopRegistry()
    {
        await services.DisposeAsync();
        await registry.DisposeAsync();
    }

    [Test]
    public async Task Docker_registry_has_no_referrers_API_so_the_tag_schema_index_is_read()
    {
        var from = registry.LogPosition;
        var listing = await Client.ListReferrersAsync(Repository, image.Digest, CancellationToken.None);
        await registry.SyncLogAsync();
        var requests = registry.Requests(from);
        Assert.Multiple(() =>
        {
            Assert.That(listing.FromTagSchema, Is.True);
            Assert.That(listing.Referrers.Select(r => r.Digest), Is.EqualTo(new[] { openVex.Digest, cycloneDx.Digest, inToto.Digest, spdx.Digest, elsewhere.Digest }));
            Assert.That(listing.Referrers.Select(r => r.ArtifactType), Is.EqualTo(new[]
                { VexArtifactTypes.OpenVex, "application/vnd.cyclonedx+json;version=1.4", VexArtifactTypes.InToto, "application/spdx+json", VexArtifactTypes.OpenVex }));
            Assert.That(listing.Referrers[2].Annotations["in-toto.io/predicate-type"], Is.EqualTo("https://openvex.dev/ns/v0.2.0"));
            Assert.That(requests.Any(r => r.Path == $"/v2/{Repository}/referrers/{image.Digest}" && r.Status == 404), Is.True, string.Join("\n", requests));
            Assert.That(requests.Any(r => r.Path == $"/v2/{Repository}/manifests/{image.Digest.Replace(':', '-')}" && r.Status == 200), Is.True);
        });
    }

    [Test]
    public async Task Vex_documents_are_discovered_read_and_silence_the_finding()
    {
        var from = registry.LogPosition;
        var result = await VexReferrerDiscovery.DiscoverAsync(Client, Repository, image.Digest, budget: new ImageBudget(ImageLimits.Default, "team/app"));
        await registry.SyncLogAsync();
        var set = new VexStatementSet(result.Documents.Select(d => d.Document));
        var finding = new VexFinding([image.Digest], Repository, registry.HostPort, "DSA-5514-1", ["CVE-2023-4911"], "pkg:deb/debian/libc6@2.36-9+deb12u1?arch=amd64&distro=debian-12");
        var match = set.Match(finding);
        var log4j = set.Match(new VexFinding([image.Digest], Repository, registry.HostPort, "CVE-2021-44228", [], "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"));
        Assert.Multiple(() =>
        {
            Assert.That(result.FromTagSchema, Is.True);
            Assert.That(result.Documents.Select(d => (d.ReferrerDigest, d.Document.Format)), Is.EqualTo(new[]
                { (openVex.Digest, VexFormat.OpenVex), (cycloneDx.Digest, VexFormat.CycloneDx), (inToto.Digest, VexFormat.OpenVex) }));
            Assert.That(result.Documents.Select(d => d.Document.Subject), Is.All.EqualTo(image.Digest));
            Assert.That(result.Skipped.Select(s => s.Digest), Is.EqualTo(new[] { elsewhere.Digest }));
            Assert.That(result.Skipped.Single().Reason, Does.Contain($"the referrer's subject is {bare.Digest}, not the image {image.Digest}"));
            Assert.That(match?.Silences, Is.True);
            Assert.That(match?.Statement.ImpactStatement, Does.StartWith("No setuid binaries"));
            Assert.That(match?.Statement.Justification, Is.EqualTo(VexJustification.VulnerableCodeNotInExecutePath));
            Assert.That(log4j?.Product, Is.EqualTo("product-ABC"), "the CycloneDX document's product is the image it is attached to");
            Assert.That(registry.Fetches(Repository, from).Any(r => r.Path.Contains(spdx.Digest)), Is.False, "the SBOM referrer is not fetched");
        });
    }

    [Test]
    public async Task An_image_without_referrers_has_no_vex()
    {
        var result = await VexReferrerDiscovery.DiscoverAsync(Client, Repository, bare.Digest);
        Assert.Multiple(() =>
        {
            Assert.That(result.Documents, Is.Empty);
            Assert.That(result.Skipped, Is.Empty);
            Assert.That(result.FromTagSchema, Is.True);
        });
    }

    [Test]
    public async Task Cosign_v2_attestations_at_the_att_tag_are_read_when_there_are_no_referrers()
    {
        var result = await VexReferrerDiscovery.DiscoverAsync(Client, Repository, cosigned.Digest);
        var match = new VexStatementSet(result.Documents.Select(d => d.Document))
            .Match(new VexFinding([cosigned.Digest], Repository, registry.HostPort, "CVE-2023-4911", [], "pkg:deb/debian/libc6@2.36-9+deb12u1?arch=amd64"));
        Assert.Multiple(() =>
        {
            Assert.That(result.Documents.Select(d => (d.ReferrerDigest, d.ArtifactType)), Is.EqualTo(new[] { (attestations, VexArtifactTypes.DsseEnvelope) }));
            Assert.That(result.Skipped, Is.Empty, "the provenance envelope is passed over, not an error");
            Assert.That(match?.Statement.DocumentId, Is.EqualTo("urn:vex:team-app:1"));
            Assert.That(match?.Silences, Is.True);
        });
    }

    [Test]
    public async Task The_image_budget_bounds_what_is_kept()
    {
        var result = await VexReferrerDiscovery.DiscoverAsync(Client, Repository, image.Digest,
            budget: new ImageBudget(new ImageLimits { MaxKeptBytes = openVex.Layer.Length }, "team/app"));
        Assert.Multiple(() =>
        {
            Assert.That(result.Documents.Select(d => d.ReferrerDigest), Is.EqualTo(new[] { openVex.Digest }));
            Assert.That(result.Skipped.Where(s => s.Reason.Contains("ImageLimits.MaxKeptBytes")).Select(s => s.Digest), Is.EqualTo(new[] { cycloneDx.Digest, inToto.Digest }));
        });
    }
}
