using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Consumers;
using ImageScanning.ScanRouter.Data;
using MassTransit;
using MassTransit.Testing;

namespace ImageScanning.Services.Tests.ScanRouter;

/// <summary>
/// ListCoverage on MassTransit's in-memory harness with the real SQLite stores: the REST API's mixed pages, and Inspector2's
/// separate listings (every repository once; image pages without repositories).
/// </summary>
public sealed class ListCoverageConsumerTests
{
    private const string Registry = "local";
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private string _directory = "";
    private ScanRouterHost _router = null!;
    private ITestHarness _harness = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _directory = Directory.CreateTempSubdirectory("router-coverage-").FullName;
        _router = await ScanRouterHost.StartAsync(_directory, x => x.AddConsumer<ListCoverageConsumer>());
        _harness = _router.Harness;
        foreach (var (repository, digest) in new[] { ("prod/api", 'a'), ("prod/api", 'b'), ("prod/web", 'c'), ("team/tool", 'd') })
            await _router.Catalog.UpsertImageAsync(new ImageRecord(Registry, repository, "sha256:" + new string(digest, 64), [$"v-{digest}"],
                "application/vnd.oci.image.manifest.v1+json", T0, T0.AddDays(1), ScanStatus.COMPLETE, null, null, null, T0, T0));
        await _router.Configuration.PutConfigurationAsync(Registry, new RegistryScanningConfiguration(ScanType.ENHANCED,
        [
            new RegistryScanningRule(ScanFrequency.CONTINUOUS_SCAN, [new ScanningRepositoryFilter("prod/*", RepositoryFilterType.WILDCARD)]),
            new RegistryScanningRule(ScanFrequency.SCAN_ON_PUSH, [new ScanningRepositoryFilter("team/*", RepositoryFilterType.WILDCARD)]),
        ]));
    }

    [TearDown]
    public async Task StopAsync()
    {
        await _router.DisposeAsync();
        await ScanRouterHost.DeleteDirectoryAsync(_directory);
    }

    private async Task<CoverageResult> AskAsync(ListCoverage request) =>
        (await _harness.GetRequestClient<ListCoverage>().GetResponse<CoverageResult>(request)).Message;

    [Test]
    public async Task Repositories_are_listed_once_each_with_their_status()
    {
        var all = await AskAsync(new ListCoverage(Registry, null, 1, null, "AWS_ECR_REPOSITORY"));
        var prefixed = await AskAsync(new ListCoverage(Registry, "prod/*", 1, null, "AWS_ECR_REPOSITORY"));
        Assert.Multiple(() =>
        {
            Assert.That(all.CoveredResources.Select(r => (r.ResourceType, r.Repository, r.StatusCode, r.Reason)), Is.EqualTo(new[]
            {
                ("AWS_ECR_REPOSITORY", "prod/api", "ACTIVE", "SUCCESSFUL"),
                ("AWS_ECR_REPOSITORY", "prod/web", "ACTIVE", "SUCCESSFUL"),
                ("AWS_ECR_REPOSITORY", "team/tool", "INACTIVE", "SCAN_FREQUENCY_SCAN_ON_PUSH"),
            }), "maxResults does not page repositories: they come at once");
            Assert.That(all.NextToken, Is.Null);
            Assert.That(prefixed.CoveredResources.Select(r => r.Repository), Is.EqualTo(new[] { "prod/api", "prod/web" }));
        });
    }

    [Test]
    public async Task Image_pages_hold_only_images_and_page_through_every_one()
    {
        var first = await AskAsync(new ListCoverage(Registry, null, 3, null, "AWS_ECR_CONTAINER_IMAGE"));
        var second = await AskAsync(new ListCoverage(Registry, null, 3, first.NextToken, "AWS_ECR_CONTAINER_IMAGE"));
        var mixed = await AskAsync(new ListCoverage(Registry, null, 3, null));
        var images = first.CoveredResources.Concat(second.CoveredResources).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(images.Select(r => r.ResourceType), Is.All.EqualTo("AWS_ECR_CONTAINER_IMAGE"));
            Assert.That(images.Select(r => r.ImageDigest![7]), Is.EqualTo("abcd".ToCharArray()));
            Assert.That(second.NextToken, Is.Null);
            Assert.That(images.Single(r => r.Repository == "team/tool").Reason, Is.EqualTo("SCAN_FREQUENCY_SCAN_ON_PUSH"));
            Assert.That(images.Select(r => r.LastPulledAt), Is.All.EqualTo(T0.AddDays(1)));
            Assert.That(mixed.CoveredResources.Count(r => r.ResourceType == "AWS_ECR_REPOSITORY"), Is.EqualTo(2), "the REST API's page: its images' repositories too");
        });
    }
}
