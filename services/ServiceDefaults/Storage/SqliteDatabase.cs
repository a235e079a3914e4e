using ImageScanning.ServiceDefaults.Background;
using ImageScanning.ServiceDefaults.Outbox;
using Microsoft.Data.Sqlite;

namespace ImageScanning.ServiceDefaults.Storage;

/// <summary>
/// A service's embedded SQLite file: created with its outbox and inbox tables on first use, in WAL mode so readers never block the
/// writer, and with a busy timeout so concurrent writers (other processes too) wait instead of failing. Stores add their own
/// tables with <see cref="EnsureSchema"/>. Writes pass one <see cref="PriorityWriteGate"/> per file, so in this process a push
/// scan's write goes before the re-scan lane's; a <see cref="UnitOfWork"/> holds the gate and the write lock until it ends.
/// </summary>
public sealed class SqliteDatabase : IServiceDatabase
{
    private const int BusyTimeoutMilliseconds = 30_000;
    private const string ConnectionPragmas = "PRAGMA busy_timeout = 30000; PRAGMA synchronous = NORMAL;";

    private readonly string _connectionString;
    private readonly PriorityWriteGate _gate;
    private readonly IOutboxSink _sink;
    private readonly TimeProvider _clock;

    public SqliteDatabase(string path, IOutboxSink? sink = null, TimeProvider? clock = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        Name = System.IO.Path.GetFileNameWithoutExtension(Path);
        _gate = PriorityWriteGate.ForFile(Path);
        _sink = sink ?? NoOutboxSink.Instance;
        _clock = clock ?? TimeProvider.System;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path, Mode = SqliteOpenMode.ReadWriteCreate, Cache = SqliteCacheMode.Private, Pooling = true,
            DefaultTimeout = BusyTimeoutMilliseconds / 1000,
        }.ToString();
        EnsureSchema("PRAGMA journal_mode = WAL;\n" + SqliteOutboxStore.Schema);
        Outbox = new SqliteOutboxStore(this);
    }

    /// <summary>A database for one store's own file, with its schema (the store's tables).</summary>
    public SqliteDatabase(string path, string schema) : this(path) => EnsureSchema(schema);

    public string Name { get; }

    /// <summary>The file's full path.</summary>
    public string Path { get; }

    public IOutboxStore Outbox { get; }

    /// <summary>Creates a store's tables and indexes (idempotent statements: CREATE … IF NOT EXISTS).</summary>
    public void EnsureSchema(string schema)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = schema;
        command.ExecuteNonQuery();
    }

    /// <summary>A new connection, outside any unit of work.</summary>
    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = ConnectionPragmas;
        pragma.ExecuteNonQuery();
        return connection;
    }

    /// <summary>
    /// A connection for one write (a statement or a whole transaction), opened once the file's write gate lets this caller in:
    /// background-lane callers after every waiting foreground one. Dispose it to close the connection and pass the gate on.
    /// </summary>
    public Task<SqliteWrite> OpenForWriteAsync(CancellationToken ct = default) => SqliteWrite.OpenAsync(_gate, Open, ct);

    /// <summary>
    /// The connection a store's write uses: <paramref name="work"/>'s (already inside its transaction, disposing it does nothing)
    /// or, without one, a connection of its own through the write gate.
    /// </summary>
    public Task<SqliteWrite> OpenForWriteAsync(SqliteUnitOfWork? work, CancellationToken ct) =>
        work is null ? OpenForWriteAsync(ct) : Task.FromResult(SqliteWrite.Joined(work.Connection, work.Transaction));

    /// <summary>The connection a store's read uses: <paramref name="work"/>'s (so it sees the work's own writes), or a new one.</summary>
    public SqliteRead OpenForRead(SqliteUnitOfWork? work) => work is null ? new SqliteRead(Open(), owned: true) : new SqliteRead(work.Connection, owned: false);

    public async Task<UnitOfWork> BeginAsync(CancellationToken ct = default)
    {
        var write = await OpenForWriteAsync(ct);
        try
        {
            var transaction = await BeginImmediateAsync(write.Connection, ct);
            return new SqliteUnitOfWork(this, write, transaction, _sink, _clock);
        }
        catch
        {
            await write.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// BEGIN IMMEDIATE: the write lock is taken now, so a read-modify-write inside the work never fails to upgrade. Another process
    /// may hold the lock (a second service on the file, an outage): wait for it here, asynchronously and cancellably, up to the busy
    /// timeout, rather than in SQLite's busy handler, which sleeps on the thread. Past it the SQLITE_BUSY error is thrown: transient.
    /// </summary>
    private static async Task<SqliteTransaction> BeginImmediateAsync(SqliteConnection connection, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(BusyTimeoutMilliseconds);
        SetBusyWait(connection, busyTimeoutMilliseconds: 0, commandTimeoutSeconds: 1);
        try
        {
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                try
                {
                    return connection.BeginTransaction(deferred: false);
                }
                catch (SqliteException e) when (e.SqliteErrorCode is 5 or 6 && DateTime.UtcNow < deadline) // SQLITE_BUSY, SQLITE_LOCKED
                {
                    await Task.Delay(50, ct);
                }
            }
        }
        finally
        {
            SetBusyWait(connection, BusyTimeoutMilliseconds, BusyTimeoutMilliseconds / 1000);
        }
    }

    private static void SetBusyWait(SqliteConnection connection, int busyTimeoutMilliseconds, int commandTimeoutSeconds)
    {
        connection.DefaultTimeout = commandTimeoutSeconds;
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA busy_timeout = " + busyTimeoutMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture) + ";";
        pragma.ExecuteNonQuery();
    }

    /// <summary>The unit of work as SQLite's, or an error when it belongs to another database.</summary>
    public SqliteUnitOfWork Join(UnitOfWork work) =>
        work is SqliteUnitOfWork sqlite && ((SqliteDatabase)sqlite.Database).Path == Path
            ? sqlite
            : throw new ArgumentException($"The unit of work belongs to database '{work.Database.Name}', not to {Path}.", nameof(work));
}

