using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Data;
using ImageScanning.ScanRouter.Scanning;

namespace ImageScanning.Services.Tests.ScanRouter.Stores;

/// <summary>Scan status, the basic-scan quota, pulls, re-scan expiry and the scan each image waits for.</summary>
public sealed partial class ImageCatalogStoreContract
{
    // ---- scan status ----

    [Test]
    public async Task Scan_status_is_recorded()
    {
        var scanId = Guid.NewGuid();
        await Catalog.UpsertImageAsync(Image("app", DigestA));
        Assert.That(await Catalog.SetScanStatusAsync(Registry, "app", DigestA, ScanStatus.IN_PROGRESS, null, scanId, T0.AddMinutes(1)), Is.True);
        Assert.That(await Catalog.SetScanStatusAsync(Registry, "app", DigestA, ScanStatus.COMPLETE, "The scan was completed successfully.", null, T0.AddMinutes(2)), Is.True);

        var stored = await Catalog.GetImageAsync(Registry, "app", DigestA);
        Assert.That(stored!.ScanStatus, Is.EqualTo(ScanStatus.COMPLETE));
        Assert.That(stored.ScanStatusDescription, Is.EqualTo("The scan was completed successfully."));
        Assert.That(stored.LastScanId, Is.EqualTo(scanId), "a null scan id keeps the last one");
        Assert.That(stored.ScanStatusAt, Is.EqualTo(T0.AddMinutes(2)));
        Assert.That(stored.UpdatedAt, Is.EqualTo(T0.AddMinutes(2)));
    }

    [Test]
    public async Task Scan_status_of_an_unknown_image_is_not_recorded()
    {
        Assert.That(await Catalog.SetScanStatusAsync(Registry, "app", DigestA, ScanStatus.COMPLETE, null, Guid.NewGuid(), T0), Is.False);
        Assert.That(await Catalog.GetImageAsync(Registry, "app", DigestA), Is.Null);
    }

    [Test]
    public async Task An_older_scan_status_never_overwrites_a_newer_one()
    {
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();
        await Catalog.UpsertImageAsync(Image("app", DigestA));
        await Catalog.SetScanStatusAsync(Registry, "app", DigestA, ScanStatus.COMPLETE, "done", second, T0.AddMinutes(5));

        Assert.That(await Catalog.SetScanStatusAsync(Registry, "app", DigestA, ScanStatus.IN_PROGRESS, null, first, T0.AddMinutes(1)), Is.False);
        var stored = await Catalog.GetImageAsync(Registry, "app", DigestA);
        Assert.That(stored!.ScanStatus, Is.EqualTo(ScanStatus.COMPLETE));
        Assert.That(stored.LastScanId, Is.EqualTo(second));
    }

    // ---- basic scan quota ----

    [Test]
    public async Task Basic_scan_reservation_allows_one_per_24_hours()
    {
        await Catalog.UpsertImageAsync(Image("app", DigestA));

        Assert.That(await Catalog.TryReserveBasicScanAsync(Registry, "app", DigestA, T0), Is.True);
        Assert.That((await Catalog.GetImageAsync(Registry, "app", DigestA))!.LastBasicScanAt, Is.EqualTo(T0));

        Assert.That(await Catalog.TryReserveBasicScanAsync(Registry, "app", DigestA, T0.AddHours(23).AddMinutes(59)), Is.False);
        Assert.That((await Catalog.GetImageAsync(Registry, "app", DigestA))!.LastBasicScanAt, Is.EqualTo(T0), "a refused reservation records nothing");

        Assert.That(await Catalog.TryReserveBasicScanAsync(Registry, "app", DigestA, T0.AddHours(24)), Is.True);
        Assert.That((await Catalog.GetImageAsync(Registry, "app", DigestA))!.LastBasicScanAt, Is.EqualTo(T0.AddHours(24)));
    }

