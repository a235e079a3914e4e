using ImageScanning.Contracts;
using ImageScanning.Findings.Data;
using ImageScanning.ServiceDefaults.Storage;
using static ImageScanning.MongoOffline.Tests.Samples;

namespace ImageScanning.MongoOffline.Tests;

/// <summary>Findings' whole-scan records (what DescribeImageScanFindings and ScanCompleted read).</summary>
public sealed class ScanStoreQueries : StoreQueryFixture<IFindingsStore>
{
    protected override IFindingsStore CreateStore(MongoServiceDatabase database) => new MongoFindingsStore(database);

    protected override IFindingsStore Join(IFindingsStore store, UnitOfWork work) => store.In(work);

    public static ImageScanRecord Record(ImageRef image, params VulnerabilityFinding[] findings) =>
        new(ScanId, image, ScanType.ENHANCED, ScanTrigger.PUSH, ScanStatus.COMPLETE, "The scan was completed successfully.", null,
            ImageScanRecord.CountBySeverity(findings), findings, T0, T0.AddHours(-1));

    protected override async Task DriveAsync(IFindingsStore store)
    {
        var image = Image();
        var scan = Record(image, Finding("CVE-2024-1", FindingSeverity.HIGH, "openssl"), Finding("CVE-2024-2", FindingSeverity.LOW, "zlib"));
        await store.SaveScanAsync(scan);
        var stored = Mongo.WrittenTo(MongoFindingsStore.ScansCollection)[^1];

        Mongo.Reply(MongoFindingsStore.ScansCollection, stored);
        Assert.That(Json(await store.GetScanAsync(ScanId)), Is.EqualTo(Json(scan)), "the scan reads back whole");
        Mongo.Reply(MongoFindingsStore.ScansCollection, stored);
        Assert.That((await store.GetLatestScanAsync(image.Registry, image.Repository, image.Digest))?.ScanId, Is.EqualTo(ScanId));
        Mongo.Reply(MongoFindingsStore.ScansCollection, stored);
        Assert.That(await store.ListScansAsync(T0.AddDays(-1), 50), Has.Count.EqualTo(1));
        await store.ListScansAsync(null, 50);
    }

    protected override async Task DriveInWorkAsync(IFindingsStore joined, UnitOfWork work)
    {
        await joined.SaveScanAsync(Record(Image('b'), Finding("CVE-2024-3", FindingSeverity.CRITICAL, "libc6")));
        await joined.GetScanAsync(ScanId);
    }
}
