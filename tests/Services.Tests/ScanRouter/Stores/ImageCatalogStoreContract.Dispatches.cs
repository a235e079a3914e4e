using ImageScanning.Contracts;
using ImageScanning.ScanRouter.Data;

namespace ImageScanning.Services.Tests.ScanRouter.Stores;

/// <summary>The scan each image waits for: started, listed by the stuck-scan sweeper, re-sent or failed only while still waiting.</summary>
public sealed partial class ImageCatalogStoreContract
{
    private static ScanDispatch Dispatch(int dispatches, DateTimeOffset at, ScanType type = ScanType.ENHANCED, ScanTrigger trigger = ScanTrigger.PUSH) =>
        new(type, trigger, dispatches, at);

    [Test]
    public async Task A_started_scan_is_in_progress_with_its_dispatch()
    {
        var scanId = Guid.NewGuid();
        await Catalog.UpsertImageAsync(Image("app", DigestA));

        Assert.That(await Catalog.StartScanAsync(Registry, "app", DigestA, scanId, Dispatch(1, T0.AddMinutes(1), ScanType.BASIC, ScanTrigger.MANUAL)), Is.True);

        var image = await Catalog.GetImageAsync(Registry, "app", DigestA);
        Assert.That(image!.ScanStatus, Is.EqualTo(ScanStatus.IN_PROGRESS));
        Assert.That(image.ScanStatusDescription, Is.EqualTo(ScanStatusDescriptions.InProgress));
        Assert.That(image.ScanStatusAt, Is.EqualTo(T0.AddMinutes(1)));
        Assert.That(image.LastScanId, Is.EqualTo(scanId));
        Assert.That(image.CurrentScan, Is.EqualTo(Dispatch(1, T0.AddMinutes(1), ScanType.BASIC, ScanTrigger.MANUAL)));
        Assert.That(await Catalog.StartScanAsync(Registry, "app", DigestB, Guid.NewGuid(), Dispatch(1, T0)), Is.False, "not catalogued");
    }

    [Test]
    public async Task A_scan_started_before_a_later_status_is_not_recorded()
    {
        var done = Guid.NewGuid();
        await Catalog.UpsertImageAsync(Image("app", DigestA));
        await Catalog.SetScanStatusAsync(Registry, "app", DigestA, ScanStatus.COMPLETE, "done", done, T0.AddMinutes(5));

        Assert.That(await Catalog.StartScanAsync(Registry, "app", DigestA, Guid.NewGuid(), Dispatch(1, T0.AddMinutes(1))), Is.False);
        var image = await Catalog.GetImageAsync(Registry, "app", DigestA);
        Assert.That(image!.ScanStatus, Is.EqualTo(ScanStatus.COMPLETE));
        Assert.That(image.LastScanId, Is.EqualTo(done));
        Assert.That(image.CurrentScan, Is.Null);
    }

    [Test]
    public async Task In_progress_scans_are_listed_by_their_last_dispatch_in_key_order_a_page_at_a_time()
    {
        foreach (var (repository, digest, sentAt) in new[] { ("b", DigestA, T0), ("a", DigestB, T0.AddMinutes(1)), ("a", DigestA, T0), ("c", DigestA, T0.AddMinutes(30)) })
        {
            await Catalog.UpsertImageAsync(Image(repository, digest));
            await Catalog.StartScanAsync(Registry, repository, digest, Guid.NewGuid(), Dispatch(1, sentAt));
        }
        await Catalog.UpsertImageAsync(Image("done", DigestA));
        await Catalog.StartScanAsync(Registry, "done", DigestA, Guid.NewGuid(), Dispatch(1, T0));
        await Catalog.SetScanStatusAsync(Registry, "done", DigestA, ScanStatus.COMPLETE, "done", null, T0.AddMinutes(2));
        await Catalog.UpsertImageAsync(Image("never", DigestA));

        var first = await Catalog.ListInProgressScansAsync(T0.AddMinutes(15), limit: 2);
        Assert.That(first.Select(i => (i.Repository, i.Digest)), Is.EqualTo(new[] { ("a", DigestA), ("a", DigestB) }));
        var last = first[^1];
        var second = await Catalog.ListInProgressScansAsync(T0.AddMinutes(15), limit: 2, new ImageKey(last.Registry, last.Repository, last.Digest));
        Assert.That(second.Select(i => (i.Repository, i.Digest)), Is.EqualTo(new[] { ("b", DigestA) }), "c was sent too recently; done and never are not waiting");
    }

