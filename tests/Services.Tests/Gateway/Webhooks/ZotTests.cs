using System.Net;
using System.Text.Json;
using ImageScanning.TestSupport;

namespace ImageScanning.Services.Tests.Gateway.Webhooks;

/// <summary>
/// Zot's events extension (http sink) on /webhooks/zot/{registry}, through the real Gateway host and a real docker-registry. The
/// corpus has no Zot sample: the events are built from what Zot documents and emits — zotregistry.dev "Event Support for zot"
/// (sinks, credentials.token, typePrefix), and its events recorder (zotregistry.image.updated with data {name, reference, digest,
/// mediaType, manifest}; image.deleted, repository.created, image.lint_failed), sent as CloudEvents in binary mode (Ce-* headers,
/// the data as body) as Zot's own sink tests read them, or in structured mode.
/// </summary>
[NonParallelizable]
public sealed class ZotTests
{
    private const string Path = "/webhooks/zot/local";

    private WebhookTestRegistry registry = null!;
    private PushedImage pushed = null!;
    private string directory = "";

    [OneTimeSetUp]
    public async Task StartRegistry()
    {
        registry = await WebhookTestRegistry.StartAsync();
        pushed = await registry.PushAsync("golang", "latest");
    }

    [OneTimeTearDown]
    public async Task StopRegistry() => await registry.DisposeAsync();

    [SetUp]
    public void SetUp() => directory = Directory.CreateTempSubdirectory("gateway-zot-").FullName;

    [TearDown]
    public void TearDown() => WebhookRequests.DeleteDirectory(directory);

    private string Data(string? digest = "pushed", string? mediaType = "application/vnd.oci.image.manifest.v1+json", string reference = "latest") =>
        JsonSerializer.Serialize(new Dictionary<string, string?>
        {
            ["name"] = "golang",
            ["reference"] = reference,
            ["digest"] = digest == "pushed" ? pushed.Digest : digest,
            ["mediaType"] = mediaType,
            ["manifest"] = "{\"schemaVersion\":2}",
        }.Where(p => p.Value is not null).ToDictionary());

    private static Dictionary<string, string> Binary(string type = "zotregistry.image.updated", string id = "5f1b2c9e-4d0a-4f57-9a7e-0e8f3c1d2b6a",
        string? authorization = "Bearer " + GatewayHost.WebhookToken)
    {
        var headers = new Dictionary<string, string>
        {
            ["Ce-Specversion"] = "1.0",
            ["Ce-Id"] = id,
            ["Ce-Source"] = "zotregistry.dev",
            ["Ce-Type"] = type,
            ["Ce-Time"] = "2026-11-28T02:29:12Z",
        };
        if (authorization is not null) headers["Authorization"] = authorization;
        return headers;
    }

