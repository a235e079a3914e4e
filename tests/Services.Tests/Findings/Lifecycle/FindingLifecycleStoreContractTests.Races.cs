using System.Collections.Concurrent;
using ImageScanning.Contracts;
using ImageScanning.Findings.Lifecycle;
using static ImageScanning.Services.Tests.Findings.Lifecycle.LifecycleFixtures;

namespace ImageScanning.Services.Tests.Findings.Lifecycle;

/// <summary>
/// Concurrent commits for one image through two store instances on one database (two replicas of the service): one of two
/// commits on the same revision wins, the other starts over, so no finding is duplicated, lost or announced twice. The SQLite half
/// runs everywhere; the MongoDB half where MONGODB_URI names a replica set.
/// </summary>
public abstract partial class FindingLifecycleStoreContractTests
{
    /// <summary>Another store instance on the same database, through a database object of its own (as another replica has).</summary>
    protected abstract IFindingLifecycleStore CreateStoreOnSameDatabase();

    private const int ParallelScans = 8;

    [Test]
    public async Task Parallel_scans_of_one_image_through_two_stores_leave_the_latest_scan_without_duplicates_or_lost_events()
    {
        var image = Image('r');
        var key = FindingRecord.KeyOf(image);
        var services = new[] { _lifecycle, new FindingLifecycleService(CreateStoreOnSameDatabase(), new FindingArns(Options), _clock) };
        // Scan i finds its own vulnerability and one every scan shares; later scans have later completion times.
        var scans = Enumerable.Range(0, ParallelScans)
            .Select(i => Scan(image, T0.AddMinutes(i), Finding($"CVE-2024-{i}", FindingSeverity.HIGH, "pkg" + i), Finding("CVE-2024-SHARED", FindingSeverity.LOW, "zlib")))
            .ToList();
        var events = new ConcurrentQueue<FindingChanged>();

        await Task.WhenAll(scans.Select((scan, i) => Task.Run(async () =>
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    foreach (var change in await services[i % 2].ApplyScanAsync(scan, default)) events.Enqueue(change);
                    return;
                }
                catch (FindingsChangedConcurrentlyException) when (attempt < 20)
                {
                    // What the bus does: the message is delivered again.
                }
            }
        })));

        var state = await _store.GetImageAsync(key);
        var stored = await AllAsync(image);
        var latest = scans[^1];
        Assert.Multiple(() =>
        {
            Assert.That(state.AppliedAt, Is.EqualTo(latest.CompletedAt), "the latest scan is the one applied last");
            Assert.That(stored.Select(f => (f.Finding.VulnerabilityId, f.Finding.Package.Name)), Is.Unique, "one finding per vulnerability and package");
            Assert.That(stored.Where(f => f.Status == FindingStatus.ACTIVE).Select(f => f.Finding.VulnerabilityId),
                Is.EquivalentTo(latest.Findings.Select(f => f.VulnerabilityId)), "exactly the latest scan's findings are open");
            Assert.That(events.Where(e => e.Change == FindingChangeKind.CREATED).Select(e => e.FindingArn), Is.Unique, "no finding is announced created twice");
            Assert.That(events.Where(e => e.Change == FindingChangeKind.CREATED).Select(e => e.FindingArn),
                Is.EquivalentTo(stored.Select(f => f.FindingArn)), "every stored finding was announced, and nothing else");
            Assert.That(state.Revision, Is.InRange(1, ParallelScans), "one revision per commit that took");
        });
    }

    [Test]
    public async Task A_commit_on_a_revision_another_store_instance_moved_on_is_refused()
    {
        var image = Image('s');
        var key = FindingRecord.KeyOf(image);
        var other = CreateStoreOnSameDatabase();
        await _lifecycle.ApplyScanAsync(Scan(image, T0, Finding("CVE-1", FindingSeverity.HIGH, "openssl")), default);
        var seenByBoth = await other.GetImageAsync(key);

        var first = await _store.TryCommitAsync(new ImageFindingsCommit(key, seenByBoth.Revision, T0.AddMinutes(1), Guid.NewGuid(), [], null));
        var second = await other.TryCommitAsync(new ImageFindingsCommit(key, seenByBoth.Revision, T0.AddMinutes(2), Guid.NewGuid(), [], null));

        var after = await other.GetImageAsync(key);
        Assert.Multiple(() =>
        {
            Assert.That((first, second), Is.EqualTo((true, false)), "the second commit on the same revision loses");
            Assert.That((after.Revision, after.AppliedAt), Is.EqualTo((seenByBoth.Revision + 1, (DateTimeOffset?)T0.AddMinutes(1))));
        });
    }
}