/// <summary>A unit of work on one SQLite file: one connection in one IMMEDIATE transaction, holding the file's write gate.</summary>
public sealed class SqliteUnitOfWork : UnitOfWork
{
    private readonly SqliteWrite _write;

    internal SqliteUnitOfWork(SqliteDatabase database, SqliteWrite write, SqliteTransaction transaction, IOutboxSink sink, TimeProvider clock)
        : base(database, sink, clock)
    {
        _write = write;
        Transaction = transaction;
    }

    public SqliteConnection Connection => _write.Connection;

    public SqliteTransaction Transaction { get; }

    protected override Task<bool> TryInsertInboxAsync(string consumer, Guid key, DateTimeOffset at, CancellationToken ct) =>
        SqliteOutboxStore.TryInsertInboxAsync(Connection, consumer, key, at, ct);

    protected override Task InsertOutboxAsync(IReadOnlyList<OutboxMessage> messages, CancellationToken ct) =>
        SqliteOutboxStore.InsertAsync(Connection, messages, ct);

    protected override Task CommitTransactionAsync(CancellationToken ct) => Transaction.CommitAsync(ct);

    protected override async Task RollbackAsync()
    {
        // A commit that failed part-way may already have ended the transaction; rolling back then has nothing to undo.
        try { await Transaction.RollbackAsync(CancellationToken.None); }
        catch (InvalidOperationException) { }
        catch (SqliteException) { }
    }

    protected override async ValueTask DisposeConnectionAsync()
    {
        await Transaction.DisposeAsync();
        await _write.DisposeAsync();
    }
}

/// <summary>A connection holding its database's write gate until disposed, or one borrowed from a unit of work (then disposing it does nothing).</summary>
public sealed class SqliteWrite : IAsyncDisposable
{
    private readonly PriorityWriteGate.Lease _lease;
    private readonly bool _owned;

    private SqliteWrite(SqliteConnection connection, PriorityWriteGate.Lease lease, SqliteTransaction? transaction, bool owned)
    {
        Connection = connection;
        _lease = lease;
        Transaction = transaction;
        _owned = owned;
    }

    public SqliteWrite(SqliteConnection connection, PriorityWriteGate.Lease lease) : this(connection, lease, null, owned: true) { }

    public SqliteConnection Connection { get; }

    /// <summary>The unit of work's transaction when this write joined one; null for a write of its own.</summary>
    public SqliteTransaction? Transaction { get; }

    /// <summary>True when the write is part of a unit of work (its transaction is the work's).</summary>
    public bool IsJoined => !_owned;

    internal static SqliteWrite Joined(SqliteConnection connection, SqliteTransaction transaction) => new(connection, default, transaction, owned: false);

    /// <summary>Enters the gate (as a background writer on a background-lane thread), then opens the connection.</summary>
    public static async Task<SqliteWrite> OpenAsync(PriorityWriteGate gate, Func<SqliteConnection> open, CancellationToken ct)
    {
        var lease = await gate.EnterAsync(BackgroundLane.IsBackgroundThread, ct);
        try
        {
            return new SqliteWrite(open(), lease);
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A transaction for this write: a new IMMEDIATE one, or — when the write joined a unit of work — the work's own, which this
    /// handle neither commits nor rolls back (the work does).
    /// </summary>
    public SqliteWriteTransaction BeginTransaction() =>
        _owned ? new SqliteWriteTransaction(Connection.BeginTransaction(deferred: false), owned: true) : new SqliteWriteTransaction(Transaction!, owned: false);

    public async ValueTask DisposeAsync()
    {
        if (!_owned) return;
        try { await Connection.DisposeAsync(); }
        finally { _lease.Dispose(); }
    }
}

/// <summary>A store method's transaction: its own, or its unit of work's (then Commit does nothing and the work decides).</summary>
public sealed class SqliteWriteTransaction(SqliteTransaction transaction, bool owned) : IAsyncDisposable
{
    public SqliteTransaction Transaction => transaction;

    public Task CommitAsync(CancellationToken ct) => owned ? transaction.CommitAsync(ct) : Task.CompletedTask;

    public ValueTask DisposeAsync() => owned ? transaction.DisposeAsync() : ValueTask.CompletedTask;
}

/// <summary>A connection for reads: a new one, or a unit of work's (then disposing it does nothing).</summary>
public sealed class SqliteRead(SqliteConnection connection, bool owned) : IAsyncDisposable, IDisposable
{
    public SqliteConnection Connection => connection;

    public ValueTask DisposeAsync() => owned ? connection.DisposeAsync() : ValueTask.CompletedTask;

    public void Dispose()
    {
        if (owned) connection.Dispose();
    }
}
