using ImageScanning.ScanEngine.Advisories.Osv;
using Microsoft.Data.Sqlite;
using MongoDB.Driver;

namespace ImageScanning.ScanEngine.Advisories.Store;

/// <summary>One advisory of a stored batch: the record, what the store decided about it, and the affected-data hash it keeps.</summary>
public sealed record AdvisoryWrite(OsvAdvisory Advisory, AdvisoryUpsertResult Result, string AffectedHash);

/// <summary>The transaction a batch of advisories is being stored in, for a hook to write rows of its own in it.</summary>
public abstract record AdvisoryWriteTransaction;

/// <summary>The batch's SQLite transaction (on the advisory file's connection).</summary>
public sealed record SqliteAdvisoryWriteTransaction(SqliteConnection Connection, SqliteTransaction Transaction) : AdvisoryWriteTransaction;

/// <summary>The batch's MongoDB session, in a transaction, and the database it writes to.</summary>
public sealed record MongoAdvisoryWriteTransaction(IMongoDatabase Database, IClientSessionHandle Session) : AdvisoryWriteTransaction;

/// <summary>
/// Lets the advisory database's one writer (CveFeed) write its own rows — the announcements of what changed — in the same
/// transaction as each batch of advisories, so a batch is never stored without them nor they without it. Optional: the CLI and
/// the scanners, which do not announce, have none. ScanEngine knows nothing of what the hook writes.
/// </summary>
public interface IAdvisoryWriteHook
{
    /// <summary>
    /// Called inside the transaction of every batch (one <c>UpsertAsync</c> is a batch of one), after the batch's writes and before
    /// its commit, with every item in input order. Throwing rolls the whole batch back. On MongoDB a transaction the server aborts
    /// (a write conflict) is run again, so this may be called more than once for one batch: write idempotently.
    /// </summary>
    Task StoringAsync(IReadOnlyList<AdvisoryWrite> writes, AdvisoryWriteTransaction transaction, CancellationToken ct);

    /// <summary>Called once the batch's transaction committed (never when it rolled back), with the same writes. Must not throw: the batch is stored.</summary>
    void Committed(IReadOnlyList<AdvisoryWrite> writes);
}
