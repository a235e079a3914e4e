using ImageScanning.ServiceDefaults.Storage;
using Microsoft.Data.Sqlite;

namespace ImageScanning.Findings.Subscriptions.Data;

/// <summary>
/// Embedded store: subscriptions and the webhook deliveries in the service's SQLite file. Writes pass the file's write gate;
/// joined with a unit of work, reads and writes go through its connection and transaction.
/// </summary>
public sealed class SqliteSubscriptionStore : ISubscriptionStore
{
    internal const string Schema = """
        CREATE TABLE IF NOT EXISTS subscriptions (
            id TEXT PRIMARY KEY, target_url TEXT NOT NULL, event_pattern TEXT NOT NULL, cloud_events INTEGER NOT NULL,
            description TEXT, secret TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS deliveries (
            id TEXT PRIMARY KEY, subscription_id TEXT NOT NULL, event_id TEXT NOT NULL, detail_type TEXT NOT NULL,
            content_type TEXT NOT NULL, body TEXT NOT NULL, state INTEGER NOT NULL, attempts INTEGER NOT NULL,
            next_attempt_at INTEGER NOT NULL, lease_until INTEGER NOT NULL DEFAULT 0, last_error TEXT,
            created_at INTEGER NOT NULL, dead_lettered_at INTEGER, delivered_at INTEGER,
            UNIQUE (subscription_id, event_id));
        CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (state, next_attempt_at);
        """;

    private const string DeliveryColumns =
        "id, subscription_id, event_id, detail_type, content_type, body, state, attempts, next_attempt_at, last_error, created_at, dead_lettered_at";

    private readonly SqliteDatabase _database;
    private readonly SqliteUnitOfWork? _work;

    public SqliteSubscriptionStore(SqliteDatabase database) : this(database, null) => database.EnsureSchema(Schema);

    private SqliteSubscriptionStore(SqliteDatabase database, SqliteUnitOfWork? work)
    {
        _database = database;
        _work = work;
    }

    public ISubscriptionStore In(UnitOfWork work) => new SqliteSubscriptionStore(_database, _database.Join(work));

    public async Task SaveSubscriptionAsync(Subscription s, CancellationToken cancellationToken = default)
    {
        await ExecuteAsync("""
            INSERT INTO subscriptions (id, target_url, event_pattern, cloud_events, description, secret, created_at, updated_at)
            VALUES ($id, $url, $pattern, $ce, $description, $secret, $created, $updated)
            ON CONFLICT (id) DO UPDATE SET target_url = excluded.target_url, event_pattern = excluded.event_pattern,
                cloud_events = excluded.cloud_events, description = excluded.description, secret = excluded.secret,
                updated_at = excluded.updated_at;
            """, cancellationToken,
            ("$id", s.Id.ToString()), ("$url", s.TargetUrl), ("$pattern", s.EventPattern), ("$ce", s.CloudEvents ? 1 : 0),
            ("$description", s.Description), ("$secret", s.Secret), ("$created", s.CreatedAt.ToUnixTimeMilliseconds()),
            ("$updated", s.UpdatedAt.ToUnixTimeMilliseconds()));
    }

    public async Task<Subscription?> GetSubscriptionAsync(Guid id, CancellationToken cancellationToken = default) =>
        (await QuerySubscriptionsAsync("WHERE id = $id", cancellationToken, ("$id", id.ToString()))).SingleOrDefault();

    public Task<IReadOnlyList<Subscription>> ListSubscriptionsAsync(CancellationToken cancellationToken = default) =>
        QuerySubscriptionsAsync("", cancellationToken);

