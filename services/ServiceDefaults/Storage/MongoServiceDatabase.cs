using ImageScanning.ServiceDefaults.Outbox;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ImageScanning.ServiceDefaults.Storage;

/// <summary>
/// A service's MongoDB database. A unit of work is one multi-document transaction (MongoDB needs a replica set for them:
/// docker-compose.yml starts a one-node one), so the effect, its outbox documents and the inbox mark commit together.
/// </summary>
public sealed class MongoServiceDatabase : IServiceDatabase
{
    private readonly IOutboxSink _sink;
    private readonly TimeProvider _clock;

    public MongoServiceDatabase(IMongoDatabase database, string name, IOutboxSink? sink = null, TimeProvider? clock = null)
    {
        Database = database;
        Name = name;
        _sink = sink ?? NoOutboxSink.Instance;
        _clock = clock ?? TimeProvider.System;
        Outbox = new MongoOutboxStore(database);
    }

    public IMongoDatabase Database { get; }

    public string Name { get; }

    public IOutboxStore Outbox { get; }

    public async Task<UnitOfWork> BeginAsync(CancellationToken ct = default)
    {
        var session = await Database.Client.StartSessionAsync(cancellationToken: ct);
        // Snapshot reads and durable (majority, journaled) commits: what the transaction read is what it commits against, and a commit
        // survives a failover.
        session.StartTransaction(MongoWriteConcerns.Transaction);
        return new MongoUnitOfWork(this, session, _sink, _clock);
    }

    /// <summary>The unit of work as MongoDB's, or an error when it belongs to another database.</summary>
    public MongoUnitOfWork Join(UnitOfWork work) =>
        work is MongoUnitOfWork mongo && mongo.Database is MongoServiceDatabase db && db.Database.DatabaseNamespace == Database.DatabaseNamespace
            ? mongo
            : throw new ArgumentException($"The unit of work belongs to database '{work.Database.Name}', not to {Database.DatabaseNamespace}.", nameof(work));
}

/// <summary>A unit of work on MongoDB: one client session in one transaction.</summary>
public sealed class MongoUnitOfWork : UnitOfWork
{
    internal MongoUnitOfWork(MongoServiceDatabase database, IClientSessionHandle session, IOutboxSink sink, TimeProvider clock)
        : base(database, sink, clock)
    {
        Session = session;
        Mongo = database;
    }

    public IClientSessionHandle Session { get; }

    private MongoServiceDatabase Mongo { get; }

    protected override async Task<bool> TryInsertInboxAsync(string consumer, Guid key, DateTimeOffset at, CancellationToken ct)
    {
        var inbox = Mongo.Database.GetCollection<BsonDocument>(MongoOutboxStore.InboxCollection);
        var id = consumer + "|" + key.ToString("D");
        // A duplicate-key insert would abort the whole transaction: look first. Two concurrent first deliveries both insert; the
        // second commit then fails with a write conflict (TransientTransactionError), and its retry finds the mark.
        if (await inbox.Find(Session, Builders<BsonDocument>.Filter.Eq("_id", id)).AnyAsync(ct)) return false;
        await inbox.InsertOneAsync(Session, new BsonDocument { ["_id"] = id, ["handledAt"] = at.UtcDateTime }, cancellationToken: ct);
        return true;
    }

    protected override Task InsertOutboxAsync(IReadOnlyList<OutboxMessage> messages, CancellationToken ct) =>
        MongoOutboxStore.InsertAsync(Mongo.Database, Session, messages, ct);

    protected override async Task CommitTransactionAsync(CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await Session.CommitTransactionAsync(ct);
                return;
            }
            catch (MongoException e) when (e.HasErrorLabel("UnknownTransactionCommitResult") && attempt < 3)
            {
                // The driver's advice: committing again is safe and tells whether the first commit took.
            }
        }
    }

    protected override async Task RollbackAsync()
    {
        if (Session.IsInTransaction)
        {
            try { await Session.AbortTransactionAsync(CancellationToken.None); }
            catch (MongoException) { } // the server already aborted it (a write conflict, a lost primary)
        }
    }

    protected override ValueTask DisposeConnectionAsync()
    {
        Session.Dispose();
        return ValueTask.CompletedTask;
    }
}
