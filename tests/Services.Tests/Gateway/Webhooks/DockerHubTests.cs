using System.Net;
using ImageScanning.TestSupport;

namespace ImageScanning.Services.Tests.Gateway.Webhooks;

/// <summary>
/// Docker Hub's push webhook on /webhooks/dockerhub/{registry}?token=..., from the Docker docs' payload sample in the corpus,
/// through the real Gateway host and a real docker-registry standing in for the Hub: the payload names a tag and no digest, so the
/// Gateway looks the tag up in the registry.
/// </summary>
[NonParallelizable]
public sealed class DockerHubTests
{
    private const string Repository = "svendowideit/testhook";
    private const string Path = "/webhooks/dockerhub/local?token=" + GatewayHost.WebhookToken;

    private WebhookTestRegistry registry = null!;
    private PushedImage pushed = null!;
    private string directory = "";

    [OneTimeSetUp]
    public async Task StartRegistry()
    {
        registry = await WebhookTestRegistry.StartAsync();
        pushed = await registry.PushAsync(Repository, "latest", ManifestFormat.DockerV2);
    }

    [OneTimeTearDown]
    public async Task StopRegistry() => await registry.DisposeAsync();

    [SetUp]
    public void SetUp() => directory = Directory.CreateTempSubdirectory("gateway-dockerhub-").FullName;

    [TearDown]
    public void TearDown() => WebhookRequests.DeleteDirectory(directory);

    private static string Sample() => File.ReadAllText(Corpus.PathOf("webhooks", "dockerhub", "push.json"));

    [Test]
    public async Task A_pushed_tag_and_its_webhook_reach_the_outbox_and_the_bus_with_the_digest_the_registry_gives_it()
    {
        await using var gateway = await registry.StartGatewayAsync(directory);

        var answer = await gateway.PostAsync(Path, Sample());

        var id = $"{Repository}:latest:1417566161@{pushed.Digest}";
        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Accepted), answer.ToString());
        Assert.That(await WebhookRequests.OutboxIdsAsync(directory), Is.EqualTo(new[] { WebhookRequests.PushIdOf(id) }));
        var push = (await gateway.WaitForPushesAsync(1)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(push.DeliveryId, Is.EqualTo(id));
            Assert.That(push.Repository, Is.EqualTo(Repository));
            Assert.That(push.Digest, Is.EqualTo(pushed.Digest));
            Assert.That(push.Tag, Is.EqualTo("latest"));
            Assert.That(push.MediaType, Is.EqualTo("application/vnd.docker.distribution.manifest.v2+json"));
            Assert.That(push.PushedAt, Is.EqualTo(DateTimeOffset.FromUnixTimeSeconds(1417566161)));
        });
    }

    [Test]
    public async Task The_same_webhook_sent_again_is_repeated_and_a_later_push_of_the_tag_is_not()
    {
        await using var gateway = await registry.StartGatewayAsync(directory);

        await gateway.PostAsync(Path, Sample());
        var again = await gateway.PostAsync(Path, Sample());
        var later = await gateway.PostAsync(Path, Sample().Replace("\"pushed_at\": 1417566161", "\"pushed_at\": 1417566999", StringComparison.Ordinal));

        Assert.Multiple(async () =>
        {
            Assert.That(again.Events.Single().Reason, Does.Contain("already accepted"));
            Assert.That(later.Events.Single(), Is.EqualTo(((string?)$"{Repository}:latest:1417566999@{pushed.Digest}", "accepted", (string?)null)));
            Assert.That(await WebhookRequests.OutboxIdsAsync(directory), Has.Count.EqualTo(2));
        });
    }

    [Test]
    public async Task A_tag_the_registry_does_not_have_is_rejected_with_the_reason()
    {
        await using var gateway = await registry.StartGatewayAsync(directory);

        var answer = await gateway.PostAsync(Path, Sample().Replace("\"tag\": \"latest\"", "\"tag\": \"gone\"", StringComparison.Ordinal));

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Accepted), answer.ToString());
        Assert.That(answer.Events.Single().Outcome, Is.EqualTo("rejected"));
        Assert.That(answer.Events.Single().Reason, Does.Contain("svendowideit/testhook:gone could not be looked up"));
    }

    [TestCase("/webhooks/dockerhub/local")]
    [TestCase("/webhooks/dockerhub/local?token=")]
    [TestCase("/webhooks/dockerhub/local?token=wrong")]
    public async Task A_missing_or_wrong_url_token_is_401(string path)
    {
        await using var gateway = await registry.StartGatewayAsync(directory);

        var answer = await gateway.PostAsync(path, Sample());

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Unauthorized), answer.ToString());
        Assert.That(await WebhookRequests.OutboxIdsAsync(directory), Is.Empty);
    }

    [Test]
    public async Task A_payload_without_push_data_is_acknowledged_as_ignored()
    {
        await using var gateway = await registry.StartGatewayAsync(directory);

        var answer = await gateway.PostAsync(Path, """{"callback_url":"https://registry.hub.docker.com/u/a/b/hook/1/","repository":{"repo_name":"a/b"}}""");

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Accepted), answer.ToString());
        Assert.That(answer.Events.Single(), Is.EqualTo(((string?)null, "ignored", "not a push (no \"push_data\")")));
    }

    [TestCase("\"tag\": \"latest\"", "\"tag\": \"\"", "push_data.tag '' is not a tag")]
    [TestCase("\"repo_name\": \"svendowideit/testhook\"", "\"repo_name\": \"Svendowideit/TestHook\"", "not a valid repository name")]
    [TestCase("{", "[", "not valid JSON")]
    public async Task A_malformed_payload_is_acknowledged_as_rejected(string from, string to, string reason)
    {
        await using var gateway = await registry.StartGatewayAsync(directory);

        var answer = await gateway.PostAsync(Path, Sample().Replace(from, to, StringComparison.Ordinal));

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.OK), answer.ToString());
        Assert.That(answer.Body.GetProperty("code").GetString(), Is.EqualTo("malformed"));
        Assert.That(answer.Body.GetProperty("reason").GetString(), Does.Contain(reason));
    }
}
