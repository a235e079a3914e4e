using ImageScanning.Contracts;

namespace ImageScanning.Services.Tests.ScanRouter;

/// <summary>Repository-level data: legacy scanOnPush, repository summaries and tag look-up.</summary>
public abstract partial class ScanRouterStoreContract
{
    [Test]
    public async Task Legacy_scan_on_push_is_false_until_set_and_the_last_write_wins()
    {
        Assert.That(await Store.GetRepositoryScanOnPushAsync(Registry, "team/app"), Is.False);
        await Store.SetRepositoryScanOnPushAsync(Registry, "team/app", true);
        Assert.That(await Store.GetRepositoryScanOnPushAsync(Registry, "team/app"), Is.True);
        Assert.That(await Store.GetRepositoryScanOnPushAsync("other-registry", "team/app"), Is.False, "per registry");
        await Store.SetRepositoryScanOnPushAsync(Registry, "team/app", false);
        Assert.That(await Store.GetRepositoryScanOnPushAsync(Registry, "team/app"), Is.False);
    }

    [Test]
    public async Task Repository_summaries_give_the_first_push_and_the_legacy_setting_in_ordinal_order()
    {
        await Store.UpsertImageAsync(Image("web", DigestA, pushedAt: T0.AddHours(2)));
        await Store.UpsertImageAsync(Image("web", DigestB, pushedAt: T0.AddHours(1)));
        await Store.UpsertImageAsync(Image("Api", DigestC, pushedAt: T0));
        await Store.UpsertImageAsync(Image("elsewhere", DigestA, registry: "other-registry"));
        await Store.SetRepositoryScanOnPushAsync(Registry, "web", true);
        await Store.SetRepositoryScanOnPushAsync(Registry, "no-images", true);

        var summaries = await Store.ListRepositorySummariesAsync(Registry);

        Assert.That(summaries, Is.EqualTo(new[]
        {
            new CatalogRepository("Api", T0, false),
            new CatalogRepository("web", T0.AddHours(1), true),
        }));
    }

    [Test]
    public async Task An_image_is_found_by_a_tag_of_its_repository_only()
    {
        await Store.UpsertImageAsync(Image("app", DigestA, ["v1", "latest"]));
        await Store.UpsertImageAsync(Image("app", DigestB, ["v2"]));
        await Store.UpsertImageAsync(Image("other", DigestC, ["v1"]));

        Assert.Multiple(async () =>
        {
            Assert.That((await Store.FindImageByTagAsync(Registry, "app", "latest"))?.Digest, Is.EqualTo(DigestA));
            Assert.That((await Store.FindImageByTagAsync(Registry, "app", "v2"))?.Digest, Is.EqualTo(DigestB));
            Assert.That((await Store.FindImageByTagAsync(Registry, "other", "v1"))?.Digest, Is.EqualTo(DigestC));
            Assert.That(await Store.FindImageByTagAsync(Registry, "app", "v3"), Is.Null);
            Assert.That(await Store.FindImageByTagAsync(Registry, "app", "\"v1\""), Is.Null, "tags are compared whole, not as JSON text");
        });
    }

    [Test]
    public async Task A_moved_tag_names_only_its_new_image()
    {
        await Store.UpsertImageAsync(Image("app", DigestA, ["latest"]));
        await Store.UpsertImageAsync(Image("app", DigestB, ["latest"], pushedAt: T0.AddMinutes(1)));

        Assert.That((await Store.FindImageByTagAsync(Registry, "app", "latest"))?.Digest, Is.EqualTo(DigestB));
    }
}
