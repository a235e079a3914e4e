namespace ImageScanning.Services.Tests.ScanRouter.Stores;

/// <summary>The end of life of an image's OS release, as its last completed scan found it (for coverage).</summary>
public sealed partial class ImageCatalogStoreContract
{
    [Test]
    public async Task The_os_end_of_life_is_recorded_kept_across_a_push_and_cleared()
    {
        await Catalog.UpsertImageAsync(Image("app", DigestA));
        Assert.That(await Catalog.SetOsEndOfLifeAsync(Registry, "app", DigestA, new DateOnly(2024, 6, 30)), Is.True);
        await Catalog.UpsertImageAsync(Image("app", DigestA) with { Tags = ["v2"] });

        Assert.That((await Catalog.GetImageAsync(Registry, "app", DigestA))!.OsEndOfLife, Is.EqualTo(new DateOnly(2024, 6, 30)), "a new tag keeps it");
        Assert.That(await Catalog.SetOsEndOfLifeAsync(Registry, "app", DigestA, null), Is.True);
        Assert.That((await Catalog.GetImageAsync(Registry, "app", DigestA))!.OsEndOfLife, Is.Null);
        Assert.That(await Catalog.SetOsEndOfLifeAsync(Registry, "app", DigestB, new DateOnly(2024, 6, 30)), Is.False, "an image not catalogued");
    }
}
