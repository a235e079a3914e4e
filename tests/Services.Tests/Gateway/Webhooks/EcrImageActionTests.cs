using System.Net;
using System.Text.Json.Nodes;
using ImageScanning.TestSupport;

namespace ImageScanning.Services.Tests.Gateway.Webhooks;

/// <summary>
/// Amazon ECR's "ECR Image Action" events on /webhooks/ecr/{registry}, as an EventBridge API destination posts them, from the
/// AWS docs' samples in the corpus (webhooks/aws-eventbridge), through the real Gateway host and a real docker-registry standing
/// in for the ECR registry (its images are looked up there for their media type). The docs' sample digest has 60 hex digits,
/// not 64: as published it is malformed, so the accepted pushes carry the digest of an image pushed for the test.
/// </summary>
[NonParallelizable]
public sealed class EcrImageActionTests
{
    private const string Path = "/webhooks/ecr/local";
    private const string Repository = "my-repository-name";
    private static readonly Dictionary<string, string> Auth = new() { ["Authorization"] = "Bearer " + GatewayHost.WebhookToken };

    /// <summary>The corpus samples' account and region, configured as the registry's.</summary>
    private static readonly Dictionary<string, string?> EcrSettings = new()
    {
        ["Registries:0:Ecr:AccountId"] = "123456789012",
        ["Registries:0:Ecr:Region"] = "us-west-2",
    };

    private WebhookTestRegistry registry = null!;
    private PushedImage pushed = null!;
    private string directory = "";

    [OneTimeSetUp]
    public async Task StartRegistry()
    {
        registry = await WebhookTestRegistry.StartAsync();
        pushed = await registry.PushAsync(Repository, "latest");
    }

    [OneTimeTearDown]
    public async Task StopRegistry() => await registry.DisposeAsync();

    [SetUp]
    public void SetUp() => directory = Directory.CreateTempSubdirectory("gateway-ecr-").FullName;

    [TearDown]
    public void TearDown() => WebhookRequests.DeleteDirectory(directory);

    private static string Sample(string action) => File.ReadAllText(Corpus.PathOf("webhooks", "aws-eventbridge", $"ecr-image-action-{action}.json"));

    /// <summary>The sample with the digest of the pushed image (and whatever else <paramref name="edit"/> changes).</summary>
    private string SampleFor(string action, Action<JsonObject>? edit = null)
    {
        var json = JsonNode.Parse(Sample(action))!.AsObject();
        json["detail"]!["image-digest"] = pushed.Digest;
        edit?.Invoke(json);
        return json.ToJsonString();
    }