    [Test]
    public async Task A_pushed_image_and_its_binary_mode_image_updated_event_reach_the_outbox_and_the_bus_with_its_digest()
    {
        await using var gateway = await registry.StartGatewayAsync(directory);

        var answer = await gateway.PostAsync(Path, Data(), Binary());

        const string id = "5f1b2c9e-4d0a-4f57-9a7e-0e8f3c1d2b6a";
        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Accepted), answer.ToString());
        Assert.That(await WebhookRequests.OutboxIdsAsync(directory), Is.EqualTo(new[] { WebhookRequests.PushIdOf(id) }));
        var push = (await gateway.WaitForPushesAsync(1)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(push.DeliveryId, Is.EqualTo(id));
            Assert.That(push.Repository, Is.EqualTo("golang"));
            Assert.That(push.Digest, Is.EqualTo(pushed.Digest));
            Assert.That(push.Tag, Is.EqualTo("latest"));
            Assert.That(push.PushedAt, Is.EqualTo(DateTimeOffset.Parse("2026-11-28T02:29:12Z")));
        });
    }

    [Test]
    public async Task A_structured_mode_event_with_a_configured_type_prefix_is_accepted()
    {
        await using var gateway = await registry.StartGatewayAsync(directory);
        var body = $$"""
            {"specversion":"1.0","id":"c0ffee00-0000-4000-8000-000000000001","source":"https://registry.example.com",
             "type":"com.example.registry.image.updated","time":"2026-11-28T02:30:00Z","datacontenttype":"application/json",
             "data":{{Data()}}}
            """;

        var answer = await gateway.PostAsync(Path, body, new Dictionary<string, string> { ["Authorization"] = "Bearer " + GatewayHost.WebhookToken },
            "application/cloudevents+json");

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Accepted), answer.ToString());
        var push = (await gateway.WaitForPushesAsync(1)).Single();
        Assert.That((push.DeliveryId, push.Digest), Is.EqualTo(("c0ffee00-0000-4000-8000-000000000001", pushed.Digest)));
    }

    [Test]
    public async Task An_event_naming_only_the_tag_is_completed_from_the_registry()
    {
        await using var gateway = await registry.StartGatewayAsync(directory);

        var answer = await gateway.PostAsync(Path, Data(digest: null, mediaType: null), Binary(id: "tag-only-1"));

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Accepted), answer.ToString());
        var push = (await gateway.WaitForPushesAsync(1)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(push.DeliveryId, Is.EqualTo($"tag-only-1@{pushed.Digest}"));
            Assert.That(push.Digest, Is.EqualTo(pushed.Digest));
            Assert.That(push.MediaType, Is.EqualTo("application/vnd.oci.image.manifest.v1+json"));
        });
    }

    [TestCase("zotregistry.image.deleted", "not acted on")]
    [TestCase("zotregistry.repository.created", "event type 'zotregistry.repository.created' is not an image update")]
    [TestCase("zotregistry.image.lint_failed", "event type 'zotregistry.image.lint_failed' is not an image update")]
    public async Task Other_event_types_are_acknowledged_as_ignored(string type, string reason)
    {
        await using var gateway = await registry.StartGatewayAsync(directory);

        var answer = await gateway.PostAsync(Path, Data(), Binary(type));

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Accepted), answer.ToString());
        Assert.That(answer.Events.Single().Outcome, Is.EqualTo("ignored"));
        Assert.That(answer.Events.Single().Reason, Does.Contain(reason));
        Assert.That(await WebhookRequests.OutboxIdsAsync(directory), Is.Empty);
    }

    [TestCase("application/vnd.oci.image.index.v1+json", "an image index")]
    [TestCase("application/vnd.oci.artifact.manifest.v1+json", "not an image manifest")]
    public async Task Indexes_and_other_media_types_are_ignored(string mediaType, string reason)
    {
        await using var gateway = await registry.StartGatewayAsync(directory);

        var answer = await gateway.PostAsync(Path, Data(mediaType: mediaType), Binary());

        Assert.That(answer.Events.Single().Outcome, Is.EqualTo("ignored"));
        Assert.That(answer.Events.Single().Reason, Does.Contain(reason));
    }

    [TestCase(null)]
    [TestCase("Bearer wrong")]
    [TestCase("Basic d2ViaG9vay11c2VyOndlYmhvb2stcGFzc3dvcmQ=")]
    public async Task A_missing_or_wrong_token_is_401(string? authorization)
    {
        await using var gateway = await registry.StartGatewayAsync(directory);

        var answer = await gateway.PostAsync(Path, Data(), Binary(authorization: authorization));

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Unauthorized), answer.ToString());
        Assert.That(await WebhookRequests.OutboxIdsAsync(directory), Is.Empty);
    }

    [Test]
    public async Task A_redelivered_event_is_recorded_as_repeated_and_stored_once()
    {
        await using var gateway = await registry.StartGatewayAsync(directory);

        await gateway.PostAsync(Path, Data(), Binary());
        var again = await gateway.PostAsync(Path, Data(), Binary());

        Assert.That(again.Events.Single().Reason, Does.Contain("already accepted"));
        Assert.That(await WebhookRequests.OutboxIdsAsync(directory), Has.Count.EqualTo(1));
    }

    [TestCase("not json", "not valid JSON")]
    [TestCase("""{"name":"Go/../lang","reference":"latest"}""", "not a valid repository name")]
    [TestCase("""{"name":"golang","reference":"latest","digest":"sha256:abc","mediaType":"application/vnd.oci.image.manifest.v1+json"}""", "not a sha256 digest")]
    [TestCase("""{"name":"golang","reference":"sha512:abc"}""", "neither a digest nor a tag")]
    public async Task A_malformed_event_is_acknowledged_as_rejected(string body, string reason)
    {
        await using var gateway = await registry.StartGatewayAsync(directory);

        var answer = await gateway.PostAsync(Path, body, Binary());

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.OK), answer.ToString());
        Assert.That(answer.Body.GetProperty("code").GetString(), Is.EqualTo("malformed"));
        Assert.That(answer.Body.GetProperty("reason").GetString(), Does.Contain(reason));
    }
}
