using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Consumers;

namespace ImageScanning.Services.Tests.ScanRouter.Stores;

/// <summary>Repository summaries (with the configuration store's legacy scanOnPush, as DescribeRepositories joins them) and tag look-up.</summary>
public sealed partial class ImageCatalogStoreContract
{
    [Test]
    public async Task Repository_summaries_give_the_first_push_and_the_legacy_setting_in_ordinal_order()
    {
        await Catalog.UpsertImageAsync(Image("web", DigestA, pushedAt: T0.AddHours(2)));
        await Catalog.UpsertImageAsync(Image("web", DigestB, pushedAt: T0.AddHours(1)));
        await Catalog.UpsertImageAsync(Image("Api", DigestC, pushedAt: T0));
        await Catalog.UpsertImageAsync(Image("elsewhere", DigestA, registry: "other-registry"));
        await Configuration.SetRepositoryScanOnPushAsync(Registry, "web", true);
        await Configuration.SetRepositoryScanOnPushAsync(Registry, "no-images", true);

        var summaries = await Catalog.ListCatalogRepositoriesAsync(Configuration, Registry, CancellationToken.None);

        Assert.That(summaries, Is.EqualTo(new[]
        {
            new CatalogRepository("Api", T0, false),
            new CatalogRepository("web", T0.AddHours(1), true),
        }));
    }

    [Test]
    public async Task An_image_is_found_by_a_tag_of_its_repository_only()
    {
        await Catalog.UpsertImageAsync(Image("app", DigestA, ["v1", "latest"]));
        await Catalog.UpsertImageAsync(Image("app", DigestB, ["v2"]));
        await Catalog.UpsertImageAsync(Image("other", DigestC, ["v1"]));

        Assert.Multiple(async () =>
        {
            Assert.That((await Catalog.FindImageByTagAsync(Registry, "app", "latest"))?.Digest, Is.EqualTo(DigestA));
            Assert.That((await Catalog.FindImageByTagAsync(Registry, "app", "v2"))?.Digest, Is.EqualTo(DigestB));
            Assert.That((await Catalog.FindImageByTagAsync(Registry, "other", "v1"))?.Digest, Is.EqualTo(DigestC));
            Assert.That(await Catalog.FindImageByTagAsync(Registry, "app", "v3"), Is.Null);
            Assert.That(await Catalog.FindImageByTagAsync(Registry, "app", "\"v1\""), Is.Null, "tags are compared whole, not as JSON text");
        });
    }

    [Test]
    public async Task A_moved_tag_names_only_its_new_image()
    {
        await Catalog.UpsertImageAsync(Image("app", DigestA, ["latest"]));
        await Catalog.UpsertImageAsync(Image("app", DigestB, ["latest"], pushedAt: T0.AddMinutes(1)));

        Assert.That((await Catalog.FindImageByTagAsync(Registry, "app", "latest"))?.Digest, Is.EqualTo(DigestB));
    }
}
