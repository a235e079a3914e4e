using System.Net;
using System.Net.Sockets;
using ImageScanning.TestSupport;

namespace ImageScanning.Services.Tests.Gateway.Webhooks;

/// <summary>
/// Quay's repo_push webhook on /webhooks/quay/{registry}?token=..., through the real Gateway host and a real docker-registry. The
/// corpus has no Quay sample: the payloads are built from the fields Quay documents (docs.quay.io "Repository Notifications" and
/// Red Hat Quay "Repository Notifications": repository, namespace, name, docker_url, homepage, updated_tags; older docs show
/// updated_tags as an object keyed by tag). No digest: each tag is looked up in the registry.
/// </summary>
[NonParallelizable]
public sealed class QuayTests
{
    private const string Repository = "mynamespace/repository";
    private const string Path = "/webhooks/quay/local?token=" + GatewayHost.WebhookToken;

    /// <summary>The documented Repository Push body (docs.quay.io), verbatim but for the host in the URLs.</summary>
    private const string DocumentedPush = """
        {
          "name": "repository",
          "repository": "mynamespace/repository",
          "namespace": "mynamespace",
          "docker_url": "quay.io/mynamespace/repository",
          "homepage": "https://quay.io/repository/mynamespace/repository",
          "updated_tags": [
            "latest"
          ]
        }
        """;

    /// <summary>The older documented form: updated_tags maps each tag to an image id (not a manifest digest).</summary>
    private const string DocumentedPushOldForm = """
        {
          "repository": "mynamespace/repository",
          "namespace": "mynamespace",
          "name": "repository",
          "docker_url": "quay.io/mynamespace/repository",
          "homepage": "https://quay.io/repository/mynamespace/repository",
          "updated_tags": {
            "latest": "b750fe79269d2ec9a3c593ef05b4332b1d1a02a62b4accb2c21d589ff2f5f2dc"
          }
        }
        """;

    /// <summary>The documented Dockerfile Build Queued body (abridged to its documented required fields).</summary>
    private const string DocumentedBuildQueued = """
        {
          "repository": "mynamespace/repository",
          "namespace": "mynamespace",
          "name": "repository",
          "docker_url": "quay.io/mynamespace/repository",
          "homepage": "https://quay.io/repository/mynamespace/repository/build?current=some-fake-build",
          "is_manual": false,
          "build_id": "build_uuid",
          "docker_tags": ["latest", "foo", "bar"]
        }
        """;

    private WebhookTestRegistry registry = null!;
    private PushedImage pushed = null!;
    private string directory = "";

    [OneTimeSetUp]
    public async Task StartRegistry() => registry = await WebhookTestRegistry.StartAsync();

    [OneTimeTearDown]
    public async Task StopRegistry() => await registry.DisposeAsync();

    [SetUp]
    public async Task SetUp()
    {
        directory = Directory.CreateTempSubdirectory("gateway-quay-").FullName;
        pushed = await registry.PushAsync(Repository, "latest");
    }

    [TearDown]
    public void TearDown() => WebhookRequests.DeleteDirectory(directory);

