using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Data;

namespace ImageScanning.Services.Tests.ScanRouter.Stores;

/// <summary>Every behaviour of <see cref="IPackageIndexStore"/>, the reverse index "which images hold package P", on SQLite and on MongoDB.</summary>
[TestFixture(StoreBackend.Sqlite)]
[TestFixture(StoreBackend.MongoDB)]
public sealed partial class PackageIndexStoreContract(StoreBackend backend) : ScanRouterStoreFixture(backend)
{
    private static readonly ImagePackageKey OpenSsl = new("Debian:12", "openssl");
    private static readonly ImagePackageKey Zlib = new("Debian:12", "zlib");
    private static readonly ImagePackageKey Lodash = new("npm", "lodash");

    private static ImageKey Key(string repository, string digest) => new(Registry, repository, digest);

    [Test]
    public async Task Images_holding_a_package_are_found()
    {
        await PackageIndex.ReplaceImagePackagesAsync(Registry, "app", DigestA, [OpenSsl, Zlib]);
        await PackageIndex.ReplaceImagePackagesAsync(Registry, "web", DigestB, [Lodash]);
        await PackageIndex.ReplaceImagePackagesAsync(Registry, "db", DigestC, [Zlib]);

        Assert.Multiple(async () =>
        {
            Assert.That(await PackageIndex.FindImagesHoldingAsync([OpenSsl]), Is.EqualTo(new[] { Key("app", DigestA) }));
            Assert.That(await PackageIndex.FindImagesHoldingAsync([Zlib]), Is.EqualTo(new[] { Key("app", DigestA), Key("db", DigestC) }));
            Assert.That(await PackageIndex.FindImagesHoldingAsync([new ImagePackageKey("npm", "react")]), Is.Empty);
        });
    }

    [Test]
    public async Task Lookup_by_several_keys_returns_each_image_once()
    {
        await PackageIndex.ReplaceImagePackagesAsync(Registry, "app", DigestA, [OpenSsl, Zlib, Lodash]);
        await PackageIndex.ReplaceImagePackagesAsync(Registry, "web", DigestB, [Lodash]);
        await PackageIndex.ReplaceImagePackagesAsync(Registry, "other", DigestC, [new ImagePackageKey("Alpine:v3.19", "openssl")]);

        var found = await PackageIndex.FindImagesHoldingAsync([OpenSsl, Zlib, Lodash]);

        Assert.That(found, Is.EqualTo(new[] { Key("app", DigestA), Key("web", DigestB) }));
    }

    [Test]
    public async Task A_later_scan_replaces_the_earlier_set()
    {
        await PackageIndex.ReplaceImagePackagesAsync(Registry, "app", DigestA, [OpenSsl, Zlib]);
        await PackageIndex.ReplaceImagePackagesAsync(Registry, "app", DigestA, [Zlib, Lodash]);

        Assert.Multiple(async () =>
        {
            Assert.That(await PackageIndex.FindImagesHoldingAsync([OpenSsl]), Is.Empty);
            Assert.That(await PackageIndex.FindImagesHoldingAsync([Zlib]), Is.EqualTo(new[] { Key("app", DigestA) }));
            Assert.That(await PackageIndex.FindImagesHoldingAsync([Lodash]), Is.EqualTo(new[] { Key("app", DigestA) }));
        });
    }

    [Test]
    public async Task Replacing_with_the_same_set_is_idempotent()
    {
        await PackageIndex.ReplaceImagePackagesAsync(Registry, "app", DigestA, [OpenSsl, OpenSsl, Zlib]);
        await PackageIndex.ReplaceImagePackagesAsync(Registry, "app", DigestA, [Zlib, OpenSsl]);

        Assert.That(await PackageIndex.FindImagesHoldingAsync([OpenSsl, Zlib]), Is.EqualTo(new[] { Key("app", DigestA) }));
    }

    [Test]
    public async Task An_image_replaced_to_an_empty_set_is_no_longer_found()
    {
        await PackageIndex.ReplaceImagePackagesAsync(Registry, "app", DigestA, [OpenSsl]);
        await PackageIndex.ReplaceImagePackagesAsync(Registry, "web", DigestB, [OpenSsl]);
        await PackageIndex.ReplaceImagePackagesAsync(Registry, "app", DigestA, []);

        Assert.That(await PackageIndex.FindImagesHoldingAsync([OpenSsl]), Is.EqualTo(new[] { Key("web", DigestB) }));
    }

