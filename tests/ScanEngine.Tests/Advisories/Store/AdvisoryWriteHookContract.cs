using System.Collections.Concurrent;
using ImageScanning.ScanEngine.Advisories.Osv;
using ImageScanning.ScanEngine.Advisories.Store;

namespace ImageScanning.ScanEngine.Tests.Advisories.Store;

/// <summary>
/// What a store with an <see cref="IAdvisoryWriteHook"/> guarantees: the hook runs inside each batch's transaction (it sees the
/// batch, nobody outside does yet), what it writes there commits with the batch, and a hook that throws leaves nothing stored.
/// The hook here writes one "marker" row per changed advisory, the way CveFeed writes an announcement.
/// </summary>
public abstract class AdvisoryWriteHookContract
{
    protected MarkingHook Hook { get; private set; } = null!;
    protected IAdvisoryStore Store { get; private set; } = null!;

    /// <summary>A fresh empty store with <paramref name="hook"/>.</summary>
    protected abstract Task<IAdvisoryStore> CreateStoreAsync(IAdvisoryWriteHook hook);

    protected virtual Task DestroyStoreAsync() => Task.CompletedTask;

    /// <summary>Writes a marker per id in the batch's transaction.</summary>
    protected abstract Task WriteMarkersAsync(AdvisoryWriteTransaction transaction, IReadOnlyList<string> ids, CancellationToken ct);

    /// <summary>The markers committed so far, read outside any transaction.</summary>
    protected abstract Task<IReadOnlyList<string>> CommittedMarkersAsync();

    /// <summary>Advisories as a reader outside the transaction sees them, and as the transaction itself does.</summary>
    protected abstract Task<(long Outside, long Inside)> CountAdvisoriesAsync(AdvisoryWriteTransaction transaction, CancellationToken ct);

    [SetUp]
    public async Task CreateStore()
    {
        Hook = new MarkingHook(this);
        Store = await CreateStoreAsync(Hook);
    }

    [TearDown]
    public Task DestroyStore() => DestroyStoreAsync();

    private static (OsvAdvisory, string) Record(string folder, string id)
    {
        var raw = OsvCorpus.Raw(folder, id);
        return (OsvParser.Parse(raw), raw);
    }

    private static readonly (OsvAdvisory, string)[] ThreeRecords =
        [Record("debian", "DLA-3008-1"), Record("debian", "DSA-3029-1"), Record("ghsa", "GHSA-jfh8-c2jp-5v3q")];

    [Test]
    public async Task The_hook_runs_inside_the_batch_transaction_and_its_rows_commit_with_the_batch()
    {
        var results = await Store.UpsertManyAsync(ThreeRecords);

        var storing = Hook.Storing.Single();
        Assert.Multiple(async () =>
        {
            Assert.That(storing.Writes.Select(w => w.Result), Is.EqualTo(results), "every item, in input order, with the store's results");
            Assert.That(storing.Writes.Select(w => w.AffectedHash), Is.EqualTo(ThreeRecords.Select(r => AdvisoryFingerprint.AffectedHashOf(r.Item1))));
            Assert.That(storing.Inside, Is.EqualTo(3), "the hook's transaction sees the batch");
            Assert.That(storing.Outside, Is.Zero, "nobody outside sees it before the commit");
            Assert.That(Hook.Committed.Single(), Is.EqualTo(storing.Writes));
            Assert.That(await CommittedMarkersAsync(), Is.EquivalentTo(ThreeRecords.Select(r => r.Item1.Id)));
            Assert.That(await Store.CountAsync(), Is.EqualTo(3));
        });
    }

    [Test]
    public async Task A_hook_that_throws_leaves_neither_the_batch_nor_its_rows()
    {
        Hook.FailNextBatch = true;
        Assert.ThrowsAsync<InvalidOperationException>(() => Store.UpsertManyAsync(ThreeRecords));

        Assert.Multiple(async () =>
        {
            Assert.That(await Store.CountAsync(), Is.Zero);
            Assert.That(await CommittedMarkersAsync(), Is.Empty);
            Assert.That(Hook.Committed, Is.Empty, "Committed is only called for a committed batch");
        });
        // Nothing was stored, so storing again finds every record new.
        Assert.That((await Store.UpsertManyAsync(ThreeRecords)).Select(r => r.Change), Is.All.EqualTo(AdvisoryChange.New));
        Assert.That(await CommittedMarkersAsync(), Is.EquivalentTo(ThreeRecords.Select(r => r.Item1.Id)));
    }

    [Test]
    public async Task One_upsert_is_a_batch_of_one_and_an_unchanged_record_is_passed_as_unchanged()
    {
        var (advisory, raw) = ThreeRecords[0];
        await Store.UpsertAsync(advisory, raw);
        await Store.UpsertAsync(advisory, raw);

        Assert.That(Hook.Storing, Has.Count.EqualTo(2));
        Assert.That(Hook.Storing.Select(s => s.Writes.Single().Result.Change), Is.EqualTo(new[] { AdvisoryChange.New, AdvisoryChange.Unchanged }));
        Assert.That(await CommittedMarkersAsync(), Is.EqualTo(new[] { advisory.Id }), "the hook marks only what changed");
    }

    /// <summary>Records what it is given and writes a marker per advisory whose affected data changed.</summary>
    protected sealed class MarkingHook(AdvisoryWriteHookContract contract) : IAdvisoryWriteHook
    {
        public ConcurrentQueue<(IReadOnlyList<AdvisoryWrite> Writes, long Outside, long Inside)> Storing { get; } = new();
        public ConcurrentQueue<IReadOnlyList<AdvisoryWrite>> Committed { get; } = new();
        public bool FailNextBatch { get; set; }

        async Task IAdvisoryWriteHook.StoringAsync(IReadOnlyList<AdvisoryWrite> writes, AdvisoryWriteTransaction transaction, CancellationToken ct)
        {
            var (outside, inside) = await contract.CountAdvisoriesAsync(transaction, ct);
            Storing.Enqueue((writes.ToList(), outside, inside));
            await contract.WriteMarkersAsync(transaction, writes.Where(w => w.Result.AffectedDataChanged).Select(w => w.Result.Id).ToList(), ct);
            if (FailNextBatch)
            {
                FailNextBatch = false;
                throw new InvalidOperationException("The hook failed after writing its rows.");
            }
        }

        void IAdvisoryWriteHook.Committed(IReadOnlyList<AdvisoryWrite> writes) => Committed.Enqueue(writes.ToList());
    }
}