    [Test]
    public async Task Basic_scan_quota_is_per_image()
    {
        await Catalog.UpsertImageAsync(Image("app", DigestA));
        await Catalog.UpsertImageAsync(Image("app", DigestB));
        await Catalog.UpsertImageAsync(Image("app", DigestA, registry: "999999999999"));

        Assert.That(await Catalog.TryReserveBasicScanAsync(Registry, "app", DigestA, T0), Is.True);
        Assert.That(await Catalog.TryReserveBasicScanAsync(Registry, "app", DigestB, T0), Is.True);
        Assert.That(await Catalog.TryReserveBasicScanAsync("999999999999", "app", DigestA, T0), Is.True);
    }

    [Test]
    public async Task Basic_scan_reservation_agrees_with_the_quota_rule()
    {
        await Catalog.UpsertImageAsync(Image("app", DigestA));
        await Catalog.TryReserveBasicScanAsync(Registry, "app", DigestA, T0);
        foreach (var later in new[] { TimeSpan.Zero, TimeSpan.FromHours(1), TimeSpan.FromHours(24) - TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(24) })
        {
            var now = T0 + later;
            var last = (await Catalog.GetImageAsync(Registry, "app", DigestA))!.LastBasicScanAt;
            Assert.That(await Catalog.TryReserveBasicScanAsync(Registry, "app", DigestA, now), Is.EqualTo(BasicScanQuota.CanScan(last, now)), $"at +{later}");
        }
    }

    [Test]
    public async Task Basic_scan_reservation_of_an_unknown_image_fails()
    {
        Assert.That(await Catalog.TryReserveBasicScanAsync(Registry, "app", DigestA, T0), Is.False);
    }

    [Test]
    public async Task Parallel_basic_scan_reservations_have_exactly_one_winner()
    {
        await Catalog.UpsertImageAsync(Image("app", DigestA));
        var attempts = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            Task.Run(() => Catalog.TryReserveBasicScanAsync(Registry, "app", DigestA, T0.AddSeconds(i)))));
        Assert.That(attempts.Count(won => won), Is.EqualTo(1));
    }

    // ---- pulls and expiry ----

    [Test]
    public async Task A_pull_moves_the_last_pull_date_forward_only_and_needs_a_catalogued_image()
    {
        await Catalog.UpsertImageAsync(Image("app", DigestA));

        Assert.That(await Catalog.RecordPullAsync(Registry, "app", DigestA, T0.AddDays(2)), Is.True);
        Assert.That(await Catalog.RecordPullAsync(Registry, "app", DigestA, T0.AddDays(1)), Is.True);
        Assert.That(await Catalog.RecordPullAsync(Registry, "app", DigestB, T0.AddDays(1)), Is.False);

        var image = await Catalog.GetImageAsync(Registry, "app", DigestA);
        Assert.That(image!.LastPulledAt, Is.EqualTo(T0.AddDays(2)));
    }

    [Test]
    public async Task An_image_expires_exactly_once()
    {
        await Catalog.UpsertImageAsync(Image("app", DigestA));
        await Catalog.SetScanStatusAsync(Registry, "app", DigestA, ScanStatus.COMPLETE, "done", Guid.NewGuid(), T0);

        Assert.That(await Catalog.TryExpireImageAsync(Registry, "app", DigestA, T0.AddDays(20)), Is.True);
        Assert.That(await Catalog.TryExpireImageAsync(Registry, "app", DigestA, T0.AddDays(21)), Is.False);
        Assert.That(await Catalog.TryExpireImageAsync(Registry, "app", DigestB, T0.AddDays(21)), Is.False, "not catalogued");

        var image = await Catalog.GetImageAsync(Registry, "app", DigestA);
        Assert.That(image!.ScanStatus, Is.EqualTo(ScanStatus.SCAN_ELIGIBILITY_EXPIRED));
        Assert.That(image.ScanStatusAt, Is.EqualTo(T0.AddDays(20)));
    }
}
