using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using ImageScanning.TestSupport;

namespace ImageScanning.Services.Tests.Gateway.Webhooks;

/// <summary>
/// A multi-platform image index in a real docker-registry: a push that names only its tag (Quay) becomes one push per platform
/// image manifest, attestations left out, since nothing else will report them; one that names it by digest (Harbor) is ignored
/// as distribution's are, since such registries report each platform manifest's own push.
/// </summary>
[NonParallelizable]
public sealed class ImageIndexTests
{
    private const string Repository = "mynamespace/multi";

    private WebhookTestRegistry registry = null!;
    private PushedImage amd64 = null!;
    private PushedImage arm64 = null!;
    private string indexDigest = "";
    private string directory = "";

    [OneTimeSetUp]
    public async Task PushIndex()
    {
        registry = await WebhookTestRegistry.StartAsync();
        amd64 = await registry.PushAsync(Repository, "amd64");
        arm64 = await registry.PushAsync(Repository, "arm64", ManifestFormat.DockerV2);
        var index = JsonSerializer.SerializeToUtf8Bytes(new
        {
            schemaVersion = 2,
            mediaType = "application/vnd.oci.image.index.v1+json",
            manifests = new object[]
            {
                await EntryAsync(amd64, "amd64"),
                await EntryAsync(arm64, "arm64"),
                // An attestation (as buildx adds), which is no image.
                await EntryAsync(amd64, "unknown", "unknown"),
            },
        });
        indexDigest = await TestImages.PutManifestAsync(registry.Registry, Repository, "latest", "application/vnd.oci.image.index.v1+json", index);
    }

    [OneTimeTearDown]
    public async Task StopRegistry() => await registry.DisposeAsync();

    [SetUp]
    public void SetUp() => directory = Directory.CreateTempSubdirectory("gateway-index-").FullName;

    [TearDown]
    public void TearDown() => WebhookRequests.DeleteDirectory(directory);

    /// <summary>An index entry for a pushed manifest: its media type and size as the registry serves it.</summary>
    private async Task<object> EntryAsync(PushedImage image, string architecture, string os = "linux")
    {
        using var http = new HttpClient { BaseAddress = registry.Registry.Url };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{image.Repository}/manifests/{image.Digest}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.oci.image.manifest.v1+json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.docker.distribution.manifest.v2+json"));
        using var response = await http.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        return new
        {
            mediaType = response.Content.Headers.ContentType!.MediaType,
            digest = image.Digest,
            size = bytes.Length,
            platform = new { architecture, os },
        };
    }

    [Test]
    public async Task A_tag_of_an_index_becomes_one_push_per_platform_image()
    {
        await using var gateway = await registry.StartGatewayAsync(directory);
        var body = $$"""{"repository":"{{Repository}}","namespace":"mynamespace","name":"multi","updated_tags":["latest"]}""";

        var answer = await gateway.PostAsync("/webhooks/quay/local?token=" + GatewayHost.WebhookToken, body);

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Accepted), answer.ToString());
        var pushes = await gateway.WaitForPushesAsync(2);
        Assert.Multiple(() =>
        {
            Assert.That(pushes.Select(p => p.Digest), Is.EquivalentTo(new[] { amd64.Digest, arm64.Digest }), "the attestation is left out");
            Assert.That(pushes.Select(p => p.DeliveryId), Is.EquivalentTo(new[]
            {
                $"{Repository}:latest@{indexDigest}/{amd64.Digest}", $"{Repository}:latest@{indexDigest}/{arm64.Digest}",
            }));
            Assert.That(pushes.Select(p => p.MediaType), Is.EquivalentTo(new[]
            {
                "application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json",
            }));
            Assert.That(pushes.Select(p => p.Tag), Is.All.EqualTo("latest"));
            Assert.That(answer.Events.Select(e => e.Reason), Has.All.Contain($"of image index {indexDigest}"));
        });
    }

    [Test]
    public async Task An_index_named_by_digest_is_ignored_like_distributions()
    {
        await using var gateway = await registry.StartGatewayAsync(directory);
        var body = JsonSerializer.Serialize(new
        {
            type = "PUSH_ARTIFACT", occur_at = 1680501893, @operator = "admin",
            event_data = new
            {
                resources = new[] { new { digest = indexDigest, tag = "latest", resource_url = $"localhost/{Repository}:latest" } },
                repository = new { name = "multi", @namespace = "mynamespace", repo_full_name = Repository, repo_type = "private" },
            },
        });

        var answer = await gateway.PostAsync("/webhooks/harbor/local", body,
            new Dictionary<string, string> { ["Authorization"] = GatewayHost.WebhookToken });

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Accepted), answer.ToString());
        Assert.That(answer.Events.Single().Reason, Is.EqualTo("an image index: its platform manifests are scanned on their own"));
        Assert.That(await WebhookRequests.OutboxIdsAsync(directory), Is.Empty);
    }
}
