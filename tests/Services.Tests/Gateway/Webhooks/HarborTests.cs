using System.Net;
using ImageScanning.TestSupport;

namespace ImageScanning.Services.Tests.Gateway.Webhooks;

/// <summary>
/// Harbor's webhooks on /webhooks/harbor/{registry}, from the Harbor docs' payload samples (Default and CloudEvents formats) in
/// the corpus, through the real Gateway host and a real docker-registry: pushes name a digest, which the Gateway looks up in the
/// registry for its media type; Harbor authenticates with the fixed Authorization value of its webhook policy.
/// </summary>
[NonParallelizable]
public sealed class HarborTests
{
    private const string CorpusDigest = "sha256:954b378c375d852eb3c63ab88978f640b4348b01c1b3456a024a81536dafbbf4";
    private const string Path = "/webhooks/harbor/local";
    private static readonly Dictionary<string, string> Auth = new() { ["Authorization"] = GatewayHost.WebhookToken };

    private WebhookTestRegistry registry = null!;
    private PushedImage pushed = null!;
    private string directory = "";

    [OneTimeSetUp]
    public async Task StartRegistry()
    {
        registry = await WebhookTestRegistry.StartAsync();
        pushed = await registry.PushAsync("harbor/alpine", "v1");
    }

    [OneTimeTearDown]
    public async Task StopRegistry() => await registry.DisposeAsync();

    [SetUp]
    public void SetUp() => directory = Directory.CreateTempSubdirectory("gateway-harbor-").FullName;

    [TearDown]
    public void TearDown() => WebhookRequests.DeleteDirectory(directory);

    private static string Sample(string file) =>
        WebhookRequests.RepairedJsonc(File.ReadAllText(Corpus.PathOf("webhooks", "harbor", file)));

    /// <summary>The sample as Harbor would send it for the image this test pushed (its digest in digest, tag and resource_url).</summary>
    private string SampleFor(string file) => Sample(file).Replace(CorpusDigest, pushed.Digest, StringComparison.Ordinal);

