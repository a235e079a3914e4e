using ImageScanning.ScanRouter.Data;

namespace ImageScanning.Services.Tests.ScanRouter.Stores;

/// <summary>The package index at a large image's scale and under races, on both backends (MongoDB: split across chunk documents).</summary>
public sealed partial class PackageIndexStoreContract
{
    /// <summary>50,000 distinct npm-style keys, built here: an image of the size that would strain one MongoDB document.</summary>
    internal static List<ImagePackageKey> LargeImageKeys(int count = 50_000, int padding = 0) =>
        Enumerable.Range(0, count).Select(i => new ImagePackageKey("npm", $"@scope-{i % 500}/package-{i:D6}{new string('x', padding)}")).ToList();

    [Test]
    public async Task An_image_with_fifty_thousand_packages_is_indexed_and_replaced_whole()
    {
        // About 1.7 MB of keys: more than one MongoDB chunk (MaxChunkKeyBytes), so the second replace must drop the surplus chunk.
        var large = LargeImageKeys();
        await PackageIndex.ReplaceImagePackagesAsync(Registry, "node", DigestA, large);
        await PackageIndex.ReplaceImagePackagesAsync(Registry, "web", DigestB, [Lodash, large[0]]);

        Assert.Multiple(async () =>
        {
            Assert.That(await PackageIndex.FindImagesHoldingAsync([large[0]]), Is.EqualTo(new[] { Key("node", DigestA), Key("web", DigestB) }));
            Assert.That(await PackageIndex.FindImagesHoldingAsync([large[^1]]), Is.EqualTo(new[] { Key("node", DigestA) }), "the last key is stored too");
            Assert.That(await PackageIndex.FindImagesHoldingAsync([large[0], large[25_000], large[^1]]), Is.EqualTo(new[] { Key("node", DigestA), Key("web", DigestB) }),
                "an image matching in several chunks is returned once");
        });

        await PackageIndex.ReplaceImagePackagesAsync(Registry, "node", DigestA, [Lodash, large[0]]);
        Assert.Multiple(async () =>
        {
            Assert.That(await PackageIndex.FindImagesHoldingAsync([large[^1]]), Is.Empty, "nothing of the earlier, larger set survives");
            Assert.That(await PackageIndex.FindImagesHoldingAsync([large[25_000]]), Is.Empty);
            Assert.That(await PackageIndex.FindImagesHoldingAsync([Lodash]), Is.EqualTo(new[] { Key("node", DigestA), Key("web", DigestB) }));
        });
    }

    [Test]
    public async Task Parallel_replaces_of_one_image_leave_exactly_one_of_the_sets()
    {
        var sets = Enumerable.Range(0, 10)
            .Select(i => (IReadOnlyCollection<ImagePackageKey>)[new ImagePackageKey("npm", $"only-in-{i}"), new ImagePackageKey("npm", "shared")])
            .ToList();
        await Task.WhenAll(sets.Select(set => Task.Run(() => PackageIndex.ReplaceImagePackagesAsync(Registry, "app", DigestA, set))));

        var holding = new List<int>();
        for (var i = 0; i < sets.Count; i++)
            if ((await PackageIndex.FindImagesHoldingAsync([new ImagePackageKey("npm", $"only-in-{i}")])).Count > 0) holding.Add(i);
        Assert.That(holding, Has.Count.EqualTo(1), "one replace won whole; no mixture of two sets");
        Assert.That(await PackageIndex.FindImagesHoldingAsync([new ImagePackageKey("npm", "shared")]), Is.EqualTo(new[] { Key("app", DigestA) }));
    }

    [Test]
    public async Task Two_store_instances_on_one_database_index_into_one_set()
    {
        var second = (await OpenSecondInstanceAsync()).PackageIndex;
        await PackageIndex.ReplaceImagePackagesAsync(Registry, "app", DigestA, [OpenSsl]);
        await second.ReplaceImagePackagesAsync(Registry, "app", DigestA, [Zlib]);

        Assert.That(await PackageIndex.FindImagesHoldingAsync([OpenSsl]), Is.Empty);
        Assert.That(await PackageIndex.FindImagesHoldingAsync([Zlib]), Is.EqualTo(new[] { Key("app", DigestA) }));
        Assert.That(await second.FindImagesHoldingAsync([Zlib]), Is.EqualTo(new[] { Key("app", DigestA) }));
    }
}
