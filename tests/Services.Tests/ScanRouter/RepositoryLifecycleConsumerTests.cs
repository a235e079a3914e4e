using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Data;
using ImageScanning.ScanRouter.Extensions;
using MassTransit;
using MassTransit.Testing;

namespace ImageScanning.Services.Tests.ScanRouter;

/// <summary>
/// CreateRepository and DeleteRepository as ScanRouter answers them (all its consumers, the real SQLite stores and outbox on the
/// harness): the entry and the legacy scanOnPush, the listings that show it before a push, and the RepositoryDeleted event naming the
/// removed images, published through the outbox only for a deletion that happened.
/// </summary>
public sealed class RepositoryLifecycleConsumerTests
{
    private const string Registry = "local";
    private string _directory = "";
    private ScanRouterHost _router = null!;
    private ITestHarness _harness = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _directory = Directory.CreateTempSubdirectory("router-repositories-").FullName;
        _router = await ScanRouterHost.StartAsync(_directory, bus => bus.AddScanRouterConsumers());
        _harness = _router.Harness;
    }

    [TearDown]
    public async Task StopAsync()
    {
        await _router.DisposeAsync();
        await ScanRouterHost.DeleteDirectoryAsync(_directory);
    }

    private async Task<TResponse> AskAsync<TRequest, TResponse>(TRequest request) where TRequest : class where TResponse : class =>
        (await _harness.GetRequestClient<TRequest>().GetResponse<TResponse>(request)).Message;

    private Task<CreateCatalogRepositoryResult> CreateAsync(string repository, bool scanOnPush = false, string mutability = "MUTABLE") =>
        AskAsync<CreateCatalogRepository, CreateCatalogRepositoryResult>(new(Registry, repository, scanOnPush, mutability));

    private Task<DeleteCatalogRepositoryResult> DeleteAsync(string repository, bool force) =>
        AskAsync<DeleteCatalogRepository, DeleteCatalogRepositoryResult>(new(Registry, repository, force));

    [Test]
    public async Task A_created_repository_is_listed_everywhere_before_its_first_push_with_its_scanning()
    {
        var before = DateTimeOffset.UtcNow;
        var created = await CreateAsync("team/new", scanOnPush: true, mutability: "IMMUTABLE");
        var again = await CreateAsync("team/new");

        Assert.That(created.Created, Is.True);
        Assert.That((created.Repository.Name, created.Repository.ScanOnPush, created.Repository.ImageTagMutability), Is.EqualTo(("team/new", true, "IMMUTABLE")));
        Assert.That(created.Repository.CreatedAt, Is.InRange(before.AddMilliseconds(-1), DateTimeOffset.UtcNow));
        Assert.That(again.Created, Is.False);
        Assert.That(again.Repository, Is.EqualTo(created.Repository), "the existing repository, unchanged");

        var described = await AskAsync<ListCatalogRepositories, CatalogRepositoriesResult>(new(Registry));
        Assert.That(described.Repositories, Is.EqualTo(new[] { created.Repository }));
        var images = await AskAsync<ListCatalogImages, CatalogImagesResult>(new(Registry, "team/new", null, 100, null));
        Assert.That((images.RepositoryFound, images.Images.Count), Is.EqualTo((true, 0)), "DescribeImages of an empty repository: no images, no error");

        // ENHANCED with a rule that does not select it: the console's "Scanning off"; coverage shows the repository, inactive.
        await _router.Configuration.PutConfigurationAsync(Registry, new RegistryScanningConfiguration(ScanType.ENHANCED,
            [new RegistryScanningRule(ScanFrequency.CONTINUOUS_SCAN, [new ScanningRepositoryFilter("prod-*", RepositoryFilterType.WILDCARD)])]));
        var listed = (await AskAsync<ListRepositories, RepositoriesResult>(new(Registry))).Repositories.Single();
        Assert.That((listed.RepositoryName, listed.ScanningEnabled, listed.ImageCount, listed.LastPushedAt), Is.EqualTo(("team/new", false, 0, (DateTimeOffset?)null)));
        var coverage = await AskAsync<ListCoverage, CoverageResult>(new(Registry, null, 100, null));
        var resource = coverage.CoveredResources.Single();
        Assert.That((resource.ResourceType, resource.Repository, resource.StatusCode), Is.EqualTo(("AWS_ECR_REPOSITORY", "team/new", "INACTIVE")));
        Assert.That((await AskAsync<ListCoverage, CoverageResult>(new(Registry, "other*", 100, null))).CoveredResources, Is.Empty, "the filter applies");
    }

    [Test]
    public async Task An_empty_repository_is_deleted_without_force_and_publishes_no_images()
    {
        await CreateAsync("empty");

        var deleted = await DeleteAsync("empty", force: false);
        var missing = await DeleteAsync("empty", force: false);

        Assert.That((deleted.Outcome, deleted.Repository?.Name, deleted.ImagesDeleted), Is.EqualTo((RepositoryDeletionOutcome.DELETED, "empty", 0)));
        Assert.That((missing.Outcome, missing.Repository), Is.EqualTo((RepositoryDeletionOutcome.NOT_FOUND, (CatalogRepository?)null)));
        await _router.OutboxDrainedAsync();
        var events = _harness.Published.Select<RepositoryDeleted>().Select(m => m.Context.Message).ToList();
        Assert.That(events.Select(e => (e.Repository, e.Images.Count)), Is.EqualTo(new[] { ("empty", 0) }), "one event, for the deletion that happened");
    }

    [Test]
    public async Task A_repository_with_images_needs_force_and_its_deletion_names_the_images_in_one_event()
    {
        await CreateAsync("app", scanOnPush: true);
        var digest = "sha256:" + new string('d', 64);
        await _router.Catalog.UpsertImageAsync(new(Registry, "app", digest, ["v1"], "application/vnd.oci.image.manifest.v1+json",
            DateTimeOffset.UtcNow, null, null, null, null, null, DateTimeOffset.UtcNow));
        var openssl = new ImagePackageKey("Debian:12", "openssl");
        await _router.PackageIndex.ReplaceImagePackagesAsync(Registry, "app", digest, [openssl]);

        var refused = await DeleteAsync("app", force: false);
        Assert.That(refused.Outcome, Is.EqualTo(RepositoryDeletionOutcome.NOT_EMPTY));
        Assert.That(await _router.Catalog.GetImageAsync(Registry, "app", digest), Is.Not.Null);
        Assert.That(await _router.PackageIndex.FindImagesHoldingAsync([openssl]), Has.Count.EqualTo(1), "a refused deletion keeps the index");

        var deleted = await DeleteAsync("app", force: true);
        Assert.That((deleted.Outcome, deleted.ImagesDeleted, deleted.Repository!.ScanOnPush), Is.EqualTo((RepositoryDeletionOutcome.DELETED, 1, true)));
        await _router.OutboxDrainedAsync();
        var published = _harness.Published.Select<RepositoryDeleted>().Single().Context.Message;
        Assert.That(published.Images, Is.EqualTo(new[] { new ImageRef(Registry, "app", digest, ["v1"]) }).UsingPropertiesComparer());
        Assert.That(await _router.CountAsync("images"), Is.Zero);
        Assert.That(await _router.PackageIndex.FindImagesHoldingAsync([openssl]), Is.Empty, "no advisory finds the deleted image");
        Assert.That(await _router.Configuration.GetRepositoryScanOnPushAsync(Registry, "app"), Is.False, "a repository made again later starts with the default");
        Assert.That((await AskAsync<ListCatalogRepositories, CatalogRepositoriesResult>(new(Registry))).Repositories, Is.Empty);
    }
}
