using ImageScanning.ScanRouter.Data;

namespace ImageScanning.Services.Tests.ScanRouter.Stores;

/// <summary>
/// Races on the catalog, on both backends: concurrent pushes of one tag, concurrent upserts of one image, and two store instances
/// (two hosts) on one database. On MongoDB these are where the tag collection's single-document moves and the upsert's own
/// transaction earn their keep; they run wherever MONGODB_URI is set.
/// </summary>
public sealed partial class ImageCatalogStoreContract
{
    [Test]
    public async Task Parallel_pushes_of_one_tag_leave_it_on_exactly_one_image()
    {
        const int pushes = 12;
        var stored = await Task.WhenAll(Enumerable.Range(0, pushes).Select(i =>
            Task.Run(() => Catalog.UpsertImageAsync(Image("app", Digest(i), [$"build-{i}", "latest"])))));

        var images = (await Catalog.ListRepositoryImagesAsync(Registry, "app", new ImagePageRequest(100))).Images;
        Assert.That(images, Has.Count.EqualTo(pushes));
        var holders = images.Where(i => i.Tags.Contains("latest")).Select(i => i.Digest).ToList();
        Assert.That(holders, Has.Count.EqualTo(1), "a tag names one image per repository, however the pushes interleave");
        Assert.That((await Catalog.FindImageByTagAsync(Registry, "app", "latest"))?.Digest, Is.EqualTo(holders[0]));
        for (var i = 0; i < pushes; i++)
        {
            var image = images.Single(x => x.Digest == Digest(i));
            Assert.That(image.Tags, Does.Contain($"build-{i}"), "each push keeps its own tag");
            Assert.That(stored[i].Tags, Does.Contain($"build-{i}").And.Contain("latest"), "each upsert returned its image as it wrote it");
        }
    }

    [Test]
    public async Task Parallel_pushes_swapping_two_tags_leave_each_on_exactly_one_image()
    {
        // Pushes of A with (x, y) and of B with (y, x), interleaved: the writers meet on both tags, in opposite orders.
        await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() => i % 2 == 0
            ? Catalog.UpsertImageAsync(Image("app", DigestA, ["x", "y"]))
            : Catalog.UpsertImageAsync(Image("app", DigestB, ["y", "x"])))));

        var a = (await Catalog.GetImageAsync(Registry, "app", DigestA))!.Tags;
        var b = (await Catalog.GetImageAsync(Registry, "app", DigestB))!.Tags;
        Assert.That(a.Concat(b), Is.EquivalentTo(new[] { "x", "y" }), "each tag on exactly one of the two images");
        foreach (var tag in new[] { "x", "y" })
        {
            var holder = (await Catalog.FindImageByTagAsync(Registry, "app", tag))!.Digest;
            Assert.That((holder == DigestA ? a : b), Does.Contain(tag), "the tag lookup and the image's tags agree");
        }
    }

    [Test]
    public async Task Parallel_upserts_of_one_image_keep_one_image_with_the_first_push()
    {
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            Task.Run(() => Catalog.UpsertImageAsync(Image("app", DigestA, [$"t{i}"], pushedAt: T0.AddMinutes(20 - i))))));

        var images = (await Catalog.ListImagesAsync(Registry, null, new ImagePageRequest(100))).Images;
        Assert.That(images.Select(i => i.Digest), Is.EqualTo(new[] { DigestA }), "one document per image key");
        Assert.That(images[0].PushedAt, Is.EqualTo(T0.AddMinutes(1)), "the earliest push wins whatever the order");
        Assert.That(images[0].Tags, Is.EquivalentTo(Enumerable.Range(0, 20).Select(i => $"t{i}")));
    }

    [Test]
    public async Task Two_store_instances_on_one_database_share_deliveries_quota_and_tags()
    {
        var second = (await OpenSecondInstanceAsync()).Catalog;
        var stores = new[] { Catalog, second };
        await Catalog.UpsertImageAsync(Image("app", DigestA));

        var deliveries = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => stores[i % 2].TryRecordDeliveryAsync("d", T0))));
        var reservations = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            Task.Run(() => stores[i % 2].TryReserveBasicScanAsync(Registry, "app", DigestA, T0))));
        await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            Task.Run(() => stores[i % 2].UpsertImageAsync(Image("app", Digest(100 + i), ["latest"])))));

        Assert.That(deliveries.Count(won => won), Is.EqualTo(1));
        Assert.That(reservations.Count(won => won), Is.EqualTo(1));
        var images = (await second.ListRepositoryImagesAsync(Registry, "app", new ImagePageRequest(100))).Images;
        Assert.That(images.Count(i => i.Tags.Contains("latest")), Is.EqualTo(1));
        Assert.That((await Catalog.FindImageByTagAsync(Registry, "app", "latest"))?.Digest,
            Is.EqualTo((await second.FindImageByTagAsync(Registry, "app", "latest"))?.Digest));
    }

    [Test]
    public async Task A_tag_move_in_a_work_rolled_back_leaves_the_tag_where_it_was()
    {
        await Catalog.UpsertImageAsync(Image("app", DigestA, ["latest"]));
        await using (var work = await Database.BeginAsync())
        {
            var moved = await Catalog.In(work).UpsertImageAsync(Image("app", DigestB, ["latest"]));
            Assert.That(moved.Tags, Is.EqualTo(new[] { "latest" }));
            Assert.That((await Catalog.In(work).GetImageAsync(Registry, "app", DigestA))!.Tags, Is.Empty, "the work sees its own move");
        }

        Assert.That((await Catalog.GetImageAsync(Registry, "app", DigestA))!.Tags, Is.EqualTo(new[] { "latest" }));
        Assert.That(await Catalog.GetImageAsync(Registry, "app", DigestB), Is.Null);
        Assert.That((await Catalog.FindImageByTagAsync(Registry, "app", "latest"))?.Digest, Is.EqualTo(DigestA));
    }

    [Test]
    public async Task A_moved_tag_goes_after_the_images_other_tags_and_a_kept_one_keeps_its_place()
    {
        await Catalog.UpsertImageAsync(Image("app", DigestA, ["latest"]));
        await Catalog.UpsertImageAsync(Image("app", DigestB, ["v2", "stable"]));
        var b = await Catalog.UpsertImageAsync(Image("app", DigestB, ["latest", "v2"]));

        Assert.That(b.Tags, Is.EqualTo(new[] { "v2", "stable", "latest" }));
        Assert.That((await Catalog.GetImageAsync(Registry, "app", DigestB))!.Tags, Is.EqualTo(new[] { "v2", "stable", "latest" }));
        Assert.That((await Catalog.GetImageAsync(Registry, "app", DigestA))!.Tags, Is.Empty);
    }
}
