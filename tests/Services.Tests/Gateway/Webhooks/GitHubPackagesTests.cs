using System.Net;
using System.Security.Cryptography;
using System.Text;
using ImageScanning.TestSupport;

namespace ImageScanning.Services.Tests.Gateway.Webhooks;

/// <summary>
/// GitHub Container Registry's registry_package webhook on /webhooks/ghcr/{registry}, from the octokit payload samples in the
/// corpus with the delivery headers GitHub documents (PROVENANCE.md), signed with X-Hub-Signature-256 = HMAC-SHA256(secret, body),
/// through the real Gateway host and a real docker-registry.
/// </summary>
[NonParallelizable]
public sealed class GitHubPackagesTests
{
    private const string Path = "/webhooks/ghcr/local";
    private const string DeliveryId = "72d3162e-cc78-11e3-81ab-4c9367dc0958";
    /// <summary>The sample's version name: GHCR names a container version by its manifest digest (the sample's tag.digest is not a sha256 digest).</summary>
    private const string SampleVersionDigest = "sha256:3da1996a8115d7616457760d9920b815241d0a03b34cf5f04e9a0e9d8de37498";
    private const string SampleTagDigest = "sha256:6c62fb45fe66bfb1ea9a66abc38f6a0cc974292b";

    private WebhookTestRegistry registry = null!;
    private PushedImage pushed = null!;
    private string directory = "";

    [OneTimeSetUp]
    public async Task StartRegistry()
    {
        registry = await WebhookTestRegistry.StartAsync();
        pushed = await registry.PushAsync("codertocat/hello-world", "v1");
    }

    [OneTimeTearDown]
    public async Task StopRegistry() => await registry.DisposeAsync();

    [SetUp]
    public void SetUp() => directory = Directory.CreateTempSubdirectory("gateway-ghcr-").FullName;

    [TearDown]
    public void TearDown() => WebhookRequests.DeleteDirectory(directory);

    private static string Sample(string file = "registry_package.published.docker.json") =>
        File.ReadAllText(Corpus.PathOf("webhooks", "github-packages", file));