    [TestCase(DocumentedPush)]
    [TestCase(DocumentedPushOldForm)]
    public async Task A_pushed_tag_and_its_repo_push_reach_the_outbox_and_the_bus_with_the_digest_the_registry_gives_it(string body)
    {
        await using var gateway = await registry.StartGatewayAsync(directory);

        var answer = await gateway.PostAsync(Path, body);

        var id = $"{Repository}:latest@{pushed.Digest}";
        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Accepted), answer.ToString());
        Assert.That(await WebhookRequests.OutboxIdsAsync(directory), Is.EqualTo(new[] { WebhookRequests.PushIdOf(id) }));
        var push = (await gateway.WaitForPushesAsync(1)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(push.DeliveryId, Is.EqualTo(id));
            Assert.That(push.Repository, Is.EqualTo(Repository));
            Assert.That(push.Digest, Is.EqualTo(pushed.Digest));
            Assert.That(push.Tag, Is.EqualTo("latest"));
            Assert.That(push.MediaType, Is.EqualTo("application/vnd.oci.image.manifest.v1+json"));
        });
    }

    [Test]
    public async Task The_same_push_sent_again_is_repeated_but_the_tag_pushed_with_new_content_is_a_new_event()
    {
        await using var gateway = await registry.StartGatewayAsync(directory);

        var first = await gateway.PostAsync(Path, DocumentedPush);
        var again = await gateway.PostAsync(Path, DocumentedPush);
        var repushed = await registry.PushAsync(Repository, "latest", ManifestFormat.DockerV2);
        var afterRepush = await gateway.PostAsync(Path, DocumentedPush);

        Assert.That(repushed.Digest, Is.Not.EqualTo(pushed.Digest), "the Docker v2 manifest of the image is other content");
        Assert.Multiple(async () =>
        {
            Assert.That(first.Events.Single().Reason, Is.Null);
            Assert.That(again.Events.Single().Reason, Does.Contain("already accepted"));
            Assert.That(afterRepush.Events.Single().Reason, Is.Null, "a new digest under the tag is a new push");
            var pushes = await gateway.WaitForPushesAsync(2);
            Assert.That(pushes.Select(p => p.Digest), Is.EqualTo(new[] { pushed.Digest, repushed.Digest }));
            Assert.That(pushes[1].MediaType, Is.EqualTo("application/vnd.docker.distribution.manifest.v2+json"));
        });
    }

    [Test]
    public async Task A_tag_the_registry_does_not_have_is_rejected_while_the_other_tags_are_accepted()
    {
        await using var gateway = await registry.StartGatewayAsync(directory);
        var body = DocumentedPush.Replace("\"latest\"", "\"latest\", \"no-such-tag\"", StringComparison.Ordinal);

        var answer = await gateway.PostAsync(Path, body);

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Accepted), answer.ToString());
        Assert.That(answer.Events.Select(e => e.Outcome), Is.EqualTo(new[] { "accepted", "rejected" }));
        Assert.That(answer.Events[1].Reason, Does.Contain("mynamespace/repository:no-such-tag could not be looked up"));
    }

    [Test]
    public async Task Other_events_are_acknowledged_as_ignored()
    {
        await using var gateway = await registry.StartGatewayAsync(directory);

        var answer = await gateway.PostAsync(Path, DocumentedBuildQueued);

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Accepted), answer.ToString());
        Assert.That(answer.Events.Single(), Is.EqualTo(((string?)null, "ignored", "a build event is not a repository push (no \"updated_tags\")")));
        Assert.That(await WebhookRequests.OutboxIdsAsync(directory), Is.Empty);
    }

    [TestCase("/webhooks/quay/local")]
    [TestCase("/webhooks/quay/local?token=wrong")]
    [TestCase("/webhooks/quay/other?token=" + GatewayHost.WebhookToken)]
    public async Task A_missing_or_wrong_url_token_is_401(string path)
    {
        await using var gateway = await registry.StartGatewayAsync(directory);

        var answer = await gateway.PostAsync(path, DocumentedPush,
            new Dictionary<string, string> { ["Authorization"] = "Bearer " + GatewayHost.WebhookToken });

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Unauthorized), "Quay sends no header: the token is in the URL or nowhere");
        Assert.That(await WebhookRequests.OutboxIdsAsync(directory), Is.Empty);
    }

    [Test]
    public async Task More_tags_than_the_event_cap_are_acknowledged_as_rejected_whole()
    {
        await using var gateway = await registry.StartGatewayAsync(directory, new Dictionary<string, string?> { ["Gateway:Webhooks:MaxEventsPerNotification"] = "1" });

        var answer = await gateway.PostAsync(Path, DocumentedPush.Replace("\"latest\"", "\"latest\", \"v2\"", StringComparison.Ordinal));

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.OK), answer.ToString());
        Assert.That(answer.Body.GetProperty("code").GetString(), Is.EqualTo("too_many_events"));
        Assert.That(answer.Body.GetProperty("reason").GetString(), Does.Contain("names 2 tags, more than the 1 allowed"));
        Assert.That(await WebhookRequests.OutboxIdsAsync(directory), Is.Empty);
    }

    [Test]
    public async Task The_url_token_appears_in_no_log_line()
    {
        var logs = new CapturedLogs();
        await using var gateway = await registry.StartGatewayAsync(directory, logs: logs);
        const string wrong = "wrong-url-token-8d1f4c";

        var accepted = await gateway.PostAsync(Path, DocumentedPush);
        var refused = await gateway.PostAsync("/webhooks/quay/local?token=" + wrong, DocumentedPush);
        var rejected = await gateway.PostAsync(Path, "not json");

        Assert.Multiple(() =>
        {
            Assert.That((accepted.Status, refused.Status, rejected.Status), Is.EqualTo((HttpStatusCode.Accepted, HttpStatusCode.Unauthorized, HttpStatusCode.OK)));
            Assert.That(logs.Entries.Where(e => e.Message.Contains("/webhooks/quay/local")), Is.Not.Empty, "requests are logged, by path");
            Assert.That(logs.Entries.Where(e => e.Message.Contains(GatewayHost.WebhookToken) || e.Message.Contains(wrong)), Is.Empty);
        });
    }

    [TestCase("""{"repository":"mynamespace/repository","updated_tags":"latest"}""", "neither a list of tags")]
    [TestCase("""{"repository":"MyNamespace/Repository","updated_tags":["latest"]}""", "not a valid repository name")]
    [TestCase("""{"repository":"mynamespace/repository","updated_tags":["../x"]}""", "not a tag")]
    [TestCase("[1]", "a JSON object")]
    public async Task A_malformed_payload_is_acknowledged_as_rejected(string body, string reason)
    {
        await using var gateway = await registry.StartGatewayAsync(directory);

        var answer = await gateway.PostAsync(Path, body);

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.OK), answer.ToString());
        Assert.That(answer.Body.GetProperty("code").GetString(), Is.EqualTo("malformed"));
        Assert.That(answer.Body.GetProperty("reason").GetString(), Does.Contain(reason));
    }

    [Test]
    public async Task A_registry_that_cannot_be_reached_is_answered_503_so_that_the_push_comes_again()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var gateway = await GatewayHost.StartAsync(directory, new Dictionary<string, string?>
        {
            ["Registries:0:Url"] = $"http://127.0.0.1:{closedPort}",
            ["Gateway:Webhooks:ResolveTimeout"] = "00:00:02",
        });

        var answer = await gateway.PostAsync(Path, DocumentedPush);

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable), answer.ToString());
        Assert.That(answer.Body.GetProperty("message").GetString(), Does.Contain("could not look the image up").And.Contain("Send it again"));
        Assert.That(await WebhookRequests.OutboxIdsAsync(directory), Is.Empty);
    }

    [Test]
    public async Task A_registry_without_a_url_cannot_be_asked_and_its_tags_are_rejected_with_the_reason()
    {
        await using var gateway = await WebhookTestRegistry.StartGatewayWithoutRegistryAsync(directory);

        var answer = await gateway.PostAsync(Path, DocumentedPush);

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Accepted), answer.ToString());
        Assert.That(answer.Events.Single().Reason, Does.Contain("has no Url (Registries:N:Url)"));
    }
}
