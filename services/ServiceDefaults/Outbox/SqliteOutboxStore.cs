using System.Text.Json;
using ImageScanning.ServiceDefaults.Storage;
using Microsoft.Data.Sqlite;

namespace ImageScanning.ServiceDefaults.Outbox;

/// <summary>
/// The outbox and inbox tables of a service's SQLite file. Times are Unix milliseconds (UTC). A row is leased to the process that
/// committed it for <see cref="OutboxDefaults.CommitLease"/> (it sends it at once); after that any dispatcher may claim it.
/// </summary>
public sealed class SqliteOutboxStore(SqliteDatabase database) : IOutboxStore
{
    internal const string Schema = """
        CREATE TABLE IF NOT EXISTS outbox_messages (
            sequence        INTEGER PRIMARY KEY AUTOINCREMENT,
            message_id      TEXT NOT NULL UNIQUE,
            message_type    TEXT NOT NULL,
            destination     TEXT,
            body            TEXT NOT NULL,
            trace_parent    TEXT,
            created_at      INTEGER NOT NULL,
            next_attempt_at INTEGER NOT NULL,
            attempts        INTEGER NOT NULL DEFAULT 0,
            last_error      TEXT,
            dispatched_at   INTEGER,
            replays         INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX IF NOT EXISTS ix_outbox_due ON outbox_messages (next_attempt_at) WHERE dispatched_at IS NULL;
        CREATE INDEX IF NOT EXISTS ix_outbox_dispatched ON outbox_messages (dispatched_at) WHERE dispatched_at IS NOT NULL;
        CREATE TABLE IF NOT EXISTS inbox (
            consumer    TEXT NOT NULL,
            message_key TEXT NOT NULL,
            handled_at  INTEGER NOT NULL,
            PRIMARY KEY (consumer, message_key)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS ix_inbox_handled_at ON inbox (handled_at);
        """;