    /// <summary>The sample as GHCR would send it for the image this test pushed: its digest, tag v1, package_url on the test registry.</summary>
    private string SampleForPushed(bool withMediaType = true)
    {
        var body = Sample()
            .Replace(SampleTagDigest, pushed.Digest, StringComparison.Ordinal)
            .Replace(SampleVersionDigest, pushed.Digest, StringComparison.Ordinal)
            .Replace("\"package_url\": \"ghcr.io/Codertocat/hello-world:\"", $"\"package_url\": \"{pushed.HostPort}/Codertocat/hello-world:v1\"", StringComparison.Ordinal)
            .Replace("\"tag\": {\n          \"name\": \"\"", "\"tag\": {\n          \"name\": \"v1\"", StringComparison.Ordinal);
        return body.Replace("\"media_type\": \"application/vnd.docker.distribution.manifest.v2+json\"",
            withMediaType ? "\"media_type\": \"application/vnd.oci.image.manifest.v1+json\"" : "\"no_media_type\": \"\"", StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Headers(string body, string secret = WebhookTestRegistry.Secret, string gitHubEvent = "registry_package",
        string delivery = DeliveryId) => new()
    {
        ["X-GitHub-Event"] = gitHubEvent,
        ["X-GitHub-Delivery"] = delivery,
        ["X-Hub-Signature-256"] = Signature(secret, body),
        ["User-Agent"] = "GitHub-Hookshot/044aadd",
    };

    private static string Signature(string secret, string body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));

    [TestCase(true)]
    [TestCase(false)]
    public async Task A_pushed_image_and_its_signed_published_event_reach_the_outbox_and_the_bus_with_its_digest(bool withMediaType)
    {
        await using var gateway = await registry.StartGatewayAsync(directory);
        var body = SampleForPushed(withMediaType);
        Assert.That(body, Does.Contain($"{pushed.HostPort}/Codertocat/hello-world:v1").And.Contain("\"name\": \"v1\""), "the sample was adapted");

        var answer = await gateway.PostAsync(Path, body, Headers(body));

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Accepted), answer.ToString());
        Assert.That(await WebhookRequests.OutboxIdsAsync(directory), Is.EqualTo(new[] { WebhookRequests.PushIdOf(DeliveryId) }));
        var push = (await gateway.WaitForPushesAsync(1)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(push.DeliveryId, Is.EqualTo(DeliveryId));
            Assert.That(push.Repository, Is.EqualTo("codertocat/hello-world"), "package_url's path, lowercased as GHCR stores it");
            Assert.That(push.Digest, Is.EqualTo(pushed.Digest));
            Assert.That(push.Tag, Is.EqualTo("v1"));
            Assert.That(push.MediaType, Is.EqualTo("application/vnd.oci.image.manifest.v1+json"),
                withMediaType ? "as the payload says" : "as the registry serves it, when the payload does not say");
        });
    }

    [TestCase("registry_package.published.docker.json", "registry_package")]
    [TestCase("package.published.docker.json", "package")]
    public async Task The_corpus_samples_verbatim_are_accepted_with_the_version_digest(string file, string gitHubEvent)
    {
        await using var gateway = await WebhookTestRegistry.StartGatewayWithoutRegistryAsync(directory);
        var body = Sample(file);

        var answer = await gateway.PostAsync(Path, body, Headers(body, gitHubEvent: gitHubEvent));

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Accepted), answer.ToString());
        var push = (await gateway.WaitForPushesAsync(1)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(push.Digest, Is.EqualTo(SampleVersionDigest), "the sample's tag.digest has 40 hex digits: the version's name is the digest");
            Assert.That(push.Repository, Is.EqualTo("codertocat/hello-world"));
            Assert.That(push.Tag, Is.Null, "the sample's tag name is empty");
            Assert.That(push.MediaType, Is.EqualTo("application/vnd.docker.distribution.manifest.v2+json"));
        });
    }

    [TestCase("wrong-secret", null)]
    [TestCase(null, "sha1=0123")]
    [TestCase(null, "sha256=not-hex")]
    [TestCase(null, "")]
    public async Task A_bad_or_missing_signature_is_401_and_stores_nothing(string? secret, string? header)
    {
        await using var gateway = await registry.StartGatewayAsync(directory);
        var body = SampleForPushed();
        var headers = Headers(body, secret ?? WebhookTestRegistry.Secret);
        if (header is not null) headers["X-Hub-Signature-256"] = header;

        var answer = await gateway.PostAsync(Path, body, headers);

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Unauthorized), answer.ToString());
        Assert.That(await WebhookRequests.OutboxIdsAsync(directory), Is.Empty);
    }

    [Test]
    public async Task A_body_changed_after_signing_is_401()
    {
        await using var gateway = await registry.StartGatewayAsync(directory);
        var body = SampleForPushed();
        var headers = Headers(body);

        var answer = await gateway.PostAsync(Path, body.Replace("\"v1\"", "\"v2\"", StringComparison.Ordinal), headers);

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Unauthorized), answer.ToString());
    }

    [Test]
    public async Task A_signed_body_over_the_size_limit_cannot_be_checked_and_is_401()
    {
        await using var gateway = await registry.StartGatewayAsync(directory, new Dictionary<string, string?> { ["Gateway:Webhooks:MaxBodyBytes"] = "4096" });
        var body = SampleForPushed();
        Assert.That(Encoding.UTF8.GetByteCount(body), Is.GreaterThan(4096));

        var answer = await gateway.PostAsync(Path, body, Headers(body));

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Unauthorized), answer.ToString());
        Assert.That(answer.Body.GetProperty("message").GetString(), Does.Contain("MaxBodyBytes, so its signature cannot be checked"));
    }

    [Test]
    public async Task A_registry_without_a_webhook_secret_accepts_no_signature()
    {
        await using var gateway = await registry.StartGatewayAsync(directory, new Dictionary<string, string?> { ["Registries:0:WebhookSecret"] = "" });
        var body = SampleForPushed();

        var answer = await gateway.PostAsync(Path, body, Headers(body, secret: ""));

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Unauthorized), answer.ToString());
    }

    [Test]
    public async Task A_redelivery_with_the_same_delivery_id_is_recorded_as_repeated_and_stored_once()
    {
        await using var gateway = await registry.StartGatewayAsync(directory);
        var body = SampleForPushed();

        var first = await gateway.PostAsync(Path, body, Headers(body));
        var again = await gateway.PostAsync(Path, body, Headers(body));

        Assert.Multiple(async () =>
        {
            Assert.That(first.Status, Is.EqualTo(HttpStatusCode.Accepted), first.ToString());
            Assert.That(again.Events.Single().Reason, Does.Contain("already accepted"));
            Assert.That(await WebhookRequests.OutboxIdsAsync(directory), Has.Count.EqualTo(1));
        });
    }

    [TestCase("registry_package", "\"action\": \"published\"", "\"action\": \"updated\"", "action 'updated' is not published")]
    [TestCase("ping", "", "", "GitHub event 'ping' is not registry_package")]
    [TestCase("push", "", "", "GitHub event 'push' is not registry_package")]
    public async Task Other_events_and_actions_are_acknowledged_as_ignored(string gitHubEvent, string from, string to, string reason)
    {
        await using var gateway = await registry.StartGatewayAsync(directory);
        var body = from.Length == 0 ? SampleForPushed() : SampleForPushed().Replace(from, to, StringComparison.Ordinal);

        var answer = await gateway.PostAsync(Path, body, Headers(body, gitHubEvent: gitHubEvent));

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Accepted), answer.ToString());
        Assert.That(answer.Events.Single(), Is.EqualTo(((string?)DeliveryId, "ignored", reason)));
        Assert.That(await WebhookRequests.OutboxIdsAsync(directory), Is.Empty);
    }

    [TestCase("not json", "not valid JSON")]
    [TestCase("""{"action":"published"}""", "without its \"registry_package\" object")]
    [TestCase("""{"action":"published","registry_package":{"package_version":{"package_url":"ghcr.io/a/b:","container_metadata":{"tag":{"name":""}}}}}""", "neither a sha256 digest nor a tag")]
    public async Task A_signed_malformed_payload_is_acknowledged_as_rejected(string body, string reason)
    {
        await using var gateway = await registry.StartGatewayAsync(directory);

        var answer = await gateway.PostAsync(Path, body, Headers(body));

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.OK), answer.ToString());
        Assert.That(answer.Body.GetProperty("code").GetString(), Is.EqualTo("malformed"));
        Assert.That(answer.Body.GetProperty("reason").GetString(), Does.Contain(reason));
    }
}