    [Test]
    public async Task Images_are_keyed_by_registry_repository_and_digest()
    {
        await PackageIndex.ReplaceImagePackagesAsync(Registry, "app", DigestA, [OpenSsl]);
        await PackageIndex.ReplaceImagePackagesAsync("210987654321", "app", DigestA, [OpenSsl]);
        await PackageIndex.ReplaceImagePackagesAsync(Registry, "app-copy", DigestA, [Zlib]);

        Assert.That(await PackageIndex.FindImagesHoldingAsync([OpenSsl]),
            Is.EqualTo(new[] { Key("app", DigestA), new ImageKey("210987654321", "app", DigestA) }));
    }

    [Test]
    public async Task Names_are_compared_as_the_advisory_store_normalises_them()
    {
        await PackageIndex.ReplaceImagePackagesAsync(Registry, "py", DigestA, [new ImagePackageKey("PyPI", "PyYAML")]);
        await PackageIndex.ReplaceImagePackagesAsync(Registry, "dotnet", DigestB, [new ImagePackageKey("NuGet", "Newtonsoft.Json")]);
        await PackageIndex.ReplaceImagePackagesAsync(Registry, "js", DigestC, [new ImagePackageKey("npm", "JSONStream")]);

        Assert.Multiple(async () =>
        {
            Assert.That(await PackageIndex.FindImagesHoldingAsync([new ImagePackageKey("PyPI", "pyyaml")]), Is.EqualTo(new[] { Key("py", DigestA) }));
            Assert.That(await PackageIndex.FindImagesHoldingAsync([new ImagePackageKey("PyPI", "py_yaml")]), Is.Empty, "PEP 503 keeps separators");
            Assert.That(await PackageIndex.FindImagesHoldingAsync([new ImagePackageKey("NuGet", "newtonsoft.json")]), Is.EqualTo(new[] { Key("dotnet", DigestB) }));
            // npm names are case-sensitive in advisories: exact only.
            Assert.That(await PackageIndex.FindImagesHoldingAsync([new ImagePackageKey("npm", "jsonstream")]), Is.Empty);
            Assert.That(await PackageIndex.FindImagesHoldingAsync([new ImagePackageKey("npm", "JSONStream")]), Is.EqualTo(new[] { Key("js", DigestC) }));
            // The ecosystem is part of the key: the same name elsewhere is another package.
            Assert.That(await PackageIndex.FindImagesHoldingAsync([new ImagePackageKey("Debian:12", "pyyaml")]), Is.Empty);
        });
    }

    [Test]
    public async Task Os_packages_are_indexed_by_their_source_package()
    {
        PackageRecord Binary(string name, string? source, string? ecosystem = "Debian:12") =>
            new(name, "3.0.15-1~deb12u1", "dpkg", ecosystem, source, null, "amd64", "var/lib/dpkg/status", DigestA);
        var keys = ImagePackageKey.FromPackages(
        [
            Binary("libssl3", "openssl"),
            Binary("openssl", "openssl"),
            Binary("zlib1g", "zlib"),
            Binary("bash", null),
            Binary("mystery", null, ecosystem: null),
        ]);
        await PackageIndex.ReplaceImagePackagesAsync(Registry, "app", DigestA, keys);

        Assert.Multiple(async () =>
        {
            Assert.That(keys, Is.EquivalentTo(new[] { OpenSsl, Zlib, new ImagePackageKey("Debian:12", "bash") }));
            Assert.That(await PackageIndex.FindImagesHoldingAsync([OpenSsl]), Is.EqualTo(new[] { Key("app", DigestA) }));
            Assert.That(await PackageIndex.FindImagesHoldingAsync([new ImagePackageKey("Debian:12", "libssl3")]), Is.Empty);
        });
    }

    [Test]
    public async Task Lookup_of_no_keys_finds_nothing()
    {
        await PackageIndex.ReplaceImagePackagesAsync(Registry, "app", DigestA, [OpenSsl]);
        Assert.That(await PackageIndex.FindImagesHoldingAsync([]), Is.Empty);
    }

    [Test]
    public void A_key_without_ecosystem_or_name_is_rejected()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => PackageIndex.ReplaceImagePackagesAsync(Registry, "app", DigestA, [new ImagePackageKey("", "openssl")]), Throws.ArgumentException);
            Assert.That(() => PackageIndex.FindImagesHoldingAsync([new ImagePackageKey("npm", "")]), Throws.ArgumentException);
        });
    }
}
