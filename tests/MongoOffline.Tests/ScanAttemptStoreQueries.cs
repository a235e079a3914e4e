using ImageScanning.ScannerCore.Attempts;
using ImageScanning.ServiceDefaults.Storage;
using static ImageScanning.MongoOffline.Tests.Samples;

namespace ImageScanning.MongoOffline.Tests;

/// <summary>The scanners' record of scan attempts (how many times one scan was started without ending).</summary>
public sealed class ScanAttemptStoreQueries : StoreQueryFixture<IScanAttemptStore>
{
    private static readonly Guid Scanner = Guid.Parse("cccccccc-0000-0000-0000-000000000001");

    protected override IScanAttemptStore CreateStore(MongoServiceDatabase database) => new MongoScanAttemptStore(database);

    protected override IScanAttemptStore Join(IScanAttemptStore store, UnitOfWork work) => store.In(work);

    protected override async Task DriveAsync(IScanAttemptStore store)
    {
        await store.RecordAsync(ScanId, Scanner, T0);
        await store.CountUnfinishedAsync(ScanId, Scanner);
        await store.EndAsync(ScanId, Scanner);
        await store.ForgetAsync(ScanId);
        await store.PruneAsync(T0.AddDays(-1));
    }

    protected override async Task DriveInWorkAsync(IScanAttemptStore joined, UnitOfWork work)
    {
        await joined.CountUnfinishedAsync(ScanId, Scanner);
        await joined.EndAsync(ScanId, Scanner);
    }
}
