using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Consumers;
using ImageScanning.ScanRouter.Data;
using MassTransit;
using MassTransit.Testing;

namespace ImageScanning.Services.Tests.ScanRouter;

/// <summary>The console's catalog requests on MassTransit's in-memory harness with the real SQLite stores.</summary>
public sealed class CatalogConsumersTests
{
    private const string Registry = "local";
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private string _directory = "";
    private ScanRouterHost _router = null!;
    private ITestHarness _harness = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _directory = Directory.CreateTempSubdirectory("router-catalog-").FullName;
        _router = await ScanRouterHost.StartAsync(_directory, x =>
        {
            x.AddConsumer<ListRepositoriesConsumer>();
            x.AddConsumer<ListRepositoryImagesConsumer>();
            x.AddConsumer<PreviewScanningConfigurationConsumer>();
        });
        _harness = _router.Harness;
        await AddAsync("prod/api", 'a', T0);
        await AddAsync("prod/api", 'b', T0.AddHours(2));
        await AddAsync("prod/web", 'c', T0.AddHours(1));
        await AddAsync("team-a/tool", 'd', T0);
    }

    [TearDown]
    public async Task StopAsync()
    {
        await _router.DisposeAsync();
        await ScanRouterHost.DeleteDirectoryAsync(_directory);
    }

    private Task AddAsync(string repository, char digest, DateTimeOffset pushedAt) =>
        _router.Catalog.UpsertImageAsync(new ImageRecord(Registry, repository, "sha256:" + new string(digest, 64), [$"v-{digest}"],
            "application/vnd.oci.image.manifest.v1+json", pushedAt, null, null, null, null, null, pushedAt));

    private async Task<TResponse> AskAsync<TRequest, TResponse>(TRequest request) where TRequest : class where TResponse : class =>
        (await _harness.GetRequestClient<TRequest>().GetResponse<TResponse>(request)).Message;

    private static RegistryScanningConfiguration Config(ScanType type, params (ScanFrequency Frequency, string[] Filters)[] rules) =>
        new(type, rules.Select(r => new RegistryScanningRule(r.Frequency, r.Filters.Select(f => new ScanningRepositoryFilter(f, RepositoryFilterType.WILDCARD)).ToList())).ToList());

    [Test]
    public async Task Repositories_carry_their_effective_frequency_image_count_and_last_push()
    {
        await _router.Configuration.PutConfigurationAsync(Registry, Config(ScanType.ENHANCED, (ScanFrequency.CONTINUOUS_SCAN, ["prod/*"]), (ScanFrequency.SCAN_ON_PUSH, ["team"])));
        var result = await AskAsync<ListRepositories, RepositoriesResult>(new ListRepositories(Registry));

        Assert.That(result.Repositories.Select(r => (r.RepositoryName, r.ScanFrequency, r.ScanningEnabled, r.ImageCount, r.LastPushedAt)), Is.EqualTo(new[]
        {
            ("prod/api", ScanFrequency.CONTINUOUS_SCAN, true, 2, (DateTimeOffset?)T0.AddHours(2)),
            ("prod/web", ScanFrequency.CONTINUOUS_SCAN, true, 1, (DateTimeOffset?)T0.AddHours(1)),
            ("team-a/tool", ScanFrequency.SCAN_ON_PUSH, true, 1, (DateTimeOffset?)T0),
        }));

        await _router.Configuration.PutConfigurationAsync(Registry, Config(ScanType.ENHANCED, (ScanFrequency.SCAN_ON_PUSH, ["prod/web"])));
        result = await AskAsync<ListRepositories, RepositoriesResult>(new ListRepositories(Registry));
        Assert.That(result.Repositories.Where(r => !r.ScanningEnabled).Select(r => r.RepositoryName), Is.EqualTo(new[] { "prod/api", "team-a/tool" }),
            "ENHANCED repositories no rule selects are off");
    }

    [Test]
    public async Task Images_page_by_digest_and_a_bad_page_request_is_an_answer_not_a_fault()
    {
        var first = await AskAsync<ListRepositoryImages, RepositoryImagesResult>(new ListRepositoryImages(Registry, "prod/api", 1, null));
        Assert.That(first.Images.Select(i => i.Digest), Is.EqualTo(new[] { "sha256:" + new string('a', 64) }));
        Assert.That(first.NextToken, Is.Not.Null);
        var second = await AskAsync<ListRepositoryImages, RepositoryImagesResult>(new ListRepositoryImages(Registry, "prod/api", 1, first.NextToken));
        Assert.That(second.Images.Select(i => i.Tags.Single()), Is.EqualTo(new[] { "v-b" }));
        Assert.That(second.NextToken, Is.Null);

        var tooMany = await AskAsync<ListRepositoryImages, RepositoryImagesResult>(new ListRepositoryImages(Registry, "prod/api", 1001, null));
        var forged = await AskAsync<ListRepositoryImages, RepositoryImagesResult>(new ListRepositoryImages(Registry, "prod/api", 10, "not-a-token"));
        Assert.That((tooMany.ErrorType, forged.ErrorType), Is.EqualTo(("InvalidParameterException", "InvalidParameterException")));
    }

    [Test]
    public async Task Preview_lists_each_rules_matches_and_stores_nothing()
    {
        var proposed = Config(ScanType.ENHANCED, (ScanFrequency.SCAN_ON_PUSH, ["prod/*", "tool"]), (ScanFrequency.CONTINUOUS_SCAN, ["prod/web"]));
        var preview = await AskAsync<PreviewScanningConfiguration, ScanningConfigurationPreviewResult>(new PreviewScanningConfiguration(Registry, proposed));

        Assert.That(preview.ErrorType, Is.Null);
        Assert.That(preview.Rules.Select(r => string.Join(",", r.MatchedRepositories)), Is.EqualTo(new[] { "prod/api,prod/web,team-a/tool", "prod/web" }));
        Assert.That(preview.Repositories.Select(r => (r.RepositoryName, r.ScanFrequency)), Is.EqualTo(new[]
        {
            ("prod/api", ScanFrequency.SCAN_ON_PUSH), ("prod/web", ScanFrequency.CONTINUOUS_SCAN), ("team-a/tool", ScanFrequency.SCAN_ON_PUSH),
        }));
        Assert.That((await _router.Configuration.GetConfigurationAsync(Registry)).Rules, Is.Empty, "a preview never stores");
    }

    [Test]
    public async Task Preview_refuses_what_a_put_would_refuse_with_the_same_error()
    {
        var invalid = Config(ScanType.BASIC, (ScanFrequency.CONTINUOUS_SCAN, ["prod/*"]));
        var preview = await AskAsync<PreviewScanningConfiguration, ScanningConfigurationPreviewResult>(new PreviewScanningConfiguration(Registry, invalid));
        var validation = ImageScanning.ScanRouter.Scanning.ScanningConfigurationValidator.Validate(invalid);

        Assert.That((preview.ErrorType, preview.ErrorMessage), Is.EqualTo((validation.Error!.ErrorType, validation.Error.Message)));
        Assert.That(preview.Rules, Is.Empty);
    }
}