    [Test]
    public async Task A_re_sent_scan_restarts_the_clock_and_keeps_its_status_time()
    {
        var scanId = Guid.NewGuid();
        await Catalog.UpsertImageAsync(Image("app", DigestA));
        await Catalog.StartScanAsync(Registry, "app", DigestA, scanId, Dispatch(1, T0));

        Assert.That(await Catalog.TryRedispatchScanAsync(Registry, "app", DigestA, scanId, 1, Dispatch(2, T0.AddMinutes(20))), Is.True);

        var image = await Catalog.GetImageAsync(Registry, "app", DigestA);
        Assert.That(image!.CurrentScan, Is.EqualTo(Dispatch(2, T0.AddMinutes(20))));
        Assert.That(image.ScanStatus, Is.EqualTo(ScanStatus.IN_PROGRESS));
        Assert.That(image.ScanStatusAt, Is.EqualTo(T0), "so the scan's own result, however late, is still newer");
        Assert.That(await Catalog.ListInProgressScansAsync(T0.AddMinutes(15), 10), Is.Empty);
        Assert.That(await Catalog.ListInProgressScansAsync(T0.AddMinutes(35), 10), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_scan_is_re_sent_or_failed_only_while_it_waits_with_the_dispatch_count_read()
    {
        var scanId = Guid.NewGuid();
        await Catalog.UpsertImageAsync(Image("app", DigestA));
        await Catalog.StartScanAsync(Registry, "app", DigestA, scanId, Dispatch(1, T0));

        Assert.That(await Catalog.TryRedispatchScanAsync(Registry, "app", DigestA, Guid.NewGuid(), 1, Dispatch(2, T0.AddMinutes(20))), Is.False, "another scan");
        Assert.That(await Catalog.TryRedispatchScanAsync(Registry, "app", DigestA, scanId, 2, Dispatch(3, T0.AddMinutes(20))), Is.False, "another sweeper was first");
        Assert.That(await Catalog.TryFailStuckScanAsync(Registry, "app", DigestA, scanId, 2, "lost", T0.AddMinutes(20)), Is.False, "another sweeper was first");

        await Catalog.SetScanStatusAsync(Registry, "app", DigestA, ScanStatus.COMPLETE, "done", scanId, T0.AddMinutes(10));
        Assert.That(await Catalog.TryRedispatchScanAsync(Registry, "app", DigestA, scanId, 1, Dispatch(2, T0.AddMinutes(20))), Is.False, "the result came");
        Assert.That(await Catalog.TryFailStuckScanAsync(Registry, "app", DigestA, scanId, 1, "lost", T0.AddMinutes(20)), Is.False, "the result came");
        var image = await Catalog.GetImageAsync(Registry, "app", DigestA);
        Assert.That(image!.ScanStatus, Is.EqualTo(ScanStatus.COMPLETE));
        Assert.That(image.CurrentScan, Is.EqualTo(Dispatch(1, T0)));
    }

    [Test]
    public async Task A_stuck_scan_fails_with_its_reason()
    {
        var scanId = Guid.NewGuid();
        await Catalog.UpsertImageAsync(Image("app", DigestA));
        await Catalog.StartScanAsync(Registry, "app", DigestA, scanId, Dispatch(3, T0));

        Assert.That(await Catalog.TryFailStuckScanAsync(Registry, "app", DigestA, scanId, 3, "No scan result.", T0.AddMinutes(15)), Is.True);

        var image = await Catalog.GetImageAsync(Registry, "app", DigestA);
        Assert.That(image!.ScanStatus, Is.EqualTo(ScanStatus.FAILED));
        Assert.That(image.ScanStatusDescription, Is.EqualTo("No scan result."));
        Assert.That(image.ScanStatusAt, Is.EqualTo(T0.AddMinutes(15)));
        Assert.That(image.LastScanId, Is.EqualTo(scanId));
        Assert.That(await Catalog.TryFailStuckScanAsync(Registry, "app", DigestA, scanId, 3, "again", T0.AddMinutes(16)), Is.False, "once");
    }

    [Test]
    public async Task An_upsert_keeps_the_scan_the_image_waits_for()
    {
        var scanId = Guid.NewGuid();
        await Catalog.UpsertImageAsync(Image("app", DigestA, ["v1"]));
        await Catalog.StartScanAsync(Registry, "app", DigestA, scanId, Dispatch(2, T0.AddMinutes(1)));

        var merged = await Catalog.UpsertImageAsync(Image("app", DigestA, ["v2"], pushedAt: T0.AddMinutes(5)));

        Assert.That(merged.CurrentScan, Is.EqualTo(Dispatch(2, T0.AddMinutes(1))));
        Assert.That((await Catalog.GetImageAsync(Registry, "app", DigestA))!.CurrentScan, Is.EqualTo(Dispatch(2, T0.AddMinutes(1))));
    }
}
