using ImageScanning.Gateway.Polling;
using ImageScanning.Services.Tests.Gateway.Webhooks;
using ImageScanning.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace ImageScanning.Services.Tests.Gateway.Polling;

/// <summary>
/// Catalog polling against a real docker-registry with images pushed by skopeo, through the real Gateway host: what a poll stores
/// goes through the outbox to the bus as webhook pushes do. Pages of one name exercise the registry's Link headers.
/// </summary>
[NonParallelizable]
public sealed class CatalogPollingTests
{
    private static readonly RegistryPollingOptions OnePerPage = new() { PageSize = 1, Timeout = TimeSpan.FromSeconds(30) };

    private WebhookTestRegistry registry = null!;
    private string directory = "";

    [SetUp]
    public async Task SetUp()
    {
        registry = await WebhookTestRegistry.StartAsync();
        directory = Directory.CreateTempSubdirectory("gateway-polling-").FullName;
    }

    [TearDown]
    public async Task TearDown()
    {
        await registry.DisposeAsync();
        WebhookRequests.DeleteDirectory(directory);
    }

    private static CatalogPollingService Service(GatewayHost gateway) => gateway.Services.GetRequiredService<CatalogPollingService>();

    [Test]
    public async Task The_first_poll_publishes_each_tag_the_second_none_and_a_retag_one()
    {
        var v1 = await registry.PushAsync("team/app", "v1");
        await registry.PushAsync("team/app", "v2");
        var other = await registry.PushAsync("base/image", "latest");
        await using var gateway = await registry.StartGatewayAsync(directory);

        var first = await Service(gateway).PollOnceAsync("local", OnePerPage, CancellationToken.None);
        var afterFirst = await gateway.WaitForPushesAsync(3);
        await registry.Registry.SyncLogAsync();
        var listings = registry.Registry.Requests().Select(r => r.Path).Where(p => p.Contains("_catalog") || p.Contains("/tags/list")).ToList();
        var second = await Service(gateway).PollOnceAsync("local", OnePerPage, CancellationToken.None);
        var retagged = await registry.PushAsync("team/app", "v1", ManifestFormat.DockerV2);
        var third = await Service(gateway).PollOnceAsync("local", OnePerPage, CancellationToken.None);
        var all = await gateway.WaitForPushesAsync(4);

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo(new PollResult(2, 3, 3, 0, 0, false, null)));
            Assert.That(afterFirst.Select(p => (p.Repository, p.Tag, p.Digest)).Order(), Is.EqualTo(new[]
            {
                ("base/image", (string?)"latest", other.Digest), ("team/app", "v1", v1.Digest), ("team/app", "v2", v1.Digest),
            }));
            Assert.That(afterFirst.Select(p => p.DeliveryId), Does.Contain($"poll:team/app:v1@{v1.Digest}"));
            // docker-registry 2.8 pages its catalog (Link rel="next") but answers tags/list whole, whatever n says.
            Assert.That(listings, Is.EqualTo(new[] { "/v2/_catalog?n=1", "/v2/base/image/tags/list?n=1", "/v2/_catalog?n=1&last=base%2Fimage", "/v2/team/app/tags/list?n=1" }),
                "catalog pages of one name, the second after the first's Link header");
            Assert.That(second, Is.EqualTo(new PollResult(2, 3, 0, 3, 0, false, null)), "a repeat poll publishes nothing");
            Assert.That(third, Is.EqualTo(new PollResult(2, 3, 1, 2, 0, false, null)), "only the moved tag is new");
            Assert.That(all, Has.Count.EqualTo(4));
            Assert.That((all[3].Repository, all[3].Tag, all[3].Digest, all[3].MediaType),
                Is.EqualTo(("team/app", (string?)"v1", retagged.Digest, "application/vnd.docker.distribution.manifest.v2+json")));
        });
    }

    [Test]
    public async Task A_poll_stops_at_its_bounds_and_says_so()
    {
        await registry.PushAsync("team/app", "v1");
        await registry.PushAsync("team/app", "v2");
        await registry.PushAsync("team/app", "v3");
        await using var gateway = await registry.StartGatewayAsync(directory);

        var result = await Service(gateway).PollOnceAsync("local", new RegistryPollingOptions { PageSize = 2, MaxTags = 2 }, CancellationToken.None);

        Assert.That(result, Is.EqualTo(new PollResult(1, 2, 2, 0, 0, true, null)));
    }

    [Test]
    public async Task An_unreachable_registry_is_recorded_as_failed_and_the_next_poll_still_runs()
    {
        await using var gateway = await registry.StartGatewayAsync(directory, new Dictionary<string, string?>
        {
            ["Registries:0:Url"] = $"http://127.0.0.1:{WebhookReceiver.FreePort()}",
            ["Scanning:RegistryHttp:MaxRetryAttempts"] = "0",
        });

        var first = await Service(gateway).PollOnceAsync("local", OnePerPage, CancellationToken.None);
        var second = await Service(gateway).PollOnceAsync("local", OnePerPage, CancellationToken.None);

        Assert.That(first.Error, Does.Contain("Registry 'local' is unreachable"));
        Assert.That(second.Error, Is.EqualTo(first.Error));
        Assert.That(Service(gateway).LastResults["local"], Is.EqualTo(second));
    }

    [Test]
    public async Task A_registry_with_a_polling_interval_is_polled_by_the_hosted_service_at_start()
    {
        var pushed = await registry.PushAsync("team/app", "v1");
        await using var gateway = await registry.StartGatewayAsync(directory, new Dictionary<string, string?>
        {
            ["Registries:0:Polling:Interval"] = "01:00:00",
        });

        var push = (await gateway.WaitForPushesAsync(1)).Single();

        Assert.That((push.DeliveryId, push.Digest), Is.EqualTo(($"poll:team/app:v1@{pushed.Digest}", pushed.Digest)));
        Assert.That(Service(gateway).LastResults["local"].Published, Is.EqualTo(1));
    }
}
