using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Data;
using ImageScanning.ScanRouter.Scanning;

namespace ImageScanning.Services.Tests.ScanRouter.Stores;

/// <summary>
/// Every behaviour of <see cref="IImageCatalogStore"/>, on SQLite and on MongoDB: delivery de-duplication and the catalog here;
/// scan status, quota, pulls, expiry and dispatches in ImageCatalogStoreContract.Scans.cs; repositories in .Repositories.cs.
/// </summary>
[TestFixture(StoreBackend.Sqlite)]
[TestFixture(StoreBackend.MongoDB)]
public sealed partial class ImageCatalogStoreContract(StoreBackend backend) : ScanRouterStoreFixture(backend)
{
    // ---- delivery de-duplication ----

    [Test]
    public async Task Delivery_is_recorded_only_the_first_time()
    {
        Assert.That(await Catalog.TryRecordDeliveryAsync("delivery-1", T0), Is.True);
        Assert.That(await Catalog.TryRecordDeliveryAsync("delivery-1", T0.AddMinutes(5)), Is.False);
        Assert.That(await Catalog.TryRecordDeliveryAsync("delivery-2", T0), Is.True);
    }

    [Test]
    public async Task Parallel_duplicate_deliveries_have_exactly_one_winner()
    {
        var attempts = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => Catalog.TryRecordDeliveryAsync("delivery-race", T0))));
        Assert.That(attempts.Count(won => won), Is.EqualTo(1));
    }

    [Test]
    public async Task Purged_deliveries_can_be_recorded_again()
    {
        await Catalog.TryRecordDeliveryAsync("old", T0);
        await Catalog.TryRecordDeliveryAsync("new", T0.AddDays(10));

        Assert.That(await Catalog.PurgeDeliveriesAsync(T0.AddDays(7)), Is.EqualTo(1));
        Assert.That(await Catalog.TryRecordDeliveryAsync("old", T0.AddDays(11)), Is.True);
        Assert.That(await Catalog.TryRecordDeliveryAsync("new", T0.AddDays(11)), Is.False);
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
        var returned = await Catalog.UpsertImageAsync(image);
        var stored = await Catalog.GetImageAsync(Registry, "team/app", DigestA);

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
        Assert.That(await Catalog.GetImageAsync(Registry, "nope", DigestA), Is.Null);
    }

    [Test]
    public async Task Times_keep_millisecond_precision_in_utc()
    {
        var at = new DateTimeOffset(2025, 3, 1, 14, 30, 15, 123, TimeSpan.FromHours(2));
        await Catalog.UpsertImageAsync(Image("app", DigestA, pushedAt: at));
        var stored = await Catalog.GetImageAsync(Registry, "app", DigestA);
        Assert.That(stored!.PushedAt, Is.EqualTo(at));
        Assert.That(stored.PushedAt.Offset, Is.EqualTo(TimeSpan.Zero));
    }

    [Test]
    public async Task Upsert_merges_tags_and_keeps_the_first_push()
    {
        await Catalog.UpsertImageAsync(Image("app", DigestA, ["v1", "latest"], pushedAt: T0));
        var merged = await Catalog.UpsertImageAsync(
            Image("app", DigestA, ["latest", "v2"], pushedAt: T0.AddHours(2), mediaType: "application/vnd.docker.distribution.manifest.v2+json"));

        Assert.That(merged.Tags, Is.EqualTo(new[] { "v1", "latest", "v2" }));
        Assert.That(merged.PushedAt, Is.EqualTo(T0));
        Assert.That(merged.MediaType, Is.EqualTo("application/vnd.docker.distribution.manifest.v2+json"));
        Assert.That(merged.UpdatedAt, Is.EqualTo(T0.AddHours(2)));

        var stored = await Catalog.GetImageAsync(Registry, "app", DigestA);
        Assert.That(stored!.Tags, Is.EqualTo(new[] { "v1", "latest", "v2" }));
        Assert.That(stored.PushedAt, Is.EqualTo(T0));
    }

    [Test]
    public async Task Upsert_without_status_keeps_the_recorded_status_and_quota()
    {
        var scanId = Guid.NewGuid();
        await Catalog.UpsertImageAsync(Image("app", DigestA, ["v1"]));
        await Catalog.SetScanStatusAsync(Registry, "app", DigestA, ScanStatus.COMPLETE, "The scan was completed successfully.", scanId, T0.AddMinutes(1));
        await Catalog.TryReserveBasicScanAsync(Registry, "app", DigestA, T0);

        var merged = await Catalog.UpsertImageAsync(Image("app", DigestA, ["v2"], pushedAt: T0.AddMinutes(5)));
        Assert.That(merged.ScanStatus, Is.EqualTo(ScanStatus.COMPLETE));
        Assert.That(merged.ScanStatusDescription, Is.EqualTo("The scan was completed successfully."));
        Assert.That(merged.LastScanId, Is.EqualTo(scanId));
        Assert.That(merged.LastBasicScanAt, Is.EqualTo(T0));
        Assert.That(merged.Tags, Is.EqualTo(new[] { "v1", "v2" }));
    }

    [Test]
    public async Task Upsert_moves_a_tag_to_the_newly_pushed_digest_within_the_repository()
    {
        await Catalog.UpsertImageAsync(Image("app", DigestA, ["latest", "v1"]));
        await Catalog.UpsertImageAsync(Image("other", DigestC, ["latest"]));
        await Catalog.UpsertImageAsync(Image("app", DigestB, ["latest", "v2"], pushedAt: T0.AddHours(1)));

        Assert.That((await Catalog.GetImageAsync(Registry, "app", DigestA))!.Tags, Is.EqualTo(new[] { "v1" }));
        Assert.That((await Catalog.GetImageAsync(Registry, "app", DigestB))!.Tags, Is.EqualTo(new[] { "latest", "v2" }));
        Assert.That((await Catalog.GetImageAsync(Registry, "other", DigestC))!.Tags, Is.EqualTo(new[] { "latest" }), "other repositories keep their tags");
    }

    [Test]
    public async Task Untagged_image_is_catalogued_with_no_tags()
    {
        var stored = await Catalog.UpsertImageAsync(Image("app", DigestA, []));
        Assert.That(stored.Tags, Is.Empty);
        Assert.That((await Catalog.GetImageAsync(Registry, "app", DigestA))!.Tags, Is.Empty);
        Assert.That((await Catalog.UpsertImageAsync(Image("app", DigestA, ["v1"]))).Tags, Is.EqualTo(new[] { "v1" }));
    }

    [Test]
    public async Task Parallel_upserts_of_one_image_lose_no_tag()
    {
        var tags = Enumerable.Range(0, 20).Select(i => $"t{i}").ToArray();
        await Task.WhenAll(tags.Select(tag => Task.Run(() => Catalog.UpsertImageAsync(Image("app", DigestA, [tag])))));
        var stored = await Catalog.GetImageAsync(Registry, "app", DigestA);
        Assert.That(stored!.Tags, Is.EquivalentTo(tags));
    }

    [Test]
    public async Task Repositories_are_listed_once_each_in_ordinal_order_per_registry()
    {
        await Catalog.UpsertImageAsync(Image("zeta", DigestA));
        await Catalog.UpsertImageAsync(Image("alpha/web", DigestA));
        await Catalog.UpsertImageAsync(Image("alpha/web", DigestB));
        await Catalog.UpsertImageAsync(Image("alpha", DigestC));
        await Catalog.UpsertImageAsync(Image("elsewhere", DigestA, registry: "999999999999"));

        Assert.That(await Catalog.ListRepositoriesAsync(Registry), Is.EqualTo(new[] { "alpha", "alpha/web", "zeta" }));
        Assert.That(await Catalog.ListRepositoriesAsync("000000000000"), Is.Empty);
    }

    [Test]
    public async Task Images_page_in_repository_then_digest_order()
    {
        await Catalog.UpsertImageAsync(Image("b", DigestA));
        await Catalog.UpsertImageAsync(Image("a", DigestC));
        await Catalog.UpsertImageAsync(Image("a", DigestA));
        await Catalog.UpsertImageAsync(Image("b", DigestB));
        await Catalog.UpsertImageAsync(Image("c", DigestA));
        await Catalog.UpsertImageAsync(Image("a", DigestB, registry: "999999999999"));

        var seen = new List<(string, string)>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await Catalog.ListImagesAsync(Registry, null, new ImagePageRequest(2, token));
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
        await Catalog.UpsertImageAsync(Image("a", DigestA));
        await Catalog.UpsertImageAsync(Image("a", DigestB));
        var page = await Catalog.ListImagesAsync(Registry, null, new ImagePageRequest(2));
        Assert.That(page.Images, Has.Count.EqualTo(2));
        Assert.That(page.NextToken, Is.Null);
    }

    [Test]
    public async Task Images_can_be_listed_by_repository_prefix()
    {
        await Catalog.UpsertImageAsync(Image("app", DigestA));
        await Catalog.UpsertImageAsync(Image("app/worker", DigestA));
        await Catalog.UpsertImageAsync(Image("apple", DigestA));
        await Catalog.UpsertImageAsync(Image("myapp", DigestA));
        await Catalog.UpsertImageAsync(Image("a.b", DigestA));
        await Catalog.UpsertImageAsync(Image("axb", DigestA));

        var app = await Catalog.ListImagesAsync(Registry, "app", new ImagePageRequest());
        Assert.That(app.Images.Select(i => i.Repository), Is.EqualTo(new[] { "app", "app/worker", "apple" }));

        var dotted = await Catalog.ListImagesAsync(Registry, "a.", new ImagePageRequest());
        Assert.That(dotted.Images.Select(i => i.Repository), Is.EqualTo(new[] { "a.b" }), "the prefix is literal, not a pattern");
    }

    [Test]
    public async Task Images_of_exactly_one_repository()
    {
        await Catalog.UpsertImageAsync(Image("app", DigestB));
        await Catalog.UpsertImageAsync(Image("app", DigestA));
        await Catalog.UpsertImageAsync(Image("app/worker", DigestA));
        await Catalog.UpsertImageAsync(Image("apple", DigestA));

        var first = await Catalog.ListRepositoryImagesAsync(Registry, "app", new ImagePageRequest(1));
        Assert.That(first.Images.Select(i => i.Digest), Is.EqualTo(new[] { DigestA }));
        var second = await Catalog.ListRepositoryImagesAsync(Registry, "app", new ImagePageRequest(1, first.NextToken));
        Assert.That(second.Images.Select(i => i.Digest), Is.EqualTo(new[] { DigestB }));
        Assert.That(second.NextToken, Is.Null);
    }

    [Test]
    public void Bad_page_requests_are_argument_errors()
    {
        Assert.That(() => Catalog.ListImagesAsync(Registry, null, new ImagePageRequest(0)), Throws.InstanceOf<ArgumentException>());
        Assert.That(() => Catalog.ListImagesAsync(Registry, null, new ImagePageRequest(1001)), Throws.InstanceOf<ArgumentException>());
        Assert.That(() => Catalog.ListImagesAsync(Registry, null, new ImagePageRequest(10, "not-a-token")), Throws.InstanceOf<ArgumentException>());
        Assert.That(ImagePageToken.IsValid("not-a-token"), Is.False);
        Assert.That(ImagePageToken.IsValid(ImagePageToken.Encode("app", DigestA)), Is.True);
    }
}