    [Test]
    public async Task A_pushed_image_and_its_default_PUSH_ARTIFACT_notification_reach_the_outbox_and_the_bus_with_its_digest()
    {
        await using var gateway = await registry.StartGatewayAsync(directory);

        var answer = await gateway.PostAsync(Path, SampleFor("push-artifact.default.json"), Auth);

        var id = $"PUSH_ARTIFACT:1680501893:harbor/alpine@{pushed.Digest}";
        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Accepted), answer.ToString());
        Assert.That(await WebhookRequests.OutboxIdsAsync(directory), Is.EqualTo(new[] { WebhookRequests.PushIdOf(id) }));
        var push = (await gateway.WaitForPushesAsync(1)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(push.DeliveryId, Is.EqualTo(id));
            Assert.That(push.Registry, Is.EqualTo("local"));
            Assert.That(push.Repository, Is.EqualTo("harbor/alpine"));
            Assert.That(push.Digest, Is.EqualTo(pushed.Digest));
            Assert.That(push.Tag, Is.Null, "pushed by digest, Harbor's tag holds the digest: no tag");
            Assert.That(push.MediaType, Is.EqualTo("application/vnd.oci.image.manifest.v1+json"), "as the registry serves the manifest");
            Assert.That(push.PushedAt, Is.EqualTo(DateTimeOffset.FromUnixTimeSeconds(1680501893)));
        });
    }

    [Test]
    public async Task The_cloudevents_push_is_accepted_under_its_event_id_with_a_bearer_header()
    {
        await using var gateway = await registry.StartGatewayAsync(directory);

        var answer = await gateway.PostAsync(Path, SampleFor("push-artifact.cloudevents.jsonc"),
            new Dictionary<string, string> { ["Authorization"] = "Bearer " + GatewayHost.WebhookToken }, "application/cloudevents+json");

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Accepted), answer.ToString());
        var push = (await gateway.WaitForPushesAsync(1)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(push.DeliveryId, Is.EqualTo("66e18103-09c1-41f6-982f-37df223f3eeb"));
            Assert.That(push.Digest, Is.EqualTo(pushed.Digest));
            Assert.That(push.PushedAt, Is.EqualTo(DateTimeOffset.Parse("2023-04-03T06:04:46Z")));
        });
    }

    [Test]
    public async Task A_tagged_push_keeps_its_tag()
    {
        await using var gateway = await registry.StartGatewayAsync(directory);
        var body = SampleFor("push-artifact.default.json").Replace($"\"tag\": \"{pushed.Digest}\"", "\"tag\": \"v1\"", StringComparison.Ordinal);

        var answer = await gateway.PostAsync(Path, body, Auth);

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Accepted), answer.ToString());
        Assert.That((await gateway.WaitForPushesAsync(1)).Single().Tag, Is.EqualTo("v1"));
    }

    [TestCase("pull-artifact.default.json", "PULL_ARTIFACT:1680502372:harbor/alpine@" + CorpusDigest, "2023-04-03T06:12:52Z")]
    [TestCase("pull-artifact.cloudevents.jsonc", "718eab63-2efa-4f88-8c27-8bcacc34929b", "2023-04-03T06:12:52Z")]
    public async Task Pulls_in_both_formats_become_image_pulls(string file, string id, string at)
    {
        await using var gateway = await WebhookTestRegistry.StartGatewayWithoutRegistryAsync(directory);

        var answer = await gateway.PostAsync(Path, Sample(file), Auth);

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Accepted), answer.ToString());
        Assert.That(answer.Accepted, Is.EqualTo(1));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (gateway.Captured().Pulls.IsEmpty && DateTime.UtcNow < deadline) await Task.Delay(50);
        var pull = gateway.Captured().Pulls.Single();
        Assert.Multiple(() =>
        {
            Assert.That(pull.DeliveryId, Is.EqualTo(id));
            Assert.That(pull.Repository, Is.EqualTo("harbor/alpine"));
            Assert.That(pull.Digest, Is.EqualTo(CorpusDigest));
            Assert.That(pull.PulledAt, Is.EqualTo(DateTimeOffset.Parse(at)));
        });
    }

    [Test]
    public async Task A_pull_by_the_account_the_scanners_pull_with_is_ignored()
    {
        await using var gateway = await WebhookTestRegistry.StartGatewayWithoutRegistryAsync(directory, new Dictionary<string, string?>
        {
            ["Registries:0:Username"] = "robot$harbor+wHSYCuGD-Trivy-8e2e7505-d1e6-11ed-9e71-0242ac130009",
        });

        var answer = await gateway.PostAsync(Path, Sample("pull-artifact.default.json"), Auth);

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Accepted), answer.ToString());
        Assert.That(answer.Accepted, Is.Zero);
        Assert.That(answer.Events.Single().Reason, Does.Contain("this platform's scanner"));
        Assert.That(await WebhookRequests.OutboxIdsAsync(directory), Is.Empty);
    }

    [TestCase("delete-artifact.default.json")]
    [TestCase("delete-artifact.cloudevents.json")]
    public async Task Deletes_are_acknowledged_and_recorded_as_not_acted_on(string file)
    {
        await using var gateway = await WebhookTestRegistry.StartGatewayWithoutRegistryAsync(directory);

        var answer = await gateway.PostAsync(Path, Sample(file), Auth);

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Accepted), answer.ToString());
        var outcome = answer.Events.Single();
        Assert.Multiple(async () =>
        {
            Assert.That(outcome.Outcome, Is.EqualTo("ignored"));
            Assert.That(outcome.Reason, Does.Contain("not acted on"));
            Assert.That(await WebhookRequests.OutboxIdsAsync(directory), Is.Empty);
        });
    }

    [TestCase("scanning-completed.default.json", "SCANNING_COMPLETED")]
    [TestCase("scanning-completed.cloudevents.json", "harbor.scan.completed")]
    [TestCase("scanning-failed.default.json", "SCANNING_FAILED")]
    [TestCase("quota-exceed.default.json", "QUOTA_EXCEED")]
    [TestCase("replication.default.json", "REPLICATION")]
    [TestCase("tag-retention.default.json", "TAG_RETENTION")]
    public async Task Other_event_types_are_acknowledged_as_ignored(string file, string type)
    {
        await using var gateway = await WebhookTestRegistry.StartGatewayWithoutRegistryAsync(directory);

        var answer = await gateway.PostAsync(Path, Sample(file), Auth);

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Accepted), answer.ToString());
        Assert.That(answer.Events.Single().Outcome, Is.EqualTo("ignored"));
        Assert.That(answer.Events.Single().Reason, Is.EqualTo($"event type '{type}' is not an artifact push, pull or delete"));
    }

    [TestCase(null)]
    [TestCase("wrong-token")]
    [TestCase("Bearer wrong-token")]
    [TestCase("Basic " + GatewayHost.WebhookToken)]
    public async Task A_missing_or_wrong_auth_header_is_401_and_stores_nothing(string? header)
    {
        await using var gateway = await registry.StartGatewayAsync(directory);

        var answer = await gateway.PostAsync(Path, SampleFor("push-artifact.default.json"),
            header is null ? null : new Dictionary<string, string> { ["Authorization"] = header });

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Unauthorized), answer.ToString());
        Assert.That(await WebhookRequests.OutboxIdsAsync(directory), Is.Empty);
    }

    [Test]
    public async Task A_repeated_delivery_is_recorded_as_repeated_and_stored_once()
    {
        await using var gateway = await registry.StartGatewayAsync(directory);
        var body = SampleFor("push-artifact.cloudevents.jsonc");

        var first = await gateway.PostAsync(Path, body, Auth);
        var again = await gateway.PostAsync(Path, body, Auth);

        Assert.Multiple(async () =>
        {
            Assert.That(first.Status, Is.EqualTo(HttpStatusCode.Accepted), first.ToString());
            Assert.That(again.Status, Is.EqualTo(HttpStatusCode.Accepted), again.ToString());
            Assert.That(again.Events.Single().Reason, Does.Contain("already accepted"));
            Assert.That(await WebhookRequests.OutboxIdsAsync(directory), Has.Count.EqualTo(1));
            Assert.That(await gateway.WaitForPushesAsync(2, TimeSpan.FromSeconds(2)), Has.Count.EqualTo(1));
        });
    }

    [TestCase("not json", "not valid JSON")]
    [TestCase("""{"type":"PUSH_ARTIFACT","occur_at":1}""", "without its \"event_data\"")]
    [TestCase("""{"type":"PUSH_ARTIFACT","event_data":{"repository":{"repo_full_name":"Harbor/../x"},"resources":[]}}""", "not a valid repository name")]
    [TestCase("""{"type":"PUSH_ARTIFACT","event_data":{"repository":{"repo_full_name":"harbor/alpine"},"resources":[{"digest":"sha256:12"}]}}""", "not a sha256 digest")]
    public async Task A_malformed_payload_is_acknowledged_as_rejected(string body, string reason)
    {
        await using var gateway = await registry.StartGatewayAsync(directory);

        var answer = await gateway.PostAsync(Path, body, Auth);

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.OK), answer.ToString());
        Assert.That(answer.Body.GetProperty("code").GetString(), Is.EqualTo("malformed"));
        Assert.That(answer.Body.GetProperty("reason").GetString(), Does.Contain(reason));
    }

    [Test]
    public async Task A_digest_the_registry_does_not_have_is_acknowledged_and_rejected_per_event()
    {
        await using var gateway = await registry.StartGatewayAsync(directory);

        var answer = await gateway.PostAsync(Path, Sample("push-artifact.default.json"), Auth);

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Accepted), answer.ToString());
        var outcome = answer.Events.Single();
        Assert.That(outcome.Outcome, Is.EqualTo("rejected"));
        Assert.That(outcome.Reason, Does.Contain("could not be looked up").And.Contain("has no manifest"));
        Assert.That(await WebhookRequests.OutboxIdsAsync(directory), Is.Empty);
    }
}
