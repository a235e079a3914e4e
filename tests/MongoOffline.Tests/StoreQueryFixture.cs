using System.Collections.Concurrent;
using ImageScanning.MongoOffline.Tests.Recording;
using ImageScanning.ServiceDefaults.Storage;

namespace ImageScanning.MongoOffline.Tests;

/// <summary>
/// One MongoDB store driven through every method of its interface against a <see cref="RecordingMongo"/>, then checked: the
/// commands match the reviewed copy, every query is served by an index the store declares, every sort is total, every method
/// was driven, and in a unit of work every call joins its transaction. A fixture supplies the store and the two drives.
/// </summary>
public abstract class StoreQueryFixture<TStore> where TStore : class
{
    protected static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    protected static readonly string DigestA = "sha256:" + new string('a', 64);
    protected static readonly string DigestB = "sha256:" + new string('b', 64);

    private readonly ConcurrentDictionary<string, bool> _called = new();
    private IReadOnlyList<MongoOperation> _operations = [];
    private IReadOnlyList<MongoOperation> _workOperations = [];
    private int _workTransaction;
    private bool _drivenInWork;

    protected RecordingMongo Mongo { get; } = new();

    protected MongoServiceDatabase Database { get; private set; } = null!;

    /// <summary>The golden file's name (Expected/&lt;name&gt;.txt).</summary>
    protected virtual string Name => GetType().Name.Replace("Queries", "", StringComparison.Ordinal);

    /// <summary>Collections read whole on purpose, with why (they stay small by design).</summary>
    protected virtual IReadOnlyDictionary<string, string> ScansAllowed { get; } = new Dictionary<string, string>();

    protected abstract TStore CreateStore(MongoServiceDatabase database);

    /// <summary>Whether the store's writes take part in units of work (an <see cref="ITransactionalStore{TStore}"/> does).</summary>
    protected virtual bool JoinsUnitsOfWork =>
        typeof(TStore).GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ITransactionalStore<>));

    /// <summary>Calls every method of the store (queue replies with <see cref="Mongo"/>.Reply where a read must find something).</summary>
    protected abstract Task DriveAsync(TStore store);

    /// <summary>Calls the store's transactional methods on the store joined to <paramref name="work"/>; null when it joins none.</summary>
    protected abstract Task? DriveInWorkAsync(TStore joined, UnitOfWork work);

    /// <summary>The store joined to <paramref name="work"/>.</summary>
    protected abstract TStore Join(TStore store, UnitOfWork work);

    [OneTimeSetUp]
    public async Task DriveTheStoreAsync()
    {
        Database = new MongoServiceDatabase(Mongo.Database, "offline", clock: new FixedClock(T0));
        var store = CreateStore(Database);
        if (store is IMongoIndexOwner owner) await owner.EnsureIndexesAsync();
        await DriveAsync(CallTracker<TStore>.Wrap(store, _called));
        _operations = Mongo.Take();

        await using (var work = await Database.BeginAsync())
        {
            var drive = DriveInWorkAsync(CallTracker<TStore>.Wrap(Join(store, work), _called), work);
            _drivenInWork = drive is not null;
            if (drive is not null)
            {
                await drive;
                await work.CommitAsync(CancellationToken.None);
            }
        }
        var recorded = Mongo.Take();
        _workTransaction = recorded.FirstOrDefault(o => o.Command == "startTransaction")?.Transaction ?? 0;
        _workOperations = recorded;
    }

    protected IReadOnlyList<MongoOperation> Operations => _operations;

    [Test]
    public void Commands_match_the_reviewed_copy() => Golden.Verify(Name, _operations.Concat(_workOperations));

    [Test]
    public void Every_query_is_served_by_a_declared_index()
    {
        var problems = MongoChecks.Unindexed(_operations.Concat(_workOperations), Mongo.Indexes, ScansAllowed);
        Assert.That(problems, Is.Empty, "Declared: " + string.Join("; ", Mongo.Indexes));
    }

    [Test]
    public void Every_sort_is_total() =>
        Assert.That(MongoChecks.UnstableSorts(_operations.Concat(_workOperations), Mongo.Indexes), Is.Empty);

    [Test]
    public void Every_method_of_the_interface_was_driven() =>
        Assert.That(CallTracker<TStore>.Uncalled(_called), Is.Empty, "Drive these in the fixture, with replies where they read.");

    [Test]
    public void In_a_unit_of_work_every_call_joins_its_transaction()
    {
        var transactional = JoinsUnitsOfWork;
        Assert.That(_drivenInWork, Is.EqualTo(transactional), transactional
            ? $"{typeof(TStore).Name} joins units of work: drive it in one."
            : $"{typeof(TStore).Name} joins no unit of work; its drive in one should be null.");
        if (!transactional) return;
        Assert.That(_workOperations.Where(o => o.Collection != "").Count(), Is.GreaterThan(0), "The drive in a unit of work sent nothing.");
        Assert.That(MongoChecks.OutsideTransaction(_workOperations, _workTransaction), Is.Empty);
        Assert.That(_workOperations[^1].Command, Is.EqualTo("commitTransaction"));
    }

    [Test]
    public void The_store_declares_its_indexes_without_a_transaction() =>
        Assert.That(_operations.Concat(_workOperations).Where(o => o.Command == "createIndexes" && o.Transaction is not null), Is.Empty,
            "Index builds cannot join a transaction.");
}