    [Test]
    public async Task A_successful_push_reaches_the_outbox_and_the_bus_with_the_media_type_the_registry_gives_it()
    {
        await using var gateway = await registry.StartGatewayAsync(directory, EcrSettings);

        var answer = await gateway.PostAsync(Path, SampleFor("push"), Auth);

        const string id = "13cde686-328b-6117-af20-0e5566167482";
        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Accepted), answer.ToString());
        Assert.That(answer.Events.Single(), Is.EqualTo(((string?)id, "accepted", (string?)null)));
        Assert.That(await WebhookRequests.OutboxIdsAsync(directory), Is.EqualTo(new[] { WebhookRequests.PushIdOf(id) }));
        var push = (await gateway.WaitForPushesAsync(1)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(push.DeliveryId, Is.EqualTo(id));
            Assert.That(push.Registry, Is.EqualTo("local"));
            Assert.That(push.Repository, Is.EqualTo(Repository));
            Assert.That(push.Digest, Is.EqualTo(pushed.Digest));
            Assert.That(push.Tag, Is.EqualTo("latest"));
            Assert.That(push.MediaType, Is.EqualTo("application/vnd.oci.image.manifest.v1+json"));
            Assert.That(push.PushedAt, Is.EqualTo(DateTimeOffset.Parse("2019-11-16T01:54:34Z", System.Globalization.CultureInfo.InvariantCulture)));
        });
    }

    [Test]
    public async Task A_push_naming_its_manifest_media_type_needs_no_lookup_and_a_push_by_digest_has_no_tag()
    {
        await using var gateway = await WebhookTestRegistry.StartGatewayWithoutRegistryAsync(directory, EcrSettings);
        var body = SampleFor("push", json =>
        {
            json["detail"]!["manifest-media-type"] = "application/vnd.docker.distribution.manifest.v2+json";
            json["detail"]!.AsObject().Remove("image-tag");
        });

        var answer = await gateway.PostAsync(Path, body, Auth);

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Accepted), answer.ToString());
        var push = (await gateway.WaitForPushesAsync(1)).Single();
        Assert.That((push.Tag, push.MediaType), Is.EqualTo(((string?)null, "application/vnd.docker.distribution.manifest.v2+json")));
    }

    [Test]
    public async Task The_same_event_delivered_again_is_stored_once()
    {
        await using var gateway = await registry.StartGatewayAsync(directory, EcrSettings);

        await gateway.PostAsync(Path, SampleFor("push"), Auth);
        var again = await gateway.PostAsync(Path, SampleFor("push"), Auth);

        Assert.That(again.Events.Single().Reason, Does.Contain("already accepted"));
        Assert.That(await WebhookRequests.OutboxIdsAsync(directory), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_delete_is_acknowledged_and_not_acted_on()
    {
        await using var gateway = await registry.StartGatewayAsync(directory, EcrSettings);

        var answer = await gateway.PostAsync(Path, Sample("delete"), Auth);

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Accepted), answer.ToString());
        Assert.That(answer.Events.Single().EventId, Is.EqualTo("dd3b46cb-2c74-f49e-393b-28286b67279d"));
        Assert.That(answer.Events.Single().Outcome, Is.EqualTo("ignored"));
        Assert.That(answer.Events.Single().Reason, Does.StartWith("an image delete: acknowledged and not acted on"));
        Assert.That(await WebhookRequests.OutboxIdsAsync(directory), Is.Empty);
    }

    [TestCase("detail", "result", "FAILURE", "a push whose result is 'FAILURE', not SUCCESS")]
    [TestCase("detail", "action-type", "REPLICATE", "action-type 'REPLICATE' is not a push")]
    [TestCase("", "detail-type", "ECR Image Scan", "'ECR Image Scan' from 'aws.ecr' is not an ECR Image Action event of aws.ecr")]
    [TestCase("", "source", "aws.inspector2", "'ECR Image Action' from 'aws.inspector2' is not an ECR Image Action event of aws.ecr")]
    public async Task Other_events_are_ignored_with_the_reason(string parent, string field, string value, string reason)
    {
        await using var gateway = await registry.StartGatewayAsync(directory, EcrSettings);
        var body = SampleFor("push", json => (parent.Length == 0 ? json : json[parent]!.AsObject())[field] = value);

        var answer = await gateway.PostAsync(Path, body, Auth);

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Accepted), answer.ToString());
        Assert.That(answer.Events.Single().Outcome, Is.EqualTo("ignored"));
        Assert.That(answer.Events.Single().Reason, Is.EqualTo(reason));
        Assert.That(await WebhookRequests.OutboxIdsAsync(directory), Is.Empty);
    }

    [TestCase("account", "210987654321", "the event is of account 210987654321 in us-west-2; registry 'local' is account 123456789012 in us-west-2")]
    [TestCase("region", "eu-west-1", "the event is of account 123456789012 in eu-west-1; registry 'local' is account 123456789012 in us-west-2")]
    public async Task An_event_of_another_account_or_region_is_rejected(string field, string value, string reason)
    {
        await using var gateway = await registry.StartGatewayAsync(directory, EcrSettings);

        var answer = await gateway.PostAsync(Path, SampleFor("push", json => json[field] = value), Auth);

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Accepted), answer.ToString());
        Assert.That(answer.Events.Single().Outcome, Is.EqualTo("rejected"));
        Assert.That(answer.Events.Single().Reason, Is.EqualTo(reason));
        Assert.That(await WebhookRequests.OutboxIdsAsync(directory), Is.Empty);
    }

    [Test]
    public async Task A_registry_not_configured_as_ecr_accepts_no_push()
    {
        await using var gateway = await registry.StartGatewayAsync(directory);

        var answer = await gateway.PostAsync(Path, SampleFor("push"), Auth);

        Assert.That(answer.Events.Single().Outcome, Is.EqualTo("rejected"));
        Assert.That(answer.Events.Single().Reason, Does.Contain("not configured as an ECR registry"));
    }

    [Test]
    public async Task The_docs_sample_as_published_is_malformed_for_its_60_digit_digest()
    {
        await using var gateway = await registry.StartGatewayAsync(directory, EcrSettings);

        var answer = await gateway.PostAsync(Path, Sample("push"), Auth);

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.OK), answer.ToString());
        Assert.That(answer.Body.GetProperty("code").GetString(), Is.EqualTo("malformed"));
        Assert.That(answer.Body.GetProperty("reason").GetString(), Does.Contain("is not a sha256 digest"));
    }

    [TestCase(null)]
    [TestCase("Bearer wrong-token")]
    public async Task A_missing_or_wrong_api_key_is_401_and_stores_nothing(string? header)
    {
        await using var gateway = await registry.StartGatewayAsync(directory, EcrSettings);

        var answer = await gateway.PostAsync(Path, SampleFor("push"), header is null ? null : new Dictionary<string, string> { ["Authorization"] = header });

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Unauthorized), answer.ToString());
        Assert.That(await WebhookRequests.OutboxIdsAsync(directory), Is.Empty);
    }
}
