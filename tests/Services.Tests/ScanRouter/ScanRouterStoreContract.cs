using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Data;
using ImageScanning.ScanRouter.Scanning;

namespace ImageScanning.Services.Tests.ScanRouter;

/// <summary>Every behaviour of <see cref="IScanRouterStore"/>; each implementation runs it through a concrete fixture.</summary>
public abstract partial class ScanRouterStoreContract
{
    protected const string Registry = "123456789012";
    protected static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    protected static readonly string DigestA = "sha256:" + new string('a', 64);
    protected static readonly string DigestB = "sha256:" + new string('b', 64);
    protected static readonly string DigestC = "sha256:" + new string('c', 64);

    protected IScanRouterStore Store { get; private set; } = null!;

    protected abstract Task<IScanRouterStore> CreateStoreAsync();

    protected abstract Task DestroyStoreAsync();

    [SetUp]
    public async Task CreateStore() => Store = await CreateStoreAsync();

    [TearDown]
    public async Task DestroyStore() => await DestroyStoreAsync();

    protected static ImageRecord Image(
        string repository, string digest, IReadOnlyList<string>? tags = null, DateTimeOffset? pushedAt = null,
        string mediaType = "application/vnd.oci.image.manifest.v1+json", string registry = Registry) =>
        new(registry, repository, digest, tags ?? [], mediaType, pushedAt ?? T0, null, null, null, null, null, pushedAt ?? T0);

    // ---- scanning configuration ----

    [Test]
    public async Task Configuration_defaults_to_basic_without_rules()
    {
        var config = await Store.GetConfigurationAsync("unknown-registry");
        Assert.That(config.ScanType, Is.EqualTo(ScanType.BASIC));
        Assert.That(config.Rules, Is.Empty);
    }

    [Test]
    public async Task Configuration_round_trips_and_is_per_registry()
    {
        var config = new RegistryScanningConfiguration(ScanType.ENHANCED,
        [
            new RegistryScanningRule(ScanFrequency.CONTINUOUS_SCAN, [new("prod*", RepositoryFilterType.WILDCARD), new("team/*", RepositoryFilterType.WILDCARD)]),
            new RegistryScanningRule(ScanFrequency.SCAN_ON_PUSH, [new("*", RepositoryFilterType.WILDCARD)]),
        ]);
        await Store.PutConfigurationAsync(Registry, config);

        var stored = await Store.GetConfigurationAsync(Registry);
        Assert.That(stored.ScanType, Is.EqualTo(ScanType.ENHANCED));
        Assert.That(stored.Rules, Has.Count.EqualTo(2));
        Assert.That(stored.Rules[0].ScanFrequency, Is.EqualTo(ScanFrequency.CONTINUOUS_SCAN));
        Assert.That(stored.Rules[0].RepositoryFilters, Is.EqualTo(config.Rules[0].RepositoryFilters));
        Assert.That(stored.Rules[1].ScanFrequency, Is.EqualTo(ScanFrequency.SCAN_ON_PUSH));
        Assert.That(stored.Rules[1].RepositoryFilters, Is.EqualTo(config.Rules[1].RepositoryFilters));

        Assert.That((await Store.GetConfigurationAsync("other-registry")).ScanType, Is.EqualTo(ScanType.BASIC));
    }

    [Test]
    public async Task Configuration_put_replaces_the_previous_one()
    {
        await Store.PutConfigurationAsync(Registry, new RegistryScanningConfiguration(ScanType.ENHANCED,
            [new RegistryScanningRule(ScanFrequency.CONTINUOUS_SCAN, [new("prod", RepositoryFilterType.WILDCARD)])]));
        await Store.PutConfigurationAsync(Registry, new RegistryScanningConfiguration(ScanType.BASIC, []));

        var stored = await Store.GetConfigurationAsync(Registry);
        Assert.That(stored.ScanType, Is.EqualTo(ScanType.BASIC));
        Assert.That(stored.Rules, Is.Empty);
    }

    [Test]
    public async Task Configuration_rule_without_filters_round_trips()
    {
        await Store.PutConfigurationAsync(Registry, new RegistryScanningConfiguration(ScanType.ENHANCED, [new RegistryScanningRule(ScanFrequency.SCAN_ON_PUSH, [])]));
        var stored = await Store.GetConfigurationAsync(Registry);
        Assert.That(stored.Rules, Has.Count.EqualTo(1));
        Assert.That(stored.Rules[0].RepositoryFilters, Is.Empty);
    }

    // ---- delivery de-duplication ----