    public async Task<bool> DeleteSubscriptionAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var write = await _database.OpenForWriteAsync(_work, cancellationToken);
        await using var transaction = write.BeginTransaction();
        var removed = await ExecuteAsync(write.Connection, "DELETE FROM subscriptions WHERE id = $id", cancellationToken, ("$id", id.ToString()));
        await ExecuteAsync(write.Connection, "DELETE FROM deliveries WHERE subscription_id = $id", cancellationToken, ("$id", id.ToString()));
        await transaction.CommitAsync(cancellationToken);
        return removed > 0;
    }

    public async Task<int> EnqueueAsync(IReadOnlyList<WebhookDelivery> deliveries, CancellationToken cancellationToken = default)
    {
        if (deliveries.Count == 0) return 0;
        await using var write = await _database.OpenForWriteAsync(_work, cancellationToken);
        await using var transaction = write.BeginTransaction();
        var added = 0;
        foreach (var d in deliveries)
        {
            added += await ExecuteAsync(write.Connection, $"""
                INSERT INTO deliveries ({DeliveryColumns}) VALUES ($id, $sub, $event, $type, $ct, $body, $state, $attempts, $next, $error, $created, $dead)
                ON CONFLICT (subscription_id, event_id) DO NOTHING;
                """, cancellationToken,
                ("$id", d.Id.ToString()), ("$sub", d.SubscriptionId.ToString()), ("$event", d.EventId), ("$type", d.DetailType),
                ("$ct", d.ContentType), ("$body", d.Body), ("$state", (int)d.State), ("$attempts", d.Attempts),
                ("$next", d.NextAttemptAt.ToUnixTimeMilliseconds()), ("$error", d.LastError), ("$created", d.CreatedAt.ToUnixTimeMilliseconds()),
                ("$dead", d.DeadLetteredAt?.ToUnixTimeMilliseconds()));
        }
        await transaction.CommitAsync(cancellationToken);
        return added;
    }

    public Task<IReadOnlyList<WebhookDelivery>> ClaimDueAsync(DateTimeOffset now, TimeSpan lease, int limit, CancellationToken cancellationToken = default) =>
        WriteDeliveriesAsync($"""
            UPDATE deliveries SET lease_until = $lease
            WHERE id IN (SELECT id FROM deliveries WHERE state = 0 AND next_attempt_at <= $now AND lease_until <= $now
                         ORDER BY next_attempt_at, created_at LIMIT $limit)
            RETURNING {DeliveryColumns};
            """, cancellationToken,
            ("$now", now.ToUnixTimeMilliseconds()), ("$lease", (now + lease).ToUnixTimeMilliseconds()), ("$limit", limit));

    public Task MarkDeliveredAsync(Guid deliveryId, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        ExecuteAsync("UPDATE deliveries SET state = 2, delivered_at = $at, lease_until = 0 WHERE id = $id",
            cancellationToken, ("$id", deliveryId.ToString()), ("$at", at.ToUnixTimeMilliseconds()));

    public Task<int> PruneDeliveredAsync(DateTimeOffset deliveredBefore, CancellationToken cancellationToken = default) =>
        ExecuteAsync("DELETE FROM deliveries WHERE state = 2 AND delivered_at < $before",
            cancellationToken, ("$before", deliveredBefore.ToUnixTimeMilliseconds()));

    public Task MarkRetryAsync(Guid deliveryId, int attempts, string error, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken = default) =>
        ExecuteAsync("UPDATE deliveries SET attempts = $attempts, last_error = $error, next_attempt_at = $next, lease_until = 0 WHERE id = $id",
            cancellationToken, ("$id", deliveryId.ToString()), ("$attempts", attempts), ("$error", error), ("$next", nextAttemptAt.ToUnixTimeMilliseconds()));

    public Task MarkDeadLetteredAsync(Guid deliveryId, int attempts, string error, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        ExecuteAsync("UPDATE deliveries SET state = 1, attempts = $attempts, last_error = $error, dead_lettered_at = $at, lease_until = 0 WHERE id = $id",
            cancellationToken, ("$id", deliveryId.ToString()), ("$attempts", attempts), ("$error", error), ("$at", at.ToUnixTimeMilliseconds()));

    public Task<IReadOnlyList<WebhookDelivery>> ListDeadLettersAsync(Guid subscriptionId, CancellationToken cancellationToken = default) =>
        QueryDeliveriesAsync($"SELECT {DeliveryColumns} FROM deliveries WHERE subscription_id = $sub AND state = 1 ORDER BY created_at, rowid",
            cancellationToken, ("$sub", subscriptionId.ToString()));

    public Task<int> ReplayDeadLettersAsync(Guid subscriptionId, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        ExecuteAsync("""
            UPDATE deliveries SET state = 0, attempts = 0, next_attempt_at = $now, lease_until = 0, dead_lettered_at = NULL
            WHERE subscription_id = $sub AND state = 1
            """, cancellationToken, ("$sub", subscriptionId.ToString()), ("$now", now.ToUnixTimeMilliseconds()));

    public async Task<long> CountPendingAsync(CancellationToken cancellationToken = default)
    {
        await using var read = _database.OpenForRead(_work);
        await using var command = read.Connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM deliveries WHERE state = 0";
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private async Task<IReadOnlyList<Subscription>> QuerySubscriptionsAsync(string where, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        await using var read = _database.OpenForRead(_work);
        await using var command = Command(read.Connection,
            $"SELECT id, target_url, event_pattern, cloud_events, description, secret, created_at, updated_at FROM subscriptions {where} ORDER BY created_at, id",
            parameters);
        var results = new List<Subscription>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            results.Add(new Subscription(Guid.Parse(reader.GetString(0)), reader.GetString(1), reader.GetString(2), reader.GetInt64(3) != 0,
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetString(5), Time(reader.GetInt64(6)), Time(reader.GetInt64(7))));
        return results;
    }

    private async Task<IReadOnlyList<WebhookDelivery>> QueryDeliveriesAsync(string sql, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        await using var read = _database.OpenForRead(_work);
        return await ReadDeliveriesAsync(read.Connection, sql, cancellationToken, parameters);
    }

    /// <summary>A statement that writes and returns deliveries (UPDATE … RETURNING): through the write gate.</summary>
    private async Task<IReadOnlyList<WebhookDelivery>> WriteDeliveriesAsync(string sql, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        await using var write = await _database.OpenForWriteAsync(_work, cancellationToken);
        return await ReadDeliveriesAsync(write.Connection, sql, cancellationToken, parameters);
    }

    private static async Task<IReadOnlyList<WebhookDelivery>> ReadDeliveriesAsync(
        SqliteConnection connection, string sql, CancellationToken cancellationToken, (string, object?)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        var results = new List<WebhookDelivery>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                results.Add(new WebhookDelivery(Guid.Parse(reader.GetString(0)), Guid.Parse(reader.GetString(1)), reader.GetString(2), reader.GetString(3),
                    reader.GetString(4), reader.GetString(5), (DeliveryState)reader.GetInt32(6), reader.GetInt32(7), Time(reader.GetInt64(8)),
                    reader.IsDBNull(9) ? null : reader.GetString(9), Time(reader.GetInt64(10)), reader.IsDBNull(11) ? null : Time(reader.GetInt64(11))));
        }
        return results.OrderBy(d => d.NextAttemptAt).ThenBy(d => d.CreatedAt).ToList();
    }

    private async Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        await using var write = await _database.OpenForWriteAsync(_work, cancellationToken);
        return await ExecuteAsync(write.Connection, sql, cancellationToken, parameters);
    }

    private static async Task<int> ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>A command in the connection's current transaction, if any (CreateCommand enlists it).</summary>
    private static SqliteCommand Command(SqliteConnection connection, string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    private static DateTimeOffset Time(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
}