    internal static async Task<bool> TryInsertInboxAsync(SqliteConnection connection, string consumer, Guid key, DateTimeOffset at, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT OR IGNORE INTO inbox (consumer, message_key, handled_at) VALUES ($consumer, $key, $at);";
        command.Parameters.AddWithValue("$consumer", consumer);
        command.Parameters.AddWithValue("$key", key.ToString("D"));
        command.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>
    /// Writes outbox rows on a connection inside the caller's transaction (a store whose own transaction is the unit of work: the
    /// advisory import). A message id already stored is skipped: deterministic ids may recur, and the first row stands.
    /// </summary>
    public static async Task InsertAsync(SqliteConnection connection, IReadOnlyList<OutboxMessage> messages, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT OR IGNORE INTO outbox_messages (message_id, message_type, destination, body, trace_parent, created_at, next_attempt_at)
            VALUES ($id, $type, $destination, $body, $trace, $created, $due);
            """;
        var id = command.Parameters.Add("$id", SqliteType.Text);
        var type = command.Parameters.Add("$type", SqliteType.Text);
        var destination = command.Parameters.Add("$destination", SqliteType.Text);
        var body = command.Parameters.Add("$body", SqliteType.Text);
        var trace = command.Parameters.Add("$trace", SqliteType.Text);
        var created = command.Parameters.Add("$created", SqliteType.Integer);
        var due = command.Parameters.Add("$due", SqliteType.Integer);
        foreach (var message in messages)
        {
            id.Value = message.MessageId.ToString("D");
            type.Value = message.MessageType;
            destination.Value = (object?)message.Destination ?? DBNull.Value;
            body.Value = message.Body;
            trace.Value = (object?)message.TraceParent ?? DBNull.Value;
            created.Value = message.CreatedAt.ToUnixTimeMilliseconds();
            due.Value = (message.CreatedAt + OutboxDefaults.CommitLease).ToUnixTimeMilliseconds();
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    public async Task<IReadOnlyList<OutboxMessage>> ClaimDueAsync(DateTimeOffset now, TimeSpan lease, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using var write = await database.OpenForWriteAsync(ct);
        await using var command = write.Connection.CreateCommand();
        command.CommandText = """
            UPDATE outbox_messages SET next_attempt_at = $leaseUntil
             WHERE sequence IN (SELECT sequence FROM outbox_messages
                                 WHERE dispatched_at IS NULL AND next_attempt_at <= $now ORDER BY sequence LIMIT $limit)
            RETURNING sequence, message_id, message_type, destination, body, trace_parent, created_at;
            """;
        command.Parameters.AddWithValue("$leaseUntil", (now + lease).ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$limit", limit);
        var claimed = new List<(long Sequence, OutboxMessage Message)>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
                claimed.Add((reader.GetInt64(0), new OutboxMessage(
                    Guid.Parse(reader.GetString(1)), reader.GetString(2), reader.GetString(4), reader.IsDBNull(3) ? null : reader.GetString(3),
                    reader.IsDBNull(5) ? null : reader.GetString(5), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)))));
        }
        // RETURNING gives no order: restore the order of writing.
        return claimed.OrderBy(c => c.Sequence).Select(c => c.Message).ToList();
    }

    public async Task MarkDispatchedAsync(IReadOnlyCollection<Guid> messageIds, DateTimeOffset at, CancellationToken ct = default)
    {
        if (messageIds.Count == 0) return;
        await using var write = await database.OpenForWriteAsync(ct);
        await using var command = write.Connection.CreateCommand();
        command.CommandText = """
            UPDATE outbox_messages SET dispatched_at = $at, last_error = NULL
             WHERE message_id IN (SELECT value FROM json_each($ids)) AND dispatched_at IS NULL;
            """;
        command.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(messageIds.Select(id => id.ToString("D"))));
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task MarkFailedAsync(Guid messageId, string error, DateTimeOffset nextAttemptAt, CancellationToken ct = default)
    {
        await using var write = await database.OpenForWriteAsync(ct);
        await using var command = write.Connection.CreateCommand();
        command.CommandText = """
            UPDATE outbox_messages SET attempts = attempts + 1, last_error = $error, next_attempt_at = $next
             WHERE message_id = $id AND dispatched_at IS NULL;
            """;
        command.Parameters.AddWithValue("$id", messageId.ToString("D"));
        command.Parameters.AddWithValue("$error", error);
        command.Parameters.AddWithValue("$next", nextAttemptAt.ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<long> PruneAsync(DateTimeOffset dispatchedBefore, DateTimeOffset handledBefore, CancellationToken ct = default)
    {
        await using var write = await database.OpenForWriteAsync(ct);
        await using var command = write.Connection.CreateCommand();
        command.CommandText = """
            DELETE FROM outbox_messages WHERE dispatched_at IS NOT NULL AND dispatched_at < $dispatchedBefore;
            DELETE FROM inbox WHERE handled_at < $handledBefore;
            """;
        command.Parameters.AddWithValue("$dispatchedBefore", dispatchedBefore.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$handledBefore", handledBefore.ToUnixTimeMilliseconds());
        return await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<long> RequeueDispatchedSinceAsync(DateTimeOffset since, int maxReplays, DateTimeOffset now, CancellationToken ct = default)
    {
        await using var write = await database.OpenForWriteAsync(ct);
        await using var command = write.Connection.CreateCommand();
        command.CommandText = """
            UPDATE outbox_messages SET dispatched_at = NULL, next_attempt_at = $now, replays = replays + 1
             WHERE dispatched_at IS NOT NULL AND dispatched_at >= $since AND replays < $max;
            """;
        command.Parameters.AddWithValue("$since", since.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$max", maxReplays);
        return await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<bool> IsHandledAsync(string consumer, Guid key, CancellationToken ct = default)
    {
        await using var connection = database.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT EXISTS (SELECT 1 FROM inbox WHERE consumer = $consumer AND message_key = $key);";
        command.Parameters.AddWithValue("$consumer", consumer);
        command.Parameters.AddWithValue("$key", key.ToString("D"));
        return (long)(await command.ExecuteScalarAsync(ct))! == 1;
    }

    public async Task<OutboxStatus> GetStatusAsync(CancellationToken ct = default)
    {
        await using var connection = database.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*), MIN(created_at) FROM outbox_messages WHERE dispatched_at IS NULL;";
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new OutboxStatus(reader.GetInt64(0), reader.IsDBNull(1) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)));
    }
}

/// <summary>Settings every outbox shares, whatever its store.</summary>
public static class OutboxDefaults
{
    /// <summary>
    /// How long a committed row belongs to the process that committed it, which sends it right after the commit. Past it, any
    /// dispatcher may claim it: the committing process died, or the bus refused the message.
    /// </summary>
    public static readonly TimeSpan CommitLease = TimeSpan.FromSeconds(15);
}
