using ImageScanning.ServiceDefaults.Outbox;
using Microsoft.Data.Sqlite;
using MongoDB.Bson;
using MongoDB.Driver;

namespace ImageScanning.CveFeed.Importing;

/// <summary>
/// TEMPORARY (issue 11) — delete once ServiceDefaults makes its outbox row writers public (SqliteOutboxStore.InsertAsync,
/// MongoOutboxStore.InsertAsync, internal today). Writes outbox rows into a transaction the advisory store owns, with exactly the
/// columns and fields of SqliteOutboxStore.Schema / MongoOutboxStore, so the dispatcher treats them like any other. One
/// difference, on purpose: a row whose message id is already there is skipped, not an error. NewCveAdded ids are deterministic,
/// and the same change announced again (its row still kept as dispatched) must not fail the whole batch.
/// </summary>
internal static class TemporaryOutboxWriter
{
    public static async Task InsertAsync(SqliteConnection connection, SqliteTransaction transaction, IReadOnlyList<OutboxMessage> messages, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
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
            // Leased to this process, which sends the rows right after the commit; past the lease any dispatcher may.
            due.Value = (message.CreatedAt + OutboxDefaults.CommitLease).ToUnixTimeMilliseconds();
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    public static async Task InsertAsync(IMongoDatabase database, IClientSessionHandle session, IReadOnlyList<OutboxMessage> messages, CancellationToken ct)
    {
        // An upsert that only sets on insert: a duplicate-key insert would abort the whole transaction.
        var writes = messages.Select((m, position) => new UpdateOneModel<BsonDocument>(
            Builders<BsonDocument>.Filter.Eq("_id", m.MessageId.ToString("D")),
            Builders<BsonDocument>.Update
                .SetOnInsert("messageType", m.MessageType)
                .SetOnInsert("destination", (BsonValue?)m.Destination ?? BsonNull.Value)
                .SetOnInsert("body", m.Body)
                .SetOnInsert("traceParent", (BsonValue?)m.TraceParent ?? BsonNull.Value)
                .SetOnInsert("createdAt", m.CreatedAt.UtcDateTime)
                .SetOnInsert("position", position)
                .SetOnInsert("nextAttemptAt", (m.CreatedAt + OutboxDefaults.CommitLease).UtcDateTime)
                .SetOnInsert("attempts", 0)
                .SetOnInsert("dispatchedAt", BsonNull.Value)
                .SetOnInsert("replays", 0))
        { IsUpsert = true }).ToList();
        await database.GetCollection<BsonDocument>(MongoOutboxStore.OutboxCollection)
            .BulkWriteAsync(session, writes, new BulkWriteOptions { IsOrdered = true }, ct);
    }
}