    [Test]
    public async Task Delivery_is_recorded_only_the_first_time()
    {
        Assert.That(await Store.TryRecordDeliveryAsync("delivery-1", T0), Is.True);
        Assert.That(await Store.TryRecordDeliveryAsync("delivery-1", T0.AddMinutes(5)), Is.False);
        Assert.That(await Store.TryRecordDeliveryAsync("delivery-2", T0), Is.True);
    }

    [Test]
    public async Task Parallel_duplicate_deliveries_have_exactly_one_winner()
    {
        var attempts = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => Store.TryRecordDeliveryAsync("delivery-race", T0))));
        Assert.That(attempts.Count(won => won), Is.EqualTo(1));
    }

    [Test]
    public async Task Purged_deliveries_can_be_recorded_again()
    {
        await Store.TryRecordDeliveryAsync("old", T0);
        await Store.TryRecordDeliveryAsync("new", T0.AddDays(10));

        Assert.That(await Store.PurgeDeliveriesAsync(T0.AddDays(7)), Is.EqualTo(1));
        Assert.That(await Store.TryRecordDeliveryAsync("old", T0.AddDays(11)), Is.True);
        Assert.That(await Store.TryRecordDeliveryAsync("new", T0.AddDays(11)), Is.False);
    }

    // ---- image catalog ----

    [Test]
    public async Task Upserted_image_reads_back()
    {
        var scanId = Guid.NewGuid();
        var image = Image("team/app", DigestA, ["v1", "latest"]) with
        {
            LastPulledAt = T0.AddHours(1),
            ScanStatus = ScanStatus.IN_PROGRESS,
            ScanStatusDescription = "queued",
            LastScanId = scanId,
        };
        var returned = await Store.UpsertImageAsync(image);
        var stored = await Store.GetImageAsync(Registry, "team/app", DigestA);

        foreach (var record in new[] { returned, stored! })
        {
            Assert.That(record, Is.Not.Null);
            Assert.That(record.Registry, Is.EqualTo(Registry));
            Assert.That(record.Repository, Is.EqualTo("team/app"));
            Assert.That(record.Digest, Is.EqualTo(DigestA));
            Assert.That(record.Tags, Is.EqualTo(new[] { "v1", "latest" }));
            Assert.That(record.MediaType, Is.EqualTo("application/vnd.oci.image.manifest.v1+json"));
            Assert.That(record.PushedAt, Is.EqualTo(T0));
            Assert.That(record.LastPulledAt, Is.EqualTo(T0.AddHours(1)));
            Assert.That(record.ScanStatus, Is.EqualTo(ScanStatus.IN_PROGRESS));
            Assert.That(record.ScanStatusDescription, Is.EqualTo("queued"));
            Assert.That(record.ScanStatusAt, Is.EqualTo(T0));
            Assert.That(record.LastScanId, Is.EqualTo(scanId));
            Assert.That(record.LastBasicScanAt, Is.Null);
            Assert.That(record.UpdatedAt, Is.EqualTo(T0));
        }
    }

    [Test]
    public async Task Unknown_image_is_null()
    {
        Assert.That(await Store.GetImageAsync(Registry, "nope", DigestA), Is.Null);
    }

    [Test]
    public async Task Times_keep_millisecond_precision_in_utc()
    {
        var at = new DateTimeOffset(2025, 3, 1, 14, 30, 15, 123, TimeSpan.FromHours(2));
        await Store.UpsertImageAsync(Image("app", DigestA, pushedAt: at));
        var stored = await Store.GetImageAsync(Registry, "app", DigestA);
        Assert.That(stored!.PushedAt, Is.EqualTo(at));
        Assert.That(stored.PushedAt.Offset, Is.EqualTo(TimeSpan.Zero));
    }

    [Test]
    public async Task Upsert_merges_tags_and_keeps_the_first_push()
    {
        await Store.UpsertImageAsync(Image("app", DigestA, ["v1", "latest"], pushedAt: T0));
        var merged = await Store.UpsertImageAsync(
            Image("app", DigestA, ["latest", "v2"], pushedAt: T0.AddHours(2), mediaType: "application/vnd.docker.distribution.manifest.v2+json"));

        Assert.That(merged.Tags, Is.EqualTo(new[] { "v1", "latest", "v2" }));
        Assert.That(merged.PushedAt, Is.EqualTo(T0));
        Assert.That(merged.MediaType, Is.EqualTo("application/vnd.docker.distribution.manifest.v2+json"));
        Assert.That(merged.UpdatedAt, Is.EqualTo(T0.AddHours(2)));

        var stored = await Store.GetImageAsync(Registry, "app", DigestA);
        Assert.That(stored!.Tags, Is.EqualTo(new[] { "v1", "latest", "v2" }));
        Assert.That(stored.PushedAt, Is.EqualTo(T0));
    }

    [Test]
    public async Task Upsert_without_status_keeps_the_recorded_status_and_quota()
    {
        var scanId = Guid.NewGuid();
        await Store.UpsertImageAsync(Image("app", DigestA, ["v1"]));
        await Store.SetScanStatusAsync(Registry, "app", DigestA, ScanStatus.COMPLETE, "The scan was completed successfully.", scanId, T0.AddMinutes(1));
        await Store.TryReserveBasicScanAsync(Registry, "app", DigestA, T0);

        var merged = await Store.UpsertImageAsync(Image("app", DigestA, ["v2"], pushedAt: T0.AddMinutes(5)));
        Assert.That(merged.ScanStatus, Is.EqualTo(ScanStatus.COMPLETE));
        Assert.That(merged.ScanStatusDescription, Is.EqualTo("The scan was completed successfully."));
        Assert.That(merged.LastScanId, Is.EqualTo(scanId));
        Assert.That(merged.LastBasicScanAt, Is.EqualTo(T0));
        Assert.That(merged.Tags, Is.EqualTo(new[] { "v1", "v2" }));
    }

    [Test]
    public async Task Upsert_moves_a_tag_to_the_newly_pushed_digest_within_the_repository()
    {
        await Store.UpsertImageAsync(Image("app", DigestA, ["latest", "v1"]));
        await Store.UpsertImageAsync(Image("other", DigestC, ["latest"]));
        await Store.UpsertImageAsync(Image("app", DigestB, ["latest", "v2"], pushedAt: T0.AddHours(1)));

        Assert.That((await Store.GetImageAsync(Registry, "app", DigestA))!.Tags, Is.EqualTo(new[] { "v1" }));
        Assert.That((await Store.GetImageAsync(Registry, "app", DigestB))!.Tags, Is.EqualTo(new[] { "latest", "v2" }));
        Assert.That((await Store.GetImageAsync(Registry, "other", DigestC))!.Tags, Is.EqualTo(new[] { "latest" }), "other repositories keep their tags");
    }

    [Test]
    public async Task Untagged_image_is_catalogued_with_no_tags()
    {
        var stored = await Store.UpsertImageAsync(Image("app", DigestA, []));
        Assert.That(stored.Tags, Is.Empty);
        Assert.That((await Store.GetImageAsync(Registry, "app", DigestA))!.Tags, Is.Empty);
        Assert.That((await Store.UpsertImageAsync(Image("app", DigestA, ["v1"]))).Tags, Is.EqualTo(new[] { "v1" }));
    }

    [Test]
    public async Task Parallel_upserts_of_one_image_lose_no_tag()
    {
        var tags = Enumerable.Range(0, 20).Select(i => $"t{i}").ToArray();
        await Task.WhenAll(tags.Select(tag => Task.Run(() => Store.UpsertImageAsync(Image("app", DigestA, [tag])))));
        var stored = await Store.GetImageAsync(Registry, "app", DigestA);
        Assert.That(stored!.Tags, Is.EquivalentTo(tags));
    }

    [Test]
    public async Task Repositories_are_listed_once_each_in_ordinal_order_per_registry()
    {
        await Store.UpsertImageAsync(Image("zeta", DigestA));
        await Store.UpsertImageAsync(Image("alpha/web", DigestA));
        await Store.UpsertImageAsync(Image("alpha/web", DigestB));
        await Store.UpsertImageAsync(Image("alpha", DigestC));
        await Store.UpsertImageAsync(Image("elsewhere", DigestA, registry: "999999999999"));

        Assert.That(await Store.ListRepositoriesAsync(Registry), Is.EqualTo(new[] { "alpha", "alpha/web", "zeta" }));
        Assert.That(await Store.ListRepositoriesAsync("000000000000"), Is.Empty);
    }

    [Test]
    public async Task Images_page_in_repository_then_digest_order()
    {
        await Store.UpsertImageAsync(Image("b", DigestA));
        await Store.UpsertImageAsync(Image("a", DigestC));
        await Store.UpsertImageAsync(Image("a", DigestA));
        await Store.UpsertImageAsync(Image("b", DigestB));
        await Store.UpsertImageAsync(Image("c", DigestA));
        await Store.UpsertImageAsync(Image("a", DigestB, registry: "999999999999"));

        var seen = new List<(string, string)>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await Store.ListImagesAsync(Registry, null, new ImagePageRequest(2, token));
            Assert.That(page.Images, Has.Count.LessThanOrEqualTo(2));
            seen.AddRange(page.Images.Select(i => (i.Repository, i.Digest)));
            token = page.NextToken;
            pages++;
        } while (token is not null && pages < 10);

        Assert.That(pages, Is.EqualTo(3));
        Assert.That(seen, Is.EqualTo(new[] { ("a", DigestA), ("a", DigestC), ("b", DigestA), ("b", DigestB), ("c", DigestA) }));
    }

    [Test]
    public async Task A_full_last_page_has_no_next_token()
    {
        await Store.UpsertImageAsync(Image("a", DigestA));
        await Store.UpsertImageAsync(Image("a", DigestB));
        var page = await Store.ListImagesAsync(Registry, null, new ImagePageRequest(2));
        Assert.That(page.Images, Has.Count.EqualTo(2));
        Assert.That(page.NextToken, Is.Null);
    }

    [Test]
    public async Task Images_can_be_listed_by_repository_prefix()
    {
        await Store.UpsertImageAsync(Image("app", DigestA));
        await Store.UpsertImageAsync(Image("app/worker", DigestA));
        await Store.UpsertImageAsync(Image("apple", DigestA));
        await Store.UpsertImageAsync(Image("myapp", DigestA));
        await Store.UpsertImageAsync(Image("a.b", DigestA));
        await Store.UpsertImageAsync(Image("axb", DigestA));

        var app = await Store.ListImagesAsync(Registry, "app", new ImagePageRequest());
        Assert.That(app.Images.Select(i => i.Repository), Is.EqualTo(new[] { "app", "app/worker", "apple" }));

        var dotted = await Store.ListImagesAsync(Registry, "a.", new ImagePageRequest());
        Assert.That(dotted.Images.Select(i => i.Repository), Is.EqualTo(new[] { "a.b" }), "the prefix is literal, not a pattern");
    }

    [Test]
    public async Task Images_of_exactly_one_repository()
    {
        await Store.UpsertImageAsync(Image("app", DigestB));
        await Store.UpsertImageAsync(Image("app", DigestA));
        await Store.UpsertImageAsync(Image("app/worker", DigestA));
        await Store.UpsertImageAsync(Image("apple", DigestA));

        var first = await Store.ListRepositoryImagesAsync(Registry, "app", new ImagePageRequest(1));
        Assert.That(first.Images.Select(i => i.Digest), Is.EqualTo(new[] { DigestA }));
        var second = await Store.ListRepositoryImagesAsync(Registry, "app", new ImagePageRequest(1, first.NextToken));
        Assert.That(second.Images.Select(i => i.Digest), Is.EqualTo(new[] { DigestB }));
        Assert.That(second.NextToken, Is.Null);
    }

    [Test]
    public void Bad_page_requests_are_argument_errors()
    {
        Assert.That(() => Store.ListImagesAsync(Registry, null, new ImagePageRequest(0)), Throws.InstanceOf<ArgumentException>());
        Assert.That(() => Store.ListImagesAsync(Registry, null, new ImagePageRequest(1001)), Throws.InstanceOf<ArgumentException>());
        Assert.That(() => Store.ListImagesAsync(Registry, null, new ImagePageRequest(10, "not-a-token")), Throws.InstanceOf<ArgumentException>());
        Assert.That(ImagePageToken.IsValid("not-a-token"), Is.False);
        Assert.That(ImagePageToken.IsValid(ImagePageToken.Encode("app", DigestA)), Is.True);
    }

    // ---- scan status ----

    [Test]
    public async Task Scan_status_is_recorded()
    {
        var scanId = Guid.NewGuid();
        await Store.UpsertImageAsync(Image("app", DigestA));
        Assert.That(await Store.SetScanStatusAsync(Registry, "app", DigestA, ScanStatus.IN_PROGRESS, null, scanId, T0.AddMinutes(1)), Is.True);
        Assert.That(await Store.SetScanStatusAsync(Registry, "app", DigestA, ScanStatus.COMPLETE, "The scan was completed successfully.", null, T0.AddMinutes(2)), Is.True);

        var stored = await Store.GetImageAsync(Registry, "app", DigestA);
        Assert.That(stored!.ScanStatus, Is.EqualTo(ScanStatus.COMPLETE));
        Assert.That(stored.ScanStatusDescription, Is.EqualTo("The scan was completed successfully."));
        Assert.That(stored.LastScanId, Is.EqualTo(scanId), "a null scan id keeps the last one");
        Assert.That(stored.ScanStatusAt, Is.EqualTo(T0.AddMinutes(2)));
        Assert.That(stored.UpdatedAt, Is.EqualTo(T0.AddMinutes(2)));
    }

    [Test]
    public async Task Scan_status_of_an_unknown_image_is_not_recorded()
    {
        Assert.That(await Store.SetScanStatusAsync(Registry, "app", DigestA, ScanStatus.COMPLETE, null, Guid.NewGuid(), T0), Is.False);
        Assert.That(await Store.GetImageAsync(Registry, "app", DigestA), Is.Null);
    }

    [Test]
    public async Task An_older_scan_status_never_overwrites_a_newer_one()
    {
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();
        await Store.UpsertImageAsync(Image("app", DigestA));
        await Store.SetScanStatusAsync(Registry, "app", DigestA, ScanStatus.COMPLETE, "done", second, T0.AddMinutes(5));

        Assert.That(await Store.SetScanStatusAsync(Registry, "app", DigestA, ScanStatus.IN_PROGRESS, null, first, T0.AddMinutes(1)), Is.False);
        var stored = await Store.GetImageAsync(Registry, "app", DigestA);
        Assert.That(stored!.ScanStatus, Is.EqualTo(ScanStatus.COMPLETE));
        Assert.That(stored.LastScanId, Is.EqualTo(second));
    }

    // ---- basic scan quota ----

    [Test]
    public async Task Basic_scan_reservation_allows_one_per_24_hours()
    {
        await Store.UpsertImageAsync(Image("app", DigestA));

        Assert.That(await Store.TryReserveBasicScanAsync(Registry, "app", DigestA, T0), Is.True);
        Assert.That((await Store.GetImageAsync(Registry, "app", DigestA))!.LastBasicScanAt, Is.EqualTo(T0));

        Assert.That(await Store.TryReserveBasicScanAsync(Registry, "app", DigestA, T0.AddHours(23).AddMinutes(59)), Is.False);
        Assert.That((await Store.GetImageAsync(Registry, "app", DigestA))!.LastBasicScanAt, Is.EqualTo(T0), "a refused reservation records nothing");

        Assert.That(await Store.TryReserveBasicScanAsync(Registry, "app", DigestA, T0.AddHours(24)), Is.True);
        Assert.That((await Store.GetImageAsync(Registry, "app", DigestA))!.LastBasicScanAt, Is.EqualTo(T0.AddHours(24)));
    }

    [Test]
    public async Task Basic_scan_quota_is_per_image()
    {
        await Store.UpsertImageAsync(Image("app", DigestA));
        await Store.UpsertImageAsync(Image("app", DigestB));
        await Store.UpsertImageAsync(Image("app", DigestA, registry: "999999999999"));

        Assert.That(await Store.TryReserveBasicScanAsync(Registry, "app", DigestA, T0), Is.True);
        Assert.That(await Store.TryReserveBasicScanAsync(Registry, "app", DigestB, T0), Is.True);
        Assert.That(await Store.TryReserveBasicScanAsync("999999999999", "app", DigestA, T0), Is.True);
    }

    [Test]
    public async Task Basic_scan_reservation_agrees_with_the_quota_rule()
    {
        await Store.UpsertImageAsync(Image("app", DigestA));
        await Store.TryReserveBasicScanAsync(Registry, "app", DigestA, T0);
        foreach (var later in new[] { TimeSpan.Zero, TimeSpan.FromHours(1), TimeSpan.FromHours(24) - TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(24) })
        {
            var now = T0 + later;
            var last = (await Store.GetImageAsync(Registry, "app", DigestA))!.LastBasicScanAt;
            Assert.That(await Store.TryReserveBasicScanAsync(Registry, "app", DigestA, now), Is.EqualTo(BasicScanQuota.CanScan(last, now)), $"at +{later}");
        }
    }

    [Test]
    public async Task Basic_scan_reservation_of_an_unknown_image_fails()
    {
        Assert.That(await Store.TryReserveBasicScanAsync(Registry, "app", DigestA, T0), Is.False);
    }

    [Test]
    public async Task Parallel_basic_scan_reservations_have_exactly_one_winner()
    {
        await Store.UpsertImageAsync(Image("app", DigestA));
        var attempts = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            Task.Run(() => Store.TryReserveBasicScanAsync(Registry, "app", DigestA, T0.AddSeconds(i)))));
        Assert.That(attempts.Count(won => won), Is.EqualTo(1));
    }
}
